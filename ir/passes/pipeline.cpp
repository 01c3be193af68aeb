// The pass registry, the compile pipeline's stages and the pass runner.
#include "ir/passes/pipeline.h"

#include "ir/passes/canonicalize.h"
#include "ir/passes/constant_fold.h"
#include "ir/passes/cse.h"
#include "ir/passes/dce.h"
#include "ir/passes/fusion.h"
#include "ir/passes/select_gemm.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "support/error.h"

namespace nnc::ir {

namespace {

// A pass that is the same for every target.
template <void (*pass)(Function&)> void neutral(Function& f, const Target&) { pass(f); }

const Pass kPasses[] = {
    {"canonicalize", "algebraic simplification by rewrite rules (x * 1 -> x, ...)", neutral<canonicalize>},
    {"constant-fold", "evaluate ops whose operands are all constants", neutral<constant_fold>},
    {"cse", "merge ops that compute the same value", neutral<cse>},
    {"dce", "remove ops whose results are unused", neutral<dce>},
    {"select-gemm", "2-D matmuls the target's GEMM library computes become `gemm`, reading transposes in place",
     select_gemm},
    {"fuse", "group the ops the target lowers into kernels (elementwise, reductions, softmax): `fusion` ops", fuse},
};

}  // namespace

std::span<const Pass> all_passes() { return kPasses; }

const Pass* find_pass(std::string_view name) {
    for (const Pass& p : kPasses)
        if (p.name == name) return &p;
    return nullptr;
}

std::span<const std::string> stage_passes(Stage stage) {
    static const std::string optimized[] = {"canonicalize", "constant-fold", "cse", "dce"};
    static const std::string lowered[] = {"select-gemm", "fuse"};
    switch (stage) {
    case Stage::Traced: return {};
    case Stage::Optimized: return optimized;
    case Stage::Lowered: return lowered;
    }
    return {};
}

std::vector<Diagnostic> compile_pipeline(Function& f, const Target& target, const PipelineOptions& options) {
    for (int stage = static_cast<int>(options.from) + 1; stage <= static_cast<int>(options.to); ++stage) {
        std::vector<Diagnostic> errors = run_passes(f, stage_passes(static_cast<Stage>(stage)), target, options);
        if (!errors.empty()) return errors;
    }
    return {};
}

std::vector<Diagnostic> run_passes(Function& f, std::span<const std::string> names, const Target& target,
                                   const PipelineOptions& options) {
    for (const std::string& name : names) {
        const Pass* pass = find_pass(name);
        if (!pass) internal_error("no pass named '" + name + "'");
        pass->run(f, target);
        if (options.out && (options.print_after_all || options.print_after == name)) {
            *options.out << "// -----// IR after " << name << " //----- //\n";
            print_function(f, *options.out);
        }
        if (!options.verify_each) continue;
        std::vector<Diagnostic> errors = verify(f);
        for (Diagnostic& d : errors) d.message = "after pass '" + name + "': " + d.message;
        if (!errors.empty()) return errors;
    }
    return {};
}

}  // namespace nnc::ir
