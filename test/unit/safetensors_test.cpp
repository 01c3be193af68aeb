// The safetensors format (runtime/safetensors): round trips in file order,
// files of many tensors, names the format reserves or a header repeats, and
// messages that stay short however long the names and lists they quote.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runtime/io/safetensors.h"

namespace nnc {
namespace {

std::string error_of(auto&& body) {
    try {
        body();
    } catch (const RuntimeError& e) {
        return e.what();
    }
    return "no error";
}

// Tensors named in an order that is not sorted ("t10" before "t9"), each
// holding its index.
std::vector<NamedTensor> numbered(int count) {
    std::vector<NamedTensor> tensors;
    for (int i = count - 1; i >= 0; --i) tensors.push_back({"t" + std::to_string(i), Tensor::scalar(i, DType::I32)});
    return tensors;
}

TEST(Safetensors, RoundTripKeepsFileOrder) {
    const std::vector<NamedTensor> decoded = decode_safetensors(encode_safetensors(numbered(12)), "x");
    ASSERT_EQ(decoded.size(), 12u);
    for (size_t i = 0; i < decoded.size(); ++i) {
        EXPECT_EQ(decoded[i].name, "t" + std::to_string(11 - i));
        EXPECT_EQ(decoded[i].tensor.get(0), double(11 - i));
    }
}

// Encoding and decoding are linear in the number of tensors: 200,000 take
// about a second together (decoding alone took a minute when each header
// key was looked up linearly; test/io/many-tensors.nn bounds the time).
TEST(Safetensors, ManyTensors) {
    constexpr int kCount = 200000;
    const std::vector<NamedTensor> decoded = decode_safetensors(encode_safetensors(numbered(kCount)), "x");
    ASSERT_EQ(decoded.size(), size_t(kCount));
    EXPECT_EQ(decoded.front().name, "t199999");
    EXPECT_EQ(decoded.back().tensor.get(0), 0.0);
}

TEST(Safetensors, ReservedAndRepeatedNames) {
    std::vector<NamedTensor> tensors = {{"__metadata__", Tensor::scalar(1, DType::F32)}};
    EXPECT_EQ(error_of([&] { encode_safetensors(tensors); }),
              "cannot save tensor `__metadata__`: safetensors reserves that name for the file's metadata; rename it");
    const std::string header = R"({"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[],"data_offsets":[4,8]}})";
    std::string file(8, '\0');
    file[0] = char(header.size());
    file += header + std::string(8, '\0');
    EXPECT_EQ(error_of([&] { decode_safetensors(file, "f"); }), "`f` is not a valid safetensors file: the header names `a` twice");
}

TEST(Safetensors, MessagesStayShort) {
    const std::string long_name(5000, 'n');
    EXPECT_EQ(quote_name(long_name), "`" + std::string(100, 'n') + "...` (a name of 5000 bytes)");
    // The cut falls inside the two-byte "é" and moves before it.
    EXPECT_EQ(quote_name(std::string(99, 'x') + "\xc3\xa9yy"), "`" + std::string(99, 'x') + "...` (a name of 103 bytes)");
    EXPECT_EQ(quoted_names(numbered(3)), "`t2`, `t1`, `t0`");
    EXPECT_EQ(quoted_names(numbered(12)), "`t11`, `t10`, `t9`, `t8`, `t7`, `t6`, `t5`, `t4`, `t3`, `t2`, and 2 more");
    const std::vector<std::string> problems(25, "p");
    std::string expected = "`f` does not match the model (25 problems):";
    for (int i = 0; i < 20; ++i) expected += "\n  p";
    EXPECT_EQ(mismatch_message("f", "the model", problems), expected + "\n  and 5 more");
    EXPECT_EQ(mismatch_message("f", "the model", std::vector<std::string>{"p"}), "`f` does not match the model (1 problem):\n  p");
}

}  // namespace
}  // namespace nnc
