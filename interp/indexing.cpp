// Subscripts: `xs[i]` on lists and tuples, and NumPy-style basic indexing on
// tensors (`x[0]`, `x[:, 1:3]`, `x[..., -1]`, `x[::2]`, and an integer tensor
// index along one axis). A tensor subscript lowers to primitives: Slice,
// then Reshape to drop the dimensions indexed by a single integer, or Take.
#include <algorithm>
#include <cstring>

#include "interp/interpreter.h"
#include "core/shape_rules.h"

namespace nnc {

using namespace ast;

namespace {

// A Python slice of a dimension of size n, normalised.
struct SliceBounds {
    int64_t start, stop, step, length;
};

SliceBounds normalize_slice(std::optional<int64_t> start, std::optional<int64_t> stop, int64_t step, int64_t n) {
    SliceBounds b{0, 0, step, 0};
    if (step > 0) {
        auto fix = [n](int64_t i) { return std::clamp(i < 0 ? i + n : i, int64_t{0}, n); };
        b.start = start ? fix(*start) : 0;
        b.stop = stop ? fix(*stop) : n;
        b.length = b.stop > b.start ? (b.stop - b.start + step - 1) / step : 0;
    } else {
        auto fix = [n](int64_t i) { return std::clamp(i < 0 ? i + n : i, int64_t{-1}, n - 1); };
        b.start = start ? fix(*start) : n - 1;
        b.stop = stop ? fix(*stop) : -1;
        b.length = b.start > b.stop ? (b.start - b.stop - step - 1) / -step : 0;
    }
    return b;
}

// Whether a slice of x (by starts and steps, giving `shape`) takes a run of
// whole entries of its first dimension, which is contiguous in x.
bool is_leading_range(const Shape& x, const std::vector<int64_t>& starts, const std::vector<int64_t>& steps,
                      const std::vector<int64_t>& shape) {
    if (x.empty() || shape.size() != x.size() || steps[0] != 1) return false;
    for (size_t d = 1; d < x.size(); ++d)
        if (starts[d] != 0 || steps[d] != 1 || shape[d] != x[d]) return false;
    return true;
}

}  // namespace

Value Interpreter::index_tensor_row(const Tensor& t, int64_t i) {
    Shape row(t.shape().begin() + 1, t.shape().end());
    int64_t n = checked_numel(row);
    Tensor out = Tensor::empty(t.dtype(), row);
    std::memcpy(out.raw(), static_cast<const std::byte*>(t.raw()) + i * n * dtype_size(t.dtype()),
                n * dtype_size(t.dtype()));
    return Value(std::move(out));
}

Value Interpreter::index(const Value& base, const Index& e, const std::shared_ptr<Scope>& scope) {
    // Evaluate every subscript first.
    struct Item {
        IndexItem::Kind kind;
        Value index, start, stop, step;
        SourceRange range;
    };
    std::vector<Item> items;
    for (const auto& it : e.items) {
        Item x{it.kind, {}, {}, {}, {}, it.range};
        if (it.index) x.index = size_tensor(eval(*it.index, scope));   // `x[:, T - 1]`
        if (it.start) x.start = eval(*it.start, scope);
        if (it.stop) x.stop = eval(*it.stop, scope);
        if (it.step) x.step = eval(*it.step, scope);
        items.push_back(std::move(x));
    }
    if (base.is_unknown()) return base;

    auto int_of = [](const Value& v, SourceRange r, const char* what) -> std::optional<int64_t> {
        if (v.is_none() || v.is_unknown()) return std::nullopt;
        if (!v.is<int64_t>()) throw CompileError(r, std::string(what) + " must be an int, not " + type_name(v));
        return v.as<int64_t>();
    };

    // Lists and tuples: one integer or one slice.
    const std::vector<Value>* seq = nullptr;
    if (auto* l = base.object<ListObject>()) seq = &l->elements;
    if (auto* t = base.object<TupleObject>()) seq = &t->elements;
    if (seq) {
        if (items.size() != 1 || items[0].kind == IndexItem::Ellipsis)
            throw CompileError(e.range, "a " + type_name(base) + " takes one subscript");
        int64_t n = static_cast<int64_t>(seq->size());
        for (const Value* part : {&items[0].index, &items[0].start, &items[0].stop, &items[0].step})
            if (mode_ == Mode::Trace && part->is<AbstractTensor>())
                throw TraceFailure{items[0].range, "a list indexed by a value computed in the fn"};
        if (items[0].kind == IndexItem::Single) {
            if (items[0].index.is_unknown()) return Value(UnknownValue{});
            int64_t k = *int_of(items[0].index, items[0].range, "index");
            if (k < -n || k >= n)
                throw CompileError(items[0].range,
                                   "index " + std::to_string(k) + " out of range for length " + std::to_string(n));
            return (*seq)[k < 0 ? k + n : k];
        }
        int64_t step = int_of(items[0].step, items[0].range, "slice step").value_or(1);
        if (step == 0) throw CompileError(items[0].range, "slice step cannot be zero");
        auto b = normalize_slice(int_of(items[0].start, items[0].range, "slice start"),
                                 int_of(items[0].stop, items[0].range, "slice stop"), step, n);
        std::vector<Value> out;
        for (int64_t i = 0, k = b.start; i < b.length; ++i, k += step) out.push_back((*seq)[k]);
        return base.object<TupleObject>() ? make_tuple(std::move(out)) : make_list(std::move(out));
    }

    if (!base.is_tensor()) throw CompileError(e.range, "a value of type " + type_name(base) + " cannot be indexed");
    TensorType type = base.tensor_type();

    // Expand `...` into full slices.
    int64_t explicit_dims = 0, ellipses = 0;
    for (const auto& x : items) {
        if (x.kind == IndexItem::Ellipsis) ++ellipses;
        else ++explicit_dims;
    }
    if (ellipses > 1) throw CompileError(e.range, "an index can contain at most one `...`");
    if (explicit_dims > type.rank())
        throw CompileError(e.range, "too many indices (" + std::to_string(explicit_dims) + ") for a tensor of type " +
                                        type.str());
    std::vector<Item> full;
    for (auto& x : items) {
        if (x.kind == IndexItem::Ellipsis)
            for (int64_t k = 0; k < type.rank() - explicit_dims; ++k) full.push_back({IndexItem::Slice, {}, {}, {}, {}, x.range});
        else full.push_back(x);
    }
    while (static_cast<int64_t>(full.size()) < type.rank()) full.push_back({IndexItem::Slice, {}, {}, {}, {}, e.range});

    // A single integer-tensor subscript selects along its axis with Take.
    for (size_t axis = 0; axis < full.size(); ++axis) {
        if (full[axis].kind != IndexItem::Single || !full[axis].index.is_tensor()) continue;
        for (size_t other = 0; other < full.size(); ++other)
            if (other != axis && (full[other].kind != IndexItem::Slice || !full[other].start.is_none() ||
                                  !full[other].stop.is_none() || !full[other].step.is_none()))
                throw CompileError(e.range, "a tensor subscript can only be combined with `:` in the other dimensions");
        return apply(OpKind::Take, {base, full[axis].index}, Attrs{{"axis", int64_t(axis)}}, full[axis].range);
    }

    // Bounds per dim. A symbolic dim takes a whole slice (to its end,
    // whatever its size) and non-negative known bounds (checked when the
    // IR runs); bounds relative to its end are known only per shape.
    std::vector<int64_t> starts, stops, steps;
    std::vector<Dim> result_dims;
    bool exact = true;   // every bound expressible: lower to Slice + Reshape
    for (size_t d = 0; d < full.size(); ++d) {
        const Item& x = full[d];
        const Dim& dim = type.dims[d];
        if (x.kind == IndexItem::Single) {
            auto k = int_of(x.index, x.range, "index");
            if (!k || (!dim.is_known() && *k < 0)) {
                exact = false;
                starts.push_back(0), stops.push_back(1), steps.push_back(1);
                continue;
            }
            if (dim.is_known() && (*k < -dim.value() || *k >= dim.value()))
                throw CompileError(x.range, "index " + std::to_string(*k) + " out of range for dimension " + std::to_string(d) +
                                                " of size " + std::to_string(dim.value()) + " in " + type.str());
            int64_t i = *k < 0 ? *k + dim.value() : *k;
            starts.push_back(i), stops.push_back(i + 1), steps.push_back(1);
            continue;
        }
        auto step_v = int_of(x.step, x.range, "slice step");
        int64_t step = step_v.value_or(1);
        if (step == 0) throw CompileError(x.range, "slice step cannot be zero");
        bool whole = x.start.is_none() && x.stop.is_none() && step == 1;
        auto start = int_of(x.start, x.range, "slice start"), stop = int_of(x.stop, x.range, "slice stop");
        bool unknown_bound = (!x.start.is_none() && !start) || (!x.stop.is_none() && !stop) || (!x.step.is_none() && !step_v);
        if (whole) {
            result_dims.push_back(dim);
            starts.push_back(0), stops.push_back(dim.is_known() ? dim.value() : kSliceToEnd), steps.push_back(1);
            continue;
        }
        const bool from_start = step > 0 && start.value_or(0) >= 0 && stop && *stop >= start.value_or(0) && *stop < kSliceToEnd;
        if (unknown_bound || (!dim.is_known() && !from_start)) {
            exact = false;
            result_dims.push_back(Dim::any());
            starts.push_back(0), stops.push_back(0), steps.push_back(1);
            continue;
        }
        if (!dim.is_known()) {   // the IR checks the bounds against the size when it runs
            const int64_t first = start.value_or(0);
            result_dims.push_back(Dim::known((*stop - first + step - 1) / step));
            starts.push_back(first), stops.push_back(*stop), steps.push_back(step);
            continue;
        }
        auto b = normalize_slice(start, stop, step, dim.value());
        result_dims.push_back(Dim::known(b.length));
        starts.push_back(b.start), stops.push_back(b.stop), steps.push_back(b.step);
    }
    if (!exact) {
        if (mode_ == Mode::Eager) throw CompileError(e.range, "index value is not known");
        if (mode_ == Mode::Trace)
            throw TraceFailure{e.range, "this index into " + type.str() +
                                            " needs the size of a symbolic dimension (it counts from the end, or a bound depends on a size)"};
        return Value(AbstractTensor{{type.dtype, result_dims}});
    }
    // Eagerly, whole entries of the first dimension (`x[a:b]`) are a view of
    // x's storage, not a copy (tensors are values: no one sees the
    // difference): the mini-batches of a dataset cost nothing.
    if (mode_ == Mode::Eager && base.is<Tensor>()) {
        std::vector<int64_t> shape;
        for (const Dim& d : result_dims) shape.push_back(d.value());
        if (is_leading_range(base.as<Tensor>().shape(), starts, steps, shape))
            return Value(base.as<Tensor>().leading_range(starts[0], starts[0] + shape[0]));
    }
    Value sliced = apply(OpKind::Slice, {base}, Attrs{{"starts", starts}, {"stops", stops}, {"steps", steps}}, e.range);
    if (static_cast<int64_t>(result_dims.size()) == type.rank()) return sliced;
    // Drop the dims indexed by an integer.
    std::optional<std::vector<int64_t>> shape = reshape_attr(sliced.tensor_type(), result_dims);
    if (!shape) {   // a dim of unknown size (`_`), not a named one
        if (mode_ == Mode::Trace) throw TraceFailure{e.range, "indexing " + type.str() + " drops a dim next to one of unknown size"};
        return Value(AbstractTensor{{type.dtype, result_dims}});
    }
    return apply(OpKind::Reshape, {sliced}, Attrs{{"shape", *shape}}, e.range);
}

}  // namespace nnc
