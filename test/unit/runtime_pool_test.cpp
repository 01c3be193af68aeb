// The pooling kernels (max_pool2d, avg_pool2d, max_pool2d_select and the two
// pool gradients) against a direct transcription of their definition, on
// random planes full of ties (values from a handful of integers and both
// zeros) for every dtype they take and for windows with padding, odd sizes,
// leftover rows and columns, and strides below, equal to and above the kernel.
// Results must match bit for bit: the same element chosen, the same sums in
// the same order.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "test_tensors.h"

namespace nnc {
namespace {

using namespace nnc::testing;

struct Case {
    int64_t height, width, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
};

// CNN-style 2x2, leftovers, 3x3, overlapping, strided past the kernel,
// 1x1, 1xk, and padding up to half the kernel.
constexpr Case kCases[] = {
    {28, 28, 2, 2, 2, 2, 0, 0}, {7, 7, 2, 2, 2, 2, 0, 0}, {7, 8, 3, 3, 3, 3, 0, 0}, {6, 5, 3, 3, 1, 1, 1, 1},
    {6, 5, 3, 2, 2, 1, 1, 1},   {9, 7, 2, 3, 3, 2, 0, 0}, {5, 5, 1, 1, 2, 2, 0, 0}, {3, 10, 1, 4, 1, 3, 0, 2},
    {8, 8, 3, 3, 2, 2, 1, 0},   {4, 9, 4, 4, 1, 3, 2, 2}, {3, 3, 3, 3, 1, 1, 0, 0}, {5, 4, 2, 2, 1, 1, 0, 0},
};

Attrs attrs_of(const Case& c) {
    return Attrs{{"kernel", Shape{c.kernel_h, c.kernel_w}},
                 {"stride", Shape{c.stride_h, c.stride_w}},
                 {"padding", Shape{c.pad_h, c.pad_w}}};
}

int64_t out_size(int64_t n, int64_t k, int64_t stride, int64_t pad) { return (n + 2 * pad - k) / stride + 1; }

// Visits each window of plane geometry c, clipped to the input, in output order.
template <class F> void each_window(const Case& c, F f) {
    const int64_t oh_n = out_size(c.height, c.kernel_h, c.stride_h, c.pad_h);
    const int64_t ow_n = out_size(c.width, c.kernel_w, c.stride_w, c.pad_w);
    for (int64_t oh = 0; oh < oh_n; ++oh)
        for (int64_t ow = 0; ow < ow_n; ++ow) {
            const int64_t r = oh * c.stride_h - c.pad_h, q = ow * c.stride_w - c.pad_w;
            f(oh * ow_n + ow, std::max<int64_t>(r, 0), std::min(r + c.kernel_h, c.height), std::max<int64_t>(q, 0),
              std::min(q + c.kernel_w, c.width));
        }
}

// Offset of the window's first maximum in row-major order, or of its first nan.
template <class T> int64_t first_max(const T* in, int64_t width, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
    int64_t best = h0 * width + w0;
    for (int64_t h = h0; h < h1; ++h)
        for (int64_t w = w0; w < w1; ++w) {
            const T v = in[h * width + w];
            if (v != v) return h * width + w;
            if (v > in[best]) best = h * width + w;
        }
    return best;
}

// kind's result on operands a (and b), computed by definition in T.
template <class T> Tensor reference(OpKind kind, const Case& c, const Tensor& a, const Tensor& b) {
    const int64_t oh = out_size(c.height, c.kernel_h, c.stride_h, c.pad_h);
    const int64_t ow = out_size(c.width, c.kernel_w, c.stride_w, c.pad_w);
    const bool to_input = kind == OpKind::MaxPool2dGrad || kind == OpKind::AvgPool2dGrad;
    Tensor out = Tensor::zeros(a.dtype(), to_input ? Shape{a.dim(0), a.dim(1), c.height, c.width}
                                                   : Shape{a.dim(0), a.dim(1), oh, ow});
    const int64_t in_size = c.height * c.width, o_size = oh * ow;
    for (int64_t p = 0; p < a.dim(0) * a.dim(1); ++p) {
        const T* pa = a.data<T>();
        T* po = out.data<T>();
        each_window(c, [&](int64_t o, int64_t h0, int64_t h1, int64_t w0, int64_t w1) {
            const T count = static_cast<T>((h1 - h0) * (w1 - w0));
            if (kind == OpKind::AvgPool2d) {
                T sum = 0;
                for (int64_t h = h0; h < h1; ++h)
                    for (int64_t w = w0; w < w1; ++w) sum += pa[p * in_size + h * c.width + w];
                po[p * o_size + o] = sum / count;
            } else if (kind == OpKind::AvgPool2dGrad) {
                const T share = pa[p * o_size + o] / count;
                for (int64_t h = h0; h < h1; ++h)
                    for (int64_t w = w0; w < w1; ++w) po[p * in_size + h * c.width + w] += share;
            } else {
                const int64_t at = p * in_size + first_max(pa + p * in_size, c.width, h0, h1, w0, w1);
                if (kind == OpKind::MaxPool2d) po[p * o_size + o] = pa[at];
                else if (kind == OpKind::MaxPool2dSelect) po[p * o_size + o] = b.data<T>()[at];
                else po[at] = static_cast<T>(po[at] + b.data<T>()[p * o_size + o]);
            }
        });
    }
    return out;
}

// Equal element for element, telling nans apart from numbers and -0 from 0.
void expect_identical(const Tensor& got, const Tensor& want, const std::string& what) {
    ASSERT_EQ(got.dtype(), want.dtype()) << what;
    ASSERT_EQ(got.shape(), want.shape()) << what;
    for (int64_t i = 0; i < want.numel(); ++i) {
        const double g = got.get(i), w = want.get(i);
        const bool same = std::isnan(w) ? std::isnan(g) : g == w && std::signbit(g) == std::signbit(w);
        if (!same) {
            ADD_FAILURE() << what << ": element " << i << " is " << g << ", expected " << w;
            return;
        }
    }
}

// [2, 3, H, W] of values drawn from `pool` (many ties).
Tensor tied(DType dtype, int64_t height, int64_t width, const std::vector<double>& pool, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);
    Tensor t = Tensor::empty(dtype, {2, 3, height, width});
    for (int64_t i = 0; i < t.numel(); ++i) t.set(i, pool[pick(rng)]);
    return t;
}

// Values that differ within any window, so a misrouted element shows.
Tensor distinct(DType dtype, const Shape& shape) {
    Tensor t = Tensor::empty(dtype, shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.set(i, static_cast<double>(i % 127) - 60);
    return t;
}

template <class T> void check_max_pools(DType dtype, const std::vector<double>& pool) {
    for (const Case& c : kCases) {
        const Attrs attrs = attrs_of(c);
        const std::string what = std::string(dtype_name(dtype)) + " " + std::to_string(c.height) + "x" +
                                 std::to_string(c.width) + " kernel " + std::to_string(c.kernel_h) + "x" +
                                 std::to_string(c.kernel_w) + " stride " + std::to_string(c.stride_h) + "," +
                                 std::to_string(c.stride_w) + " padding " + std::to_string(c.pad_h) + "," +
                                 std::to_string(c.pad_w);
        const Tensor x = tied(dtype, c.height, c.width, pool, static_cast<uint64_t>(c.height * 100 + c.width));
        const Tensor pooled = run(OpKind::MaxPool2d, {x}, attrs);
        expect_identical(pooled, reference<T>(OpKind::MaxPool2d, c, x, x), "max_pool2d " + what);
        const Tensor t = distinct(dtype, x.shape());
        expect_identical(run(OpKind::MaxPool2dSelect, {x, t}, attrs), reference<T>(OpKind::MaxPool2dSelect, c, x, t),
                         "max_pool2d_select " + what);
        const Tensor dy = distinct(dtype, pooled.shape());
        expect_identical(run(OpKind::MaxPool2dGrad, {x, dy}, attrs), reference<T>(OpKind::MaxPool2dGrad, c, x, dy),
                         "max_pool2d_grad " + what);
    }
}

template <class T> void check_avg_pools(DType dtype) {
    for (const Case& c : kCases) {
        Attrs attrs = attrs_of(c);
        const Tensor x = tied(dtype, c.height, c.width, {-1.5, 0.1, 2, 3.25, 7}, static_cast<uint64_t>(c.kernel_h * 10 + c.stride_w));
        const Tensor pooled = run(OpKind::AvgPool2d, {x}, attrs);
        expect_identical(pooled, reference<T>(OpKind::AvgPool2d, c, x, x), "avg_pool2d");
        const Tensor dy = tied(dtype, pooled.dim(2), pooled.dim(3), {0.3, -1.7, 2.9}, 3);
        attrs.set("input_size", Shape{c.height, c.width});
        expect_identical(run(OpKind::AvgPool2dGrad, {dy}, attrs), reference<T>(OpKind::AvgPool2dGrad, c, dy, dy),
                         "avg_pool2d_grad");
    }
}

const double kNan = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

TEST(PoolKernels, MaxPoolsMatchTheDefinitionOnFloats) {
    check_max_pools<float>(DType::F32, {-2, -1, -0.0, 0, 1, 2});
    check_max_pools<double>(DType::F64, {-2, -1, -0.0, 0, 1, 2});
}

TEST(PoolKernels, MaxPoolsMatchTheDefinitionWithNansAndInfinities) {
    const std::vector<double> pool = {-kInf, -kInf, -kInf, -kInf, -kInf, -kInf, -1, kInf, kNan};
    check_max_pools<float>(DType::F32, pool);
    check_max_pools<double>(DType::F64, pool);
}

TEST(PoolKernels, MaxPoolsMatchTheDefinitionOnIntegers) {
    check_max_pools<int8_t>(DType::I8, {-128, -1, 0, 1, 127});
    check_max_pools<int32_t>(DType::I32, {-3, -1, 0, 2});
    check_max_pools<int64_t>(DType::I64, {-3, -1, 0, 2});
}

TEST(PoolKernels, AvgPoolsMatchTheDefinition) {
    check_avg_pools<float>(DType::F32);
    check_avg_pools<double>(DType::F64);
}

// A window of -inf alone pools to -inf (not the lowest finite value).
TEST(PoolKernels, MaxOfMinusInfinityIsMinusInfinity) {
    const Tensor x = f32({1, 1, 2, 2}, {-kInf, -kInf, -kInf, -kInf});
    EXPECT_EQ(values(run(OpKind::MaxPool2d, {x}, Attrs{{"kernel", Shape{2, 2}}})), (V{-kInf}));
}

// Ties go to the first maximum in row-major order, also across a padded border.
TEST(PoolKernels, GradientOfTiesGoesToTheFirstMaximum) {
    const Tensor x = f32({1, 1, 3, 3}, {1, 4, 4, 4, 4, 0, 2, 4, 4});
    const Attrs window{{"kernel", Shape{2, 2}}, {"stride", Shape{1, 1}}, {"padding", Shape{1, 1}}};
    const Tensor dy = f32({1, 1, 4, 4}, {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768});
    // dy[oh, ow] = 2^(4 oh + ow), so each sum names the windows that chose the element.
    EXPECT_EQ(values(run(OpKind::MaxPool2dGrad, {x, dy}, window)),
              (V{1, 2 + 4 + 32 + 64, 8 + 128, 16 + 256 + 512, 1024, 0, 4096, 8192 + 16384, 2048 + 32768}));
}

}  // namespace
}  // namespace nnc
