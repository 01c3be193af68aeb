// The IR verifier: checks the invariants every pass may rely on and must
// keep. Run after parsing and, in nnc-opt and debug pipelines, after every
// pass.
//
//  - scoping: every operand is defined before its use, in the same block or
//    an enclosing one (values from outside a region are visible inside it,
//    not the other way round); ops' parent pointers match their blocks
//  - ops: operand count matches the op table's arity; attributes fit its
//    schema (core/attr_schema.h); a primitive has one result whose type is
//    what its shape rule (core/shape_rules.h) infers; a constant's payload
//    has its result type
//  - terminators: each block ends with exactly one terminator, `return` in
//    the function body and `yield` in regions
//  - for:   trip count i64 rank 0; body arguments (i64 index, carried...)
//           with the types of the initial values; body yields the carried
//           types; results have them too
//  - if:    condition bool rank 0; both branches take no arguments and yield
//           the result types
//  - while: cond and body take the carried types; cond yields one bool
//           rank 0; body yields the carried types; results have them
//
// Each problem is one error diagnostic at the op's location (when it has one).
#pragma once

#include <vector>

#include "support/diagnostics.h"
#include "ir/function.h"

namespace nnc::ir {

std::vector<Diagnostic> verify(const Function& f);   // empty when valid

}  // namespace nnc::ir
