// The reference kernels of each op family, as registered in kernels.cpp's
// table. A kernel never sees an f16/bf16 operand (execute() widens those to
// f32); it first asks the op's shape rule for the result type, which also
// checks the operands, and returns a fresh tensor of that type.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "core/attrs.h"
#include "core/op_kind.h"
#include "core/shape_rules.h"
#include "runtime/tensor.h"

namespace nnc {

using Kernel = Tensor (*)(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs);

// The result type from the op's shape rule, on the operands' concrete types.
TensorType result_type(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs);

// An uninitialised tensor of the result type.
Tensor allocate_result(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs);

// A shape seen as [outer, n, inner] around dimension `axis` (normalised);
// without an axis, the flattened tensor as [1, numel, 1].
struct AxisView {
    int64_t outer = 1, n = 1, inner = 1;
};
AxisView axis_view(const Shape& shape, std::optional<int64_t> axis);

// kernels_create.cpp
Tensor full_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor arange_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor eye_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor rand_uniform_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor rand_normal_kernel(OpKind, std::span<const Tensor>, const Attrs&);

// kernels_elementwise.cpp
Tensor unary_kernel(OpKind, std::span<const Tensor>, const Attrs&);   // the math and sign functions
Tensor logical_not_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor cast_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor binary_kernel(OpKind, std::span<const Tensor>, const Attrs&);  // arithmetic, comparison, logical
Tensor where_kernel(OpKind, std::span<const Tensor>, const Attrs&);

// kernels_reduce.cpp
Tensor reduce_kernel(OpKind, std::span<const Tensor>, const Attrs&);  // sum, mean, max, min
Tensor arg_reduce_kernel(OpKind, std::span<const Tensor>, const Attrs&);  // argmax, argmin

// kernels_shape.cpp
Tensor reshape_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor permute_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor broadcast_to_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor concat_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor slice_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor pad_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor dim_size_kernel(OpKind, std::span<const Tensor>, const Attrs&);

// kernels_index.cpp
Tensor gather_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor take_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor one_hot_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor update_index_kernel(OpKind, std::span<const Tensor>, const Attrs&);

// matmul.cpp
Tensor matmul_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor gemm_kernel(OpKind, std::span<const Tensor>, const Attrs&);

// kernels_nn.cpp
Tensor conv2d_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor pool2d_kernel(OpKind, std::span<const Tensor>, const Attrs&);      // max and avg
Tensor softmax_kernel(OpKind, std::span<const Tensor>, const Attrs&);     // softmax and log_softmax

// kernels_grad.cpp
Tensor stop_gradient_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor expand_dims_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor broadcast_like_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor sum_like_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor update_slice_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor scatter_add_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor index_add_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor conv2d_grad_input_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor conv2d_grad_weight_kernel(OpKind, std::span<const Tensor>, const Attrs&);
Tensor max_pool2d_pair_kernel(OpKind, std::span<const Tensor>, const Attrs&);   // max_pool2d_grad and _select
Tensor avg_pool2d_grad_kernel(OpKind, std::span<const Tensor>, const Attrs&);

}  // namespace nnc
