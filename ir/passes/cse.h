// Common subexpression elimination.
//
// Replaces an op by an earlier equivalent one: same kind, same operands,
// same attributes (doubles compared bit for bit, so 0.0 and -0.0 differ) and,
// for constants, the same payload bytes and type. The earlier op must be in
// scope: in the same block or an enclosing one, so a value computed outside
// a loop serves the loop body, never the other way round. for/if/while,
// terminators and random ops (rand, randn) are never merged. Replaced ops
// are removed. Requires verified IR (operands defined before use).
#pragma once

#include "ir/function.h"

namespace nnc::ir {

void cse(Function& f);

}  // namespace nnc::ir
