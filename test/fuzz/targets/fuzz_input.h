// Shared by the fuzz targets: run .nn source eagerly or check it, with its
// output discarded, and put a fuzz input in a file for the readers that
// take a path. Each target defines LLVMFuzzerTestOneInput; built with
// clang's -fsanitize=fuzzer it is a libFuzzer binary, otherwise
// replay_main.cpp runs it over files (the seed corpora, crash reproducers).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nnc::fuzz {

// Parses and runs `source` op by op (no JIT: the targets fuzz the readers and
// the front end, not LLVM). User errors are expected and ignored; anything
// else (an internal error, a crash) is a finding.
void run_source(const std::string& source);

// Parses and checks `source` (nnc check: abstract evaluation, every fn).
void check_source(const std::string& source);

// The input as a file with the given suffix, read by the builtin `reader`
// (`load_npy`, `read_idx`, ...) in a program that is run and checked
// (checking reads only what it needs to type the result).
void read_as_file(const uint8_t* data, size_t size, const std::string& reader, const std::string& suffix);

}  // namespace nnc::fuzz
