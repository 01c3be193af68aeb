// Derivative rules of the indexing ops, all linear in their data operands
// (indices carry no derivative). Reading and accumulating are transposes of
// each other: gather <-> scatter_add, take <-> index_add; update_index splits
// its cotangent into the overwritten slot and the rest.
#include "autodiff/emit.h"
#include "autodiff/rules.h"

namespace nnc::autodiff {

namespace {

using ir::Op;

// update_index(x, v, i): x keeps the cotangent outside slot i, v gets slot i.
std::vector<Value*> update_index_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>& wanted) {
    Value *v = op.operands[1], *index = op.operands[2];
    return {wanted[0] ? b.op(OpKind::UpdateIndex, {ct, zeros_like(b, v), index}, op.attrs) : nullptr,
            wanted[1] ? cast_to(b, b.op(OpKind::Take, {ct, index}, op.attrs), v->type().dtype) : nullptr, nullptr};
}

// gather / take (x, index): the cotangent added into zeros where x was read.
template <OpKind Accumulate>
std::vector<Value*> read_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    Value* x = op.operands[0];
    return {b.op(Accumulate, {zeros_like(b, x), op.operands[1], ct}, op.attrs), nullptr};
}

// scatter_add / index_add (x, index, updates): x passes the cotangent
// through; the updates read it back where they were added.
template <OpKind Read>
std::vector<Value*> accumulate_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>& wanted) {
    Value* updates = op.operands[2];
    return {wanted[0] ? ct : nullptr, nullptr,
            wanted[2] ? cast_to(b, b.op(Read, {ct, op.operands[1]}, op.attrs), updates->type().dtype) : nullptr};
}

}  // namespace

void add_index_rules(RuleTable& table) {
    auto set = [&](OpKind k, VjpRule vjp) { table[static_cast<size_t>(k)] = {vjp, linear_jvp}; };
    using enum OpKind;
    set(UpdateIndex, update_index_vjp);
    set(Gather, read_vjp<ScatterAdd>);
    set(Take, read_vjp<IndexAdd>);
    set(ScatterAdd, accumulate_vjp<Gather>);
    set(IndexAdd, accumulate_vjp<Take>);
}

}  // namespace nnc::autodiff
