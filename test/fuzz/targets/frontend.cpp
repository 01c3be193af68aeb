// Fuzz target: .nn source through the lexer, parser and checker (nnc
// check: names, types, shapes, every fn under symbolic shapes).
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    nnc::fuzz::check_source(std::string(reinterpret_cast<const char*>(data), size));
    return 0;
}
