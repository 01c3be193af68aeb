// Inlining: copies the body of one function into another at the builder's
// insertion point, with its parameters replaced by given values. Used to
// splice a transformed function (a gradient) into the function being traced.
#pragma once

#include <span>
#include <vector>

#include "ir/builder.h"

namespace nnc::ir {

// Copies `callee`'s ops (regions included) before `builder`'s insertion
// point, mapping its parameters to `args`; returns the values it returns.
std::vector<Value*> inline_function(Builder& builder, const Function& callee, std::span<Value* const> args);

}  // namespace nnc::ir
