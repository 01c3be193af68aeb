// Creation kernels: full, arange, eye and the deterministic random tensors.
#include <gtest/gtest.h>

#include <cmath>

#include "test_tensors.h"

namespace nnc {
namespace {

using namespace nnc::testing;

// rand / randn of `shape` drawn from `seed` (their first operand).
Tensor draw(OpKind kind, std::vector<int64_t> shape, int64_t seed, DType dtype = DType::F32) {
    Tensor s = Tensor::empty(DType::I64, {});
    s.set_int(0, seed);
    return run(kind, {s}, {{"shape", std::move(shape)}, {"dtype", dtype}});
}

TEST(Create, FullArangeEye) {
    const Tensor f = run(OpKind::Full, {}, {{"shape", std::vector<int64_t>{2, 2}}, {"value", 1.5}});
    EXPECT_EQ(values(f), (V{1.5, 1.5, 1.5, 1.5}));
    const Tensor a = run(OpKind::Arange, {}, {{"start", 1.0}, {"stop", 2.0}, {"step", 0.25}});
    EXPECT_EQ(values(a), (V{1, 1.25, 1.5, 1.75}));
    const Tensor down = run(OpKind::Arange, {}, {{"start", 3.0}, {"stop", 0.0}, {"step", -1.0}, {"dtype", DType::I32}});
    EXPECT_EQ(down.dtype(), DType::I32);
    EXPECT_EQ(values(down), (V{3, 2, 1}));
    EXPECT_EQ(values(run(OpKind::Eye, {}, {{"n", int64_t{2}}})), (V{1, 0, 0, 1}));
    EXPECT_EQ(run(OpKind::Full, {}, {{"shape", std::vector<int64_t>{3}}, {"value", 2.0}, {"dtype", DType::F16}}).get(2), 2.0);
}

TEST(Create, RandUniformIsDeterministicAndInRange) {
    const Tensor a = draw(OpKind::RandUniform, {1000}, 42);
    EXPECT_EQ(values(a), values(draw(OpKind::RandUniform, {1000}, 42)));
    EXPECT_NE(values(a), values(draw(OpKind::RandUniform, {1000}, 43)));
    double sum = 0;
    for (double v : values(a)) {
        ASSERT_GE(v, 0.0);
        ASSERT_LT(v, 1.0);
        sum += v;
    }
    EXPECT_NEAR(sum / 1000, 0.5, 0.05);
    for (double v : values(draw(OpKind::RandUniform, {1000}, 1, DType::BF16))) ASSERT_LT(v, 1.0);
}

TEST(Create, RandNormalMomentsAndThreadIndependence) {
    const int64_t n = 1 << 17;
    set_kernel_threads(1);
    const Tensor one_thread = draw(OpKind::RandNormal, {n}, 7);
    set_kernel_threads(3);
    const Tensor three_threads = draw(OpKind::RandNormal, {n}, 7);
    EXPECT_EQ(values(one_thread), values(three_threads));
    double mean = 0, square = 0;
    for (double v : values(one_thread)) {
        ASSERT_TRUE(std::isfinite(v));
        mean += v / n;
        square += v * v / n;
    }
    EXPECT_NEAR(mean, 0.0, 0.02);
    EXPECT_NEAR(square - mean * mean, 1.0, 0.02);
}

}  // namespace
}  // namespace nnc
