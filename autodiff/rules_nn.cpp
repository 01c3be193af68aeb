// Derivative rules of the neural-network ops and of the window-gradient ops
// they introduce. matmul and the convolutions are bilinear: the tangent is
// the sum of the op applied with one tangent at a time, and the cotangents
// are the adjoint products, which for conv2d are conv2d_grad_input and
// conv2d_grad_weight; those two are bilinear as well, and their adjoints are
// conv2d and each other, so every order of derivative stays in these three
// ops. The pools are linear in their input once max pooling's choice of
// element is fixed: max_pool2d_grad and max_pool2d_select are each other's
// transposes, as are avg_pool2d and avg_pool2d_grad.
#include <numeric>

#include "autodiff/emit.h"
#include "autodiff/rules.h"
#include "core/shape_rules.h"

namespace nnc::autodiff {

namespace {

using ir::Op;

// y = B(u, v) bilinear: ydot = B(udot, v) + B(u, vdot).
Value* bilinear_jvp(Builder& b, const Op& op, std::span<Value* const> t) {
    Value* left = t[0] ? b.op(op.kind, {t[0], op.operands[1]}, op.attrs) : nullptr;
    Value* right = t[1] ? b.op(op.kind, {op.operands[0], t[1]}, op.attrs) : nullptr;
    return left && right ? add(b, left, right) : left ? left : right;
}

// --- matmul ------------------------------------------------------------------

Value* transpose_last(Builder& b, Value* v) {
    std::vector<int64_t> perm(static_cast<size_t>(v->type().rank()));
    std::iota(perm.begin(), perm.end(), 0);
    std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
    return b.op(OpKind::Permute, {v}, Attrs{{"perm", perm}});
}

Value* expand(Builder& b, Value* v, int64_t axis) { return b.op(OpKind::ExpandDims, {v}, Attrs{{"axes", std::vector{axis}}}); }

// NumPy matmul: a vector operand is a matrix with a size-1 dim, dropped from
// the result. The cotangent gets those dims back, the products run on
// matrices, and each operand's cotangent is summed over the batch dims it
// was broadcast along and has its size-1 dim dropped again.
std::vector<Value*> matmul_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>& wanted) {
    Value *a = op.operands[0], *c = op.operands[1];
    const bool a_vector = a->type().rank() == 1, c_vector = c->type().rank() == 1;
    const int64_t rank = ct->type().rank() + a_vector + c_vector;
    std::vector<int64_t> dropped;
    if (a_vector) dropped.push_back(rank - 2);
    if (c_vector) dropped.push_back(rank - 1);
    Value* g = dropped.empty() ? ct : b.op(OpKind::ExpandDims, {ct}, Attrs{{"axes", dropped}});
    std::vector<Value*> out(2, nullptr);
    if (wanted[0]) {
        Value* a2 = a_vector ? expand(b, a, 0) : a;
        Value* c2 = c_vector ? expand(b, c, 1) : c;
        Value* abar = unbroadcast(b, b.op(OpKind::MatMul, {g, transpose_last(b, c2)}), a2);
        out[0] = a_vector ? sum(b, abar, {0}, false) : abar;
    }
    if (wanted[1]) {
        Value* a2 = a_vector ? expand(b, a, 0) : a;
        Value* c2 = c_vector ? expand(b, c, 1) : c;
        Value* cbar = unbroadcast(b, b.op(OpKind::MatMul, {transpose_last(b, a2), g}), c2);
        out[1] = c_vector ? sum(b, cbar, {1}, false) : cbar;
    }
    return out;
}

// gemm computes op(a) @ op(b); each cotangent is again a gemm, reading its
// operands transposed where the product needs them so.
std::vector<Value*> gemm_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>& wanted) {
    Value *a = op.operands[0], *c = op.operands[1];
    const bool ta = op.attrs.get_bool("transpose_a", false), tc = op.attrs.get_bool("transpose_b", false);
    auto gemm = [&](Value* x, Value* y, bool tx, bool ty) {
        return b.op(OpKind::Gemm, {x, y}, Attrs{{"transpose_a", tx}, {"transpose_b", ty}});
    };
    std::vector<Value*> out(2, nullptr);
    if (wanted[0]) out[0] = ta ? gemm(c, ct, tc, true) : gemm(ct, c, false, !tc);
    if (wanted[1]) out[1] = tc ? gemm(ct, a, true, ta) : gemm(a, ct, !ta, false);
    return out;
}

// --- convolution ---------------------------------------------------------------

// The stride and padding of a window op, plus `extra` = the two trailing dims of `like`.
Attrs window_attrs(const Op& op, const char* extra, const Value* like) {
    Attrs attrs;
    for (const char* name : {"stride", "padding"})
        if (op.attrs.has(name)) attrs.set(name, op.attrs.get_ints(name));
    if (extra) {
        const TensorType& t = like->type();
        const Dim &h = t.dims[2], &w = t.dims[3];
        if (!h.is_known() || !w.is_known())
            throw ShapeError(std::string(op_name(op.kind)) + ": cannot differentiate with symbolic spatial dims " + t.str());
        attrs.set(extra, std::vector<int64_t>{h.value(), w.value()});
    }
    return attrs;
}

Value* conv(Builder& b, const Op& op, Value* x, Value* w) {
    return b.op(OpKind::Conv2d, {x, w}, window_attrs(op, nullptr, nullptr));
}
Value* conv_grad_input(Builder& b, const Op& op, Value* dy, Value* w, Value* x_like) {
    return b.op(OpKind::Conv2dGradInput, {dy, w}, window_attrs(op, "input_size", x_like));
}
Value* conv_grad_weight(Builder& b, const Op& op, Value* x, Value* dy, Value* w_like) {
    return b.op(OpKind::Conv2dGradWeight, {x, dy}, window_attrs(op, "kernel_size", w_like));
}

// y = conv2d(x, w)
std::vector<Value*> conv2d_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>& wanted) {
    Value *x = op.operands[0], *w = op.operands[1];
    return {wanted[0] ? cast_to(b, conv_grad_input(b, op, ct, w, x), x->type().dtype) : nullptr,
            wanted[1] ? cast_to(b, conv_grad_weight(b, op, x, ct, w), w->type().dtype) : nullptr};
}

// dx = conv2d_grad_input(dy, w): <dx, c> = <dy, conv2d(c, w)>.
std::vector<Value*> conv2d_grad_input_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>& wanted) {
    Value *dy = op.operands[0], *w = op.operands[1];
    return {wanted[0] ? cast_to(b, conv(b, op, ct, w), dy->type().dtype) : nullptr,
            wanted[1] ? cast_to(b, conv_grad_weight(b, op, ct, dy, w), w->type().dtype) : nullptr};
}

// dw = conv2d_grad_weight(x, dy): <dw, c> = <dy, conv2d(x, c)>.
std::vector<Value*> conv2d_grad_weight_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>& wanted) {
    Value *x = op.operands[0], *dy = op.operands[1];
    return {wanted[0] ? cast_to(b, conv_grad_input(b, op, dy, ct, x), x->type().dtype) : nullptr,
            wanted[1] ? cast_to(b, conv(b, op, x, ct), dy->type().dtype) : nullptr};
}

// --- pooling -------------------------------------------------------------------

Attrs pool_attrs(const Op& op) {
    Attrs attrs;
    for (const char* name : {"kernel", "stride", "padding"})
        if (op.attrs.has(name)) attrs.set(name, op.attrs.get_ints(name));
    return attrs;
}

std::vector<Value*> max_pool2d_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    return {b.op(OpKind::MaxPool2dGrad, {op.operands[0], ct}, pool_attrs(op))};
}

Value* max_pool2d_jvp(Builder& b, const Op& op, std::span<Value* const> t) {
    return b.op(OpKind::MaxPool2dSelect, {op.operands[0], t[0]}, pool_attrs(op));
}

// max_pool2d_grad(x, dy) and max_pool2d_select(x, t) are each other's
// transposes in their second operand.
template <OpKind Transpose>
std::vector<Value*> max_pool2d_pair_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    return {nullptr, b.op(Transpose, {op.operands[0], ct}, pool_attrs(op))};
}

std::vector<Value*> avg_pool2d_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    Value* x = op.operands[0];
    Attrs attrs = pool_attrs(op);
    const TensorType& t = x->type();
    if (!t.dims[2].is_known() || !t.dims[3].is_known())
        throw ShapeError("avg_pool2d: cannot differentiate with symbolic spatial dims " + t.str());
    attrs.set("input_size", std::vector<int64_t>{t.dims[2].value(), t.dims[3].value()});
    return {cast_to(b, b.op(OpKind::AvgPool2dGrad, {ct}, attrs), t.dtype)};
}

std::vector<Value*> avg_pool2d_grad_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    return {cast_to(b, b.op(OpKind::AvgPool2d, {ct}, pool_attrs(op)), op.operands[0]->type().dtype)};
}

// --- softmax -------------------------------------------------------------------

std::vector<int64_t> softmax_axis(const Op& op) {
    return {normalize_axis(op.attrs.get_int("axis", -1), op.result()->type().rank())};
}

// The softmax Jacobian diag(y) - y y^T is symmetric: both modes compute
// y * (g - sum(g * y)).
Value* softmax_product(Builder& b, const Op& op, Value* g) {
    Value* y = op.result();
    return mul(b, y, sub(b, g, sum(b, mul(b, g, y), softmax_axis(op), true)));
}

std::vector<Value*> softmax_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    return {softmax_product(b, op, ct)};
}

Value* softmax_jvp(Builder& b, const Op& op, std::span<Value* const> t) { return softmax_product(b, op, t[0]); }

// y = x - logsumexp(x): xbar = g - softmax(x) sum(g), ydot = t - sum(softmax(x) t).
std::vector<Value*> log_softmax_vjp(Builder& b, const Op& op, Value* ct, const std::vector<bool>&) {
    Value* p = b.op(OpKind::Exp, {op.result()});
    return {sub(b, ct, mul(b, p, sum(b, ct, softmax_axis(op), true)))};
}

Value* log_softmax_jvp(Builder& b, const Op& op, std::span<Value* const> t) {
    Value* p = b.op(OpKind::Exp, {op.result()});
    return sub(b, t[0], sum(b, mul(b, p, t[0]), softmax_axis(op), true));
}

}  // namespace

void add_nn_rules(RuleTable& table) {
    auto set = [&](OpKind k, VjpRule vjp, JvpRule jvp) { table[static_cast<size_t>(k)] = {vjp, jvp}; };
    using enum OpKind;
    set(MatMul, matmul_vjp, bilinear_jvp);
    set(Gemm, gemm_vjp, bilinear_jvp);
    set(Conv2d, conv2d_vjp, bilinear_jvp);
    set(Conv2dGradInput, conv2d_grad_input_vjp, bilinear_jvp);
    set(Conv2dGradWeight, conv2d_grad_weight_vjp, bilinear_jvp);
    set(MaxPool2d, max_pool2d_vjp, max_pool2d_jvp);
    set(MaxPool2dGrad, max_pool2d_pair_vjp<MaxPool2dSelect>, linear_jvp);
    set(MaxPool2dSelect, max_pool2d_pair_vjp<MaxPool2dGrad>, linear_jvp);
    set(AvgPool2d, avg_pool2d_vjp, linear_jvp);
    set(AvgPool2dGrad, avg_pool2d_grad_vjp, linear_jvp);
    set(Softmax, softmax_vjp, softmax_jvp);
    set(LogSoftmax, log_softmax_vjp, log_softmax_jvp);
}

}  // namespace nnc::autodiff
