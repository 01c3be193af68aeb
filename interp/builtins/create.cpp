// Builtins that create tensors: tensor, zeros, ones, full, zeros_like,
// ones_like, arange, eye, rand, randn.
#include <cmath>

#include "interp/builtins/builtins.h"
#include "interp/composites.h"

namespace nnc {

namespace {

std::optional<DType> optional_dtype(BuiltinArgs& a, const char* name) {
    if (a.is_none(name)) return std::nullopt;
    return a.dtype(name);
}

std::vector<int64_t> shape_arg(BuiltinArgs& a, const char* name) {
    std::vector<int64_t> shape = a.ints(name);
    for (int64_t d : shape)
        if (d < 0) a.fail(name, "shape dimensions must be non-negative, got " + shape_str(shape));
    return shape;
}

Value filled(BuiltinArgs& a, std::vector<int64_t> shape, double value, DType t) {
    return a.interp().apply(OpKind::Full, {}, Attrs{{"shape", std::move(shape)}, {"value", value}, {"dtype", t}},
                            a.call_range());
}

// tensor(data, dtype = none): numbers become f32 unless a dtype is given;
// all-bool data becomes bool.
Value tensor_builtin(BuiltinArgs& a) {
    const Value& data = a.value("data");
    if (data.is_tensor()) return a.is_none("dtype") ? data : cast_to(a.interp(), data, a.dtype("dtype"), a.call_range());
    auto hint = optional_dtype(a, "dtype");
    if (!hint) {
        Value probe = a.tensor("data");
        DType t = probe.tensor_type().dtype;
        return cast_to(a.interp(), probe, t == DType::Bool ? t : DType::F32, a.call_range());
    }
    return a.tensor("data", hint);
}

// zeros, ones and full: `value` an int (exact beyond 2^53 for an integer
// dtype) or a float. While tracing, a shape may list the sizes of symbolic
// dimensions (`zeros([B, 16])`).
Value filled_shape(BuiltinArgs& a, AttrValue value, DType t) {
    Attrs attrs{{"value", value}, {"dtype", t}};
    if (std::optional<Interpreter::LentShape> lent = a.interp().lent_shape(a.value("shape"), a.call_range())) {
        attrs.set("shape", lent->entries);
        return a.interp().apply(OpKind::FullLike, std::move(lent->lenders), attrs, a.call_range());
    }
    attrs.set("shape", shape_arg(a, "shape"));
    return a.interp().apply(OpKind::Full, {}, attrs, a.call_range());
}

Value zeros_builtin(BuiltinArgs& a) { return filled_shape(a, 0.0, a.dtype("dtype")); }
Value ones_builtin(BuiltinArgs& a) { return filled_shape(a, 1.0, a.dtype("dtype")); }
Value full_builtin(BuiltinArgs& a) {
    DType t = a.dtype("dtype");
    if (a.value("value").is<int64_t>() && is_integral(t)) return filled_shape(a, a.integer("value"), t);
    return filled_shape(a, a.number("value"), t);
}

Value like(BuiltinArgs& a, double value) {
    Value x = a.tensor("x");
    TensorType t = x.tensor_type();
    DType dt = a.is_none("dtype") ? t.dtype : a.dtype("dtype");
    if (t.fully_known()) return filled(a, t.concrete(), value, dt);
    if (a.interp().mode() != Interpreter::Mode::Trace) return Value(AbstractTensor{{dt, t.dims}});
    // Symbolic dimensions while tracing: the value broadcast to x's shape.
    return a.interp().apply(OpKind::BroadcastLike, {filled(a, {}, value, dt), x}, {}, a.call_range());
}
Value zeros_like_builtin(BuiltinArgs& a) { return like(a, 0); }
Value ones_like_builtin(BuiltinArgs& a) { return like(a, 1); }

// arange(n) or arange(start, stop, step); ints give i32 unless a dtype is
// given (i64 when the range leaves i32), and are kept exact as ints.
Value arange_builtin(BuiltinArgs& a) {
    const bool ints = a.value("start").is<int64_t>() && (a.is_none("stop") || a.value("stop").is<int64_t>()) &&
                      a.value("step").is<int64_t>();
    if (ints) {
        int64_t start = 0, stop = a.integer("start");
        const int64_t step = a.integer("step");
        if (!a.is_none("stop")) start = stop, stop = a.integer("stop");
        if (step == 0) a.fail("step", "step cannot be zero");
        const bool leaves_i32 = !fits_integer(DType::I32, start) || !fits_integer(DType::I32, stop);
        const DType t = !a.is_none("dtype") ? a.dtype("dtype") : leaves_i32 ? DType::I64 : DType::I32;
        return a.interp().apply(OpKind::Arange, {}, Attrs{{"start", start}, {"stop", stop}, {"step", step}, {"dtype", t}},
                                a.call_range());
    }
    double start = 0, stop = a.number("start"), step = a.number("step");
    if (!a.is_none("stop")) start = stop, stop = a.number("stop");
    if (step == 0) a.fail("step", "step cannot be zero");
    const DType t = a.is_none("dtype") ? DType::F32 : a.dtype("dtype");
    return a.interp().apply(OpKind::Arange, {}, Attrs{{"start", start}, {"stop", stop}, {"step", step}, {"dtype", t}},
                            a.call_range());
}

Value eye_builtin(BuiltinArgs& a) {
    int64_t n = a.integer("n");
    if (n < 0) a.fail("n", "size must be non-negative, got " + std::to_string(n));
    return a.interp().apply(OpKind::Eye, {}, Attrs{{"n", n}, {"dtype", a.dtype("dtype")}}, a.call_range());
}

// rand and randn: without a seed, the next of the run's random state (the
// state is an input of a compiled fn, so each call draws anew); while
// tracing, a shape may list the sizes of symbolic dimensions.
Value random(BuiltinArgs& a, OpKind kind) {
    Interpreter& in = a.interp();
    DType t = a.dtype("dtype");
    if (!is_floating(t)) a.fail("dtype", "random tensors must have a floating dtype, not " + std::string(dtype_name(t)));
    std::optional<Interpreter::LentShape> lent = in.lent_shape(a.value("shape"), a.call_range());
    if (!lent) lent = Interpreter::LentShape{shape_arg(a, "shape"), {}};
    Value seed = a.is_none("seed") ? in.next_seed(a.call_range()) : Value(a.integer("seed"));
    return random_tensor(in, kind, lent->entries, std::move(lent->lenders), seed, t, a.call_range());
}
Value rand_builtin(BuiltinArgs& a) { return random(a, OpKind::RandUniform); }
Value randn_builtin(BuiltinArgs& a) { return random(a, OpKind::RandNormal); }

const BuiltinSpec kCreationBuiltins[] = {
    {"tensor", "data, dtype = none", tensor_builtin},
    {"zeros", "shape, dtype = f32", zeros_builtin},
    {"ones", "shape, dtype = f32", ones_builtin},
    {"full", "shape, value, dtype = f32", full_builtin},
    {"zeros_like", "x, dtype = none", zeros_like_builtin},
    {"ones_like", "x, dtype = none", ones_like_builtin},
    {"arange", "start, stop = none, step = 1, dtype = none", arange_builtin},
    {"eye", "n, dtype = f32", eye_builtin},
    {"rand", "shape, seed = none, dtype = f32", rand_builtin, Effect::Random},
    {"randn", "shape, seed = none, dtype = f32", randn_builtin, Effect::Random},
};

}  // namespace

std::span<const BuiltinSpec> creation_builtins() { return kCreationBuiltins; }

}  // namespace nnc
