// Gradient checks of the neural-network ops: matmul in every NumPy form,
// conv2d and the pools with strides and padding, and the window-gradient
// ops autodiff emits for them (checked as functions in their own right).
#include "test/unit/gradcheck.h"

namespace nnc::testing {
namespace {

using ir::Builder;
using ir::Value;
using Params = std::span<Value* const>;

void check(const std::vector<Tensor>& inputs, const Body& body, bool second_order = true) {
    const GradCheck c{inputs, body};
    expect_gradients(c);
    if (second_order) expect_second_order(c);
}

Value* squared(Builder& b, Value* v) { return op(b, OpKind::Mul, {v, v}); }

TEST(MatMulGrad, AllForms) {
    const std::vector<std::pair<Shape, Shape>> forms = {
        {{2, 3}, {3, 4}}, {{3}, {3, 4}}, {{2, 3}, {3}}, {{3}, {3}}, {{2, 2, 3}, {3, 4}},
        {{2, 3}, {2, 3, 4}}, {{2, 1, 2, 3}, {3, 3, 2}}, {{3}, {2, 3, 4}}, {{2, 2, 3}, {3}},
    };
    uint64_t seed = 40;
    for (const auto& [sa, sb] : forms) {
        SCOPED_TRACE(shape_str(sa) + " @ " + shape_str(sb));
        check({uniform(sa, -1, 1, ++seed), uniform(sb, -1, 1, ++seed)},
              [](Builder& b, Params p) { return op(b, OpKind::MatMul, {p[0], p[1]}); });
    }
}

TEST(GemmGrad, EveryTransposition) {
    uint64_t seed = 60;
    for (bool ta : {false, true})
        for (bool tb : {false, true}) {
            SCOPED_TRACE("transpose_a " + std::to_string(ta) + " transpose_b " + std::to_string(tb));
            const Shape sa = ta ? Shape{3, 2} : Shape{2, 3}, sb = tb ? Shape{4, 3} : Shape{3, 4};
            check({uniform(sa, -1, 1, ++seed), uniform(sb, -1, 1, ++seed)}, [&](Builder& b, Params p) {
                return op(b, OpKind::Gemm, {p[0], p[1]}, Attrs{{"transpose_a", ta}, {"transpose_b", tb}});
            });
        }
}

struct Window {
    Shape stride, padding;
};

TEST(Conv2dGrad, StridesAndPadding) {
    const Tensor x = uniform({2, 3, 6, 5}, -1, 1, 50), w = uniform({4, 3, 3, 2}, -1, 1, 51);
    for (const Window& win : {Window{{1, 1}, {0, 0}}, Window{{2, 1}, {1, 1}}, Window{{2, 3}, {0, 1}}}) {
        SCOPED_TRACE("stride " + shape_str(win.stride) + " padding " + shape_str(win.padding));
        check({x, w}, [&](Builder& b, Params p) {
            return op(b, OpKind::Conv2d, {p[0], p[1]}, Attrs{{"stride", win.stride}, {"padding", win.padding}});
        });
    }
}

TEST(Conv2dGrad, GradientOpsAreDifferentiable) {
    const Attrs base{{"stride", Shape{2, 1}}, {"padding", Shape{1, 0}}};
    const Tensor dy = uniform({2, 4, 3, 4}, -1, 1, 52), w = uniform({4, 3, 3, 2}, -1, 1, 53);
    const Tensor x = uniform({2, 3, 5, 5}, -1, 1, 54);
    Attrs input = base;
    input.set("input_size", Shape{5, 5});
    check({dy, w}, [&](Builder& b, Params p) { return op(b, OpKind::Conv2dGradInput, {p[0], p[1]}, input); });
    Attrs weight = base;
    weight.set("kernel_size", Shape{3, 2});
    check({x, dy}, [&](Builder& b, Params p) { return op(b, OpKind::Conv2dGradWeight, {p[0], p[1]}, weight); });
}

TEST(PoolGrad, MaxAndAverage) {
    const Tensor x = uniform({2, 2, 5, 6}, -1, 1, 60);
    const std::vector<Attrs> windows = {
        Attrs{{"kernel", Shape{2, 2}}},
        Attrs{{"kernel", Shape{3, 2}}, {"stride", Shape{1, 2}}, {"padding", Shape{1, 1}}},
        Attrs{{"kernel", Shape{2, 3}}, {"stride", Shape{2, 1}}},
    };
    for (const Attrs& attrs : windows) {
        SCOPED_TRACE(attrs.str());
        for (OpKind kind : {OpKind::MaxPool2d, OpKind::AvgPool2d})
            check({x}, [&](Builder& b, Params p) { return squared(b, op(b, kind, {p[0]}, attrs)); });
    }
}

TEST(PoolGrad, GradientOpsAreDifferentiable) {
    const Attrs attrs{{"kernel", Shape{3, 2}}, {"stride", Shape{1, 2}}, {"padding", Shape{1, 1}}};
    const Tensor x = uniform({2, 2, 5, 6}, -1, 1, 61), t = uniform({2, 2, 5, 6}, -1, 1, 62);
    const Tensor dy = uniform({2, 2, 5, 4}, -1, 1, 63);
    check({x, dy}, [&](Builder& b, Params p) { return squared(b, op(b, OpKind::MaxPool2dGrad, {p[0], p[1]}, attrs)); });
    check({x, t}, [&](Builder& b, Params p) { return squared(b, op(b, OpKind::MaxPool2dSelect, {p[0], p[1]}, attrs)); });
    Attrs avg = attrs;
    avg.set("input_size", Shape{5, 6});
    check({dy}, [&](Builder& b, Params p) { return squared(b, op(b, OpKind::AvgPool2dGrad, {p[0]}, avg)); });
}

}  // namespace
}  // namespace nnc::testing
