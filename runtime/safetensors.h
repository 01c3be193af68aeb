// The safetensors checkpoint format (a little-endian u64 header length, a
// JSON header of names, dtypes, shapes and data offsets, then the data):
// encoding, validating decoding, and matching a file's tensors against the
// names and types something expects. Used by `save`/`load` and by compiled
// libraries (`nnc compile`) loading their weights.
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/tensor.h"

namespace nnc {

struct NamedTensor {
    std::string name;
    Tensor tensor;
};

// A safetensors file's bytes: tensors in order, data 8-byte aligned,
// metadata {"format": "nnc"}.
std::string encode_safetensors(std::span<const NamedTensor> tensors);

// The tensors of a safetensors file, in file order. Every field is
// validated; a bad file throws RuntimeError "`what` is not a valid
// safetensors file: <why>" (or "cannot load tensor `name`: <why>" for one
// too large to allocate).
std::vector<NamedTensor> decode_safetensors(std::string_view bytes, const std::string& what);

// A tensor something expects to load.
struct ExpectedTensor {
    std::string name;
    TensorType type;
};

// Every way `file` fails to match `expected`: names missing from the file,
// types that differ, names in the file not expected. `holder` names what
// expects them in the messages ("the model"). Empty when they match.
std::vector<std::string> checkpoint_mismatches(std::span<const ExpectedTensor> expected, std::span<const NamedTensor> file,
                                               const std::string& holder);

// The tensors of the safetensors file `path` by name, checked against
// `expected`. Throws RuntimeError when the file cannot be read, is not
// valid, or does not match: "`path` does not match the model (2 problems):"
// and a line per mismatch.
std::map<std::string, Tensor> read_checkpoint(const std::string& path, std::span<const ExpectedTensor> expected);

}  // namespace nnc
