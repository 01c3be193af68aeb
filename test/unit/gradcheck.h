// Gradient checks for the autodiff tests. A test builds a function from a
// Builder lambda; the helpers run it with the IR interpreter and compare
// reverse mode (grad, vjp), forward mode (jvp) and second derivatives (grad
// of grad, jvp of grad) against central finite differences in f64. A
// non-scalar output y is reduced to sum(y * W) with a fixed random W.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "autodiff/autodiff.h"
#include "ir/inline.h"
#include "ir/builder.h"
#include "ir/interpret.h"
#include "ir/printer.h"
#include "core/shape_rules.h"
#include "ir/verifier.h"

namespace nnc::testing {

using Body = std::function<ir::Value*(ir::Builder&, std::span<ir::Value* const>)>;

inline constexpr double kEps = 1e-6;
inline constexpr double kTolerance = 1e-6;

// --- inputs ------------------------------------------------------------------

inline Tensor uniform(const Shape& shape, double lo, double hi, uint64_t seed, DType dtype = DType::F64) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> dist(lo, hi);
    Tensor t = Tensor::empty(dtype, shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.set(i, dist(rng));
    return t;
}

// Values in [-hi, -lo] or [lo, hi]: away from kinks at zero.
inline Tensor away_from_zero(const Shape& shape, uint64_t seed, double lo = 0.2, double hi = 2.0) {
    Tensor t = uniform(shape, lo, hi, seed);
    std::mt19937_64 rng(seed * 7 + 1);
    for (int64_t i = 0; i < t.numel(); ++i)
        if (rng() & 1) t.set(i, -t.get(i));
    return t;
}

inline Tensor index_tensor(const Shape& shape, std::vector<int64_t> values, DType dtype = DType::I64) {
    Tensor t = Tensor::empty(dtype, shape);
    for (size_t i = 0; i < values.size(); ++i) t.set(static_cast<int64_t>(i), static_cast<double>(values[i]));
    return t;
}

// --- building functions ----------------------------------------------------------

inline std::unique_ptr<ir::Function> make_function(const std::vector<TensorType>& types, const Body& body,
                                                   const std::string& name = "f") {
    auto f = std::make_unique<ir::Function>(name);
    for (const TensorType& t : types) f->add_arg(f->body(), t);
    ir::Builder b(*f);
    b.ret({body(b, f->params())});
    return f;
}

inline std::vector<TensorType> types_of(const std::vector<Tensor>& inputs) {
    std::vector<TensorType> types;
    for (const Tensor& t : inputs) types.push_back(t.type());
    return types;
}

inline ir::Value* weighted_sum(ir::Builder& b, ir::Value* y, const Tensor& w) {
    ir::Value* product = b.op(OpKind::Mul, {y, b.constant(w)});
    return b.op(OpKind::ReduceSum, {product}, Attrs{{"axes", std::vector<int64_t>{}}, {"keepdim", false}});
}

inline void expect_valid(const ir::Function& f) {
    const std::vector<Diagnostic> problems = ir::verify(f);
    for (const Diagnostic& d : problems) ADD_FAILURE() << "verifier: " << d.message << "\n" << ir::to_string(f);
}

// --- comparing -------------------------------------------------------------------

inline void expect_close(const Tensor& got, const Tensor& want, const std::string& what, double tol = kTolerance) {
    ASSERT_EQ(got.shape(), want.shape()) << what;
    int failures = 0;
    for (int64_t i = 0; i < got.numel() && failures < 5; ++i) {
        const double a = got.get(i), b = want.get(i);
        const double scale = std::max({1.0, std::abs(a), std::abs(b)});
        if (!(std::abs(a - b) <= tol * scale)) {
            ADD_FAILURE() << what << ": element " << i << " is " << a << ", expected " << b;
            ++failures;
        }
    }
}

inline bool is_float(const Tensor& t) { return is_floating(t.dtype()); }

inline std::vector<size_t> float_indices(const std::vector<Tensor>& inputs) {
    std::vector<size_t> out;
    for (size_t i = 0; i < inputs.size(); ++i)
        if (is_float(inputs[i])) out.push_back(i);
    return out;
}

// (f(x + eps d) - f(x - eps d)) / 2 eps for each result of f; d is null for non-float inputs.
inline std::vector<Tensor> directional_difference(const ir::Function& f, const std::vector<Tensor>& x,
                                                  const std::vector<Tensor>& d) {
    std::vector<Tensor> plus, minus;
    for (size_t i = 0; i < x.size(); ++i) {
        if (!d[i].defined()) {
            plus.push_back(x[i]), minus.push_back(x[i]);
            continue;
        }
        Tensor p = x[i].clone(), m = x[i].clone();
        for (int64_t k = 0; k < p.numel(); ++k) {
            p.set(k, x[i].get(k) + kEps * d[i].get(k));
            m.set(k, x[i].get(k) - kEps * d[i].get(k));
        }
        plus.push_back(p), minus.push_back(m);
    }
    std::vector<Tensor> fp = ir::interpret(f, plus), fm = ir::interpret(f, minus), out;
    for (size_t r = 0; r < fp.size(); ++r) {
        Tensor diff = Tensor::empty(DType::F64, fp[r].shape());
        for (int64_t k = 0; k < diff.numel(); ++k) diff.set(k, (fp[r].get(k) - fm[r].get(k)) / (2 * kEps));
        out.push_back(diff);
    }
    return out;
}

// The gradient of the scalar function h with respect to input i, by finite differences.
inline Tensor numeric_gradient(const ir::Function& h, const std::vector<Tensor>& x, size_t i) {
    Tensor g = Tensor::empty(DType::F64, x[i].shape());
    std::vector<Tensor> d(x.size());
    for (int64_t k = 0; k < g.numel(); ++k) {
        d[i] = Tensor::zeros(x[i].dtype(), x[i].shape());
        d[i].set(k, 1);
        g.set(k, directional_difference(h, x, d)[0].item());
    }
    return g;
}

// Random tangents for the float inputs (undefined for the others).
inline std::vector<Tensor> random_directions(const std::vector<Tensor>& x, uint64_t seed) {
    std::vector<Tensor> d(x.size());
    for (size_t i = 0; i < x.size(); ++i)
        if (is_float(x[i])) d[i] = uniform(x[i].shape(), -1, 1, seed + i, x[i].dtype());
    return d;
}

// The direction tensors as jvp arguments: zeros for non-float inputs.
inline std::vector<Tensor> tangent_args(const std::vector<Tensor>& x, const std::vector<Tensor>& d) {
    std::vector<Tensor> out;
    for (size_t i = 0; i < x.size(); ++i) out.push_back(d[i].defined() ? d[i] : Tensor::zeros(x[i].dtype(), x[i].shape()));
    return out;
}

struct GradCheck {
    std::vector<Tensor> inputs;
    Body body;
    std::vector<TensorType> types = {};   // parameter types; empty = the inputs' own
    uint64_t seed = 1;

    std::vector<TensorType> param_types() const { return types.empty() ? types_of(inputs) : types; }

    // h(x) = sum(f(x) * W).
    std::unique_ptr<ir::Function> scalarized(const Tensor& w) const {
        return make_function(param_types(), [&](ir::Builder& b, std::span<ir::Value* const> p) {
            return weighted_sum(b, body(b, p), w);
        }, "h");
    }

    Tensor weights() const {
        const std::unique_ptr<ir::Function> f = make_function(param_types(), body);
        const Tensor y = ir::interpret(*f, inputs)[0];
        return uniform(y.shape(), -1, 1, seed + 100, y.dtype());
    }
};

// grad, vjp and jvp of the check's function against finite differences.
inline void expect_gradients(const GradCheck& c, double tol = kTolerance) {
    const std::unique_ptr<ir::Function> f = make_function(c.param_types(), c.body);
    const Tensor w = c.weights();
    const std::unique_ptr<ir::Function> h = c.scalarized(w);
    const std::vector<size_t> wrt = float_indices(c.inputs);

    const std::unique_ptr<ir::Function> g = autodiff::grad(*h, wrt);
    expect_valid(*g);
    const std::vector<Tensor> grads = ir::interpret(*g, c.inputs);
    for (size_t k = 0; k < wrt.size(); ++k)
        expect_close(grads[k], numeric_gradient(*h, c.inputs, wrt[k]), "grad of input " + std::to_string(wrt[k]), tol);

    const std::unique_ptr<ir::Function> v = autodiff::vjp(*f);
    expect_valid(*v);
    std::vector<Tensor> vjp_args = c.inputs;
    vjp_args.push_back(w);
    const std::vector<Tensor> pulled = ir::interpret(*v, vjp_args);
    for (size_t k = 0; k < wrt.size(); ++k)
        expect_close(pulled[1 + wrt[k]], grads[k], "vjp of input " + std::to_string(wrt[k]), tol);

    const std::unique_ptr<ir::Function> j = autodiff::jvp(*f);
    expect_valid(*j);
    const std::vector<Tensor> d = random_directions(c.inputs, c.seed + 200);
    std::vector<Tensor> jvp_args = c.inputs;
    for (const Tensor& t : tangent_args(c.inputs, d)) jvp_args.push_back(t);
    const std::vector<Tensor> pushed = ir::interpret(*j, jvp_args);
    expect_close(pushed[1], directional_difference(*f, c.inputs, d)[0], "jvp", tol);
}

// grad of grad and jvp of grad against finite differences of the gradient.
inline void expect_second_order(const GradCheck& c, double tol = kTolerance) {
    const std::unique_ptr<ir::Function> h = c.scalarized(c.weights());
    const std::vector<size_t> wrt = float_indices(c.inputs);
    const std::unique_ptr<ir::Function> g = autodiff::grad(*h, wrt);

    // h2(x) = sum_k sum(grad_k(x) * W2_k)
    const std::vector<Tensor> grads = ir::interpret(*g, c.inputs);
    std::vector<Tensor> w2;
    for (size_t k = 0; k < grads.size(); ++k) w2.push_back(uniform(grads[k].shape(), -1, 1, c.seed + 300 + k));
    const std::unique_ptr<ir::Function> h2 = make_function(c.param_types(), [&](ir::Builder& b, std::span<ir::Value* const> p) {
        ir::Value* total = nullptr;
        const std::vector<ir::Value*> gs = ir::inline_function(b, *g, p);
        for (size_t k = 0; k < gs.size(); ++k) {
            ir::Value* term = weighted_sum(b, gs[k], w2[k]);
            total = total ? b.op(OpKind::Add, {total, term}) : term;
        }
        return total;
    }, "h2");
    const std::unique_ptr<ir::Function> gg = autodiff::grad(*h2, wrt);
    expect_valid(*gg);
    const std::vector<Tensor> second = ir::interpret(*gg, c.inputs);
    for (size_t k = 0; k < wrt.size(); ++k)
        expect_close(second[k], numeric_gradient(*h2, c.inputs, wrt[k]), "grad of grad, input " + std::to_string(wrt[k]), tol);

    const std::unique_ptr<ir::Function> hvp = autodiff::jvp(*g);
    expect_valid(*hvp);
    const std::vector<Tensor> d = random_directions(c.inputs, c.seed + 400);
    std::vector<Tensor> args = c.inputs;
    for (const Tensor& t : tangent_args(c.inputs, d)) args.push_back(t);
    const std::vector<Tensor> pushed = ir::interpret(*hvp, args);
    const std::vector<Tensor> numeric = directional_difference(*g, c.inputs, d);
    for (size_t k = 0; k < wrt.size(); ++k)
        expect_close(pushed[grads.size() + k], numeric[k], "jvp of grad, input " + std::to_string(wrt[k]), tol);
}

// Short forms for the op tests.
inline ir::Value* op(ir::Builder& b, OpKind kind, std::vector<ir::Value*> operands, Attrs attrs = {}) {
    return b.op(kind, std::move(operands), std::move(attrs));
}

}  // namespace nnc::testing
