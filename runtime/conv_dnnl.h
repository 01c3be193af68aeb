// f32 conv2d and its two gradients on oneDNN's convolution primitives
// (direct JIT kernels for the host's vector width). Tensors stay NCHW / OIHW
// at this interface; where oneDNN's blocked layouts are faster (both channel
// counts at least 8) the operands are reordered into them and the result back
// out, otherwise the primitives run on the plain layouts. Primitives are
// created once per shape and thread count and cached; each call brings its own
// scratch memory, so concurrent calls (AOT contexts on several threads) share
// nothing mutable. oneDNN's results are reproducible for a given thread count.
#pragma once

#include "runtime/conv_shape.h"

namespace nnc {

// y = conv2d(x, w): x [N, C, H, W], w [O, C, KH, KW], y [N, O, OH, OW] (overwritten).
void conv2d_dnnl(const float* x, const float* w, float* y, const ConvShape& s);
// dx = conv2d_grad_input(dy, w), overwritten.
void conv2d_grad_input_dnnl(const float* dy, const float* w, float* dx, const ConvShape& s);
// dw = conv2d_grad_weight(x, dy), overwritten.
void conv2d_grad_weight_dnnl(const float* x, const float* dy, float* dw, const ConvShape& s);

}  // namespace nnc
