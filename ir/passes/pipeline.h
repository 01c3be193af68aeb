// The pass manager and the one compile pipeline. Every pass is registered
// by name; `compile_pipeline` runs the stages a function goes through on
// its way to a backend, optionally printing the IR after each pass
// (`// -----// IR after cse //----- //`) and verifying it:
//
//   traced ─ canonicalize, constant-fold, cse, dce ─► optimized
//     (what the IR interpreter runs with --no-jit; `nnc emit --stage=ir-opt`)
//   optimized ─ select-gemm, fuse ─► lowered
//     (fusion groups and library steps for the target: `--stage=ir-fused`)
#pragma once

#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ir/function.h"
#include "ir/passes/target.h"
#include "support/diagnostics.h"

namespace nnc::ir {

struct Pass {
    std::string_view name;      // as in --pass=cse
    std::string_view summary;   // one line for --help
    void (*run)(Function&, const Target&);
};

// Every pass, by name.
std::span<const Pass> all_passes();
const Pass* find_pass(std::string_view name);

enum class Stage { Traced, Optimized, Lowered };

// Debug builds (and sanitizer builds, NNC_VERIFY_PASSES) verify after every pass unless told otherwise.
#if !defined(NDEBUG) || defined(NNC_VERIFY_PASSES)
inline constexpr bool kVerifyEachByDefault = true;
#else
inline constexpr bool kVerifyEachByDefault = false;
#endif

struct PipelineOptions {
    Stage from = Stage::Traced;   // the stage the function is at
    Stage to = Stage::Lowered;    // the stage to bring it to
    bool print_after_all = false;
    std::string print_after;      // print after every run of the pass of this name
    bool verify_each = kVerifyEachByDefault;   // run the verifier after every pass
    std::ostream* out = nullptr;  // where IR is printed (required to print)
};

// The passes that lead from the stage before `stage` to `stage`.
std::span<const std::string> stage_passes(Stage stage);

// Brings `f` from options.from to options.to for `target`. Returns the
// verifier's errors of the first pass that broke the IR (prefixed "after
// pass 'x': "), after which no more passes run; empty when all went well.
std::vector<Diagnostic> compile_pipeline(Function& f, const Target& target, const PipelineOptions& options);

// Runs the named passes (each must be registered) over `f`, in order
// (nnc-opt); errors as compile_pipeline's.
std::vector<Diagnostic> run_passes(Function& f, std::span<const std::string> names, const Target& target,
                                   const PipelineOptions& options);

}  // namespace nnc::ir
