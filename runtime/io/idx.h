// The IDX format of MNIST and Fashion-MNIST (gzip-compressed or plain): a
// 4-byte magic number (00 00 <type> <rank>), big-endian u32 dims, then the
// big-endian elements. Element types map to tensor dtypes: 0x08 (u8) and
// 0x0B (i16) → i32, 0x09 (i8) → i8, 0x0C (i32) → i32, 0x0D (f32) → f32,
// 0x0E (f64) → f64. A corrupt, truncated or oversized file is an IdxError
// naming the problem, never a crash or an allocation the header asked for
// but the file cannot fill.
#pragma once

#include <string>

#include "runtime/tensor.h"

namespace nnc {

struct IdxError {
    std::string message;       // "cannot read IDX file `x`: ..."
    bool unreadable = false;   // the file cannot be opened at all (missing, not a regular file)
};

struct IdxFile {
    DType dtype;
    Shape shape;
    Tensor data;   // undefined when only the header was read
};

// The IDX file at `path`; with `header_only`, its dtype and shape (checked
// against the file's size) without reading the data. Throws IdxError.
IdxFile read_idx(const std::string& path, bool header_only);

}  // namespace nnc
