// Reverse mode (vjp, grad, value_and_grad): one traversal over the rules of
// rules.h. The forward sweep copies the function's ops, recording a tape;
// the backward sweep walks the tape in reverse, turning each op's result
// cotangent into cotangents of its operands, accumulated by addition.
//
// Regions are differentiated by recomputation. A `for` whose results vary
// is copied with one extra carried stack per body argument the body reads
// (a [trip, ...] buffer, slot i written with update_index at the start of
// iteration i; a value the body yields unchanged needs none); its backward
// is a reverse `for` whose iteration j recomputes body iteration
// i = trip - 1 - j from the stacked values (take), then runs the body's
// backward, carrying the cotangents of the loop-carried values and of the
// outer values the body reads. An `if` is copied as is; its backward is an
// `if` on the same condition whose branches recompute their forward and
// return the cotangents of the outer values they read.
#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "autodiff/activity.h"
#include "autodiff/autodiff.h"
#include "ir/clone.h"
#include "autodiff/emit.h"
#include "autodiff/rules.h"
#include "core/shape_rules.h"
#include "support/error.h"

namespace nnc::autodiff {

namespace {

using ir::Block;
using ir::Function;
using ir::Op;

// Values of the function being differentiated, to their cotangents in the
// function being built.
class Cotangents {
public:
    Value* get(const Value* v) const {
        auto it = map_.find(v);
        return it == map_.end() ? nullptr : it->second;
    }
    void add(Builder& b, const Value* v, Value* ct) {
        auto [it, inserted] = map_.emplace(v, ct);
        if (!inserted) it->second = accumulate(b, it->second, ct);
    }

private:
    std::unordered_map<const Value*, Value*> map_;
};

struct TapeEntry {
    const Op* op;                   // in the function being differentiated
    Op* copy;                       // its copy, whose values the rules read
    std::vector<size_t> stacked;    // for: the carried values with a stack ...
    std::vector<Value*> stacks;     // ... and the stacks
};
using Tape = std::vector<TapeEntry>;

// Values used inside `block` (and its nested regions) but defined outside it.
std::vector<const Value*> free_values(const Block& block) {
    std::vector<const Value*> out;
    std::unordered_set<const Value*> defined, seen;
    auto visit = [&](const Block& b, auto& self) -> void {
        defined.insert(b.args.begin(), b.args.end());
        for (const Op* op : b.ops) {
            for (const Value* v : op->operands)
                if (!defined.contains(v) && seen.insert(v).second) out.push_back(v);
            defined.insert(op->results.begin(), op->results.end());
            for (const Block* region : op->regions) self(*region, self);
        }
    };
    visit(block, visit);
    return out;
}

// Whether a `for` body yields carried value k unchanged (a tensor the loop
// only reads): every iteration sees its initial value, so it needs no stack.
bool invariant_carried(const Block& body, size_t k) { return body.terminator()->operands[k] == body.args[k + 1]; }

// The carried values (0-based) a `for` body reads other than by yielding
// them, and that change from one iteration to the next.
std::vector<size_t> read_carried(const Block& body) {
    std::unordered_set<const Value*> used;
    for (size_t i = 0; i + 1 < body.ops.size(); ++i) {
        const Op* op = body.ops[i];
        for (const Value* v : op->operands) used.insert(v);
        for (const Block* region : op->regions) {
            const std::vector<const Value*> inner = free_values(*region);
            used.insert(inner.begin(), inner.end());
        }
    }
    std::vector<size_t> read;
    for (size_t k = 1; k < body.args.size(); ++k)
        if (used.contains(body.args[k]) && !invariant_carried(body, k - 1)) read.push_back(k - 1);
    return read;
}

// The value of an integer rank-0 value when the IR fixes it.
std::optional<int64_t> static_int(const Value* v) {
    const Op* def = v->defining_op();
    if (!def) return std::nullopt;
    if (def->kind == OpKind::Constant && def->payload.numel() == 1) return def->payload.get_int(0);
    if (def->kind == OpKind::Full && def->attrs.get_ints("shape").empty())
        return static_cast<int64_t>(def->attrs.get_double("value"));
    if (def->kind == OpKind::DimSize) {
        const TensorType& x = def->operands[0]->type();
        const Dim& d = x.dims[normalize_axis(def->attrs.get_int("axis"), x.rank())];
        if (d.is_known()) return d.value();
    }
    return std::nullopt;
}

// Zeros of type [trip, like's dims...] in like's dtype, for a trip count
// known now.
Value* stack_zeros(Builder& b, int64_t trip, Value* like) {
    const TensorType& t = like->type();
    Shape shape{trip};
    if (t.fully_known()) {
        const Shape rest = t.concrete();
        shape.insert(shape.end(), rest.begin(), rest.end());
        return b.op(OpKind::Full, {}, Attrs{{"shape", shape}, {"value", 0.0}, {"dtype", t.dtype}});
    }
    shape.resize(static_cast<size_t>(t.rank()) + 1, 1);
    Value* column = b.op(OpKind::Full, {}, Attrs{{"shape", shape}, {"value", 0.0}, {"dtype", t.dtype}});
    return b.op(OpKind::BroadcastLike, {column, like});
}

// The same for a trip count that is the size of a dim (`for t in 0..T`):
// a full_like lending that dim and like's; null for any other trip count.
Value* stack_zeros(Builder& b, const Value* trip, Value* like) {
    const Op* def = trip->defining_op();
    if (!def || def->kind != OpKind::DimSize) return nullptr;
    Value* sized = def->operands[0];
    std::vector<int64_t> shape{-1 - normalize_axis(def->attrs.get_int("axis"), sized->type().rank())};
    for (int64_t d = 0; d < like->type().rank(); ++d) shape.push_back(-1 - (sized->type().rank() + d));
    return b.op(OpKind::FullLike, {sized, like}, Attrs{{"shape", shape}, {"value", 0.0}, {"dtype", like->type().dtype}});
}

Value* at(Builder& b, Value* stack, Value* i) { return b.op(OpKind::Take, {stack, i}, Attrs{{"axis", int64_t{0}}}); }

class Reverse {
public:
    Reverse(Builder& b, const Function& f, const Activity& activity) : b_(b), f_(f), activity_(activity) {}

    // Copies the ops of `block` before its terminator, mapping values in `map`.
    Tape forward(const Block& block, ir::ValueMap& map) {
        Tape tape;
        for (const Op* op : block.ops) {
            if (op->kind == OpKind::Yield || op->kind == OpKind::Return) break;
            TapeEntry entry{op, nullptr, {}, {}};
            if (op->kind == OpKind::For && varies(op->results)) forward_for(entry, map);
            else entry.copy = ir::clone_op(b_, *op, map);
            tape.push_back(std::move(entry));
        }
        return tape;
    }

    // Propagates `cts` back through the tape, whose values `map` maps.
    void backward(const Tape& tape, const ir::ValueMap& map, Cotangents& cts) {
        const SourceRange outer_loc = b_.loc();
        for (auto it = tape.rbegin(); it != tape.rend(); ++it) {
            b_.set_loc(it->op->loc);
            switch (it->op->kind) {
            case OpKind::For: backward_for(*it, map, cts); break;
            case OpKind::If: backward_if(*it, map, cts); break;
            case OpKind::While: backward_while(*it->op, cts); break;
            default: backward_primitive(*it, cts); break;
            }
        }
        b_.set_loc(outer_loc);
    }

private:
    bool varies(const std::vector<Value*>& values) const {
        for (const Value* v : values)
            if (activity_.varied(v)) return true;
        return false;
    }

    void backward_primitive(const TapeEntry& e, Cotangents& cts) {
        const Op& op = *e.op;
        Value* ct = op.results.size() == 1 ? cts.get(op.result()) : nullptr;
        if (!ct || !has_derivative(op.kind)) return;
        std::vector<bool> wanted(op.operands.size());
        bool any = false;
        for (size_t i = 0; i < wanted.size(); ++i)
            any |= wanted[i] = carries_derivative(op.kind, i) && activity_.varied(op.operands[i]);
        if (!any) return;
        const VjpRule rule = rules_for(op.kind).vjp;
        if (!rule) internal_error("no reverse-mode rule for " + std::string(op_name(op.kind)));
        const std::vector<Value*> operand_cts = rule(b_, *e.copy, ct, wanted);
        for (size_t i = 0; i < wanted.size(); ++i)
            if (wanted[i] && operand_cts[i]) cts.add(b_, op.operands[i], operand_cts[i]);
    }

    // The loop copied with a stack per carried value its body reads.
    void forward_for(TapeEntry& e, ir::ValueMap& map) {
        const Op& op = *e.op;
        const Block& body = *op.regions[0];
        const size_t n = op.results.size();
        e.stacked = read_carried(body);
        const std::optional<int64_t> trip = static_int(op.operands[0]);
        std::vector<Value*> inits;
        for (size_t k = 0; k < n; ++k) inits.push_back(map[op.operands[k + 1]]);
        for (size_t k : e.stacked) {
            Value* stack = trip ? stack_zeros(b_, std::max<int64_t>(*trip, 0), inits[k])
                                : stack_zeros(b_, map[op.operands[0]], inits[k]);
            if (!stack)
                throw ShapeError("for: reverse-mode differentiation of a loop in @" + f_.name() +
                                 " needs a trip count known at compile time or the size of a dim");
            inits.push_back(stack);
        }
        const std::vector<Value*> results =
            b_.for_loop(map[op.operands[0]], inits, [&](Builder& b, Value* i, std::span<Value* const> carried) {
                ir::ValueMap inner(&map);
                inner.set(body.args[0], i);
                for (size_t k = 0; k < n; ++k) inner.set(body.args[k + 1], carried[k]);
                std::vector<Value*> next;
                for (size_t s = 0; s < e.stacked.size(); ++s)
                    next.push_back(b.op(OpKind::UpdateIndex, {carried[n + s], carried[e.stacked[s]], i},
                                        Attrs{{"axis", int64_t{0}}}));
                for (size_t j = 0; j + 1 < body.ops.size(); ++j) ir::clone_op(b, *body.ops[j], inner);
                std::vector<Value*> yielded;
                for (const Value* v : body.terminator()->operands) yielded.push_back(inner[v]);
                yielded.insert(yielded.end(), next.begin(), next.end());
                return yielded;
            });
        for (size_t k = 0; k < n; ++k) map.set(op.results[k], results[k]);
        e.copy = results[0]->defining_op();
        e.stacks.assign(results.begin() + static_cast<std::ptrdiff_t>(n), results.end());
    }

    // The outer values `block` reads that vary (those that need cotangents).
    std::vector<const Value*> varied_free_values(const Block& block) const {
        std::vector<const Value*> out;
        for (const Value* v : free_values(block))
            if (activity_.varied(v)) out.push_back(v);
        return out;
    }

    void backward_for(const TapeEntry& e, const ir::ValueMap& map, Cotangents& cts) {
        const Op& op = *e.op;
        const Block& body = *op.regions[0];
        std::vector<size_t> active;   // carried values that vary
        bool seeded = false;
        for (size_t k = 0; k < op.results.size(); ++k) {
            if (!activity_.varied(op.results[k])) continue;
            active.push_back(k);
            seeded |= cts.get(op.results[k]) != nullptr;
        }
        if (!seeded) return;
        const std::vector<const Value*> outer = varied_free_values(body);
        std::vector<Value*> inits;
        for (size_t k : active) inits.push_back(or_zeros(b_, cts.get(op.results[k]), e.copy->results[k]));
        for (const Value* v : outer) inits.push_back(zeros_like(b_, map[v]));
        Value* trip = e.copy->operands[0];
        Value* last = sub(b_, trip, b_.scalar(1, DType::I64));
        const std::vector<Value*> results =
            b_.for_loop(trip, inits, [&](Builder& b, Value* j, std::span<Value* const> carried) {
                Value* i = sub(b, last, j);
                ir::ValueMap inner(&map);
                inner.set(body.args[0], i);
                for (size_t s = 0; s < e.stacked.size(); ++s) inner.set(body.args[e.stacked[s] + 1], at(b, e.stacks[s], i));
                for (size_t k = 0; k < op.results.size(); ++k)
                    if (invariant_carried(body, k)) inner.set(body.args[k + 1], map[op.operands[k + 1]]);
                const Tape tape = forward(body, inner);
                Cotangents local;
                const Op* yield = body.terminator();
                for (size_t a = 0; a < active.size(); ++a)
                    if (activity_.varied(yield->operands[active[a]])) local.add(b, yield->operands[active[a]], carried[a]);
                backward(tape, inner, local);
                std::vector<Value*> next;
                for (size_t a = 0; a < active.size(); ++a)
                    next.push_back(or_zeros(b, local.get(body.args[active[a] + 1]), carried[a]));
                for (size_t o = 0; o < outer.size(); ++o) {
                    Value* total = carried[active.size() + o];
                    Value* ct = local.get(outer[o]);
                    next.push_back(ct ? accumulate(b, total, ct) : total);
                }
                return next;
            });
        for (size_t a = 0; a < active.size(); ++a)
            if (activity_.varied(op.operands[active[a] + 1])) cts.add(b_, op.operands[active[a] + 1], results[a]);
        for (size_t o = 0; o < outer.size(); ++o) cts.add(b_, outer[o], results[active.size() + o]);
    }

    void backward_if(const TapeEntry& e, const ir::ValueMap& map, Cotangents& cts) {
        const Op& op = *e.op;
        std::vector<std::pair<size_t, Value*>> seeds;
        for (size_t k = 0; k < op.results.size(); ++k)
            if (Value* ct = activity_.varied(op.results[k]) ? cts.get(op.results[k]) : nullptr) seeds.emplace_back(k, ct);
        std::vector<const Value*> outer;
        for (const Block* branch : op.regions)
            for (const Value* v : varied_free_values(*branch))
                if (std::find(outer.begin(), outer.end(), v) == outer.end()) outer.push_back(v);
        if (seeds.empty() || outer.empty()) return;
        auto branch = [&](const Block& region) {
            return [&](Builder& b) {
                ir::ValueMap inner(&map);
                const Tape tape = forward(region, inner);
                Cotangents local;
                for (const auto& [k, ct] : seeds)
                    if (activity_.varied(region.terminator()->operands[k])) local.add(b, region.terminator()->operands[k], ct);
                backward(tape, inner, local);
                std::vector<Value*> out;
                for (const Value* v : outer) out.push_back(or_zeros(b, local.get(v), map[v]));
                return out;
            };
        };
        const std::vector<Value*> results = b_.if_else(e.copy->operands[0], branch(*op.regions[0]), branch(*op.regions[1]));
        for (size_t o = 0; o < outer.size(); ++o) cts.add(b_, outer[o], results[o]);
    }

    void backward_while(const Op& op, const Cotangents& cts) {
        for (const Value* r : op.results) {
            if (!activity_.varied(r) || !cts.get(r)) continue;
            std::string where = "in @" + f_.name();
            if (op.loc.valid())
                where += " (line " + std::to_string(op.loc.begin.line) + ", column " + std::to_string(op.loc.begin.col) + ")";
            throw ShapeError("while: cannot differentiate the while loop " + where +
                             " in reverse mode: its trip count is known only when it runs; "
                             "rewrite as a for loop with a fixed trip count");
        }
    }

    Builder& b_;
    const Function& f_;
    const Activity& activity_;
};

// What a reverse-mode function takes and returns: `f`'s parameters, then (for
// vjp) one cotangent per result, else the seed 1.0 for its one scalar result;
// it returns `f`'s results if asked, then the chosen parameters' cotangents.
struct Spec {
    std::string suffix;
    std::vector<bool> wrt;                 // per parameter: differentiate with respect to it
    std::vector<size_t> returned_grads;    // parameters whose cotangents are returned, in order
    bool return_values = false;            // return f's results first
    bool seed_params = false;              // one cotangent parameter per result (vjp), else 1.0
};

std::unique_ptr<Function> transform(const Function& f, const Spec& spec) {
    auto g = std::make_unique<Function>(f.name() + spec.suffix);
    Builder b(*g);
    ir::ValueMap map;
    for (const Value* p : f.params()) map.set(p, g->add_arg(g->body(), p->type()));
    const Op* ret = f.body()->terminator();
    std::vector<Value*> seeds;
    if (spec.seed_params)
        for (const Value* r : ret->operands) seeds.push_back(g->add_arg(g->body(), r->type()));

    const Activity activity(f, spec.wrt);
    Reverse reverse(b, f, activity);
    const Tape tape = reverse.forward(*f.body(), map);
    Cotangents cts;
    for (size_t k = 0; k < ret->operands.size(); ++k) {
        const Value* r = ret->operands[k];
        if (activity.varied(r)) cts.add(b, r, spec.seed_params ? seeds[k] : lit(b, 1, map[r]));
    }
    reverse.backward(tape, map, cts);

    std::vector<Value*> outputs;
    if (spec.return_values)
        for (const Value* r : ret->operands) outputs.push_back(map[r]);
    for (size_t i : spec.returned_grads) outputs.push_back(or_zeros(b, cts.get(f.params()[i]), map[f.params()[i]]));
    b.ret(outputs);
    return g;
}

Spec gradient_spec(const Function& f, std::span<const size_t> argnums, bool with_value, const char* what) {
    const std::vector<TensorType> results = f.result_types();
    if (results.size() != 1 || results[0].rank() != 0 || !is_floating(results[0].dtype)) {
        std::string types;
        for (const TensorType& t : results) types += (types.empty() ? "" : ", ") + t.str();
        throw ShapeError(std::string(what) + ": @" + f.name() + " must return one float scalar, but returns (" + types + ")");
    }
    Spec spec{with_value ? "_value_and_grad" : "_grad", std::vector<bool>(f.params().size(), false), {}, with_value, false};
    for (size_t i : argnums) {
        if (i >= f.params().size())
            throw ShapeError(std::string(what) + ": argument number " + std::to_string(i) + " is out of range for @" +
                             f.name() + " with " + std::to_string(f.params().size()) + " parameters");
        spec.wrt[i] = true;
        spec.returned_grads.push_back(i);
    }
    return spec;
}

}  // namespace

std::unique_ptr<Function> vjp(const Function& f) {
    Spec spec{"_vjp", std::vector<bool>(f.params().size(), true), {}, true, true};
    for (size_t i = 0; i < f.params().size(); ++i) spec.returned_grads.push_back(i);
    return transform(f, spec);
}

std::unique_ptr<Function> grad(const Function& f, std::span<const size_t> argnums) {
    return transform(f, gradient_spec(f, argnums, false, "grad"));
}

std::unique_ptr<Function> value_and_grad(const Function& f, std::span<const size_t> argnums) {
    return transform(f, gradient_spec(f, argnums, true, "value_and_grad"));
}

}  // namespace nnc::autodiff
