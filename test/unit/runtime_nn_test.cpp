// Neural-network kernels: matmul (NumPy semantics, oneDNN for f32),
// conv2d, pooling and softmax.
#include <gtest/gtest.h>

#include <cmath>

#include "test_tensors.h"

namespace nnc {
namespace {

using namespace nnc::testing;

Tensor iota(DType dtype, const Shape& shape) {
    Tensor t = Tensor::empty(dtype, shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.set(i, static_cast<double>(i % 11) - 5);
    return t;
}

// out[b, i, j] = sum_k a[b, i, k] w[b, k, j] with a, w already broadcast to the batch.
std::vector<double> naive_matmul(const Tensor& a, const Tensor& b, int64_t batch, int64_t m, int64_t k, int64_t n,
                                 bool broadcast_b) {
    std::vector<double> out;
    for (int64_t t = 0; t < batch; ++t)
        for (int64_t i = 0; i < m; ++i)
            for (int64_t j = 0; j < n; ++j) {
                double s = 0;
                for (int64_t p = 0; p < k; ++p) s += a.get(t * m * k + i * k + p) * b.get((broadcast_b ? 0 : t) * k * n + p * n + j);
                out.push_back(s);
            }
    return out;
}

TEST(MatMul, TwoByTwo) {
    const Tensor a = f32({2, 2}, {1, 2, 3, 4});
    EXPECT_EQ(values(run(OpKind::MatMul, {a, f32({2, 2}, {1, 1, 1, 1})})), (V{3, 3, 7, 7}));
    EXPECT_EQ(values(run(OpKind::MatMul, {make(DType::I32, {2, 2}, {1, 2, 3, 4}), make(DType::I32, {2, 1}, {1, -1})})),
              (V{-1, -1}));
}

TEST(MatMul, VectorOperands) {
    const Tensor m = f32({2, 3}, {1, 2, 3, 4, 5, 6});
    const Tensor v = f32({3}, {1, 0, -1});
    const Tensor mv = run(OpKind::MatMul, {m, v});
    EXPECT_EQ(mv.shape(), (Shape{2}));
    EXPECT_EQ(values(mv), (V{-2, -2}));
    const Tensor vm = run(OpKind::MatMul, {f32({2}, {1, 1}), m});
    EXPECT_EQ(vm.shape(), (Shape{3}));
    EXPECT_EQ(values(vm), (V{5, 7, 9}));
    const Tensor dot = run(OpKind::MatMul, {v, v});
    EXPECT_EQ(dot.rank(), 0);
    EXPECT_EQ(dot.item(), 2);
}

TEST(MatMul, BatchedWithBroadcastAllDtypes) {
    for (DType dtype : {DType::F32, DType::F64, DType::I64, DType::BF16}) {
        const Tensor a = iota(dtype, {3, 4, 5}), b = iota(dtype, {5, 2});
        const Tensor out = run(OpKind::MatMul, {a, b});
        EXPECT_EQ(out.shape(), (Shape{3, 4, 2}));
        const std::vector<double> want = naive_matmul(a, b, 3, 4, 5, 2, true);
        for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(out.get(static_cast<int64_t>(i)), want[i], 1e-4) << dtype_name(dtype);
    }
    const Tensor a = iota(DType::F32, {2, 1, 3, 4}), b = iota(DType::F32, {5, 4, 2});
    EXPECT_EQ(run(OpKind::MatMul, {a, b}).shape(), (Shape{2, 5, 3, 2}));
}

TEST(MatMul, LargeF32MatchesNaive) {
    const Tensor a = iota(DType::F32, {2, 65, 70}), b = iota(DType::F32, {2, 70, 33});
    const Tensor out = run(OpKind::MatMul, {a, b});
    const std::vector<double> want = naive_matmul(a, b, 2, 65, 70, 33, false);
    for (size_t i = 0; i < want.size(); ++i) ASSERT_NEAR(out.get(static_cast<int64_t>(i)), want[i], 1e-3);
}

// gemm reads a transposed operand in place: the same numbers as matmul of the transposes.
TEST(Gemm, TranspositionsMatchMatMul) {
    const Attrs swap{{"perm", std::vector<int64_t>{1, 0}}};
    for (DType dtype : {DType::F32, DType::F64, DType::BF16})
        for (bool ta : {false, true})
            for (bool tb : {false, true}) {
                SCOPED_TRACE(std::string(dtype_name(dtype)) + (ta ? " A^T" : " A") + (tb ? " B^T" : " B"));
                const Tensor a = iota(dtype, ta ? Shape{7, 3} : Shape{3, 7}), b = iota(dtype, tb ? Shape{5, 7} : Shape{7, 5});
                const Tensor got = run(OpKind::Gemm, {a, b}, Attrs{{"transpose_a", ta}, {"transpose_b", tb}});
                const Tensor want = run(OpKind::MatMul, {ta ? run(OpKind::Permute, {a}, swap) : a, tb ? run(OpKind::Permute, {b}, swap) : b});
                EXPECT_EQ(got.shape(), (Shape{3, 5}));
                EXPECT_EQ(got.dtype(), dtype);
                EXPECT_EQ(values(got), values(want));
            }
    EXPECT_EQ(run(OpKind::Gemm, {iota(DType::F32, {0, 4}), iota(DType::F32, {4, 2})}).shape(), (Shape{0, 2}));
    EXPECT_EQ(values(run(OpKind::Gemm, {iota(DType::F32, {2, 0}), iota(DType::F32, {0, 2})})), (V{0, 0, 0, 0}));
}

TEST(Conv2d, AgainstHandComputed) {
    // 1x1x3x3 input, 1x1x2x2 kernel of ones: each output sums a 2x2 window.
    const Tensor x = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
    const Tensor w = f32({1, 1, 2, 2}, {1, 1, 1, 1});
    EXPECT_EQ(values(run(OpKind::Conv2d, {x, w})), (V{12, 16, 24, 28}));
    const Tensor padded = run(OpKind::Conv2d, {x, w}, {{"stride", std::vector<int64_t>{2, 2}}, {"padding", std::vector<int64_t>{1, 1}}});
    EXPECT_EQ(padded.shape(), (Shape{1, 1, 2, 2}));
    EXPECT_EQ(values(padded), (V{1, 5, 11, 28}));
}

TEST(Conv2d, ChannelsAndBatch) {
    // Two input channels, two filters: filter 0 picks channel 0, filter 1 sums both, times 2.
    const Tensor x = f32({2, 2, 1, 2}, {1, 2, 10, 20, 3, 4, 30, 40});
    const Tensor w = f32({2, 2, 1, 1}, {1, 0, 2, 2});
    EXPECT_EQ(values(run(OpKind::Conv2d, {x, w})), (V{1, 2, 22, 44, 3, 4, 66, 88}));
    EXPECT_THROW(run(OpKind::Conv2d, {x, f32({1, 3, 1, 1}, {1, 1, 1})}), ShapeError);
}

TEST(Pooling, MaxAndAverageExcludePadding) {
    const Tensor x = f32({1, 1, 4, 4}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
    const Attrs two{{"kernel", std::vector<int64_t>{2, 2}}};
    EXPECT_EQ(values(run(OpKind::MaxPool2d, {x}, two)), (V{6, 8, 14, 16}));
    EXPECT_EQ(values(run(OpKind::AvgPool2d, {x}, two)), (V{3.5, 5.5, 11.5, 13.5}));
    const Attrs padded{{"kernel", std::vector<int64_t>{3, 3}}, {"stride", std::vector<int64_t>{2, 2}},
                       {"padding", std::vector<int64_t>{1, 1}}};
    // Top-left window covers x[0:2, 0:2] only: mean of 1, 2, 5, 6.
    EXPECT_EQ(values(run(OpKind::AvgPool2d, {x}, padded))[0], 3.5);
    EXPECT_EQ(values(run(OpKind::MaxPool2d, {make(DType::I32, {1, 1, 2, 2}, {-3, -1, -2, -4})}, two)), (V{-1}));
}

TEST(Softmax, StableAlongAxis) {
    const Tensor x = f32({2, 3}, {1, 2, 3, 1000, 1000, 1000});
    const V s = values(run(OpKind::Softmax, {x}, {{"axis", int64_t{1}}}));
    const double z = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
    EXPECT_NEAR(s[0], std::exp(1.0) / z, 1e-6);
    EXPECT_NEAR(s[2], std::exp(3.0) / z, 1e-6);
    EXPECT_NEAR(s[4], 1.0 / 3, 1e-6);   // no overflow
    const V ls = values(run(OpKind::LogSoftmax, {x}, {{"axis", int64_t{-1}}}));
    EXPECT_NEAR(ls[0], 1 - std::log(z), 1e-5);
    EXPECT_NEAR(ls[3], -std::log(3.0), 1e-5);
    const V cols = values(run(OpKind::Softmax, {f32({2, 2}, {0, 0, 1, 1})}, {{"axis", int64_t{0}}}));
    EXPECT_NEAR(cols[0] + cols[2], 1.0, 1e-6);
    EXPECT_NEAR(cols[2], std::exp(1.0) / (1 + std::exp(1.0)), 1e-6);
}

}  // namespace
}  // namespace nnc
