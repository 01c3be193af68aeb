// f64 convolution through im2col and GEMM (see conv_gemm.h).
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

int team_size(const ConvShape& s) { return static_cast<int>(std::min<int64_t>(omp_get_max_threads(), s.batch)); }

}  // namespace

void conv2d_gemm_f64(const double* x, const double* w, double* y, const ConvShape& s) {
    const int64_t rows = patch_rows(s), p = positions(s), image = s.channels * s.height * s.width;
#pragma omp parallel num_threads(team_size(s))
    {
        std::vector<double> col(static_cast<size_t>(rows * p));
#pragma omp for
        for (int64_t n = 0; n < s.batch; ++n) {
            im2col(x + n * image, s, col.data());
            // y[n][O, p] = w[O, rows] @ col[rows, p]
            gemm<double>(s.out_channels, p, rows, w, col.data(), y + n * s.out_channels * p);
        }
    }
}

}  // namespace nnc
