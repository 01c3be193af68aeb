// Elementwise and reduction builtins: exp ... softplus, pow, maximum,
// minimum, where, clip, cast; sum, mean, max, min, argmax, argmin,
// logsumexp, var, std.
#include "interp/builtins/builtins.h"
#include "interp/composites.h"

namespace nnc {

namespace {

// Unary ops whose result is fractional: integer inputs are computed in f32.
template <OpKind K> Value float_unary(BuiltinArgs& a) {
    Value x = a.tensor("x");
    if (!is_floating(x.tensor_type().dtype)) x = cast_to(a.interp(), x, DType::F32, a.range("x"));
    return a.interp().apply(K, {x}, {}, a.call_range());
}

// Unary ops that keep the input's dtype.
template <OpKind K> Value same_unary(BuiltinArgs& a) { return a.interp().apply(K, {a.tensor("x")}, {}, a.call_range()); }

// `kind` of the arguments named `first` and `second`, each a tensor or a number.
Value binary(BuiltinArgs& a, OpKind kind, const char* first, const char* second) {
    for (const char* n : {first, second}) {
        const Value& v = a.value(n);
        if (!v.is_tensor() && !v.is_number() && !v.is_unknown())
            a.fail(n, "`" + std::string(n) + "` must be a tensor or a number, not " + type_name(v));
    }
    return a.interp().elementwise(kind, a.value(first), a.value(second), a.call_range());
}

template <OpKind K> Value binary_builtin(BuiltinArgs& a) { return binary(a, K, "x", "y"); }

// atan2(y, x): the angle of the point (x, y), as NumPy's and PyTorch's.
Value atan2_builtin(BuiltinArgs& a) { return binary(a, OpKind::Atan2, "y", "x"); }

Value where_builtin(BuiltinArgs& a) {
    Value cond = a.tensor("cond");
    if (cond.tensor_type().dtype != DType::Bool)
        a.fail("cond", "the condition must be a bool tensor, not " + cond.tensor_type().str());
    Interpreter& in = a.interp();
    const Value &x = a.value("x"), &y = a.value("y");
    if (x.is_unknown() || y.is_unknown()) return Value(UnknownValue{});
    // Promote x and y together (a host number takes the other's dtype). The
    // promotion is found on rank-0 stand-ins, so that shapes that do not
    // broadcast are reported by `where` itself, not by an addition.
    auto stand_in = [&](const Value& v) { return v.is_tensor() ? scalar_like(in, 0, v.tensor_type().dtype, a.call_range()) : v; };
    DType t = in.elementwise(OpKind::Add, stand_in(x), stand_in(y), a.call_range()).tensor_type().dtype;
    Value tx = x.is_tensor() ? cast_to(in, x, t, a.range("x")) : in.to_tensor(x, t, a.range("x"));
    Value ty = y.is_tensor() ? cast_to(in, y, t, a.range("y")) : in.to_tensor(y, t, a.range("y"));
    return in.apply(OpKind::Where, {cond, tx, ty}, {}, a.call_range());
}

Value clip_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    if (!a.is_none("lo")) x = a.interp().elementwise(OpKind::Maximum, x, a.value("lo"), a.range("lo"));
    if (!a.is_none("hi")) x = a.interp().elementwise(OpKind::Minimum, x, a.value("hi"), a.range("hi"));
    return x;
}

Value cast_builtin(BuiltinArgs& a) { return cast_to(a.interp(), a.tensor("x"), a.dtype("dtype"), a.call_range()); }

// The `axis` argument, checked against x's rank here so that a bad axis is
// reported at the argument under the builtin's own name (not as the
// primitive, e.g. `reduce_mean` inside `var`).
std::optional<std::vector<int64_t>> checked_axes(BuiltinArgs& a, const Value& x) {
    auto axes = a.axes("axis");
    if (!axes) return axes;
    TensorType t = x.tensor_type();
    std::vector<bool> seen(t.rank(), false);
    for (int64_t axis : *axes) {
        if (axis < -t.rank() || axis >= t.rank())
            a.fail("axis", "axis " + std::to_string(axis) + " is out of range for " + t.str());
        int64_t k = axis < 0 ? axis + t.rank() : axis;
        if (seen[k]) a.fail("axis", "axis " + std::to_string(axis) + " is repeated in " + shape_str(*axes));
        seen[k] = true;
    }
    return axes;
}

template <OpKind K> Value reduce_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    auto axes = checked_axes(a, x);
    if (K == OpKind::ReduceMean && !is_floating(x.tensor_type().dtype))
        x = cast_to(a.interp(), x, DType::F32, a.range("x"));
    return reduce(a.interp(), K, x, axes, a.boolean("keepdim"), a.call_range());
}

template <OpKind K> Value arg_reduce_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    Attrs attrs{{"keepdim", a.boolean("keepdim")}};
    if (!a.is_none("axis")) attrs.set("axis", a.integer("axis"));
    return a.interp().apply(K, {x}, attrs, a.call_range());
}

// logsumexp(x) = m + log(sum(exp(x - m))) with m = max(x), stable for large
// x; an infinite m shifts by 0 instead (x - m would be inf - inf = nan), so a
// +inf gives +inf and a row of -inf gives -inf, as in PyTorch. Over an empty
// dim the sum is 0 and the answer -inf (no max to shift by).
Value logsumexp_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    SourceRange r = a.call_range();
    Value x = a.tensor("x");
    auto axes = checked_axes(a, x);
    if (!is_floating(x.tensor_type().dtype)) x = cast_to(in, x, DType::F32, a.range("x"));
    const TensorType t = x.tensor_type();
    bool keepdim = a.boolean("keepdim");
    const std::vector<bool> reduced = reduced_mask(t, axes, r);
    bool empty = false;
    for (int64_t i = 0; i < t.rank(); ++i) empty = empty || (reduced[i] && t.dims[i].is_known() && t.dims[i].value() == 0);
    Value out;
    if (empty) {
        out = in.apply(OpKind::Log, {reduce(in, OpKind::ReduceSum, in.apply(OpKind::Exp, {x}, {}, r), axes, true, r)}, {}, r);
    } else {
        Value m = reduce(in, OpKind::ReduceMax, x, axes, true, r);
        m = in.apply(OpKind::Where, {is_finite(in, m, r), m, scalar_like(in, 0, t.dtype, r)}, {}, r);
        Value shifted = in.apply(OpKind::Exp, {in.apply(OpKind::Sub, {x, m}, {}, r)}, {}, r);
        out = in.apply(OpKind::Add, {in.apply(OpKind::Log, {reduce(in, OpKind::ReduceSum, shifted, axes, true, r)}, {}, r), m},
                       {}, r);
    }
    if (keepdim) return out;
    return reshape_to(in, out, reduced_dims(t, axes, false, r), r);
}

// var(x) = mean((x - mean(x))^2) / (n - correction) * n
Value var_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    SourceRange r = a.call_range();
    Value x = a.tensor("x");
    auto axes = checked_axes(a, x);
    if (!is_floating(x.tensor_type().dtype)) x = cast_to(in, x, DType::F32, a.range("x"));
    int64_t correction = a.integer("correction");
    Value centered = in.apply(OpKind::Sub, {x, reduce(in, OpKind::ReduceMean, x, axes, true, r)}, {}, r);
    Value squares = in.apply(OpKind::Mul, {centered, centered}, {}, r);
    Value sum = reduce(in, OpKind::ReduceSum, squares, axes, a.boolean("keepdim"), r);
    TensorType t = x.tensor_type();
    const std::vector<bool> reduced = reduced_mask(t, axes, r);
    int64_t n = 1;
    for (int64_t i = 0; i < t.rank(); ++i) {
        if (!reduced[i]) continue;
        if (!t.dims[i].is_known()) return Value(AbstractTensor{sum.tensor_type()});
        n *= t.dims[i].value();
    }
    return in.elementwise(OpKind::Div, sum, Value(double(std::max<int64_t>(n - correction, 0))), r);
}

// std = sqrt(var), with var's arguments.
Value std_builtin(BuiltinArgs& a) { return a.interp().apply(OpKind::Sqrt, {var_builtin(a)}, {}, a.call_range()); }

const BuiltinSpec kMathBuiltins[] = {
    {"exp", "x", float_unary<OpKind::Exp>},
    {"log", "x", float_unary<OpKind::Log>},
    {"sqrt", "x", float_unary<OpKind::Sqrt>},
    {"rsqrt", "x", float_unary<OpKind::Rsqrt>},
    {"sin", "x", float_unary<OpKind::Sin>},
    {"cos", "x", float_unary<OpKind::Cos>},
    {"tanh", "x", float_unary<OpKind::Tanh>},
    {"sigmoid", "x", float_unary<OpKind::Sigmoid>},
    {"gelu", "x", float_unary<OpKind::Gelu>},
    {"softplus", "x", float_unary<OpKind::Softplus>},
    {"expm1", "x", float_unary<OpKind::Expm1>},
    {"log1p", "x", float_unary<OpKind::Log1p>},
    {"exp2", "x", float_unary<OpKind::Exp2>},
    {"log2", "x", float_unary<OpKind::Log2>},
    {"log10", "x", float_unary<OpKind::Log10>},
    {"tan", "x", float_unary<OpKind::Tan>},
    {"asin", "x", float_unary<OpKind::Asin>},
    {"acos", "x", float_unary<OpKind::Acos>},
    {"atan", "x", float_unary<OpKind::Atan>},
    {"sinh", "x", float_unary<OpKind::Sinh>},
    {"cosh", "x", float_unary<OpKind::Cosh>},
    {"erf", "x", float_unary<OpKind::Erf>},
    {"floor", "x", same_unary<OpKind::Floor>},
    {"ceil", "x", same_unary<OpKind::Ceil>},
    {"trunc", "x", same_unary<OpKind::Trunc>},
    {"round", "x", same_unary<OpKind::Round>},
    {"abs", "x", same_unary<OpKind::Abs>},
    {"sign", "x", same_unary<OpKind::Sign>},
    {"relu", "x", same_unary<OpKind::Relu>},
    {"pow", "x, y", binary_builtin<OpKind::Pow>},
    {"maximum", "x, y", binary_builtin<OpKind::Maximum>},
    {"atan2", "y, x", atan2_builtin},
    {"fmod", "x, y", binary_builtin<OpKind::Fmod>},
    {"minimum", "x, y", binary_builtin<OpKind::Minimum>},
    {"where", "cond, x, y", where_builtin},
    {"clip", "x, lo = none, hi = none", clip_builtin},
    {"cast", "x, dtype", cast_builtin},
    {"sum", "x, axis = none, keepdim = false", reduce_builtin<OpKind::ReduceSum>},
    {"mean", "x, axis = none, keepdim = false", reduce_builtin<OpKind::ReduceMean>},
    {"max", "x, axis = none, keepdim = false", reduce_builtin<OpKind::ReduceMax>},
    {"min", "x, axis = none, keepdim = false", reduce_builtin<OpKind::ReduceMin>},
    {"argmax", "x, axis = none, keepdim = false", arg_reduce_builtin<OpKind::ArgMax>},
    {"argmin", "x, axis = none, keepdim = false", arg_reduce_builtin<OpKind::ArgMin>},
    {"logsumexp", "x, axis = none, keepdim = false", logsumexp_builtin},
    {"var", "x, axis = none, keepdim = false, correction = 0", var_builtin},
    {"std", "x, axis = none, keepdim = false, correction = 0", std_builtin},
};

}  // namespace

std::span<const BuiltinSpec> math_builtins() { return kMathBuiltins; }

}  // namespace nnc
