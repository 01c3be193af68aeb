// The process-wide LLVM ORC JIT: takes an LLVM module of kernels, optimises
// it for the host CPU (O3, AVX-512 where present), compiles it and returns
// the kernels' addresses. Compiled objects are also kept in an on-disk
// cache keyed by a hash of the module's IR, the host CPU and the compiler
// version, so a second run of a script skips LLVM's optimiser and code
// generator. The LLVM headers stay out of this one (they cost seconds per
// translation unit).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "codegen/cpu/kernel_abi.h"

namespace llvm {
class LLVMContext;
class Module;
}  // namespace llvm

namespace nnc::codegen {

struct JitOptions {
    std::string cache_dir;   // empty: no disk cache
};

struct JitStats {
    int modules = 0;            // modules compiled (cache misses included)
    int disk_cache_hits = 0;    // modules whose object came from the disk cache
    double compile_ms = 0;      // total time in optimisation and code generation (or cache loads)
};

class Jit {
public:
    // The JIT of this process (created on first use).
    static Jit& instance();
    static void configure(const JitOptions& options);   // before first use

    // A fresh module in the JIT's context, targeting the host.
    std::unique_ptr<llvm::Module> new_module(const std::string& name);
    llvm::LLVMContext& context();

    // Optimises and compiles `m`; returns the address of each of `symbols`.
    // Throws std::runtime_error when LLVM fails.
    std::vector<KernelFn> compile(std::unique_ptr<llvm::Module> m, const std::vector<std::string>& symbols);

    // The optimised module's text (`nnc emit --stage=llvm`) or assembly (--stage=asm).
    std::string optimized_ir(llvm::Module& m);
    std::string assembly(llvm::Module& m);
    // Optimises `m` for `cpu` ("host" or an LLVM CPU name) and writes it to
    // `path` as a position-independent object, for a shared library.
    // Throws std::runtime_error (an unknown CPU, an unwritable path).
    void write_relocatable_object(llvm::Module& m, const std::string& cpu, const std::string& path);

    const JitStats& stats() const;

    ~Jit();

private:
    Jit();
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace nnc::codegen
