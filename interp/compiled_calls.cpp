// Compiled calls: a call of a fn or model method from eager code is traced
// once per argument signature into IR, and the IR runs instead of the
// evaluator. Model fields the call assigns are written back in place. A fn
// that cannot be traced runs eagerly, and that outcome is cached too.
//
// The signature is generalised first: a tensor argument whose annotation
// names a dimension (`x: f32[B, 784]`) is traced with that dimension
// symbolic, so another batch size reuses the same IR. When the fn needs the
// dimension's value on the host (`zeros([B])`), it is traced again with
// concrete shapes.
//
// What the fn reads from outside itself (globals, captured variables) is
// part of the call too: tensors, and the models and lists holding them,
// are inputs read at every call (captures.h); other values are folded in.
// Guards (guards.h) keep those reads, and a call whose reads changed their
// value or structure is traced again, up to kMaxTraceVariants times per
// signature.
#include "codegen/cpu/kernel_module.h"
#include "interp/flatten.h"
#include "interp/interpreter.h"
#include "ir/interpret.h"
#include "ir/passes/pipeline.h"
#include "support/error.h"

namespace nnc {

namespace {

// The fn a callee runs, if it is a .nn fn or method.
const FunctionObject* user_function(const Value& callee) {
    if (auto* fn = callee.object<FunctionObject>()) return fn;
    if (auto* m = callee.object<BoundMethodObject>()) return m->function.object<FunctionObject>();
    return nullptr;
}

// The arguments with the dimensions their annotations name made symbolic.
CallArgs generalize(const ast::FnDef& def, const CallArgs& args) {
    CallArgs general = args;
    size_t positional = 0;
    for (ArgValue& a : general.args) {
        const ast::Param* param = nullptr;
        if (a.keyword.empty()) {
            if (positional < def.params.size()) param = &def.params[positional];
            ++positional;
        } else {
            for (const auto& p : def.params)
                if (p.name == a.keyword) param = &p;
        }
        if (!param || !param->type || param->type->kind != ast::TypeExpr::Tensor || !a.value.is<Tensor>()) continue;
        TensorType t = a.value.tensor_type();
        if (t.rank() != static_cast<int64_t>(param->type->dims.size())) continue;
        bool symbolic = false;
        for (size_t i = 0; i < t.dims.size(); ++i)
            if (param->type->dims[i].kind == ast::DimExpr::Symbol) {
                t.dims[i] = Dim::symbol(param->type->dims[i].name);
                symbolic = true;
            }
        if (symbolic) a.value = Value(AbstractTensor{t});
    }
    return general;
}

// How the values a call hands its trace alias each other: the receiver,
// the arguments, then what the trace read from outside (its input guards).
std::string call_aliases(const Value& receiver, const CallArgs& args, const std::vector<Guard>& guards,
                         const Scope* closure) {
    std::vector<const Value*> values{&receiver};
    for (const ArgValue& a : args.args) values.push_back(&a.value);
    for (const Guard& g : guards)
        if (g.input)
            if (const Value* v = locate(g, closure)) values.push_back(v);
    return alias_pattern(values);
}

}  // namespace

// Fuses the trace and compiles it to native code; the trailing results (new
// values of the arguments' fields) may be written in place.
void Interpreter::compile_native(CompiledCall& entry, const std::string& name) {
    ir::Function& f = *entry.traced->function;
    run_pipeline(f, ir::Stage::Optimized, ir::Stage::Lowered);
    codegen::CompileOptions options;
    options.profile = options_.profile;
    const size_t results = f.result_types().size(), updated = entry.traced->updated_leaves.size();
    for (size_t k = 0; k < updated; ++k) options.updates[results - updated + k] = entry.traced->updated_leaves[k];
    entry.executable = codegen::compile_with_jit(f, options);
    compiled_names_.emplace_back(name, entry.executable);
}

std::vector<std::pair<std::string, const codegen::Executable*>> Interpreter::executables() const {
    std::vector<std::pair<std::string, const codegen::Executable*>> out;
    for (const auto& [name, e] : compiled_names_) out.emplace_back(name, e.get());
    return out;
}

Interpreter::CompiledCall& Interpreter::compiled_call(const Value& callee, const CallArgs& args, bool generalized) {
    const FunctionObject& fn = *user_function(callee);
    Value receiver;
    if (auto* m = callee.object<BoundMethodObject>()) receiver = m->receiver;
    std::string key = std::to_string(reinterpret_cast<uintptr_t>(fn.def)) + "|" + structure_key(receiver);
    for (const ArgValue& a : args.args) key += "|" + a.keyword + "=" + structure_key(a.value);
    std::vector<std::unique_ptr<CompiledCall>>& variants = compiled_[key];
    std::optional<std::string> changed;   // since the newest variant
    for (auto it = variants.rbegin(); it != variants.rend(); ++it) {
        std::optional<std::string> broken = broken_guard((*it)->guards, fn.closure.get());
        if (!broken && call_aliases(receiver, args, (*it)->guards, fn.closure.get()) != (*it)->aliases)
            broken = "the models it is given or reads share their parts differently";
        if (!broken) return **it;
        if (!changed) changed = broken;
    }
    if (changed) stats_.retraces.push_back(fn.qualified_name + ": " + *changed);
    if (variants.size() == kMaxTraceVariants) {
        // As TorchDynamo's cache limit: a fn whose globals keep changing runs eagerly.
        auto eager = std::make_unique<CompiledCall>();
        eager->failure = "traced " + std::to_string(kMaxTraceVariants) + " times as what it reads from outside changed (" +
                         changed.value_or("") + ")";
        stats_.fallbacks.push_back(fn.qualified_name + ": " + eager->failure);
        warn_eager(fn, *eager);
        variants.back() = std::move(eager);   // no guards: every later call runs eagerly
        return *variants.back();
    }
    variants.push_back(std::make_unique<CompiledCall>());
    CompiledCall& entry = *variants.back();
    try {
        ++stats_.traces;
        entry.traced = std::make_shared<Trace>(trace_call(callee, args, fn.qualified_name, OuterTensors::Inputs, &entry.guards));
        // A fn returning a model is a constructor (CompiledCall::constructor).
        if (holds_model(entry.traced->result_structure)) {
            entry.traced.reset();
            entry.constructor = true;
            entry.guards.clear();   // host code whatever it reads: no reason to trace it again
        } else {
            run_pipeline(*entry.traced->function, ir::Stage::Traced, ir::Stage::Optimized);
            if (options_.jit) compile_native(entry, fn.qualified_name);
        }
    } catch (const TraceFailure& f) {
        entry.failure = f.reason.empty() ? "not traceable" : f.reason;
        entry.failure_where = f.where;
    }
    // A failed trace is reused by the same rule: its outcome may depend on the aliasing too.
    entry.aliases = call_aliases(receiver, args, entry.guards, fn.closure.get());
    if (entry.constructor) {
        stats_.constructors.push_back(fn.qualified_name);
        return entry;
    }
    if (!entry.traced) {
        std::string where;   // the source line that stopped it
        if (const SourceLoc& at = entry.failure_where.begin; at.valid())
            where = " (" + sources_.name(at.file) + ":" + std::to_string(at.line) + ":" + std::to_string(at.col) + ")";
        (generalized ? stats_.specialized : stats_.fallbacks).push_back(fn.qualified_name + ": " + entry.failure + where);
    }
    if (!entry.traced && !generalized) warn_eager(fn, entry);
    return entry;
}

void Interpreter::warn_eager(const FunctionObject& fn, const CompiledCall& entry) {
    if (!options_.warnings || !warned_eager_.insert(fn.def).second) return;
    const SourceRange where = entry.failure_where.valid() ? entry.failure_where : fn.def->name_range;
    if (!options_.library_dir.empty() && where.valid() &&
        sources_.name(where.begin.file).starts_with(options_.library_dir))
        return;
    Diagnostic d{Severity::Warning, where,
                 "`" + fn.qualified_name + "` runs eagerly, op by op, instead of compiled: " + entry.failure, {}};
    if (where != fn.def->name_range) d.notes.push_back({Severity::Note, fn.def->name_range, "`" + fn.qualified_name + "` is defined here", {}});
    options_.warnings->report(d);
}

bool Interpreter::compiles(const Value& callee) const {
    return options_.compile && mode_ == Mode::Eager && eager_fallback_depth_ == 0 && user_function(callee);
}

Value Interpreter::call_compiled(const Value& callee, CallArgs& args) {
    Value receiver;
    if (auto* m = callee.object<BoundMethodObject>()) receiver = m->receiver;
    if (const FunctionObject* fn = user_function(callee); fn->def->host) {   // never traced; what it calls compiles
        ++stats_.host_calls;
        return call_function(*fn, receiver.is_none() ? nullptr : &receiver, args);
    }
    CallArgs general = generalize(*user_function(callee)->def, args);
    const bool symbolic = general.args.size() != args.args.size() ||
                          !std::equal(general.args.begin(), general.args.end(), args.args.begin(),
                                      [](const ArgValue& a, const ArgValue& b) { return a.value.is<Tensor>() == b.value.is<Tensor>(); });
    CompiledCall* entry = &compiled_call(callee, general, symbolic);
    if (!entry->traced && !entry->constructor && symbolic) entry = &compiled_call(callee, args, false);   // specialised to these shapes
    auto run_eagerly = [&] {
        ++(entry->constructor ? stats_.host_calls : stats_.eager_calls);
        ScopedValue<int> fallback(eager_fallback_depth_, eager_fallback_depth_ + 1);
        return call(callee, args);
    };
    if (!entry->traced) return run_eagerly();

    // The inputs: the receiver's and arguments' tensors, then the current
    // values of what the trace read from outside.
    std::vector<Value*> captured;
    const Scope* closure = user_function(callee)->closure.get();
    for (const Guard& g : entry->guards)
        if (g.input) captured.push_back(locate(g, closure));
    std::vector<Value> leaves;
    flatten(receiver, leaves);
    for (const ArgValue& a : args.args) flatten(a.value, leaves);
    for (const Value* v : captured) flatten(*v, leaves);
    std::vector<Tensor> inputs;
    for (const Value& v : leaves) inputs.push_back(v.as<Tensor>());
    leaves.clear();   // so that a field's tensor is held only by the field and `inputs`
    std::vector<Tensor> outputs;
    try {
        // Updated in place when only its field holds it (besides `inputs`).
        if (entry->executable) outputs = entry->executable->run(std::move(inputs), 1);
        else outputs = ir::interpret(*entry->traced->function, inputs);
    } catch (const std::runtime_error&) {
        // The IR is pure and writes nothing back on failure: run the call
        // again op by op, which reports the error at its source line (an
        // argument that breaks the signature's dimensions, a bad index...).
        return run_eagerly();
    }

    std::vector<Value> results(outputs.begin(), outputs.end());
    size_t pos = 0;
    Value result = unflatten(entry->traced->result_structure, results, pos);
    std::vector<Value*> slots;
    leaf_slots(receiver, slots);
    for (ArgValue& a : args.args) leaf_slots(a.value, slots);
    for (Value* v : captured) leaf_slots(*v, slots);
    for (size_t leaf : entry->traced->updated_leaves) *slots[leaf] = results[pos++];
    ++stats_.compiled_calls;
    return result;
}

}  // namespace nnc
