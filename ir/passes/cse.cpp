// CSE: a scoped hash set of the ops seen so far, keyed on what makes two ops
// compute the same value, and a map from removed results to their
// replacements, applied to operands as the walk reaches them.
#include "ir/passes/cse.h"

#include <bit>
#include <cstring>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace nnc::ir {

namespace {

bool same_attr(const AttrValue& a, const AttrValue& b) {
    if (a.index() != b.index()) return false;
    if (const double* x = std::get_if<double>(&a))
        return std::bit_cast<uint64_t>(*x) == std::bit_cast<uint64_t>(std::get<double>(b));
    return a == b;
}

bool same_attrs(const Attrs& a, const Attrs& b) {
    if (a.items().size() != b.items().size()) return false;
    for (size_t i = 0; i < a.items().size(); ++i)
        if (a.items()[i].first != b.items()[i].first || !same_attr(a.items()[i].second, b.items()[i].second))
            return false;
    return true;
}

std::string_view bytes(const Tensor& t) {
    return {static_cast<const char*>(t.raw()), t.defined() ? static_cast<size_t>(t.nbytes()) : 0};
}

bool same_payload(const Tensor& a, const Tensor& b) {
    if (a.defined() != b.defined()) return false;
    return !a.defined() || (a.dtype() == b.dtype() && a.shape() == b.shape() && bytes(a) == bytes(b));
}

struct OpHash {
    size_t operator()(const Op* op) const {
        size_t h = std::hash<int>()(static_cast<int>(op->kind));
        auto mix = [&h](size_t x) { h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2); };
        for (const Value* v : op->operands) mix(std::hash<const Value*>()(v));
        for (const auto& [name, value] : op->attrs.items()) mix(std::hash<std::string>()(name));
        mix(std::hash<std::string_view>()(bytes(op->payload)));
        return h;
    }
};

struct OpEqual {
    bool operator()(const Op* a, const Op* b) const {
        if (a->kind != b->kind || a->operands != b->operands || a->results.size() != b->results.size()) return false;
        for (size_t i = 0; i < a->results.size(); ++i)
            if (a->results[i]->type() != b->results[i]->type()) return false;
        return same_attrs(a->attrs, b->attrs) && same_payload(a->payload, b->payload);
    }
};

bool mergeable(const Op* op) { return !is_control_flow(op->kind) && !is_random(op->kind); }

class CSE {
public:
    // Merges the ops of `b` with equivalent ones in scope; recurses into regions.
    void block(Block* b) {
        const size_t mark = scope_.size();
        std::vector<Op*> kept;
        for (Op* op : b->ops) {
            for (Value*& v : op->operands)
                if (auto it = replaced_.find(v); it != replaced_.end()) v = it->second;
            if (mergeable(op)) {
                auto [existing, inserted] = seen_.insert(op);
                if (!inserted) {
                    for (size_t i = 0; i < op->results.size(); ++i) replaced_[op->results[i]] = (*existing)->results[i];
                    continue;
                }
                scope_.push_back(op);
            }
            for (Block* r : op->regions) block(r);
            kept.push_back(op);
        }
        b->ops = std::move(kept);
        for (; scope_.size() > mark; scope_.pop_back()) seen_.erase(scope_.back());
    }

private:
    std::unordered_set<Op*, OpHash, OpEqual> seen_;   // the ops in scope
    std::vector<Op*> scope_;                          // seen_ in order of insertion
    std::unordered_map<Value*, Value*> replaced_;
};

}  // namespace

void cse(Function& f) { CSE().block(f.body()); }

}  // namespace nnc::ir
