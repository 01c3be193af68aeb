// First-fit arena placement (see memory_plan.h).
#include "codegen/memory_plan.h"

#include <algorithm>
#include <numeric>

namespace nnc::codegen {

namespace {

constexpr int64_t kAlignment = 64;

int64_t aligned(int64_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

}  // namespace

MemoryPlan plan_memory(const std::vector<BufferRequest>& requests) {
    MemoryPlan plan;
    plan.offsets.assign(requests.size(), 0);
    std::vector<size_t> order(requests.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return requests[a].first_step < requests[b].first_step; });
    std::vector<size_t> placed;
    for (size_t i : order) {
        const BufferRequest& r = requests[i];
        // The live buffers it may not overlap, by offset.
        std::vector<std::pair<int64_t, int64_t>> busy;
        for (size_t j : placed) {
            const BufferRequest& other = requests[j];
            if (other.first_step <= r.last_step && r.first_step <= other.last_step)
                busy.emplace_back(plan.offsets[j], plan.offsets[j] + aligned(other.bytes));
        }
        std::sort(busy.begin(), busy.end());
        int64_t offset = 0;
        for (const auto& [lo, hi] : busy) {
            if (offset + aligned(r.bytes) <= lo) break;
            offset = std::max(offset, hi);
        }
        plan.offsets[i] = offset;
        plan.arena_bytes = std::max(plan.arena_bytes, offset + aligned(r.bytes));
        placed.push_back(i);
    }
    return plan;
}

}  // namespace nnc::codegen
