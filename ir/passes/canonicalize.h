// Canonicalization: local algebraic simplification by a table of rewrite
// rules (canonicalize.cpp), applied until none fires.
//
// Only rewrites that hold for every input, NaN, infinities and signed zeros
// included: `x * 1 -> x` but never `x * 0 -> 0`; `x + 0 -> x` only when the
// zero is -0.0 for floats (-0.0 + 0.0 is +0.0). A replacement must have the
// type of the result it replaces, which also keeps broadcasting rewrites
// from changing shapes. Rules cover arithmetic identities, involutions and
// idempotent ops, no-op casts, reshapes, broadcasts, slices and pads,
// chains of reshapes and permutes, `where` and `if` on a constant condition
// and `for` with a zero trip count. Replaced ops are removed; ops left
// unused (the inner reshape of a folded chain) are for dce. Requires
// verified IR.
#pragma once

#include "ir/function.h"

namespace nnc::ir {

void canonicalize(Function& f);

}  // namespace nnc::ir
