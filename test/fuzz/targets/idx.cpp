// Fuzz target: bytes as a .idx file read by `read_idx`.
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nnc::fuzz::read_as_file(data, size, "read_idx", ".idx");
    return 0;
}
