// Derivative rules of the shape and layout ops. All are linear, so the
// tangent is the op applied to the tangent (pad pads it with zeros) and the
// cotangent is the op's transpose: reshape back, the inverse permutation,
// un-broadcasting, summing inserted dims away, slicing a concatenation
// apart, and writing a slice's cotangent into zeros.
#include "autodiff/emit.h"
#include "autodiff/rules.h"
#include "core/shape_rules.h"

namespace nnc::autodiff {

namespace {

using ir::Op;

[[noreturn]] void symbolic(const Op& op, const Value* x) {
    throw ShapeError(std::string(op_name(op.kind)) + ": cannot differentiate with respect to " + x->type().str() +
                     ": the transpose needs its dims, which are symbolic");
}

// `size` elements of `v` from `start` along `axis`: a slice when v's shape is
// known, else a take of those indices (which works on symbolic dims).
Value* slice_axis(Builder& b, Value* v, int64_t axis, int64_t start, int64_t size) {
    const TensorType& t = v->type();
    if (t.fully_known()) {
        std::vector<int64_t> starts(t.rank(), 0), stops = t.concrete(), steps(t.rank(), 1);
        starts[axis] = start, stops[axis] = start + size;
        return b.op(OpKind::Slice, {v}, Attrs{{"starts", starts}, {"stops", stops}, {"steps", steps}});
    }
    Value* index = b.op(OpKind::Arange, {}, Attrs{{"start", static_cast<double>(start)},
                                                  {"stop", static_cast<double>(start + size)},
                                                  {"step", 1.0},
                                                  {"dtype", DType::I64}});
    return b.op(OpKind::Take, {v, index}, Attrs{{"axis", axis}});
}

std::vector<Value*> reshape_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    const TensorType& x = op.operands[0]->type();
    std::optional<std::vector<int64_t>> back = reshape_attr(ct->type(), x.dims);
    if (!back) symbolic(op, op.operands[0]);
    return {b.op(OpKind::Reshape, {ct}, Attrs{{"shape", *back}})};
}

std::vector<Value*> permute_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    const std::vector<int64_t>& perm = op.attrs.get_ints("perm");
    std::vector<int64_t> inverse(perm.size());
    for (size_t i = 0; i < perm.size(); ++i) inverse[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
    return {b.op(OpKind::Permute, {ct}, Attrs{{"perm", inverse}})};
}

// broadcast_to, broadcast_like: sum the broadcast dims away.
std::vector<Value*> broadcast_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    std::vector<Value*> out(op.operands.size(), nullptr);
    out[0] = unbroadcast(b, ct, op.operands[0]);
    return out;
}

// sum_like(x, like): every summed element receives the cotangent of its sum.
std::vector<Value*> sum_like_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    return {broadcast_as(b, ct, op.operands[0]), nullptr};
}

std::vector<Value*> expand_dims_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    return {sum(b, ct, op.attrs.get_ints("axes"), false)};
}

std::vector<Value*> concat_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>& wanted) {
    const int64_t axis = normalize_axis(op.attrs.get_int("axis"), ct->type().rank());
    std::vector<Value*> out(op.operands.size(), nullptr);
    int64_t offset = 0;
    for (size_t i = 0; i < op.operands.size(); ++i) {
        Value* x = op.operands[i];
        const Dim& size = x->type().dims[axis];
        if (!size.is_known()) symbolic(op, x);
        if (wanted[i]) out[i] = cast_to(b, slice_axis(b, ct, axis, offset, size.value()), x->type().dtype);
        offset += size.value();
    }
    return out;
}

std::vector<Value*> slice_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    return {b.op(OpKind::UpdateSlice, {zeros_like(b, op.operands[0]), ct}, op.attrs)};
}

// update_slice(x, v): x keeps the cotangent outside the slice, v gets the slice.
std::vector<Value*> update_slice_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>& wanted) {
    Value* v = op.operands[1];
    return {wanted[0] ? b.op(OpKind::UpdateSlice, {ct, zeros_like(b, v)}, op.attrs) : nullptr,
            wanted[1] ? cast_to(b, b.op(OpKind::Slice, {ct}, op.attrs), v->type().dtype) : nullptr};
}

// pad: the cotangent's interior, cut out one padded dim at a time.
std::vector<Value*> pad_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    const std::vector<int64_t>& pads = op.attrs.get_ints("pads");
    const TensorType& x = op.operands[0]->type();
    Value* r = ct;
    for (int64_t d = 0; d < x.rank(); ++d) {
        if (pads[2 * d] + pads[2 * d + 1] == 0) continue;
        if (!x.dims[d].is_known()) symbolic(op, op.operands[0]);
        r = slice_axis(b, r, d, pads[2 * d], x.dims[d].value());
    }
    return {r};
}

// pad is affine: the tangent is padded with zeros, whatever the pad value.
Value* pad_jvp(Builder& b, const Op& op, std::span<Value* const> t) {
    return b.op(OpKind::Pad, {t[0]}, Attrs{{"pads", op.attrs.get_ints("pads")}, {"value", 0.0}});
}

}  // namespace

void add_shape_rules(RuleTable& table) {
    auto set = [&](OpKind k, VjpRule vjp, JvpRule jvp = linear_jvp) { table[static_cast<size_t>(k)] = {vjp, jvp}; };
    using enum OpKind;
    set(Reshape, reshape_vjp);
    set(Permute, permute_vjp);
    set(BroadcastTo, broadcast_vjp);
    set(BroadcastLike, broadcast_vjp);
    set(SumLike, sum_like_vjp);
    set(ExpandDims, expand_dims_vjp);
    set(Concat, concat_vjp);
    set(Slice, slice_vjp);
    set(UpdateSlice, update_slice_vjp);
    set(Pad, pad_vjp, pad_jvp);
}

}  // namespace nnc::autodiff
