// Elementwise kernels: unary math, casts, binary arithmetic / comparison /
// logic with NumPy broadcasting, and where. Operands are converted to the
// compute dtype first (the promoted type; f32 for true division of ints), so
// each loop reads and writes a single C++ type.
#include <cmath>

#include "runtime/element.h"
#include "runtime/kernel_families.h"
#include "runtime/strided.h"
#include "support/error.h"

namespace nnc {

namespace {

// --- loops -------------------------------------------------------------------

template <class T, class O, class F> void map_unary(const Tensor& x, Tensor& out, F f) {
    const T* a = x.data<T>();
    O* o = out.data<O>();
    const int64_t n = out.numel();
#pragma omp parallel for if (n > kParallelThreshold)
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i]);
}

// out = f(a, b) with a and b broadcast to out's shape.
template <class T, class O, class F> void map_binary(const Tensor& a, const Tensor& b, Tensor& out, F f) {
    const Shape& shape = out.shape();
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    O* po = out.data<O>();
    const std::array<StridedView, 3> views = {
        contiguous_view(shape), StridedView{0, broadcast_strides(a.shape(), shape)},
        StridedView{0, broadcast_strides(b.shape(), shape)}};
    for_each_strided(shape, views, [&](const auto& offset, const auto& step, int64_t n) {
        O* o = po + offset[0];
        const T* x = pa + offset[1];
        const T* y = pb + offset[2];
        if (step[1] == 1 && step[2] == 1) {
            for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], y[i]);
        } else if (step[1] == 1 && step[2] == 0) {
            for (int64_t i = 0; i < n; ++i) o[i] = f(x[i], *y);
        } else if (step[1] == 0 && step[2] == 1) {
            for (int64_t i = 0; i < n; ++i) o[i] = f(*x, y[i]);
        } else {
            for (int64_t i = 0; i < n; ++i) o[i] = f(x[i * step[1]], y[i * step[2]]);
        }
    });
}

// --- unary -------------------------------------------------------------------

template <class T> void float_unary(OpKind kind, const Tensor& x, Tensor& out) {
    auto map = [&](auto f) { map_unary<T, T>(x, out, f); };
    switch (kind) {
    case OpKind::Exp: return map([](T v) { return std::exp(v); });
    case OpKind::Log: return map([](T v) { return std::log(v); });
    case OpKind::Sqrt: return map([](T v) { return std::sqrt(v); });
    case OpKind::Rsqrt: return map([](T v) { return T(1) / std::sqrt(v); });
    case OpKind::Sin: return map([](T v) { return std::sin(v); });
    case OpKind::Cos: return map([](T v) { return std::cos(v); });
    case OpKind::Tanh: return map([](T v) { return std::tanh(v); });
    case OpKind::Sigmoid:   // never exponentiates a large positive number
        return map([](T v) {
            const T e = std::exp(-std::abs(v));
            return v >= 0 ? T(1) / (T(1) + e) : e / (T(1) + e);
        });
    case OpKind::Gelu:   // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        return map([](T v) {
            const T k = T(0.7978845608028654);
            return T(0.5) * v * (T(1) + std::tanh(k * (v + T(0.044715) * v * v * v)));
        });
    case OpKind::Softplus:   // log(1 + e^x) = max(x, 0) + log1p(e^-|x|)
        return map([](T v) { return std::max(v, T(0)) + std::log1p(std::exp(-std::abs(v))); });
    case OpKind::Expm1: return map([](T v) { return std::expm1(v); });
    case OpKind::Log1p: return map([](T v) { return std::log1p(v); });
    case OpKind::Exp2: return map([](T v) { return std::exp2(v); });
    case OpKind::Log2: return map([](T v) { return std::log2(v); });
    case OpKind::Log10: return map([](T v) { return std::log10(v); });
    case OpKind::Tan: return map([](T v) { return std::tan(v); });
    case OpKind::Asin: return map([](T v) { return std::asin(v); });
    case OpKind::Acos: return map([](T v) { return std::acos(v); });
    case OpKind::Atan: return map([](T v) { return std::atan(v); });
    case OpKind::Sinh: return map([](T v) { return std::sinh(v); });
    case OpKind::Cosh: return map([](T v) { return std::cosh(v); });
    case OpKind::Erf: return map([](T v) { return std::erf(v); });
    default: internal_error("not a float unary op");
    }
}

// v < 0, also for bool (never negative).
template <class T> bool negative(T v) {
    if constexpr (std::is_same_v<T, bool>) return false;
    else return v < T(0);
}

template <class T> void numeric_unary(OpKind kind, const Tensor& x, Tensor& out) {
    auto map = [&](auto f) { map_unary<T, T>(x, out, f); };
    switch (kind) {
    case OpKind::Neg: return map([](T v) { return static_cast<T>(-v); });
    case OpKind::Abs: return map([](T v) { return negative(v) ? static_cast<T>(-v) : v; });
    case OpKind::Sign:   // sign(0) = 0, sign(nan) = nan
        return map([](T v) { return v != v ? v : static_cast<T>((T(0) < v) - negative(v)); });
    case OpKind::Relu: return map([](T v) { return negative(v) ? T(0) : v; });   // nan passes through
    case OpKind::Floor: case OpKind::Ceil: case OpKind::Trunc: case OpKind::Round:
        if constexpr (std::is_floating_point_v<T>) {
            switch (kind) {
            case OpKind::Floor: return map([](T v) { return std::floor(v); });
            case OpKind::Ceil: return map([](T v) { return std::ceil(v); });
            case OpKind::Trunc: return map([](T v) { return std::trunc(v); });
            default: return map([](T v) { return std::nearbyint(v); });   // the default rounding: halves to even
            }
        }
        return map([](T v) { return v; });   // integers are whole already
    default: internal_error("not a numeric unary op");
    }
}

// --- binary ------------------------------------------------------------------

bool is_comparison(OpKind kind) {
    return kind == OpKind::Eq || kind == OpKind::Ne || kind == OpKind::Lt || kind == OpKind::Le ||
           kind == OpKind::Gt || kind == OpKind::Ge;
}

// Python's modulo: the result takes the divisor's sign.
template <class T> T python_mod(T x, T y) {
    if constexpr (std::is_floating_point_v<T>) {
        T r = std::fmod(x, y);
        return r != 0 && (r < 0) != (y < 0) ? r + y : r;
    } else if constexpr (std::is_same_v<T, bool>) {
        return false;   // x % true
    } else {
        if (y == -1) return 0;   // avoids the overflow of MIN % -1
        T r = static_cast<T>(x % y);
        return r != 0 && (r < 0) != (y < 0) ? static_cast<T>(r + y) : r;
    }
}

// Python's floor division: rounds toward -inf (for floats floor(x / y));
// MIN // -1 wraps like the other integer arithmetic.
template <class T> T floor_div(T x, T y) {
    if constexpr (std::is_floating_point_v<T>) {
        return std::floor(x / y);
    } else if constexpr (std::is_same_v<T, bool>) {
        return x;   // x // true
    } else {
        if (y == -1) return static_cast<T>(-static_cast<std::make_unsigned_t<T>>(x));
        const T q = static_cast<T>(x / y);
        return x % y != 0 && (x < 0) != (y < 0) ? static_cast<T>(q - 1) : q;
    }
}

// C's fmod: x - trunc(x / y) y, the sign of x (C's % for integers; MIN % -1 is 0).
template <class T> T c_fmod(T x, T y) {
    if constexpr (std::is_floating_point_v<T>) {
        return std::fmod(x, y);
    } else if constexpr (std::is_same_v<T, bool>) {
        return false;   // x % true
    } else {
        return y == -1 ? T(0) : static_cast<T>(x % y);
    }
}

// Integer power by squaring, wrapping like the other integer arithmetic.
template <class T> T integer_pow(T base, T exponent) {
    uint64_t result = 1, factor = static_cast<uint64_t>(static_cast<int64_t>(base));
    for (auto e = static_cast<uint64_t>(exponent); e; e >>= 1) {
        if (e & 1) result *= factor;
        factor *= factor;
    }
    return static_cast<T>(static_cast<int64_t>(result));
}

// NumPy's maximum / minimum: a nan operand wins.
template <class T> T nan_max(T x, T y) {
    if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(x) || std::isnan(y)) return x + y;
    }
    return x > y ? x : y;
}

template <class T> T nan_min(T x, T y) {
    if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(x) || std::isnan(y)) return x + y;
    }
    return x < y ? x : y;
}

// Integer mod by zero and integer powers with negative exponents are errors;
// find them before the (parallel) loop.
template <class T> void check_integer_right_operand(OpKind kind, const Tensor& divisor) {
    if constexpr (!std::is_floating_point_v<T>) {
        const T* d = divisor.data<T>();
        for (int64_t i = 0; i < divisor.numel(); ++i) {
            if ((kind == OpKind::Mod || kind == OpKind::FloorDiv || kind == OpKind::Fmod) && d[i] == 0)
                throw RuntimeError(std::string(user_op_name(kind)) + ": integer division by zero");
            if (kind == OpKind::Pow && negative(d[i]))
                throw RuntimeError("pow: integer to a negative integer power (" + std::to_string(int64_t(d[i])) +
                                   "); cast to a float type first");
        }
    }
}

template <class T> void arithmetic(OpKind kind, const Tensor& a, const Tensor& b, Tensor& out) {
    auto map = [&](auto f) { map_binary<T, T>(a, b, out, f); };
    switch (kind) {
    case OpKind::Add: return map([](T x, T y) { return static_cast<T>(x + y); });
    case OpKind::Sub: return map([](T x, T y) { return static_cast<T>(x - y); });
    case OpKind::Mul: return map([](T x, T y) { return static_cast<T>(x * y); });
    case OpKind::Div: return map([](T x, T y) { return static_cast<T>(x / y); });   // floats only
    case OpKind::Mod: check_integer_right_operand<T>(kind, b); return map(python_mod<T>);
    case OpKind::FloorDiv: check_integer_right_operand<T>(kind, b); return map(floor_div<T>);
    case OpKind::Fmod: check_integer_right_operand<T>(kind, b); return map(c_fmod<T>);
    case OpKind::Pow:
        check_integer_right_operand<T>(kind, b);
        if constexpr (std::is_floating_point_v<T>) return map([](T x, T y) { return std::pow(x, y); });
        else return map(integer_pow<T>);
    case OpKind::Maximum: return map(nan_max<T>);
    case OpKind::Minimum: return map(nan_min<T>);
    case OpKind::Atan2:   // floats only
        if constexpr (std::is_floating_point_v<T>) return map([](T y, T x) { return std::atan2(y, x); });
        internal_error("integer atan2");
    default: internal_error("not an arithmetic op");
    }
}

template <class T> void comparison(OpKind kind, const Tensor& a, const Tensor& b, Tensor& out) {
    auto map = [&](auto f) { map_binary<T, bool>(a, b, out, f); };
    switch (kind) {
    case OpKind::Eq: return map([](T x, T y) { return x == y; });
    case OpKind::Ne: return map([](T x, T y) { return x != y; });
    case OpKind::Lt: return map([](T x, T y) { return x < y; });
    case OpKind::Le: return map([](T x, T y) { return x <= y; });
    case OpKind::Gt: return map([](T x, T y) { return x > y; });
    case OpKind::Ge: return map([](T x, T y) { return x >= y; });
    default: internal_error("not a comparison");
    }
}

}  // namespace

Tensor unary_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor x = operands[0].to(out.dtype());   // exp of an int computes in f32
    const bool keeps_dtype = op_dtype_rule(kind) == DtypeRule::Promote;
    visit_compute_dtype(out.dtype(), [&]<class T>(std::type_identity<T>) {
        if constexpr (std::is_floating_point_v<T>) {
            if (!keeps_dtype) return float_unary<T>(kind, x, out);
        }
        numeric_unary<T>(kind, x, out);
    });
    return out;
}

Tensor logical_not_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    visit_compute_dtype(operands[0].dtype(), [&]<class T>(std::type_identity<T>) {
        map_unary<T, bool>(operands[0], out, [](T v) { return v == T(0); });
    });
    return out;
}

Tensor cast_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const DType target = result_type(kind, operands, attrs).dtype;
    const Tensor& x = operands[0];
    return x.dtype() == target ? x.clone() : x.to(target);
}

Tensor binary_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const bool logical = kind == OpKind::LogicalAnd || kind == OpKind::LogicalOr;
    const DType compute = logical                ? DType::Bool
                          : is_comparison(kind) ? promote(operands[0].dtype(), operands[1].dtype())
                                                : out.dtype();
    const Tensor a = operands[0].to(compute), b = operands[1].to(compute);
    if (logical) {
        if (kind == OpKind::LogicalAnd) map_binary<bool, bool>(a, b, out, [](bool x, bool y) { return x && y; });
        else map_binary<bool, bool>(a, b, out, [](bool x, bool y) { return x || y; });
        return out;
    }
    visit_compute_dtype(compute, [&]<class T>(std::type_identity<T>) {
        if (is_comparison(kind)) comparison<T>(kind, a, b, out);
        else arithmetic<T>(kind, a, b, out);
    });
    return out;
}

Tensor where_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor cond = operands[0].to(DType::Bool);
    const Tensor a = operands[1].to(out.dtype()), b = operands[2].to(out.dtype());
    const Shape& shape = out.shape();
    const std::array<StridedView, 4> views = {
        contiguous_view(shape), StridedView{0, broadcast_strides(cond.shape(), shape)},
        StridedView{0, broadcast_strides(a.shape(), shape)}, StridedView{0, broadcast_strides(b.shape(), shape)}};
    visit_compute_dtype(out.dtype(), [&]<class T>(std::type_identity<T>) {
        T* po = out.data<T>();
        const bool* pc = cond.data<bool>();
        const T* pa = a.data<T>();
        const T* pb = b.data<T>();
        for_each_strided(shape, views, [&](const auto& offset, const auto& step, int64_t n) {
            for (int64_t i = 0; i < n; ++i)
                po[offset[0] + i] = pc[offset[1] + i * step[1]] ? pa[offset[2] + i * step[2]] : pb[offset[3] + i * step[3]];
        });
    });
    return out;
}

}  // namespace nnc
