// Matrix product with NumPy semantics: a 1-D left operand is a row and a 1-D
// right operand a column (the extra dim is dropped from the result); leading
// batch dims broadcast. Each matrix of the batch is one gemm call. And gemm,
// the 2-D product that reads transposed operands in place.
#include <algorithm>
#include <cstring>
#include <dnnl.h>

#include "runtime/element.h"
#include "runtime/gemm.h"
#include "runtime/kernel_families.h"
#include "runtime/kernels.h"
#include "runtime/strided.h"
#include "support/error.h"

namespace nnc {

template <class T> void gemm(int64_t m, int64_t n, int64_t k, const T* a, const T* b, T* c) {
#pragma omp parallel for if (m * n * k > kParallelThreshold)
    for (int64_t i = 0; i < m; ++i) {
        T* row = c + i * n;
        std::fill(row, row + n, T(0));
        for (int64_t p = 0; p < k; ++p) {
            const T scale = a[i * k + p];
            const T* b_row = b + p * n;
            for (int64_t j = 0; j < n; ++j) row[j] = static_cast<T>(row[j] + scale * b_row[j]);
        }
    }
}

void sgemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b,
           int64_t ldb, float* c, int64_t ldc, float beta) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        for (int64_t i = 0; i < m; ++i)   // beta = 0: C is not read (it may be uninitialised)
            for (int64_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : c[i * ldc + j] * beta;
        return;
    }
    const dnnl_status_t status =
        dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
    if (status != dnnl_success)
        throw RuntimeError("matmul: oneDNN sgemm failed with status " + std::to_string(static_cast<int>(status)));
}

template <> void gemm<float>(int64_t m, int64_t n, int64_t k, const float* a, const float* b, float* c) {
    sgemm(false, false, m, n, k, a, k, b, n, c, n);
}

template void gemm<int8_t>(int64_t, int64_t, int64_t, const int8_t*, const int8_t*, int8_t*);
template void gemm<int32_t>(int64_t, int64_t, int64_t, const int32_t*, const int32_t*, int32_t*);
template void gemm<int64_t>(int64_t, int64_t, int64_t, const int64_t*, const int64_t*, int64_t*);
template void gemm<double>(int64_t, int64_t, int64_t, const double*, const double*, double*);

Tensor matmul_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor a = operands[0].to(out.dtype()), b = operands[1].to(out.dtype());
    Shape a_shape = a.shape(), b_shape = b.shape();
    if (a.rank() == 1) a_shape.insert(a_shape.begin(), 1);
    if (b.rank() == 1) b_shape.push_back(1);
    const int64_t m = a_shape[a_shape.size() - 2], k = a_shape.back(), n = b_shape.back();

    // The result's leading dims are the broadcast batch; each operand walks
    // it with its own (broadcast) strides, in units of whole matrices.
    const size_t batch_rank = out.shape().size() - (a.rank() > 1) - (b.rank() > 1);
    const Shape batch(out.shape().begin(), out.shape().begin() + static_cast<int64_t>(batch_rank));
    auto matrix_view = [&](const Shape& shape, int64_t matrix_size) {
        StridedView view{0, broadcast_strides(Shape(shape.begin(), shape.end() - 2), batch)};
        for (int64_t& s : view.strides) s *= matrix_size;
        return view;
    };
    const StridedLoop<2> loop = coalesce<2>(batch, {matrix_view(a_shape, m * k), matrix_view(b_shape, k * n)});
    visit_compute_dtype(out.dtype(), [&]<class T>(std::type_identity<T>) {
        if constexpr (std::is_same_v<T, bool>) {
            internal_error("bool matmul");
        } else {
            for (int64_t i = 0; i < loop.numel; ++i) {
                const std::array<int64_t, 2> at = offsets_at(loop, i);
                gemm<T>(m, n, k, a.data<T>() + at[0], b.data<T>() + at[1], out.data<T>() + i * m * n);
            }
        }
    });
    return out;
}

void gemm_into(const Tensor& a, const Tensor& b, bool ta, bool tb, Tensor& out) {
    const int64_t m = out.dim(0), n = out.dim(1), k = ta ? a.dim(0) : a.dim(1);
    NNC_CHECK((tb ? b.dim(1) : b.dim(0)) == k, "gemm of incompatible shapes " + a.type().str() + " and " + b.type().str());
    if (out.dtype() == DType::F32) {
        sgemm(ta, tb, m, n, k, a.data<float>(), a.dim(1), b.data<float>(), b.dim(1), out.data<float>(), n);
        return;
    }
    const Attrs swap{{"perm", std::vector<int64_t>{1, 0}}};
    const Tensor at = ta ? permute_kernel(OpKind::Permute, std::span(&a, 1), swap) : a;
    const Tensor bt = tb ? permute_kernel(OpKind::Permute, std::span(&b, 1), swap) : b;
    visit_compute_dtype(out.dtype(), [&]<class T>(std::type_identity<T>) {
        if constexpr (std::is_same_v<T, bool>) internal_error("bool gemm");
        else gemm<T>(m, n, k, at.data<T>(), bt.data<T>(), out.data<T>());
    });
}

Tensor gemm_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    gemm_into(operands[0], operands[1], attrs.get_bool("transpose_a", false), attrs.get_bool("transpose_b", false), out);
    return out;
}

}  // namespace nnc
