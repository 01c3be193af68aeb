// Binding symbolic dims to argument sizes (core/symbol_binding.h): the
// first use binds, later uses must agree, and the message names the sizes.
#include <gtest/gtest.h>

#include "core/symbol_binding.h"

namespace nnc {
namespace {

TensorType batch_of(int64_t features) { return {DType::F32, {Dim::symbol("B"), Dim::known(features)}}; }

TEST(SymbolBinding, FirstUseBindsLaterUsesAgree) {
    SymbolBinding binding;
    EXPECT_TRUE(binding.bind(batch_of(3), DType::F32, Shape{32, 3}));
    EXPECT_TRUE(binding.bind(TensorType{DType::F32, {Dim::symbol("B")}}, DType::F32, Shape{32}));
    EXPECT_FALSE(binding.bind(TensorType{DType::F32, {Dim::symbol("B")}}, DType::F32, Shape{31}));
    ASSERT_EQ(binding.bound().size(), 1u);
    EXPECT_EQ(binding.bound()[0], (std::pair<std::string, int64_t>{"B", 32}));
    EXPECT_EQ(binding.describe(batch_of(3)), " with B = 32");
    EXPECT_EQ(binding.describe(TensorType{DType::F32, {Dim::known(2)}}), "");
}

TEST(SymbolBinding, DtypeRankAndKnownDims) {
    SymbolBinding binding;
    EXPECT_FALSE(binding.bind(batch_of(3), DType::F64, Shape{2, 3}));
    EXPECT_FALSE(binding.bind(batch_of(3), DType::F32, Shape{2, 4}));
    EXPECT_FALSE(binding.bind(batch_of(3), DType::F32, Shape{2}));
    EXPECT_TRUE(binding.bind(TensorType{DType::I64, {Dim::any(), Dim::symbol("T")}}, DType::I64, Shape{5, 7}));
    // Bound in order of first use, the order an executable keys its memory plans by.
    ASSERT_EQ(binding.bound().size(), 2u);
    EXPECT_EQ(binding.bound()[0].first, "B");
    EXPECT_EQ(binding.bound()[1].first, "T");
}

}  // namespace
}  // namespace nnc
