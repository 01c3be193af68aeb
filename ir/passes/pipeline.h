// The pass manager: the registry of passes by name and the one function
// that runs a list of them over a function, optionally printing the IR
// after each pass (`// -----// IR after cse //----- //`) and verifying it.
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/diagnostics.h"
#include "ir/function.h"

namespace nnc::ir {

struct Pass {
    std::string_view name;      // as in --pass=cse
    std::string_view summary;   // one line for --help
    void (*run)(Function&);
};

// Every pass, by name.
std::span<const Pass> all_passes();
const Pass* find_pass(std::string_view name);

struct PipelineOptions {
    bool print_after_all = false;
    std::string print_after;    // print after every run of the pass of this name
    bool verify_each = false;   // run the verifier after every pass
    std::ostream* out = nullptr;   // where IR is printed (required to print)
};

// The passes every traced or differentiated function goes through before it
// runs: canonicalize, constant-fold, cse, dce.
std::span<const std::string> default_pipeline();

// Runs the named passes (each must be registered) over `f`, in order.
// Returns the verifier's errors of the first pass that broke the IR
// (prefixed "after pass 'x': "), after which no more passes run; empty when
// all went well.
std::vector<Diagnostic> run_passes(Function& f, std::span<const std::string> names, const PipelineOptions& options);

}  // namespace nnc::ir
