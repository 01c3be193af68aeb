// The file format of one kernel disk-cache entry: a header (magic, payload
// size, 64-bit XXH3 checksum of the payload) and the object file. A load
// verifies all three, so a truncated, emptied or corrupted entry (a power
// cut before the data reached the disk, a bad sector, a stray write) is a
// cache miss, never an object handed to the linker.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nnc::codegen {

// The bytes of an entry holding `object`.
std::string encode_cache_entry(std::string_view object);

// The object held by a complete, intact entry; nullopt otherwise, with the
// reason in `why`.
std::optional<std::string_view> decode_cache_entry(std::string_view entry, std::string& why);

}  // namespace nnc::codegen
