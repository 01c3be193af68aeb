// Copying ops, regions included, into a function being built (autodiff's
// transforms, inlining). A ValueMap may have an enclosing map that lookups fall through to,
// so a loop body emitted again in a new scope (reverse mode recomputes
// bodies) maps its own values afresh while seeing the copies around it.
#pragma once

#include <unordered_map>

#include "ir/builder.h"

namespace nnc::ir {

class ValueMap {
public:
    explicit ValueMap(const ValueMap* outer = nullptr) : outer_(outer) {}
    void set(const Value* from, Value* to) { map_[from] = to; }
    // The copy of `from`, here or in an enclosing map; an internal error if none.
    Value* operator[](const Value* from) const;

private:
    const ValueMap* outer_;
    std::unordered_map<const Value*, Value*> map_;
};

// Emits a copy of `op`, its regions included, at the builder's insertion
// point, with operands looked up in `map`; maps its results and region
// arguments in `map`. Returns the copy.
Op* clone_op(Builder& b, const Op& op, ValueMap& map);

}  // namespace nnc::ir
