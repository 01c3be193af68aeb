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

// Messages quote tensor names briefly, however long a file's names and
// however many its tensors: `name` in backquotes, cut after 100 bytes;
// the names of `tensors`, the first 10, then "and N more".
std::string quote_name(std::string_view name);
std::string quoted_names(std::span<const NamedTensor> tensors);

// A safetensors file's bytes: tensors in order, data 8-byte aligned,
// metadata {"format": "nnc"}. Throws RuntimeError for a tensor named
// `__metadata__`, the header key of the file's metadata.
std::string encode_safetensors(std::span<const NamedTensor> tensors);

// The tensors of a safetensors file, in file order. Every field is
// validated (in time linear in the header's size); a bad file throws
// RuntimeError "`what` is not a valid safetensors file: <why>" (or "cannot
// load tensor `name`: <why>" for one too large to allocate).
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

// "`path` does not match `holder` (N problems):" and the problems of
// checkpoint_mismatches, one per indented line: the first 20, then "and N
// more".
std::string mismatch_message(const std::string& path, const std::string& holder, std::span<const std::string> problems);

// The tensors of the safetensors file `path` by name, checked against
// `expected`. Throws RuntimeError when the file cannot be read, is not
// valid, or does not match (the mismatch_message for "the model").
std::map<std::string, Tensor> read_checkpoint(const std::string& path, std::span<const ExpectedTensor> expected);

}  // namespace nnc
