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
// IR interpreter just runs the body). Which ops join a group still follows
// the CPU emitter's coverage (fusible_* below), not a backend's table:
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

namespace nnc::ir {

// Whether a code generator can compute `op` one element at a time inside a
// loop group: elementwise arithmetic, comparisons, casts and broadcasts over
// f32, f64, i32, i64 and bool.
bool fusible_elementwise(const Op& op);
// Whether `op` is a reduction a group can end in (float sum, mean, max, min, sum_like).
bool fusible_reduction(const Op& op);
// softmax / log_softmax of a float tensor over its last axis.
bool fusible_softmax(const Op& op);

// The single reduction / softmax op of a group (null for loop groups).
const Op* group_root(const Op& fusion);

void fuse(Function& f);

}  // namespace nnc::ir
