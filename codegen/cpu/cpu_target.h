// The CPU backend's answers to the passes (ir/passes/target.h): what its
// LLVM kernel emitter lowers and what oneDNN's sgemm computes.
#pragma once

#include "ir/passes/target.h"

namespace nnc::codegen {

const ir::Target& cpu_target();

}  // namespace nnc::codegen
