// Fuzz target: bytes as a .npy file read by `load_npy`, run eagerly and
// checked (checking reads only what it needs to type the result).
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = nnc::fuzz::input_file(data, size, ".npy");
    const std::string program = "let x = load_npy(\"" + path + "\")\nprint(x)\n";
    nnc::fuzz::run_source(program);
    nnc::fuzz::check_source(program);
    return 0;
}
