// Reduction kernels: sums, means, extrema and arg-extrema over axes.
#include <gtest/gtest.h>

#include <cmath>

#include "test_tensors.h"

namespace nnc {
namespace {

using namespace nnc::testing;

Attrs axes(std::vector<int64_t> a, bool keepdim = false) { return {{"axes", std::move(a)}, {"keepdim", keepdim}}; }

TEST(Reduce, SumAndMeanOverAxes) {
    const Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
    EXPECT_EQ(values(run(OpKind::ReduceSum, {x})), (V{21}));
    EXPECT_EQ(values(run(OpKind::ReduceSum, {x}, axes({0}))), (V{5, 7, 9}));
    EXPECT_EQ(values(run(OpKind::ReduceMean, {x}, axes({1}))), (V{2, 5}));
    const Tensor kept = run(OpKind::ReduceSum, {x}, axes({-1}, true));
    EXPECT_EQ(kept.shape(), (Shape{2, 1}));
    EXPECT_EQ(values(kept), (V{6, 15}));
}

TEST(Reduce, MiddleAxisOfRank3) {
    Tensor x = Tensor::empty(DType::I32, {2, 3, 4});
    for (int64_t i = 0; i < 24; ++i) x.set(i, static_cast<double>(i));
    // sum over dim 1 of x[a, b, c] = 12a + 4b + c  ->  36a + 12 + 3c
    EXPECT_EQ(values(run(OpKind::ReduceSum, {x}, axes({1}))), (V{12, 15, 18, 21, 48, 51, 54, 57}));
    EXPECT_EQ(values(run(OpKind::ReduceMax, {x}, axes({0, 2}))), (V{15, 19, 23}));
}

TEST(Reduce, DtypesAndNan) {
    const Tensor b = make(DType::Bool, {4}, {1, 0, 1, 1});
    const Tensor count = run(OpKind::ReduceSum, {b});
    EXPECT_EQ(count.dtype(), DType::I64);   // integer sums widen, as in NumPy
    EXPECT_EQ(values(count), (V{3}));
    const Tensor mean = run(OpKind::ReduceMean, {make(DType::I32, {2}, {1, 2})});
    EXPECT_EQ(mean.dtype(), DType::F32);
    EXPECT_EQ(values(mean), (V{1.5}));
    EXPECT_TRUE(std::isnan(values(run(OpKind::ReduceMax, {f32({3}, {1, NAN, 2})}))[0]));
    EXPECT_EQ(values(run(OpKind::ReduceMin, {f32({3}, {1, -4, 2})})), (V{-4}));
}

TEST(Reduce, EmptyInputs) {
    const Tensor empty = Tensor::empty(DType::F32, {0, 3});
    EXPECT_EQ(values(run(OpKind::ReduceSum, {empty}, axes({0}))), (V{0, 0, 0}));
    EXPECT_THROW(run(OpKind::ReduceMax, {empty}, axes({0})), ShapeError);   // its shape rule: no identity
    EXPECT_EQ(run(OpKind::ReduceMax, {empty}, axes({1})).numel(), 0);
}

TEST(Reduce, LargeSumIsExactAndThreadIndependent) {
    const int64_t n = 1 << 20;
    Tensor ones = Tensor::empty(DType::F32, {n});
    for (int64_t i = 0; i < n; ++i) ones.set(i, 1.0);
    EXPECT_EQ(values(run(OpKind::ReduceSum, {ones})), (V{static_cast<double>(n)}));
    Tensor x = Tensor::empty(DType::F32, {4, n / 4});
    for (int64_t i = 0; i < n; ++i) x.set(i, static_cast<double>(i % 7));
    set_kernel_threads(1);
    const V serial = values(run(OpKind::ReduceMean, {x}, axes({1})));
    set_kernel_threads(4);
    EXPECT_EQ(values(run(OpKind::ReduceMean, {x}, axes({1}))), serial);
}

TEST(ArgReduce, FirstExtremumAlongAxis) {
    const Tensor x = f32({2, 3}, {1, 9, 9, 7, 2, 7});
    const Tensor am = run(OpKind::ArgMax, {x}, {{"axis", int64_t{1}}});
    EXPECT_EQ(am.dtype(), DType::I32);
    EXPECT_EQ(values(am), (V{1, 0}));
    EXPECT_EQ(values(run(OpKind::ArgMin, {x}, {{"axis", int64_t{0}}})), (V{0, 1, 1}));
    EXPECT_EQ(values(run(OpKind::ArgMax, {x})), (V{1}));   // flattened
    EXPECT_EQ(run(OpKind::ArgMax, {x}, {{"axis", int64_t{0}}, {"keepdim", true}}).shape(), (Shape{1, 3}));
    EXPECT_EQ(values(run(OpKind::ArgMax, {f32({3}, {1, NAN, 5})})), (V{1}));
}

}  // namespace
}  // namespace nnc
