// f64 conv2d as matrix products over im2col patches, for each image:
// y[n] = W @ patches(x[n]). Images are spread over threads, each with its own
// patch buffer. (f32 convolutions run on oneDNN: conv_dnnl.h.)
#pragma once

#include "runtime/conv_shape.h"

namespace nnc {

// y = conv2d(x, w); y is overwritten.
void conv2d_gemm_f64(const double* x, const double* w, double* y, const ConvShape& s);

}  // namespace nnc
