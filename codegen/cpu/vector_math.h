// Elementary functions as straight-line LLVM IR, so the loop vectoriser can
// widen them (a libm call would keep a loop scalar): exp, log, log1p, tanh
// and sigmoid for f32, accurate to a few ulp, with libm's results for
// infinities, NaN, zero and negative arguments. f64 goes to libm through
// LLVM's intrinsics.
#pragma once

namespace llvm {
class Value;
class IRBuilderBase;
}  // namespace llvm

namespace nnc::codegen {

llvm::Value* emit_exp(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* emit_log(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* emit_log1p(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* emit_tanh(llvm::IRBuilderBase& b, llvm::Value* x);
llvm::Value* emit_sigmoid(llvm::IRBuilderBase& b, llvm::Value* x);

}  // namespace nnc::codegen
