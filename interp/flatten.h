// Flattening structured values into their tensor leaves and rebuilding
// them: the bridge between .nn values (tuples, lists, models) and IR
// functions, whose parameters and results are flat lists of tensors.
//
// Leaves are visited in a fixed order: tuple and list elements in order,
// model fields in declaration order (sub-models recursively). Everything
// else (numbers, strings, fns) is static: it is part of the structure.
#pragma once

#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "interp/value.h"

namespace nnc {

enum class LeafFilter {
    AllTensors,   // every tensor, including model buffers
    Params,       // only `param` fields of models (what gradients are taken of)
};

// Appends the tensor leaves of `v` to `leaves`.
void flatten(const Value& v, std::vector<Value>& leaves, LeafFilter filter = LeafFilter::AllTensors);

// The copies unflatten made, by the object they copy: given one, an object
// reached twice (an optimizer's `target` that is also an argument) has one
// copy, so the copies alias as the originals do.
using CopyMemo = std::map<const Object*, Value>;

// A copy of `like` whose leaves (as flatten visits them) are replaced by
// `leaves[pos...]`; advances `pos`. Models are copied (same class and
// constructor arguments), never modified. An object `memo` already holds
// is not copied again: its leaves are skipped (they repeat the copy's).
Value unflatten(const Value& like, std::span<const Value> leaves, size_t& pos,
                LeafFilter filter = LeafFilter::AllTensors, CopyMemo* memo = nullptr);

// Which objects `values` reach more than once, in flatten order ("3=1":
// the third object reached is the first): calls whose values alias alike
// can share a trace.
std::string alias_pattern(std::span<const Value* const> values);

// Describes each leaf of `v` (flatten order, AllTensors): a readable path
// (`m.fc1.w`, `pair[1]`) and whether gradients are taken of it (model
// params and plain tensors are; model buffers are not).
struct LeafInfo {
    std::string path;
    bool differentiable;
};
void describe_leaves(const Value& v, const std::string& path, std::vector<LeafInfo>& out);

// Pointers to the storage of `v`'s leaves, in flatten order (AllTensors),
// for writing results back into models in place (`v` itself when it is a tensor).
void leaf_slots(Value& v, std::vector<Value*>& slots);

// Whether `v` is a model or a tuple or list holding one.
bool holds_model(const Value& v);

// A key describing the structure, the static values and the leaf types of
// `v`: two values with the same key trace to the same IR.
std::string structure_key(const Value& v);

}  // namespace nnc
