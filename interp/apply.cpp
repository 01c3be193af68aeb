// The tensor seam of the evaluator: `apply` runs a primitive eagerly with
// the reference kernels, records it while tracing (unless its operands are
// known and its result small) or, in abstract mode, infers only its result type;
// `to_tensor` turns host numbers and nested lists into tensors.
#include "interp/interpreter.h"
#include "ir/passes/constant_fold.h"
#include "core/shape_rules.h"
#include "runtime/kernels.h"

namespace nnc {

namespace {

// While tracing, a primitive whose operands are all known tensors and whose
// result is small runs now, as eagerly, so that host code can read it
// (`float(cos(tensor(pi * step / total)))` in a learning-rate schedule).
// Creation ops and random ops stay in the IR, as do large results.
bool folds_while_tracing(OpKind kind, const std::vector<Value>& operands, const Attrs& attrs) {
    if (operands.empty() || is_random(kind)) return false;
    std::vector<TensorType> types;
    for (const Value& v : operands) {
        if (!v.is<Tensor>()) return false;
        types.push_back(v.tensor_type());
    }
    return ir::small_enough_to_fold(infer_type(kind, types, attrs));
}

}  // namespace

Value Interpreter::apply(OpKind kind, std::vector<Value> operands, const Attrs& attrs, SourceRange where) {
    for (Value& v : operands) {
        v = size_tensor(v);
        if (v.is_unknown()) {
            if (mode_ == Mode::Trace) throw TraceFailure{where, "an operand is only known when the fn runs"};
            return Value(UnknownValue{});
        }
        if (!v.is_tensor()) throw CompileError(where, std::string(op_name(kind)) + ": expected a tensor, got " + type_name(v));
    }
    try {
        if (mode_ == Mode::Trace && !folds_while_tracing(kind, operands, attrs)) {
            std::vector<ir::Value*> inputs;
            for (const Value& v : operands) inputs.push_back(ir_value(v, where));
            builder_->set_loc(where);
            return traced(builder_->op(kind, std::move(inputs), attrs));
        }
        if (mode_ == Mode::Abstract) {
            std::vector<TensorType> types;
            for (const Value& v : operands) types.push_back(v.tensor_type());
            return Value(AbstractTensor{infer_type(kind, types, attrs)});
        }
        std::vector<Tensor> tensors;
        for (const Value& v : operands) tensors.push_back(v.as<Tensor>());
        return Value(execute(kind, tensors, attrs));
    } catch (const ShapeError& e) {
        throw CompileError(where, e.what());
    } catch (const RuntimeError& e) {
        throw CompileError(where, e.what());
    }
}

namespace {

// Walks a nested list of numbers: records the shape at first visit of each
// depth and checks that every sibling agrees. Leaves go into `leaves`.
void flatten(const Value& v, size_t depth, Shape& shape, std::vector<Value>& leaves, SourceRange where) {
    const std::vector<Value>* items = sequence_elements(v);
    if (!items) {
        if (depth != shape.size()) throw CompileError(where, "tensor literal is not rectangular (ragged nesting)");
        if (v.is_tensor()) {
            TensorType t = v.tensor_type();
            if (t.rank() != 0) throw CompileError(where, "tensor literal elements must be numbers, not " + t.str());
        } else if (!v.is_number() && !v.is_unknown()) {
            throw CompileError(where, "tensor literal elements must be numbers, not " + type_name(v));
        }
        leaves.push_back(v);
        return;
    }
    int64_t n = static_cast<int64_t>(items->size());
    if (depth == shape.size() && leaves.empty()) shape.push_back(n);
    else if (depth >= shape.size() || shape[depth] != n)
        throw CompileError(where, "tensor literal is not rectangular: rows of different lengths");
    for (const Value& x : *items) flatten(x, depth + 1, shape, leaves, where);
}

}  // namespace

namespace {

// An int stored in a tensor of dtype `t` must fit it: it never wraps.
void require_fits(DType t, int64_t v, SourceRange where) {
    if (!fits_integer(t, v))
        throw CompileError(where, std::to_string(v) + " does not fit " + std::string(dtype_name(t)) +
                                      " (pass dtype = i64 to keep it)");
}

}  // namespace

Value Interpreter::to_tensor(const Value& v, std::optional<DType> hint, SourceRange where) {
    if (v.is_tensor() || v.is_unknown()) return v;
    if (v.is_number()) {
        DType t = hint                          ? *hint
                  : v.is<double>()              ? DType::F32
                  : v.is<bool>()                ? DType::Bool
                  : fits_integer(DType::I32, v.as<int64_t>()) ? DType::I32
                                                : DType::I64;
        if (v.is<int64_t>()) require_fits(t, v.as<int64_t>(), where);
        Tensor out = Tensor::empty(t, {});
        if (v.is<int64_t>()) out.set_int(0, v.as<int64_t>());   // exact beyond 2^53
        else out.set(0, v.is<bool>() ? (v.as<bool>() ? 1 : 0) : v.as<double>());
        return Value(std::move(out));
    }
    if (!v.object<ListObject>() && !v.object<TupleObject>())
        throw CompileError(where, "expected a tensor or a number, got " + type_name(v));

    Shape shape;
    std::vector<Value> leaves;
    flatten(v, 0, shape, leaves, where);
    bool all_bool = !leaves.empty(), any_float = false, beyond_i32 = false;
    for (const Value& x : leaves) {
        all_bool = all_bool && x.is<bool>();
        any_float = any_float || x.is<double>() || (x.is_tensor() && is_floating(x.tensor_type().dtype));
        beyond_i32 = beyond_i32 || (x.is<int64_t>() && !fits_integer(DType::I32, x.as<int64_t>()));
    }
    DType t = hint ? *hint : all_bool ? DType::Bool : any_float ? DType::F32 : beyond_i32 ? DType::I64 : DType::I32;
    for (const Value& x : leaves)
        if (x.is<int64_t>()) require_fits(t, x.as<int64_t>(), where);
    bool unknown = false;
    for (const Value& x : leaves) unknown = unknown || x.is_unknown() || x.is<AbstractTensor>();
    if (unknown) return Value(AbstractTensor{TensorType::of(t, shape)});

    Tensor out = Tensor::empty(t, shape);
    for (size_t i = 0; i < leaves.size(); ++i) {
        const Value& x = leaves[i];
        const auto at = static_cast<int64_t>(i);
        if (x.is<int64_t>()) out.set_int(at, x.as<int64_t>());   // exact beyond 2^53
        else out.set(at, x.is<Tensor>() ? x.as<Tensor>().item() : x.is<bool>() ? (x.as<bool>() ? 1 : 0) : x.as<double>());
    }
    return Value(std::move(out));
}

}  // namespace nnc
