// Strided iteration, the loop under every elementwise, broadcast and layout
// kernel: walks an index space (a shape) in row-major order while tracking
// the element offset of each of N operands, each addressed by an offset and
// per-dim strides (0 on a broadcast dim, negative on a reversed slice).
// Dims that all operands walk contiguously are merged first, so a same-shape
// elementwise op is one flat loop; the walk is cut into fixed chunks shared
// out by OpenMP, so results never depend on the thread count.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "core/checked_size.h"
#include "core/shape.h"

namespace nnc {

// Index spaces larger than this run in parallel.
inline constexpr int64_t kParallelThreshold = int64_t{1} << 15;
inline constexpr int64_t kChunkSize = int64_t{1} << 14;

struct StridedView {
    int64_t offset = 0;
    std::vector<int64_t> strides;   // one per dim of the index space
};

// Row-major strides. Only an empty tensor's strides can overflow (a
// non-empty one's element count fits int64): those are never used, and
// become 0.
inline std::vector<int64_t> contiguous_strides(const Shape& shape) {
    std::vector<int64_t> strides(shape.size(), 1);
    for (size_t d = shape.size(); d-- > 1;) strides[d - 1] = checked_mul(strides[d], shape[d]).value_or(0);
    return strides;
}

// Strides that read a contiguous tensor of shape `in` broadcast to `out`
// (NumPy alignment from the right; 0 along broadcast dims).
inline std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
    const std::vector<int64_t> own = contiguous_strides(in);
    std::vector<int64_t> strides(out.size(), 0);
    const size_t lead = out.size() - in.size();
    for (size_t d = 0; d < in.size(); ++d) strides[lead + d] = in[d] == 1 ? 0 : own[d];
    return strides;
}

inline StridedView contiguous_view(const Shape& shape) { return {0, contiguous_strides(shape)}; }

// An index space with N operand views after merging dims: size-1 dims are
// dropped, and a dim is fused into the one before it when every operand steps
// over the pair contiguously. Never empty of dims: a scalar space is [1].
template <size_t N> struct StridedLoop {
    Shape dims;
    std::array<std::vector<int64_t>, N> strides;
    std::array<int64_t, N> offsets{};
    int64_t numel = 1;
};

template <size_t N> StridedLoop<N> coalesce(const Shape& shape, const std::array<StridedView, N>& views) {
    StridedLoop<N> loop;
    for (size_t k = 0; k < N; ++k) loop.offsets[k] = views[k].offset;
    if (std::find(shape.begin(), shape.end(), 0) != shape.end()) {   // empty: one dim of 0 (the others may be huge)
        loop.dims = {0};
        loop.numel = 0;
        for (size_t k = 0; k < N; ++k) loop.strides[k] = {0};
        return loop;
    }
    for (size_t d = 0; d < shape.size(); ++d) {
        loop.numel *= shape[d];
        if (shape[d] == 1) continue;
        bool fuse = !loop.dims.empty();
        for (size_t k = 0; fuse && k < N; ++k) fuse = loop.strides[k].back() == views[k].strides[d] * shape[d];
        if (fuse) {
            loop.dims.back() *= shape[d];
            for (size_t k = 0; k < N; ++k) loop.strides[k].back() = views[k].strides[d];
        } else {
            loop.dims.push_back(shape[d]);
            for (size_t k = 0; k < N; ++k) loop.strides[k].push_back(views[k].strides[d]);
        }
    }
    if (loop.dims.empty()) {
        loop.dims.push_back(1);
        for (size_t k = 0; k < N; ++k) loop.strides[k].push_back(0);
    }
    return loop;
}

// The operand offsets at linear index `linear` of the loop.
template <size_t N> std::array<int64_t, N> offsets_at(const StridedLoop<N>& loop, int64_t linear) {
    std::array<int64_t, N> offsets = loop.offsets;
    for (size_t d = loop.dims.size(); d-- > 0;) {
        const int64_t i = linear % loop.dims[d];
        linear /= loop.dims[d];
        for (size_t k = 0; k < N; ++k) offsets[k] += i * loop.strides[k][d];
    }
    return offsets;
}

// Serially visits the linear indices [begin, end) of `loop`, calling
// body(offsets, steps, count) once per run along the innermost dim: operand
// k's elements are at base[k] + offsets[k] + i * steps[k] for i < count.
template <size_t N, class Body>
void walk_range(const StridedLoop<N>& loop, const std::array<int64_t, N>& base, int64_t begin, int64_t end, Body&& body) {
    if (begin >= end) return;
    const size_t rank = loop.dims.size();
    const int64_t inner = loop.dims.back();
    std::array<int64_t, N> steps;
    for (size_t k = 0; k < N; ++k) steps[k] = loop.strides[k].back();
    std::vector<int64_t> index(rank);
    int64_t rest = begin;
    for (size_t d = rank; d-- > 0;) {
        index[d] = rest % loop.dims[d];
        rest /= loop.dims[d];
    }
    while (begin < end) {
        const int64_t count = std::min(inner - index[rank - 1], end - begin);
        std::array<int64_t, N> offsets;
        for (size_t k = 0; k < N; ++k) {
            offsets[k] = base[k] + loop.offsets[k];
            for (size_t d = 0; d < rank; ++d) offsets[k] += index[d] * loop.strides[k][d];
        }
        body(offsets, steps, count);
        begin += count;
        index[rank - 1] += count;
        for (size_t d = rank - 1; d > 0 && index[d] == loop.dims[d]; --d) {
            index[d] = 0;
            ++index[d - 1];
        }
    }
}

// Visits the whole index space as walk_range does, in parallel chunks.
template <size_t N, class Body>
void for_each_strided(const Shape& shape, const std::array<StridedView, N>& views, Body&& body) {
    const StridedLoop<N> loop = coalesce(shape, views);
    const int64_t numel = loop.numel;
    const int64_t chunks = (numel + kChunkSize - 1) / kChunkSize;
    const std::array<int64_t, N> base{};
#pragma omp parallel for schedule(static) if (numel > kParallelThreshold)
    for (int64_t chunk = 0; chunk < chunks; ++chunk)
        walk_range(loop, base, chunk * kChunkSize, std::min(numel, (chunk + 1) * kChunkSize), body);
}

}  // namespace nnc
