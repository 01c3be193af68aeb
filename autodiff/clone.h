// Copying ops of the function being differentiated into the function being
// built. A ValueMap may have an enclosing map that lookups fall through to,
// so a loop body emitted again in a new scope (reverse mode recomputes
// bodies) maps its own values afresh while seeing the copies around it.
#pragma once

#include <unordered_map>

#include "ir/builder.h"

namespace nnc::autodiff {

class ValueMap {
public:
    explicit ValueMap(const ValueMap* outer = nullptr) : outer_(outer) {}
    void set(const ir::Value* from, ir::Value* to) { map_[from] = to; }
    // The copy of `from`, here or in an enclosing map; an internal error if none.
    ir::Value* operator[](const ir::Value* from) const;

private:
    const ValueMap* outer_;
    std::unordered_map<const ir::Value*, ir::Value*> map_;
};

// Emits a copy of `op`, its regions included, at the builder's insertion
// point, with operands looked up in `map`; maps its results and region
// arguments in `map`. Returns the copy.
ir::Op* clone_op(ir::Builder& b, const ir::Op& op, ValueMap& map);

}  // namespace nnc::autodiff
