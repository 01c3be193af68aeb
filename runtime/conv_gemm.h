// conv2d (any float type) and its f32 gradients as matrix products over im2col patches, for
// each image: y[n] = W @ patches(x[n]), dW += dy[n] @ patches(x[n])^T and
// patches(dx[n]) = W^T @ dy[n] folded back (col2im). Images are spread over threads, each with its own
// patch buffer (and, for dW, its own partial sum), so the GEMMs inside run
// on one thread each and no two threads write the same element.
#pragma once

#include <cstdint>

namespace nnc {

struct ConvShape {
    int64_t batch, channels, height, width;            // x: [N, C, H, W]
    int64_t out_channels, out_height, out_width;       // dy: [N, O, OH, OW]
    int64_t kernel_h, kernel_w;                        // w: [O, C, KH, KW]
    int64_t stride[2], padding[2];
};

// y = conv2d(x, w); y is overwritten. T is float (oneDNN sgemm) or double.
template <class T> void conv2d_gemm(const T* x, const T* w, T* y, const ConvShape& s);
// dx = conv2d_grad_input(dy, w); dx is overwritten.
void conv2d_grad_input_f32(const float* dy, const float* w, float* dx, const ConvShape& s);
// dw = conv2d_grad_weight(x, dy); dw is overwritten.
void conv2d_grad_weight_f32(const float* x, const float* dy, float* dw, const ConvShape& s);

}  // namespace nnc
