// NumPy-style printing (runtime/format).
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/format.h"

namespace nnc {
namespace {

Tensor iota(DType dtype, const Shape& shape) {
    Tensor t = Tensor::empty(dtype, shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.set(i, static_cast<double>(i));
    return t;
}

TEST(Format, Numbers) {
    EXPECT_EQ(format_number(1.0, DType::F32), "1");
    EXPECT_EQ(format_number(0.5, DType::F32), "0.5");
    EXPECT_EQ(format_number(1e-6, DType::F64), "1e-06");
    EXPECT_EQ(format_number(3.14159265, DType::F64), "3.14159");
    EXPECT_EQ(format_number(10, DType::I32), "10");
    EXPECT_EQ(format_number(1, DType::Bool), "true");
    EXPECT_EQ(format_number(NAN, DType::F32), "nan");
    EXPECT_EQ(format_number(-INFINITY, DType::F32), "-inf");
}

TEST(Format, RankZeroIsANumber) {
    EXPECT_EQ(format_tensor(Tensor::scalar(10, DType::F32)), "10");
    EXPECT_EQ(format_tensor(Tensor::scalar(0, DType::Bool)), "false");
}

TEST(Format, SmallTensorsOnOneLine) {
    EXPECT_EQ(format_tensor(iota(DType::F32, {2, 2})), "[[0, 1], [2, 3]] : f32[2, 2]");
    EXPECT_EQ(format_tensor(iota(DType::I64, {3})), "[0, 1, 2] : i64[3]");
    EXPECT_EQ(format_tensor(Tensor::zeros(DType::F32, {0})), "[] : f32[0]");
    EXPECT_EQ(format_tensor(Tensor::zeros(DType::F32, {2, 0})), "[[], []] : f32[2, 0]");
}

TEST(Format, LongDimensionsAreSummarised) {
    EXPECT_EQ(format_tensor(iota(DType::I32, {10})), "[0, 1, 2, ..., 7, 8, 9] : i32[10]");
    EXPECT_EQ(format_tensor(iota(DType::I32, {6})), "[0, 1, 2, 3, 4, 5] : i32[6]");
}

TEST(Format, LargeTensorsPutRowsOnLines) {
    EXPECT_EQ(format_tensor(iota(DType::I32, {8, 100})),
              "[[0, 1, 2, ..., 97, 98, 99],\n"
              " [100, 101, 102, ..., 197, 198, 199],\n"
              " [200, 201, 202, ..., 297, 298, 299],\n"
              " ...,\n"
              " [500, 501, 502, ..., 597, 598, 599],\n"
              " [600, 601, 602, ..., 697, 698, 699],\n"
              " [700, 701, 702, ..., 797, 798, 799]] : i32[8, 100]");
    EXPECT_EQ(format_tensor(iota(DType::I32, {2, 2, 20})),
              "[[[0, 1, 2, ..., 17, 18, 19],\n"
              "  [20, 21, 22, ..., 37, 38, 39]],\n"
              "\n"
              " [[40, 41, 42, ..., 57, 58, 59],\n"
              "  [60, 61, 62, ..., 77, 78, 79]]] : i32[2, 2, 20]");
}

}  // namespace
}  // namespace nnc
