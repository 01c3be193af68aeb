// Cache entries: little-endian header fields, XXH3 from LLVM's Support.
#include "codegen/cpu/cache_entry.h"

#include <cstdint>

#include <llvm/ADT/ArrayRef.h>
#include <llvm/Support/xxhash.h>

namespace nnc::codegen {

namespace {

constexpr std::string_view kMagic = "nncobj01";
constexpr size_t kHeaderSize = 8 + 8 + 8;   // magic, payload size, checksum

void put_u64(std::string& out, uint64_t v) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_u64(std::string_view bytes, size_t at) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
    return v;
}

uint64_t checksum(std::string_view bytes) {
    return llvm::xxh3_64bits(llvm::ArrayRef<uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

}  // namespace

std::string encode_cache_entry(std::string_view object) {
    std::string out(kMagic);
    put_u64(out, object.size());
    put_u64(out, checksum(object));
    out.append(object);
    return out;
}

std::optional<std::string_view> decode_cache_entry(std::string_view entry, std::string& why) {
    if (entry.size() < kHeaderSize || entry.substr(0, kMagic.size()) != kMagic) {
        why = "not a kernel cache entry (or one of an older nnc)";
        return std::nullopt;
    }
    const uint64_t size = get_u64(entry, 8);
    if (size != entry.size() - kHeaderSize) {
        why = "truncated: " + std::to_string(entry.size() - kHeaderSize) + " of " + std::to_string(size) + " bytes";
        return std::nullopt;
    }
    std::string_view object = entry.substr(kHeaderSize);
    if (checksum(object) != get_u64(entry, 16)) {
        why = "its checksum does not match its contents";
        return std::nullopt;
    }
    return object;
}

}  // namespace nnc::codegen
