// run, check and emit: read a script, parse it, then interpret, check or
// print one of its compilation stages.
#include "tools/commands.h"
#include "tools/lower_args.h"

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>

#include "frontend/parse.h"
#include "support/verify.h"
#include "autodiff/autodiff.h"
#include "codegen/cpu/kernel_module.h"
#include "codegen/cpu/jit.h"
#include "ir/passes/pipeline.h"
#include "ir/printer.h"
#include "core/shape_rules.h"
#include "interp/interpreter.h"
#include "runtime/kernels.h"
#include "support/interrupt.h"

namespace nnc {

namespace {

// A script loaded, with the engine its errors go to; under
// --verify-diagnostics the engine feeds a verifier instead of printing.
struct LoadedScript {
    SourceManager sources;
    DiagnosticEngine diags;
    uint32_t file = 0;
    std::optional<DiagnosticVerifier> verifier;
    explicit LoadedScript(bool color) : diags(sources, std::cerr, color) {}

    // The exit status: under verification, whether every expectation was met.
    int status() {
        if (verifier) return verifier->finish(std::cerr) ? 0 : 1;
        return diags.error_count() ? 1 : 0;
    }
};

// Reads the script; on failure prints why and returns 0.
uint32_t load(LoadedScript& s, const DriverOptions& o) {
    std::string error;
    s.file = s.sources.add_file(o.file, &error);
    if (!s.file) {
        std::cerr << "nnc: error: cannot read " << o.file << ": " << error << "\n";
        return 0;
    }
    if (o.verify_diagnostics) {
        s.verifier.emplace(s.sources, s.file);
        s.diags.set_consumer([&s](const Diagnostic& d) { s.verifier->consume(d); });
    }
    return s.file;
}

InterpreterOptions interpreter_options(const DriverOptions& o, DiagnosticEngine* warnings = nullptr) {
    InterpreterOptions io;
    if (!o.quiet) io.warnings = warnings;
    io.library_dir = o.stdlib_dir;
    io.seed = o.seed;
    io.compile = !o.eager;
    io.jit = o.jit;
    io.profile = o.profile;
    io.pipeline = pipeline_options(o);
    if (!o.stdlib_dir.empty()) io.module_paths.push_back(o.stdlib_dir);
    return io;
}

std::string script_dir(const std::string& file) {
    std::string dir = std::filesystem::path(file).parent_path().string();
    return dir.empty() ? "." : dir;
}

// The later stages of a traced fn: optimised IR, fused IR, the kernels'
// LLVM IR (optimised) or their assembly.
int emit_compiled(const Interpreter& interp, ir::Function& f, const std::string& stage) {
    interp.run_pipeline(f, ir::Stage::Traced, stage == "ir-opt" ? ir::Stage::Optimized : ir::Stage::Lowered);
    if (stage == "ir-opt" || stage == "fused") ir::print_function(f, std::cout);
    else if (stage == "llvm") std::cout << codegen::kernels_llvm_ir(f);
    else std::cout << codegen::kernels_assembly(f);
    return 0;
}

// `emit --stage=ir|grad|ir-opt|fused|llvm|asm`: the fn named by --fn, traced with the --arg types
// (and, for grad, differentiated with respect to its float parameters).
int emit_ir(LoadedScript& s, const DriverOptions& o) {
    if (o.fn.empty()) {
        std::cerr << "nnc: error: --stage=" << o.stage << " needs --fn NAME (a fn, or Model.method)\n";
        return 2;
    }
    std::map<std::string, Interpreter::LowerArg> given;
    if (!parse_lower_args(o.args, given)) return 2;
    auto program = parse(s.sources, s.file, s.diags);
    if (!program) return 1;
    Interpreter interp(s.sources, interpreter_options(o));
    try {
        Interpreter::Trace trace = interp.lower(std::move(program), script_dir(o.file), o.fn, given).trace;
        if (o.stage == "ir") {
            ir::print_function(*trace.function, std::cout);
            return 0;
        }
        if (o.stage != "grad") return emit_compiled(interp, *trace.function, o.stage);
        // grad: the value and the gradient with respect to every float parameter, optimised.
        std::vector<size_t> wrt;
        for (size_t i = 0; i < trace.params.size(); ++i)
            if (trace.params[i].differentiable && is_floating(trace.function->params()[i]->type().dtype)) wrt.push_back(i);
        std::unique_ptr<ir::Function> g = autodiff::value_and_grad(*trace.function, wrt);
        g->set_name(o.fn + ".value_and_grad");
        interp.run_pipeline(*g, ir::Stage::Traced, ir::Stage::Optimized);
        ir::print_function(*g, std::cout);
    } catch (const CompileError& e) {
        s.diags.report(e.diag);
        return 1;
    } catch (const ShapeError& e) {   // autodiff's refusals (e.g. reverse mode through `while`)
        s.diags.report({Severity::Error, {}, std::string("cannot differentiate `") + o.fn + "`: " + e.what(), {}});
        return 1;
    } catch (const TraceFailure& f) {
        s.diags.report({Severity::Error, f.where, "cannot lower `" + o.fn + "` to IR: " + f.reason, {}});
        return 1;
    }
    return 0;
}

// `--stats`: what the JIT compiled, how long it took, and per fn its
// kernels and planned peak memory.
void print_compile_stats(const Interpreter& interp) {
    const auto executables = interp.executables();
    const codegen::JitStats& jit = codegen::Jit::instance().stats();
    std::cerr << "nnc stats: " << executables.size() << " fns compiled to native code, " << jit.modules
              << " modules, compile time " << std::fixed << std::setprecision(1) << jit.compile_ms << " ms, "
              << jit.disk_cache_hits << " from the disk cache\n";
    for (const auto& [name, e] : executables)
        std::cerr << "nnc stats:   " << name << ": " << e->kernel_count() << " kernels compiled in " << std::setprecision(1)
                  << e->compile_ms() << " ms, peak planned memory "
                  << e->peak_bytes() << " bytes, " << e->in_place_updates() << " results updated in place\n";
}

// `--profile`: each step of every compiled fn, slowest first.
void print_profile(const Interpreter& interp, const SourceManager& sources) {
    struct Row {
        codegen::StepProfile step;
        std::string fn;
    };
    std::vector<Row> rows;
    double total = 0;
    for (const auto& [name, e] : interp.executables())
        for (const codegen::StepProfile& p : e->profile()) {
            rows.push_back({p, name});
            total += p.seconds;
        }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.step.seconds > b.step.seconds; });
    std::cerr << "nnc profile: " << std::fixed << std::setprecision(3) << total * 1e3 << " ms in compiled code\n";
    std::cerr << "  " << std::left << std::setw(34) << "kernel" << std::setw(28) << "source" << std::right
              << std::setw(8) << "calls" << std::setw(12) << "total ms" << std::setw(8) << "%" << "\n";
    for (const Row& r : rows) {
        std::string where = "-";
        if (r.step.loc.valid())
            where = std::filesystem::path(sources.name(r.step.loc.begin.file)).filename().string() + ":" +
                    std::to_string(r.step.loc.begin.line);
        std::cerr << "  " << std::left << std::setw(34) << r.step.name << std::setw(28) << where << std::right
                  << std::setw(8) << r.step.calls << std::setw(12) << std::setprecision(3) << r.step.seconds * 1e3
                  << std::setw(8) << std::setprecision(1) << (total > 0 ? 100 * r.step.seconds / total : 0) << "\n";
    }
}

}  // namespace

ir::PipelineOptions pipeline_options(const DriverOptions& o) {
    ir::PipelineOptions pipeline;
    pipeline.print_after = o.print_after;
    pipeline.print_after_all = o.print_after_all;
    pipeline.verify_each = pipeline.verify_each || o.verify_each;
    pipeline.out = &std::cerr;
    return pipeline;
}

int run_command(const DriverOptions& o) {
    LoadedScript s(o.color);
    if (!load(s, o)) return 1;
    auto program = parse(s.sources, s.file, s.diags);
    if (!program) return s.status();
    set_kernel_threads(o.threads);
    codegen::Jit::configure({o.cache_dir});
    Interpreter interp(s.sources, interpreter_options(o, &s.diags));
    install_interrupt_handler();
    bool interrupted = false;
    try {
        interp.run(std::move(program), script_dir(o.file));
    } catch (const CompileError& e) {
        std::cout.flush();
        s.diags.report(e.diag);
    } catch (const Interrupted& i) {
        std::cout.flush();
        s.diags.report({Severity::Note, i.where, "interrupted (Ctrl-C) here", {}});
        interrupted = true;
    }
    if (o.stats) {
        const Interpreter::Stats& st = interp.stats();
        std::cout.flush();
        std::cerr << "nnc stats: " << st.traces << " traces, " << st.compiled_calls << " compiled calls, "
                  << st.eager_calls << " eager calls, " << st.host_calls << " host calls\n";
        for (const std::string& f : st.fallbacks) std::cerr << "nnc stats: runs eagerly: " << f << "\n";
        for (const std::string& f : st.constructors)
            std::cerr << "nnc stats: runs op by op: " << f << ": returns a model (a constructor)\n";
        for (const std::string& f : st.specialized) std::cerr << "nnc stats: traced per shape: " << f << "\n";
        for (const std::string& f : st.retraces) std::cerr << "nnc stats: traced again: " << f << "\n";
        print_compile_stats(interp);
    }
    if (o.profile) print_profile(interp, s.sources);
    return interrupted ? 130 : s.status();
}

int check_command(const DriverOptions& o) {
    LoadedScript s(o.color);
    if (!load(s, o)) return 1;
    auto program = parse(s.sources, s.file, s.diags);
    if (!program) return s.status();
    Interpreter interp(s.sources, interpreter_options(o));
    interp.check(std::move(program), script_dir(o.file), s.diags);
    return s.status();
}

int emit_command(const DriverOptions& o) {
    LoadedScript s(o.color);
    if (!load(s, o)) return 1;
    if (o.stage == "tokens") {
        print_tokens(tokenize(s.sources, s.file, s.diags), std::cout);
        return s.diags.error_count() ? 1 : 0;
    }
    if (o.stage == "ast") {
        auto program = parse(s.sources, s.file, s.diags);
        if (!program) return 1;
        print_ast(*program, std::cout);
        return 0;
    }
    static const std::vector<std::string> lowered{"ir", "grad", "ir-opt", "fused", "llvm", "asm"};
    if (std::find(lowered.begin(), lowered.end(), o.stage) != lowered.end()) return emit_ir(s, o);
    std::cerr << "nnc: error: unknown stage `" << o.stage << "` (stages: tokens, ast, ir, grad, ir-opt, fused, llvm, asm)\n";
    return 2;
}

}  // namespace nnc
