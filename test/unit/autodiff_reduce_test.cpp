// Gradient checks of the reductions over several axis sets, with and
// without keepdim, and of softmax / log_softmax; second derivatives too.
#include "test/unit/gradcheck.h"

namespace nnc::testing {
namespace {

using ir::Builder;
using ir::Value;
using Params = std::span<Value* const>;

struct Axes {
    std::vector<int64_t> axes;
    bool keepdim;
};

const std::vector<Axes> kAxes = {{{}, false}, {{}, true}, {{1}, false}, {{0, 2}, true}, {{-1}, false}, {{0, 1, 2}, false}};

class ReduceGrad : public ::testing::TestWithParam<OpKind> {};

TEST_P(ReduceGrad, MatchesFiniteDifferences) {
    const OpKind kind = GetParam();
    const Tensor x = uniform({2, 3, 4}, -2, 2, 31);
    for (const Axes& a : kAxes) {
        SCOPED_TRACE(shape_str(a.axes) + (a.keepdim ? " keepdim" : ""));
        expect_gradients({{x}, [&](Builder& b, Params p) {
            return op(b, kind, {p[0]}, Attrs{{"axes", a.axes}, {"keepdim", a.keepdim}});
        }});
    }
    expect_second_order({{x}, [&](Builder& b, Params p) {
        Value* r = op(b, kind, {p[0]}, Attrs{{"axes", std::vector<int64_t>{1}}, {"keepdim", false}});
        return op(b, OpKind::Mul, {r, r});
    }});
}

INSTANTIATE_TEST_SUITE_P(Ops, ReduceGrad,
                         ::testing::Values(OpKind::ReduceSum, OpKind::ReduceMean, OpKind::ReduceMax, OpKind::ReduceMin),
                         [](const auto& info) { return std::string(op_name(info.param)); });

TEST(ReduceGrad, MaxSplitsTiesEvenly) {
    // max of [1, 3, 3]: the two maxima share the cotangent.
    Tensor x = Tensor::empty(DType::F64, {3});
    x.set(0, 1), x.set(1, 3), x.set(2, 3);
    const std::unique_ptr<ir::Function> f = make_function({x.type()}, [](Builder& b, Params p) {
        return op(b, OpKind::ReduceMax, {p[0]});
    });
    const size_t wrt[] = {0};
    const Tensor g = ir::interpret(*autodiff::grad(*f, wrt), std::vector<Tensor>{x})[0];
    EXPECT_EQ(g.get(0), 0);
    EXPECT_EQ(g.get(1), 0.5);
    EXPECT_EQ(g.get(2), 0.5);
}

class SoftmaxGrad : public ::testing::TestWithParam<OpKind> {};

TEST_P(SoftmaxGrad, MatchesFiniteDifferences) {
    const OpKind kind = GetParam();
    const Tensor x = uniform({2, 3, 4}, -2, 2, 32);
    for (int64_t axis : {-1, 0, 1}) {
        SCOPED_TRACE("axis " + std::to_string(axis));
        const GradCheck c{{x}, [&](Builder& b, Params p) { return op(b, kind, {p[0]}, Attrs{{"axis", axis}}); }};
        expect_gradients(c);
        expect_second_order(c);
    }
}

INSTANTIATE_TEST_SUITE_P(Ops, SoftmaxGrad, ::testing::Values(OpKind::Softmax, OpKind::LogSoftmax),
                         [](const auto& info) { return std::string(op_name(info.param)); });

}  // namespace
}  // namespace nnc::testing
