// The pass registry and the pass runner.
#include "ir/passes/pipeline.h"

#include <stdexcept>

#include "ir/passes/canonicalize.h"
#include "ir/passes/constant_fold.h"
#include "ir/passes/cse.h"
#include "ir/passes/dce.h"
#include "ir/passes/fusion.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "support/error.h"

namespace nnc::ir {

namespace {

const Pass kPasses[] = {
    {"canonicalize", "algebraic simplification by rewrite rules (x * 1 -> x, ...)", canonicalize},
    {"constant-fold", "evaluate ops whose operands are all constants", constant_fold},
    {"cse", "merge ops that compute the same value", cse},
    {"dce", "remove ops whose results are unused", dce},
    {"fuse", "group ops into kernels (elementwise, reductions, softmax): `fusion` ops", fuse},
};

}  // namespace

std::span<const Pass> all_passes() { return kPasses; }

const Pass* find_pass(std::string_view name) {
    for (const Pass& p : kPasses)
        if (p.name == name) return &p;
    return nullptr;
}

std::span<const std::string> default_pipeline() {
    static const std::string names[] = {"canonicalize", "constant-fold", "cse", "dce"};
    return names;
}

std::vector<Diagnostic> run_passes(Function& f, std::span<const std::string> names, const PipelineOptions& options) {
    for (const std::string& name : names) {
        const Pass* pass = find_pass(name);
        if (!pass) internal_error("no pass named '" + name + "'");
        pass->run(f);
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
