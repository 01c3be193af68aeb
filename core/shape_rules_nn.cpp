// Shape rules of the neural-network family: matmul and gemm, convolution,
// pooling, softmax, and the window ops' gradients that autodiff emits.
#include "core/checked_size.h"
#include "core/shape_rule_helpers.h"
#include "core/shape_rules.h"

namespace nnc {

namespace rules {

namespace {

// Output extent of a sliding window: floor((n + 2p - k) / s) + 1.
Dim window_extent(OpKind kind, const Dim& n, const Dim& k, int64_t stride, int64_t padding, const std::string& what) {
    if (!n.is_known() || !k.is_known()) return Dim::any();
    const std::optional<int64_t> twice = checked_mul(2, padding);
    const int64_t padded = size_or_fail(kind, twice ? checked_add(n.value(), *twice) : std::nullopt,
                                        "the input padded by " + std::to_string(padding) + " (" + what + ")");
    if (k.value() > padded)
        fail(kind, "kernel size " + k.str() + " exceeds the padded input size " + std::to_string(padded) + ": " + what);
    return Dim::known((padded - k.value()) / stride + 1);
}

std::vector<int64_t> pair_attr(OpKind kind, const Attrs& attrs, const char* name) {
    const std::vector<int64_t>& v = attrs.get_ints(name);
    if (v.size() != 2 || v[0] < 0 || v[1] < 0) fail(kind, std::string(name) + " must be two sizes [h, w], got " + shape_str(v));
    return v;
}

}  // namespace

TensorType matmul(OpKind kind, const TensorType& a, const TensorType& b) {
    const std::string both = a.str() + " @ " + b.str();
    if (a.rank() == 0 || b.rank() == 0) fail(kind, "operands must have at least one dimension: " + both);
    const DType dtype = promote(a.dtype, b.dtype);
    if (dtype == DType::Bool) fail(kind, "bool operands are not supported: " + both);
    // NumPy: a vector on the left is a row [1, K], on the right a column [K, 1].
    std::vector<Dim> ad = a.dims, bd = b.dims;
    if (a.rank() == 1) ad.insert(ad.begin(), Dim::known(1));
    if (b.rank() == 1) bd.push_back(Dim::known(1));
    if (differ(ad.back(), bd[bd.size() - 2])) fail(kind, "inner dimensions differ: " + both);
    std::optional<std::vector<Dim>> batch = try_broadcast({ad.begin(), ad.end() - 2}, {bd.begin(), bd.end() - 2});
    if (!batch) fail(kind, "batch dimensions cannot be broadcast: " + both);
    TensorType out{dtype, *batch};
    if (a.rank() > 1) out.dims.push_back(ad[ad.size() - 2]);
    if (b.rank() > 1) out.dims.push_back(bd.back());
    return out;
}

// gemm: op(a) @ op(b) on matrices, op transposing where the attribute says.
TensorType gemm(OpKind kind, const TensorType& a, const TensorType& b, const Attrs& attrs) {
    const std::string both = a.str() + " and " + b.str();
    if (a.rank() != 2 || b.rank() != 2) fail(kind, "operands must be matrices: " + both);
    if (a.dtype != b.dtype || !is_floating(a.dtype)) fail(kind, "operands must have one floating-point dtype: " + both);
    const bool ta = attrs.get_bool("transpose_a", false), tb = attrs.get_bool("transpose_b", false);
    const Dim& m = a.dims[ta ? 1 : 0];
    const Dim& k = a.dims[ta ? 0 : 1];
    if (differ(k, b.dims[tb ? 1 : 0])) fail(kind, "inner dimensions differ: " + both);
    return {a.dtype, {m, b.dims[tb ? 0 : 1]}};
}


TensorType conv2d(OpKind kind, const TensorType& x, const TensorType& w, const Attrs& attrs) {
    const std::string both = x.str() + " and " + w.str();
    if (x.rank() != 4 || w.rank() != 4)
        fail(kind, "expects input [N, C, H, W] and weight [O, C, KH, KW]: " + both);
    if (differ(x.dims[1], w.dims[1]))
        fail(kind, "input has " + x.dims[1].str() + " channels but the weight expects " + w.dims[1].str() + ": " + both);
    const DType dtype = promote(x.dtype, w.dtype);
    if (!is_floating(dtype)) fail(kind, "operands must be floating point: " + both);
    const Window2d win = window_2d(kind, attrs);
    return {dtype,
            {x.dims[0], w.dims[0], window_extent(kind, x.dims[2], w.dims[2], win.stride[0], win.padding[0], both),
             window_extent(kind, x.dims[3], w.dims[3], win.stride[1], win.padding[1], both)}};
}

TensorType pool2d(OpKind kind, const TensorType& x, const Attrs& attrs) {
    if (x.rank() != 4) fail(kind, "expects input [N, C, H, W], got " + x.str());
    if (x.dtype == DType::Bool) fail(kind, "bool input is not supported: " + x.str());
    const Window2d win = window_2d(kind, attrs);
    for (int i = 0; i < 2; ++i)
        if (win.padding[i] > win.kernel[i] / 2)
            fail(kind, "padding " + std::to_string(win.padding[i]) + " exceeds half the kernel size " +
                           std::to_string(win.kernel[i]));
    const DType dtype = kind == OpKind::AvgPool2d ? float_or_f32(x.dtype) : x.dtype;
    std::vector<Dim> dims = {x.dims[0], x.dims[1]};
    for (int i = 0; i < 2; ++i)
        dims.push_back(window_extent(kind, x.dims[2 + i], Dim::known(win.kernel[i]), win.stride[i], win.padding[i], x.str()));
    return {dtype, dims};
}

TensorType softmax(OpKind kind, const TensorType& x, const Attrs& attrs) {
    axis_of(kind, attrs.get_int("axis", -1), x);
    return {float_or_f32(x.dtype), x.dims};
}


// dy of conv2d(x[N, C, H, W], w) with H, W from `input_size`.
TensorType conv2d_grad_input(OpKind kind, const TensorType& dy, const TensorType& w, const Attrs& attrs) {
    const std::vector<int64_t> size = pair_attr(kind, attrs, "input_size");
    if (dy.rank() != 4 || w.rank() != 4) fail(kind, "expects dy [N, O, OH, OW] and weight [O, C, KH, KW]: " + dy.str() + " and " + w.str());
    const TensorType x{promote(dy.dtype, w.dtype), {dy.dims[0], w.dims[1], Dim::known(size[0]), Dim::known(size[1])}};
    const TensorType y = conv2d(kind, x, w, attrs);
    require_fitting(kind, "dy", dy, y.dims);
    return {y.dtype, x.dims};
}

TensorType conv2d_grad_weight(OpKind kind, const TensorType& x, const TensorType& dy, const Attrs& attrs) {
    const std::vector<int64_t> size = pair_attr(kind, attrs, "kernel_size");
    if (x.rank() != 4 || dy.rank() != 4) fail(kind, "expects x [N, C, H, W] and dy [N, O, OH, OW]: " + x.str() + " and " + dy.str());
    const TensorType w{promote(x.dtype, dy.dtype), {dy.dims[1], x.dims[1], Dim::known(size[0]), Dim::known(size[1])}};
    const TensorType y = conv2d(kind, x, w, attrs);
    require_fitting(kind, "dy", dy, y.dims);
    return {y.dtype, w.dims};
}

// max_pool2d_grad (x, dy) -> x's type; max_pool2d_select (x, t) -> the pooled type.
TensorType max_pool2d_pair(OpKind kind, const TensorType& x, const TensorType& other, const Attrs& attrs) {
    const TensorType pooled = pool2d(kind, x, attrs);
    if (kind == OpKind::MaxPool2dGrad) {
        require_fitting(kind, "dy", other, pooled.dims);
        return {other.dtype, x.dims};
    }
    require_fitting(kind, "the tangent", other, x.dims);
    return {other.dtype, pooled.dims};
}

TensorType avg_pool2d_grad(OpKind kind, const TensorType& dy, const Attrs& attrs) {
    const std::vector<int64_t> size = pair_attr(kind, attrs, "input_size");
    if (dy.rank() != 4) fail(kind, "expects dy [N, C, OH, OW], got " + dy.str());
    const TensorType x{float_or_f32(dy.dtype), {dy.dims[0], dy.dims[1], Dim::known(size[0]), Dim::known(size[1])}};
    require_fitting(kind, "dy", dy, pool2d(kind, x, attrs).dims);
    return x;
}

}  // namespace rules

Window2d window_2d(OpKind kind, const Attrs& attrs) {
    Window2d win;
    const bool pool = kind != OpKind::Conv2d && kind != OpKind::Conv2dGradInput && kind != OpKind::Conv2dGradWeight;
    const std::vector<int64_t> kernel = pool ? attrs.get_ints("kernel") : std::vector<int64_t>{0, 0};
    const std::vector<int64_t> stride = attrs.has("stride") ? attrs.get_ints("stride")
                                        : pool                ? kernel
                                                              : std::vector<int64_t>{1, 1};
    const std::vector<int64_t> padding = attrs.has("padding") ? attrs.get_ints("padding") : std::vector<int64_t>{0, 0};
    if (kernel.size() != 2 || stride.size() != 2 || padding.size() != 2)
        rules::fail(kind, "kernel, stride and padding must each be [h, w]");
    for (int i = 0; i < 2; ++i) {
        if ((pool && kernel[i] <= 0) || stride[i] <= 0 || padding[i] < 0)
            rules::fail(kind, "needs a positive kernel and stride and a non-negative padding, got kernel " +
                           shape_str(kernel) + ", stride " + shape_str(stride) + ", padding " + shape_str(padding));
        win.kernel[i] = kernel[i];
        win.stride[i] = stride[i];
        win.padding[i] = padding[i];
    }
    return win;
}

}  // namespace nnc
