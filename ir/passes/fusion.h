// Fusion: partitions each block into kernel groups, each a `fusion` op
// whose body holds the group's ops and yields the values used outside it.
//
//   %r = fusion %x, %b {
//   ^(%x1: f32[B, 256], %b1: f32[256]):
//     %0 = add %x1, %b1 : f32[B, 256]
//     %1 = relu %0 : f32[B, 256]
//     yield %1
//   } : f32[B, 256]
//
// Three kinds of group (a code generator emits one kernel per group; the
// IR interpreter just runs the body). Which ops join is the target's
// answer (ir/passes/target.h): the structure is the same for every backend,
// the op and dtype coverage is its emitter's.
//   - loop: elementwise ops (with broadcasting) over one iteration shape;
//     intermediate values never reach memory.
//   - reduction: a loop group whose values feed one reduction (sum, mean,
//     max, min, sum_like) over that shape — `sum(x * y, axis = 1)` reads x
//     and y once.
//   - softmax: softmax / log_softmax over the last axis (one pass per row
//     held in cache).
// Everything else (matmul, convolution, gathers, layout changes) stays a
// library call between groups. A group is formed greedily in program
// order: an op joins the group of an operand's producer when it iterates
// over the same shape and no op outside the group has used the group's
// values yet (so the fused op can sit where its last member was). Rank-0
// constants are copied into the groups that use them.
#pragma once

#include "ir/function.h"
#include "ir/passes/target.h"

namespace nnc::ir {

// The single reduction / softmax op of a group (null for loop groups).
const Op* group_root(const Op& fusion);

void fuse(Function& f, const Target& target);

}  // namespace nnc::ir
