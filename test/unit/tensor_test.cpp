// Tensor storage (runtime/tensor): checked allocation, element access and
// dtype conversion, including the f16/bf16 rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include <gmock/gmock.h>

#include "runtime/half.h"
#include "runtime/tensor.h"

namespace nnc {
namespace {

TEST(Tensor, ZerosScalarAndItem) {
    const Tensor z = Tensor::zeros(DType::F32, {2, 3});
    EXPECT_EQ(z.numel(), 6);
    EXPECT_EQ(z.nbytes(), 24);
    EXPECT_EQ(z.get(5), 0.0);
    EXPECT_EQ(Tensor::scalar(2.5, DType::F64).item(), 2.5);
    EXPECT_EQ(Tensor::scalar(7, DType::I32).rank(), 0);
    EXPECT_THROW(z.item(), RuntimeError);
    EXPECT_FALSE(Tensor().defined());
}

TEST(Tensor, AbsurdAllocationThrows) {
    try {
        Tensor::empty(DType::F32, {100000, 100000, 100000});
        FAIL() << "allocated 4e15 bytes";
    } catch (const RuntimeError& e) {
        EXPECT_THAT(e.what(), ::testing::StartsWith("cannot allocate f32[100000, 100000, 100000]: 4e+15 bytes, more "
                                                    "than this machine's memory"));
    }
    EXPECT_THROW(Tensor::empty(DType::F64, {int64_t{1} << 40, int64_t{1} << 40}), RuntimeError);
    EXPECT_THROW(Tensor::empty(DType::F32, {2, -1}), RuntimeError);
    EXPECT_THROW(checked_numel({int64_t{1} << 62, 8}), RuntimeError);
    EXPECT_EQ(Tensor::empty(DType::F32, {int64_t{1} << 62, 0}).numel(), 0);
}

TEST(Tensor, SetAndGetConvert) {
    Tensor t = Tensor::empty(DType::I8, {3});
    t.set(0, 3.9);
    t.set(1, -3.9);
    t.set(2, 1000);   // saturates
    EXPECT_EQ(t.get_int(0), 3);
    EXPECT_EQ(t.get_int(1), -3);
    EXPECT_EQ(t.get_int(2), 127);
    Tensor b = Tensor::empty(DType::Bool, {1});
    b.set(0, 0.5);
    EXPECT_EQ(b.get(0), 1.0);
}

TEST(Tensor, CloneReshapeAndTo) {
    Tensor t = Tensor::zeros(DType::F32, {2, 3});
    t.set(4, 1.5);
    const Tensor view = t.reshaped({3, 2});
    EXPECT_EQ(view.get(4), 1.5);
    EXPECT_EQ(view.raw(), t.raw());   // shares storage
    const Tensor copy = t.clone();
    t.set(4, 2.0);
    EXPECT_EQ(copy.get(4), 1.5);
    EXPECT_THROW(t.reshaped({4}), RuntimeError);
    const Tensor ints = t.to(DType::I64);
    EXPECT_EQ(ints.dtype(), DType::I64);
    EXPECT_EQ(ints.get_int(4), 2);
}

TEST(Half, F16RoundTripAndRounding) {
    for (float v : {0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 6.103515625e-05f, 5.960464477539063e-08f})
        EXPECT_EQ(f16_to_float(float_to_f16(v)), v) << v;
    EXPECT_EQ(float_to_f16(1.0f), 0x3c00);
    EXPECT_EQ(float_to_f16(65520.0f), 0x7c00);                     // rounds up to inf
    EXPECT_EQ(float_to_f16(1.0f + 0x1p-11f), 0x3c00);              // tie -> even (down)
    EXPECT_EQ(float_to_f16(1.0f + 3 * 0x1p-11f), 0x3c02);          // tie -> even (up)
    EXPECT_EQ(float_to_f16(0x1p-25f), 0x0000);                     // half the smallest subnormal: to even
    EXPECT_EQ(float_to_f16(0x1.8p-25f), 0x0001);
    EXPECT_TRUE(std::isnan(f16_to_float(float_to_f16(std::nanf("")))));
    EXPECT_EQ(f16_to_float(float_to_f16(-INFINITY)), -INFINITY);
    // Every f16 value survives a trip through float.
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const float f = f16_to_float(static_cast<uint16_t>(h));
        if (!std::isnan(f)) {
            EXPECT_EQ(float_to_f16(f), h);
        }
    }
}

TEST(Half, BF16RoundTripAndRounding) {
    EXPECT_EQ(float_to_bf16(1.0f), 0x3f80);
    EXPECT_EQ(float_to_bf16(1.0f + 0x1p-8f), 0x3f80);              // tie -> even (down)
    EXPECT_EQ(float_to_bf16(1.0f + 3 * 0x1p-8f), 0x3f82);          // tie -> even (up)
    EXPECT_EQ(bf16_to_float(float_to_bf16(-3.5f)), -3.5f);
    EXPECT_EQ(bf16_to_float(float_to_bf16(std::numeric_limits<float>::max())), INFINITY);
    EXPECT_TRUE(std::isnan(bf16_to_float(float_to_bf16(std::nanf("")))));
}

TEST(Half, TensorStorage) {
    Tensor t = Tensor::empty(DType::F16, {2});
    t.set(0, 0.1);
    t.set(1, -1e6);
    EXPECT_NEAR(t.get(0), 0.1, 1e-4);
    EXPECT_EQ(t.get(1), -INFINITY);
    const Tensor b = Tensor::scalar(3.140625, DType::BF16);
    EXPECT_EQ(b.to(DType::F32).item(), 3.140625);
    EXPECT_EQ(b.to(DType::F16).item(), 3.140625);
}

}  // namespace
}  // namespace nnc
