// The text form of constant payloads, `dense<...>` in the IR:
//
//   dense<[]>                    no elements (any shape with a zero dimension)
//   dense<0.5>                   a splat: every element the same (rank 0 too)
//   dense<[[1, 2], [3, 4]]>      up to kMaxListedElements elements, nested by dimension
//   dense<"0x0000803F...">       more: the raw element bytes, little-endian, in hex
//
// The element type comes from the op's result type (`: f32[2, 2]`). Numbers
// print in their shortest exact form (0.1, 1e+20, -0, nan, inf, true), so
// printing and parsing give back every value bit for bit, NaN payloads only
// in the hex form.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/tensor.h"

namespace nnc::ir {

inline constexpr int64_t kMaxListedElements = 64;

std::string format_dense(const Tensor& t);   // "dense<...>"

// A literal as the parser reads it, before it meets its type.
struct DenseLiteral {
    enum class Form { Splat, List, Hex };
    Form form = Form::List;
    std::vector<std::string> elements;   // spellings, flattened in row-major order
    Shape list_shape;                    // nesting of a List: `[[1, 2, 3]]` is [1, 3]; `[]` is [0]
    std::string hex;                     // digits after "0x" of a Hex literal
};

// The payload of type `type` (which must be fully known). Returns a null
// tensor and sets `error` when the literal does not fit the type.
Tensor make_dense(const DenseLiteral& literal, const TensorType& type, std::string& error);

}  // namespace nnc::ir
