// One row-major matrix product C[m, n] = A[m, k] @ B[k, n] on contiguous
// data: oneDNN's sgemm for f32, a plain i-k-j loop for the other compute
// types. Shared by matmul and the im2col convolution.
#pragma once

#include <cstdint>

namespace nnc {

template <class T> void gemm(int64_t m, int64_t n, int64_t k, const T* a, const T* b, T* c);
template <> void gemm<float>(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c);

// C[m, n] = op(A) @ op(B) + beta C in f32 with BLAS conventions: op
// transposes when trans_a / trans_b; lda, ldb, ldc are row strides (row-major).
void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float* c, int64_t ldc, float beta = 0.0f);

}  // namespace nnc
