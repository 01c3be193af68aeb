// ValueMap lookups and the recursive copy of an op with its regions.
#include "ir/clone.h"
#include "support/error.h"

#include <stdexcept>

namespace nnc::ir {

Value* ValueMap::operator[](const Value* from) const {
    for (const ValueMap* m = this; m; m = m->outer_)
        if (auto it = m->map_.find(from); it != m->map_.end()) return it->second;
    internal_error("a copied op uses a value with no copy");
}

Op* clone_op(Builder& b, const Op& op, ValueMap& map) {
    Function& f = b.function();
    std::vector<Value*> operands;
    for (const Value* v : op.operands) operands.push_back(map[v]);
    std::vector<TensorType> types;
    for (const Value* r : op.results) types.push_back(r->type());
    Op* copy = f.new_op(op.kind, std::move(operands), std::move(types), op.attrs, op.loc);
    copy->payload = op.payload;
    b.insert(copy);
    for (size_t i = 0; i < op.results.size(); ++i) map.set(op.results[i], copy->results[i]);
    for (const Block* region : op.regions) {
        Block* block = f.new_block();
        block->parent_op = copy;
        copy->regions.push_back(block);
        for (const Value* arg : region->args) map.set(arg, f.add_arg(block, arg->type()));
        Builder inner(f);
        inner.set_insertion_end(block);
        for (const Op* nested : region->ops) clone_op(inner, *nested, map);
    }
    return copy;
}

}  // namespace nnc::ir
