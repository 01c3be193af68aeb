// What a backend tells the passes that prepare a function for it: which ops
// its kernel emitter computes inside a fusion group (fusion asks it op by
// op, as tinygrad's renderers answer `code_for_op`), and which matrix
// products its GEMM library takes (select-gemm). The CPU's answers are in
// codegen/cpu/cpu_target.h; a GPU backend gives its own.
#pragma once

#include <string_view>

#include "ir/function.h"

namespace nnc::ir {

struct Target {
    std::string_view name;
    // Whether its kernels compute `op` inside a fusion group: an
    // elementwise op (one element at a time, broadcasting), a reduction
    // ending a group, or a softmax row.
    bool (*lowers)(const Op& op);
    // Whether its GEMM library computes 2-D products of this dtype.
    bool (*gemm)(DType dtype);
};

}  // namespace nnc::ir
