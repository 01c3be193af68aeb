// How compiled code and the executor meet: the signature of every fused
// kernel and what the executor must know to call one. Shared by the JIT,
// the ahead-of-time compiler and the run time of compiled libraries (which
// has no LLVM), so it depends on nothing.
#pragma once

#include <cstdint>
#include <string>

namespace nnc::codegen {

// Every kernel has this signature: buffers are the group's inputs then its
// outputs; dims the group's iteration shape; [begin, end) the part of the
// outermost loop this call computes.
using KernelFn = void (*)(void* const* buffers, const int64_t* dims, int64_t begin, int64_t end);

// How the executor calls a kernel.
struct KernelInfo {
    std::string symbol;
    // The outermost loop spans the product of the first `outer_dims`
    // iteration dims; [begin, end) index into it.
    int outer_dims = 0;
    // Whether disjoint [begin, end) ranges may run on different threads
    // (not for a reduction over its outermost dims).
    bool parallel = true;
};

// A fusion group's kernel, ready to call.
struct CompiledKernel {
    KernelInfo info;
    KernelFn fn = nullptr;
};

}  // namespace nnc::codegen
