// Static memory planning (codegen/memory_plan.h): buffers alive at the same
// step never overlap, space is reused once a buffer's last use has passed,
// and every offset is 64-byte aligned.
#include <gtest/gtest.h>

#include <random>

#include "codegen/memory_plan.h"

namespace nnc::codegen {
namespace {

bool overlap_in_time(const BufferRequest& a, const BufferRequest& b) {
    return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

bool overlap_in_space(int64_t a, int64_t a_bytes, int64_t b, int64_t b_bytes) { return a < b + b_bytes && b < a + a_bytes; }

TEST(MemoryPlan, ReusesSpaceAfterTheLastUse) {
    // A chain: each step reads the buffer of the step before.
    const std::vector<BufferRequest> chain = {{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
    const MemoryPlan plan = plan_memory(chain);
    EXPECT_EQ(plan.arena_bytes, 2 * 1024);   // two buffers live at a time, each rounded up to 64 bytes
    EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
    EXPECT_NE(plan.offsets[0], plan.offsets[1]);
}

TEST(MemoryPlan, InclusiveLifetimesNeverShareAStep) {
    // The second buffer is written by the step that last reads the first.
    const MemoryPlan plan = plan_memory({{64, 0, 1}, {64, 1, 1}});
    EXPECT_NE(plan.offsets[0], plan.offsets[1]);
    EXPECT_EQ(plan.arena_bytes, 128);
}

TEST(MemoryPlan, EmptyAndZeroSized) {
    EXPECT_EQ(plan_memory({}).arena_bytes, 0);
    const MemoryPlan plan = plan_memory({{0, 0, 0}, {10, 0, 0}});
    EXPECT_EQ(plan.arena_bytes, 64);
}

TEST(MemoryPlan, RandomRequestsNeverOverlapWhileAlive) {
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 200; ++trial) {
        std::vector<BufferRequest> requests;
        const int n = 1 + static_cast<int>(rng() % 30);
        for (int i = 0; i < n; ++i) {
            const int first = static_cast<int>(rng() % 20);
            requests.push_back({static_cast<int64_t>(rng() % 5000), first, first + static_cast<int>(rng() % 6)});
        }
        const MemoryPlan plan = plan_memory(requests);
        ASSERT_EQ(plan.offsets.size(), requests.size());
        int64_t live_peak = 0;
        for (int step = 0; step < 26; ++step) {
            int64_t live = 0;
            for (const BufferRequest& r : requests)
                if (r.first_step <= step && step <= r.last_step) live += r.bytes;
            live_peak = std::max(live_peak, live);
        }
        EXPECT_GE(plan.arena_bytes, live_peak);
        for (int i = 0; i < n; ++i) {
            EXPECT_EQ(plan.offsets[i] % 64, 0);
            EXPECT_LE(plan.offsets[i] + requests[i].bytes, plan.arena_bytes);
            for (int j = i + 1; j < n; ++j) {
                if (!overlap_in_time(requests[i], requests[j]) || requests[i].bytes == 0 || requests[j].bytes == 0) continue;
                ASSERT_FALSE(overlap_in_space(plan.offsets[i], requests[i].bytes, plan.offsets[j], requests[j].bytes))
                    << "trial " << trial << ": buffers " << i << " and " << j;
            }
        }
    }
}

}  // namespace
}  // namespace nnc::codegen
