// Built-in functions: how they receive arguments and how they are
// registered. Each builtin declares its parameters as a signature string
// ("x, axis = none, keepdim = false"); BuiltinArgs binds a call's positional
// and keyword arguments to it, reports mistakes at the argument's location,
// and converts values (host numbers and nested lists become tensors).
//
// Builtins compute on tensors only through Interpreter::apply, so the same
// builtin runs eagerly, abstractly (checking) and while tracing IR.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "support/source.h"
#include "interp/builtins/effect.h"
#include "interp/value.h"
#include "runtime/io/safetensors.h"

namespace nnc {

class Interpreter;
class Scope;

// One argument of a call, evaluated, with its keyword (empty if positional).
struct ArgValue {
    std::string keyword;
    Value value;
    SourceRange range;
};

struct CallArgs {
    std::vector<ArgValue> args;   // positional arguments first, then keywords
    SourceRange call_range;
    std::string callee_name;      // for messages
};

// Thrown when a builtin needs a host value that is unknown while checking;
// the call then evaluates to Unknown instead of failing.
struct UnknownArgument {};

class BuiltinArgs {
public:
    // Binds `call` to the parameter list `signature`. Throws CompileError for
    // missing, repeated or unexpected arguments. A parameter spelled `*name`
    // collects the remaining positional arguments as a list.
    BuiltinArgs(Interpreter& interp, std::string_view signature, CallArgs& call);

    Interpreter& interp() const { return interp_; }
    SourceRange call_range() const { return call_.call_range; }
    SourceRange range(std::string_view name) const;
    const Value& value(std::string_view name) const;
    bool is_none(std::string_view name) const { return value(name).is_none(); }
    const std::vector<Value>& rest() const { return rest_; }   // the `*name` parameter
    SourceRange rest_range(size_t i) const { return rest_ranges_[i]; }

    // Conversions; each reports a type error at the argument.
    Value tensor(std::string_view name, std::optional<DType> hint = std::nullopt) const;
    int64_t integer(std::string_view name) const;
    double number(std::string_view name) const;
    bool boolean(std::string_view name) const;
    DType dtype(std::string_view name) const;
    std::string str(std::string_view name) const;
    // An int or a list/tuple of ints (shapes, strides, paddings).
    std::vector<int64_t> ints(std::string_view name) const;
    // `none` → nullopt (all axes); an int or tuple/list of ints otherwise.
    std::optional<std::vector<int64_t>> axes(std::string_view name) const;

    [[noreturn]] void fail(std::string_view name, const std::string& message) const;

private:
    struct Slot {
        std::string name;
        Value value;
        SourceRange range;
    };
    const Slot& slot(std::string_view name) const;
    Interpreter& interp_;
    CallArgs& call_;
    std::vector<Slot> slots_;
    std::vector<Value> rest_;
    std::vector<SourceRange> rest_ranges_;
};

using BuiltinImpl = Value (*)(BuiltinArgs& args);

struct BuiltinSpec {
    const char* name;
    const char* signature;
    BuiltinImpl impl;
    Effect effect = Effect::Pure;   // builtins/effect.h
    BuiltinImpl check = nullptr;    // what checking runs for a builtin with a side effect
};

// Defines every builtin function and dtype name in `scope`.
void define_builtins(Scope& scope);

// The tables of each family (one file each).
std::span<const BuiltinSpec> creation_builtins();
std::span<const BuiltinSpec> math_builtins();       // elementwise and reductions
std::span<const BuiltinSpec> functional_builtins(); // compositions: masks, activations, any/all, norm...
std::span<const BuiltinSpec> shape_builtins();
std::span<const BuiltinSpec> nn_builtins();
std::span<const BuiltinSpec> host_builtins();       // print, assert, len, time, ...
std::span<const BuiltinSpec> model_builtins();      // parameters, set_parameters
std::span<const BuiltinSpec> grad_builtins();       // grad, value_and_grad, vjp, jvp, stop_gradient
std::span<const BuiltinSpec> io_builtins();         // save, load (safetensors)
// The tensors `save(v, path)` writes, by their names in the file (the
// tensors of a model: `fc1.w`). `v` must be concrete.
std::vector<NamedTensor> saved_tensors(const Value& v);
std::span<const BuiltinSpec> numpy_builtins();      // save_npy, load_npy, save_npz, load_npz
std::span<const BuiltinSpec> data_builtins();       // read_idx, read_csv, permutation, file_exists
std::span<const BuiltinSpec> progress_builtins();   // progress

}  // namespace nnc
