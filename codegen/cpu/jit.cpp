// The ORC LLJIT wrapper, its optimisation pipeline and its disk cache.
#include "codegen/cpu/jit.h"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <stdexcept>

#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/ExecutionEngine/Orc/ThreadSafeModule.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/SmallVectorMemoryBuffer.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/SHA256.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>

#include "codegen/cpu/cache_entry.h"
#include "runtime/io/files.h"

namespace nnc::codegen {

namespace {

JitOptions g_options;   // set by the driver before the JIT exists

[[noreturn]] void fail(const std::string& what, llvm::Error e) {
    throw std::runtime_error("JIT: " + what + ": " + llvm::toString(std::move(e)));
}

template <class T> T check(llvm::Expected<T> v, const std::string& what) {
    if (!v) fail(what, v.takeError());
    return std::move(*v);
}

std::string hex(const std::array<uint8_t, 32>& bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    for (uint8_t b : bytes) s += digits[b >> 4], s += digits[b & 15];
    return s;
}

}  // namespace

struct Jit::Impl {
    std::unique_ptr<llvm::orc::LLJIT> jit;
    llvm::orc::ThreadSafeContext context{std::make_unique<llvm::LLVMContext>()};
    std::unique_ptr<llvm::TargetMachine> machine;
    std::string cpu;
    std::string cpu_key;   // cpu name and features
    JitStats stats;
    int next_dylib = 0;
    std::mutex mutex;

    // Widest vectors the host runs at full speed: 512-bit where it has
    // AVX-512 (LLVM defaults to 256 on some such CPUs), else its default.
    static void set_vector_width(llvm::Module& m, const std::string& features) {
        if (features.find("+avx512f") == std::string::npos) return;
        for (llvm::Function& f : m)
            if (!f.isDeclaration()) f.addFnAttr("prefer-vector-width", "512");
    }

    void optimize(llvm::Module& m) { optimize(m, *machine, cpu_key); }

    static void optimize(llvm::Module& m, llvm::TargetMachine& target, const std::string& features) {
        set_vector_width(m, features);
        llvm::LoopAnalysisManager lam;
        llvm::FunctionAnalysisManager fam;
        llvm::CGSCCAnalysisManager cgam;
        llvm::ModuleAnalysisManager mam;
        llvm::PipelineTuningOptions tuning;
        tuning.LoopVectorization = true;
        tuning.SLPVectorization = true;
        llvm::PassBuilder pb(&target, tuning);
        pb.registerModuleAnalyses(mam);
        pb.registerCGSCCAnalyses(cgam);
        pb.registerFunctionAnalyses(fam);
        pb.registerLoopAnalyses(lam);
        pb.crossRegisterProxies(lam, fam, cgam, mam);
        pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(m, mam);
    }

    std::unique_ptr<llvm::MemoryBuffer> object(llvm::Module& m, llvm::CodeGenFileType type) {
        return object(m, *machine, type);
    }

    static std::unique_ptr<llvm::MemoryBuffer> object(llvm::Module& m, llvm::TargetMachine& target, llvm::CodeGenFileType type) {
        llvm::SmallVector<char, 0> buffer;
        llvm::raw_svector_ostream out(buffer);
        llvm::legacy::PassManager pm;
        if (target.addPassesToEmitFile(pm, out, nullptr, type))
            throw std::runtime_error("JIT: the target cannot emit this file type");
        pm.run(m);
        return std::make_unique<llvm::SmallVectorMemoryBuffer>(std::move(buffer), m.getModuleIdentifier(), false);
    }

    std::filesystem::path cache_path(const std::string& key) const {
        return std::filesystem::path(g_options.cache_dir) / (key + ".o");
    }

    // The object of a cache entry, or null on a miss. A damaged entry is a
    // miss too (with one warning per run): it is compiled again and replaced.
    std::unique_ptr<llvm::MemoryBuffer> load_cached(const std::string& key) {
        if (g_options.cache_dir.empty()) return nullptr;
        const std::string path = cache_path(key).string();
        std::string bytes, error;
        if (!read_whole_file(path, bytes, error)) return nullptr;   // not cached (or unreadable)
        std::string why;
        std::optional<std::string_view> object = decode_cache_entry(bytes, why);
        if (!object) {
            if (!warned_damaged) std::cerr << "nnc: warning: ignoring the damaged kernel cache entry " << path << " (" << why << "); compiling it again\n";
            warned_damaged = true;
            return nullptr;
        }
        return llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(object->data(), object->size()), path);
    }

    // Writes the entry atomically (write_file_atomically: a temporary file,
    // fsynced, renamed into place), so a concurrent or interrupted run never
    // sees half an entry. Failures to cache are not errors.
    void store_cached(const std::string& key, const llvm::MemoryBuffer& obj) {
        if (g_options.cache_dir.empty()) return;
        std::error_code ec;
        std::filesystem::create_directories(g_options.cache_dir, ec);
        write_file_atomically(cache_path(key).string(), encode_cache_entry({obj.getBufferStart(), obj.getBufferSize()}));
    }

    bool warned_damaged = false;
};

Jit::Jit() : impl_(std::make_unique<Impl>()) {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    auto builder = check(llvm::orc::JITTargetMachineBuilder::detectHost(), "detecting the host CPU");
    builder.setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
    impl_->cpu = builder.getCPU();
    impl_->cpu_key = impl_->cpu + " " + builder.getFeatures().getString();
    impl_->machine = check(builder.createTargetMachine(), "creating the target machine");
    impl_->jit = check(llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(std::move(builder)).create(), "creating LLJIT");
}

Jit::~Jit() = default;

Jit& Jit::instance() {
    static Jit jit;
    return jit;
}

void Jit::configure(const JitOptions& options) { g_options = options; }

llvm::LLVMContext& Jit::context() { return *impl_->context.getContext(); }

std::unique_ptr<llvm::Module> Jit::new_module(const std::string& name) {
    auto m = std::make_unique<llvm::Module>(name, context());
    m->setDataLayout(impl_->machine->createDataLayout());
    m->setTargetTriple(impl_->machine->getTargetTriple().str());
    return m;
}

const JitStats& Jit::stats() const { return impl_->stats; }

std::vector<KernelFn> Jit::compile(std::unique_ptr<llvm::Module> m, const std::vector<std::string>& symbols) {
    std::lock_guard lock(impl_->mutex);
    const auto start = std::chrono::steady_clock::now();
    std::string text;
    llvm::raw_string_ostream ir(text);
    if (llvm::verifyModule(*m, &ir)) throw std::runtime_error("JIT: invalid LLVM module: " + text);
    m->print(ir, nullptr);
    ir << "\n; " << impl_->cpu_key << "; nnc " << NNC_VERSION << "; llvm " << LLVM_VERSION_STRING;
    const std::string key = hex(llvm::SHA256::hash(llvm::arrayRefFromStringRef(text)));

    std::unique_ptr<llvm::MemoryBuffer> obj = impl_->load_cached(key);
    if (obj) {
        ++impl_->stats.disk_cache_hits;
    } else {
        impl_->optimize(*m);
        obj = impl_->object(*m, llvm::CodeGenFileType::ObjectFile);
        impl_->store_cached(key, *obj);
    }
    auto created = impl_->jit->createJITDylib("kernels" + std::to_string(impl_->next_dylib++));
    if (!created) fail("creating a JITDylib", created.takeError());
    llvm::orc::JITDylib& dylib = *created;
    if (auto e = impl_->jit->addObjectFile(dylib, std::move(obj))) fail("adding an object", std::move(e));
    std::vector<KernelFn> fns;
    for (const std::string& s : symbols)
        fns.push_back(check(impl_->jit->lookup(dylib, s), "looking up " + s).toPtr<KernelFn>());
    ++impl_->stats.modules;
    impl_->stats.compile_ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return fns;
}

std::string Jit::optimized_ir(llvm::Module& m) {
    impl_->optimize(m);
    std::string text;
    llvm::raw_string_ostream out(text);
    m.print(out, nullptr);
    return text;
}

void Jit::write_relocatable_object(llvm::Module& m, const std::string& cpu, const std::string& path) {
    std::lock_guard lock(impl_->mutex);
    const bool host = cpu == "host";
    std::string features;
    if (host) {
        features = impl_->machine->getTargetFeatureString().str();
    } else if (std::unique_ptr<llvm::MCSubtargetInfo> info(impl_->machine->getTarget().createMCSubtargetInfo(
                   impl_->machine->getTargetTriple().str(), cpu, ""));
               !info || !info->isCPUStringValid(cpu)) {
        throw std::runtime_error("unknown CPU `" + cpu + "` for " + impl_->machine->getTargetTriple().str() +
                                 " (try host, x86-64, x86-64-v2, x86-64-v3 or x86-64-v4)");
    }
    llvm::TargetOptions options;
    std::unique_ptr<llvm::TargetMachine> target(impl_->machine->getTarget().createTargetMachine(
        impl_->machine->getTargetTriple().str(), host ? impl_->cpu : cpu, features, options, llvm::Reloc::PIC_,
        std::nullopt, llvm::CodeGenOptLevel::Aggressive));
    if (!target) throw std::runtime_error("cannot create a target machine for CPU `" + cpu + "`");
    m.setDataLayout(target->createDataLayout());
    std::string text;
    llvm::raw_string_ostream errors(text);
    if (llvm::verifyModule(m, &errors)) throw std::runtime_error("invalid LLVM module: " + text);
    Impl::optimize(m, *target, host ? impl_->cpu_key : features);
    auto obj = Impl::object(m, *target, llvm::CodeGenFileType::ObjectFile);
    std::error_code ec;
    llvm::raw_fd_ostream out(path, ec);
    if (ec) throw std::runtime_error("cannot write " + path + ": " + ec.message());
    out << obj->getBuffer();
}

std::string Jit::assembly(llvm::Module& m) {
    impl_->optimize(m);
    auto buffer = impl_->object(m, llvm::CodeGenFileType::AssemblyFile);
    return buffer->getBuffer().str();
}

}  // namespace nnc::codegen
