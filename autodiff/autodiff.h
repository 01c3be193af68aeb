// Automatic differentiation as IR -> IR transforms. Each returns a new
// Function built from primitives only, so its output can be transformed
// again: grad of grad, jvp of grad (Hessian-vector products).
//
//   vjp(f):  f_vjp(x..., ybar...) -> (y..., xbar...)     reverse mode
//   jvp(f):  f_jvp(x..., xdot...) -> (y..., ydot...)     forward mode
//   grad(f, argnums):           g(x...) -> (dy/dx_i for i in argnums)
//   value_and_grad(f, argnums): g(x...) -> (y, dy/dx_i for i in argnums)
//
// There is one cotangent / tangent parameter per parameter or result of f,
// whatever its dtype; integer and bool values carry no derivative, so theirs
// are ignored on input and zero on output, as are the derivatives of
// non-differentiable ops (comparisons, argmax, one_hot, rand, stop_gradient).
//
// One traversal per mode (reverse.cpp, forward.cpp) applies the per-op rules
// of rules.h. Loops: reverse mode stacks each iteration's carried values of
// a `for` (a carried buffer with a leading trip-count dim, written with
// update_index) and runs a reverse `for` that recomputes the body from them;
// an `if` is differentiated branch by branch. A `while` has no reverse-mode
// derivative (its trip count is unknown before it runs): vjp and grad report
// it as a ShapeError; forward mode handles all three.
#pragma once

#include <memory>
#include <span>

#include "ir/function.h"

namespace nnc::autodiff {

std::unique_ptr<ir::Function> vjp(const ir::Function& f);
std::unique_ptr<ir::Function> jvp(const ir::Function& f);

// `f` must return one float rank-0 value (ShapeError otherwise); `argnums`
// are parameter indices.
std::unique_ptr<ir::Function> grad(const ir::Function& f, std::span<const size_t> argnums);
std::unique_ptr<ir::Function> value_and_grad(const ir::Function& f, std::span<const size_t> argnums);

}  // namespace nnc::autodiff
