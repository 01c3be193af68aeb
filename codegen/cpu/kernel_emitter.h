// LLVM IR for one kernel group (a `fusion` op of ir/passes/fusion.h): a
// loop nest over the group's iteration shape, with the sizes read at run
// time (symbolic dimensions never recompile), innermost loop unit-stride so
// the vectoriser widens it. Adjacent dimensions that every operand treats
// alike (both broadcast or both not; both reduced or both kept) are
// coalesced into one loop, so `x + y` over f32[B, 784] is a single loop.
#pragma once

#include <string>

#include "codegen/cpu/kernel_abi.h"

namespace llvm {
class Module;
}

namespace nnc::ir {
class Op;
}

namespace nnc::codegen {

// Emits `symbol` for `fusion` into `m`.
KernelInfo emit_kernel(llvm::Module& m, const ir::Op& fusion, const std::string& symbol);

}  // namespace nnc::codegen
