// Compiled calls: a call of a fn or model method from eager code is traced
// once per argument signature into IR, and the IR runs instead of the
// evaluator. Model fields the call assigns are written back in place. A fn
// that cannot be traced runs eagerly, and that outcome is cached too.
#include "interp/flatten.h"
#include "interp/interpreter.h"
#include "ir/interpret.h"

namespace nnc {

namespace {

// The fn a callee runs, if it is a .nn fn or method.
const FunctionObject* user_function(const Value& callee) {
    if (auto* fn = callee.object<FunctionObject>()) return fn;
    if (auto* m = callee.object<BoundMethodObject>()) return m->function.object<FunctionObject>();
    return nullptr;
}

// Whether `v` holds a model. A fn returning one (a constructor, `optim.sgd(m)`)
// runs eagerly: models are shared by reference, and a traced result would
// be a copy that no longer aliases the model it was given.
bool holds_model(const Value& v) {
    if (v.object<ModelInstance>()) return true;
    auto any = [](const std::vector<Value>& items) {
        for (const Value& e : items)
            if (holds_model(e)) return true;
        return false;
    };
    if (auto* t = v.object<TupleObject>()) return any(t->elements);
    if (auto* l = v.object<ListObject>()) return any(l->elements);
    return false;
}

}  // namespace

bool Interpreter::compiles(const Value& callee) const {
    return options_.compile && mode_ == Mode::Eager && eager_fallback_depth_ == 0 && user_function(callee);
}

Value Interpreter::call_compiled(const Value& callee, CallArgs& args) {
    const FunctionObject& fn = *user_function(callee);
    Value receiver;
    if (auto* m = callee.object<BoundMethodObject>()) receiver = m->receiver;

    std::string key = std::to_string(reinterpret_cast<uintptr_t>(fn.def)) + "|" + structure_key(receiver);
    for (const ArgValue& a : args.args) key += "|" + a.keyword + "=" + structure_key(a.value);
    CompiledCall& entry = compiled_[key];
    if (!entry.traced && entry.failure.empty()) {
        try {
            entry.traced = std::make_shared<Trace>(trace_call(callee, args, fn.qualified_name));
            if (holds_model(entry.traced->result_structure)) {
                entry.traced.reset();
                entry.failure = "returns a model";
            }
        } catch (const TraceFailure& f) {
            entry.failure = f.reason.empty() ? "not traceable" : f.reason;
        }
    }
    if (!entry.traced) {
        ++eager_fallback_depth_;
        struct Restore {
            int& depth;
            ~Restore() { --depth; }
        } restore{eager_fallback_depth_};
        return call(callee, args);
    }

    std::vector<Value> leaves;
    flatten(receiver, leaves);
    for (const ArgValue& a : args.args) flatten(a.value, leaves);
    std::vector<Tensor> inputs;
    for (const Value& v : leaves) inputs.push_back(v.as<Tensor>());
    std::vector<Tensor> outputs;
    try {
        outputs = ir::interpret(*entry.traced->function, inputs);
    } catch (const RuntimeError& e) {
        throw CompileError(args.call_range, e.what());
    }

    std::vector<Value> results(outputs.begin(), outputs.end());
    size_t pos = 0;
    Value result = unflatten(entry.traced->result_structure, results, pos);
    std::vector<Value*> slots;
    leaf_slots(receiver, slots);
    for (const ArgValue& a : args.args) leaf_slots(a.value, slots);
    for (size_t leaf : entry.traced->updated_leaves) *slots[leaf] = results[pos++];
    return result;
}

}  // namespace nnc
