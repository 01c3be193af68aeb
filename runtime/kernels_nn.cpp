// Neural-network kernels on NCHW tensors: conv2d (oneDNN for f32:
// conv_dnnl.cpp; im2col and a gemm per image for f64: conv_gemm.cpp), max
// and average pooling (padding excluded from both: pool2d.cpp), and the
// numerically stable softmax / log_softmax (the row maximum is subtracted
// before exponentiating).
#include <cmath>
#include <limits>

#include "runtime/conv_dnnl.h"
#include "runtime/conv_gemm.h"
#include "runtime/element.h"
#include "runtime/kernel_families.h"
#include "runtime/pool2d.h"
#include "runtime/strided.h"
#include "support/error.h"

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

}  // namespace

Tensor conv2d_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor x = operands[0].to(out.dtype()), weight = operands[1].to(out.dtype());
    const WindowGeometry g = geometry(x, out, weight.dim(2), weight.dim(3), window_2d(kind, attrs));
    const ConvShape shape{g.batch,      g.channels,   g.height,      g.width,
                          weight.dim(0), g.out_height, g.out_width, g.kernel_h,
                          g.kernel_w,   {g.window.stride[0], g.window.stride[1]},
                          {g.window.padding[0], g.window.padding[1]}};
    if (out.dtype() == DType::F32)
        conv2d_dnnl(x.data<float>(), weight.data<float>(), out.data<float>(), shape);
    else if (out.dtype() == DType::F64)
        conv2d_gemm_f64(x.data<double>(), weight.data<double>(), out.data<double>(), shape);
    else
        internal_error("conv2d of a non-float dtype");
    return out;
}

Tensor pool2d_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor x = operands[0].to(out.dtype());
    const PoolShape shape{x.dim(0) * x.dim(1), x.dim(2), x.dim(3), out.dim(2), out.dim(3), window_2d(kind, attrs)};
    visit_compute_dtype(out.dtype(), [&]<class T>(std::type_identity<T>) {
        if constexpr (std::is_same_v<T, bool>) {
            internal_error("bool pooling");
        } else if (kind == OpKind::MaxPool2d) {
            max_pool2d(x.data<T>(), out.data<T>(), shape);
        } else if constexpr (std::is_floating_point_v<T>) {
            avg_pool2d(x.data<T>(), out.data<T>(), shape);
        } else {
            internal_error("integer average pooling");
        }
    });
    return out;
}

Tensor softmax_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor x = operands[0].to(out.dtype());
    const int64_t axis = normalize_axis(attrs.get_int("axis", -1), x.rank());
    // x viewed as [outer, n, inner]; each (outer, inner) lane is normalised along n.
    // Plain variables: OpenMP regions cannot capture structured bindings (clang).
    const AxisView view = axis_view(x.shape(), axis);
    const int64_t outer = view.outer, n = view.n, inner = view.inner;
    const bool log_space = kind == OpKind::LogSoftmax;
    visit_float_dtype(out.dtype(), [&]<class T>(std::type_identity<T>) {
        const T* in = x.data<T>();
        T* o = out.data<T>();
#pragma omp parallel for if (outer * n * inner > kParallelThreshold)
        for (int64_t lane = 0; lane < outer * inner; ++lane) {
            const int64_t base = lane / inner * n * inner + lane % inner;
            T max = -std::numeric_limits<T>::infinity();
            // An infinite max (or a row of -inf) makes the whole row nan, as in PyTorch.
            for (int64_t i = 0; i < n; ++i) max = std::max(max, in[base + i * inner]);
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
