// Derivative rules of the reductions. Sum and mean are linear: the
// cotangent is broadcast back over the reduced dims (divided by the count
// for mean), the tangent is reduced like the input. Max and min route the
// derivative to the elements equal to the extremum, split evenly among ties.
#include "autodiff/emit.h"
#include "autodiff/rules.h"
#include "core/shape_rules.h"

namespace nnc::autodiff {

namespace {

using ir::Op;

std::vector<int64_t> reduced_list(const Op& op) {
    const std::vector<bool> reduced = reduced_axes(op.kind, op.operands[0]->type(), op.attrs);
    std::vector<int64_t> axes;
    for (size_t d = 0; d < reduced.size(); ++d)
        if (reduced[d]) axes.push_back(static_cast<int64_t>(d));
    return axes;
}

std::vector<Value*> sum_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    return {broadcast_as(b, expand_reduced(b, ct, op), op.operands[0])};
}

std::vector<Value*> mean_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    return {broadcast_as(b, div(b, expand_reduced(b, ct, op), reduced_count(b, op, ct)), op.operands[0])};
}

// 1 where an element of x equals its extremum, else 0 (x's shape and dtype).
Value* extremum_mask(Builder& b, const Op& op) {
    Value* x = op.operands[0];
    return cast_to(b, b.op(OpKind::Eq, {x, expand_reduced(b, op.result(), op)}), x->type().dtype);
}

// xbar = mask * ct / (number of ties).
std::vector<Value*> extremum_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    Value* mask = extremum_mask(b, op);
    Value* ties = sum(b, mask, reduced_list(op), true);
    return {mul(b, mask, div(b, expand_reduced(b, ct, op), ties))};
}

// ydot = sum(mask * t) / (number of ties).
Value* extremum_jvp(Builder& b, const Op& op, std::span<Value* const> t) {
    Value* mask = extremum_mask(b, op);
    const bool keepdim = op.attrs.get_bool("keepdim", false);
    const std::vector<int64_t> axes = reduced_list(op);
    return div(b, sum(b, mul(b, t[0], mask), axes, keepdim), sum(b, mask, axes, keepdim));
}

}  // namespace

void add_reduce_rules(RuleTable& table) {
    using enum OpKind;
    table[static_cast<size_t>(ReduceSum)] = {sum_vjp, linear_jvp};
    table[static_cast<size_t>(ReduceMean)] = {mean_vjp, linear_jvp};
    table[static_cast<size_t>(ReduceMax)] = {extremum_vjp, extremum_jvp};
    table[static_cast<size_t>(ReduceMin)] = {extremum_vjp, extremum_jvp};
}

}  // namespace nnc::autodiff
