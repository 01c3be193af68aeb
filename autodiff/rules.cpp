// The derivative table, assembled from the op families' files; which ops
// and operands carry derivatives at all is the Grads column of ops.def.
#include "autodiff/rules.h"

#include "autodiff/emit.h"

namespace nnc::autodiff {

namespace {

const RuleTable kTable = [] {
    RuleTable table{};
    add_elementwise_rules(table);
    add_reduce_rules(table);
    add_shape_rules(table);
    add_index_rules(table);
    add_nn_rules(table);
    return table;
}();

}  // namespace

const Rules& rules_for(OpKind kind) { return kTable[static_cast<size_t>(kind)]; }

bool has_derivative(OpKind kind) { return op_differentiable(kind); }

bool carries_derivative(OpKind kind, size_t i) { return operand_differentiable(kind, i); }

ir::Value* linear_jvp(ir::Builder& b, const ir::Op& op, std::span<ir::Value* const> tangents) {
    std::vector<ir::Value*> operands;
    for (size_t i = 0; i < op.operands.size(); ++i)
        operands.push_back(carries_derivative(op.kind, i) ? or_zeros(b, tangents[i], op.operands[i]) : op.operands[i]);
    return b.op(op.kind, std::move(operands), op.attrs);
}

}  // namespace nnc::autodiff
