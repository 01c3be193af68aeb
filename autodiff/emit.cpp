// The rules' building blocks: primitive short forms, constants, zeros and
// the (un)broadcasting that keeps cotangents and tangents exactly typed.
#include "autodiff/emit.h"

#include <numeric>

#include "core/shape_rules.h"
#include "support/error.h"

namespace nnc::autodiff {

Value* add(Builder& b, Value* x, Value* y) { return b.op(OpKind::Add, {x, y}); }
Value* sub(Builder& b, Value* x, Value* y) { return b.op(OpKind::Sub, {x, y}); }
Value* mul(Builder& b, Value* x, Value* y) { return b.op(OpKind::Mul, {x, y}); }
Value* div(Builder& b, Value* x, Value* y) { return b.op(OpKind::Div, {x, y}); }
Value* neg(Builder& b, Value* x) { return b.op(OpKind::Neg, {x}); }
Value* where(Builder& b, Value* cond, Value* x, Value* y) { return b.op(OpKind::Where, {cond, x, y}); }

Value* sum(Builder& b, Value* x, std::vector<int64_t> axes, bool keepdim) {
    return b.op(OpKind::ReduceSum, {x}, Attrs{{"axes", std::move(axes)}, {"keepdim", keepdim}});
}

Value* lit(Builder& b, double v, const Value* like) { return b.scalar(v, like->type().dtype); }

Value* cast_to(Builder& b, Value* v, DType t) {
    return v->type().dtype == t ? v : b.op(OpKind::Cast, {v}, Attrs{{"dtype", t}});
}

Value* zeros_like(Builder& b, Value* like) {
    const TensorType& t = like->type();
    if (t.fully_known()) return b.op(OpKind::Full, {}, Attrs{{"shape", t.concrete()}, {"value", 0.0}, {"dtype", t.dtype}});
    return b.op(OpKind::BroadcastLike, {b.scalar(0, t.dtype), like});
}

Value* or_zeros(Builder& b, Value* t, Value* like) { return t ? t : zeros_like(b, like); }

namespace {

// A zero-filled tensor made by zeros_like.
bool is_zeros(const Value* v) {
    const ir::Op* op = v->defining_op();
    if (!op) return false;
    if (op->kind == OpKind::Full) return op->attrs.get_double("value") == 0;
    if (op->kind == OpKind::BroadcastLike) return is_zeros(op->operands[0]);
    return op->kind == OpKind::Constant && op->payload.numel() == 1 && op->payload.get(0) == 0;
}

}  // namespace

Value* accumulate(Builder& b, Value* total, Value* ct) {
    const ir::Op* op = ct->defining_op();
    if (op && (op->kind == OpKind::IndexAdd || op->kind == OpKind::ScatterAdd) && is_zeros(op->operands[0]) &&
        total->type() == ct->type())
        return b.op(op->kind, {total, op->operands[1], op->operands[2]}, op->attrs);
    return add(b, total, ct);
}

Value* unbroadcast(Builder& b, Value* g, Value* operand) {
    const TensorType& from = g->type();
    const TensorType& to = operand->type();
    const int64_t lead = from.rank() - to.rank();
    if (lead < 0) internal_error("unbroadcast to a higher rank");
    std::vector<int64_t> ones;   // dims `operand` had as 1
    bool settled = true;         // every dim known to be kept or broadcast
    for (int64_t d = 0; d < to.rank(); ++d) {
        const Dim &t = to.dims[d], &f = from.dims[lead + d];
        const bool one = t.is_known() && t.value() == 1;
        if (one && !(f.is_known() && f.value() == 1)) ones.push_back(lead + d);
        else if (!one && !(t == f && (t.is_known() || t.is_symbol()))) settled = false;
    }
    Value* r = g;
    if (!settled) {
        r = b.op(OpKind::SumLike, {g, operand});
    } else {
        if (!ones.empty()) r = sum(b, r, ones, true);
        std::vector<int64_t> leading(static_cast<size_t>(lead));
        std::iota(leading.begin(), leading.end(), 0);
        if (lead > 0) r = sum(b, r, leading, false);
    }
    return cast_to(b, r, to.dtype);
}

Value* broadcast_as(Builder& b, Value* t, Value* like) {
    Value* r = cast_to(b, t, like->type().dtype);
    const TensorType& want = like->type();
    if (r->type() == want && want.fully_known()) return r;
    if (want.fully_known()) return b.op(OpKind::BroadcastTo, {r}, Attrs{{"shape", want.concrete()}});
    return b.op(OpKind::BroadcastLike, {r, like});
}

Value* expand_reduced(Builder& b, Value* g, const ir::Op& reduction) {
    if (reduction.attrs.get_bool("keepdim", false)) return g;
    const std::vector<bool> reduced = reduced_axes(reduction.kind, reduction.operands[0]->type(), reduction.attrs);
    std::vector<int64_t> axes;
    for (size_t d = 0; d < reduced.size(); ++d)
        if (reduced[d]) axes.push_back(static_cast<int64_t>(d));
    return axes.empty() ? g : b.op(OpKind::ExpandDims, {g}, Attrs{{"axes", axes}});
}

Value* reduced_count(Builder& b, const ir::Op& reduction, const Value* like) {
    Value* x = reduction.operands[0];
    const std::vector<bool> reduced = reduced_axes(reduction.kind, x->type(), reduction.attrs);
    double known = 1;
    Value* count = nullptr;
    for (size_t d = 0; d < reduced.size(); ++d) {
        if (!reduced[d]) continue;
        const Dim& n = x->type().dims[d];
        if (n.is_known()) {
            known *= static_cast<double>(n.value());
            continue;
        }
        Value* size = cast_to(b, b.op(OpKind::DimSize, {x}, Attrs{{"axis", static_cast<int64_t>(d)}}), like->type().dtype);
        count = count ? mul(b, count, size) : size;
    }
    if (!count) return lit(b, known, like);
    return known == 1 ? count : mul(b, count, lit(b, known, like));
}

}  // namespace nnc::autodiff
