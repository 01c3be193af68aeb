// execute(): the table from OpKind to reference kernel, and the one place
// f16/bf16 operands are widened to f32 for computing and narrowed back.
#include "runtime/kernels.h"

#include <array>
#include <omp.h>
#include <stdexcept>
#include <vector>

#include "runtime/kernel_families.h"
#include "support/error.h"

namespace nnc {

namespace {

constexpr size_t index_of(OpKind k) { return static_cast<size_t>(k); }

constexpr std::array<Kernel, kNumOpKinds> kKernels = [] {
    std::array<Kernel, kNumOpKinds> table{};
    auto set = [&](std::initializer_list<OpKind> kinds, Kernel kernel) {
        for (OpKind k : kinds) table[index_of(k)] = kernel;
    };
    using enum OpKind;
    // Constant has no kernel (its payload is already a tensor), nor has
    // control flow (the IR interpreter runs its regions).
    set({Full, FullLike}, full_kernel);
    set({Arange}, arange_kernel);
    set({Eye}, eye_kernel);
    set({RandUniform}, rand_uniform_kernel);
    set({RandNormal}, rand_normal_kernel);

    set({Neg, Exp, Log, Sqrt, Rsqrt, Abs, Sign, Sin, Cos, Tanh, Sigmoid, Relu, Gelu, Softplus, Expm1, Log1p, Exp2, Log2,
         Log10, Tan, Asin, Acos, Atan, Sinh, Cosh, Erf, Floor, Ceil, Trunc, Round},
        unary_kernel);
    set({LogicalNot}, logical_not_kernel);
    set({Cast}, cast_kernel);
    set({Add, Sub, Mul, Div, FloorDiv, Mod, Fmod, Pow, Maximum, Minimum, Atan2, Eq, Ne, Lt, Le, Gt, Ge, LogicalAnd, LogicalOr},
        binary_kernel);
    set({Where}, where_kernel);

    set({ReduceSum, ReduceMean, ReduceMax, ReduceMin}, reduce_kernel);
    set({ArgMax, ArgMin}, arg_reduce_kernel);

    set({Reshape}, reshape_kernel);
    set({Permute}, permute_kernel);
    set({BroadcastTo}, broadcast_to_kernel);
    set({Concat}, concat_kernel);
    set({Slice}, slice_kernel);
    set({Pad}, pad_kernel);
    set({DimSize}, dim_size_kernel);

    set({Gather}, gather_kernel);
    set({Take}, take_kernel);
    set({OneHot}, one_hot_kernel);
    set({UpdateIndex}, update_index_kernel);

    set({MatMul}, matmul_kernel);
    set({Gemm}, gemm_kernel);
    set({Conv2d}, conv2d_kernel);
    set({MaxPool2d, AvgPool2d}, pool2d_kernel);
    set({Softmax, LogSoftmax}, softmax_kernel);

    set({StopGradient}, stop_gradient_kernel);
    set({ExpandDims}, expand_dims_kernel);
    set({BroadcastLike}, broadcast_like_kernel);
    set({SumLike}, sum_like_kernel);
    set({UpdateSlice}, update_slice_kernel);
    set({ScatterAdd}, scatter_add_kernel);
    set({IndexAdd}, index_add_kernel);
    set({Conv2dGradInput}, conv2d_grad_input_kernel);
    set({Conv2dGradWeight}, conv2d_grad_weight_kernel);
    set({MaxPool2dGrad, MaxPool2dSelect}, max_pool2d_pair_kernel);
    set({AvgPool2dGrad}, avg_pool2d_grad_kernel);
    return table;
}();

bool is_half(DType t) { return t == DType::F16 || t == DType::BF16; }

std::vector<TensorType> types_of(std::span<const Tensor> operands) {
    std::vector<TensorType> types;
    types.reserve(operands.size());
    for (const Tensor& t : operands) types.push_back(t.type());
    return types;
}

}  // namespace

TensorType result_type(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    return infer_type(kind, types_of(operands), attrs);
}

Tensor allocate_result(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const TensorType type = result_type(kind, operands, attrs);
    return Tensor::empty(type.dtype, type.concrete());
}

AxisView axis_view(const Shape& shape, std::optional<int64_t> axis) {
    AxisView v;
    if (!axis) {
        v.n = checked_numel(shape);
        return v;
    }
    v.n = shape[*axis];
    for (int64_t d = 0; d < *axis; ++d) v.outer *= shape[d];
    for (int64_t d = *axis + 1; d < static_cast<int64_t>(shape.size()); ++d) v.inner *= shape[d];
    return v;
}

bool has_kernel(OpKind kind) { return kKernels[index_of(kind)] != nullptr; }

void set_kernel_threads(int n) {
    if (n > 0) omp_set_num_threads(n);   // 0: OpenMP's default, every core
}

Tensor execute(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    const Kernel kernel = kKernels[index_of(kind)];
    if (!kernel) internal_error("no kernel for op " + std::string(op_name(kind)));
    for (const Tensor& t : operands)
        if (!t.defined()) internal_error("undefined operand of " + std::string(op_name(kind)));

    bool any_half = false;
    for (const Tensor& t : operands) any_half = any_half || is_half(t.dtype());
    if (!any_half) return kernel(kind, operands, attrs);

    // f16/bf16: compute in f32, then narrow to the type the rule gives.
    const TensorType want = result_type(kind, operands, attrs);
    std::vector<Tensor> widened;
    widened.reserve(operands.size());
    for (const Tensor& t : operands) widened.push_back(is_half(t.dtype()) ? t.to(DType::F32) : t);
    return kernel(kind, widened, attrs).to(want.dtype);
}

}  // namespace nnc
