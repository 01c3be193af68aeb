// Dead code elimination.
//
// Removes every op whose results are all unused, innermost uses first, so
// whole dead chains go in one run. Every op of the IR is pure (primitives
// compute only from operands and attributes; for/if/while only from their
// regions), so nothing else keeps an op alive; terminators stay. Also drops
// loop-carried values and `if` results nobody reads: a carried value of a
// for or while whose final value is unused, that a while's condition does
// not read, and that the body needs only to compute its own next value
// (the computation goes with it); an unused `if` result, from both
// branches. Requires nothing; removed ops stay owned by the function.
#pragma once

#include "ir/function.h"

namespace nnc::ir {

void dce(Function& f);

}  // namespace nnc::ir
