// DriverOptions: everything the `nnc` command line can set, parsed once in
// main and passed down (no environment variables read elsewhere).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nnc {

struct DriverOptions {
    std::string command;          // run | check | emit | repl
    std::string file;             // the .nn script (run, check, emit; optional for repl)
    std::string stage = "ast";    // emit: tokens | ast | ir | grad | ir-opt | fused | llvm | asm
    std::string fn;               // emit ir: the fn (or Model.method) to lower
    std::vector<std::string> args;   // emit ir: NAME=TYPE or NAME=INT for its parameters
    bool eager = false;           // run: op by op, no tracing to IR
    bool stats = false;           // run: print what was traced and compiled at exit
    bool jit = true;              // run: compile traced fns to native code (false: interpret their IR)
    bool profile = false;         // run: print a per-kernel time table at exit
    std::string cache_dir;        // compiled kernels on disk; empty = no disk cache
    uint64_t seed = 0;            // default seed of random ops without one
    int threads = 0;              // kernel threads; 0 = all cores
    bool color = false;           // colored diagnostics (stderr is a terminal)
    bool verify_diagnostics = false;   // run/check: match diagnostics against `# expected-error {{...}}`
    std::string stdlib_dir;       // where `import` finds the standard library
    std::string history_file;     // REPL history (empty = none)
};

}  // namespace nnc
