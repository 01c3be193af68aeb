// Neural-network builtins: matmul, conv2d, max_pool2d, avg_pool2d,
// softmax, log_softmax, dropout, gather, take, one_hot.
#include "interp/builtins/builtins.h"
#include "interp/composites.h"

namespace nnc {

namespace {

// An int or an [h, w] pair, as conv and pooling take them.
std::vector<int64_t> pair_arg(BuiltinArgs& a, const char* name, int64_t minimum) {
    std::vector<int64_t> v = a.ints(name);
    if (v.size() == 1) v.push_back(v[0]);
    if (v.size() != 2) a.fail(name, "`" + std::string(name) + "` must be an int or an [h, w] pair");
    for (int64_t x : v)
        if (x < minimum) a.fail(name, "`" + std::string(name) + "` must be at least " + std::to_string(minimum));
    return v;
}

Value matmul_builtin(BuiltinArgs& a) {
    return a.interp().apply(OpKind::MatMul, {a.tensor("a"), a.tensor("b")}, {}, a.call_range());
}

Value conv2d_builtin(BuiltinArgs& a) {
    Attrs attrs{{"stride", pair_arg(a, "stride", 1)}, {"padding", pair_arg(a, "padding", 0)}};
    return a.interp().apply(OpKind::Conv2d, {a.tensor("x"), a.tensor("w")}, attrs, a.call_range());
}

template <OpKind K> Value pool_builtin(BuiltinArgs& a) {
    std::vector<int64_t> kernel = pair_arg(a, "kernel", 1);
    std::vector<int64_t> stride = a.is_none("stride") ? kernel : pair_arg(a, "stride", 1);
    Attrs attrs{{"kernel", kernel}, {"stride", stride}, {"padding", pair_arg(a, "padding", 0)}};
    return a.interp().apply(K, {a.tensor("x")}, attrs, a.call_range());
}

template <OpKind K> Value softmax_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    if (!is_floating(x.tensor_type().dtype)) x = cast_to(a.interp(), x, DType::F32, a.range("x"));
    return a.interp().apply(K, {x}, Attrs{{"axis", a.integer("axis")}}, a.call_range());
}

// dropout(x, p, seed): zeroes each element with probability p and scales
// the rest by 1 / (1 - p); `train = false` returns x unchanged.
Value dropout_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    double p = a.number("p");
    if (p < 0 || p >= 1) a.fail("p", "the drop probability must be in [0, 1), got " + display(Value(p)));
    if (!a.boolean("train") || p == 0) return x;
    Interpreter& in = a.interp();
    SourceRange r = a.call_range();
    TensorType t = x.tensor_type();
    Value seed = a.is_none("seed") ? in.next_seed(r) : Value(a.integer("seed"));
    // The mask has x's shape: x lends its dims when they are not all known.
    std::vector<int64_t> shape;
    std::vector<Value> lenders;
    if (t.fully_known()) {
        shape = t.concrete();
    } else {
        for (int64_t d = 0; d < t.rank(); ++d) shape.push_back(-1 - d);
        lenders.push_back(x);
    }
    Value u = random_tensor(in, OpKind::RandUniform, shape, std::move(lenders), seed, t.dtype, r);
    Value keep = in.elementwise(OpKind::Ge, u, Value(p), r);
    Value scaled = in.elementwise(OpKind::Mul, x, Value(1.0 / (1.0 - p)), r);
    return in.apply(OpKind::Where, {keep, scaled, scalar_like(in, 0, t.dtype, r)}, {}, r);
}

Value gather_builtin(BuiltinArgs& a) {
    return a.interp().apply(OpKind::Gather, {a.tensor("x"), a.tensor("index")}, Attrs{{"axis", a.integer("axis")}},
                            a.call_range());
}

Value take_builtin(BuiltinArgs& a) {
    return a.interp().apply(OpKind::Take, {a.tensor("x"), a.tensor("index")}, Attrs{{"axis", a.integer("axis")}},
                            a.call_range());
}

Value one_hot_builtin(BuiltinArgs& a) {
    int64_t depth = a.integer("depth");
    if (depth <= 0) a.fail("depth", "depth must be positive, got " + std::to_string(depth));
    return a.interp().apply(OpKind::OneHot, {a.tensor("index")}, Attrs{{"depth", depth}, {"dtype", a.dtype("dtype")}},
                            a.call_range());
}

const BuiltinSpec kNnBuiltins[] = {
    {"matmul", "a, b", matmul_builtin},
    {"conv2d", "x, w, stride = 1, padding = 0", conv2d_builtin},
    {"max_pool2d", "x, kernel, stride = none, padding = 0", pool_builtin<OpKind::MaxPool2d>},
    {"avg_pool2d", "x, kernel, stride = none, padding = 0", pool_builtin<OpKind::AvgPool2d>},
    {"softmax", "x, axis = -1", softmax_builtin<OpKind::Softmax>},
    {"log_softmax", "x, axis = -1", softmax_builtin<OpKind::LogSoftmax>},
    {"dropout", "x, p = 0.5, seed = none, train = true", dropout_builtin, Effect::Random},
    {"gather", "x, index, axis", gather_builtin},
    {"take", "x, index, axis = 0", take_builtin},
    {"one_hot", "index, depth, dtype = f32", one_hot_builtin},
};

}  // namespace

std::span<const BuiltinSpec> nn_builtins() { return kNnBuiltins; }

}  // namespace nnc
