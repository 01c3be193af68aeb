// Helpers for the kernel tests: build a tensor from a value list, read one
// back, and run a primitive.
#pragma once

#include <initializer_list>
#include <vector>

#include "core/shape_rules.h"
#include "runtime/kernels.h"

namespace nnc::testing {

inline Tensor make(DType dtype, const Shape& shape, std::initializer_list<double> values) {
    Tensor t = Tensor::empty(dtype, shape);
    int64_t i = 0;
    for (double v : values) t.set(i++, v);
    return t;
}

inline Tensor f32(const Shape& shape, std::initializer_list<double> values) { return make(DType::F32, shape, values); }

inline std::vector<double> values(const Tensor& t) {
    std::vector<double> out;
    for (int64_t i = 0; i < t.numel(); ++i) out.push_back(t.get(i));
    return out;
}

inline Tensor run(OpKind kind, std::vector<Tensor> operands, const Attrs& attrs = {}) {
    return execute(kind, operands, attrs);
}

using V = std::vector<double>;

}  // namespace nnc::testing
