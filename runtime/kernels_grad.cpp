// Reference kernels of the ops the derivative rules (autodiff/) emit:
// stop_gradient; expand_dims, broadcast_like and sum_like, which reshape,
// broadcast and un-broadcast on symbolic shapes; update_slice, scatter_add and index_add, the
// transposes of slice, gather and take; and the gradients of conv2d and the
// pools (pool2d.cpp). Accumulating kernels (scatters, col2im-style loops)
// split the work so that no two threads write the same element.
#include "runtime/conv_dnnl.h"
#include "runtime/element.h"
#include "runtime/kernel_families.h"
#include "runtime/pool2d.h"
#include "runtime/strided.h"
#include "support/error.h"

namespace nnc {

namespace {

// The indices as i64, wrapped into [0, bound); one out of range is a RuntimeError.
Tensor wrapped_indices(OpKind kind, const Tensor& index, int64_t bound) {
    Tensor wrapped = index.dtype() == DType::I64 ? index.clone() : index.to(DType::I64);
    int64_t* i = wrapped.data<int64_t>();
    for (int64_t k = 0; k < wrapped.numel(); ++k) {
        if (i[k] < -bound || i[k] >= bound)
            throw RuntimeError(std::string(op_name(kind)) + ": index " + std::to_string(i[k]) + " is out of range for size " +
                               std::to_string(bound));
        if (i[k] < 0) i[k] += bound;
    }
    return wrapped;
}

// A private copy of `x` in dtype `t` (never sharing x's storage).
Tensor copy_as(const Tensor& x, DType t) { return x.dtype() == t ? x.clone() : x.to(t); }

// Sizes of a 2-D window op: input [N, C, H, W], output [N, C', OH, OW].
struct Window {
    int64_t batch, height, width, out_height, out_width, kernel_h, kernel_w;
    Window2d w;
    // First input row / column of output position (oh, ow); may be negative.
    int64_t row(int64_t oh) const { return oh * w.stride[0] - w.padding[0]; }
    int64_t col(int64_t ow) const { return ow * w.stride[1] - w.padding[1]; }
};

Window window(const Shape& in, const Shape& out, int64_t kernel_h, int64_t kernel_w, const Window2d& w) {
    return {in[0], in[2], in[3], out[2], out[3], kernel_h, kernel_w, w};
}

ConvShape conv_shape(const Window& g, int64_t channels, int64_t out_channels) {
    return {g.batch,     channels,   g.height,   g.width,    out_channels, g.out_height, g.out_width,
            g.kernel_h,  g.kernel_w, {g.w.stride[0], g.w.stride[1]}, {g.w.padding[0], g.w.padding[1]}};
}

}  // namespace

Tensor stop_gradient_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    result_type(kind, operands, attrs);
    return operands[0].clone();
}

Tensor expand_dims_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    return operands[0].clone().reshaped(result_type(kind, operands, attrs).concrete());
}

Tensor broadcast_like_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const Shape shape = result_type(kind, operands, attrs).concrete();
    return broadcast_to_kernel(OpKind::BroadcastTo, operands.first(1), Attrs{{"shape", shape}});
}

// x summed over its leading dims and over the dims where `like` has size 1.
Tensor sum_like_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const Shape shape = result_type(kind, operands, attrs).concrete();
    const Tensor& x = operands[0];
    const int64_t lead = x.rank() - static_cast<int64_t>(shape.size());
    std::vector<int64_t> axes;
    for (int64_t d = 0; d < x.rank(); ++d)
        if (d < lead || (shape[d - lead] == 1 && x.dim(d) != 1)) axes.push_back(d);
    if (axes.empty()) return x.clone().reshaped(shape);
    const Tensor sum = reduce_kernel(OpKind::ReduceSum, operands.first(1), Attrs{{"axes", axes}, {"keepdim", true}});
    return sum.to(x.dtype()).reshaped(shape);
}

Tensor update_slice_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const TensorType type = result_type(kind, operands, attrs);
    Tensor out = operands[0].clone();
    const Tensor value = operands[1].to(type.dtype);
    const std::vector<int64_t>& starts = attrs.get_ints("starts");
    const std::vector<int64_t>& steps = attrs.get_ints("steps");
    const std::vector<int64_t> strides = contiguous_strides(out.shape());
    StridedView to;
    for (int64_t d = 0; d < out.rank(); ++d) {
        to.offset += starts[d] * strides[d];
        to.strides.push_back(steps[d] * strides[d]);
    }
    visit_element_width(out.dtype(), [&]<class U>(std::type_identity<U>) {
        const U* src = value.data<U>();
        U* dst = out.data<U>();
        for_each_strided(value.shape(), std::array<StridedView, 2>{to, contiguous_view(value.shape())},
                         [&](const auto& offset, const auto& step, int64_t n) {
                             for (int64_t i = 0; i < n; ++i) dst[offset[0] + i * step[0]] = src[offset[1] + i * step[1]];
                         });
    });
    return out;
}

// out = x; out[.. index[..i..] ..] += updates[..i..] along axis. Serial: indices may repeat.
Tensor scatter_add_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const TensorType type = result_type(kind, operands, attrs);
    Tensor out = copy_as(operands[0], type.dtype);
    const int64_t axis = normalize_axis(attrs.get_int("axis"), out.rank());
    const Tensor index = wrapped_indices(kind, operands[1], out.dim(axis));
    const Tensor updates = operands[2].to(type.dtype);
    const std::vector<int64_t> strides = contiguous_strides(out.shape());
    visit_compute_dtype(type.dtype, [&]<class T>(std::type_identity<T>) {
        T* o = out.data<T>();
        const T* u = updates.data<T>();
        const int64_t* idx = index.data<int64_t>();
        std::vector<int64_t> position(index.rank(), 0);
        for (int64_t k = 0; k < index.numel(); ++k) {
            int64_t offset = 0;
            for (int64_t d = 0; d < index.rank(); ++d) offset += (d == axis ? idx[k] : position[d]) * strides[d];
            o[offset] = static_cast<T>(o[offset] + u[k]);
            for (int64_t d = index.rank() - 1; d >= 0 && ++position[d] == index.dim(d); --d) position[d] = 0;
        }
    });
    return out;
}

// out = x; out[o, index[j], i] += updates[o, j, i] with x viewed as [outer, n, inner].
Tensor index_add_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const TensorType type = result_type(kind, operands, attrs);
    Tensor out = copy_as(operands[0], type.dtype);
    const bool flat = !attrs.has("axis");
    const int64_t axis = flat ? 0 : normalize_axis(attrs.get_int("axis"), out.rank());
    // Plain variables: OpenMP regions cannot capture structured bindings (clang).
    const AxisView view = axis_view(out.shape(), flat ? std::nullopt : std::optional<int64_t>(axis));
    const int64_t outer = view.outer, n = view.n, inner = view.inner;
    const Tensor index = wrapped_indices(kind, operands[1], n);
    const Tensor updates = operands[2].to(type.dtype);
    const int64_t count = index.numel();
    visit_compute_dtype(type.dtype, [&]<class T>(std::type_identity<T>) {
        T* o = out.data<T>();
        const T* u = updates.data<T>();
        const int64_t* idx = index.data<int64_t>();
#pragma omp parallel for if (outer * count * inner > kParallelThreshold)
        for (int64_t r = 0; r < outer; ++r)
            for (int64_t j = 0; j < count; ++j) {
                T* dst = o + (r * n + idx[j]) * inner;
                const T* src = u + (r * count + j) * inner;
                for (int64_t i = 0; i < inner; ++i) dst[i] = static_cast<T>(dst[i] + src[i]);
            }
    });
    return out;
}

// dx[n, c, h, w] = sum over o, i, j of dy[n, o, oh, ow] * w[o, c, i, j] where
// (h, w) = (oh * sh - ph + i, ow * sw - pw + j). f32 on oneDNN
// (conv_dnnl.h); other dtypes one task per (n, c) plane.
Tensor conv2d_grad_input_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const TensorType type = result_type(kind, operands, attrs);
    // oneDNN overwrites dx; the loops below accumulate into zeros.
    Tensor dx = type.dtype == DType::F32 ? Tensor::empty(type.dtype, type.concrete()) : Tensor::zeros(type.dtype, type.concrete());
    const Tensor dy = operands[0].to(type.dtype), weight = operands[1].to(type.dtype);
    const Window g = window(dx.shape(), dy.shape(), weight.dim(2), weight.dim(3), window_2d(kind, attrs));
    const int64_t out_channels = dy.dim(1), channels = dx.dim(1);
    if (type.dtype == DType::F32) {
        conv2d_grad_input_dnnl(dy.data<float>(), weight.data<float>(), dx.data<float>(), conv_shape(g, channels, out_channels));
        return dx;
    }
    visit_float_dtype(type.dtype, [&]<class T>(std::type_identity<T>) {
        const T* pdy = dy.data<T>();
        const T* pw = weight.data<T>();
        T* pdx = dx.data<T>();
#pragma omp parallel for if (dx.numel() * out_channels * g.kernel_h * g.kernel_w > kParallelThreshold)
        for (int64_t plane = 0; plane < g.batch * channels; ++plane) {
            const int64_t n = plane / channels, c = plane % channels;
            T* x_plane = pdx + plane * g.height * g.width;
            for (int64_t o = 0; o < out_channels; ++o) {
                const T* y_plane = pdy + (n * out_channels + o) * g.out_height * g.out_width;
                for (int64_t i = 0; i < g.kernel_h; ++i)
                    for (int64_t j = 0; j < g.kernel_w; ++j) {
                        const T wv = pw[((o * channels + c) * g.kernel_h + i) * g.kernel_w + j];
                        for (int64_t oh = 0; oh < g.out_height; ++oh) {
                            const int64_t h = g.row(oh) + i;
                            if (h < 0 || h >= g.height) continue;
                            for (int64_t ow = 0; ow < g.out_width; ++ow) {
                                const int64_t w = g.col(ow) + j;
                                if (w >= 0 && w < g.width) x_plane[h * g.width + w] += wv * y_plane[oh * g.out_width + ow];
                            }
                        }
                    }
            }
        }
    });
    return dx;
}

// dw[o, c, i, j] = sum over n, oh, ow of dy[n, o, oh, ow] * x[n, c, h, w].
// f32 on oneDNN (conv_dnnl.h); other dtypes one task per (o, c) pair,
// summing in double.
Tensor conv2d_grad_weight_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const TensorType type = result_type(kind, operands, attrs);
    Tensor dw = Tensor::empty(type.dtype, type.concrete());
    const Tensor x = operands[0].to(type.dtype), dy = operands[1].to(type.dtype);
    const Window g = window(x.shape(), dy.shape(), dw.dim(2), dw.dim(3), window_2d(kind, attrs));
    const int64_t out_channels = dw.dim(0), channels = dw.dim(1);
    if (type.dtype == DType::F32) {
        conv2d_grad_weight_dnnl(x.data<float>(), dy.data<float>(), dw.data<float>(), conv_shape(g, channels, out_channels));
        return dw;
    }
    visit_float_dtype(type.dtype, [&]<class T>(std::type_identity<T>) {
        const T* px = x.data<T>();
        const T* pdy = dy.data<T>();
        T* pdw = dw.data<T>();
#pragma omp parallel for if (x.numel() * out_channels * g.kernel_h * g.kernel_w > kParallelThreshold)
        for (int64_t pair = 0; pair < out_channels * channels; ++pair) {
            const int64_t o = pair / channels, c = pair % channels;
            for (int64_t i = 0; i < g.kernel_h; ++i)
                for (int64_t j = 0; j < g.kernel_w; ++j) {
                    double sum = 0;
                    for (int64_t n = 0; n < g.batch; ++n) {
                        const T* x_plane = px + (n * channels + c) * g.height * g.width;
                        const T* y_plane = pdy + (n * out_channels + o) * g.out_height * g.out_width;
                        for (int64_t oh = 0; oh < g.out_height; ++oh) {
                            const int64_t h = g.row(oh) + i;
                            if (h < 0 || h >= g.height) continue;
                            for (int64_t ow = 0; ow < g.out_width; ++ow) {
                                const int64_t w = g.col(ow) + j;
                                if (w >= 0 && w < g.width)
                                    sum += static_cast<double>(x_plane[h * g.width + w]) * y_plane[oh * g.out_width + ow];
                            }
                        }
                    }
                    pdw[pair * g.kernel_h * g.kernel_w + i * g.kernel_w + j] = static_cast<T>(sum);
                }
        }
    });
    return dw;
}

// max_pool2d_grad(x, dy): dy[oh, ow] added at its window's first maximum of x.
// max_pool2d_select(x, t): t read at each window's first maximum of x.
Tensor max_pool2d_pair_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const TensorType type = result_type(kind, operands, attrs);
    const bool grad = kind == OpKind::MaxPool2dGrad;
    Tensor out = Tensor::empty(type.dtype, type.concrete());
    const Tensor x = operands[0].to(type.dtype), other = operands[1].to(type.dtype);
    const Tensor& pooled = grad ? other : out;
    const PoolShape shape{x.dim(0) * x.dim(1), x.dim(2), x.dim(3), pooled.dim(2), pooled.dim(3), window_2d(kind, attrs)};
    visit_compute_dtype(type.dtype, [&]<class T>(std::type_identity<T>) {
        if constexpr (std::is_same_v<T, bool>) {
            internal_error("bool max pooling");
        } else if (grad) {
            max_pool2d_grad(x.data<T>(), other.data<T>(), out.data<T>(), shape);
        } else {
            max_pool2d_select(x.data<T>(), other.data<T>(), out.data<T>(), shape);
        }
    });
    return out;
}

// dy[oh, ow] / (window size) added to every element of its (clipped) window.
Tensor avg_pool2d_grad_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const TensorType type = result_type(kind, operands, attrs);
    Tensor dx = Tensor::empty(type.dtype, type.concrete());
    const Tensor dy = operands[0].to(type.dtype);
    const PoolShape shape{dx.dim(0) * dx.dim(1), dx.dim(2), dx.dim(3), dy.dim(2), dy.dim(3), window_2d(kind, attrs)};
    visit_float_dtype(type.dtype, [&]<class T>(std::type_identity<T>) { avg_pool2d_grad(dy.data<T>(), dx.data<T>(), shape); });
    return dx;
}

}  // namespace nnc
