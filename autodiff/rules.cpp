// The derivative table, assembled from the op families' files, and which
// ops and operands carry derivatives at all.
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

bool has_derivative(OpKind kind) {
    using enum OpKind;
    switch (kind) {
    // no operands: nothing to differentiate with respect to
    case Constant: case Full: case Arange: case Eye: case RandUniform: case RandNormal:
    // the operands lend only their dims
    case FullLike:
    // piecewise constant, or bool / integer results
    case Sign: case LogicalNot: case Eq: case Ne: case Lt: case Le: case Gt: case Ge:
    case LogicalAnd: case LogicalOr: case ArgMax: case ArgMin: case DimSize: case OneHot:
    // zero by definition
    case StopGradient:
        return false;
    default:
        return !is_control_flow(kind);
    }
}

bool carries_derivative(OpKind kind, size_t i) {
    using enum OpKind;
    switch (kind) {
    case Where: return i != 0;                                   // the condition
    case Gather: case Take: return i == 0;                       // the index
    case UpdateIndex: return i != 2;
    case ScatterAdd: case IndexAdd: return i != 1;
    case BroadcastLike: case SumLike: return i == 0;             // `like` gives only its shape
    case MaxPool2dGrad: case MaxPool2dSelect: return i == 1;     // x only chooses the positions
    default: return true;
    }
}

ir::Value* linear_jvp(ir::Builder& b, const ir::Op& op, std::span<ir::Value* const> tangents) {
    std::vector<ir::Value*> operands;
    for (size_t i = 0; i < op.operands.size(); ++i)
        operands.push_back(carries_derivative(op.kind, i) ? or_zeros(b, tangents[i], op.operands[i]) : op.operands[i]);
    return b.op(op.kind, std::move(operands), op.attrs);
}

}  // namespace nnc::autodiff
