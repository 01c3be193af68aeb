// Host builtins: print, assert, len, time, int, float, str — and the table
// that defines every builtin, dtype name and `none` in the root scope.
#include <chrono>
#include <cmath>
#include <ostream>

#include "interp/builtins/builtins.h"
#include "interp/interpreter.h"
#include "interp/objects.h"

namespace nnc {

namespace {

// print(a, b, ...): values separated by spaces, then a newline.
Value print_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    std::string line;
    for (size_t i = 0; i < a.rest().size(); ++i) line += (i ? a.str("sep") : "") + display(a.rest()[i]);
    in.out() << line << a.str("end") << std::flush;
    return Value();
}

Value assert_builtin(BuiltinArgs& a) {
    std::optional<bool> ok = a.interp().truth(a.value("cond"), a.range("cond"));
    std::string message = a.str("message");
    if (ok && !*ok) throw CompileError(a.range("cond"), "assertion failed" + (message.empty() ? "" : ": " + message));
    return Value();
}

Value len_builtin(BuiltinArgs& a) {
    const Value& v = a.value("x");
    if (v.is_unknown()) throw UnknownArgument{};
    if (auto* t = v.object<TupleObject>()) return Value(int64_t(t->elements.size()));
    if (auto* l = v.object<ListObject>()) return Value(int64_t(l->elements.size()));
    if (v.is<std::string>()) return Value(int64_t(v.as<std::string>().size()));
    if (v.is<RangeValue>()) {
        const uint64_t n = v.as<RangeValue>().length();
        if (n > static_cast<uint64_t>(INT64_MAX))
            a.fail("x", "the range has " + std::to_string(n) + " elements, more than an int holds");
        return Value(static_cast<int64_t>(n));
    }
    if (v.is_tensor()) {
        TensorType t = v.tensor_type();
        if (t.rank() == 0) a.fail("x", "a rank-0 tensor has no length");
        return a.interp().dim_size(v, 0, a.call_range());
    }
    a.fail("x", "a value of type " + type_name(v) + " has no length");
}

// Seconds since an arbitrary fixed point (for measuring durations).
Value time_builtin(BuiltinArgs&) {
    using namespace std::chrono;
    return Value(duration<double>(steady_clock::now().time_since_epoch()).count());
}

Value int_builtin(BuiltinArgs& a) {
    const Value& v = a.value("x");
    if (v.is<int64_t>()) return v;
    if (v.is<bool>()) return Value(int64_t(v.as<bool>()));
    if (v.is<std::string>()) {
        try {
            size_t used = 0;
            int64_t n = std::stoll(v.as<std::string>(), &used);
            if (used == v.as<std::string>().size()) return Value(n);
        } catch (const std::exception&) {
        }
        a.fail("x", "`" + v.as<std::string>() + "` is not an integer");
    }
    double d = a.number("x");
    if (!std::isfinite(d) || std::fabs(d) > 9.2e18) a.fail("x", "cannot convert " + display(Value(d)) + " to an int");
    return Value(static_cast<int64_t>(d));
}

Value float_builtin(BuiltinArgs& a) {
    const Value& v = a.value("x");
    if (v.is<std::string>()) {
        try {
            size_t used = 0;
            double d = std::stod(v.as<std::string>(), &used);
            if (used == v.as<std::string>().size()) return Value(d);
        } catch (const std::exception&) {
        }
        a.fail("x", "`" + v.as<std::string>() + "` is not a number");
    }
    return Value(a.number("x"));
}

Value str_builtin(BuiltinArgs& a) {
    if (a.value("x").is_unknown()) throw UnknownArgument{};
    return Value(display(a.value("x")));
}

const BuiltinSpec kHostBuiltins[] = {
    {"print", "*values, sep = \" \", end = \"\n\"", print_builtin, Effect::Prints},
    {"assert", "cond, message = \"\"", assert_builtin},
    {"len", "x", len_builtin},
    {"time", "", time_builtin},
    {"int", "x", int_builtin},
    {"float", "x", float_builtin},
    {"str", "x", str_builtin},
};

}  // namespace

std::span<const BuiltinSpec> host_builtins() { return kHostBuiltins; }

}  // namespace nnc
