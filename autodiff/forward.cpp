// Forward mode (jvp): one sweep that copies each op and, when an operand
// varies, applies the op's tangent rule (rules.h) right after it. Regions
// carry tangents alongside their values: a `for` or `while` carries the
// tangent of each varied carried value, an `if` returns the tangents of its
// varied results, so forward mode handles all structured control flow.
#include <unordered_map>

#include "autodiff/activity.h"
#include "autodiff/autodiff.h"
#include "ir/clone.h"
#include "autodiff/emit.h"
#include "autodiff/rules.h"
#include "support/error.h"

namespace nnc::autodiff {

namespace {

using ir::Block;
using ir::Function;
using ir::Op;

class Forward {
public:
    Forward(Builder& b, const Activity& activity) : b_(b), activity_(activity) {}

    ir::ValueMap& map() { return map_; }
    void set_tangent(const Value* v, Value* t) { tangents_[v] = t; }

    // The tangent of `v`, or zeros of its copy's type when it does not vary.
    Value* tangent(const Value* v) {
        auto it = tangents_.find(v);
        return it != tangents_.end() ? it->second : zeros_like(b_, map_[v]);
    }

    // Copies the ops of `block` before its terminator, with their tangents.
    void block(const Block& block) {
        for (const Op* op : block.ops) {
            switch (op->kind) {
            case OpKind::Yield:
            case OpKind::Return: return;
            case OpKind::For:
            case OpKind::While: loop(*op); break;
            case OpKind::If: branch(*op); break;
            default: primitive(*op); break;
            }
        }
    }

private:
    void primitive(const Op& op) {
        Op* copy = ir::clone_op(b_, op, map_);
        if (op.results.size() != 1 || !activity_.varied(op.result())) return;
        const JvpRule rule = rules_for(op.kind).jvp;
        if (!rule) internal_error("no forward-mode rule for " + std::string(op_name(op.kind)));
        std::vector<Value*> operand_tangents;
        for (size_t i = 0; i < op.operands.size(); ++i) {
            auto it = tangents_.find(op.operands[i]);
            operand_tangents.push_back(carries_derivative(op.kind, i) && it != tangents_.end() ? it->second : nullptr);
        }
        const SourceRange outer_loc = b_.loc();
        b_.set_loc(op.loc);
        tangents_[op.result()] = rule(b_, *copy, operand_tangents);
        b_.set_loc(outer_loc);
    }

    // The indices of `op`'s results that vary.
    std::vector<size_t> varied_results(const Op& op) const {
        std::vector<size_t> out;
        for (size_t k = 0; k < op.results.size(); ++k)
            if (activity_.varied(op.results[k])) out.push_back(k);
        return out;
    }

    // Maps a region's arguments to `values` (values, then tangents of the varied ones).
    void bind(const Block& region, size_t first, const std::vector<size_t>& varied, std::span<Value* const> values) {
        const size_t n = region.args.size() - first;
        for (size_t k = 0; k < n; ++k) map_.set(region.args[first + k], values[k]);
        for (size_t a = 0; a < varied.size(); ++a) tangents_[region.args[first + varied[a]]] = values[n + a];
    }

    // What a region yields: its values, then the tangents of the varied ones.
    std::vector<Value*> yielded(const Block& region, const std::vector<size_t>& varied) {
        std::vector<Value*> out;
        const auto& operands = region.terminator()->operands;
        for (const Value* v : operands) out.push_back(map_[v]);
        for (size_t k : varied) out.push_back(tangent(operands[k]));
        return out;
    }

    void record(const Op& op, const std::vector<size_t>& varied, std::span<Value* const> results) {
        for (size_t k = 0; k < op.results.size(); ++k) map_.set(op.results[k], results[k]);
        for (size_t a = 0; a < varied.size(); ++a) tangents_[op.results[varied[a]]] = results[op.results.size() + a];
    }

    // for: operands (trip, inits...); while: operands (inits...), regions (cond, body).
    void loop(const Op& op) {
        const std::vector<size_t> varied = varied_results(op);
        const size_t first = op.kind == OpKind::For ? 1 : 0;
        std::vector<Value*> inits;
        for (size_t k = first; k < op.operands.size(); ++k) inits.push_back(map_[op.operands[k]]);
        for (size_t k : varied) inits.push_back(tangent(op.operands[first + k]));
        if (op.kind == OpKind::For) {
            const Block& body = *op.regions[0];
            const std::vector<Value*> results =
                b_.for_loop(map_[op.operands[0]], inits, [&](Builder&, Value* i, std::span<Value* const> carried) {
                    map_.set(body.args[0], i);
                    bind(body, 1, varied, carried);
                    block(body);
                    return yielded(body, varied);
                });
            record(op, varied, results);
            return;
        }
        std::vector<TensorType> types;
        for (const Value* v : inits) types.push_back(v->type());
        Op* copy = b_.insert(b_.function().new_op(OpKind::While, inits, types, {}, op.loc));
        Block* saved_block = b_.block();
        const size_t saved_pos = b_.position();
        for (const Block* region : op.regions) {
            Block* r = b_.function().new_block();
            r->parent_op = copy;
            copy->regions.push_back(r);
            for (const TensorType& t : types) b_.function().add_arg(r, t);
            b_.set_insertion_end(r);
            bind(*region, 0, varied, r->args);
            block(*region);
            if (region == op.regions[0]) b_.yield({map_[region->terminator()->operands[0]]});
            else b_.yield(yielded(*region, varied));
        }
        b_.set_insertion_before(saved_block, saved_pos);
        record(op, varied, copy->results);
    }

    void branch(const Op& op) {
        const std::vector<size_t> varied = varied_results(op);
        auto region = [&](const Block& r) {
            return [&](Builder&) {
                block(r);
                return yielded(r, varied);
            };
        };
        record(op, varied, b_.if_else(map_[op.operands[0]], region(*op.regions[0]), region(*op.regions[1])));
    }

    Builder& b_;
    const Activity& activity_;
    ir::ValueMap map_;
    std::unordered_map<const Value*, Value*> tangents_;
};

}  // namespace

std::unique_ptr<Function> jvp(const Function& f) {
    auto g = std::make_unique<Function>(f.name() + "_jvp");
    Builder b(*g);
    const Activity activity(f, std::vector<bool>(f.params().size(), true));
    Forward forward(b, activity);
    for (const Value* p : f.params()) forward.map().set(p, g->add_arg(g->body(), p->type()));
    for (const Value* p : f.params()) {
        Value* t = g->add_arg(g->body(), p->type());
        if (activity.varied(p)) forward.set_tangent(p, t);
    }
    forward.block(*f.body());
    std::vector<Value*> outputs;
    const auto& returned = f.body()->terminator()->operands;
    for (const Value* r : returned) outputs.push_back(forward.map()[r]);
    for (const Value* r : returned) outputs.push_back(forward.tangent(r));
    b.ret(outputs);
    return g;
}

}  // namespace nnc::autodiff
