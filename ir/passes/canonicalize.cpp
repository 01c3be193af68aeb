// Canonicalization: the rewrite rules, one table entry each, and the driver
// that applies them to every op until none fires.
#include "ir/passes/canonicalize.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace nnc::ir {

namespace {

// What rules may do besides editing the op they look at.
class Rewriter {
public:
    explicit Rewriter(Function& f) : f_(f) {}

    // The results of `op` become `values` when the types agree; `op` is then
    // erased (its block drops it at the end of the sweep).
    bool replace(Op* op, std::span<Value* const> values) {
        if (values.size() != op->results.size()) return false;
        for (size_t i = 0; i < values.size(); ++i)
            if (values[i]->type() != op->results[i]->type()) return false;
        for (size_t i = 0; i < values.size(); ++i) f_.replace_all_uses(op->results[i], values[i]);
        erased_.insert(op);
        return true;
    }
    bool replace(Op* op, Value* value) { return replace(op, std::span<Value* const>(&value, 1)); }

    // Moves the ops of `region`, but its terminator, to just before `op`.
    void hoist(Op* op, Block* region) {
        Block* b = op->parent;
        auto at = std::find(b->ops.begin(), b->ops.end(), op);
        std::vector<Op*> moved(region->ops.begin(), region->ops.end() - 1);
        for (Op* m : moved) m->parent = b;
        b->ops.insert(at, moved.begin(), moved.end());
        region->ops.erase(region->ops.begin(), region->ops.end() - 1);
    }

    bool erased(const Op* op) const { return erased_.count(op) > 0; }

private:
    Function& f_;
    std::unordered_set<const Op*> erased_;
};

// A rule rewrites `op` and returns true, or returns false when it does not apply.
using Rule = bool (*)(Rewriter&, Op*);

// --- matchers ----------------------------------------------------------------

Op* defined_by(const Value* v, OpKind kind) {
    Op* d = v->defining_op();
    return d && d->kind == kind ? d : nullptr;
}

// Whether `v` is a constant whose every element satisfies `pred`.
bool every(const Value* v, bool (*pred)(double x, DType dtype)) {
    const Op* c = defined_by(v, OpKind::Constant);
    if (!c) return false;
    for (int64_t i = 0; i < c->payload.numel(); ++i)
        if (!pred(c->payload.get(i), c->payload.dtype())) return false;
    return true;
}

bool one(double x, DType) { return x == 1; }    // 1, true
bool zero(double x, DType) { return x == 0; }   // 0, false
// The zero that x + 0 keeps x with: -0.0 for floats (-0.0 + +0.0 is +0.0).
bool additive_zero(double x, DType t) { return x == 0 && (!is_floating(t) || std::signbit(x)); }
// The zero that x - 0 keeps x with: +0.0 for floats (-0.0 - -0.0 is +0.0).
bool subtractive_zero(double x, DType t) { return x == 0 && !(is_floating(t) && std::signbit(x)); }

// Whether every dim is known or a symbol: two `_` dims may differ at run
// time, so equal types with `_` do not prove a broadcast left a shape alone.
bool no_unknown_dims(const TensorType& t) {
    return std::all_of(t.dims.begin(), t.dims.end(), [](const Dim& d) { return d.is_known() || d.is_symbol(); });
}

bool is_identity(const std::vector<int64_t>& perm) {
    for (size_t i = 0; i < perm.size(); ++i)
        if (perm[i] != static_cast<int64_t>(i)) return false;
    return true;
}

bool all_equal(const std::vector<int64_t>& values, int64_t v) {
    return std::all_of(values.begin(), values.end(), [v](int64_t x) { return x == v; });
}

// --- rules -------------------------------------------------------------------

template <bool (*Identity)(double, DType)> bool right_identity(Rewriter& r, Op* op) {
    return every(op->operands[1], Identity) && r.replace(op, op->operands[0]);
}
template <bool (*Identity)(double, DType)> bool left_identity(Rewriter& r, Op* op) {
    return every(op->operands[0], Identity) && r.replace(op, op->operands[1]);
}
bool same_operands(Rewriter& r, Op* op) {
    return op->operands[0] == op->operands[1] && r.replace(op, op->operands[0]);
}
bool involution(Rewriter& r, Op* op) {
    Op* inner = defined_by(op->operands[0], op->kind);
    return inner && r.replace(op, inner->operands[0]);
}
bool idempotent(Rewriter& r, Op* op) {
    Op* inner = defined_by(op->operands[0], op->kind);
    return inner && r.replace(op, inner->result());
}
// The op changes nothing when its result has its operand's type (replace checks).
bool no_op(Rewriter& r, Op* op) { return op->operands.size() == 1 && r.replace(op, op->operands[0]); }

bool whole_slice(Rewriter& r, Op* op) {
    return all_equal(op->attrs.get_ints("starts"), 0) && all_equal(op->attrs.get_ints("steps"), 1) &&
           r.replace(op, op->operands[0]);
}
bool zero_pad(Rewriter& r, Op* op) {
    return all_equal(op->attrs.get_ints("pads"), 0) && r.replace(op, op->operands[0]);
}
bool identity_permute(Rewriter& r, Op* op) {
    return is_identity(op->attrs.get_ints("perm")) && r.replace(op, op->operands[0]);
}
bool permute_of_permute(Rewriter& r, Op* op) {
    Op* inner = defined_by(op->operands[0], OpKind::Permute);
    if (!inner) return false;
    const std::vector<int64_t>& p = inner->attrs.get_ints("perm");
    const std::vector<int64_t>& q = op->attrs.get_ints("perm");
    std::vector<int64_t> composed(q.size());
    for (size_t i = 0; i < q.size(); ++i) composed[i] = p[static_cast<size_t>(q[i])];
    if (is_identity(composed)) return r.replace(op, inner->operands[0]);
    op->operands[0] = inner->operands[0];
    op->attrs.set("perm", composed);
    return true;
}
bool reshape_of_reshape(Rewriter&, Op* op) {
    Op* inner = defined_by(op->operands[0], OpKind::Reshape);
    if (!inner) return false;
    // A dim the outer reshape copies from the inner's result is the inner's entry for it.
    std::vector<int64_t> shape = op->attrs.get_ints("shape");
    const std::vector<int64_t>& inner_shape = inner->attrs.get_ints("shape");
    for (int64_t& n : shape)
        if (n < 0) n = inner_shape[static_cast<size_t>(-(n + 1))];
    op->operands[0] = inner->operands[0];
    op->attrs.set("shape", shape);
    return true;
}
bool where_constant_condition(Rewriter& r, Op* op) {
    if (!no_unknown_dims(op->result()->type())) return false;
    if (every(op->operands[0], one)) return r.replace(op, op->operands[1]);
    if (every(op->operands[0], zero)) return r.replace(op, op->operands[2]);
    return false;
}
bool where_same_branches(Rewriter& r, Op* op) {
    return op->operands[1] == op->operands[2] && no_unknown_dims(op->result()->type()) &&
           r.replace(op, op->operands[1]);
}
bool if_constant_condition(Rewriter& r, Op* op) {
    const bool is_true = every(op->operands[0], one);
    if (!is_true && !every(op->operands[0], zero)) return false;
    Block* taken = op->regions[is_true ? 0 : 1];
    if (!r.replace(op, taken->terminator()->operands)) return false;
    r.hoist(op, taken);
    return true;
}
bool for_zero_trips(Rewriter& r, Op* op) {
    return every(op->operands[0], zero) && r.replace(op, std::span<Value* const>(op->operands).subspan(1));
}

struct Entry {
    OpKind kind;
    Rule rule;
};

const Entry kRules[] = {
    // --- arithmetic identities (the constant is any shape whose elements all match)
    {OpKind::Add, right_identity<additive_zero>},      // x + 0 -> x     (ints; floats: -0.0 only)
    {OpKind::Add, left_identity<additive_zero>},       // 0 + x -> x     (ints; floats: -0.0 only)
    {OpKind::Sub, right_identity<subtractive_zero>},   // x - 0 -> x     (ints; floats: +0.0 only)
    {OpKind::Mul, right_identity<one>},                // x * 1 -> x
    {OpKind::Mul, left_identity<one>},                 // 1 * x -> x
    {OpKind::Div, right_identity<one>},                // x / 1 -> x
    {OpKind::Pow, right_identity<one>},                // x ** 1 -> x
    {OpKind::Maximum, same_operands},                  // maximum(x, x) -> x
    {OpKind::Minimum, same_operands},                  // minimum(x, x) -> x
    // --- logic
    {OpKind::LogicalAnd, right_identity<one>},         // x and true -> x
    {OpKind::LogicalAnd, left_identity<one>},          // true and x -> x
    {OpKind::LogicalAnd, same_operands},               // x and x -> x
    {OpKind::LogicalOr, right_identity<zero>},         // x or false -> x
    {OpKind::LogicalOr, left_identity<zero>},          // false or x -> x
    {OpKind::LogicalOr, same_operands},                // x or x -> x
    {OpKind::LogicalNot, involution},                  // not(not x) -> x
    // --- unary
    {OpKind::Neg, involution},                         // neg(neg x) -> x
    {OpKind::Abs, idempotent},                         // abs(abs x) -> abs x
    {OpKind::Relu, idempotent},                        // relu(relu x) -> relu x
    {OpKind::Cast, no_op},                             // cast x to its own dtype -> x
    // --- shape and layout
    {OpKind::Reshape, no_op},                          // reshape x to its own shape -> x
    {OpKind::Reshape, reshape_of_reshape},             // reshape(reshape x) -> reshape x
    {OpKind::BroadcastTo, no_op},                      // broadcast_to x to its own shape -> x
    {OpKind::Permute, identity_permute},               // permute x [0, 1, ..] -> x
    {OpKind::Permute, permute_of_permute},             // permute(permute x p) q -> permute x [p[q[i]]] (or x)
    {OpKind::Concat, no_op},                           // concat(x) -> x
    {OpKind::Slice, whole_slice},                      // x[0:n:1, ...] -> x
    {OpKind::Pad, zero_pad},                           // pad x by zeros -> x
    // --- selection and control flow
    {OpKind::Where, where_constant_condition},         // where(true, a, b) -> a;  where(false, a, b) -> b
    {OpKind::Where, where_same_branches},              // where(c, a, a) -> a
    {OpKind::If, if_constant_condition},               // if true {A} else {B} -> A, inlined
    {OpKind::For, for_zero_trips},                     // for 0 iter(inits) {..} -> inits
};

// Applies the rules to every op of `b` and its regions (inner ops first);
// returns whether any fired.
bool sweep(Block* b, Rewriter& r) {
    bool changed = false;
    for (size_t i = 0; i < b->ops.size(); ++i) {
        Op* op = b->ops[i];
        if (r.erased(op)) continue;
        for (Block* region : op->regions) changed |= sweep(region, r);
        for (const Entry& e : kRules) {
            if (e.kind == op->kind && e.rule(r, op)) {
                changed = true;
                break;
            }
        }
    }
    std::erase_if(b->ops, [&](Op* op) { return r.erased(op); });
    return changed;
}

}  // namespace

void canonicalize(Function& f) {
    Rewriter r(f);
    while (sweep(f.body(), r)) {
    }
}

}  // namespace nnc::ir
