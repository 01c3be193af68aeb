// DriverOptions: everything the `nnc` command line can set, parsed once in
// main and passed down (no environment variables read elsewhere).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nnc {

struct DriverOptions {
    std::string command;          // run | check | emit | compile | repl
    std::string file;             // the .nn script (run, check, emit; optional for repl)
    std::string stage = "ast";    // emit: tokens | ast | ir | grad | ir-opt | fused | llvm | asm
    std::string fn;               // emit ir, compile: the fn (or Model.method) to lower
    std::vector<std::string> args;   // emit ir, compile: NAME=TYPE, NAME=INT or NAME=EXPRESSION for its parameters
    std::string output;           // compile: the shared library to write
    std::string library_name;     // compile: the C prefix (default: from the output, libNAME.so)
    std::string weights;          // compile: a safetensors file of the first model argument's weights
    bool embed_weights = false;   // compile: put the weights in the library
    std::string cpu = "host";     // compile: the CPU the kernels are compiled for
    bool eager = false;           // run: op by op, no tracing to IR
    bool stats = false;           // run: print what was traced and compiled at exit
    bool quiet = false;           // run: no warning for a fn that runs eagerly because it cannot be compiled
    bool jit = true;              // run: compile traced fns to native code (false: interpret their IR)
    bool profile = false;         // run: print a per-kernel time table at exit
    std::string print_after;      // run, emit, compile: print the IR after every run of this pass
    bool print_after_all = false; // run, emit, compile: print the IR after every pass
    bool verify_each = false;     // run, emit, compile: verify the IR after every pass
    std::string cache_dir;        // compiled kernels on disk; empty = no disk cache
    uint64_t seed = 0;            // default seed of random ops without one
    int threads = 0;              // kernel threads; 0 = all cores
    bool color = false;           // colored diagnostics (stderr is a terminal)
    bool verify_diagnostics = false;   // run/check: match diagnostics against `# expected-error {{...}}`
    std::string stdlib_dir;       // where `import` finds the standard library
    std::string history_file;     // REPL history (empty = none)
};

}  // namespace nnc
