// Running kernels, GEMMs and library ops on the host (see cpu_backend.h).
#include "codegen/cpu/cpu_backend.h"

#include <algorithm>
#include <omp.h>

#include "runtime/kernels.h"

namespace nnc::codegen {

namespace {

// Below this many elements a kernel runs on the calling thread: waking a
// team costs more than the work.
constexpr int64_t kParallelWork = 1 << 15;

// Calls a JIT-compiled kernel. Exempt from UBSan's -fsanitize=function check,
// which reads a type signature from the 8 bytes before the callee's entry:
// LLVM-emitted kernels have none, and a kernel at the start of a JIT code
// page has an unmapped page there (a SEGV in sanitizer builds).
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
void call_kernel(KernelFn fn, void* const* buffers, const int64_t* dims, int64_t begin, int64_t end) {
    fn(buffers, dims, begin, end);
}

bool f32_gemm(const ir::Op& op) { return op.kind == OpKind::Gemm && op.result()->type().dtype == DType::F32; }

}  // namespace

std::shared_ptr<std::byte[]> CpuBackend::allocate_arena(int64_t bytes) { return Tensor::empty(DType::I8, {bytes}).storage(); }

void CpuBackend::launch(size_t kernel, void* const* buffers, std::span<const int64_t> dims) {
    const CompiledKernel& k = kernels_[kernel];
    int64_t work = 1, outer = 1;
    for (int64_t n : dims) work *= n;
    for (int d = 0; d < k.info.outer_dims; ++d) outer *= dims[d];
    const int threads = omp_get_max_threads();
    if (!k.info.parallel || work < kParallelWork || threads < 2 || outer < 2) {
        call_kernel(k.fn, buffers, dims.data(), 0, outer);
        return;
    }
    const int64_t chunks = std::min<int64_t>(threads, outer);
#pragma omp parallel for num_threads(static_cast<int>(chunks))
    for (int64_t c = 0; c < chunks; ++c) call_kernel(k.fn, buffers, dims.data(), outer * c / chunks, outer * (c + 1) / chunks);
}

bool CpuBackend::computes_into_plan(const ir::Op& op) const { return f32_gemm(op); }

Tensor CpuBackend::run_library(const ir::Op& op, std::span<const Tensor> operands, Tensor output) {
    if (!f32_gemm(op)) return execute(op.kind, operands, op.attrs);
    gemm_into(operands[0], operands[1], op.attrs.get_bool("transpose_a", false), op.attrs.get_bool("transpose_b", false),
              output);
    return output;
}

}  // namespace nnc::codegen
