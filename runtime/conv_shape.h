// The sizes of one 2-D convolution over NCHW images with OIHW weights, as the
// convolution kernels (oneDNN for f32, im2col + GEMM for f64) take them.
#pragma once

#include <cstdint>

namespace nnc {

struct ConvShape {
    int64_t batch, channels, height, width;            // x: [N, C, H, W]
    int64_t out_channels, out_height, out_width;       // y, dy: [N, O, OH, OW]
    int64_t kernel_h, kernel_w;                        // w: [O, C, KH, KW]
    int64_t stride[2], padding[2];

    bool operator==(const ConvShape&) const = default;
};

}  // namespace nnc
