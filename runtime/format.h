// Printing tensors NumPy-style: `[[1, 2], [3, 4]] : f32[2, 2]`, eliding the
// middle of large dimensions with `...`; rank-0 values print as plain numbers
// (%g, 6 significant digits).
#pragma once

#include <string>

#include "runtime/tensor.h"

namespace nnc {

std::string format_number(double v, DType dtype);   // "1", "0.5", "1e-06", "true", "nan", "inf"
std::string format_tensor(const Tensor& t);          // rank 0: number only; else values + " : " + type

}  // namespace nnc
