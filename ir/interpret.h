// The IR interpreter: runs a Function op by op with the runtime's reference
// kernels (runtime/kernels.h), the semantics every compiled form must match.
// `for`, `if` and `while` run their regions; a constant yields its payload.
//
// Parameter types may be symbolic: the arguments' shapes bind each symbol
// (`B = 32`), and every later use of it must agree. Each op's result is
// checked against its IR type under those bindings, so a kernel or transform
// that disagrees with the shape rules fails loudly instead of computing on.
#pragma once

#include <span>
#include <vector>

#include "ir/function.h"

namespace nnc::ir {

// Runs `f` on `args` (one per parameter) and returns the values its
// `return` returns. Throws RuntimeError when an argument does not match its
// parameter type, when a result disagrees with its IR type, and for kernel
// failures (with ShapeError from kernels for incompatible operands).
std::vector<Tensor> interpret(const Function& f, std::span<const Tensor> args);

}  // namespace nnc::ir
