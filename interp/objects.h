// The callable and structured heap values of the evaluator: user functions
// (closures over their defining scope), built-in functions, bound methods,
// model classes and instances, and modules.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "frontend/ast.h"
#include "interp/scope.h"
#include "interp/builtins/effect.h"
#include "interp/value.h"

namespace nnc {

class BuiltinArgs;

// A `fn` defined in .nn source. `self` is set for methods.
struct FunctionObject : Object {
    FunctionObject(const ast::FnDef* d, std::shared_ptr<Scope> s, std::string q)
        : Object(Kind::Function), def(d), closure(std::move(s)), qualified_name(std::move(q)) {}
    const ast::FnDef* def;
    std::shared_ptr<Scope> closure;
    std::string qualified_name;   // "loss", "Linear.forward"
    static bool classof(const Object* o) { return o->kind == Kind::Function; }
};

// A function implemented in C++ (see builtins/builtins.h).
struct BuiltinObject : Object {
    using Impl = std::function<Value(BuiltinArgs&)>;
    BuiltinObject(std::string n, std::string sig, Impl f, Effect e = Effect::Pure, Impl c = nullptr)
        : Object(Kind::Builtin), name(std::move(n)), signature(std::move(sig)), impl(std::move(f)), effect(e), check(std::move(c)) {}
    std::string name;
    std::string signature;   // e.g. "x, axis = none, keepdim = false"
    Impl impl;
    Effect effect;
    Impl check;   // what checking runs instead of `impl` for a builtin with a side effect (may be null)
    static bool classof(const Object* o) { return o->kind == Kind::Builtin; }
};

// `obj.method` captured with its receiver, ready to call.
struct BoundMethodObject : Object {
    BoundMethodObject(Value r, Value f) : Object(Kind::BoundMethod), receiver(std::move(r)), function(std::move(f)) {}
    Value receiver;
    Value function;   // a FunctionObject (model method) or BuiltinObject
    static bool classof(const Object* o) { return o->kind == Kind::BoundMethod; }
};

// A `model` declaration: calling it constructs an instance.
struct ModelClass : Object {
    ModelClass(const ast::ModelDef* d, std::shared_ptr<Scope> s, std::string q)
        : Object(Kind::ModelClass), def(d), scope(std::move(s)), qualified_name(std::move(q)) {}
    const ast::ModelDef* def;
    std::shared_ptr<Scope> scope;   // where the declaration lives
    std::string qualified_name;     // "nn.Linear"
    static bool classof(const Object* o) { return o->kind == Kind::ModelClass; }
};

// A constructed model: ordered fields (params, buffers, sub-models, other
// values) and its class (for methods).
struct ModelInstance : Object {
    enum class FieldKind { Param, Buffer, Field };
    struct Field {
        std::string name;
        FieldKind kind;
        Value value;
    };
    explicit ModelInstance(std::shared_ptr<ModelClass> c) : Object(Kind::ModelInstance), cls(std::move(c)) {}
    std::shared_ptr<ModelClass> cls;
    std::vector<Field> fields;
    std::vector<std::pair<std::string, Value>> ctor_args;   // visible by name in methods
    int epoch = 0;   // the trace that created it (0: none); see Scope::epoch

    Field* find(const std::string& name);
    static bool classof(const Object* o) { return o->kind == Kind::ModelInstance; }
};

// An imported .nn file: its top-level scope.
struct ModuleObject : Object {
    ModuleObject(std::string n, std::shared_ptr<Scope> s) : Object(Kind::Module), name(std::move(n)), scope(std::move(s)) {}
    std::string name;
    std::shared_ptr<Scope> scope;
    static bool classof(const Object* o) { return o->kind == Kind::Module; }
};

class Interpreter;

// Something `for` can loop over that is produced lazily (e.g. dataset batches).
struct IteratorObject : Object {
    IteratorObject() : Object(Kind::Iterator) {}
    // The next element, or nothing at the end.
    virtual std::optional<Value> next(Interpreter& interp) = 0;
    // Called when a loop over the iterator ends, also by `break` or `return`.
    virtual void close(Interpreter&) {}
    // `it.name`: a method or field the iterator offers, or nothing.
    virtual std::optional<Value> member(const std::string&) { return std::nullopt; }
    static bool classof(const Object* o) { return o->kind == Kind::Iterator; }
};

// Marks the models in `v` (in tuples, lists and fields too) as created by
// the trace with this epoch, which may then assign their fields.
void set_trace_epoch(const Value& v, int epoch);

template <class T, class... A> Value make_object(A&&... args) {
    return Value(std::shared_ptr<Object>(std::make_shared<T>(std::forward<A>(args)...)));
}

}  // namespace nnc
