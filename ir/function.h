// The tensor IR: typed SSA values, operations from the op table, blocks and
// functions, in the style of MLIR's structured control flow.
//
//   func @loss(%x: f32[B, 3], %w: f32[3, 1]) -> f32 {
//     %0 = matmul %x, %w : f32[B, 1]
//     %1 = reduce_mean %0 {axes = [], keepdim = false} : f32
//     return %1
//   }
//
// Every value is a tensor (host values fold away while tracing); shapes may
// be symbolic (`B`), bound by the function's parameter types. `for`, `if`
// and `while` own regions of one block each, ended by `yield`; a function
// body ends with `return`. A Function owns all its ops, blocks and values;
// passes edit blocks' op lists in place (erased ops stay owned, unused).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "support/source.h"
#include "core/attrs.h"
#include "core/op_kind.h"
#include "core/shape.h"
#include "runtime/tensor.h"

namespace nnc::ir {

class Op;
class Block;

// An SSA value: an op result or a block argument.
class Value {
public:
    const TensorType& type() const { return type_; }
    Op* defining_op() const { return op_; }        // null for block arguments
    Block* owner_block() const { return block_; }  // set for block arguments
    unsigned index() const { return index_; }      // result or argument number

    // A readable name for the printer (`%x` rather than `%3`), e.g. the .nn
    // variable it came from; empty = numbered. Not required to be unique.
    const std::string& name_hint() const { return name_hint_; }
    void set_name_hint(std::string name) { name_hint_ = std::move(name); }

private:
    friend class Function;
    Value(TensorType t, Op* op, Block* block, unsigned index) : type_(std::move(t)), op_(op), block_(block), index_(index) {}
    TensorType type_;
    Op* op_;
    Block* block_;
    unsigned index_;
    std::string name_hint_;
};

// One operation. `regions` are the blocks of for/if/while, in order:
// for: {body}; if: {then, else}; while: {cond, body}.
class Op {
public:
    OpKind kind;
    std::vector<Value*> operands;
    std::vector<Value*> results;
    Attrs attrs;
    std::vector<Block*> regions;
    Tensor payload;        // the value of a Constant
    SourceRange loc;       // the .nn source that produced it (may be invalid)
    Block* parent = nullptr;

    Value* result(unsigned i = 0) const { return results[i]; }

private:
    friend class Function;
    explicit Op(OpKind k) : kind(k) {}
};

// A straight-line list of ops with arguments; the last op is a terminator
// (yield or return).
class Block {
public:
    std::vector<Value*> args;
    std::vector<Op*> ops;
    Op* parent_op = nullptr;   // the op owning this region; null for a function body

    Op* terminator() const { return ops.empty() ? nullptr : ops.back(); }

private:
    friend class Function;
    Block() = default;
};

class Function {
public:
    explicit Function(std::string name);
    Function(const Function&) = delete;
    Function& operator=(const Function&) = delete;

    const std::string& name() const { return name_; }
    void set_name(std::string n) { name_ = std::move(n); }
    Block* body() const { return body_; }
    std::span<Value* const> params() const { return body_->args; }
    // Types of what `return` returns.
    std::vector<TensorType> result_types() const;

    // Creation. New ops are not in any block until inserted (Builder does both).
    Block* new_block();
    Value* add_arg(Block* b, TensorType t);
    Op* new_op(OpKind kind, std::vector<Value*> operands, std::vector<TensorType> result_types, Attrs attrs = {},
               SourceRange loc = {});

    // Appends a result to an existing op (for ops whose result types are
    // known only after their regions are built, like `if`).
    Value* add_result(Op* op, TensorType t);

    // Removes result `i` of `op` / argument `i` of `b` (which must be
    // unused), renumbering the ones after it.
    void erase_result(Op* op, unsigned i);
    void erase_arg(Block* b, unsigned i);

    // Replaces every use of `from` (in all blocks) by `to`.
    void replace_all_uses(Value* from, Value* to);

private:
    std::string name_;
    Block* body_;
    std::vector<std::unique_ptr<Op>> ops_;
    std::vector<std::unique_ptr<Block>> blocks_;
    std::vector<std::unique_ptr<Value>> values_;
};

// A set of functions (what the printer prints and the parser reads).
struct Module {
    std::vector<std::unique_ptr<Function>> functions;
    Function* find(const std::string& name) const;
};

// Calls `fn` on every op in `block` and, recursively, in the regions of its
// ops, in order (pre-order).
template <class F> void walk(Block* block, F&& fn) {
    for (Op* op : block->ops) {
        fn(op);
        for (Block* r : op->regions) walk(r, fn);
    }
}

}  // namespace nnc::ir
