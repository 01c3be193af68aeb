// The derivative table covers the op table: every differentiable primitive
// has a reverse-mode and a forward-mode rule, and the ops without a
// derivative are exactly the listed ones, so a new op cannot slip in with
// silently zero gradients. Also: what "no derivative" means in programs.

#include "autodiff/rules.h"
#include "test/unit/gradcheck.h"

namespace nnc::testing {
namespace {

using ir::Builder;
using ir::Value;
using Params = std::span<Value* const>;

// The Grads column of ops.def decides which ops have rules: both rules
// exactly for the differentiable ones.
TEST(AutodiffRules, EveryDifferentiableOpHasBothRules) {
    for (int k = 0; k < kNumOpKinds; ++k) {
        const auto kind = static_cast<OpKind>(k);
        SCOPED_TRACE(std::string(op_name(kind)));
        const autodiff::Rules& rules = autodiff::rules_for(kind);
        if (!op_differentiable(kind)) {
            EXPECT_EQ(rules.vjp, nullptr);
            EXPECT_EQ(rules.jvp, nullptr);
            continue;
        }
        EXPECT_TRUE(autodiff::has_derivative(kind));
        EXPECT_NE(rules.vjp, nullptr) << "no reverse-mode rule";
        EXPECT_NE(rules.jvp, nullptr) << "no forward-mode rule";
    }
}

TEST(AutodiffRules, TheGradsColumn) {
    EXPECT_FALSE(op_differentiable(OpKind::Eq));
    EXPECT_FALSE(op_differentiable(OpKind::For));
    EXPECT_FALSE(op_differentiable(OpKind::RandNormal));
    EXPECT_TRUE(op_differentiable(OpKind::Concat));
    EXPECT_TRUE(operand_differentiable(OpKind::Concat, 40));   // variadic: every operand
    EXPECT_FALSE(operand_differentiable(OpKind::Where, 0));   // the condition
    EXPECT_TRUE(operand_differentiable(OpKind::Where, 2));
    EXPECT_FALSE(operand_differentiable(OpKind::Gather, 1));  // the index
    EXPECT_FALSE(operand_differentiable(OpKind::ScatterAdd, 1));
    EXPECT_TRUE(operand_differentiable(OpKind::ScatterAdd, 2));
}

TEST(AutodiffRules, StopGradientIsAConstant) {
    // d/dx sum(x * stop_gradient(x)) = stop_gradient(x) = x, not 2x.
    const Tensor x = uniform({3}, -1, 1, 1);
    const std::unique_ptr<ir::Function> f = make_function({x.type()}, [](Builder& b, Params p) {
        return op(b, OpKind::ReduceSum, {op(b, OpKind::Mul, {p[0], op(b, OpKind::StopGradient, {p[0]})})});
    });
    const size_t wrt[] = {0};
    expect_close(ir::interpret(*autodiff::grad(*f, wrt), std::vector<Tensor>{x})[0], x, "grad");
    const std::vector<Tensor> pushed = ir::interpret(*autodiff::jvp(*f), std::vector<Tensor>{x, x});
    double expected = 0;
    for (int64_t i = 0; i < x.numel(); ++i) expected += x.get(i) * x.get(i);
    EXPECT_NEAR(pushed[1].item(), expected, 1e-12);
}

TEST(AutodiffRules, IntegerAndUnrelatedParametersGetZeros) {
    // f(x, n, u) = sum(x * argmax(x) as float) + n-independent; u is unused.
    const Tensor x = uniform({4}, -1, 1, 2), n = index_tensor({}, {3}, DType::I32), u = uniform({2}, -1, 1, 3);
    const std::unique_ptr<ir::Function> f = make_function({x.type(), n.type(), u.type()}, [](Builder& b, Params p) {
        Value* am = op(b, OpKind::Cast, {op(b, OpKind::ArgMax, {p[0]}, Attrs{{"axis", int64_t{0}}})}, Attrs{{"dtype", DType::F64}});
        Value* scaled = op(b, OpKind::Mul, {p[0], op(b, OpKind::Cast, {p[1]}, Attrs{{"dtype", DType::F64}})});
        return op(b, OpKind::ReduceSum, {op(b, OpKind::Mul, {scaled, am})});
    });
    const std::unique_ptr<ir::Function> v = autodiff::vjp(*f);
    expect_valid(*v);
    const std::vector<Tensor> out = ir::interpret(*v, std::vector<Tensor>{x, n, u, Tensor::scalar(1, DType::F64)});
    ASSERT_EQ(out.size(), 4u);
    EXPECT_EQ(out[2].dtype(), DType::I32);
    EXPECT_EQ(out[2].item(), 0);
    EXPECT_EQ(out[3].shape(), u.shape());
    EXPECT_EQ(out[3].get(0), 0);
    EXPECT_EQ(out[3].get(1), 0);
    const std::unique_ptr<ir::Function> j = autodiff::jvp(*f);
    expect_valid(*j);
}

TEST(AutodiffRules, GradChecksItsFunction) {
    const std::unique_ptr<ir::Function> f = make_function({TensorType::of(DType::F64, {3})}, [](Builder& b, Params p) {
        return op(b, OpKind::Exp, {p[0]});
    });
    const size_t wrt[] = {0};
    EXPECT_THROW(autodiff::grad(*f, wrt), ShapeError);            // not a scalar
    const std::unique_ptr<ir::Function> s = make_function({TensorType::of(DType::F64, {3})}, [](Builder& b, Params p) {
        return op(b, OpKind::ReduceSum, {p[0]});
    });
    const size_t out_of_range[] = {1};
    EXPECT_THROW(autodiff::value_and_grad(*s, out_of_range), ShapeError);
}

TEST(AutodiffRules, ValueAndGradReturnsTheValueFirst) {
    const Tensor x = uniform({3}, -1, 1, 4);
    const std::unique_ptr<ir::Function> f = make_function({x.type()}, [](Builder& b, Params p) {
        return op(b, OpKind::ReduceSum, {op(b, OpKind::Sin, {p[0]})});
    });
    const size_t wrt[] = {0};
    const std::vector<Tensor> out = ir::interpret(*autodiff::value_and_grad(*f, wrt), std::vector<Tensor>{x});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0].item(), ir::interpret(*f, std::vector<Tensor>{x})[0].item());
    for (int64_t i = 0; i < x.numel(); ++i) EXPECT_NEAR(out[1].get(i), std::cos(x.get(i)), 1e-15);
}

}  // namespace
}  // namespace nnc::testing
