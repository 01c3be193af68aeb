// Builder: creates ops at an insertion point, inferring result types with
// the op table's shape rules (core/shape_rules.h). The one way tracing,
// autodiff and passes make new IR.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "ir/function.h"

namespace nnc::ir {

class Builder {
public:
    explicit Builder(Function& f) : f_(f), block_(f.body()), pos_(f.body()->ops.size()) {}

    Function& function() const { return f_; }
    Block* block() const { return block_; }
    size_t position() const { return pos_; }
    // New ops go at the end of `b` / before position `pos` of `b`.
    void set_insertion_end(Block* b) { block_ = b, pos_ = b->ops.size(); }
    void set_insertion_before(Block* b, size_t pos) { block_ = b, pos_ = pos; }
    // Location stamped on new ops.
    void set_loc(SourceRange loc) { loc_ = loc; }
    SourceRange loc() const { return loc_; }

    // A primitive (not Constant, not control flow): result type from the
    // shape rule; throws ShapeError like infer_type.
    Value* op(OpKind kind, std::vector<Value*> operands, Attrs attrs = {});
    Value* constant(Tensor value);
    Value* scalar(double v, DType t);   // a rank-0 Constant

    // for i in 0..trip carrying `inits`: `body` receives the builder (set
    // inside the body), the index (i64 rank 0) and the carried values, and
    // returns the next carried values. Returns the final carried values.
    using LoopBody = std::function<std::vector<Value*>(Builder&, Value* index, std::span<Value* const> carried)>;
    std::vector<Value*> for_loop(Value* trip, std::vector<Value*> inits, const LoopBody& body);

    // if cond: each branch returns its yielded values (same types).
    using Branch = std::function<std::vector<Value*>(Builder&)>;
    std::vector<Value*> if_else(Value* cond, const Branch& then_branch, const Branch& else_branch);

    void yield(std::vector<Value*> values);
    void ret(std::vector<Value*> values);

    // Inserts an op created with Function::new_op at the insertion point.
    Op* insert(Op* op);

    // Restores the insertion point when it goes out of scope (also when an
    // exception leaves a region being built).
    class InsertionGuard {
    public:
        explicit InsertionGuard(Builder& b) : b_(b), block_(b.block_), pos_(b.pos_) {}
        ~InsertionGuard() { b_.block_ = block_, b_.pos_ = pos_; }
        InsertionGuard(const InsertionGuard&) = delete;
        InsertionGuard& operator=(const InsertionGuard&) = delete;

    private:
        Builder& b_;
        Block* block_;
        size_t pos_;
    };

private:
    Function& f_;
    Block* block_;
    size_t pos_;
    SourceRange loc_;
};

}  // namespace nnc::ir
