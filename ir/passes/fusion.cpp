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

bool kernel_dtype(DType t) {
    return t == DType::F32 || t == DType::F64 || t == DType::I32 || t == DType::I64 || t == DType::Bool;
}

bool float_dtype(DType t) { return t == DType::F32 || t == DType::F64; }

bool all_dtypes(const Op& op, bool (*ok)(DType)) {
    for (const Value* v : op.operands)
        if (!ok(v->type().dtype)) return false;
    for (const Value* v : op.results)
        if (!ok(v->type().dtype)) return false;
    return true;
}

}  // namespace

bool fusible_elementwise(const Op& op) {
    if (op.results.size() != 1 || !all_dtypes(op, kernel_dtype)) return false;
    const DType out = op.result()->type().dtype;
    switch (op.kind) {
    case OpKind::Exp: case OpKind::Log: case OpKind::Sqrt: case OpKind::Rsqrt: case OpKind::Sin: case OpKind::Cos:
    case OpKind::Tanh: case OpKind::Sigmoid: case OpKind::Gelu: case OpKind::Softplus: case OpKind::Div:
    case OpKind::Pow:
        return float_dtype(out);
    case OpKind::Neg: case OpKind::Abs: case OpKind::Sign: case OpKind::Relu: case OpKind::Add: case OpKind::Sub:
    case OpKind::Mul: case OpKind::Maximum: case OpKind::Minimum:
        return out != DType::Bool;
    case OpKind::LogicalAnd: case OpKind::LogicalOr:
        return all_dtypes(op, [](DType t) { return t == DType::Bool; });
    case OpKind::LogicalNot: case OpKind::Cast: case OpKind::StopGradient: case OpKind::Eq: case OpKind::Ne:
    case OpKind::Lt: case OpKind::Le: case OpKind::Gt: case OpKind::Ge: case OpKind::Where:
    case OpKind::BroadcastTo: case OpKind::BroadcastLike:
        return true;
    default:
        return false;
    }
}

bool fusible_reduction(const Op& op) {
    switch (op.kind) {
    case OpKind::ReduceSum: case OpKind::ReduceMean: case OpKind::ReduceMax: case OpKind::ReduceMin:
    case OpKind::SumLike:
        return float_dtype(op.operands[0]->type().dtype) && op.result()->type().dtype == op.operands[0]->type().dtype;
    default:
        return false;
    }
}

bool fusible_softmax(const Op& op) {
    if (op.kind != OpKind::Softmax && op.kind != OpKind::LogSoftmax) return false;
    const TensorType& t = op.operands[0]->type();
    return float_dtype(t.dtype) && t.rank() >= 1 && normalize_axis(op.attrs.get_int("axis"), t.rank()) == t.rank() - 1;
}

const Op* group_root(const Op& fusion) {
    for (const Op* op : fusion.regions[0]->ops)
        if (fusible_reduction(*op) || fusible_softmax(*op)) return op;
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
    explicit Fuser(Function& f) : f_(f) {}

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
    void visit(Op* op) {
        if (fusible_elementwise(*op)) {
            join(op, op->result()->type().dims, false);
        } else if (fusible_reduction(*op)) {
            join(op, op->operands[0]->type().dims, true);
        } else if (fusible_softmax(*op)) {
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
    std::vector<std::unique_ptr<Group>> groups_;
    std::unordered_map<const Op*, Group*> group_of_;
    std::unordered_map<const Op*, size_t> position_;
};

}  // namespace

void fuse(Function& f) {
    Fuser(f).block(f.body());
    dce(f);
}

}  // namespace nnc::ir
