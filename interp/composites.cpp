// Compositions of primitives shared by builtins.
#include "interp/composites.h"

#include <algorithm>

#include "core/shape_rules.h"

namespace nnc {

Value reshape_to(Interpreter& in, const Value& x, const std::vector<Dim>& dims, SourceRange where) {
    if (x.is_unknown()) return x;
    // Symbolic dims the result keeps are copies of the operand's (shape_rules.h).
    std::optional<std::vector<int64_t>> shape = reshape_attr(x.tensor_type(), dims);
    if (!shape) return Value(AbstractTensor{{x.tensor_type().dtype, dims}});
    return in.apply(OpKind::Reshape, {x}, Attrs{{"shape", *shape}}, where);
}

Value cast_to(Interpreter& in, const Value& x, DType t, SourceRange where) {
    if (x.is_unknown() || x.tensor_type().dtype == t) return x;
    return in.apply(OpKind::Cast, {x}, Attrs{{"dtype", t}}, where);
}

Value scalar_like(Interpreter& in, double v, DType t, SourceRange where) {
    return in.apply(OpKind::Full, {}, Attrs{{"shape", std::vector<int64_t>{}}, {"value", v}, {"dtype", t}}, where);
}

Value random_tensor(Interpreter& in, OpKind kind, const std::vector<int64_t>& shape, std::vector<Value> lenders,
                    const Value& seed, DType t, SourceRange where) {
    std::vector<Value> operands{in.to_tensor(seed, DType::I64, where)};
    operands.insert(operands.end(), std::make_move_iterator(lenders.begin()), std::make_move_iterator(lenders.end()));
    return in.apply(kind, std::move(operands), Attrs{{"shape", shape}, {"dtype", t}}, where);
}

std::vector<bool> reduced_mask(const TensorType& t, const std::optional<std::vector<int64_t>>& axes, SourceRange where) {
    try {   // the reductions' own rule (core/shape_rules.h)
        return reduced_axes(OpKind::ReduceSum, t, Attrs{{"axes", axes.value_or(std::vector<int64_t>{})}});
    } catch (const ShapeError& e) {
        throw CompileError(where, e.what());
    }
}

std::vector<Dim> reduced_dims(const TensorType& t, const std::optional<std::vector<int64_t>>& axes, bool keepdim,
                              SourceRange where) {
    const std::vector<bool> reduced = reduced_mask(t, axes, where);
    std::vector<Dim> out;
    for (int64_t i = 0; i < t.rank(); ++i) {
        if (!reduced[i]) out.push_back(t.dims[i]);
        else if (keepdim) out.push_back(Dim::known(1));
    }
    return out;
}

Value is_finite(Interpreter& in, const Value& x, SourceRange where) {
    return in.elementwise(OpKind::Eq, in.elementwise(OpKind::Sub, x, x, where), Value(0.0), where);
}

Value reduce(Interpreter& in, OpKind kind, const Value& x, const std::optional<std::vector<int64_t>>& axes, bool keepdim,
             SourceRange where) {
    return in.apply(kind, {x}, Attrs{{"axes", axes.value_or(std::vector<int64_t>{})}, {"keepdim", keepdim}}, where);
}

}  // namespace nnc
