// What the files of shape rules share: the error helpers every rule uses,
// and the neural-network family's rules (shape_rules_nn.cpp), which the
// dispatch in shape_rules.cpp calls. Internal to core/.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/attrs.h"
#include "core/op_kind.h"
#include "core/shape.h"

namespace nnc::rules {

[[noreturn]] void fail(OpKind kind, const std::string& message);
std::string dims_str(const std::vector<Dim>& dims);
// A size computed by checked arithmetic; `what` names the shape for the
// error when the computation overflowed.
int64_t size_or_fail(OpKind kind, std::optional<int64_t> size, const std::string& what);
// NumPy broadcast of two shapes; nullopt when two dims certainly differ.
std::optional<std::vector<Dim>> try_broadcast(const std::vector<Dim>& a, const std::vector<Dim>& b);
// Dims that certainly differ (both known and unequal).
bool differ(const Dim& a, const Dim& b);
int64_t axis_of(OpKind kind, int64_t axis, const TensorType& t);
DType float_or_f32(DType t);
// `got` must have the dims of `want` wherever both are known.
void require_fitting(OpKind kind, const std::string& what, const TensorType& got, const std::vector<Dim>& want);

// --- neural network (shape_rules_nn.cpp) ---
TensorType matmul(OpKind kind, const TensorType& a, const TensorType& b);
TensorType gemm(OpKind kind, const TensorType& a, const TensorType& b, const Attrs& attrs);
TensorType conv2d(OpKind kind, const TensorType& x, const TensorType& w, const Attrs& attrs);
TensorType pool2d(OpKind kind, const TensorType& x, const Attrs& attrs);
TensorType softmax(OpKind kind, const TensorType& x, const Attrs& attrs);
TensorType conv2d_grad_input(OpKind kind, const TensorType& dy, const TensorType& w, const Attrs& attrs);
TensorType conv2d_grad_weight(OpKind kind, const TensorType& x, const TensorType& dy, const Attrs& attrs);
TensorType max_pool2d_pair(OpKind kind, const TensorType& x, const TensorType& other, const Attrs& attrs);
TensorType avg_pool2d_grad(OpKind kind, const TensorType& dy, const Attrs& attrs);

}  // namespace nnc::rules
