// Compositions a model author reaches for, built from primitives, so each is
// differentiable, fuses into the kernels around it and runs the same in
// every mode:
//   isnan isinf isfinite nan_to_num masked_fill    (masks)
//   reciprocal square lerp logical_xor              (arithmetic)
//   silu leaky_relu elu logsigmoid hardtanh         (activations)
//   any all norm                                    (reductions)
//   outer
#include <cmath>
#include <limits>

#include "interp/builtins/builtins.h"
#include "interp/composites.h"

namespace nnc {

namespace {

// A float tensor: integer and bool inputs are computed in f32, as exp's.
Value floating(BuiltinArgs& a, const char* name) {
    Value x = a.tensor(name);
    return is_floating(x.tensor_type().dtype) ? x : cast_to(a.interp(), x, DType::F32, a.range(name));
}

Value infinity(bool negative) { return Value(negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity()); }

// --- masks ---

Value isnan_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    return a.interp().elementwise(OpKind::Ne, x, x, a.call_range());   // only nan differs from itself
}

Value isinf_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    Value magnitude = in.apply(OpKind::Abs, {a.tensor("x")}, {}, a.call_range());
    return in.elementwise(OpKind::Eq, magnitude, infinity(false), a.call_range());
}

Value isfinite_builtin(BuiltinArgs& a) { return is_finite(a.interp(), a.tensor("x"), a.call_range()); }

// nan_to_num(x, nan = 0, posinf = none, neginf = none): none = the dtype's largest / lowest finite value.
Value nan_to_num_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    const SourceRange r = a.call_range();
    Value x = a.tensor("x");
    const DType t = x.tensor_type().dtype;
    if (!is_floating(t)) return x;   // integers hold no nan or inf
    const double largest = t == DType::F64 ? std::numeric_limits<double>::max() : std::numeric_limits<float>::max();
    const double posinf = a.is_none("posinf") ? largest : a.number("posinf");
    const double neginf = a.is_none("neginf") ? -largest : a.number("neginf");
    auto replace = [&](Value mask, double by) {
        return in.apply(OpKind::Where, {mask, scalar_like(in, by, t, r), x}, {}, r);
    };
    x = replace(in.elementwise(OpKind::Ne, x, x, r), a.number("nan"));
    x = replace(in.elementwise(OpKind::Eq, x, infinity(false), r), posinf);
    return replace(in.elementwise(OpKind::Eq, x, infinity(true), r), neginf);
}

Value masked_fill_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    Value x = a.tensor("x"), mask = a.tensor("mask");
    if (mask.tensor_type().dtype != DType::Bool) a.fail("mask", "the mask must be a bool tensor, not " + mask.tensor_type().str());
    Value value = a.interp().to_tensor(a.value("value"), x.tensor_type().dtype, a.range("value"));
    return in.apply(OpKind::Where, {mask, cast_to(in, value, x.tensor_type().dtype, a.range("value")), x}, {}, a.call_range());
}

// --- arithmetic ---

Value reciprocal_builtin(BuiltinArgs& a) { return a.interp().elementwise(OpKind::Div, Value(1.0), floating(a, "x"), a.call_range()); }

Value square_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    return a.interp().apply(OpKind::Mul, {x, x}, {}, a.call_range());
}

// lerp(a, b, w) = a + w (b - a)
Value lerp_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    const SourceRange r = a.call_range();
    Value start = floating(a, "a");
    Value step = in.elementwise(OpKind::Mul, a.value("w"), in.elementwise(OpKind::Sub, a.value("b"), start, r), r);
    return in.elementwise(OpKind::Add, start, step, r);
}

Value logical_xor_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    auto truth = [&](const char* name) { return cast_to(in, a.tensor(name), DType::Bool, a.range(name)); };
    return in.apply(OpKind::Ne, {truth("x"), truth("y")}, {}, a.call_range());
}

// --- activations ---

Value silu_builtin(BuiltinArgs& a) {
    Value x = floating(a, "x");
    return a.interp().apply(OpKind::Mul, {x, a.interp().apply(OpKind::Sigmoid, {x}, {}, a.call_range())}, {}, a.call_range());
}

// x where x > 0, else `slope` x (the gradient at 0 is the slope's, as in PyTorch).
Value leaky_relu_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    const SourceRange r = a.call_range();
    Value x = floating(a, "x");
    Value positive = in.elementwise(OpKind::Gt, x, Value(0.0), r);
    return in.apply(OpKind::Where, {positive, x, in.elementwise(OpKind::Mul, x, Value(a.number("slope")), r)}, {}, r);
}

// x where x > 0, else alpha (e^x - 1).
Value elu_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    const SourceRange r = a.call_range();
    Value x = floating(a, "x");
    Value positive = in.elementwise(OpKind::Gt, x, Value(0.0), r);
    Value negative = in.elementwise(OpKind::Mul, in.apply(OpKind::Expm1, {x}, {}, r), Value(a.number("alpha")), r);
    return in.apply(OpKind::Where, {positive, x, negative}, {}, r);
}

// log(sigmoid(x)) = -softplus(-x), stable for large |x|.
Value logsigmoid_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    const SourceRange r = a.call_range();
    Value minus = in.apply(OpKind::Neg, {floating(a, "x")}, {}, r);
    return in.apply(OpKind::Neg, {in.apply(OpKind::Softplus, {minus}, {}, r)}, {}, r);
}

Value hardtanh_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    const SourceRange r = a.call_range();
    Value x = in.elementwise(OpKind::Maximum, floating(a, "x"), Value(a.number("lo")), r);
    return in.elementwise(OpKind::Minimum, x, Value(a.number("hi")), r);
}

// --- reductions ---

// any: some element is non-zero; all: none is zero. Counted in i64, so no overflow.
template <bool All> Value truth_reduction(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    const SourceRange r = a.call_range();
    Value x = a.tensor("x");
    Value counted = All ? in.apply(OpKind::LogicalNot, {x}, {}, r) : cast_to(in, x, DType::Bool, r);
    Value count = reduce(in, OpKind::ReduceSum, cast_to(in, counted, DType::I64, r), a.axes("axis"), a.boolean("keepdim"), r);
    return in.elementwise(All ? OpKind::Eq : OpKind::Gt, count, Value(int64_t{0}), r);
}

// norm(x, ord = 2, axis = none, keepdim = false): the 2-norm sqrt(sum(x^2)),
// the 1-norm sum(|x|), or the max norm (ord = inf) max(|x|), over `axis`.
Value norm_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    const SourceRange r = a.call_range();
    Value x = floating(a, "x");
    const double ord = a.number("ord");
    const auto axes = a.axes("axis");
    const bool keepdim = a.boolean("keepdim");
    if (ord == 2) return in.apply(OpKind::Sqrt, {reduce(in, OpKind::ReduceSum, in.apply(OpKind::Mul, {x, x}, {}, r), axes, keepdim, r)}, {}, r);
    Value magnitude = in.apply(OpKind::Abs, {x}, {}, r);
    if (ord == 1) return reduce(in, OpKind::ReduceSum, magnitude, axes, keepdim, r);
    if (std::isinf(ord) && ord > 0) return reduce(in, OpKind::ReduceMax, magnitude, axes, keepdim, r);
    a.fail("ord", "norm supports ord = 1, 2 or inf, not " + std::to_string(ord));
}

// outer(a, b)[i, j] = a[i] b[j] of two vectors.
Value outer_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    const SourceRange r = a.call_range();
    Value u = a.tensor("a"), v = a.tensor("b");
    for (const char* name : {"a", "b"})
        if (a.tensor(name).tensor_type().rank() != 1) a.fail(name, "outer takes vectors, not " + a.tensor(name).tensor_type().str());
    Value column = in.apply(OpKind::ExpandDims, {u}, Attrs{{"axes", std::vector<int64_t>{1}}}, r);
    return in.elementwise(OpKind::Mul, column, v, r);
}

const BuiltinSpec kFunctionalBuiltins[] = {
    {"isnan", "x", isnan_builtin},
    {"isinf", "x", isinf_builtin},
    {"isfinite", "x", isfinite_builtin},
    {"nan_to_num", "x, nan = 0.0, posinf = none, neginf = none", nan_to_num_builtin},
    {"masked_fill", "x, mask, value", masked_fill_builtin},
    {"reciprocal", "x", reciprocal_builtin},
    {"square", "x", square_builtin},
    {"lerp", "a, b, w", lerp_builtin},
    {"logical_xor", "x, y", logical_xor_builtin},
    {"silu", "x", silu_builtin},
    {"leaky_relu", "x, slope = 0.01", leaky_relu_builtin},
    {"elu", "x, alpha = 1.0", elu_builtin},
    {"logsigmoid", "x", logsigmoid_builtin},
    {"hardtanh", "x, lo = -1.0, hi = 1.0", hardtanh_builtin},
    {"any", "x, axis = none, keepdim = false", truth_reduction<false>},
    {"all", "x, axis = none, keepdim = false", truth_reduction<true>},
    {"norm", "x, ord = 2, axis = none, keepdim = false", norm_builtin},
    {"outer", "a, b", outer_builtin},
};

}  // namespace

std::span<const BuiltinSpec> functional_builtins() { return kFunctionalBuiltins; }

}  // namespace nnc
