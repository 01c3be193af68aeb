// Constant folding: each foldable op becomes a `constant` in place, its
// payload computed by the op's reference kernel; a `full_like` whose dims
// are all known becomes a `full`, and a rand / randn drops the operands lending its dims.
#include "ir/passes/constant_fold.h"

#include <stdexcept>

#include "core/shape_rules.h"
#include "runtime/kernels.h"

namespace nnc::ir {

namespace {

bool is_constant(const Value* v) { return v->defining_op() && v->defining_op()->kind == OpKind::Constant; }

// `dim` of a dimension its operand's type knows, whatever the tensor's size.
Tensor known_dim(const Op* op) {
    const TensorType& x = op->operands[0]->type();
    const Dim& d = x.dims[static_cast<size_t>(normalize_axis(op->attrs.get_int("axis"), x.rank()))];
    return d.is_known() ? Tensor::scalar(static_cast<double>(d.value()), DType::I64) : Tensor{};
}

// The value of `op` when it can be computed now, else a null tensor.
Tensor evaluate(const Op* op) {
    if (is_control_flow(op->kind) || is_random(op->kind) || op->kind == OpKind::Constant) return {};
    if (op->kind == OpKind::DimSize) return known_dim(op);
    if (!small_enough_to_fold(op->result()->type())) return {};
    std::vector<Tensor> operands;
    for (const Value* v : op->operands) {
        if (!is_constant(v)) return {};
        operands.push_back(v->defining_op()->payload);
    }
    try {
        return execute(op->kind, operands, op->attrs);
    } catch (const std::runtime_error&) {   // ShapeError, RuntimeError: left for run time
        return {};
    }
}

}  // namespace

bool small_enough_to_fold(const TensorType& t) {
    if (!t.fully_known()) return false;
    int64_t n = 1;
    for (const Dim& d : t.dims)
        if (__builtin_mul_overflow(n, d.value(), &n) || n > kMaxFoldedElements) return false;
    return true;
}

void constant_fold(Function& f) {
    walk(f.body(), [](Op* op) {
        // Once the lent dims are known, the operands are not needed.
        if (op->kind == OpKind::FullLike && op->result()->type().fully_known()) {
            op->kind = OpKind::Full;
            op->operands.clear();
            op->attrs.set("shape", op->result()->type().concrete());
        }
        if (is_random(op->kind) && op->operands.size() > 1 && op->result()->type().fully_known()) {
            op->operands.resize(1);   // the seed
            op->attrs.set("shape", op->result()->type().concrete());
        }
        Tensor value = evaluate(op);
        if (!value.defined() || value.type() != op->result()->type()) return;
        op->kind = OpKind::Constant;
        op->operands.clear();
        op->attrs = {};
        op->payload = std::move(value);
    });
}

}  // namespace nnc::ir
