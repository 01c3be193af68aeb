// Max and average pooling of [H, W] planes and their gradients, for the
// pool kernels (kernels_nn.cpp) and their gradient ops (kernels_grad.cpp).
// A window is clipped to the input: padding is never part of it. Max pooling
// takes each window's first maximum in row-major order (its first nan if it
// has one), and max_pool2d_grad / max_pool2d_select route through that same
// element; average pooling divides by the clipped window's size. Planes are
// spread over threads, one thread writing each plane. Unpadded 2x2 and 3x3
// windows get their size compiled in, and when the stride equals the kernel
// (the CNN pool) max pooling runs along each row of windows with loops that
// vectorise.
#pragma once

#include <cstdint>

#include "core/shape_rules.h"

namespace nnc {

struct PoolShape {
    int64_t planes;                  // N * C
    int64_t height, width;           // an input plane
    int64_t out_height, out_width;   // an output plane
    Window2d window;
};

// T is int8_t, int32_t, int64_t, float or double for the max pools and
// float or double for the average pools. Every output is overwritten.

// y[o] = x at the first maximum of window o.
template <class T> void max_pool2d(const T* x, T* y, const PoolShape& s);
// y[o] = t at the first maximum of window o of x.
template <class T> void max_pool2d_select(const T* x, const T* t, T* y, const PoolShape& s);
// dx = 0, then dx at the first maximum of window o of x += dy[o].
template <class T> void max_pool2d_grad(const T* x, const T* dy, T* dx, const PoolShape& s);
// y[o] = the sum of window o / its size.
template <class T> void avg_pool2d(const T* x, T* y, const PoolShape& s);
// dx = 0, then every element of window o += dy[o] / its size.
template <class T> void avg_pool2d_grad(const T* dy, T* dx, const PoolShape& s);

}  // namespace nnc
