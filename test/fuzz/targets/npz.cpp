// Fuzz target: bytes as a .npz file read by `load_npz`.
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nnc::fuzz::read_as_file(data, size, "load_npz", ".npz");
    return 0;
}
