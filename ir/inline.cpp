// Inlining a function body, regions and all, through a value map.
#include "ir/inline.h"

#include <cassert>
#include <unordered_map>

namespace nnc::ir {

namespace {

class Cloner {
public:
    explicit Cloner(Function& target) : target_(target) {}

    void map(const Value* from, Value* to) { values_[from] = to; }
    Value* lookup(const Value* v) const {
        auto it = values_.find(v);
        assert(it != values_.end() && "inlined op uses a value defined outside the callee");
        return it->second;
    }

    // A copy of `op` (not inserted anywhere) with its regions copied too.
    Op* clone(const Op& op) {
        std::vector<Value*> operands;
        for (const Value* v : op.operands) operands.push_back(lookup(v));
        std::vector<TensorType> types;
        for (const Value* r : op.results) types.push_back(r->type());
        Op* copy = target_.new_op(op.kind, std::move(operands), std::move(types), op.attrs, op.loc);
        copy->payload = op.payload;
        for (size_t i = 0; i < op.results.size(); ++i) map(op.results[i], copy->results[i]);
        for (const Block* region : op.regions) {
            Block* b = target_.new_block();
            b->parent_op = copy;
            copy->regions.push_back(b);
            for (const Value* arg : region->args) map(arg, target_.add_arg(b, arg->type()));
            for (const Op* inner : region->ops) {
                Op* c = clone(*inner);
                c->parent = b;
                b->ops.push_back(c);
            }
        }
        return copy;
    }

private:
    Function& target_;
    std::unordered_map<const Value*, Value*> values_;
};

}  // namespace

std::vector<Value*> inline_function(Builder& builder, const Function& callee, std::span<Value* const> args) {
    assert(args.size() == callee.params().size());
    Cloner cloner(builder.function());
    for (size_t i = 0; i < args.size(); ++i) cloner.map(callee.params()[i], args[i]);
    std::vector<Value*> results;
    for (const Op* op : callee.body()->ops) {
        if (op->kind == OpKind::Return) {
            for (const Value* v : op->operands) results.push_back(cloner.lookup(v));
            break;
        }
        builder.insert(cloner.clone(*op));
    }
    return results;
}

}  // namespace nnc::ir
