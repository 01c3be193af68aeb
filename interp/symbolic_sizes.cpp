// Symbolic sizes: while tracing, the size of a symbolic dimension (`B` in
// `fn f(x: f32[B, 8])`, `x.shape[0]`, `len(x)`) is an Unknown carrying the
// IR value that computes it (`dim x, axis`). Adding, subtracting and
// multiplying such sizes stays in the IR; so does meeting a tensor (`h / T`),
// indexing with one (`x[:, T - 1]`), looping over `a..b` (exec_for) and
// filling a shape with one (`zeros([B, 16])` is a `full_like` of the tensors
// that lend the dims, `rand([B, 16])` a `rand` lent them likewise). Any
// other use needs the int itself, and the call is traced again with
// concrete shapes, as before.
#include "interp/interpreter.h"
#include "ir/builder.h"
#include "core/shape_rules.h"

namespace nnc {

Value Interpreter::dim_size(const Value& tensor, int64_t axis, SourceRange where) {
    const Dim d = tensor.tensor_type().dims[static_cast<size_t>(axis)];
    if (d.is_known()) return Value(d.value());
    if (mode_ != Mode::Trace || !tensor.is<AbstractTensor>() || !tensor.as<AbstractTensor>().ir) return Value(UnknownValue{});
    builder_->set_loc(where);
    return Value(UnknownValue{builder_->op(OpKind::DimSize, {tensor.as<AbstractTensor>().ir}, Attrs{{"axis", axis}})});
}

Value Interpreter::size_tensor(const Value& size) {
    if (is_symbolic_size(size)) return Value(AbstractTensor{TensorType{DType::I64, {}}, size.as<UnknownValue>().size, true});
    return size;
}

std::optional<Value> Interpreter::size_arithmetic(ast::BinaryOp op, const Value& a, const Value& b, SourceRange where) {
    if (mode_ != Mode::Trace || !(is_symbolic_size(a) || is_symbolic_size(b))) return std::nullopt;
    auto sized_or_int = [](const Value& v) { return is_symbolic_size(v) || v.is<int64_t>(); };
    if (!sized_or_int(a) || !sized_or_int(b)) {
        if ((a.is_tensor() || b.is_tensor()) && op != ast::BinaryOp::MatMul)
            return binary(op, size_tensor(a), size_tensor(b), where);   // `h / T`: the size meets a tensor as an int would
        return std::nullopt;
    }
    OpKind kind;
    switch (op) {
    case ast::BinaryOp::Add: kind = OpKind::Add; break;
    case ast::BinaryOp::Sub: kind = OpKind::Sub; break;
    case ast::BinaryOp::Mul: kind = OpKind::Mul; break;
    case ast::BinaryOp::FloorDiv: kind = OpKind::FloorDiv; break;   // `T // 2` stays a size
    default: return std::nullopt;   // comparisons, true division: the int itself
    }
    auto operand = [&](const Value& v) {
        return is_symbolic_size(v) ? v.as<UnknownValue>().size : builder_->scalar(static_cast<double>(v.as<int64_t>()), DType::I64);
    };
    builder_->set_loc(where);
    ir::Value* x = operand(a);
    ir::Value* y = operand(b);
    return Value(UnknownValue{builder_->op(kind, {x, y})});
}

std::optional<Interpreter::LentShape> Interpreter::lent_shape(const Value& shape, SourceRange where) {
    const std::vector<Value>* items = sequence_elements(shape);
    if (mode_ != Mode::Trace || !items) return std::nullopt;
    bool any = false;
    for (const Value& v : *items) any = any || is_symbolic_size(v);
    if (!any) return std::nullopt;
    // Each size must be a dim of a traced tensor; that tensor lends it.
    LentShape lent;
    int64_t lent_dims = 0;
    for (const Value& v : *items) {
        if (v.is<int64_t>()) {
            if (v.as<int64_t>() < 0) return std::nullopt;   // the builtin reports it
            lent.entries.push_back(v.as<int64_t>());
            continue;
        }
        const ir::Op* def = is_symbolic_size(v) ? v.as<UnknownValue>().size->defining_op() : nullptr;
        if (!def || def->kind != OpKind::DimSize)
            throw TraceFailure{where, "a shape computed from the size of a symbolic dimension"};
        ir::Value* lender = def->operands[0];
        const int64_t axis = normalize_axis(def->attrs.get_int("axis"), lender->type().rank());
        lent.lenders.push_back(traced(lender));
        lent.entries.push_back(-1 - (lent_dims + axis));
        lent_dims += lender->type().rank();
    }
    return lent;
}

}  // namespace nnc
