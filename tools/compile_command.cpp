// `nnc compile FILE --fn NAME --arg x=f32[B,784] -o libmodel.so`: traces
// the fn with real models (constructed, or given as expressions), fuses
// it, and writes a shared library and its C header (aot/compiler). The
// fn's tensor arguments become the library's inputs; the tensors of its
// model arguments become state that each context holds, with the first
// model's weights embedded or loaded from a safetensors file.
#include <filesystem>
#include <iostream>
#include <set>

#include "aot/compiler/library_writer.h"
#include "frontend/parse.h"
#include "interp/interpreter.h"
#include "ir/passes/pipeline.h"
#include "tools/commands.h"
#include "tools/lower_args.h"

namespace nnc {

namespace fs = std::filesystem;

namespace {

// `libmodel.so` -> `model`, as a C identifier.
std::string library_name(const DriverOptions& o) {
    std::string name = o.library_name;
    if (name.empty()) {
        name = fs::path(o.output).stem().string();
        if (name.rfind("lib", 0) == 0 && name.size() > 3) name = name.substr(3);
    }
    std::string id;
    for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    if (id.empty() || std::isdigit(static_cast<unsigned char>(id[0]))) id = "m_" + id;
    return id;
}

struct CompileFailure {
    std::string message;
};

// The signature and initial state of the traced call.
void describe(const Interpreter::Lowered& lowered, const DriverOptions& o, aot::LibraryRequest& request) {
    const ir::Function& f = *lowered.trace.function;
    aot::Signature& s = request.signature;
    std::vector<Value> initial;   // per parameter
    std::vector<size_t> owner;    // per parameter: its argument
    for (size_t a = 0; a < lowered.args.size(); ++a) {
        flatten(lowered.args[a].second, initial);
        owner.resize(initial.size(), a);
    }
    if (initial.size() != f.params().size())
        throw CompileFailure{"internal error: " + std::to_string(f.params().size()) + " traced parameters for " +
                             std::to_string(initial.size()) + " argument tensors"};
    const Value* weights_model = nullptr;
    std::vector<bool> from_model;
    for (size_t i = 0; i < initial.size(); ++i) {
        const auto& [name, value] = lowered.args[owner[i]];
        const bool model = holds_model(value);
        from_model.push_back(model);
        if (model && !weights_model) weights_model = &value;
        if (model) continue;
        const bool single = value.is_tensor();
        const size_t k = i - static_cast<size_t>(std::find(owner.begin(), owner.end(), owner[i]) - owner.begin());
        s.inputs.push_back({single ? name : name + "_" + std::to_string(k), f.params()[i]->type().dtype, f.params()[i]->type().dims});
    }

    // Weight names: the first model argument's tensors as save() names them.
    std::map<const void*, std::string> checkpoint;
    if (weights_model)
        for (const NamedTensor& t : saved_tensors(*weights_model)) checkpoint.emplace(t.tensor.raw(), t.name);
    // Fields reached twice (the model, and the optimizer's reference to it) are one piece of state.
    std::vector<Value*> slots;
    std::vector<std::pair<std::string, Value>> args = lowered.args;   // a tensor argument's own slot is in the copy
    for (auto& arg : args) leaf_slots(arg.second, slots);
    std::map<const Value*, int> first_param;
    int input = 0;
    for (size_t i = 0; i < initial.size(); ++i) {
        aot::ParamSpec p;
        if (!from_model[i]) {
            p.input = input++;
        } else if (auto [it, fresh] = first_param.emplace(slots[i], static_cast<int>(i)); !fresh) {
            p.name = lowered.trace.params[i].path;
            p.alias = it->second;
        } else {
            p.name = lowered.trace.params[i].path;
            if (!initial[i].is<Tensor>()) throw CompileFailure{"`" + p.name + "` has no value"};
            const Tensor& t = initial[i].as<Tensor>();
            if (auto it = checkpoint.find(t.raw()); it != checkpoint.end()) p.checkpoint = it->second;
            request.embedded_state.push_back({p.name, t});
        }
        s.params.push_back(std::move(p));
        for (const Dim& d : f.params()[i]->type().dims)
            if (d.is_symbol() && std::find(s.symbols.begin(), s.symbols.end(), d.name()) == s.symbols.end()) s.symbols.push_back(d.name());
    }

    // --weights: the first model's weights from a checkpoint, checked like load().
    if (!o.weights.empty()) {
        std::vector<ExpectedTensor> expected;
        for (size_t i = 0; i < s.params.size(); ++i)
            if (!s.params[i].checkpoint.empty()) expected.push_back({s.params[i].checkpoint, f.params()[i]->type()});
        std::map<std::string, Tensor> by_name;
        try {
            by_name = read_checkpoint(o.weights, expected);
        } catch (const RuntimeError& e) {
            throw CompileFailure{e.what()};
        }
        size_t state = 0;
        for (const aot::ParamSpec& p : s.params) {
            if (p.input >= 0 || p.alias >= 0) continue;
            if (!p.checkpoint.empty()) request.embedded_state[state].tensor = by_name.at(p.checkpoint);
            ++state;
        }
    }
    s.weights_embedded = o.embed_weights;
    if (!o.embed_weights) {
        std::vector<NamedTensor> kept;
        size_t state = 0;
        for (const aot::ParamSpec& p : s.params) {
            if (p.input >= 0 || p.alias >= 0) continue;
            if (p.checkpoint.empty()) kept.push_back(request.embedded_state[state]);
            ++state;
        }
        request.embedded_state = std::move(kept);
    }

    // Outputs: the fn's results; the trailing ones are new values of state.
    const size_t results = f.result_types().size(), updated = lowered.trace.updated_leaves.size();
    const std::set<std::string> input_symbols(s.symbols.begin(), s.symbols.end());
    for (size_t r = 0; r < results - updated; ++r) {
        const TensorType t = f.result_types()[r];
        aot::TensorSpec spec{results - updated == 1 ? "result" : "result_" + std::to_string(r), t.dtype, t.dims};
        for (const Dim& d : t.dims)
            if (!d.is_known() && !(d.is_symbol() && input_symbols.count(d.name())))
                throw CompileFailure{"output `" + spec.name + "` is " + t.str() +
                                     ": its size depends on the values computed; give the inputs concrete sizes (--arg x=f32[64,784])"};
        s.outputs.push_back(std::move(spec));
    }
    for (size_t k = 0; k < updated; ++k) {
        const size_t param = lowered.trace.updated_leaves[k];
        if (s.params[param].input >= 0)
            throw CompileFailure{"the fn assigns a field of input `" + s.inputs[s.params[param].input].name + "`"};
        s.updates.emplace_back(results - updated + k, param);
    }
}

}  // namespace

int compile_command(const DriverOptions& o) {
    if (o.fn.empty() || o.output.empty()) {
        std::cerr << "nnc: error: compile needs --fn NAME (a fn, or Model.method) and -o LIBRARY.so\n";
        return 2;
    }
    SourceManager sources;
    DiagnosticEngine diags(sources, std::cerr, o.color);
    std::string error;
    const uint32_t file = sources.add_file(o.file, &error);
    if (!file) {
        std::cerr << "nnc: error: cannot read " << o.file << ": " << error << "\n";
        return 1;
    }
    auto program = parse(sources, file, diags);
    if (!program) return 1;
    std::map<std::string, Interpreter::LowerArg> given;
    if (!parse_lower_args(o.args, given)) return 2;

    InterpreterOptions io;
    io.seed = o.seed;
    io.pipeline = pipeline_options(o);
    if (!o.stdlib_dir.empty()) io.module_paths.push_back(o.stdlib_dir);
    Interpreter interp(sources, io);
    aot::LibraryRequest request;
    request.name = library_name(o);
    request.origin = "`" + o.fn + "` of " + fs::path(o.file).filename().string();
    request.output = o.output;
    request.header = (fs::path(o.output).parent_path() / (request.name + ".h")).string();
    request.cpu = o.cpu;
    try {
        std::string dir = fs::path(o.file).parent_path().string();
        Interpreter::Lowered lowered = interp.lower(std::move(program), dir.empty() ? "." : dir, o.fn, given, /*concrete=*/true);
        describe(lowered, o, request);
        ir::Function& f = *lowered.trace.function;
        interp.run_pipeline(f, ir::Stage::Traced, ir::Stage::Lowered);
        request.function = &f;
        aot::write_library(request);
        std::cout << "nnc: wrote " << request.output << " and " << request.header << "\n";
        return 0;
    } catch (const CompileError& e) {
        diags.report(e.diag);
    } catch (const TraceFailure& f) {
        diags.report({Severity::Error, f.where, "cannot compile `" + o.fn + "`: " + f.reason +
                                                    " (when it needs a size as a number, give the inputs concrete sizes: --arg x=f32[64,784])", {}});
    } catch (const CompileFailure& f) {
        std::cerr << "nnc: error: " << f.message << "\n";
    } catch (const std::runtime_error& e) {
        std::cerr << "nnc: error: " << e.what() << "\n";
    }
    return 1;
}

}  // namespace nnc
