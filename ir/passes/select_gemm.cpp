// GEMM selection (see select_gemm.h).
#include "ir/passes/select_gemm.h"

#include "ir/passes/dce.h"

namespace nnc::ir {

namespace {

// The matrix `v` transposes, when it is a 2-D permute [1, 0]; else null.
Value* transposed_matrix(const Value* v) {
    const Op* def = v->defining_op();
    if (!def || def->kind != OpKind::Permute || v->type().rank() != 2) return nullptr;
    return def->attrs.get_ints("perm") == std::vector<int64_t>{1, 0} ? def->operands[0] : nullptr;
}

}  // namespace

void select_gemm(Function& f, const Target& target) {
    bool changed = false;
    walk(f.body(), [&](Op* op) {
        if (op->kind != OpKind::MatMul) return;
        const TensorType &a = op->operands[0]->type(), &b = op->operands[1]->type();
        if (a.rank() != 2 || b.rank() != 2 || a.dtype != b.dtype || !target.gemm(a.dtype)) return;
        op->kind = OpKind::Gemm;
        const char* flags[2] = {"transpose_a", "transpose_b"};
        for (int i = 0; i < 2; ++i) {
            if (Value* matrix = transposed_matrix(op->operands[i])) {
                op->operands[i] = matrix;
                op->attrs.set(flags[i], true);
            }
        }
        changed = true;
    });
    if (changed) dce(f);
}

}  // namespace nnc::ir
