// What a compiled library's function takes and gives, as `nnc compile`
// writes it into the library (JSON metadata) and the run time reads it
// back: its inputs and outputs with their types, where each IR parameter
// comes from (an input, or state the context holds), and which results
// are new values of state.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/shape.h"

namespace nnc::aot {

// An input or output of the compiled function.
struct TensorSpec {
    std::string name;
    DType dtype;
    std::vector<Dim> dims;   // known sizes and symbolic names
    std::string str() const;   // "f32[B, 784]"
};

// An IR parameter: an input the caller passes, or state the context holds
// (with its name in weight files when it is one of the model's weights).
struct ParamSpec {
    int input = -1;             // index into inputs, or -1 for state
    std::string name;           // state: its path (`m.fc1.w`)
    std::string checkpoint;     // state: its name in weight files, empty if not a weight
    int alias = -1;             // state: the earlier parameter it is the same field as (an optimizer's
                                // reference to the model), which holds it; -1 for none
};

struct Signature {
    std::vector<TensorSpec> inputs, outputs;
    std::vector<ParamSpec> params;                    // one per IR parameter
    std::vector<std::pair<size_t, size_t>> updates;   // result index -> the parameter it replaces
    std::vector<std::string> symbols;                 // symbolic dimensions, in the order sizes are passed
    bool weights_embedded = false;
};

std::string encode_signature(const Signature& s);
// Throws std::runtime_error on malformed text.
Signature decode_signature(std::string_view json);

}  // namespace nnc::aot
