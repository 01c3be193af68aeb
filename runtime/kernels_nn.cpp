// Neural-network kernels on NCHW tensors: conv2d (im2col, then one gemm per
// image: conv_gemm.cpp), max and average pooling (padding excluded from both), and the
// numerically stable softmax / log_softmax (the row maximum is subtracted
// before exponentiating).
#include <cmath>
#include <limits>

#include "runtime/conv_gemm.h"
#include "runtime/element.h"
#include "runtime/kernel_families.h"
#include "runtime/strided.h"

namespace nnc {

namespace {

// Sizes of a 2-D sliding window over an [N, C, H, W] input.
struct WindowGeometry {
    int64_t batch, channels, height, width;   // input
    int64_t out_height, out_width;
    int64_t kernel_h, kernel_w;
    Window2d window;
};

WindowGeometry geometry(const Tensor& x, const Tensor& out, int64_t kernel_h, int64_t kernel_w, const Window2d& w) {
    return {x.dim(0), x.dim(1), x.dim(2), x.dim(3), out.dim(2), out.dim(3), kernel_h, kernel_w, w};
}

// Folds each window of each [H, W] plane with `reduce(values in window)`.
template <class T, class Reduce> void pool(const T* x, const WindowGeometry& g, T* out, Reduce reduce) {
    const int64_t planes = g.batch * g.channels;
#pragma omp parallel for if (planes * g.out_height * g.out_width > kParallelThreshold)
    for (int64_t plane = 0; plane < planes; ++plane) {
        const T* in = x + plane * g.height * g.width;
        T* o = out + plane * g.out_height * g.out_width;
        for (int64_t oh = 0; oh < g.out_height; ++oh) {
            const int64_t h0 = oh * g.window.stride[0] - g.window.padding[0];
            const int64_t h_begin = std::max<int64_t>(h0, 0), h_end = std::min(h0 + g.kernel_h, g.height);
            for (int64_t ow = 0; ow < g.out_width; ++ow) {
                const int64_t w0 = ow * g.window.stride[1] - g.window.padding[1];
                const int64_t w_begin = std::max<int64_t>(w0, 0), w_end = std::min(w0 + g.kernel_w, g.width);
                o[oh * g.out_width + ow] = reduce(in, h_begin, h_end, w_begin, w_end, g.width);
            }
        }
    }
}

template <class T> T window_max(const T* in, int64_t h0, int64_t h1, int64_t w0, int64_t w1, int64_t width) {
    T best = std::numeric_limits<T>::lowest();
    for (int64_t h = h0; h < h1; ++h)
        for (int64_t w = w0; w < w1; ++w) {
            const T v = in[h * width + w];
            if (v != v) return v;   // nan propagates
            best = v > best ? v : best;
        }
    return best;
}

template <class T> T window_mean(const T* in, int64_t h0, int64_t h1, int64_t w0, int64_t w1, int64_t width) {
    T sum = 0;
    for (int64_t h = h0; h < h1; ++h)
        for (int64_t w = w0; w < w1; ++w) sum += in[h * width + w];
    return sum / static_cast<T>((h1 - h0) * (w1 - w0));
}

}  // namespace

Tensor conv2d_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor x = operands[0].to(out.dtype()), weight = operands[1].to(out.dtype());
    const WindowGeometry g = geometry(x, out, weight.dim(2), weight.dim(3), window_2d(kind, attrs));
    const ConvShape shape{g.batch,      g.channels,   g.height,      g.width,
                          weight.dim(0), g.out_height, g.out_width, g.kernel_h,
                          g.kernel_w,   {g.window.stride[0], g.window.stride[1]},
                          {g.window.padding[0], g.window.padding[1]}};
    visit_float_dtype(out.dtype(), [&]<class T>(std::type_identity<T>) {
        conv2d_gemm(x.data<T>(), weight.data<T>(), out.data<T>(), shape);
    });
    return out;
}

Tensor pool2d_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor x = operands[0].to(out.dtype());
    const Window2d window = window_2d(kind, attrs);
    const WindowGeometry g = geometry(x, out, window.kernel[0], window.kernel[1], window);
    visit_compute_dtype(out.dtype(), [&]<class T>(std::type_identity<T>) {
        if constexpr (std::is_same_v<T, bool>) {
            throw std::logic_error("internal error: bool pooling");
        } else if (kind == OpKind::MaxPool2d) {
            pool(x.data<T>(), g, out.data<T>(), window_max<T>);
        } else if constexpr (std::is_floating_point_v<T>) {
            pool(x.data<T>(), g, out.data<T>(), window_mean<T>);
        } else {
            throw std::logic_error("internal error: integer average pooling");
        }
    });
    return out;
}

Tensor softmax_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor x = operands[0].to(out.dtype());
    const int64_t axis = normalize_axis(attrs.get_int("axis", -1), x.rank());
    // x viewed as [outer, n, inner]; each (outer, inner) lane is normalised along n.
    const auto [outer, n, inner] = axis_view(x.shape(), axis);
    const bool log_space = kind == OpKind::LogSoftmax;
    visit_float_dtype(out.dtype(), [&]<class T>(std::type_identity<T>) {
        const T* in = x.data<T>();
        T* o = out.data<T>();
#pragma omp parallel for if (outer * n * inner > kParallelThreshold)
        for (int64_t lane = 0; lane < outer * inner; ++lane) {
            const int64_t base = lane / inner * n * inner + lane % inner;
            T max = -std::numeric_limits<T>::infinity();
            for (int64_t i = 0; i < n; ++i) max = std::max(max, in[base + i * inner]);
            if (!std::isfinite(max)) max = 0;   // all -inf (or an inf): keep exp() well defined
            T sum = 0;
            for (int64_t i = 0; i < n; ++i) {
                const T e = std::exp(in[base + i * inner] - max);
                o[base + i * inner] = e;
                sum += e;
            }
            const T log_sum = std::log(sum);
            for (int64_t i = 0; i < n; ++i) {
                T& y = o[base + i * inner];
                y = log_space ? in[base + i * inner] - max - log_sum : y / sum;
            }
        }
    });
    return out;
}

}  // namespace nnc
