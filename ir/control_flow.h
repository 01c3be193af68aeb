// Stepping structured control flow: which region of a `for`, `if` or
// `while` runs, how often, and what is carried from one run to the next.
// The IR interpreter and compiled executables run a region each their own
// way (op by op, or a step list over a memory plan) and share this.
//
//   for %n, %init...   body(%i, %carried...) yields the next carried values
//   if %c              then() or else() yields the results
//   while %init...     cond(%carried...) yields a bool; body(...) the next values
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "ir/function.h"
#include "runtime/tensor.h"

namespace nnc::ir {

// Runs region `index` of the op with its block arguments set to `args` and
// returns the values its terminator yields.
using RunRegion = std::function<std::vector<Tensor>(size_t index, std::vector<Tensor> args)>;

// The results of `op` (a for, if or while) on its operand values.
std::vector<Tensor> run_control_flow(const Op& op, std::span<const Tensor> operands, const RunRegion& run_region);

}  // namespace nnc::ir
