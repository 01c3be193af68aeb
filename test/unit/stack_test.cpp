// The stack guard: on a thread with a small stack, a recursion that checks
// stack_nearly_exhausted() stops in time, and run_with_stack returns the
// body's result and rethrows its exceptions.
#include <gtest/gtest.h>

#include <stdexcept>

#include "support/stack.h"

namespace nnc {
namespace {

// Recurses until the guard says stop; returns the depth reached. The frame
// is used after the call, so the recursion cannot become a loop.
int recurse_until_guarded(int depth) {
    volatile char frame[1024];   // a frame of a realistic size
    frame[0] = 1;
    if (stack_nearly_exhausted()) return depth;
    const int reached = recurse_until_guarded(depth + 1);
    return reached + frame[0] - 1;
}

TEST(Stack, GuardStopsRecursionBeforeTheEnd) {
    // Returning at all means the guard stopped the recursion before the end
    // of the 4 MiB stack; at least 3.5 MiB (less the margin) was usable.
    const int depth = run_with_stack(4 << 20, [] { return recurse_until_guarded(0); });
    EXPECT_GT(depth, 1000);
}

TEST(Stack, LargeStackLeavesRoom) {
    const int left_mib = run_with_stack(64 << 20, [] { return static_cast<int>(stack_left() >> 20); });
    EXPECT_GE(left_mib, 60);
}

TEST(Stack, ExceptionsCrossTheThread) {
    EXPECT_THROW(run_with_stack(1 << 20, []() -> int { throw std::runtime_error("boom"); }), std::runtime_error);
}

}  // namespace
}  // namespace nnc
