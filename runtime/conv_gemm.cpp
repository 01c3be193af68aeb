// Convolution and its gradients through im2col and GEMM (see conv_gemm.h).
#include "runtime/conv_gemm.h"

#include <algorithm>
#include <omp.h>
#include <vector>

#include "runtime/gemm.h"

namespace nnc {

namespace {

int64_t patch_rows(const ConvShape& s) { return s.channels * s.kernel_h * s.kernel_w; }
int64_t positions(const ConvShape& s) { return s.out_height * s.out_width; }

// Calls f(row, position, input offset) for every patch element inside the
// image (padding is skipped).
template <class F> void for_each_patch_element(const ConvShape& s, F f) {
    const int64_t rows = patch_rows(s);
    for (int64_t row = 0; row < rows; ++row) {
        const int64_t c = row / (s.kernel_h * s.kernel_w), i = row / s.kernel_w % s.kernel_h, j = row % s.kernel_w;
        for (int64_t oh = 0; oh < s.out_height; ++oh) {
            const int64_t h = oh * s.stride[0] - s.padding[0] + i;
            if (h < 0 || h >= s.height) continue;
            for (int64_t ow = 0; ow < s.out_width; ++ow) {
                const int64_t w = ow * s.stride[1] - s.padding[1] + j;
                if (w >= 0 && w < s.width) f(row, oh * s.out_width + ow, (c * s.height + h) * s.width + w);
            }
        }
    }
}

// col[row, position] = image element under it, zero in the padding.
template <class T> void im2col(const T* image, const ConvShape& s, T* col) {
    std::fill(col, col + patch_rows(s) * positions(s), T(0));
    const int64_t p = positions(s);
    for_each_patch_element(s, [&](int64_t row, int64_t pos, int64_t at) { col[row * p + pos] = image[at]; });
}

// image[at] += col[row, position] for every patch element (im2col's transpose).
void col2im(const float* col, const ConvShape& s, float* image) {
    const int64_t p = positions(s);
    for_each_patch_element(s, [&](int64_t row, int64_t pos, int64_t at) { image[at] += col[row * p + pos]; });
}

int team_size(const ConvShape& s) { return static_cast<int>(std::min<int64_t>(omp_get_max_threads(), s.batch)); }

}  // namespace

template <class T> void conv2d_gemm(const T* x, const T* w, T* y, const ConvShape& s) {
    const int64_t rows = patch_rows(s), p = positions(s), image = s.channels * s.height * s.width;
#pragma omp parallel num_threads(team_size(s))
    {
        std::vector<T> col(static_cast<size_t>(rows * p));
#pragma omp for
        for (int64_t n = 0; n < s.batch; ++n) {
            im2col(x + n * image, s, col.data());
            // y[n][O, p] = w[O, rows] @ col[rows, p]
            gemm<T>(s.out_channels, p, rows, w, col.data(), y + n * s.out_channels * p);
        }
    }
}

template void conv2d_gemm<float>(const float*, const float*, float*, const ConvShape&);
template void conv2d_gemm<double>(const double*, const double*, double*, const ConvShape&);

void conv2d_grad_input_f32(const float* dy, const float* w, float* dx, const ConvShape& s) {
    const int64_t rows = patch_rows(s), p = positions(s), image = s.channels * s.height * s.width;
    std::fill(dx, dx + s.batch * image, 0.0f);
#pragma omp parallel num_threads(team_size(s))
    {
        std::vector<float> col(static_cast<size_t>(rows * p));
#pragma omp for
        for (int64_t n = 0; n < s.batch; ++n) {
            // col[rows, p] = w[O, rows]^T @ dy[n][O, p]
            sgemm(true, false, rows, p, s.out_channels, w, rows, dy + n * s.out_channels * p, p, col.data(), p);
            col2im(col.data(), s, dx + n * image);
        }
    }
}

void conv2d_grad_weight_f32(const float* x, const float* dy, float* dw, const ConvShape& s) {
    const int64_t rows = patch_rows(s), p = positions(s), image = s.channels * s.height * s.width;
    const int threads = team_size(s);
    std::vector<std::vector<float>> partial(static_cast<size_t>(std::max(threads, 1)),
                                            std::vector<float>(static_cast<size_t>(s.out_channels * rows), 0.0f));
#pragma omp parallel num_threads(threads)
    {
        std::vector<float> col(static_cast<size_t>(rows * p));
        std::vector<float>& sum = partial[static_cast<size_t>(omp_get_thread_num())];
#pragma omp for
        for (int64_t n = 0; n < s.batch; ++n) {
            im2col(x + n * image, s, col.data());
            // sum[O, rows] += dy[n][O, p] @ col[rows, p]^T
            sgemm(false, true, s.out_channels, rows, p, dy + n * s.out_channels * p, p, col.data(), p, sum.data(), rows, 1.0f);
        }
    }
    std::fill(dw, dw + s.out_channels * rows, 0.0f);
    for (const auto& part : partial)
        for (int64_t k = 0; k < s.out_channels * rows; ++k) dw[k] += part[static_cast<size_t>(k)];
}

}  // namespace nnc
