// Shape builtins: reshape (with one -1), transpose, permute, broadcast_to,
// squeeze, unsqueeze, concat, stack, split, pad, shape.
#include "interp/builtins/builtins.h"
#include "core/checked_size.h"
#include "interp/composites.h"
#include "core/shape_rules.h"

namespace nnc {

namespace {

int64_t axis_arg(BuiltinArgs& a, const char* name, int64_t rank) {
    try {
        return normalize_axis(a.integer(name), rank);
    } catch (const ShapeError& e) {
        a.fail(name, e.what());
    }
}

// While tracing, a shape listing the sizes of symbolic dimensions
// (`reshape(x, [B, 1, 28, 28])`) keeps those dims symbolic when x has them;
// nullopt when it lists none, or the reshape needs them as numbers.
std::optional<Value> symbolic_reshape(BuiltinArgs& a, const Value& x) {
    const std::vector<Value>* items = sequence_elements(a.value("shape"));
    if (a.interp().mode() != Interpreter::Mode::Trace || !items) return std::nullopt;
    std::vector<Dim> dims;
    bool any = false;
    for (const Value& v : *items) {
        if (v.is<int64_t>() && v.as<int64_t>() >= 0) {
            dims.push_back(Dim::known(v.as<int64_t>()));
            continue;
        }
        const ir::Op* def = is_symbolic_size(v) ? v.as<UnknownValue>().size->defining_op() : nullptr;
        if (!def || def->kind != OpKind::DimSize) return std::nullopt;   // -1, a computed size: the int path
        const TensorType& lender = def->operands[0]->type();
        const Dim d = lender.dims[static_cast<size_t>(normalize_axis(def->attrs.get_int("axis"), lender.rank()))];
        if (!d.is_symbol()) return std::nullopt;
        dims.push_back(d);
        any = true;
    }
    if (!any || !reshape_attr(x.tensor_type(), dims)) return std::nullopt;
    return reshape_to(a.interp(), x, dims, a.call_range());
}

Value reshape_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    if (std::optional<Value> kept = symbolic_reshape(a, x)) return *kept;
    TensorType t = x.tensor_type();
    std::vector<int64_t> shape = a.ints("shape");
    int64_t inferred = -1;
    std::vector<int64_t> given;   // the sizes other than -1
    for (size_t i = 0; i < shape.size(); ++i) {
        if (shape[i] == -1) {
            if (inferred >= 0) a.fail("shape", "only one dimension can be -1, got " + shape_str(shape));
            inferred = static_cast<int64_t>(i);
        } else if (shape[i] < 0) {
            a.fail("shape", "dimensions must be non-negative or -1, got " + shape_str(shape));
        } else {
            given.push_back(shape[i]);
        }
    }
    const std::optional<int64_t> product = checked_product(given);
    if (!product) a.fail("shape", "the size of " + shape_str(shape) + " overflows 64 bits");
    const int64_t known_product = *product;
    std::vector<Dim> dims;
    for (int64_t d : shape) dims.push_back(Dim::known(d));
    if (inferred >= 0) {
        if (!t.fully_known()) {
            dims[inferred] = Dim::any();
        } else {
            int64_t total = checked_numel(t.concrete());
            if (known_product == 0 || total % known_product != 0)
                a.fail("shape", "cannot reshape " + t.str() + " (" + std::to_string(total) + " elements) to " +
                                    shape_str(shape));
            dims[inferred] = Dim::known(total / known_product);
        }
    }
    return reshape_to(a.interp(), x, dims, a.call_range());
}

// permute(x, dims): like NumPy's transpose and PyTorch's permute, an entry
// of `dims` may be negative (counting from the last dimension).
Value permute_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    const int64_t rank = x.tensor_type().rank();
    std::vector<int64_t> perm = a.ints("dims");
    for (int64_t& d : perm)
        if (d < 0 && d >= -rank) d += rank;
    return a.interp().apply(OpKind::Permute, {x}, Attrs{{"perm", perm}}, a.call_range());
}

// transpose(x) reverses all dimensions; transpose(x, i, j) swaps two.
Value transpose_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    int64_t rank = x.tensor_type().rank();
    std::vector<int64_t> perm;
    for (int64_t i = 0; i < rank; ++i) perm.push_back(i);
    if (a.is_none("axis0") != a.is_none("axis1")) a.fail("axis1", "give both axes to swap, or none to reverse all");
    if (a.is_none("axis0")) std::reverse(perm.begin(), perm.end());
    else std::swap(perm[axis_arg(a, "axis0", rank)], perm[axis_arg(a, "axis1", rank)]);
    return a.interp().apply(OpKind::Permute, {x}, Attrs{{"perm", perm}}, a.call_range());
}

Value broadcast_to_builtin(BuiltinArgs& a) {
    return a.interp().apply(OpKind::BroadcastTo, {a.tensor("x")}, Attrs{{"shape", a.ints("shape")}}, a.call_range());
}

Value squeeze_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    TensorType t = x.tensor_type();
    std::vector<Dim> dims;
    if (a.is_none("axis")) {
        for (const Dim& d : t.dims)
            if (!(d.is_known() && d.value() == 1)) dims.push_back(d);
    } else {
        int64_t axis = axis_arg(a, "axis", t.rank());
        if (t.dims[axis].is_known() && t.dims[axis].value() != 1)
            a.fail("axis", "cannot squeeze dimension " + std::to_string(axis) + " of " + t.str() + ": its size is not 1");
        dims = t.dims;
        dims.erase(dims.begin() + axis);
    }
    return reshape_to(a.interp(), x, dims, a.call_range());
}

Value unsqueeze_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    TensorType t = x.tensor_type();
    int64_t axis = axis_arg(a, "axis", t.rank() + 1);
    std::vector<Dim> dims = t.dims;
    dims.insert(dims.begin() + axis, Dim::known(1));
    return reshape_to(a.interp(), x, dims, a.call_range());
}

std::vector<Value> tensor_list(BuiltinArgs& a, const char* name) {
    const Value& v = a.value(name);
    if (v.is_unknown()) throw UnknownArgument{};   // checking: a list whose length only running knows
    const std::vector<Value>* items = sequence_elements(v);
    if (!items) a.fail(name, "`" + std::string(name) + "` must be a list of tensors, not " + type_name(v));
    if (items->empty()) a.fail(name, "needs at least one tensor");
    std::vector<Value> out;
    for (const Value& x : *items) {
        if (x.is_unknown()) throw UnknownArgument{};
        out.push_back(a.interp().to_tensor(x, std::nullopt, a.range(name)));
    }
    return out;
}

Value concat_builtin(BuiltinArgs& a) {
    return a.interp().apply(OpKind::Concat, tensor_list(a, "xs"), Attrs{{"axis", a.integer("axis")}}, a.call_range());
}

Value stack_builtin(BuiltinArgs& a) {
    std::vector<Value> xs = tensor_list(a, "xs");
    int64_t axis = axis_arg(a, "axis", xs[0].tensor_type().rank() + 1);
    // Every tensor must have the first one's shape (dims not known while
    // checking are assumed to agree).
    const TensorType first = xs[0].tensor_type();
    for (const Value& x : xs) {
        TensorType t = x.tensor_type();
        bool same = t.rank() == first.rank();
        for (int64_t d = 0; same && d < t.rank(); ++d)
            same = !t.dims[d].is_known() || !first.dims[d].is_known() || t.dims[d].value() == first.dims[d].value();
        if (!same) a.fail("xs", "tensors to stack must have the same shape, got " + first.str() + " and " + t.str());
    }
    for (Value& x : xs) {
        std::vector<Dim> dims = x.tensor_type().dims;
        dims.insert(dims.begin() + axis, Dim::known(1));
        x = reshape_to(a.interp(), x, dims, a.call_range());
    }
    return a.interp().apply(OpKind::Concat, xs, Attrs{{"axis", axis}}, a.call_range());
}

// split(x, sizes, axis = 0): an int splits into chunks of that size (the
// last may be smaller); a list gives each chunk's size. Returns a tuple.
Value split_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    TensorType t = x.tensor_type();
    int64_t axis = axis_arg(a, "axis", t.rank());
    if (!t.dims[axis].is_known()) throw UnknownArgument{};
    int64_t n = t.dims[axis].value();
    std::vector<int64_t> sizes;
    if (a.value("sizes").is<int64_t>()) {
        int64_t chunk = a.integer("sizes");
        if (chunk <= 0) a.fail("sizes", "chunk size must be positive, got " + std::to_string(chunk));
        for (int64_t at = 0; at < n; at += chunk) sizes.push_back(std::min(chunk, n - at));
    } else {
        sizes = a.ints("sizes");
        int64_t total = 0;
        for (int64_t s : sizes) {
            if (s < 0) a.fail("sizes", "sizes must be non-negative, got " + shape_str(sizes));
            total += s;
        }
        if (total != n)
            a.fail("sizes", "sizes " + shape_str(sizes) + " add up to " + std::to_string(total) + ", but dimension " +
                                std::to_string(axis) + " of " + t.str() + " is " + std::to_string(n));
    }
    std::vector<Value> parts;
    int64_t at = 0;
    for (int64_t s : sizes) {
        std::vector<int64_t> starts(t.rank(), 0), stops, steps(t.rank(), 1);
        for (const Dim& d : t.dims) stops.push_back(d.is_known() ? d.value() : 0);
        if (!t.fully_known()) throw UnknownArgument{};
        starts[axis] = at, stops[axis] = at + s;
        parts.push_back(a.interp().apply(OpKind::Slice, {x}, Attrs{{"starts", starts}, {"stops", stops}, {"steps", steps}},
                                         a.call_range()));
        at += s;
    }
    return make_tuple(std::move(parts));
}

// pad(x, pads, value = 0): pads is [before, after] per dimension, nested
// ([[1, 1], [2, 2]]) or flat ([1, 1, 2, 2]); fewer pairs than dimensions pad
// the last dimensions.
Value pad_builtin(BuiltinArgs& a) {
    Value x = a.tensor("x");
    int64_t rank = x.tensor_type().rank();
    std::vector<int64_t> flat;
    const Value& p = a.value("pads");
    const std::vector<Value>* items = sequence_elements(p);
    bool nested = items && !items->empty() && !(*items)[0].is<int64_t>();
    if (nested) {
        for (const Value& pair : *items) {
            const std::vector<Value>* pv = sequence_elements(pair);
            if (!pv || pv->size() != 2 || !(*pv)[0].is<int64_t>() || !(*pv)[1].is<int64_t>())
                a.fail("pads", "each entry must be a [before, after] pair of ints");
            flat.push_back((*pv)[0].as<int64_t>());
            flat.push_back((*pv)[1].as<int64_t>());
        }
    } else {
        flat = a.ints("pads");
    }
    if (flat.size() % 2 != 0 || static_cast<int64_t>(flat.size()) > 2 * rank)
        a.fail("pads", "expected at most " + std::to_string(rank) + " [before, after] pairs");
    for (int64_t v : flat)
        if (v < 0) a.fail("pads", "padding must be non-negative");
    std::vector<int64_t> pads(2 * rank - flat.size(), 0);
    pads.insert(pads.end(), flat.begin(), flat.end());
    return a.interp().apply(OpKind::Pad, {x}, Attrs{{"pads", pads}, {"value", a.number("value")}}, a.call_range());
}

Value shape_builtin(BuiltinArgs& a) {
    const Value x = a.tensor("x");
    std::vector<Value> dims;
    for (int64_t d = 0; d < x.tensor_type().rank(); ++d) dims.push_back(a.interp().dim_size(x, d, a.call_range()));
    return make_tuple(std::move(dims));
}

const BuiltinSpec kShapeBuiltins[] = {
    {"reshape", "x, shape", reshape_builtin},
    {"transpose", "x, axis0 = none, axis1 = none", transpose_builtin},
    {"permute", "x, dims", permute_builtin},
    {"broadcast_to", "x, shape", broadcast_to_builtin},
    {"squeeze", "x, axis = none", squeeze_builtin},
    {"unsqueeze", "x, axis", unsqueeze_builtin},
    {"concat", "xs, axis = 0", concat_builtin},
    {"stack", "xs, axis = 0", stack_builtin},
    {"split", "x, sizes, axis = 0", split_builtin},
    {"pad", "x, pads, value = 0", pad_builtin},
    {"shape", "x", shape_builtin},
};

}  // namespace

std::span<const BuiltinSpec> shape_builtins() { return kShapeBuiltins; }

}  // namespace nnc
