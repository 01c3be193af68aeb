// Binding a builtin call's arguments to its signature, and the typed
// accessors builtins read them with.
#include <charconv>

#include "interp/builtins/builtins.h"
#include "interp/interpreter.h"
#include "support/error.h"

namespace nnc {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

// A default value spelled in a signature: none, true, false, an int, a
// float, a dtype name or a "string".
Value parse_default(std::string_view text) {
    if (text == "none") return Value();
    if (text == "true") return Value(true);
    if (text == "false") return Value(false);
    if (text.size() >= 2 && text.front() == '"') return Value(std::string(text.substr(1, text.size() - 2)));
    if (auto t = parse_dtype(text)) return Value(*t);
    int64_t i = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), i);
    if (ec == std::errc() && p == text.data() + text.size()) return Value(i);
    return Value(std::stod(std::string(text)));
}

}  // namespace

BuiltinArgs::BuiltinArgs(Interpreter& interp, std::string_view signature, CallArgs& call) : interp_(interp), call_(call) {
    struct Param {
        std::string name;
        std::optional<Value> fallback;
    };
    std::vector<Param> params;
    // Parameters after `*rest` are keyword-only, as in Python.
    bool variadic = false;
    size_t positional_limit = 0;
    while (!signature.empty()) {
        size_t comma = signature.find(',');
        std::string_view item = trim(signature.substr(0, comma));
        signature = comma == std::string_view::npos ? std::string_view{} : signature.substr(comma + 1);
        if (item.empty()) continue;
        if (item.front() == '*') {
            variadic = true;
            positional_limit = params.size();
            continue;
        }
        size_t eq = item.find('=');
        if (eq == std::string_view::npos) params.push_back({std::string(item), std::nullopt});
        else params.push_back({std::string(trim(item.substr(0, eq))), parse_default(trim(item.substr(eq + 1)))});
    }

    if (!variadic) positional_limit = params.size();
    std::vector<bool> given(params.size(), false);
    slots_.resize(params.size());
    size_t positional = 0;
    const std::string& callee = call.callee_name;
    for (ArgValue& a : call.args) {
        size_t slot = params.size();
        if (a.keyword.empty()) {
            if (positional < positional_limit) slot = positional++;
            else if (variadic) {
                rest_.push_back(a.value);
                rest_ranges_.push_back(a.range);
                continue;
            } else {
                throw CompileError(a.range, "too many arguments to `" + callee + "`: it takes at most " +
                                                std::to_string(positional_limit));
            }
        } else {
            for (size_t i = 0; i < params.size(); ++i)
                if (params[i].name == a.keyword) slot = i;
            if (slot == params.size()) {
                std::string names;
                for (const auto& p : params) names += (names.empty() ? "" : ", ") + p.name;
                throw CompileError(a.range, "`" + callee + "` has no parameter named `" + a.keyword + "`" +
                                                (names.empty() ? "" : " (its parameters: " + names + ")"));
            }
            if (given[slot]) throw CompileError(a.range, "parameter `" + a.keyword + "` given twice");
        }
        slots_[slot] = {params[slot].name, a.value, a.range};
        given[slot] = true;
    }
    for (size_t i = 0; i < params.size(); ++i) {
        if (given[i]) continue;
        if (!params[i].fallback)
            throw CompileError(call.call_range, "missing argument `" + params[i].name + "` in call to `" + callee + "`");
        slots_[i] = {params[i].name, *params[i].fallback, call.call_range};
    }
}

const BuiltinArgs::Slot& BuiltinArgs::slot(std::string_view name) const {
    for (const auto& s : slots_)
        if (s.name == name) return s;
    internal_error("builtin reads an undeclared parameter: " + std::string(name));
}

SourceRange BuiltinArgs::range(std::string_view name) const { return slot(name).range; }
const Value& BuiltinArgs::value(std::string_view name) const { return slot(name).value; }

void BuiltinArgs::fail(std::string_view name, const std::string& message) const {
    throw CompileError(range(name), std::string(call_.callee_name) + ": " + message);
}

Value BuiltinArgs::tensor(std::string_view name, std::optional<DType> hint) const {
    const Value& v = value(name);
    if (v.is_unknown()) throw UnknownArgument{};
    if (v.is_tensor()) return v;
    if (!v.is_number() && !v.object<ListObject>() && !v.object<TupleObject>())
        fail(name, "`" + std::string(name) + "` must be a tensor, not " + type_name(v));
    Value t = interp_.to_tensor(v, hint, range(name));
    if (t.is_unknown()) throw UnknownArgument{};
    return t;
}

int64_t BuiltinArgs::integer(std::string_view name) const {
    const Value& v = value(name);
    if (v.is_unknown()) throw UnknownArgument{};
    if (v.is<int64_t>()) return v.as<int64_t>();
    if (v.is<Tensor>() && v.as<Tensor>().numel() == 1 && is_integral(v.as<Tensor>().dtype()))
        return v.as<Tensor>().get_int(0);
    if (v.is<AbstractTensor>()) throw UnknownArgument{};
    fail(name, "`" + std::string(name) + "` must be an int, not " + type_name(v));
}

double BuiltinArgs::number(std::string_view name) const {
    const Value& v = value(name);
    if (v.is_unknown()) throw UnknownArgument{};
    if (v.is<double>()) return v.as<double>();
    if (v.is<int64_t>()) return static_cast<double>(v.as<int64_t>());
    if (v.is<Tensor>() && v.as<Tensor>().numel() == 1) return v.as<Tensor>().item();
    if (v.is<AbstractTensor>()) throw UnknownArgument{};
    fail(name, "`" + std::string(name) + "` must be a number, not " + type_name(v));
}

bool BuiltinArgs::boolean(std::string_view name) const {
    const Value& v = value(name);
    if (v.is_unknown()) throw UnknownArgument{};
    if (v.is<bool>()) return v.as<bool>();
    fail(name, "`" + std::string(name) + "` must be true or false, not " + type_name(v));
}

DType BuiltinArgs::dtype(std::string_view name) const {
    const Value& v = value(name);
    if (v.is_unknown()) throw UnknownArgument{};
    if (v.is<DType>()) return v.as<DType>();
    fail(name, "`" + std::string(name) + "` must be a dtype such as f32, not " + type_name(v));
}

std::string BuiltinArgs::str(std::string_view name) const {
    const Value& v = value(name);
    if (v.is_unknown()) throw UnknownArgument{};
    if (v.is<std::string>()) return v.as<std::string>();
    fail(name, "`" + std::string(name) + "` must be a string, not " + type_name(v));
}

std::vector<int64_t> BuiltinArgs::ints(std::string_view name) const {
    const Value& v = value(name);
    if (v.is_unknown()) throw UnknownArgument{};
    if (v.is<int64_t>()) return {v.as<int64_t>()};
    const std::vector<Value>* items = sequence_elements(v);
    if (!items) fail(name, "`" + std::string(name) + "` must be an int or a list of ints, not " + type_name(v));
    std::vector<int64_t> out;
    for (const Value& x : *items) {
        if (x.is_unknown()) throw UnknownArgument{};
        if (!x.is<int64_t>()) fail(name, "`" + std::string(name) + "` must contain ints, not " + type_name(x));
        out.push_back(x.as<int64_t>());
    }
    return out;
}

std::optional<std::vector<int64_t>> BuiltinArgs::axes(std::string_view name) const {
    if (is_none(name)) return std::nullopt;
    return ints(name);
}

}  // namespace nnc
