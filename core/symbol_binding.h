// Binding the symbolic dimensions of a signature to the sizes of concrete
// arguments: the first argument with a symbol (`B` in f32[B, 784]) binds
// it, every later use must agree. One binding per run of an IR function,
// shared by the IR interpreter and compiled executables.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/shape.h"

namespace nnc {

class SymbolBinding {
public:
    // Whether a tensor of `dtype` and `shape` has `type`: the same dtype and
    // rank, equal known dims, and each symbol its bound size. Binds the
    // symbols seen for the first time (also when the answer is no).
    bool bind(const TensorType& type, DType dtype, std::span<const int64_t> shape);

    // The sizes bound so far, in the order they were bound.
    const std::vector<std::pair<std::string, int64_t>>& bound() const { return bound_; }
    // " with B = 3, T = 7" for the symbols of `type` that are bound ("" if none).
    std::string describe(const TensorType& type) const;

private:
    const int64_t* find(const std::string& name) const;
    std::vector<std::pair<std::string, int64_t>> bound_;
};

}  // namespace nnc
