// support/error.h: internal errors name the file and line that found them,
// stay on in Release builds, and keep the bare message apart.
#include <gtest/gtest.h>

#include <string>

#include "support/error.h"

namespace nnc {
namespace {

int checked_half(int n) {
    NNC_CHECK(n % 2 == 0, "odd input " + std::to_string(n));
    return n / 2;
}

TEST(InternalError, CheckPassesOrThrowsWithThePlace) {
    EXPECT_EQ(checked_half(4), 2);
    try {
        checked_half(3);
        FAIL() << "NNC_CHECK did not throw";
    } catch (const InternalError& e) {
        EXPECT_EQ(e.message(), "odd input 3");
        const std::string what = e.what();
        EXPECT_TRUE(what.starts_with("internal error: odd input 3 (support_error_test.cpp:"));
        EXPECT_TRUE(what.ends_with(")"));
    }
}

TEST(InternalError, IsALogicError) {
    EXPECT_THROW(internal_error("unreachable"), std::logic_error);
}

}  // namespace
}  // namespace nnc
