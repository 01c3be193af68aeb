// The caching allocator of tensor storage (see allocator.h).
#include "runtime/allocator.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <new>

#include <unistd.h>

namespace nnc {

namespace {

constexpr std::align_val_t kAlignment{64};     // a cache line, enough for any vector load
constexpr int64_t kCachedFrom = 256 << 10;    // smaller blocks: malloc already reuses them
constexpr int64_t kPage = 4096;

// Released large blocks by size. Never destroyed: tensors may be released
// during static destruction.
class BlockCache {
public:
    static BlockCache& instance() {
        static auto* cache = new BlockCache();
        return *cache;
    }

    std::byte* take(int64_t bytes) {
        std::lock_guard lock(mutex_);
        auto it = free_.find(bytes);
        if (it == free_.end()) return nullptr;
        std::byte* p = it->second;
        free_.erase(it);
        held_ -= bytes;
        return p;
    }

    // Keeps `p` for reuse, or frees it when the cache is full.
    void give(std::byte* p, int64_t bytes) {
        {
            std::lock_guard lock(mutex_);
            if (held_ + bytes <= limit_) {
                free_.emplace(bytes, p);
                held_ += bytes;
                return;
            }
        }
        ::operator delete[](p, kAlignment);
    }

    int64_t held() {
        std::lock_guard lock(mutex_);
        return held_;
    }

private:
    // A quarter of physical memory, at most 4 GiB.
    BlockCache() {
        const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        const int64_t physical = pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : int64_t{1} << 32;
        limit_ = std::min<int64_t>(physical / 4, int64_t{4} << 30);
    }

    std::mutex mutex_;
    std::multimap<int64_t, std::byte*> free_;
    int64_t held_ = 0;
    int64_t limit_ = 0;
};

}  // namespace

std::shared_ptr<std::byte[]> allocate_storage(int64_t bytes) {
    bytes = std::max<int64_t>(bytes, 1);
    if (bytes < kCachedFrom) {
        auto* p = static_cast<std::byte*>(::operator new[](static_cast<size_t>(bytes), kAlignment));
        return std::shared_ptr<std::byte[]>(p, [](std::byte* q) { ::operator delete[](q, kAlignment); });
    }
    const int64_t rounded = (bytes + kPage - 1) / kPage * kPage;
    std::byte* p = BlockCache::instance().take(rounded);
    if (!p) p = static_cast<std::byte*>(::operator new[](static_cast<size_t>(rounded), kAlignment));
    return std::shared_ptr<std::byte[]>(p, [rounded](std::byte* q) { BlockCache::instance().give(q, rounded); });
}

int64_t cached_storage_bytes() { return BlockCache::instance().held(); }

}  // namespace nnc
