// Function: ownership of ops, blocks and values; result and argument
// removal; use replacement.
#include "ir/function.h"

#include <stdexcept>

namespace nnc::ir {

Function::Function(std::string name) : name_(std::move(name)) { body_ = new_block(); }

std::vector<TensorType> Function::result_types() const {
    std::vector<TensorType> types;
    if (Op* ret = body_->terminator(); ret && ret->kind == OpKind::Return)
        for (Value* v : ret->operands) types.push_back(v->type());
    return types;
}

Block* Function::new_block() {
    blocks_.push_back(std::unique_ptr<Block>(new Block()));
    return blocks_.back().get();
}

Value* Function::add_arg(Block* b, TensorType t) {
    values_.push_back(std::unique_ptr<Value>(new Value(std::move(t), nullptr, b, static_cast<unsigned>(b->args.size()))));
    b->args.push_back(values_.back().get());
    return values_.back().get();
}

Op* Function::new_op(OpKind kind, std::vector<Value*> operands, std::vector<TensorType> result_types, Attrs attrs,
                     SourceRange loc) {
    ops_.push_back(std::unique_ptr<Op>(new Op(kind)));
    Op* op = ops_.back().get();
    op->operands = std::move(operands);
    op->attrs = std::move(attrs);
    op->loc = loc;
    for (auto& t : result_types) add_result(op, std::move(t));
    return op;
}

Value* Function::add_result(Op* op, TensorType t) {
    values_.push_back(std::unique_ptr<Value>(new Value(std::move(t), op, nullptr, static_cast<unsigned>(op->results.size()))));
    op->results.push_back(values_.back().get());
    return values_.back().get();
}

void Function::erase_result(Op* op, unsigned i) {
    op->results.erase(op->results.begin() + i);
    for (unsigned j = i; j < op->results.size(); ++j) op->results[j]->index_ = j;
}

void Function::erase_arg(Block* b, unsigned i) {
    b->args.erase(b->args.begin() + i);
    for (unsigned j = i; j < b->args.size(); ++j) b->args[j]->index_ = j;
}

void Function::replace_all_uses(Value* from, Value* to) {
    for (const auto& op : ops_)
        for (Value*& v : op->operands)
            if (v == from) v = to;
}

Function* Module::find(const std::string& name) const {
    for (const auto& f : functions)
        if (f->name() == name) return f.get();
    return nullptr;
}

}  // namespace nnc::ir
