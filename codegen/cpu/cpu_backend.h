// The CPU backend of the executor: fusion-group kernels (JIT-compiled, or
// embedded in a compiled library) called on chunks of their outermost loop
// by an OpenMP team, f32 `gemm` on oneDNN's sgemm into planned buffers,
// every other library op on the runtime's reference kernels, arenas in
// host memory.
#pragma once

#include <vector>

#include "codegen/backend.h"
#include "codegen/cpu/kernel_abi.h"

namespace nnc::codegen {

class CpuBackend final : public Backend {
public:
    explicit CpuBackend(std::vector<CompiledKernel> kernels) : kernels_(std::move(kernels)) {}

    size_t kernel_count() const override { return kernels_.size(); }
    const std::string& kernel_name(size_t kernel) const override { return kernels_.at(kernel).info.symbol; }
    std::shared_ptr<std::byte[]> allocate_arena(int64_t bytes) override;
    void launch(size_t kernel, void* const* buffers, std::span<const int64_t> dims) override;
    bool computes_into_plan(const ir::Op& op) const override;
    Tensor run_library(const ir::Op& op, std::span<const Tensor> operands, Tensor output) override;

private:
    std::vector<CompiledKernel> kernels_;
};

}  // namespace nnc::codegen
