// The kernels of a fused function as one LLVM module (see kernel_module.h).
#include "codegen/cpu/kernel_module.h"

#include <cctype>
#include <chrono>

#include <llvm/IR/Module.h>

#include "codegen/cpu/cpu_backend.h"
#include "codegen/cpu/jit.h"
#include "codegen/cpu/kernel_emitter.h"

namespace nnc::codegen {

namespace {

// `nnc_` and the fn's name with every character outside [A-Za-z0-9] as `_`.
std::string default_prefix(const std::string& fn) {
    std::string s = "nnc_";
    for (char c : fn) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return s;
}

// The module of every kernel of `f`, with their infos in walk order.
std::unique_ptr<llvm::Module> emit_kernels(const ir::Function& f, const std::string& prefix, std::vector<KernelInfo>& kernels) {
    auto m = Jit::instance().new_module(f.name());
    ir::walk(f.body(), [&](const ir::Op* op) {
        if (op->kind == OpKind::Fusion) kernels.push_back(emit_kernel(*m, *op, prefix + "_k" + std::to_string(kernels.size())));
    });
    return m;
}

}  // namespace

std::unique_ptr<Executable> compile_with_jit(const ir::Function& f, const CompileOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<KernelInfo> infos;
    auto module = emit_kernels(f, default_prefix(f.name()), infos);
    std::vector<std::string> symbols;
    for (const KernelInfo& info : infos) symbols.push_back(info.symbol);
    std::vector<KernelFn> fns = symbols.empty() ? std::vector<KernelFn>{} : Jit::instance().compile(std::move(module), symbols);
    std::vector<CompiledKernel> kernels;
    for (size_t k = 0; k < infos.size(); ++k) kernels.push_back({infos[k], fns[k]});
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return std::make_unique<Executable>(f, options, std::make_unique<CpuBackend>(std::move(kernels)), ms);
}

std::string kernels_llvm_ir(const ir::Function& f) {
    std::vector<KernelInfo> infos;
    auto m = emit_kernels(f, default_prefix(f.name()), infos);
    return Jit::instance().optimized_ir(*m);
}

std::string kernels_assembly(const ir::Function& f) {
    std::vector<KernelInfo> infos;
    auto m = emit_kernels(f, default_prefix(f.name()), infos);
    return Jit::instance().assembly(*m);
}

std::vector<KernelInfo> write_kernels_object(const ir::Function& f, const std::string& symbol_prefix,
                                             const std::string& cpu, const std::string& path) {
    std::vector<KernelInfo> infos;
    auto m = emit_kernels(f, symbol_prefix, infos);
    Jit::instance().write_relocatable_object(*m, cpu, path);
    return infos;
}

}  // namespace nnc::codegen
