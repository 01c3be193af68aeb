// Whole-file reads and atomic writes, shared by the builtins that load and
// save data files (checkpoints, .npy/.npz, CSV).
#pragma once

#include <string>

namespace nnc {

// Reads all of `path` into `out`; returns false with a message naming the
// path in `error` if it cannot (missing, a directory, unreadable).
bool read_whole_file(const std::string& path, std::string& out, std::string& error);

// Writes `bytes` to `path` atomically: a temporary file next to it is
// written, fsynced and renamed over `path` (then the directory is fsynced),
// so a crash never leaves a half-written file. Returns an error message, or
// "" on success.
std::string write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace nnc
