// Indexing kernels: gather (torch.gather), take (numpy.take) and one_hot.
// Indices are checked before any copying; one out of range is a
// RuntimeError naming the index and the bound. Negative indices count from
// the end, as in Python.
#include <cstring>

#include "runtime/element.h"
#include "runtime/kernel_families.h"
#include "runtime/strided.h"

namespace nnc {

namespace {

// The indices as i64, each wrapped into [0, bound).
Tensor checked_indices(OpKind kind, const Tensor& index, int64_t bound, const std::string& what) {
    Tensor wrapped = index.dtype() == DType::I64 ? index.clone() : index.to(DType::I64);
    int64_t* i = wrapped.data<int64_t>();
    for (int64_t k = 0; k < wrapped.numel(); ++k) {
        if (i[k] < -bound || i[k] >= bound)
            throw RuntimeError(std::string(op_name(kind)) + ": index " + std::to_string(i[k]) + " is out of range for " +
                               what + " of size " + std::to_string(bound));
        if (i[k] < 0) i[k] += bound;
    }
    return wrapped;
}

}  // namespace

Tensor gather_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor& x = operands[0];
    const int64_t axis = normalize_axis(attrs.get_int("axis"), x.rank());
    const Tensor index = checked_indices(kind, operands[1], x.dim(axis), "axis " + std::to_string(axis));
    // out[..i..] = x[.. index[..i..] ..]: walk the index's shape, reading x
    // at its own strides except along `axis`, where the index supplies the offset.
    StridedView from = contiguous_view(x.shape());
    const int64_t axis_stride = from.strides[axis];
    from.strides[axis] = 0;
    const std::array<StridedView, 3> views = {contiguous_view(out.shape()), contiguous_view(index.shape()), from};
    const int64_t* idx = index.data<int64_t>();
    visit_element_width(x.dtype(), [&]<class U>(std::type_identity<U>) {
        const U* src = x.data<U>();
        U* dst = out.data<U>();
        for_each_strided(index.shape(), views, [&](const auto& offset, const auto& step, int64_t n) {
            for (int64_t i = 0; i < n; ++i)
                dst[offset[0] + i] = src[offset[2] + i * step[2] + idx[offset[1] + i * step[1]] * axis_stride];
        });
    });
    return out;
}

Tensor take_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor& x = operands[0];
    // x viewed as [outer, n, inner]; the result as [outer, indices, inner].
    const bool flat = !attrs.has("axis");
    const int64_t axis = flat ? 0 : normalize_axis(attrs.get_int("axis"), x.rank());
    // Plain variables: OpenMP regions cannot capture structured bindings (clang).
    const AxisView view = axis_view(x.shape(), flat ? std::nullopt : std::optional<int64_t>(axis));
    const int64_t outer = view.outer, n = view.n, inner = view.inner;
    const Tensor index = checked_indices(kind, operands[1], n, flat ? "the flattened tensor" : "axis " + std::to_string(axis));
    const int64_t* idx = index.data<int64_t>();
    const int64_t count = index.numel();
    const size_t row_bytes = static_cast<size_t>(inner * dtype_size(x.dtype()));
    const auto* src = static_cast<const std::byte*>(x.raw());
    auto* dst = static_cast<std::byte*>(out.raw());
#pragma omp parallel for if (outer * count * inner > kParallelThreshold)
    for (int64_t row = 0; row < outer * count; ++row) {
        const int64_t o = row / count, j = row % count;
        std::memcpy(dst + row * row_bytes, src + (o * n + idx[j]) * row_bytes, row_bytes);
    }
    return out;
}

Tensor one_hot_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const int64_t depth = attrs.get_int("depth");
    const Tensor index = operands[0].to(DType::I64);
    const int64_t* idx = index.data<int64_t>();
    for (int64_t k = 0; k < index.numel(); ++k)
        if (idx[k] < 0 || idx[k] >= depth)
            throw RuntimeError("one_hot: index " + std::to_string(idx[k]) + " is out of range for depth " +
                               std::to_string(depth));
    visit_dtype(out.dtype(), [&]<class T>(std::type_identity<T>) {
        T* o = out.data<T>();
        const T zero = convert_element<T>(0.0), one = convert_element<T>(1.0);
        for (int64_t k = 0; k < index.numel(); ++k)
            for (int64_t c = 0; c < depth; ++c) o[k * depth + c] = c == idx[k] ? one : zero;
    });
    return out;
}

// x copied, with the slot at `index` along `axis` overwritten by `value`.
Tensor update_index_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    result_type(kind, operands, attrs);
    const Tensor& x = operands[0];
    const int64_t axis = normalize_axis(attrs.get_int("axis"), x.rank());
    const int64_t i = checked_indices(kind, operands[2], x.dim(axis), "axis " + std::to_string(axis)).data<int64_t>()[0];
    Tensor out = x.clone();
    const Tensor value = operands[1].to(x.dtype());
    // Plain variables: OpenMP regions cannot capture structured bindings (clang).
    const AxisView view = axis_view(x.shape(), axis);
    const int64_t outer = view.outer, n = view.n, inner = view.inner;
    const size_t row_bytes = static_cast<size_t>(inner * dtype_size(x.dtype()));
    auto* dst = static_cast<std::byte*>(out.raw());
    const auto* src = static_cast<const std::byte*>(value.raw());
    for (int64_t o = 0; o < outer; ++o) std::memcpy(dst + (o * n + i) * row_bytes, src + o * row_bytes, row_bytes);
    return out;
}

}  // namespace nnc
