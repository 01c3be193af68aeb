// Reduction kernels: sum, mean, max, min, argmax, argmin over any set of
// axes. Each output folds its reduced elements in fixed-size chunks whose
// partial results merge in order, so large reductions run in parallel and
// still give the same answer for any thread count.
#include <cmath>
#include <limits>
#include <memory>

#include "runtime/element.h"
#include "runtime/kernel_families.h"
#include "runtime/strided.h"
#include "support/error.h"

namespace nnc {

namespace {

// --- reducers: init / add / merge ----------------------------------------------

template <class T> struct SumReducer {
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    static Acc init() { return 0; }
    static void add(Acc& acc, T v, int64_t) { acc += static_cast<Acc>(v); }
    static void merge(Acc& acc, const Acc& other) { acc += other; }
};

// max / min: a nan, once seen, is the result (as in NumPy). Floats start
// from -inf / +inf, so a row of infinities reduces to one.
template <class T, bool Max> struct ExtremumReducer {
    using Acc = T;
    static Acc init() {
        if constexpr (std::numeric_limits<T>::has_infinity)
            return Max ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
        else
            return Max ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
    }
    static void add(Acc& acc, T v, int64_t) {
        if (acc != acc) return;
        if (v != v || (Max ? v > acc : v < acc)) acc = v;
    }
    static void merge(Acc& acc, const Acc& other) { add(acc, other, 0); }
};

// argmax / argmin: the first position of the extremum (or of the first nan).
template <class T> struct Located {
    T value{};
    int64_t index = -1;   // -1 until an element is seen
};

template <class T, bool Max> struct ArgReducer {
    using Acc = Located<T>;
    static Acc init() { return {}; }
    static bool better(T v, T current) {
        if (current != current) return false;
        return v != v || (Max ? v > current : v < current);
    }
    static void add(Acc& acc, T v, int64_t i) {
        if (acc.index < 0 || better(v, acc.value)) acc = {v, i};
    }
    static void merge(Acc& acc, const Acc& other) {
        if (other.index >= 0) add(acc, other.value, other.index);
    }
};

// --- the fold ------------------------------------------------------------------

// x viewed as (kept dims) x (reduced dims): `outputs` walks the kept dims,
// `reduced` the dims folded into each output.
struct ReductionSpace {
    StridedLoop<1> outputs;
    StridedLoop<1> reduced;
};

ReductionSpace split_axes(const Tensor& x, const std::vector<bool>& reduced_mask) {
    const std::vector<int64_t> strides = contiguous_strides(x.shape());
    Shape kept_shape, reduced_shape;
    StridedView kept_view, reduced_view;
    for (int64_t d = 0; d < x.rank(); ++d) {
        Shape& shape = reduced_mask[d] ? reduced_shape : kept_shape;
        StridedView& view = reduced_mask[d] ? reduced_view : kept_view;
        shape.push_back(x.dim(d));
        view.strides.push_back(strides[d]);
    }
    return {coalesce<1>(kept_shape, {kept_view}), coalesce<1>(reduced_shape, {reduced_view})};
}

// Folds every output's reduced elements with Reducer; returns one Acc per output.
template <class T, class Reducer>
std::vector<typename Reducer::Acc> fold(const Tensor& x, const ReductionSpace& space) {
    using Acc = typename Reducer::Acc;
    const T* data = x.data<T>();
    const int64_t outputs = space.outputs.numel, length = space.reduced.numel;
    const int64_t chunks = std::max<int64_t>(1, (length + kChunkSize - 1) / kChunkSize);
    const int64_t tasks = outputs * chunks;
    // An array, not a vector: vector<bool> packs bits, which threads cannot share.
    std::unique_ptr<Acc[]> partial(new Acc[static_cast<size_t>(tasks)]);

#pragma omp parallel for schedule(static) if (outputs * length > kParallelThreshold)
    for (int64_t task = 0; task < tasks; ++task) {
        const int64_t output = task / chunks, chunk = task % chunks;
        Acc acc = Reducer::init();
        int64_t position = chunk * kChunkSize;
        walk_range(space.reduced, offsets_at(space.outputs, output), position, std::min(length, position + kChunkSize),
                   [&](const auto& offsets, const auto& steps, int64_t count) {
                       for (int64_t i = 0; i < count; ++i) Reducer::add(acc, data[offsets[0] + i * steps[0]], position + i);
                       position += count;
                   });
        partial[task] = acc;
    }
    std::vector<Acc> result;
    result.reserve(static_cast<size_t>(outputs));
    for (int64_t output = 0; output < outputs; ++output) {
        Acc acc = partial[output * chunks];
        for (int64_t chunk = 1; chunk < chunks; ++chunk) Reducer::merge(acc, partial[output * chunks + chunk]);
        result.push_back(acc);
    }
    return result;
}

}  // namespace

Tensor reduce_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const std::vector<bool> mask = reduced_axes(kind, operands[0].type(), attrs);
    // Sums and means are computed in the result type (i64 for integer sums,
    // float for integer means); max and min on the input.
    const bool widen = kind == OpKind::ReduceSum || kind == OpKind::ReduceMean;
    const Tensor x = widen ? operands[0].to(out.dtype()) : operands[0];
    const ReductionSpace space = split_axes(x, mask);

    visit_compute_dtype(x.dtype(), [&]<class T>(std::type_identity<T>) {
        auto store = [&](const auto& values, auto finish) {
            visit_compute_dtype(out.dtype(), [&]<class O>(std::type_identity<O>) {
                O* o = out.data<O>();
                for (size_t i = 0; i < values.size(); ++i) o[i] = convert_element<O>(finish(values[i]));
            });
        };
        const auto length = static_cast<double>(space.reduced.numel);
        switch (kind) {
        case OpKind::ReduceSum: return store(fold<T, SumReducer<T>>(x, space), [](auto s) { return s; });
        case OpKind::ReduceMean:
            return store(fold<T, SumReducer<T>>(x, space), [&](auto s) { return static_cast<double>(s) / length; });
        case OpKind::ReduceMax: return store(fold<T, ExtremumReducer<T, true>>(x, space), [](T v) { return v; });
        case OpKind::ReduceMin: return store(fold<T, ExtremumReducer<T, false>>(x, space), [](T v) { return v; });
        default: internal_error("not a reduction");
        }
    });
    return out;
}

Tensor arg_reduce_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const Tensor& x = operands[0];
    const ReductionSpace space = split_axes(x, reduced_axes(kind, x.type(), attrs));
    visit_compute_dtype(x.dtype(), [&]<class T>(std::type_identity<T>) {
        const auto found = kind == OpKind::ArgMax ? fold<T, ArgReducer<T, true>>(x, space)
                                                  : fold<T, ArgReducer<T, false>>(x, space);
        auto* o = out.data<int32_t>();
        for (size_t i = 0; i < found.size(); ++i) o[i] = static_cast<int32_t>(found[i].index);
    });
    return out;
}

}  // namespace nnc
