// Fuzz target: bytes as a .npy file read by `load_npy`.
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nnc::fuzz::read_as_file(data, size, "load_npy", ".npy");
    return 0;
}
