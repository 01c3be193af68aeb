// Fuzz target: bytes as a safetensors file (the checkpoint reader).
#include <string_view>

#include "runtime/io/safetensors.h"
#include "runtime/tensor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        nnc::decode_safetensors(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
    } catch (const nnc::RuntimeError&) {
        // a malformed file, reported as such
    }
    return 0;
}
