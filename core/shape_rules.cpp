// Shape and dtype rules of every primitive in ops.def, grouped by op family.
// Dims may be known, symbolic or unknown; each rule keeps as much as it can
// prove and reports a ShapeError only for a certain mismatch.
#include "core/shape_rules.h"

#include "core/checked_size.h"
#include "core/shape_rule_helpers.h"
#include "support/error.h"

#include <algorithm>
#include <cmath>
#include <optional>

namespace nnc {

namespace rules {

[[noreturn]] void fail(OpKind kind, const std::string& message) {
    throw ShapeError(std::string(user_op_name(kind)) + ": " + message);
}

std::string dims_str(const std::vector<Dim>& dims) {
    std::string s = "[";
    for (size_t i = 0; i < dims.size(); ++i) s += (i ? ", " : "") + dims[i].str();
    return s + "]";
}

// A size computed by checked arithmetic; `what` names the shape for the
// error when the computation overflowed.
int64_t size_or_fail(OpKind kind, std::optional<int64_t> size, const std::string& what) {
    if (!size) fail(kind, "the size of " + what + " overflows 64 bits");
    return *size;
}

// --- dims ------------------------------------------------------------------

// NumPy broadcast of one pair of dims; nullopt when they certainly differ.
std::optional<Dim> broadcast_dim(const Dim& a, const Dim& b) {
    if (a.is_known() && a.value() == 1) return b;
    if (b.is_known() && b.value() == 1) return a;
    if (a.is_known() && b.is_known()) return a.value() == b.value() ? std::optional(a) : std::nullopt;
    if (a.is_known()) return a;   // n > 1 against a symbol or `_`: must be n
    if (b.is_known()) return b;
    if (a.is_symbol() && a == b) return a;
    return Dim::any();            // two different symbols, or `_`: either may be 1
}

std::optional<std::vector<Dim>> try_broadcast(const std::vector<Dim>& a, const std::vector<Dim>& b) {
    const size_t rank = std::max(a.size(), b.size());
    std::vector<Dim> out(rank, Dim::known(1));
    for (size_t i = 0; i < rank; ++i) {
        const Dim& da = i < rank - a.size() ? Dim::known(1) : a[i - (rank - a.size())];
        const Dim& db = i < rank - b.size() ? Dim::known(1) : b[i - (rank - b.size())];
        std::optional<Dim> d = broadcast_dim(da, db);
        if (!d) return std::nullopt;
        out[i] = *d;
    }
    return out;
}

// Dims that certainly differ (both known and unequal).
bool differ(const Dim& a, const Dim& b) { return a.is_known() && b.is_known() && a.value() != b.value(); }

std::vector<Dim> dims_from_attr(OpKind kind, const std::vector<int64_t>& shape) {
    std::vector<Dim> dims;
    for (int64_t n : shape) {
        if (n < 0) fail(kind, "negative dimension in shape " + shape_str(shape));
        dims.push_back(Dim::known(n));
    }
    return dims;
}

int64_t axis_of(OpKind kind, int64_t axis, const TensorType& t) {
    if (axis < -t.rank() || axis >= t.rank())
        fail(kind, "axis " + std::to_string(axis) + " is out of range for " + t.str());
    return axis < 0 ? axis + t.rank() : axis;
}

void check_arity(OpKind kind, std::span<const TensorType> operands) {
    const int arity = op_arity(kind);
    if (arity >= 0 && static_cast<int>(operands.size()) != arity)
        fail(kind, "expects " + std::to_string(arity) + " operands, got " + std::to_string(operands.size()));
    if (arity < 0 && operands.empty()) fail(kind, "expects at least one operand");
}

void require_integer_index(OpKind kind, const TensorType& index) {
    if (!is_integral(index.dtype)) fail(kind, "index must be an integer tensor, got " + index.str());
}

DType float_or_f32(DType t) { return is_floating(t) ? t : DType::F32; }

// `got` must have the dims of `want` wherever both are known.
void require_fitting(OpKind kind, const std::string& what, const TensorType& got, const std::vector<Dim>& want) {
    bool valid = got.rank() == static_cast<int64_t>(want.size());
    for (size_t d = 0; valid && d < want.size(); ++d) valid = !differ(got.dims[d], want[d]);
    if (!valid) fail(kind, what + " " + got.str() + " does not fit the expected shape " + dims_str(want));
}

}  // namespace rules

namespace {

using namespace rules;

// --- creation ----------------------------------------------------------------

// Length of an arange over int bounds; every value must fit `dtype`.
int64_t int_range_length(OpKind kind, const Attrs& attrs, DType dtype) {
    const int64_t start = attrs.get_int("start"), stop = attrs.get_int("stop"), step = attrs.get_int("step");
    const std::string range = std::to_string(start) + " to " + std::to_string(stop) + " by " + std::to_string(step);
    if (step == 0) fail(kind, "step must not be zero");
    const uint64_t length = range_length(start, stop, step);
    if (length > static_cast<uint64_t>(INT64_MAX))
        fail(kind, "the range " + range + " has " + std::to_string(length) + " elements, more than fit in 64 bits");
    if (length > 0 && is_integral(dtype)) {
        const int64_t last = static_cast<int64_t>(static_cast<uint64_t>(start) + (length - 1) * static_cast<uint64_t>(step));
        for (int64_t v : {start, last})
            if (!fits_integer(dtype, v))
                fail(kind, "the range " + range + " reaches " + std::to_string(v) + ", which does not fit " +
                               std::string(dtype_name(dtype)));
    }
    return static_cast<int64_t>(length);
}

TensorType creation(OpKind kind, const Attrs& attrs) {
    const DType dtype = attrs.get_dtype("dtype", DType::F32);
    switch (kind) {
    case OpKind::Constant:
        internal_error("the type of a constant is its payload's type");
    case OpKind::Full:
        return {dtype, dims_from_attr(kind, attrs.get_ints("shape"))};
    case OpKind::Arange: {
        if (attrs.is_int("start") && attrs.is_int("stop") && attrs.is_int("step"))   // exact for any int64 bounds
            return {dtype, {Dim::known(int_range_length(kind, attrs, dtype))}};
        const double start = attrs.get_double("start"), stop = attrs.get_double("stop");
        const double step = attrs.get_double("step");
        if (step == 0) fail(kind, "step must not be zero");
        const double length = std::ceil((stop - start) / step);
        if (!std::isfinite(length)) fail(kind, "the range has no finite length");
        if (length >= 0x1p62) fail(kind, "the range has " + std::to_string(length) + " elements, too many for a tensor");
        return {dtype, {Dim::known(std::max<int64_t>(0, static_cast<int64_t>(length)))}};
    }
    case OpKind::Eye: {
        const int64_t n = attrs.get_int("n");
        if (n < 0) fail(kind, "size " + std::to_string(n) + " is negative");
        return {dtype, {Dim::known(n), Dim::known(n)}};
    }
    default:
        internal_error("not a creation op without operands");
    }
}

// --- elementwise -------------------------------------------------------------

// The elementwise ops with a dtype rule (ops.def): the operands broadcast
// together, the result's dtype by the rule.
TensorType elementwise(OpKind kind, std::span<const TensorType> x, const Attrs& attrs) {
    std::optional<std::vector<Dim>> dims = x[0].dims;
    DType promoted = x[0].dtype;
    for (size_t i = 1; i < x.size(); ++i) {
        if (dims) dims = try_broadcast(*dims, x[i].dims);
        promoted = promote(promoted, x[i].dtype);
    }
    if (!dims) {
        std::string shapes;
        for (size_t i = 0; i < x.size(); ++i) shapes += (i == 0 ? "" : i + 1 == x.size() ? " and " : ", ") + x[i].str();
        fail(kind, "shapes " + shapes + " cannot be broadcast");
    }
    switch (op_dtype_rule(kind)) {
    case DtypeRule::Promote: return {promoted, *dims};
    case DtypeRule::Float: return {float_or_f32(promoted), *dims};
    case DtypeRule::Bool: return {DType::Bool, *dims};
    case DtypeRule::Attr: return {attrs.get_dtype("dtype"), *dims};
    case DtypeRule::Own: break;
    }
    internal_error(std::string(op_name(kind)) + " has no dtype rule");
}

// --- reductions --------------------------------------------------------------

TensorType reduction(OpKind kind, const TensorType& x, const Attrs& attrs) {
    const std::vector<bool> reduced = reduced_axes(kind, x, attrs);
    const bool keepdim = attrs.get_bool("keepdim", false);
    std::vector<Dim> dims;
    for (int64_t i = 0; i < x.rank(); ++i) {
        if (!reduced[i]) dims.push_back(x.dims[i]);
        else if (keepdim) dims.push_back(Dim::known(1));
    }
    // max, min, argmax and argmin have no identity: reducing an empty dim
    // into a non-empty result is an error (as in NumPy and PyTorch).
    const bool extremum = kind == OpKind::ReduceMax || kind == OpKind::ReduceMin || kind == OpKind::ArgMax ||
                          kind == OpKind::ArgMin;
    bool reduces_nothing = false, result_empty = false;
    for (int64_t i = 0; i < x.rank(); ++i) {
        const bool zero = x.dims[i].is_known() && x.dims[i].value() == 0;
        (reduced[i] ? reduces_nothing : result_empty) |= zero;
    }
    if (extremum && reduces_nothing && !result_empty)
        fail(kind, "cannot reduce over an empty dimension of " + x.str());
    switch (kind) {
    // Integer and bool sums widen to i64, as in NumPy (an i8 sum must not wrap).
    case OpKind::ReduceSum: return {is_integral(x.dtype) || x.dtype == DType::Bool ? DType::I64 : x.dtype, dims};
    case OpKind::ReduceMean: return {float_or_f32(x.dtype), dims};
    case OpKind::ArgMax: case OpKind::ArgMin: return {DType::I32, dims};
    default: return {x.dtype, dims};   // ReduceMax, ReduceMin
    }
}

// --- shape and layout --------------------------------------------------------

TensorType reshape(OpKind kind, const TensorType& x, const Attrs& attrs) {
    const std::vector<int64_t>& shape = attrs.get_ints("shape");
    // Entries copying an operand dim name its size; the rest are sizes.
    TensorType out{x.dtype, {}};
    std::vector<bool> copied(x.dims.size(), false);
    std::vector<int64_t> sizes;
    for (int64_t n : shape) {
        if (n >= 0) {
            out.dims.push_back(Dim::known(n));
            sizes.push_back(n);
            continue;
        }
        const int64_t k = -(n + 1);
        if (k >= x.rank() || copied[k])
            fail(kind, "shape " + shape_str(shape) + " copies a dim of " + x.str() + " that it does not have, or one twice");
        copied[k] = true;
        out.dims.push_back(x.dims[k]);
    }
    // The operand's other dims must hold as many elements as the known sizes.
    std::vector<int64_t> rest;
    for (size_t d = 0; d < x.dims.size(); ++d) {
        if (copied[d]) continue;
        if (!x.dims[d].is_known()) return out;   // the sizes are checked when it runs
        rest.push_back(x.dims[d].value());
    }
    const int64_t from = size_or_fail(kind, checked_product(rest), x.str());
    const int64_t to = size_or_fail(kind, checked_product(sizes), shape_str(shape));
    if (from != to)
        fail(kind, "cannot reshape " + x.str() + " (" + std::to_string(from) + " elements) to " +
                       (out.rank() == 0 ? std::string("[]") : out.str().substr(dtype_name(out.dtype).size())) + " (" + std::to_string(to) + " elements)");
    return out;
}

TensorType permute(OpKind kind, const TensorType& x, const Attrs& attrs) {
    const std::vector<int64_t>& perm = attrs.get_ints("perm");
    std::vector<bool> seen(x.rank(), false);
    bool valid = static_cast<int64_t>(perm.size()) == x.rank();
    for (size_t i = 0; valid && i < perm.size(); ++i) {
        valid = perm[i] >= 0 && perm[i] < x.rank() && !seen[perm[i]];
        if (valid) seen[perm[i]] = true;
    }
    if (!valid) fail(kind, shape_str(perm) + " is not a permutation of the dims of " + x.str());
    TensorType out{x.dtype, {}};
    for (int64_t p : perm) out.dims.push_back(x.dims[p]);
    return out;
}

TensorType broadcast_to(OpKind kind, const TensorType& x, const Attrs& attrs) {
    const std::vector<int64_t>& shape = attrs.get_ints("shape");
    std::vector<Dim> target = dims_from_attr(kind, shape);
    bool valid = x.rank() <= static_cast<int64_t>(target.size());
    for (int64_t i = 0; valid && i < x.rank(); ++i) {
        const Dim& from = x.dims[x.rank() - 1 - i];
        const Dim& to = target[target.size() - 1 - i];
        valid = !(from.is_known() && from.value() != 1 && from.value() != to.value());
    }
    if (!valid) fail(kind, "cannot broadcast " + x.str() + " to " + shape_str(shape));
    return {x.dtype, target};
}

TensorType concat(OpKind kind, std::span<const TensorType> xs, const Attrs& attrs) {
    const TensorType& first = xs[0];
    if (first.rank() == 0) fail(kind, "cannot concatenate rank-0 tensors");
    const int64_t axis = axis_of(kind, attrs.get_int("axis"), first);
    TensorType out = first;
    int64_t total = 0;
    bool total_known = true;
    for (const TensorType& x : xs) {
        bool valid = x.rank() == first.rank();
        for (int64_t d = 0; valid && d < x.rank(); ++d) valid = d == axis || !differ(x.dims[d], first.dims[d]);
        if (!valid) fail(kind, "shapes " + first.str() + " and " + x.str() + " differ outside axis " +
                                   std::to_string(axis));
        out.dtype = promote(out.dtype, x.dtype);
        total_known = total_known && x.dims[axis].is_known();
        if (total_known) total = size_or_fail(kind, checked_add(total, x.dims[axis].value()), "the concatenation along axis " + std::to_string(axis));
    }
    if (xs.size() > 1) out.dims[axis] = total_known ? Dim::known(total) : Dim::any();
    return out;
}

TensorType slice(OpKind kind, const TensorType& x, const Attrs& attrs) {
    const std::vector<int64_t>& starts = attrs.get_ints("starts");
    const std::vector<int64_t>& stops = attrs.get_ints("stops");
    const std::vector<int64_t>& steps = attrs.get_ints("steps");
    const size_t rank = x.dims.size();
    if (starts.size() != rank || stops.size() != rank || steps.size() != rank)
        fail(kind, "needs one start, stop and step per dimension of " + x.str());
    TensorType out{x.dtype, {}};
    for (size_t d = 0; d < rank; ++d) {
        const std::string range = std::to_string(starts[d]) + ":" + std::to_string(stops[d]) + ":" +
                                  std::to_string(steps[d]);
        if (steps[d] == 0) fail(kind, "step of " + range + " is zero");
        const Dim& n = x.dims[d];
        if (starts[d] == 0 && stops[d] == kSliceToEnd && steps[d] == 1) {   // the whole dim
            out.dims.push_back(n);
            continue;
        }
        const uint64_t length = range_length(starts[d], stops[d], steps[d]);
        // The last index, in unsigned arithmetic: a slice within a known dim
        // has a last index that fits; one that wraps is out of range anyway.
        const auto last = static_cast<int64_t>(static_cast<uint64_t>(starts[d]) +
                                               (length - 1) * static_cast<uint64_t>(steps[d]));
        const bool beyond = length > static_cast<uint64_t>(INT64_MAX) ||
                            (n.is_known() && length > 0 && (starts[d] < 0 || starts[d] >= n.value() || last < 0 ||
                                                           last >= n.value() || length > static_cast<uint64_t>(n.value())));
        if (beyond) fail(kind, range + " is out of range for dim " + std::to_string(d) + " of " + x.str());
        out.dims.push_back(Dim::known(static_cast<int64_t>(length)));
    }
    return out;
}

TensorType pad(OpKind kind, const TensorType& x, const Attrs& attrs) {
    const std::vector<int64_t>& pads = attrs.get_ints("pads");
    if (static_cast<int64_t>(pads.size()) != 2 * x.rank())
        fail(kind, "needs a before and after amount per dimension of " + x.str() + ", got " + shape_str(pads));
    TensorType out{x.dtype, {}};
    for (int64_t d = 0; d < x.rank(); ++d) {
        const int64_t before = pads[2 * d], after = pads[2 * d + 1];
        if (before < 0 || after < 0) fail(kind, "negative padding " + shape_str(pads));
        const Dim& n = x.dims[d];
        const std::string what = "dim " + std::to_string(d) + " of " + x.str() + " padded by " + shape_str(pads);
        const int64_t amount = size_or_fail(kind, checked_add(before, after), what);
        if (!n.is_known()) {
            out.dims.push_back(amount == 0 ? n : Dim::any());
            continue;
        }
        out.dims.push_back(Dim::known(size_or_fail(kind, checked_add(n.value(), amount), what)));
    }
    return out;
}

// --- indexing ----------------------------------------------------------------

TensorType gather(OpKind kind, const TensorType& x, const TensorType& index, const Attrs& attrs) {
    require_integer_index(kind, index);
    const int64_t axis = axis_of(kind, attrs.get_int("axis"), x);
    bool valid = index.rank() == x.rank();
    for (int64_t d = 0; valid && d < x.rank(); ++d) {
        const Dim& i = index.dims[d];
        valid = d == axis || !(i.is_known() && x.dims[d].is_known() && i.value() > x.dims[d].value());
    }
    if (!valid) fail(kind, "index " + index.str() + " does not fit " + x.str() + " outside axis " + std::to_string(axis));
    return {x.dtype, index.dims};
}

TensorType take(OpKind kind, const TensorType& x, const TensorType& index, const Attrs& attrs) {
    require_integer_index(kind, index);
    if (!attrs.has("axis")) return {x.dtype, index.dims};   // indexes the flattened x
    const int64_t axis = axis_of(kind, attrs.get_int("axis"), x);
    TensorType out{x.dtype, {}};
    out.dims.insert(out.dims.end(), x.dims.begin(), x.dims.begin() + axis);
    out.dims.insert(out.dims.end(), index.dims.begin(), index.dims.end());
    out.dims.insert(out.dims.end(), x.dims.begin() + axis + 1, x.dims.end());
    return out;
}

// x with one index along `axis` replaced by `value` (x's shape without that axis).
TensorType update_index(OpKind kind, const TensorType& x, const TensorType& value, const TensorType& index,
                        const Attrs& attrs) {
    require_integer_index(kind, index);
    if (index.rank() != 0) fail(kind, "the index must be a rank-0 tensor, got " + index.str());
    const int64_t axis = axis_of(kind, attrs.get_int("axis"), x);
    TensorType slot{x.dtype, x.dims};
    slot.dims.erase(slot.dims.begin() + axis);
    if (value.rank() != slot.rank())
        fail(kind, "the value " + value.str() + " does not fit one index of " + x.str() + " along axis " +
                       std::to_string(axis));
    for (int64_t i = 0; i < slot.rank(); ++i)
        if (value.dims[i].is_known() && slot.dims[i].is_known() && value.dims[i].value() != slot.dims[i].value())
            fail(kind, "the value " + value.str() + " does not fit one index of " + x.str() + " along axis " +
                           std::to_string(axis));
    return x;
}

TensorType one_hot(OpKind kind, const TensorType& index, const Attrs& attrs) {
    require_integer_index(kind, index);
    const int64_t depth = attrs.get_int("depth");
    if (depth <= 0) fail(kind, "depth " + std::to_string(depth) + " must be positive");
    TensorType out{attrs.get_dtype("dtype", DType::F32), index.dims};
    out.dims.push_back(Dim::known(depth));
    return out;
}

// --- ops autodiff emits -------------------------------------------------------

TensorType update_slice(OpKind kind, const TensorType& x, const TensorType& value, const Attrs& attrs) {
    require_fitting(kind, "the value", value, slice(kind, x, attrs).dims);
    return x;
}

TensorType expand_dims(OpKind kind, const TensorType& x, const Attrs& attrs) {
    const std::vector<int64_t>& axes = attrs.get_ints("axes");
    const int64_t rank = x.rank() + static_cast<int64_t>(axes.size());
    std::vector<bool> inserted(rank, false);
    for (int64_t axis : axes) {
        if (axis < -rank || axis >= rank)
            fail(kind, "axis " + std::to_string(axis) + " is out of range for a result of rank " + std::to_string(rank));
        const int64_t a = axis < 0 ? axis + rank : axis;
        if (inserted[a]) fail(kind, "axis " + std::to_string(axis) + " is repeated in " + shape_str(axes));
        inserted[a] = true;
    }
    TensorType out{x.dtype, {}};
    for (int64_t d = 0, from = 0; d < rank; ++d) out.dims.push_back(inserted[d] ? Dim::known(1) : x.dims[from++]);
    return out;
}

TensorType broadcast_like(OpKind kind, const TensorType& x, const TensorType& like) {
    std::optional<std::vector<Dim>> dims = try_broadcast(x.dims, like.dims);
    if (!dims) fail(kind, "shapes " + x.str() + " and " + like.str() + " cannot be broadcast");
    return {x.dtype, *dims};
}

// A filled tensor whose dims are sizes or copies of the operands' dims (a
// shape with symbolic dims, built while tracing `zeros([B, 16])`).
TensorType full_like(OpKind kind, std::span<const TensorType> operands, const Attrs& attrs) {
    std::vector<Dim> lent;
    for (const TensorType& t : operands) lent.insert(lent.end(), t.dims.begin(), t.dims.end());
    std::vector<Dim> dims;
    for (int64_t n : attrs.get_ints("shape")) {
        if (n >= 0) dims.push_back(Dim::known(n));
        else if (-(n + 1) < static_cast<int64_t>(lent.size())) dims.push_back(lent[static_cast<size_t>(-(n + 1))]);
        else fail(kind, "shape entry " + std::to_string(n) + " names a dim the operands do not have");
    }
    return {attrs.get_dtype("dtype", DType::F32), dims};
}

// rand / randn: a seed, then the operands lending dims to the shape.
TensorType random(OpKind kind, std::span<const TensorType> operands, const Attrs& attrs) {
    const TensorType& seed = operands[0];
    if (seed.dtype != DType::I64 || seed.rank() != 0) fail(kind, "the seed must be an i64 scalar, got " + seed.str());
    const TensorType t = full_like(kind, operands.subspan(1), attrs);
    if (!is_floating(t.dtype)) fail(kind, "dtype must be floating point, got " + std::string(dtype_name(t.dtype)));
    return t;
}

// x summed over the dims `like` broadcasts along to reach x's shape.
TensorType sum_like(OpKind kind, const TensorType& x, const TensorType& like) {
    std::optional<std::vector<Dim>> dims = try_broadcast(like.dims, x.dims);
    if (!dims || dims->size() != x.dims.size())
        fail(kind, x.str() + " is not a broadcast of " + like.str());
    for (size_t d = 0; d < x.dims.size(); ++d)
        if (differ((*dims)[d], x.dims[d])) fail(kind, x.str() + " is not a broadcast of " + like.str());
    return {x.dtype, like.dims};
}

TensorType scatter_add(OpKind kind, const TensorType& x, const TensorType& index, const TensorType& updates,
                       const Attrs& attrs) {
    require_fitting(kind, "the updates", updates, gather(kind, x, index, attrs).dims);
    return x;
}

TensorType index_add(OpKind kind, const TensorType& x, const TensorType& index, const TensorType& updates,
                     const Attrs& attrs) {
    require_fitting(kind, "the updates", updates, take(kind, x, index, attrs).dims);
    return x;
}

}  // namespace

std::vector<Dim> broadcast_dims(const std::vector<Dim>& a, const std::vector<Dim>& b) {
    std::optional<std::vector<Dim>> out = try_broadcast(a, b);
    if (!out) throw ShapeError("shapes " + dims_str(a) + " and " + dims_str(b) + " cannot be broadcast");
    return *out;
}

int64_t normalize_axis(int64_t axis, int64_t rank) {
    if (axis < -rank || axis >= rank)
        throw ShapeError("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
    return axis < 0 ? axis + rank : axis;
}

std::vector<bool> reduced_axes(OpKind kind, const TensorType& x, const Attrs& attrs) {
    std::vector<bool> reduced(x.rank(), false);
    std::vector<int64_t> axes;
    if (attrs.has("axis")) axes.push_back(attrs.get_int("axis"));
    else if (attrs.has("axes")) axes = attrs.get_ints("axes");
    if (axes.empty()) reduced.assign(x.rank(), true);
    for (int64_t axis : axes) {
        const int64_t a = axis_of(kind, axis, x);
        if (reduced[a]) fail(kind, "axis " + std::to_string(axis) + " is repeated in " + shape_str(axes));
        reduced[a] = true;
    }
    return reduced;
}


namespace {

using namespace rules;

// The rule of `kind` without the final check of the result's size.
TensorType infer_type_unchecked(OpKind kind, std::span<const TensorType> operands, const Attrs& attrs) {
    check_arity(kind, operands);
    const auto& x = operands;
    if (op_family(kind) == OpFamily::Elementwise && op_dtype_rule(kind) != DtypeRule::Own) return elementwise(kind, x, attrs);
    switch (kind) {
    case OpKind::Constant: case OpKind::Full: case OpKind::Arange: case OpKind::Eye:
        return creation(kind, attrs);
    case OpKind::RandUniform: case OpKind::RandNormal: return random(kind, x, attrs);
    case OpKind::ReduceSum: case OpKind::ReduceMean: case OpKind::ReduceMax: case OpKind::ReduceMin:
    case OpKind::ArgMax: case OpKind::ArgMin:
        return reduction(kind, x[0], attrs);
    case OpKind::DimSize:
        axis_of(kind, attrs.get_int("axis"), x[0]);
        return {DType::I64, {}};
    case OpKind::UpdateIndex: return update_index(kind, x[0], x[1], x[2], attrs);
    case OpKind::Reshape: return reshape(kind, x[0], attrs);
    case OpKind::Permute: return permute(kind, x[0], attrs);
    case OpKind::BroadcastTo: return broadcast_to(kind, x[0], attrs);
    case OpKind::Concat: return concat(kind, x, attrs);
    case OpKind::Slice: return slice(kind, x[0], attrs);
    case OpKind::Pad: return pad(kind, x[0], attrs);
    case OpKind::UpdateSlice: return update_slice(kind, x[0], x[1], attrs);
    case OpKind::ExpandDims: return expand_dims(kind, x[0], attrs);
    case OpKind::BroadcastLike: return broadcast_like(kind, x[0], x[1]);
    case OpKind::FullLike: return full_like(kind, x, attrs);
    case OpKind::SumLike: return sum_like(kind, x[0], x[1]);
    case OpKind::Gather: return gather(kind, x[0], x[1], attrs);
    case OpKind::Take: return take(kind, x[0], x[1], attrs);
    case OpKind::OneHot: return one_hot(kind, x[0], attrs);
    case OpKind::ScatterAdd: return scatter_add(kind, x[0], x[1], x[2], attrs);
    case OpKind::IndexAdd: return index_add(kind, x[0], x[1], x[2], attrs);
    case OpKind::MatMul: return matmul(kind, x[0], x[1]);
    case OpKind::Gemm: return gemm(kind, x[0], x[1], attrs);
    case OpKind::Conv2d: return conv2d(kind, x[0], x[1], attrs);
    case OpKind::MaxPool2d: case OpKind::AvgPool2d: return pool2d(kind, x[0], attrs);
    case OpKind::Softmax: case OpKind::LogSoftmax: return softmax(kind, x[0], attrs);
    case OpKind::Conv2dGradInput: return conv2d_grad_input(kind, x[0], x[1], attrs);
    case OpKind::Conv2dGradWeight: return conv2d_grad_weight(kind, x[0], x[1], attrs);
    case OpKind::MaxPool2dGrad: case OpKind::MaxPool2dSelect: return max_pool2d_pair(kind, x[0], x[1], attrs);
    case OpKind::AvgPool2dGrad: return avg_pool2d_grad(kind, x[0], attrs);
    default:
        break;   // control flow (typed by its regions), or an op without a rule
    }
    internal_error("no shape rule for op " + std::string(op_name(kind)));
}

}  // namespace

std::optional<std::vector<int64_t>> reshape_attr(const TensorType& from, const std::vector<Dim>& to) {
    std::vector<int64_t> shape;
    std::vector<bool> used(from.dims.size(), false);
    for (const Dim& d : to) {
        if (d.is_known()) {
            shape.push_back(d.value());
            continue;
        }
        size_t k = 0;
        while (k < from.dims.size() && (used[k] || !(from.dims[k] == d))) ++k;
        if (k == from.dims.size() || !d.is_symbol()) return std::nullopt;
        used[k] = true;
        shape.push_back(reshape_copy_of(static_cast<int64_t>(k)));
    }
    return shape;
}

TensorType infer_type(OpKind kind, std::span<const TensorType> operands, const Attrs& attrs) {
    TensorType result = infer_type_unchecked(kind, operands, attrs);
    // The known dims' bytes must fit in 64 bits (any number of them do when one dim is 0).
    std::optional<int64_t> bytes = dtype_size(result.dtype);
    bool empty = false;
    for (const Dim& d : result.dims) {
        if (!d.is_known()) continue;
        empty = empty || d.value() == 0;
        if (bytes) bytes = checked_mul(*bytes, d.value());
    }
    if (!bytes && !empty) fail(kind, "the result " + result.str() + " has more bytes than fit in 64 bits");
    return result;
}

}  // namespace nnc
