// NumPy's .npy format: one tensor per file (version 1.0 headers written;
// 1.0 to 3.0 read), and the .npy entries of an .npz zip archive. Only
// C-order, little-endian arrays of the dtypes nnc has are read; bf16 has no
// NumPy dtype. Every read is validated against the bytes there are: a
// corrupt file is an NpyError naming the problem, never a crash.
#pragma once

#include <string>
#include <string_view>

#include "runtime/io/zip_archive.h"
#include "runtime/tensor.h"

namespace nnc {

// A problem with .npy bytes; the message starts with the subject it was given.
struct NpyError {
    std::string message;
};

// NumPy's dtype string for `t` ("<f4"), or null (bf16).
const char* npy_descr(DType t);

// Version 1.0 .npy bytes of `t` (which must not be bf16).
std::string encode_npy(const Tensor& t);

// The tensor held by .npy bytes; throws NpyError whose message begins with
// `subject` ("`a.npy`").
Tensor decode_npy(std::string_view data, const std::string& subject);

// The tensor of an .npz entry, its .npy header checked against the size the
// archive declares before anything is inflated.
Tensor decode_npz_entry(const ZipReader& zip, const ZipReader::Entry& e, std::string& scratch, const std::string& subject);

}  // namespace nnc
