// Dead code elimination: use counts, a backward sweep per block, and the
// pruning of unused loop-carried values and `if` results, repeated until
// nothing changes.
#include "ir/passes/dce.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace nnc::ir {

namespace {

class UseCounts {
public:
    explicit UseCounts(const Function& f) {
        walk(f.body(), [&](Op* op) {
            for (Value* v : op->operands) ++counts_[v];
        });
    }
    int operator[](const Value* v) const {
        auto it = counts_.find(v);
        return it == counts_.end() ? 0 : it->second;
    }
    // `op` and the ops of its regions no longer use their operands.
    void forget(const Op* op) {
        for (Value* v : op->operands) --counts_[v];
        for (const Block* r : op->regions)
            for (const Op* inner : r->ops) forget(inner);
    }

private:
    std::unordered_map<const Value*, int> counts_;
};

bool is_terminator(OpKind kind) { return kind == OpKind::Yield || kind == OpKind::Return; }

bool unused(const Op* op, const UseCounts& uses) {
    return std::all_of(op->results.begin(), op->results.end(), [&](const Value* v) { return uses[v] == 0; });
}

// The yield ending `b` when it has one slot per value in `slots`, else null.
Op* yield_with(const Block* b, size_t slots) {
    Op* t = b->terminator();
    return t && t->kind == OpKind::Yield && t->operands.size() == slots ? t : nullptr;
}

// Adds what `op` reads (operands, and values used inside its regions) to `needed`.
void mark_needed(const Op* op, std::unordered_set<const Value*>& needed) {
    needed.insert(op->operands.begin(), op->operands.end());
    for (const Block* r : op->regions)
        for (const Op* inner : r->ops) mark_needed(inner, needed);
}

// The values a loop body reads to compute the live slots of its yield.
std::unordered_set<const Value*> needed_in(const Block* body, const Op* yield, const std::vector<bool>& live) {
    std::unordered_set<const Value*> needed;
    for (size_t i = 0; i < live.size(); ++i)
        if (live[i]) needed.insert(yield->operands[i]);
    for (auto it = body->ops.rbegin(); it != body->ops.rend(); ++it)
        if (std::any_of((*it)->results.begin(), (*it)->results.end(), [&](const Value* v) { return needed.count(v); }))
            mark_needed(*it, needed);
    return needed;
}

// Which carried values of a for or while loop are live: read after the
// loop, read by a while's condition, or needed in the body to compute a
// live one. The body's argument for slot i is `body->args[first_arg + i]`.
std::vector<bool> live_slots(const Op* loop, const Block* body, size_t first_arg, const Op* yield,
                             const UseCounts& uses) {
    const size_t n = loop->results.size();
    std::vector<bool> live(n);
    for (size_t i = 0; i < n; ++i)
        live[i] = uses[loop->results[i]] > 0 || (loop->kind == OpKind::While && uses[loop->regions[0]->args[i]] > 0);
    for (bool grew = true; grew;) {
        grew = false;
        const std::unordered_set<const Value*> needed = needed_in(body, yield, live);
        for (size_t i = 0; i < n; ++i)
            if (!live[i] && needed.count(body->args[first_arg + i])) live[i] = grew = true;
    }
    return live;
}

// Removes the dead carried values of a `for` (body args are (index, carried...)).
bool prune_for(Function& f, Op* op, const UseCounts& uses) {
    const size_t n = op->results.size();
    Block* body = op->regions[0];
    Op* yield = yield_with(body, n);
    if (!yield || op->operands.size() != n + 1 || body->args.size() != n + 1) return false;
    const std::vector<bool> live = live_slots(op, body, 1, yield, uses);
    bool changed = false;
    for (size_t i = n; i-- > 0;) {
        if (live[i]) continue;
        f.erase_result(op, static_cast<unsigned>(i));
        f.erase_arg(body, static_cast<unsigned>(i + 1));
        op->operands.erase(op->operands.begin() + static_cast<std::ptrdiff_t>(i + 1));
        yield->operands.erase(yield->operands.begin() + static_cast<std::ptrdiff_t>(i));
        changed = true;
    }
    return changed;
}

// Removes the dead carried values of a `while` (cond and body take the carried values).
bool prune_while(Function& f, Op* op, const UseCounts& uses) {
    const size_t n = op->results.size();
    Block* cond = op->regions[0];
    Block* body = op->regions[1];
    Op* yield = yield_with(body, n);
    if (!yield || op->operands.size() != n || cond->args.size() != n || body->args.size() != n) return false;
    const std::vector<bool> live = live_slots(op, body, 0, yield, uses);
    bool changed = false;
    for (size_t i = n; i-- > 0;) {
        if (live[i]) continue;
        f.erase_result(op, static_cast<unsigned>(i));
        f.erase_arg(cond, static_cast<unsigned>(i));
        f.erase_arg(body, static_cast<unsigned>(i));
        op->operands.erase(op->operands.begin() + static_cast<std::ptrdiff_t>(i));
        yield->operands.erase(yield->operands.begin() + static_cast<std::ptrdiff_t>(i));
        changed = true;
    }
    return changed;
}

// Removes unused results of an `if` and what its branches yield for them.
bool prune_if(Function& f, Op* op, const UseCounts& uses) {
    const size_t n = op->results.size();
    Op* yields[] = {yield_with(op->regions[0], n), yield_with(op->regions[1], n)};
    if (!yields[0] || !yields[1]) return false;
    bool changed = false;
    for (size_t i = n; i-- > 0;) {
        if (uses[op->results[i]]) continue;
        f.erase_result(op, static_cast<unsigned>(i));
        for (Op* y : yields) y->operands.erase(y->operands.begin() + static_cast<std::ptrdiff_t>(i));
        changed = true;
    }
    return changed;
}

bool prune(Function& f, Op* op, const UseCounts& uses) {
    switch (op->kind) {
    case OpKind::For: return op->regions.size() == 1 && prune_for(f, op, uses);
    case OpKind::While: return op->regions.size() == 2 && prune_while(f, op, uses);
    case OpKind::If: return op->regions.size() == 2 && prune_if(f, op, uses);
    default: return false;
    }
}

// Removes the dead ops of `b` and of the regions of its live ops, last op
// first, so the operands of a removed op may die with it in the same sweep.
bool sweep(Block* b, UseCounts& uses) {
    bool changed = false;
    std::vector<Op*> kept;
    for (auto it = b->ops.rbegin(); it != b->ops.rend(); ++it) {
        Op* op = *it;
        if (!is_terminator(op->kind) && unused(op, uses)) {
            uses.forget(op);
            changed = true;
            continue;
        }
        for (Block* r : op->regions) changed |= sweep(r, uses);
        kept.push_back(op);
    }
    std::reverse(kept.begin(), kept.end());
    b->ops = std::move(kept);
    return changed;
}

}  // namespace

void dce(Function& f) {
    for (bool changed = true; changed;) {
        UseCounts uses(f);
        changed = false;
        walk(f.body(), [&](Op* op) { changed |= prune(f, op, uses); });
        changed |= sweep(f.body(), uses);
    }
}

}  // namespace nnc::ir
