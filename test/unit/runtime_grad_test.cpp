// Kernels and shape rules of the ops autodiff emits: stop_gradient, the
// symbolic-shape helpers (expand_dims, broadcast_like, sum_like), the
// accumulating transposes (update_slice, scatter_add, index_add) and the
// window gradients, the latter checked as adjoints: <op(x), y> = <x, grad(y)>.
#include <gtest/gtest.h>

#include <random>

#include "test_tensors.h"

namespace nnc {
namespace {

using namespace nnc::testing;

Tensor random(const Shape& shape, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> dist(-1, 1);
    Tensor t = Tensor::empty(DType::F64, shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.set(i, dist(rng));
    return t;
}

double dot(const Tensor& a, const Tensor& b) {
    EXPECT_EQ(a.shape(), b.shape());
    double s = 0;
    for (int64_t i = 0; i < a.numel(); ++i) s += a.get(i) * b.get(i);
    return s;
}

Tensor i64(const Shape& shape, std::initializer_list<double> v) { return make(DType::I64, shape, v); }

TEST(GradKernels, StopGradientAndExpandDims) {
    const Tensor x = f32({2, 2}, {1, 2, 3, 4});
    EXPECT_EQ(values(run(OpKind::StopGradient, {x})), (V{1, 2, 3, 4}));
    const Tensor e = run(OpKind::ExpandDims, {x}, Attrs{{"axes", std::vector<int64_t>{0, -1}}});
    EXPECT_EQ(e.shape(), (Shape{1, 2, 2, 1}));
    EXPECT_EQ(values(e), (V{1, 2, 3, 4}));
}

TEST(GradKernels, BroadcastLikeAndSumLike) {
    const Tensor row = f32({1, 3}, {1, 2, 3}), like = Tensor::zeros(DType::F64, {2, 1});
    const Tensor wide = run(OpKind::BroadcastLike, {row, like});
    EXPECT_EQ(wide.dtype(), DType::F32);
    EXPECT_EQ(wide.shape(), (Shape{2, 3}));
    EXPECT_EQ(values(wide), (V{1, 2, 3, 1, 2, 3}));
    const Tensor x = f32({2, 3}, {1, 2, 3, 4, 5, 6});
    EXPECT_EQ(values(run(OpKind::SumLike, {x, row})), (V{5, 7, 9}));
    EXPECT_EQ(values(run(OpKind::SumLike, {x, f32({2, 1}, {0, 0})})), (V{6, 15}));
    EXPECT_EQ(values(run(OpKind::SumLike, {x, f32({3}, {0, 0, 0})})), (V{5, 7, 9}));
    EXPECT_EQ(values(run(OpKind::SumLike, {x, Tensor::scalar(0, DType::F32)})), (V{21}));
    EXPECT_EQ(values(run(OpKind::SumLike, {x, x})), (V{1, 2, 3, 4, 5, 6}));
}

TEST(GradKernels, UpdateSlice) {
    const Tensor x = Tensor::zeros(DType::F32, {2, 5});
    const Attrs attrs{{"starts", Shape{1, 4}}, {"stops", Shape{2, -1}}, {"steps", Shape{1, -2}}};
    EXPECT_EQ(values(run(OpKind::UpdateSlice, {x, f32({1, 3}, {7, 8, 9})}, attrs)), (V{0, 0, 0, 0, 0, 9, 0, 8, 0, 7}));
}

TEST(GradKernels, ScatterAddAccumulatesRepeatedIndices) {
    const Tensor x = f32({2, 3}, {1, 1, 1, 1, 1, 1});
    const Tensor index = i64({2, 2}, {0, 0, 2, -1});
    EXPECT_EQ(values(run(OpKind::ScatterAdd, {x, index, f32({2, 2}, {1, 2, 3, 4})}, Attrs{{"axis", int64_t{1}}})),
              (V{4, 1, 1, 1, 1, 8}));
}

TEST(GradKernels, IndexAddAccumulatesRepeatedIndices) {
    const Tensor x = Tensor::zeros(DType::F32, {3, 2});
    const Tensor rows = f32({2, 2}, {1, 2, 3, 4});
    EXPECT_EQ(values(run(OpKind::IndexAdd, {x, i64({2}, {1, 1}), rows}, Attrs{{"axis", int64_t{0}}})), (V{0, 0, 4, 6, 0, 0}));
    EXPECT_EQ(values(run(OpKind::IndexAdd, {x, i64({3}, {5, 0, 5}), f32({3}, {1, 2, 3})})), (V{2, 0, 0, 0, 0, 4}));
    EXPECT_THROW(run(OpKind::IndexAdd, {x, i64({1}, {3}), f32({1, 2}, {1, 2})}, Attrs{{"axis", int64_t{0}}}), RuntimeError);
}

TEST(GradKernels, ConvolutionGradientsAreAdjoints) {
    const Attrs window{{"stride", Shape{2, 1}}, {"padding", Shape{1, 2}}};
    const Tensor x = random({2, 3, 7, 5}, 1), w = random({4, 3, 3, 2}, 2);
    const Tensor y = run(OpKind::Conv2d, {x, w}, window);
    const Tensor g = random(y.shape(), 3);
    Attrs input = window, weight = window;
    input.set("input_size", Shape{7, 5});
    weight.set("kernel_size", Shape{3, 2});
    const Tensor dx = run(OpKind::Conv2dGradInput, {g, w}, input);
    const Tensor dw = run(OpKind::Conv2dGradWeight, {x, g}, weight);
    EXPECT_EQ(dx.shape(), x.shape());
    EXPECT_EQ(dw.shape(), w.shape());
    EXPECT_NEAR(dot(y, g), dot(x, dx), 1e-12);
    EXPECT_NEAR(dot(y, g), dot(w, dw), 1e-12);
}

// f32 convolutions and their gradients run on oneDNN (runtime/conv_dnnl.cpp),
// f64 ones on im2col + GEMM and the reference loops: both must agree (the
// adjoint test above ties the f64 forward pass to those loops), with stride
// and padding and a batch larger than the thread team, on oneDNN's plain
// layouts (few channels) and its blocked ones (8 or more).
void expect_f32_convolutions_match_f64(const Shape& x_shape, const Shape& w_shape, const Attrs& window) {
    const Tensor x = random(x_shape, 7), w = random(w_shape, 8);
    const Tensor y = run(OpKind::Conv2d, {x, w}, window);
    const Tensor g = random(y.shape(), 9);
    Attrs input = window, weight = window;
    input.set("input_size", Shape{x_shape[2], x_shape[3]});
    weight.set("kernel_size", Shape{w_shape[2], w_shape[3]});
    auto near = [](const Tensor& f32_result, const Tensor& f64_result) {
        ASSERT_EQ(f32_result.dtype(), DType::F32);
        ASSERT_EQ(f32_result.shape(), f64_result.shape());
        for (int64_t i = 0; i < f64_result.numel(); ++i) EXPECT_NEAR(f32_result.get(i), f64_result.get(i), 1e-4) << i;
    };
    const Tensor xf = x.to(DType::F32), wf = w.to(DType::F32), gf = g.to(DType::F32);
    near(run(OpKind::Conv2d, {xf, wf}, window), y);
    near(run(OpKind::Conv2dGradInput, {gf, wf}, input), run(OpKind::Conv2dGradInput, {g, w}, input));
    near(run(OpKind::Conv2dGradWeight, {xf, gf}, weight), run(OpKind::Conv2dGradWeight, {x, g}, weight));
}

TEST(GradKernels, Float32ConvolutionsMatchTheReferenceLoops) {
    const Attrs window{{"stride", Shape{2, 1}}, {"padding", Shape{1, 2}}};
    expect_f32_convolutions_match_f64({5, 3, 7, 5}, {4, 3, 3, 2}, window);
    expect_f32_convolutions_match_f64({3, 16, 9, 6}, {8, 16, 3, 3}, window);
    expect_f32_convolutions_match_f64({3, 8, 6, 6}, {16, 8, 3, 3}, Attrs{{"padding", Shape{1, 1}}});
}

// An empty batch: no work for oneDNN (which takes no zero sizes); the
// weight gradient is an empty sum.
TEST(GradKernels, Float32ConvolutionsOfAnEmptyBatch) {
    const Tensor x = Tensor::zeros(DType::F32, {0, 8, 5, 5}), w = random({8, 8, 3, 3}, 3).to(DType::F32);
    const Tensor y = run(OpKind::Conv2d, {x, w}, Attrs{});
    EXPECT_EQ(y.shape(), (Shape{0, 8, 3, 3}));
    Attrs weight{{"kernel_size", Shape{3, 3}}};
    const Tensor dw = run(OpKind::Conv2dGradWeight, {x, y}, weight);
    ASSERT_EQ(dw.shape(), w.shape());
    for (int64_t i = 0; i < dw.numel(); ++i) EXPECT_EQ(dw.get(i), 0.0) << i;
}

TEST(GradKernels, PoolGradientsAreAdjoints) {
    const Attrs window{{"kernel", Shape{3, 2}}, {"stride", Shape{2, 1}}, {"padding", Shape{1, 1}}};
    const Tensor x = random({2, 2, 6, 5}, 4), t = random({2, 2, 6, 5}, 5);
    const Tensor picked = run(OpKind::MaxPool2dSelect, {x, t}, window);
    const Tensor g = random(picked.shape(), 6);
    EXPECT_EQ(values(run(OpKind::MaxPool2dSelect, {x, x}, window)), values(run(OpKind::MaxPool2d, {x}, window)));
    EXPECT_NEAR(dot(picked, g), dot(t, run(OpKind::MaxPool2dGrad, {x, g}, window)), 1e-12);
    Attrs avg = window;
    avg.set("input_size", Shape{6, 5});
    EXPECT_NEAR(dot(run(OpKind::AvgPool2d, {t}, window), g), dot(t, run(OpKind::AvgPool2dGrad, {g}, avg)), 1e-12);
}

TEST(GradKernels, MaxPoolGradGoesToTheFirstMaximum) {
    const Tensor x = f32({1, 1, 2, 2}, {5, 5, 1, 5});
    EXPECT_EQ(values(run(OpKind::MaxPool2dGrad, {x, f32({1, 1, 1, 1}, {2})}, Attrs{{"kernel", Shape{2, 2}}})),
              (V{2, 0, 0, 0}));
}

TEST(GradShapeRules, SymbolicShapes) {
    const TensorType x{DType::F32, {Dim::symbol("B"), Dim::known(3)}};
    const TensorType one{DType::F32, {Dim::known(1), Dim::known(1)}};
    EXPECT_EQ(infer_type(OpKind::BroadcastLike, std::vector{one, x}, {}).str(), "f32[B, 3]");
    EXPECT_EQ(infer_type(OpKind::SumLike, std::vector{x, one}, {}).str(), "f32[1, 1]");
    EXPECT_EQ(infer_type(OpKind::ExpandDims, std::vector{x}, Attrs{{"axes", std::vector<int64_t>{1}}}).str(), "f32[B, 1, 3]");
    EXPECT_THROW(infer_type(OpKind::ExpandDims, std::vector{x}, Attrs{{"axes", std::vector<int64_t>{1, -3}}}), ShapeError);
    EXPECT_THROW(infer_type(OpKind::SumLike, std::vector{one, x}, {}), ShapeError);
    const TensorType dy = TensorType::of(DType::F32, {2, 4, 3, 3});
    const TensorType w = TensorType::of(DType::F32, {4, 3, 3, 3});
    EXPECT_EQ(infer_type(OpKind::Conv2dGradInput, std::vector{dy, w}, Attrs{{"input_size", Shape{5, 5}}}).str(),
              "f32[2, 3, 5, 5]");
    EXPECT_THROW(infer_type(OpKind::Conv2dGradInput, std::vector{dy, w}, Attrs{{"input_size", Shape{6, 5}}}), ShapeError);
}

}  // namespace
}  // namespace nnc
