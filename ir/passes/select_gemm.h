// GEMM selection: a 2-D matmul whose dtype the target's GEMM library
// computes becomes a `gemm` op, and a 2-D transpose feeding it is read in
// place instead of materialised (`transpose_a` / `transpose_b`):
//
//   %t = permute %w {perm = [1, 0]} : f32[10, 256]     %y = gemm %x, %w {transpose_b = 1}
//   %y = matmul %x, %t : f32[B, 10]               =>        : f32[B, 10]
//
// A transpose with other users stays for them (dce removes it otherwise).
// Runs after autodiff, whose cotangents of a matmul are matmuls of
// transposes; the executor runs `gemm` as one library call.
#pragma once

#include "ir/function.h"
#include "ir/passes/target.h"

namespace nnc::ir {

void select_gemm(Function& f, const Target& target);

}  // namespace nnc::ir
