// Small compositions of primitives shared by several builtins: reshaping
// with symbolic shapes, reductions with optional axes, casts, scalars of a
// tensor's dtype, random tensors. Everything goes through Interpreter::apply, so these work
// eagerly and abstractly alike.
#pragma once

#include <optional>
#include <vector>

#include "interp/interpreter.h"

namespace nnc {

// Reshape to `dims` (which may be partly unknown while checking).
Value reshape_to(Interpreter& in, const Value& x, const std::vector<Dim>& dims, SourceRange where);
// `x` with its dtype changed (no-op when it already has it).
Value cast_to(Interpreter& in, const Value& x, DType t, SourceRange where);
// A rank-0 tensor holding `v` in dtype `t`.
Value scalar_like(Interpreter& in, double v, DType t, SourceRange where);
// rand / randn (`kind`) of `shape`, whose entries -1-k copy the k-th dim of
// `lenders` (Interpreter::LentShape); `seed` an int or an i64 scalar tensor.
Value random_tensor(Interpreter& in, OpKind kind, const std::vector<int64_t>& shape, std::vector<Value> lenders,
                    const Value& seed, DType t, SourceRange where);
// Whether each element of `x` is finite: x - x is 0 exactly then (inf - inf and nan - nan are nan).
Value is_finite(Interpreter& in, const Value& x, SourceRange where);
// A reduction primitive over `axes` (nullopt = all).
Value reduce(Interpreter& in, OpKind kind, const Value& x, const std::optional<std::vector<int64_t>>& axes, bool keepdim,
             SourceRange where);
// Which dims of `t` a reduction over `axes` (nullopt = all) folds; a bad axis is a CompileError at `where`.
std::vector<bool> reduced_mask(const TensorType& t, const std::optional<std::vector<int64_t>>& axes, SourceRange where);
// The dims of `x` with the reduced `axes` removed (or kept as 1).
std::vector<Dim> reduced_dims(const TensorType& t, const std::optional<std::vector<int64_t>>& axes, bool keepdim,
                              SourceRange where);

}  // namespace nnc
