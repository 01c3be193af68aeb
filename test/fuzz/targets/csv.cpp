// Fuzz target: bytes as a .csv file read by `read_csv`, run eagerly and
// checked (checking reads only what it needs to type the result).
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string path = nnc::fuzz::input_file(data, size, ".csv");
    const std::string program = "let x = read_csv(\"" + path + "\")\nprint(x)\n";
    nnc::fuzz::run_source(program);
    nnc::fuzz::check_source(program);
    return 0;
}
