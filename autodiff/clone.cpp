// ValueMap lookups and the recursive copy of an op with its regions.
#include "autodiff/clone.h"

#include <stdexcept>

namespace nnc::autodiff {

ir::Value* ValueMap::operator[](const ir::Value* from) const {
    for (const ValueMap* m = this; m; m = m->outer_)
        if (auto it = m->map_.find(from); it != m->map_.end()) return it->second;
    throw std::logic_error("internal error: autodiff found a value with no copy");
}

ir::Op* clone_op(ir::Builder& b, const ir::Op& op, ValueMap& map) {
    ir::Function& f = b.function();
    std::vector<ir::Value*> operands;
    for (const ir::Value* v : op.operands) operands.push_back(map[v]);
    std::vector<TensorType> types;
    for (const ir::Value* r : op.results) types.push_back(r->type());
    ir::Op* copy = f.new_op(op.kind, std::move(operands), std::move(types), op.attrs, op.loc);
    copy->payload = op.payload;
    b.insert(copy);
    for (size_t i = 0; i < op.results.size(); ++i) map.set(op.results[i], copy->results[i]);
    for (const ir::Block* region : op.regions) {
        ir::Block* block = f.new_block();
        block->parent_op = copy;
        copy->regions.push_back(block);
        for (const ir::Value* arg : region->args) map.set(arg, f.add_arg(block, arg->type()));
        ir::Builder inner(f);
        inner.set_insertion_end(block);
        for (const ir::Op* nested : region->ops) clone_op(inner, *nested, map);
    }
    return copy;
}

}  // namespace nnc::autodiff
