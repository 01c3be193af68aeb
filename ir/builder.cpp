// Builder: op creation with inferred types, and structured control flow.
#include "ir/builder.h"

#include "core/shape_rules.h"

namespace nnc::ir {

Op* Builder::insert(Op* op) {
    op->parent = block_;
    block_->ops.insert(block_->ops.begin() + static_cast<std::ptrdiff_t>(pos_), op);
    ++pos_;
    return op;
}

Value* Builder::op(OpKind kind, std::vector<Value*> operands, Attrs attrs) {
    std::vector<TensorType> types;
    for (Value* v : operands) types.push_back(v->type());
    TensorType result = infer_type(kind, types, attrs);
    return insert(f_.new_op(kind, std::move(operands), {std::move(result)}, std::move(attrs), loc_))->result();
}

Value* Builder::constant(Tensor value) {
    Op* op = f_.new_op(OpKind::Constant, {}, {value.type()}, {}, loc_);
    op->payload = std::move(value);
    return insert(op)->result();
}

Value* Builder::scalar(double v, DType t) { return constant(Tensor::scalar(v, t)); }

std::vector<Value*> Builder::for_loop(Value* trip, std::vector<Value*> inits, const LoopBody& body) {
    std::vector<Value*> operands{trip};
    std::vector<TensorType> types;
    for (Value* v : inits) operands.push_back(v), types.push_back(v->type());
    Op* loop = f_.new_op(OpKind::For, operands, types, {}, loc_);
    Block* b = f_.new_block();
    b->parent_op = loop;
    loop->regions.push_back(b);
    Value* index = f_.add_arg(b, TensorType{DType::I64, {}});
    for (Value* v : inits) f_.add_arg(b, v->type());
    insert(loop);

    InsertionGuard guard(*this);
    set_insertion_end(b);
    std::vector<Value*> next = body(*this, index, std::span<Value* const>(b->args).subspan(1));
    yield(std::move(next));
    return loop->results;
}

std::vector<Value*> Builder::if_else(Value* cond, const Branch& then_branch, const Branch& else_branch) {
    Op* op = insert(f_.new_op(OpKind::If, {cond}, {}, {}, loc_));
    InsertionGuard guard(*this);
    for (const Branch* branch : {&then_branch, &else_branch}) {
        Block* b = f_.new_block();
        b->parent_op = op;
        op->regions.push_back(b);
        set_insertion_end(b);
        std::vector<Value*> values = (*branch)(*this);
        if (branch == &then_branch)
            for (Value* v : values) f_.add_result(op, v->type());
        yield(std::move(values));
    }
    return op->results;
}

void Builder::yield(std::vector<Value*> values) { insert(f_.new_op(OpKind::Yield, std::move(values), {}, {}, loc_)); }
void Builder::ret(std::vector<Value*> values) { insert(f_.new_op(OpKind::Return, std::move(values), {}, {}, loc_)); }

}  // namespace nnc::ir
