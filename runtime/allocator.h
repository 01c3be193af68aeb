// Tensor storage. Fresh memory is expensive here: the first write to each
// 4 KB page faults (measured ~12 us per page on this machine kind, so 64 MB
// costs tens of milliseconds), which would dominate a loop that allocates
// the same tensors every iteration. Large blocks are therefore kept after
// their last owner releases them and handed out again for a request of the
// same (page-rounded) size, like PyTorch's caching allocator for GPUs. The
// cache is bounded; beyond it blocks go back to the system.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace nnc {

// 64-byte aligned storage of at least `bytes` bytes (uninitialised). Throws
// std::bad_alloc when the system has no memory for it.
std::shared_ptr<std::byte[]> allocate_storage(int64_t bytes);

// Bytes held in the cache, free for reuse (for tests and --stats).
int64_t cached_storage_bytes();

}  // namespace nnc
