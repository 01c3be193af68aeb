// The kernels of a fused function as one LLVM module (one function per
// fusion group), and what is done with it: JIT-compiled into an
// Executable (`nnc run`), printed (`nnc emit --stage=llvm|asm`), or written
// as a relocatable object for a shared library (`nnc compile`).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codegen/executable.h"
#include "codegen/cpu/kernel_abi.h"
#include "ir/function.h"

namespace nnc::codegen {

// Compiles the kernels of `f` (lowered by the compile pipeline for the CPU)
// with the JIT and builds its executable on the CPU backend.
std::unique_ptr<Executable> compile_with_jit(const ir::Function& f, const CompileOptions& options);

// The kernels' module text, optimised (`emit --stage=llvm`) or as host
// assembly (`--stage=asm`).
std::string kernels_llvm_ir(const ir::Function& f);
std::string kernels_assembly(const ir::Function& f);

// Writes the kernels of `f` as a position-independent object file for
// `cpu` ("host", or an LLVM CPU name such as "x86-64-v3") with every
// kernel symbol prefixed by `symbol_prefix`; returns the kernels in the
// order the CPU backend takes them. Throws std::runtime_error.
std::vector<KernelInfo> write_kernels_object(const ir::Function& f, const std::string& symbol_prefix,
                                             const std::string& cpu, const std::string& path);

}  // namespace nnc::codegen
