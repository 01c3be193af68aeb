// Building blocks of the derivative rules: short forms of the primitives
// they use, constants in a value's dtype, zeros of a possibly symbolic type,
// and the broadcasting adjustments that give each cotangent exactly its
// operand's type. All emit at the builder's insertion point.
#pragma once

#include <vector>

#include "ir/builder.h"

namespace nnc::autodiff {

using ir::Builder;
using ir::Value;

Value* add(Builder& b, Value* x, Value* y);
Value* sub(Builder& b, Value* x, Value* y);
Value* mul(Builder& b, Value* x, Value* y);
Value* div(Builder& b, Value* x, Value* y);
Value* neg(Builder& b, Value* x);
Value* where(Builder& b, Value* cond, Value* x, Value* y);
Value* sum(Builder& b, Value* x, std::vector<int64_t> axes, bool keepdim);

// A rank-0 constant `v` in `like`'s dtype (so it never promotes `like`).
Value* lit(Builder& b, double v, const Value* like);

// `v` converted to dtype `t` (`v` itself when it already has it).
Value* cast_to(Builder& b, Value* v, DType t);

// Zeros of `like`'s type; `like` is read for its shape when that is symbolic.
Value* zeros_like(Builder& b, Value* like);

// total + ct. When ct adds a few slices into zeros (the cotangent of a take
// or gather: index_add / scatter_add into zeros), they are added into
// `total` directly, so accumulating a loop's reads of a big outer tensor
// costs the slices rather than the whole tensor per iteration.
Value* accumulate(Builder& b, Value* total, Value* ct);

// `t`, or zeros of `like`'s type when `t` is null (a zero tangent).
Value* or_zeros(Builder& b, Value* t, Value* like);

// `g`, the cotangent of a value `operand` was broadcast to, summed over the
// broadcast dims and cast: the cotangent of `operand`, with its exact type.
// Dims the types do not settle statically use sum_like.
Value* unbroadcast(Builder& b, Value* g, Value* operand);

// `t` cast to `like`'s dtype and broadcast to its shape: a tangent of an
// operand made the tangent of a broadcast result.
Value* broadcast_as(Builder& b, Value* t, Value* like);

// The cotangent of a reduction's result with the reduced dims put back as
// size 1 (when the reduction dropped them), ready to broadcast against its input.
Value* expand_reduced(Builder& b, Value* g, const ir::Op& reduction);

// The number of elements a reduction folds into each result, as a rank-0
// value in `like`'s dtype (read from dim ops for symbolic dims).
Value* reduced_count(Builder& b, const ir::Op& reduction, const Value* like);

}  // namespace nnc::autodiff
