// Shape and dtype inference for every primitive in ops.def, on possibly
// symbolic shapes. The one place each op's shape rule lives: the static
// checker, the runtime kernels (with concrete shapes) and the IR all call it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/attrs.h"
#include "core/op_kind.h"
#include "core/shape.h"

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

// Slice and reshape over symbolic dims. A slice 0:kSliceToEnd:1 is the
// whole dim, whatever its size (`x[:, 0:4]` on f32[B, 8] keeps B). A reshape's shape entry -(k + 1) is the size of operand dim k,
// whatever it is (dropping the indexed dim of f32[B, 1, 4] keeps B).
inline constexpr int64_t kSliceToEnd = INT64_MAX;
constexpr int64_t reshape_copy_of(int64_t dim) { return -(dim + 1); }

// A Reshape `shape` attribute giving dims `to` from a tensor of type
// `from`: known sizes as they are, a symbolic dim as a copy of an equal
// dim of `from` (each used once). Empty when a symbolic dim of `to` has no
// such dim.
std::optional<std::vector<int64_t>> reshape_attr(const TensorType& from, const std::vector<Dim>& to);

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
