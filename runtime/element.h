// Element types as C++ types: the storage type of each DType, conversion of
// one value between any two of them, and dispatch from a runtime DType to a
// template instantiated for its storage type.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <type_traits>

#include "core/dtype.h"
#include "runtime/half.h"
#include "support/error.h"

namespace nnc {

struct Half { uint16_t bits; };       // f16 storage
struct BFloat16 { uint16_t bits; };   // bf16 storage

template <class T> inline constexpr bool is_half_v = std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;

// Float to integer: truncates toward zero, saturates at the type's range, nan -> 0.
template <class To> To saturate_to_int(double v) {
    if (std::isnan(v)) return 0;
    if (v <= static_cast<double>(std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
    if (v >= static_cast<double>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(v);
}

template <class To, class From> To convert_element(From v) {
    if constexpr (std::is_same_v<From, Half>) {
        return convert_element<To>(f16_to_float(v.bits));
    } else if constexpr (std::is_same_v<From, BFloat16>) {
        return convert_element<To>(bf16_to_float(v.bits));
    } else if constexpr (std::is_same_v<To, Half>) {
        return Half{float_to_f16(static_cast<float>(v))};
    } else if constexpr (std::is_same_v<To, BFloat16>) {
        return BFloat16{float_to_bf16(static_cast<float>(v))};
    } else if constexpr (std::is_same_v<To, bool>) {
        return v != From(0);
    } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
        return saturate_to_int<To>(v);
    } else {
        return static_cast<To>(v);
    }
}

// Calls f(std::type_identity<T>{}) with T the storage type of `t`.
template <class F> decltype(auto) visit_dtype(DType t, F&& f) {
    switch (t) {
    case DType::Bool: return f(std::type_identity<bool>{});
    case DType::I8: return f(std::type_identity<int8_t>{});
    case DType::I32: return f(std::type_identity<int32_t>{});
    case DType::I64: return f(std::type_identity<int64_t>{});
    case DType::F16: return f(std::type_identity<Half>{});
    case DType::BF16: return f(std::type_identity<BFloat16>{});
    case DType::F32: return f(std::type_identity<float>{});
    case DType::F64: return f(std::type_identity<double>{});
    }
    internal_error("unknown dtype");
}

// As visit_dtype for the dtypes kernels compute in: f16/bf16 operands were
// already widened to f32 by execute().
template <class F> decltype(auto) visit_compute_dtype(DType t, F&& f) {
    switch (t) {
    case DType::Bool: return f(std::type_identity<bool>{});
    case DType::I8: return f(std::type_identity<int8_t>{});
    case DType::I32: return f(std::type_identity<int32_t>{});
    case DType::I64: return f(std::type_identity<int64_t>{});
    case DType::F32: return f(std::type_identity<float>{});
    case DType::F64: return f(std::type_identity<double>{});
    default: internal_error("kernel called with an f16/bf16 operand");
    }
}

// As visit_dtype restricted to the float compute dtypes.
template <class F> decltype(auto) visit_float_dtype(DType t, F&& f) {
    switch (t) {
    case DType::F32: return f(std::type_identity<float>{});
    case DType::F64: return f(std::type_identity<double>{});
    default: internal_error("float kernel called with a non-float operand");
    }
}

// Calls f(std::type_identity<U>{}) with U an unsigned integer as wide as one
// element: for kernels that only move elements (copies, gathers), any dtype.
template <class F> decltype(auto) visit_element_width(DType t, F&& f) {
    switch (dtype_size(t)) {
    case 1: return f(std::type_identity<uint8_t>{});
    case 2: return f(std::type_identity<uint16_t>{});
    case 4: return f(std::type_identity<uint32_t>{});
    case 8: return f(std::type_identity<uint64_t>{});
    default: internal_error("unexpected element size");
    }
}

}  // namespace nnc
