// Static memory planning, the same for every backend: places an
// executable's temporary buffers in one arena, reusing the space of buffers
// whose last use has passed. Lifetimes are in step numbers, inclusive at
// both ends, so a step never writes its output over an input it is still
// reading. Planned once per set of concrete dimension sizes; the peak is
// known before anything runs.
#pragma once

#include <cstdint>
#include <vector>

namespace nnc::codegen {

struct BufferRequest {
    int64_t bytes = 0;
    int first_step = 0;   // the step that writes it
    int last_step = 0;    // the last step that reads it (or a view of it)
};

struct MemoryPlan {
    std::vector<int64_t> offsets;   // one per request, 64-byte aligned
    int64_t arena_bytes = 0;        // peak: the arena's size
};

// First fit in order of first use: each buffer goes at the lowest offset
// that overlaps no buffer alive during its lifetime.
MemoryPlan plan_memory(const std::vector<BufferRequest>& requests);

}  // namespace nnc::codegen
