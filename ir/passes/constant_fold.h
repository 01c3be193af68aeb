// Constant folding.
//
// Evaluates, with the reference kernels (runtime/kernels.h), every primitive
// whose operands are all constants (creation ops such as `full` have none)
// and turns it into a `constant` holding the result, when that result has at
// most kMaxFoldedElements elements; `dim` of a dimension the type knows
// becomes a constant too. Random ops are left alone, and so is an op whose
// kernel fails (an index out of range stays a run-time error). Folds in
// order of definition, so chains of constants fold in one run; the folded
// op keeps its result value, so uses need no update. Requires verified IR.
#pragma once

#include <cstdint>

#include "ir/function.h"

namespace nnc::ir {

inline constexpr int64_t kMaxFoldedElements = 1024;

// Whether a result of type `t` is known and small enough to fold.
bool small_enough_to_fold(const TensorType& t);

void constant_fold(Function& f);

}  // namespace nnc::ir
