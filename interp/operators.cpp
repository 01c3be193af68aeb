// Unary and binary operators. Host numbers follow Python (int / int is a
// float, % takes the divisor's sign); as soon as a tensor is involved the
// operator becomes a primitive, with a host number taking the tensor's
// dtype (`x * 2` keeps x's float type; an int tensor times 0.5 is f32).
#include <cmath>

#include "interp/interpreter.h"

namespace nnc {

using namespace ast;

namespace {

OpKind tensor_op(BinaryOp op) {
    switch (op) {
    case BinaryOp::Add: return OpKind::Add;
    case BinaryOp::Sub: return OpKind::Sub;
    case BinaryOp::Mul: return OpKind::Mul;
    case BinaryOp::Div: return OpKind::Div;
    case BinaryOp::FloorDiv: return OpKind::FloorDiv;
    case BinaryOp::Mod: return OpKind::Mod;
    case BinaryOp::Pow: return OpKind::Pow;
    case BinaryOp::MatMul: return OpKind::MatMul;
    case BinaryOp::Eq: return OpKind::Eq;
    case BinaryOp::Ne: return OpKind::Ne;
    case BinaryOp::Lt: return OpKind::Lt;
    case BinaryOp::Le: return OpKind::Le;
    case BinaryOp::Gt: return OpKind::Gt;
    case BinaryOp::Ge: return OpKind::Ge;
    case BinaryOp::And: return OpKind::LogicalAnd;
    case BinaryOp::Or: return OpKind::LogicalOr;
    }
    return OpKind::Add;
}

// The dtype a host scalar takes when combined with a tensor of type `t`.
DType scalar_dtype(const Value& scalar, DType t) {
    if (scalar.is<bool>()) return t == DType::Bool ? DType::Bool : t;
    if (scalar.is<double>()) return is_floating(t) ? t : DType::F32;
    return t == DType::Bool ? DType::I32 : t;   // int
}

double as_double(const Value& v) {
    if (v.is<bool>()) return v.as<bool>() ? 1 : 0;
    if (v.is<int64_t>()) return static_cast<double>(v.as<int64_t>());
    return v.as<double>();
}

int64_t as_int(const Value& v) { return v.is<bool>() ? (v.as<bool>() ? 1 : 0) : v.as<int64_t>(); }

std::optional<Value> compare(BinaryOp op, double a, double b) {
    switch (op) {
    case BinaryOp::Eq: return Value(a == b);
    case BinaryOp::Ne: return Value(a != b);
    case BinaryOp::Lt: return Value(a < b);
    case BinaryOp::Le: return Value(a <= b);
    case BinaryOp::Gt: return Value(a > b);
    case BinaryOp::Ge: return Value(a >= b);
    default: return std::nullopt;
    }
}

// Arithmetic on two host numbers; nullopt when `op` does not apply.
std::optional<Value> host_arith(BinaryOp op, const Value& a, const Value& b, SourceRange where) {
    if (auto c = compare(op, as_double(a), as_double(b))) {
        if (a.is<int64_t>() && b.is<int64_t>()) {   // exact for large ints
            int64_t x = a.as<int64_t>(), y = b.as<int64_t>();
            return compare(op, 0, x < y ? 1 : x > y ? -1 : 0);
        }
        return c;
    }
    if (op == BinaryOp::And || op == BinaryOp::Or) {
        bool x = as_double(a) != 0, y = as_double(b) != 0;
        return Value(op == BinaryOp::And ? x && y : x || y);
    }
    bool ints = !a.is<double>() && !b.is<double>();
    if (ints && op != BinaryOp::Div && op != BinaryOp::MatMul) {
        int64_t x = as_int(a), y = as_int(b), r = 0;
        switch (op) {
        case BinaryOp::Add:
            if (__builtin_add_overflow(x, y, &r)) throw CompileError(where, "integer overflow in +");
            return Value(r);
        case BinaryOp::Sub:
            if (__builtin_sub_overflow(x, y, &r)) throw CompileError(where, "integer overflow in -");
            return Value(r);
        case BinaryOp::Mul:
            if (__builtin_mul_overflow(x, y, &r)) throw CompileError(where, "integer overflow in *");
            return Value(r);
        case BinaryOp::FloorDiv: {   // Python's: rounds toward -inf
            if (y == 0) throw CompileError(where, "integer division by zero");
            if (x == INT64_MIN && y == -1) throw CompileError(where, "integer overflow in //");
            const int64_t q = x / y;
            return Value(x % y != 0 && ((x < 0) != (y < 0)) ? q - 1 : q);
        }
        case BinaryOp::Mod: {
            if (y == 0) throw CompileError(where, "integer modulo by zero");
            int64_t m = y == -1 ? 0 : x % y;   // INT64_MIN % -1 traps
            return Value(m != 0 && ((m < 0) != (y < 0)) ? m + y : m);
        }
        case BinaryOp::Pow: {
            if (y < 0) return Value(std::pow(double(x), double(y)));
            // Squaring: a square that overflows is a factor of the result.
            int64_t acc = 1, square = x;
            for (int64_t e = y; e > 0; e >>= 1) {
                if ((e & 1 && __builtin_mul_overflow(acc, square, &acc)) ||
                    (e > 1 && __builtin_mul_overflow(square, square, &square)))
                    throw CompileError(where, "integer overflow in **");
            }
            return Value(acc);
        }
        default: break;
        }
    }
    double x = as_double(a), y = as_double(b);
    switch (op) {
    case BinaryOp::Add: return Value(x + y);
    case BinaryOp::Sub: return Value(x - y);
    case BinaryOp::Mul: return Value(x * y);
    case BinaryOp::Div:
        if (y == 0 && ints) throw CompileError(where, "division by zero");
        return Value(x / y);
    case BinaryOp::FloorDiv: return Value(std::floor(x / y));
    case BinaryOp::Mod: {
        double m = std::fmod(x, y);
        return Value(m != 0 && ((m < 0) != (y < 0)) ? m + y : m);
    }
    case BinaryOp::Pow: return Value(std::pow(x, y));
    default: return std::nullopt;
    }
}

}  // namespace

Value Interpreter::unary(UnaryOp op, const Value& v, SourceRange where) {
    if (v.is_unknown()) {
        if (op == UnaryOp::Neg) return binary(BinaryOp::Sub, Value(int64_t{0}), v, where);
        return op == UnaryOp::Plus ? v : Value(UnknownValue{});
    }
    if (v.is_tensor()) {
        if (op == UnaryOp::Plus) return v;
        return apply(op == UnaryOp::Neg ? OpKind::Neg : OpKind::LogicalNot, {v}, {}, where);
    }
    switch (op) {
    case UnaryOp::Not:
        if (v.is<bool>()) return Value(!v.as<bool>());
        break;
    case UnaryOp::Neg:
        if (v.is<int64_t>()) {
            if (v.as<int64_t>() == INT64_MIN) throw CompileError(where, "integer overflow in -");
            return Value(-v.as<int64_t>());
        }
        if (v.is<double>()) return Value(-v.as<double>());
        break;
    case UnaryOp::Plus:
        if (v.is<int64_t>() || v.is<double>()) return v;
        break;
    }
    throw CompileError(where, std::string("operator `") + spelling(op) + "` does not apply to a value of type " +
                                  type_name(v));
}

Value Interpreter::binary(BinaryOp op, const Value& a, const Value& b, SourceRange where) {
    if (a.is_unknown() || b.is_unknown()) return size_arithmetic(op, a, b, where).value_or(Value(UnknownValue{}));
    if (a.is_tensor() || b.is_tensor()) {
        if (op == BinaryOp::MatMul && !(a.is_tensor() && b.is_tensor()))
            throw CompileError(where, "operator `@` needs two tensors, got " + type_name(a) + " and " + type_name(b));
        if (!(a.is_tensor() || a.is_number()) || !(b.is_tensor() || b.is_number()))
            throw CompileError(where, std::string("operator `") + spelling(op) + "` cannot combine " + type_name(a) +
                                          " and " + type_name(b));
        return elementwise(tensor_op(op), a, b, where);
    }
    if (a.is_number() && b.is_number())
        if (auto r = host_arith(op, a, b, where)) return *r;
    if (a.is<std::string>() && b.is<std::string>()) {
        const auto &x = a.as<std::string>(), &y = b.as<std::string>();
        if (op == BinaryOp::Add) return Value(x + y);
        if (op == BinaryOp::Eq) return Value(x == y);
        if (op == BinaryOp::Ne) return Value(x != y);
    }
    if (a.is<DType>() && b.is<DType>() && (op == BinaryOp::Eq || op == BinaryOp::Ne))
        return Value((a.as<DType>() == b.as<DType>()) == (op == BinaryOp::Eq));
    if (op == BinaryOp::Add) {
        auto* la = a.object<ListObject>();
        auto* lb = b.object<ListObject>();
        if (la && lb) {
            std::vector<Value> all = la->elements;
            all.insert(all.end(), lb->elements.begin(), lb->elements.end());
            return make_list(std::move(all));
        }
    }
    if ((op == BinaryOp::Eq || op == BinaryOp::Ne) && (a.is_none() || b.is_none()))
        return Value((a.is_none() && b.is_none()) == (op == BinaryOp::Eq));
    throw CompileError(where, std::string("operator `") + spelling(op) + "` cannot combine " + type_name(a) +
                                  " and " + type_name(b));
}

namespace {

// A traced value standing for a host int (a loop index): weakly typed, it
// takes the dtype of the tensor it meets, exactly as the host int would.
bool is_weak(const Value& v) { return v.is<AbstractTensor>() && v.as<AbstractTensor>().weak; }

}  // namespace

Value Interpreter::elementwise(OpKind kind, const Value& a, const Value& b, SourceRange where) {
    if (is_symbolic_size(a) || is_symbolic_size(b)) return elementwise(kind, size_tensor(a), size_tensor(b), where);
    if (a.is_unknown() || b.is_unknown()) return Value(UnknownValue{});
    auto strong_tensor = [](const Value& v) { return v.is_tensor() && !is_weak(v); };
    auto operand = [&](const Value& v, const Value& other) {
        if (is_weak(v) && strong_tensor(other)) {
            DType t = scalar_dtype(Value(int64_t{0}), other.tensor_type().dtype);
            return v.tensor_type().dtype == t ? v : apply(OpKind::Cast, {v}, Attrs{{"dtype", t}}, where);
        }
        if (v.is_tensor() || !other.is_tensor()) return to_tensor(v, std::nullopt, where);
        return to_tensor(v, scalar_dtype(v, other.tensor_type().dtype), where);
    };
    Value result = apply(kind, {operand(a, b), operand(b, a)}, {}, where);
    if ((is_weak(a) || a.is_number()) && (is_weak(b) || b.is_number()) && result.is<AbstractTensor>())
        result.as<AbstractTensor>().weak = true;
    return result;
}

std::optional<bool> Interpreter::truth(const Value& v, SourceRange where) {
    if (v.is<bool>()) return v.as<bool>();
    if (v.is<int64_t>()) return v.as<int64_t>() != 0;
    if (v.is<double>()) return v.as<double>() != 0;
    if (v.is_unknown()) {
        if (mode_ == Mode::Trace) throw TraceFailure{where, "a condition on a dimension only known when the fn runs"};
        return std::nullopt;
    }
    if (v.is_tensor()) {
        // One element unless a dimension is known not to be 1.
        TensorType t = v.tensor_type();
        for (const Dim& d : t.dims)
            if (d.is_known() && d.value() != 1)
                throw CompileError(where, "the truth value of a tensor of type " + t.str() +
                                              " is ambiguous; reduce it first (e.g. with sum or max)");
        if (mode_ == Mode::Trace && v.is<AbstractTensor>())
            throw TraceFailure{where, "a condition on a tensor computed in the fn"};
        if (!v.is<Tensor>()) return std::nullopt;
        return v.as<Tensor>().get(0) != 0;
    }
    if (v.is_none()) return false;
    throw CompileError(where, "a value of type " + type_name(v) + " cannot be used as a condition");
}

}  // namespace nnc
