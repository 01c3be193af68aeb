// Fuzz target: bytes as a kernel disk-cache entry (header, size, checksum).
#include <string>

#include "codegen/cpu/cache_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string why;
    nnc::codegen::decode_cache_entry(std::string_view(reinterpret_cast<const char*>(data), size), why);
    return 0;
}
