// Derivative rules of the elementwise ops. Each op is written once as
// "g times its partial derivative": for an elementwise op the cotangent and
// the tangent are both the incoming value scaled by the partial, so one
// formula serves both modes. Binary ops broadcast: reverse mode sums the
// scaled cotangent back to each operand's shape, forward mode broadcasts the
// sum of the scaled tangents to the result's.
#include <cmath>

#include "autodiff/emit.h"
#include "autodiff/rules.h"

namespace nnc::autodiff {

namespace {

using ir::Op;

// g * f'(x) for y = f(x).
using UnaryPartial = Value* (*)(Builder& b, Value* x, Value* y, Value* g);

// g * the partial derivative of y = f(a, c) with respect to one operand.
// `g` has y's shape (reverse mode) or that operand's (forward mode).
using BinaryPartial = Value* (*)(Builder& b, Value* a, Value* c, Value* y, Value* g);

struct BinaryPartials {
    BinaryPartial da = nullptr, dc = nullptr;
};

Value* gt0(Builder& b, Value* x) { return b.op(OpKind::Gt, {x, lit(b, 0, x)}); }

// g where `wins`, half of g where a and c tie, else 0: one operand's share of
// the gradient of maximum / minimum.
Value* winner_share(Builder& b, Value* wins, Value* a, Value* c, Value* g) {
    Value* tie = where(b, b.op(OpKind::Eq, {a, c}), mul(b, g, lit(b, 0.5, g)), lit(b, 0, g));
    return where(b, wins, g, tie);
}

// gelu'(x) of the tanh approximation 0.5 x (1 + t), t = tanh(k (x + 0.044715 x^3)):
// 0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 * 0.044715 x^2).
Value* gelu_partial(Builder& b, Value* x, Value*, Value* g) {
    const double k = 0.7978845608028654, c = 0.044715;
    Value* x2 = mul(b, x, x);
    Value* inner = mul(b, lit(b, k, x), add(b, x, mul(b, lit(b, c, x), mul(b, x2, x))));
    Value* t = b.op(OpKind::Tanh, {inner});
    Value* left = mul(b, lit(b, 0.5, x), add(b, lit(b, 1, x), t));
    Value* slope = mul(b, lit(b, k, x), add(b, lit(b, 1, x), mul(b, lit(b, 3 * c, x), x2)));
    Value* right = mul(b, mul(b, lit(b, 0.5, x), x), mul(b, sub(b, lit(b, 1, x), mul(b, t, t)), slope));
    return mul(b, g, add(b, left, right));
}

constexpr std::array<UnaryPartial, kNumOpKinds> kUnary = [] {
    std::array<UnaryPartial, kNumOpKinds> t{};
    auto set = [&](OpKind k, UnaryPartial p) { t[static_cast<size_t>(k)] = p; };
    using enum OpKind;
    set(Neg, [](Builder& b, Value*, Value*, Value* g) { return neg(b, g); });                          // -g
    set(Exp, [](Builder& b, Value*, Value* y, Value* g) { return mul(b, g, y); });                     // g e^x
    set(Log, [](Builder& b, Value* x, Value*, Value* g) { return div(b, g, x); });                     // g / x
    set(Sqrt, [](Builder& b, Value*, Value* y, Value* g) { return div(b, g, mul(b, y, lit(b, 2, y))); });  // g / 2y
    set(Rsqrt, [](Builder& b, Value* x, Value* y, Value* g) {                                          // -g y / 2x
        return mul(b, g, mul(b, lit(b, -0.5, y), div(b, y, x)));
    });
    set(Abs, [](Builder& b, Value* x, Value*, Value* g) { return mul(b, g, b.op(OpKind::Sign, {x})); });
    set(Sin, [](Builder& b, Value* x, Value*, Value* g) { return mul(b, g, b.op(OpKind::Cos, {x})); });
    set(Cos, [](Builder& b, Value* x, Value*, Value* g) { return neg(b, mul(b, g, b.op(OpKind::Sin, {x}))); });
    set(Tanh, [](Builder& b, Value*, Value* y, Value* g) {                                             // g (1 - y^2)
        return mul(b, g, sub(b, lit(b, 1, y), mul(b, y, y)));
    });
    set(Sigmoid, [](Builder& b, Value*, Value* y, Value* g) {                                          // g y (1 - y)
        return mul(b, g, mul(b, y, sub(b, lit(b, 1, y), y)));
    });
    set(Relu, [](Builder& b, Value* x, Value*, Value* g) { return where(b, gt0(b, x), g, lit(b, 0, g)); });
    set(Gelu, gelu_partial);
    set(Softplus, [](Builder& b, Value* x, Value*, Value* g) { return mul(b, g, b.op(OpKind::Sigmoid, {x})); });
    set(Expm1, [](Builder& b, Value*, Value* y, Value* g) { return mul(b, g, add(b, y, lit(b, 1, y))); });  // g e^x
    set(Log1p, [](Builder& b, Value* x, Value*, Value* g) { return div(b, g, add(b, x, lit(b, 1, x))); });  // g / (1 + x)
    set(Exp2, [](Builder& b, Value*, Value* y, Value* g) { return mul(b, g, mul(b, y, lit(b, M_LN2, y))); });   // g 2^x ln 2
    set(Log2, [](Builder& b, Value* x, Value*, Value* g) { return div(b, g, mul(b, x, lit(b, M_LN2, x))); });
    set(Log10, [](Builder& b, Value* x, Value*, Value* g) { return div(b, g, mul(b, x, lit(b, M_LN10, x))); });
    set(Tan, [](Builder& b, Value*, Value* y, Value* g) { return mul(b, g, add(b, lit(b, 1, y), mul(b, y, y))); });  // g (1 + y^2)
    set(Asin, [](Builder& b, Value* x, Value*, Value* g) {                                             // g / sqrt(1 - x^2)
        return div(b, g, b.op(OpKind::Sqrt, {sub(b, lit(b, 1, x), mul(b, x, x))}));
    });
    set(Acos, [](Builder& b, Value* x, Value*, Value* g) {                                             // -g / sqrt(1 - x^2)
        return neg(b, div(b, g, b.op(OpKind::Sqrt, {sub(b, lit(b, 1, x), mul(b, x, x))})));
    });
    set(Atan, [](Builder& b, Value* x, Value*, Value* g) { return div(b, g, add(b, lit(b, 1, x), mul(b, x, x))); });
    set(Sinh, [](Builder& b, Value* x, Value*, Value* g) { return mul(b, g, b.op(OpKind::Cosh, {x})); });
    set(Cosh, [](Builder& b, Value* x, Value*, Value* g) { return mul(b, g, b.op(OpKind::Sinh, {x})); });
    set(Erf, [](Builder& b, Value* x, Value*, Value* g) {                                              // g 2/sqrt(pi) e^(-x^2)
        return mul(b, g, mul(b, lit(b, M_2_SQRTPI, x), b.op(OpKind::Exp, {neg(b, mul(b, x, x))})));
    });
    return t;
}();

constexpr std::array<BinaryPartials, kNumOpKinds> kBinary = [] {
    std::array<BinaryPartials, kNumOpKinds> t{};
    auto set = [&](OpKind k, BinaryPartial da, BinaryPartial dc) { t[static_cast<size_t>(k)] = {da, dc}; };
    auto same = [](Builder&, Value*, Value*, Value*, Value* g) { return g; };
    using enum OpKind;
    set(Add, same, same);
    set(Sub, same, [](Builder& b, Value*, Value*, Value*, Value* g) { return neg(b, g); });
    set(Mul, [](Builder& b, Value*, Value* c, Value*, Value* g) { return mul(b, g, c); },
        [](Builder& b, Value* a, Value*, Value*, Value* g) { return mul(b, g, a); });
    set(Div, [](Builder& b, Value*, Value* c, Value*, Value* g) { return div(b, g, c); },      // g / c
        [](Builder& b, Value*, Value* c, Value* y, Value* g) { return neg(b, div(b, mul(b, g, y), c)); });  // -g y / c
    // a mod c = a - floor(a / c) c, and floor(a / c) = (a - y) / c.
    set(Mod, same, [](Builder& b, Value* a, Value* c, Value* y, Value* g) { return mul(b, g, div(b, sub(b, y, a), c)); });
    // d/da a^c = c a^(c-1) (0 where c = 0); d/dc a^c = y log a (0 where a = 0).
    set(Pow,
        [](Builder& b, Value* a, Value* c, Value*, Value* g) {
            Value* d = mul(b, c, b.op(OpKind::Pow, {a, sub(b, c, lit(b, 1, c))}));
            return mul(b, g, where(b, b.op(OpKind::Eq, {c, lit(b, 0, c)}), lit(b, 0, d), d));
        },
        [](Builder& b, Value* a, Value*, Value* y, Value* g) {
            Value* safe = where(b, b.op(OpKind::Eq, {a, lit(b, 0, a)}), lit(b, 1, a), a);
            return mul(b, g, mul(b, y, b.op(OpKind::Log, {safe})));
        });
    // The operand that wins takes the gradient; at a tie each takes half (as PyTorch splits it).
    set(Maximum,
        [](Builder& b, Value* a, Value* c, Value*, Value* g) { return winner_share(b, b.op(OpKind::Gt, {a, c}), a, c, g); },
        [](Builder& b, Value* a, Value* c, Value*, Value* g) { return winner_share(b, b.op(OpKind::Lt, {a, c}), a, c, g); });
    set(Minimum,
        [](Builder& b, Value* a, Value* c, Value*, Value* g) { return winner_share(b, b.op(OpKind::Lt, {a, c}), a, c, g); },
        [](Builder& b, Value* a, Value* c, Value*, Value* g) { return winner_share(b, b.op(OpKind::Gt, {a, c}), a, c, g); });
    // fmod(a, c) = a - trunc(a / c) c: d/da = 1, d/dc = -trunc(a / c).
    set(Fmod, same, [](Builder& b, Value* a, Value* c, Value*, Value* g) {
        return neg(b, mul(b, g, b.op(OpKind::Trunc, {div(b, a, c)})));
    });
    // atan2(a, c): d/da = c / (a^2 + c^2), d/dc = -a / (a^2 + c^2).
    set(Atan2,
        [](Builder& b, Value* a, Value* c, Value*, Value* g) { return div(b, mul(b, g, c), add(b, mul(b, a, a), mul(b, c, c))); },
        [](Builder& b, Value* a, Value* c, Value*, Value* g) {
            return neg(b, div(b, mul(b, g, a), add(b, mul(b, a, a), mul(b, c, c))));
        });
    return t;
}();

std::vector<Value*> unary_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    return {kUnary[static_cast<size_t>(op.kind)](b, op.operands[0], op.result(), ct)};
}

Value* unary_jvp(Builder& b, const Op& op, std::span<Value* const> t) {
    return kUnary[static_cast<size_t>(op.kind)](b, op.operands[0], op.result(), t[0]);
}

std::vector<Value*> binary_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>& wanted) {
    const BinaryPartials& p = kBinary[static_cast<size_t>(op.kind)];
    Value *a = op.operands[0], *c = op.operands[1], *y = op.result();
    return {wanted[0] ? unbroadcast(b, p.da(b, a, c, y, ct), a) : nullptr,
            wanted[1] ? unbroadcast(b, p.dc(b, a, c, y, ct), c) : nullptr};
}

Value* binary_jvp(Builder& b, const Op& op, std::span<Value* const> t) {
    const BinaryPartials& p = kBinary[static_cast<size_t>(op.kind)];
    Value *a = op.operands[0], *c = op.operands[1], *y = op.result();
    Value* da = t[0] ? p.da(b, a, c, y, t[0]) : nullptr;
    Value* dc = t[1] ? p.dc(b, a, c, y, t[1]) : nullptr;
    return broadcast_as(b, da && dc ? add(b, da, dc) : da ? da : dc, y);
}

// cast: the cotangent converts back to the input's dtype, the tangent to the result's.
std::vector<Value*> cast_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    return {cast_to(b, ct, op.operands[0]->type().dtype)};
}

Value* cast_jvp(Builder& b, const Op& op, std::span<Value* const> t) { return cast_to(b, t[0], op.result()->type().dtype); }

// where(cond, a, c): each branch's cotangent is the incoming one where it was chosen.
std::vector<Value*> where_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>& wanted) {
    Value *cond = op.operands[0], *zero = lit(b, 0, ct);
    return {nullptr, wanted[1] ? unbroadcast(b, where(b, cond, ct, zero), op.operands[1]) : nullptr,
            wanted[2] ? unbroadcast(b, where(b, cond, zero, ct), op.operands[2]) : nullptr};
}

Value* where_jvp(Builder& b, const Op& op, std::span<Value* const> t) {
    Value* y = op.result();
    Value* a = t[1] ? t[1] : lit(b, 0, y);
    Value* c = t[2] ? t[2] : lit(b, 0, y);
    return broadcast_as(b, where(b, op.operands[0], a, c), y);
}

}  // namespace

void add_elementwise_rules(RuleTable& table) {
    for (size_t k = 0; k < table.size(); ++k) {
        if (kUnary[k]) table[k] = {unary_vjp, unary_jvp};
        if (kBinary[k].da) table[k] = {binary_vjp, binary_jvp};
    }
    table[static_cast<size_t>(OpKind::Cast)] = {cast_vjp, cast_jvp};
    table[static_cast<size_t>(OpKind::Where)] = {where_vjp, where_jvp};
}

}  // namespace nnc::autodiff
