// The seam between the backend-neutral executor (executable.h) and a
// device: what a backend does while a compiled function runs. One Backend
// per executable, holding the kernels compiled for its fusion groups (in
// the order ir::walk visits the `fusion` ops).
//
// A backend plugs in at three places, and nowhere else:
//   1. an ir::Target (ir/passes/target.h): what its kernels lower, which
//      matmuls its GEMM library takes; the compile pipeline asks it;
//   2. a compiler from the lowered IR's fusion groups to its kernels, which
//      builds the Executable around a Backend holding them (the CPU's:
//      compile_with_jit in codegen/cpu/kernel_module.h);
//   3. this interface, at run time.
// The CPU backend (codegen/cpu/cpu_backend.h) runs JIT-compiled or
// library-embedded kernels on an OpenMP team, GEMMs on oneDNN, the rest on
// the runtime's reference kernels. Tensors live in host memory today;
// device residency (copies at fn boundaries) comes with a device backend.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "ir/function.h"
#include "runtime/tensor.h"

namespace nnc::codegen {

class Backend {
public:
    virtual ~Backend() = default;

    // How many kernels it holds, and the name of one (for profiles).
    virtual size_t kernel_count() const = 0;
    virtual const std::string& kernel_name(size_t kernel) const = 0;

    // The memory of one memory plan, `bytes` long: buffers live at the
    // plan's offsets into it.
    virtual std::shared_ptr<std::byte[]> allocate_arena(int64_t bytes) = 0;

    // Runs kernel `kernel` over its iteration shape `dims`; `buffers` are
    // its group's inputs, then its outputs.
    virtual void launch(size_t kernel, void* const* buffers, std::span<const int64_t> dims) = 0;

    // Whether its library computes `op` (an op no fusion group holds) into a
    // buffer the memory plan places; otherwise it returns a fresh tensor.
    virtual bool computes_into_plan(const ir::Op& op) const = 0;
    // Runs library op `op` on `operands`: into `output` (allocated, of the
    // result's type) when computes_into_plan(op), else returning its result.
    virtual Tensor run_library(const ir::Op& op, std::span<const Tensor> operands, Tensor output) = 0;
};

}  // namespace nnc::codegen
