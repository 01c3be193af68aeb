// Fuzz target: bytes as a .csv file read by `read_csv`.
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nnc::fuzz::read_as_file(data, size, "read_csv", ".csv");
    return 0;
}
