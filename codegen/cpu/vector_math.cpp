// Vectorisable elementary functions (see vector_math.h). The f32 forms use
// range reduction and short polynomials evaluated with fused multiply-adds.
#include "codegen/cpu/vector_math.h"

#include <cmath>

#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Intrinsics.h>

namespace nnc::codegen {

namespace {

using llvm::Value;

bool is_f32(Value* x) { return x->getType()->isFloatTy(); }

Value* f32(llvm::IRBuilderBase& b, double v) { return llvm::ConstantFP::get(b.getFloatTy(), v); }

Value* fma(llvm::IRBuilderBase& b, Value* x, Value* y, Value* z) {
    return b.CreateIntrinsic(llvm::Intrinsic::fma, {x->getType()}, {x, y, z});
}

// c[0] + r * (c[1] + r * (c[2] + ...)), Horner's scheme.
Value* polynomial(llvm::IRBuilderBase& b, Value* r, std::initializer_list<double> coefficients) {
    std::vector<double> c(coefficients);
    Value* p = f32(b, c.back());
    for (size_t i = c.size() - 1; i-- > 0;) p = fma(b, p, r, f32(b, c[i]));
    return p;
}

// A call of the libm function `name` (f64 forms).
Value* libm(llvm::IRBuilderBase& b, const char* name, Value* x) {
    llvm::Module* m = b.GetInsertBlock()->getModule();
    return b.CreateCall(m->getOrInsertFunction(name, x->getType(), x->getType()), {x});
}

Value* is_nan(llvm::IRBuilderBase& b, Value* x) { return b.CreateFCmpUNO(x, x); }

// 2^n for an i32 n in [-150, 128], as two factors that are each normal.
Value* times_pow2(llvm::IRBuilderBase& b, Value* p, Value* n) {
    Value* half = b.CreateAShr(n, 1);
    Value* rest = b.CreateSub(n, half);
    auto pow2 = [&](Value* e) { return b.CreateBitCast(b.CreateShl(b.CreateAdd(e, b.getInt32(127)), 23), b.getFloatTy()); };
    return b.CreateFMul(b.CreateFMul(p, pow2(half)), pow2(rest));
}

}  // namespace

llvm::Value* emit_exp(llvm::IRBuilderBase& b, llvm::Value* x) {
    if (!is_f32(x)) return b.CreateUnaryIntrinsic(llvm::Intrinsic::exp, x);
    // e^x = 2^n e^r with n = round(x / ln 2) and |r| <= ln 2 / 2.
    Value* xc = b.CreateMinNum(b.CreateMaxNum(x, f32(b, -104.0)), f32(b, 88.72283935546875));
    Value* n = b.CreateUnaryIntrinsic(llvm::Intrinsic::rint, b.CreateFMul(xc, f32(b, 1.4426950408889634)));
    Value* r = fma(b, n, f32(b, -0.693145751953125), xc);
    r = fma(b, n, f32(b, -1.4286067653302380e-06), r);
    Value* p = polynomial(b, r, {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040});
    Value* y = times_pow2(b, p, b.CreateFPToSI(n, b.getInt32Ty()));
    y = b.CreateSelect(b.CreateFCmpOGT(x, f32(b, 88.72283935546875)), f32(b, INFINITY), y);
    return b.CreateSelect(is_nan(b, x), x, y);
}

llvm::Value* emit_log(llvm::IRBuilderBase& b, llvm::Value* x) {
    if (!is_f32(x)) return b.CreateUnaryIntrinsic(llvm::Intrinsic::log, x);
    // x = 2^e m with m in [sqrt(1/2), sqrt(2)); log m = 2 atanh(s), s = (m - 1) / (m + 1).
    Value* subnormal = b.CreateFCmpOLT(x, f32(b, 1.17549435e-38));
    Value* xs = b.CreateSelect(subnormal, b.CreateFMul(x, f32(b, 8388608.0)), x);
    Value* bits = b.CreateBitCast(xs, b.getInt32Ty());
    Value* e = b.CreateSub(b.CreateLShr(bits, 23), b.getInt32(127));
    e = b.CreateSub(e, b.CreateSelect(subnormal, b.getInt32(23), b.getInt32(0)));
    Value* m = b.CreateBitCast(b.CreateOr(b.CreateAnd(bits, b.getInt32(0x7fffff)), b.getInt32(0x3f800000)), b.getFloatTy());
    Value* large = b.CreateFCmpOGT(m, f32(b, 1.41421356237));
    m = b.CreateSelect(large, b.CreateFMul(m, f32(b, 0.5)), m);
    e = b.CreateAdd(e, b.CreateZExt(large, b.getInt32Ty()));
    Value* f = b.CreateFSub(m, f32(b, 1.0));
    Value* s = b.CreateFDiv(f, b.CreateFAdd(f, f32(b, 2.0)));
    Value* s2 = b.CreateFMul(s, s);
    Value* p = polynomial(b, s2, {2.0, 2.0 / 3, 2.0 / 5, 2.0 / 7, 2.0 / 9, 2.0 / 11});
    Value* ef = b.CreateSIToFP(e, b.getFloatTy());
    Value* y = fma(b, ef, f32(b, 0.693359375), fma(b, ef, f32(b, -2.12194440e-4), b.CreateFMul(s, p)));
    y = b.CreateSelect(b.CreateFCmpOEQ(x, f32(b, INFINITY)), x, y);
    y = b.CreateSelect(b.CreateFCmpOEQ(x, f32(b, 0.0)), f32(b, -INFINITY), y);
    return b.CreateSelect(b.CreateFCmpULT(x, f32(b, 0.0)), f32(b, NAN), y);   // negative or NaN
}

llvm::Value* emit_log1p(llvm::IRBuilderBase& b, llvm::Value* x) {
    if (!is_f32(x)) return libm(b, "log1p", x);
    // log(u) * x / (u - 1) with u = 1 + x cancels u's rounding error (Goldberg).
    Value* u = b.CreateFAdd(x, f32(b, 1.0));
    Value* d = b.CreateFSub(u, f32(b, 1.0));
    Value* y = b.CreateFDiv(b.CreateFMul(emit_log(b, u), x), d);
    y = b.CreateSelect(b.CreateFCmpOEQ(u, f32(b, INFINITY)), u, y);
    return b.CreateSelect(b.CreateFCmpOEQ(d, f32(b, 0.0)), x, y);
}

llvm::Value* emit_tanh(llvm::IRBuilderBase& b, llvm::Value* x) {
    if (!is_f32(x)) return libm(b, "tanh", x);
    // tanh |x| = m / (m + 2) with m = e^(2|x|) - 1, from a series while 2|x| is small.
    Value* y = b.CreateMinNum(b.CreateFMul(b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x), f32(b, 2.0)), f32(b, 40.0));
    Value* series = b.CreateFMul(y, polynomial(b, y, {1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
                                                      1.0 / 40320, 1.0 / 362880}));
    Value* m = b.CreateSelect(b.CreateFCmpOLT(y, f32(b, 0.625)), series, b.CreateFSub(emit_exp(b, y), f32(b, 1.0)));
    Value* t = b.CreateFDiv(m, b.CreateFAdd(m, f32(b, 2.0)));
    return b.CreateSelect(is_nan(b, x), x, b.CreateCopySign(t, x));
}

llvm::Value* emit_sigmoid(llvm::IRBuilderBase& b, llvm::Value* x) {
    // Never exponentiates a large positive number: e = e^-|x|.
    llvm::Type* t = x->getType();
    Value* one = llvm::ConstantFP::get(t, 1.0);
    Value* e = emit_exp(b, b.CreateFNeg(b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x)));
    Value* r = b.CreateFDiv(one, b.CreateFAdd(one, e));
    return b.CreateSelect(b.CreateFCmpOGE(x, llvm::ConstantFP::get(t, 0.0)), r, b.CreateFMul(e, r));
}

}  // namespace nnc::codegen
