// Reference CPU kernels for the primitives of core/ops.def, dispatched by
// OpKind. Output shapes come from ir/shape_rules (the same rule the checker
// uses). Clarity first; matmul calls a tuned GEMM.
#pragma once

#include <span>

#include "core/attrs.h"
#include "core/op_kind.h"
#include "runtime/tensor.h"

namespace nnc {

// Runs `kind` on concrete operands. Throws ShapeError for incompatible
// operands and RuntimeError for other user-facing failures (e.g. an index out
// of range). `Constant` is not executable here (its payload is already a Tensor).
// The result never shares storage with an operand.
Tensor execute(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs);

// True when a reference kernel is registered for `kind` (tested for every op).
bool has_kernel(OpKind kind);

// The `gemm` op into `out` (allocated, of its result type): op(a) @ op(b),
// op transposing where `ta` / `tb` say; oneDNN's sgemm for f32.
void gemm_into(const Tensor& a, const Tensor& b, bool ta, bool tb, Tensor& out);

// Number of threads kernels may use (set once by the driver's --threads; 0 = all cores).
void set_kernel_threads(int n);

}  // namespace nnc
