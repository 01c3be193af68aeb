// Fusion into kernel groups (see fusion.h).
#include "ir/passes/fusion.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "ir/clone.h"
#include "ir/passes/dce.h"
#include "core/shape_rules.h"

namespace nnc::ir {

namespace {

bool is_reduction_root(OpKind kind) {
    return kind == OpKind::ReduceSum || kind == OpKind::ReduceMean || kind == OpKind::ReduceMax ||
           kind == OpKind::ReduceMin || kind == OpKind::SumLike;
}

bool is_softmax_row(const Op& op) {
    if (op.kind != OpKind::Softmax && op.kind != OpKind::LogSoftmax) return false;
    const TensorType& t = op.operands[0]->type();
    return t.rank() >= 1 && normalize_axis(op.attrs.get_int("axis", -1), t.rank()) == t.rank() - 1;
}

}  // namespace

const Op* group_root(const Op& fusion) {
    for (const Op* op : fusion.regions[0]->ops)
        if (is_reduction_root(op->kind) || op->kind == OpKind::Softmax || op->kind == OpKind::LogSoftmax) return op;
    return nullptr;
}

namespace {

struct Group {
    std::vector<Op*> members;
    std::vector<Dim> dims;    // the iteration shape
    bool sealed = false;      // an op outside the group used one of its values
    bool closed = false;      // ends in a reduction or softmax: nothing more joins
};

class Fuser {
public:
    Fuser(Function& f, const Target& target) : f_(f), target_(target) {}

    // Fuses the blocks nested in `b`'s ops first, then `b` itself.
    void block(Block* b) {
        for (Op* op : b->ops)
            for (Block* r : op->regions) block(r);
        groups_.clear();
        group_of_.clear();
        for (size_t i = 0; i < b->ops.size(); ++i) position_[b->ops[i]] = i;
        for (Op* op : b->ops) visit(op);
        for (auto& g : groups_)
            if (!g->members.empty()) build(b, *g);
    }

private:
    // Whether `op` can be in a group (the kind of group: its family) and the target lowers it.
    bool fusible(const Op& op) const {
        const bool groupable = (op_family(op.kind) == OpFamily::Elementwise && op.results.size() == 1) ||
                               is_reduction_root(op.kind) || is_softmax_row(op);
        return groupable && target_.lowers(op);
    }

    void visit(Op* op) {
        if (!fusible(*op)) {
            // a library op between groups
        } else if (op_family(op->kind) == OpFamily::Elementwise) {
            join(op, op->result()->type().dims, false);
        } else if (is_reduction_root(op->kind)) {
            join(op, op->operands[0]->type().dims, true);
        } else {   // a softmax row
            Group* g = new_group(op->operands[0]->type().dims);
            add(g, op);
            g->closed = true;
        }
        seal_groups_used_outside(op);
    }

    // Adds `op` to the open groups of its operands that iterate over `dims`
    // (merging them) or to a new group.
    void join(Op* op, const std::vector<Dim>& dims, bool closes) {
        Group* target = nullptr;
        for (const Value* v : op->operands) {
            Group* g = group_of(v);
            if (!g || g->sealed || g->closed || g->dims != dims || g == target) continue;
            if (!target) {
                target = g;
            } else {
                for (Op* m : g->members) add(target, m);
                g->members.clear();
            }
        }
        if (!target) target = new_group(dims);
        add(target, op);
        if (closes) target->closed = true;
    }

    void seal_groups_used_outside(Op* op) {
        Group* own = group_of_.count(op) ? group_of_[op] : nullptr;
        auto seal = [&](const Op* user) {
            for (const Value* v : user->operands)
                if (Group* g = group_of(v); g && g != own) g->sealed = true;
        };
        seal(op);
        for (Block* r : op->regions) walk(r, seal);
    }

    Group* group_of(const Value* v) {
        const Op* def = v->defining_op();
        auto it = def ? group_of_.find(def) : group_of_.end();
        return it == group_of_.end() ? nullptr : it->second;
    }

    Group* new_group(std::vector<Dim> dims) {
        groups_.push_back(std::make_unique<Group>());
        groups_.back()->dims = std::move(dims);
        return groups_.back().get();
    }

    void add(Group* g, Op* op) {
        g->members.push_back(op);
        group_of_[op] = g;
    }

    static bool inlined_constant(const Value* v) {
        const Op* def = v->defining_op();
        return def && def->kind == OpKind::Constant && def->payload.rank() == 0;
    }

    // Replaces the members of `g` in `b` by one fusion op at the place of the last member.
    void build(Block* b, Group& g) {
        std::sort(g.members.begin(), g.members.end(), [&](Op* x, Op* y) { return position_[x] < position_[y]; });
        std::unordered_set<const Op*> member(g.members.begin(), g.members.end());
        std::vector<Value*> inputs, outputs;
        std::unordered_set<const Value*> seen;
        for (Op* op : g.members)
            for (Value* v : op->operands)
                if (!member.count(v->defining_op()) && !inlined_constant(v) && seen.insert(v).second) inputs.push_back(v);
        for (Op* op : g.members)
            for (Value* r : op->results)
                if (used_outside(r, member)) outputs.push_back(r);

        std::vector<TensorType> result_types;
        for (const Value* v : outputs) result_types.push_back(v->type());
        Op* fusion = f_.new_op(OpKind::Fusion, inputs, result_types, {}, g.members.back()->loc);
        Block* body = f_.new_block();
        body->parent_op = fusion;
        fusion->regions.push_back(body);
        Builder builder(f_);
        builder.set_insertion_end(body);
        ValueMap map;
        for (Value* in : inputs) {
            Value* arg = f_.add_arg(body, in->type());
            arg->set_name_hint(in->name_hint());
            map.set(in, arg);
        }
        std::unordered_set<const Value*> copied;
        for (Op* op : g.members)
            for (Value* v : op->operands)
                if (inlined_constant(v) && copied.insert(v).second) {
                    builder.set_loc(v->defining_op()->loc);
                    map.set(v, builder.constant(v->defining_op()->payload));
                }
        for (Op* op : g.members) {
            builder.set_loc(op->loc);
            clone_op(builder, *op, map);
        }
        std::vector<Value*> yielded;
        for (Value* v : outputs) yielded.push_back(map[v]);
        builder.yield(yielded);

        for (size_t k = 0; k < outputs.size(); ++k) {
            fusion->results[k]->set_name_hint(outputs[k]->name_hint());
            f_.replace_all_uses(outputs[k], fusion->results[k]);
        }
        auto last = std::find(b->ops.begin(), b->ops.end(), g.members.back());
        *last = fusion;
        fusion->parent = b;
        std::erase_if(b->ops, [&](Op* op) { return member.count(op) > 0; });
    }

    bool used_outside(const Value* v, const std::unordered_set<const Op*>& member) {
        bool used = false;
        walk(f_.body(), [&](const Op* op) {
            if (member.count(op)) return;
            for (const Value* o : op->operands) used = used || o == v;
        });
        return used;
    }

    Function& f_;
    const Target& target_;
    std::vector<std::unique_ptr<Group>> groups_;
    std::unordered_map<const Op*, Group*> group_of_;
    std::unordered_map<const Op*, size_t> position_;
};

}  // namespace

void fuse(Function& f, const Target& target) {
    Fuser(f, target).block(f.body());
    dce(f);
}

}  // namespace nnc::ir
