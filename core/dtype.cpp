// Element types: spelling, storage size, classification and promotion.
#include "core/dtype.h"

#include <array>

namespace nnc {

namespace {

struct DTypeInfo {
    std::string_view name;
    int64_t size;
};

constexpr std::array<DTypeInfo, 8> kDTypes = {{
    {"bool", 1}, {"i8", 1}, {"i32", 4}, {"i64", 8},
    {"f16", 2},  {"bf16", 2}, {"f32", 4}, {"f64", 8},
}};

const DTypeInfo& info(DType t) { return kDTypes[static_cast<size_t>(t)]; }

}  // namespace

std::string_view dtype_name(DType t) { return info(t).name; }

std::optional<DType> parse_dtype(std::string_view name) {
    for (size_t i = 0; i < kDTypes.size(); ++i)
        if (kDTypes[i].name == name) return static_cast<DType>(i);
    return std::nullopt;
}

int64_t dtype_size(DType t) { return info(t).size; }

bool is_floating(DType t) {
    return t == DType::F16 || t == DType::BF16 || t == DType::F32 || t == DType::F64;
}

bool is_integral(DType t) { return t == DType::I8 || t == DType::I32 || t == DType::I64; }

bool fits_integer(DType t, int64_t v) {
    switch (t) {
    case DType::I8: return v >= INT8_MIN && v <= INT8_MAX;
    case DType::I32: return v >= INT32_MIN && v <= INT32_MAX;
    default: return true;
    }
}

DType promote(DType a, DType b) {
    if (a == b) return a;
    if (a == DType::Bool) return b;
    if (b == DType::Bool) return a;
    if (is_integral(a) && is_integral(b)) return a > b ? a : b;
    if (is_integral(a)) return b;   // int with float: the float
    if (is_integral(b)) return a;
    // Two different floats. f16 and bf16 have no common 16-bit type.
    const bool both_half = (a == DType::F16 || a == DType::BF16) && (b == DType::F16 || b == DType::BF16);
    if (both_half) return DType::F32;
    return a > b ? a : b;
}

}  // namespace nnc
