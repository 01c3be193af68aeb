// What the CPU kernel emitter lowers, op by op (see cpu_target.h). The
// emitter (kernel_emitter.cpp) computes in f32, f64, i32, i64 and bool;
// f16/bf16 and `mod` run as library ops. A unit test emits a kernel for
// every op and dtype this table accepts.
#include "codegen/cpu/cpu_target.h"

namespace nnc::codegen {

namespace {

bool kernel_dtype(DType t) {
    return t == DType::F32 || t == DType::F64 || t == DType::I32 || t == DType::I64 || t == DType::Bool;
}

bool float_dtype(DType t) { return t == DType::F32 || t == DType::F64; }

bool all_dtypes(const ir::Op& op, bool (*ok)(DType)) {
    for (const ir::Value* v : op.operands)
        if (!ok(v->type().dtype)) return false;
    for (const ir::Value* v : op.results)
        if (!ok(v->type().dtype)) return false;
    return true;
}

bool lowers(const ir::Op& op) {
    if (op.results.size() != 1 || op.operands.empty()) return false;
    const DType out = op.result()->type().dtype, in = op.operands[0]->type().dtype;
    switch (op.kind) {
    case OpKind::ReduceSum: case OpKind::ReduceMean: case OpKind::ReduceMax: case OpKind::ReduceMin:
    case OpKind::SumLike:
        return float_dtype(in) && out == in;
    case OpKind::Softmax: case OpKind::LogSoftmax:
        return float_dtype(in);
    default:
        break;
    }
    if (!all_dtypes(op, kernel_dtype)) return false;
    switch (op.kind) {
    case OpKind::Exp: case OpKind::Log: case OpKind::Sqrt: case OpKind::Rsqrt: case OpKind::Sin: case OpKind::Cos:
    case OpKind::Tanh: case OpKind::Sigmoid: case OpKind::Gelu: case OpKind::Softplus: case OpKind::Div:
    case OpKind::Pow: case OpKind::Expm1: case OpKind::Log1p: case OpKind::Exp2: case OpKind::Log2:
    case OpKind::Log10: case OpKind::Tan: case OpKind::Asin: case OpKind::Acos: case OpKind::Atan:
    case OpKind::Sinh: case OpKind::Cosh: case OpKind::Erf: case OpKind::Atan2: case OpKind::FloorDiv:
    case OpKind::Fmod:
        return float_dtype(out);   // integer //, fmod run on the reference kernel, which checks for division by zero
    case OpKind::Neg: case OpKind::Abs: case OpKind::Sign: case OpKind::Relu: case OpKind::Add: case OpKind::Sub:
    case OpKind::Mul: case OpKind::Maximum: case OpKind::Minimum: case OpKind::Floor: case OpKind::Ceil:
    case OpKind::Trunc: case OpKind::Round:
        return out != DType::Bool;
    case OpKind::LogicalAnd: case OpKind::LogicalOr:
        return all_dtypes(op, [](DType t) { return t == DType::Bool; });
    case OpKind::LogicalNot: case OpKind::Cast: case OpKind::StopGradient: case OpKind::Eq: case OpKind::Ne:
    case OpKind::Lt: case OpKind::Le: case OpKind::Gt: case OpKind::Ge: case OpKind::Where:
    case OpKind::BroadcastTo: case OpKind::BroadcastLike:
        return true;
    default:
        return false;
    }
}

bool gemm(DType dtype) { return dtype == DType::F32; }

}  // namespace

const ir::Target& cpu_target() {
    static const ir::Target target{"cpu", lowers, gemm};
    return target;
}

}  // namespace nnc::codegen
