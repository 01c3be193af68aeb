// Elementwise kernels: unary math, binary ops with broadcasting and
// promotion, where, casts, and f16/bf16 operands.
#include <gtest/gtest.h>

#include <cmath>

#include "test_tensors.h"

namespace nnc {
namespace {

using namespace nnc::testing;

TEST(Kernels, EveryComputingOpHasAKernel) {
    for (int k = 0; k < kNumOpKinds; ++k) {
        const auto kind = static_cast<OpKind>(k);
        EXPECT_EQ(has_kernel(kind), kind != OpKind::Constant && !is_control_flow(kind)) << op_name(kind);
    }
}

TEST(Unary, MathFunctions) {
    const Tensor x = f32({4}, {-2, -0.5, 0, 3});
    EXPECT_EQ(values(run(OpKind::Neg, {x})), (V{2, 0.5, 0, -3}));
    EXPECT_EQ(values(run(OpKind::Abs, {x})), (V{2, 0.5, 0, 3}));
    EXPECT_EQ(values(run(OpKind::Sign, {x})), (V{-1, -1, 0, 1}));
    EXPECT_EQ(values(run(OpKind::Relu, {x})), (V{0, 0, 0, 3}));
    const V e = values(run(OpKind::Exp, {x}));
    EXPECT_NEAR(e[0], std::exp(-2.0), 1e-6);
    EXPECT_NEAR(values(run(OpKind::Sigmoid, {x}))[3], 1 / (1 + std::exp(-3.0)), 1e-6);
    EXPECT_NEAR(values(run(OpKind::Tanh, {x}))[1], std::tanh(-0.5), 1e-6);
    EXPECT_NEAR(values(run(OpKind::Gelu, {x}))[3], 2.99636, 1e-5);
    EXPECT_NEAR(values(run(OpKind::Softplus, {x}))[2], std::log(2.0), 1e-6);
    EXPECT_NEAR(values(run(OpKind::Rsqrt, {f32({1}, {4})}))[0], 0.5, 1e-7);
    EXPECT_NEAR(values(run(OpKind::Softplus, {f32({1}, {100})}))[0], 100, 1e-4);   // no overflow
    EXPECT_NEAR(values(run(OpKind::Sigmoid, {f32({1}, {-100})}))[0], 0, 1e-30);
}

TEST(Unary, IntegerInputs) {
    const Tensor i = make(DType::I32, {3}, {-4, 0, 9});
    const Tensor s = run(OpKind::Sqrt, {i});
    EXPECT_EQ(s.dtype(), DType::F32);
    EXPECT_EQ(values(s)[2], 3);
    EXPECT_EQ(run(OpKind::Abs, {i}).dtype(), DType::I32);
    EXPECT_EQ(values(run(OpKind::Abs, {i})), (V{4, 0, 9}));
    EXPECT_EQ(values(run(OpKind::LogicalNot, {i})), (V{0, 1, 0}));
    EXPECT_EQ(values(run(OpKind::Cast, {f32({2}, {-1.7, 2.9})}, {{"dtype", DType::I32}})), (V{-1, 2}));
}

TEST(Binary, BroadcastingAgainstHandComputed) {
    const Tensor a = f32({2, 3}, {1, 2, 3, 4, 5, 6});
    EXPECT_EQ(values(run(OpKind::Add, {a, f32({3}, {10, 20, 30})})), (V{11, 22, 33, 14, 25, 36}));
    EXPECT_EQ(values(run(OpKind::Sub, {a, f32({2, 1}, {1, 2})})), (V{0, 1, 2, 2, 3, 4}));
    EXPECT_EQ(values(run(OpKind::Mul, {f32({}, {2}), a})), (V{2, 4, 6, 8, 10, 12}));
    const Tensor outer = run(OpKind::Mul, {f32({3, 1}, {1, 2, 3}), f32({1, 2}, {10, 100})});
    EXPECT_EQ(outer.shape(), (Shape{3, 2}));
    EXPECT_EQ(values(outer), (V{10, 100, 20, 200, 30, 300}));
    EXPECT_THROW(run(OpKind::Add, {a, f32({2}, {1, 2})}), ShapeError);
}

TEST(Binary, LargeBroadcastMatchesScalarLoop) {
    // Big enough to run in parallel chunks; [N, 1] against [1, M] and a transposed-looking pattern.
    const int64_t n = 300, m = 257;
    Tensor col = Tensor::empty(DType::F64, {n, 1}), row = Tensor::empty(DType::F64, {m});
    for (int64_t i = 0; i < n; ++i) col.set(i, static_cast<double>(i));
    for (int64_t j = 0; j < m; ++j) row.set(j, static_cast<double>(j) * 1000);
    const Tensor sum = run(OpKind::Add, {col, row});
    for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < m; ++j) ASSERT_EQ(sum.get(i * m + j), i + j * 1000.0);
}

TEST(Binary, PromotionAndDivision) {
    const Tensor i = make(DType::I32, {3}, {7, -7, 1});
    const Tensor j = make(DType::I32, {3}, {2, 2, 0});
    const Tensor q = run(OpKind::Div, {i, j});
    EXPECT_EQ(q.dtype(), DType::F32);
    EXPECT_EQ(values(q)[0], 3.5);
    EXPECT_TRUE(std::isinf(values(q)[2]));
    const Tensor mixed = run(OpKind::Add, {i, f32({}, {0.5})});
    EXPECT_EQ(mixed.dtype(), DType::F32);
    EXPECT_EQ(values(mixed), (V{7.5, -6.5, 1.5}));
}

TEST(Binary, ModFollowsTheDivisor) {
    const Tensor a = make(DType::I32, {4}, {7, -7, 7, -7});
    const Tensor b = make(DType::I32, {4}, {3, 3, -3, -3});
    EXPECT_EQ(values(run(OpKind::Mod, {a, b})), (V{1, 2, -2, -1}));
    EXPECT_EQ(values(run(OpKind::Mod, {f32({2}, {-7.5, 7.5}), f32({2}, {2, -2})})), (V{0.5, -0.5}));
    EXPECT_THROW(run(OpKind::Mod, {a, make(DType::I32, {1}, {0})}), RuntimeError);
}

TEST(Binary, PowMaximumComparisonsLogic) {
    EXPECT_EQ(values(run(OpKind::Pow, {make(DType::I64, {3}, {2, 3, -2}), make(DType::I64, {3}, {10, 0, 3})})),
              (V{1024, 1, -8}));
    EXPECT_THROW(run(OpKind::Pow, {make(DType::I32, {1}, {2}), make(DType::I32, {1}, {-1})}), RuntimeError);
    EXPECT_EQ(values(run(OpKind::Pow, {f32({2}, {4, 2}), f32({2}, {0.5, -1})})), (V{2, 0.5}));
    const V mx = values(run(OpKind::Maximum, {f32({3}, {1, NAN, 5}), f32({3}, {2, 0, 4})}));
    EXPECT_EQ(mx[0], 2);
    EXPECT_TRUE(std::isnan(mx[1]));
    EXPECT_EQ(values(run(OpKind::Minimum, {f32({2}, {1, 5}), f32({}, {3})})), (V{1, 3}));
    const Tensor lt = run(OpKind::Lt, {make(DType::I32, {3}, {1, 2, 3}), f32({}, {2.5})});
    EXPECT_EQ(lt.dtype(), DType::Bool);
    EXPECT_EQ(values(lt), (V{1, 1, 0}));
    EXPECT_EQ(values(run(OpKind::Eq, {f32({2}, {1, 2}), f32({2}, {1, 3})})), (V{1, 0}));
    EXPECT_EQ(values(run(OpKind::LogicalOr, {make(DType::Bool, {2}, {0, 1}), make(DType::I32, {2}, {0, 0})})),
              (V{0, 1}));
}

TEST(Where, BroadcastsAllThree) {
    const Tensor cond = make(DType::Bool, {2, 1}, {1, 0});
    const Tensor out = run(OpKind::Where, {cond, f32({3}, {1, 2, 3}), make(DType::I32, {}, {-1})});
    EXPECT_EQ(out.shape(), (Shape{2, 3}));
    EXPECT_EQ(values(out), (V{1, 2, 3, -1, -1, -1}));
}

TEST(HalfPrecision, ComputedInF32AndNarrowedBack) {
    const Tensor h = make(DType::F16, {3}, {1, 2, 3});
    const Tensor sum = run(OpKind::Add, {h, make(DType::F16, {1}, {0.5})});
    EXPECT_EQ(sum.dtype(), DType::F16);
    EXPECT_EQ(values(sum), (V{1.5, 2.5, 3.5}));
    const Tensor mixed = run(OpKind::Mul, {make(DType::BF16, {2}, {2, 4}), make(DType::F16, {2}, {3, 0.5})});
    EXPECT_EQ(mixed.dtype(), DType::F32);
    EXPECT_EQ(values(mixed), (V{6, 2}));
    EXPECT_EQ(run(OpKind::ReduceSum, {h}).dtype(), DType::F16);
    EXPECT_EQ(values(run(OpKind::ReduceSum, {h})), (V{6}));
    EXPECT_EQ(run(OpKind::Cast, {h}, {{"dtype", DType::BF16}}).dtype(), DType::BF16);
}

TEST(Results, NeverAliasOperands) {
    const Tensor x = f32({2, 2}, {1, 2, 3, 4});
    EXPECT_NE(run(OpKind::Reshape, {x}, {{"shape", std::vector<int64_t>{4}}}).raw(), x.raw());
    EXPECT_NE(run(OpKind::Cast, {x}, {{"dtype", DType::F32}}).raw(), x.raw());
}

}  // namespace
}  // namespace nnc
