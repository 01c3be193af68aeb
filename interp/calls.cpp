// Calling things: user fns and methods (argument binding, annotation checks
// with symbolic dimensions, return type), model construction, builtins.
#include <algorithm>

#include "interp/annotations.h"
#include "interp/interpreter.h"
#include "support/stack.h"

namespace nnc {

namespace {

constexpr int kMaxCallDepth = 400;

// Increments the call depth for the lifetime of a call.
class DepthGuard {
public:
    DepthGuard(int& depth, SourceRange where) : depth_(depth) {
        if (++depth_ > kMaxCallDepth) {
            --depth_;
            throw CompileError(where, "call depth exceeds " + std::to_string(kMaxCallDepth) + " (unbounded recursion?)");
        }
        if (stack_nearly_exhausted()) {
            --depth_;
            throw CompileError(where, "calls nested " + std::to_string(depth_) + " deep exhaust the stack (unbounded recursion?)");
        }
    }
    ~DepthGuard() { --depth_; }

private:
    int& depth_;
};

// Matches call arguments to declared parameters by position, then keyword.
// Returns one value per parameter; a missing one with a default is left
// none-and-unset (`given[i] == false`) for the caller to evaluate.
struct BoundParams {
    std::vector<Value> values;
    std::vector<SourceRange> ranges;
    std::vector<bool> given;
};

BoundParams bind_params(const std::vector<ast::Param>& params, const CallArgs& args, const std::string& callee) {
    BoundParams b{std::vector<Value>(params.size()), std::vector<SourceRange>(params.size(), args.call_range),
                  std::vector<bool>(params.size(), false)};
    size_t positional = 0;
    for (const ArgValue& a : args.args) {
        size_t slot = params.size();
        if (a.keyword.empty()) {
            if (positional >= params.size())
                throw CompileError(a.range, "too many arguments to `" + callee + "`: it takes " +
                                                std::to_string(params.size()));
            slot = positional++;
        } else {
            for (size_t i = 0; i < params.size(); ++i)
                if (params[i].name == a.keyword) slot = i;
            if (slot == params.size()) {
                std::string names;
                for (const ast::Param& p : params) names += (names.empty() ? "" : ", ") + p.name;
                throw CompileError(a.range, "`" + callee + "` has no parameter named `" + a.keyword + "`" +
                                                (names.empty() ? "" : " (its parameters: " + names + ")"));
            }
            if (b.given[slot]) throw CompileError(a.range, "parameter `" + a.keyword + "` given twice");
        }
        b.values[slot] = a.value;
        b.ranges[slot] = a.range;
        b.given[slot] = true;
    }
    for (size_t i = 0; i < params.size(); ++i)
        if (!b.given[i] && !params[i].default_value)
            throw CompileError(args.call_range, "missing argument `" + params[i].name + "` in call to `" + callee + "`");
    return b;
}

}  // namespace

Value Interpreter::call(const Value& callee, CallArgs& args) {
    if (callee.is_unknown()) return callee;
    if (compiles(callee)) return call_compiled(callee, args);
    if (auto* fn = callee.object<FunctionObject>()) return call_function(*fn, nullptr, args);
    if (auto* b = callee.object<BuiltinObject>()) return call_builtin(*b, nullptr, args);
    if (auto* m = callee.object<BoundMethodObject>()) {
        if (auto* fn = m->function.object<FunctionObject>()) return call_function(*fn, &m->receiver, args);
        if (auto* b = m->function.object<BuiltinObject>()) return call_builtin(*b, &m->receiver, args);
    }
    if (callee.object<ModelClass>())
        return construct_model(std::static_pointer_cast<ModelClass>(callee.as<std::shared_ptr<Object>>()), args);
    if (callee.object<ModelInstance>()) return call(eval_member(callee, "forward", args.call_range), args);
    throw CompileError(args.call_range, "a value of type " + type_name(callee) + " cannot be called");
}

Value Interpreter::call_function(const FunctionObject& fn, const Value* self, CallArgs& args) {
    DepthGuard depth(call_depth_, args.call_range);
    const ast::FnDef& def = *fn.def;
    BoundParams bound = bind_params(def.params, args, fn.qualified_name);

    std::shared_ptr<ModelInstance> instance;
    if (self) instance = std::static_pointer_cast<ModelInstance>(self->as<std::shared_ptr<Object>>());
    auto scope = std::make_shared<Scope>(fn.closure, instance);
    if (mode_ == Mode::Trace) scope->set_epoch(trace_root_epoch_);
    if (instance)
        for (const auto& [name, value] : instance->ctor_args) scope->define(name, value);

    AnnotationMatcher matcher(scope);
    for (size_t i = 0; i < def.params.size(); ++i) {
        const ast::Param& p = def.params[i];
        Value v = bound.given[i] ? bound.values[i] : eval(*p.default_value, fn.closure);
        if (p.type) v = matcher.match(*p.type, v, bound.ranges[i], "argument `" + p.name + "` of `" + fn.qualified_name + "`");
        scope->define(p.name, std::move(v));
    }
    matcher.define_dimensions(*scope, [&](const Value& x, int64_t axis) { return dim_size(x, axis, args.call_range); });

    // Checking follows a recursive call once: the inner call gives what the
    // result annotation says (the recursion itself depends on the data).
    if (mode_ == Mode::Abstract && std::find(active_fns_.begin(), active_fns_.end(), &def) != active_fns_.end())
        return def.result ? matcher.abstract_value(*def.result) : Value(UnknownValue{});
    ScopedPush<const ast::FnDef*> active(active_fns_, &def);

    Frame frame;
    try {
        exec_block(def.body, scope, frame);
    } catch (CompileError& e) {
        // Checking: an error in a fn says which calls reached it.
        if (mode_ == Mode::Abstract && args.call_range.valid())
            e.diag.notes.push_back({Severity::Note, args.call_range, "in `" + fn.qualified_name + "`, called from here", {}});
        throw;
    }
    if (def.result)
        frame.result = matcher.match(*def.result, frame.result, def.result->range,
                                     "the result of `" + fn.qualified_name + "`");
    return frame.result;
}

Value Interpreter::construct_model(const std::shared_ptr<ModelClass>& cls, CallArgs& args) {
    DepthGuard depth(call_depth_, args.call_range);
    const ast::ModelDef& def = *cls->def;
    BoundParams bound = bind_params(def.params, args, cls->qualified_name);

    auto instance = std::make_shared<ModelInstance>(cls);
    if (mode_ == Mode::Trace) instance->epoch = trace_root_epoch_;
    auto ctor_scope = std::make_shared<Scope>(cls->scope);
    AnnotationMatcher matcher(ctor_scope);
    for (size_t i = 0; i < def.params.size(); ++i) {
        const ast::Param& p = def.params[i];
        Value v = bound.given[i] ? bound.values[i] : eval(*p.default_value, cls->scope);
        if (p.type) v = matcher.match(*p.type, v, bound.ranges[i], "argument `" + p.name + "` of `" + cls->qualified_name + "`");
        ctor_scope->define(p.name, v);
        instance->ctor_args.emplace_back(p.name, std::move(v));
    }

    // Field initialisers see the constructor's parameters and earlier fields.
    auto field_scope = std::make_shared<Scope>(ctor_scope, instance);
    for (const ast::ModelField& f : def.fields) {
        Value v = eval(*f.init, field_scope);
        if (f.type) v = AnnotationMatcher(field_scope).match(*f.type, v, f.init->range, "field `" + f.name + "`");
        if (f.kind != ast::ModelField::Field && !v.is_tensor() && !v.is_unknown())
            throw CompileError(f.init->range, std::string(f.kind == ast::ModelField::Param ? "param" : "buffer") + " `" +
                                                  f.name + "` must be a tensor, not " + type_name(v));
        using FK = ModelInstance::FieldKind;
        instance->fields.push_back({f.name,
                                    f.kind == ast::ModelField::Param    ? FK::Param
                                    : f.kind == ast::ModelField::Buffer ? FK::Buffer
                                                                        : FK::Field,
                                    std::move(v)});
    }
    return Value(std::shared_ptr<Object>(instance));
}

Value Interpreter::call_builtin(const BuiltinObject& b, const Value* self, CallArgs& args) {
    if (self) args.args.insert(args.args.begin(), ArgValue{"", *self, args.call_range});
    if (args.callee_name.empty()) args.callee_name = b.name;
    BuiltinArgs bound(*this, b.signature, args);
    const BuiltinObject::Impl* impl = &b.impl;
    if (b.effect == Effect::ReadsFiles || b.effect == Effect::WritesFiles || b.effect == Effect::Prints) {
        if (mode_ == Mode::Trace)
            throw TraceFailure{args.call_range, "`" + b.name + "` " + effect_at_every_call(b.effect) + " at every call"};
        if (mode_ == Mode::Abstract) {
            if (!b.check) return b.effect == Effect::ReadsFiles ? Value(UnknownValue{}) : Value();
            impl = &b.check;
        }
    }
    try {
        return (*impl)(bound);
    } catch (const UnknownArgument&) {
        if (mode_ == Mode::Trace) throw TraceFailure{args.call_range, "`" + b.name + "` needs a value that is only known when the fn runs"};
        return Value(UnknownValue{});
    }
}

}  // namespace nnc
