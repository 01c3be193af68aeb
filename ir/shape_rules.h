// Shape and dtype inference for every primitive in ops.def, on possibly
// symbolic shapes. The one place each op's shape rule lives: the static
// checker, the runtime kernels (with concrete shapes) and the IR all call it.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "ir/attrs.h"
#include "ir/op_kind.h"
#include "ir/shape.h"

namespace nnc {

// A user-facing shape/type error, e.g. "matmul: inner dimensions differ:
// f32[2, 3] @ f32[4, 5]". The caller attaches the source location.
class ShapeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Result type of `kind` applied to operands of the given types.
// Throws ShapeError when the operands cannot be combined.
TensorType infer_type(OpKind kind, std::span<const TensorType> operands, const Attrs& attrs);

// NumPy broadcast of two shapes (symbolic aware). Throws ShapeError.
std::vector<Dim> broadcast_dims(const std::vector<Dim>& a, const std::vector<Dim>& b);

// Normalise a possibly negative axis for a tensor of the given rank. Throws ShapeError.
int64_t normalize_axis(int64_t axis, int64_t rank);

// The dims a reduction (reduce_*, argmax, argmin) folds, one flag per dim of
// `x`: from the `axis` (int) or `axes` (list) attribute; absent or empty = all.
// Throws ShapeError for an out-of-range or repeated axis.
std::vector<bool> reduced_axes(OpKind kind, const TensorType& x, const Attrs& attrs);

// Window of conv2d / max_pool2d / avg_pool2d (and of their gradient ops)
// with the defaults applied (stride: 1 for convolutions, the kernel for
// pools; padding: 0), as [h, w] pairs. `kernel` is read for the pools only;
// a convolution's comes from its weight (left 0).
struct Window2d {
    int64_t kernel[2] = {0, 0};
    int64_t stride[2] = {1, 1};
    int64_t padding[2] = {0, 0};
};
Window2d window_2d(OpKind kind, const Attrs& attrs);

}  // namespace nnc
