// Shape and layout kernels: reshape, permute, broadcast_to, concat, slice
// and pad. Each is a strided copy: the source read through a view (permuted,
// broadcast or stepped strides) into a region of the result.
#include "runtime/element.h"
#include "runtime/kernel_families.h"
#include "runtime/strided.h"

namespace nnc {

namespace {

// Copies the elements of `shape`, read from `src` through `from`, into `dst`
// through `to`. Both tensors have the same dtype.
void strided_copy(const Tensor& src, const StridedView& from, Tensor& dst, const StridedView& to, const Shape& shape) {
    visit_element_width(src.dtype(), [&]<class U>(std::type_identity<U>) {
        const U* s = src.data<U>();
        U* d = dst.data<U>();
        for_each_strided(shape, std::array<StridedView, 2>{to, from},
                         [&](const auto& offset, const auto& step, int64_t n) {
                             for (int64_t i = 0; i < n; ++i) d[offset[0] + i * step[0]] = s[offset[1] + i * step[1]];
                         });
    });
}

// Every element of `out` set to `value` converted to its dtype.
void fill_with(Tensor& out, double value) {
    const Tensor one = Tensor::scalar(value, out.dtype());
    strided_copy(one, StridedView{0, std::vector<int64_t>(out.rank(), 0)}, out, contiguous_view(out.shape()), out.shape());
}

}  // namespace

Tensor reshape_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    return operands[0].clone().reshaped(result_type(kind, operands, attrs).concrete());
}

Tensor permute_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor& x = operands[0];
    const std::vector<int64_t> strides = contiguous_strides(x.shape());
    StridedView from;
    for (int64_t axis : attrs.get_ints("perm")) from.strides.push_back(strides[axis]);
    strided_copy(x, from, out, contiguous_view(out.shape()), out.shape());
    return out;
}

Tensor broadcast_to_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor& x = operands[0];
    strided_copy(x, {0, broadcast_strides(x.shape(), out.shape())}, out, contiguous_view(out.shape()), out.shape());
    return out;
}

Tensor concat_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const int64_t axis = normalize_axis(attrs.get_int("axis"), out.rank());
    StridedView to = contiguous_view(out.shape());
    for (const Tensor& operand : operands) {
        const Tensor x = operand.to(out.dtype());
        strided_copy(x, contiguous_view(x.shape()), out, to, x.shape());
        to.offset += x.dim(axis) * to.strides[axis];
    }
    return out;
}

Tensor slice_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor& x = operands[0];
    const std::vector<int64_t>& starts = attrs.get_ints("starts");
    const std::vector<int64_t>& steps = attrs.get_ints("steps");
    const std::vector<int64_t> strides = contiguous_strides(x.shape());
    StridedView from;
    for (int64_t d = 0; d < x.rank(); ++d) {
        from.offset += starts[d] * strides[d];
        from.strides.push_back(steps[d] * strides[d]);
    }
    strided_copy(x, from, out, contiguous_view(out.shape()), out.shape());
    return out;
}

Tensor pad_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor& x = operands[0];
    fill_with(out, attrs.get_double("value", 0.0));
    const std::vector<int64_t>& pads = attrs.get_ints("pads");
    StridedView to = contiguous_view(out.shape());
    for (int64_t d = 0; d < x.rank(); ++d) to.offset += pads[2 * d] * to.strides[d];
    strided_copy(x, contiguous_view(x.shape()), out, to, x.shape());
    return out;
}

Tensor dim_size_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    result_type(kind, operands, attrs);
    const Tensor& x = operands[0];
    return Tensor::scalar(static_cast<double>(x.dim(normalize_axis(attrs.get_int("axis"), x.rank()))), DType::I64);
}

}  // namespace nnc
