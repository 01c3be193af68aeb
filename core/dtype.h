// Element types of tensors: names, sizes, classification and NumPy-style
// promotion. Shared by the frontend (type annotations), the runtime (storage)
// and the IR.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nnc {

enum class DType : uint8_t { Bool, I8, I32, I64, F16, BF16, F32, F64 };

std::string_view dtype_name(DType t);           // "f32"
std::optional<DType> parse_dtype(std::string_view name);
int64_t dtype_size(DType t);                     // bytes per element
bool is_floating(DType t);                       // f16 bf16 f32 f64
bool is_integral(DType t);                       // i8 i32 i64 (not bool)
// Whether the integer `v` is exactly representable in the integral dtype `t`
// (true for any non-integral dtype: floats round, they do not wrap).
bool fits_integer(DType t, int64_t v);

// Type of `a op b` for two tensors (NumPy promotion: bool < ints < floats,
// wider wins; any float with f16/bf16 mixing goes to f32).
DType promote(DType a, DType b);

}  // namespace nnc
