// Max and average pooling and their gradients, plane by plane (see pool2d.h).
#include "runtime/pool2d.h"

#include <algorithm>

#include "runtime/strided.h"

namespace nnc {

namespace {

// Rows [begin, end) or columns of one window, clipped to the input.
struct Span {
    int64_t begin, end;
    int64_t size() const { return end - begin; }
};

// How a plane is walked, fixed at compile time: with padding (windows
// clipped), a KH x KW window (0: read from the PoolShape), and tiled (no
// padding, stride == kernel: windows side by side, each element in at most one).
template <bool Padded, int KH, int KW, bool Tiled> struct Layout {
    static constexpr bool padded = Padded, tiled = Tiled;
    static constexpr int kernel_h = KH, kernel_w = KW;
};

// The window of size k (K when known at compile time) starting at `start`;
// without padding it always lies inside the input.
template <bool Padded, int K> Span clip(int64_t start, int64_t k, int64_t n) {
    if constexpr (Padded) return {std::max<int64_t>(start, 0), std::min(start + k, n)};
    else return {start, start + (K ? K : k)};
}

// Calls f(o, rows, cols) for each window of a plane, o its output offset.
template <class L, class F> void for_each_window(const PoolShape& s, F f) {
    const Window2d& w = s.window;
    for (int64_t oh = 0; oh < s.out_height; ++oh) {
        const Span rows = clip<L::padded, L::kernel_h>(oh * w.stride[0] - w.padding[0], w.kernel[0], s.height);
        for (int64_t ow = 0; ow < s.out_width; ++ow)
            f(oh * s.out_width + ow, rows,
              clip<L::padded, L::kernel_w>(ow * w.stride[1] - w.padding[1], w.kernel[1], s.width));
    }
}

// A window's first maximum in row-major order (its first nan if it has
// one), and that element's offset in the plane.
template <class T> struct FirstMax {
    T value;
    int64_t at;
};

template <class T> FirstMax<T> first_max(const T* plane, int64_t width, Span rows, Span cols) {
    FirstMax<T> m{plane[rows.begin * width + cols.begin], rows.begin * width + cols.begin};
    for (int64_t h = rows.begin; h < rows.end; ++h)
        for (int64_t w = cols.begin; w < cols.end; ++w) {
            const T v = plane[h * width + w];
            if (v != v) return {v, h * width + w};
            const bool greater = v > m.value;   // a select, not a branch: which element wins is random
            m.value = greater ? v : m.value;
            m.at = greater ? h * width + w : m.at;
        }
    return m;
}

// --- tiles: the unpadded KH x KW windows with stride KH x KW of CNNs --------------

// Tiles handled at once, their results kept on the stack.
constexpr int64_t kTileRun = 64;

// For `count` side-by-side tiles starting at `corner`: best[t] = tile t's
// first maximum (its first nan, if any) and at[t] = its index i * KW + j in
// the tile, held as a T (exact below KH * KW). The maximum is a forward chain
// of selects and the first nan a backward one, so that the loop over tiles
// vectorises.
template <int KH, int KW, class T>
void tile_maxima(const T* __restrict corner, int64_t width, int64_t count, T* __restrict best, T* __restrict at) {
    for (int64_t t = 0; t < count; ++t) {
        const T* tile = corner + t * KW;
        T max = tile[0], max_at = 0, nan = 0, nan_at = -1;
#pragma GCC unroll 16
        for (int k = 1; k < KH * KW; ++k) {
            const T v = tile[k / KW * width + k % KW];
            max_at = v > max ? T(k) : max_at;
            max = v > max ? v : max;
        }
#pragma GCC unroll 16
        for (int k = KH * KW - 1; k >= 0; --k) {
            const T v = tile[k / KW * width + k % KW];
            nan_at = v != v ? T(k) : nan_at;
            nan = v != v ? v : nan;
        }
        best[t] = nan_at >= 0 ? nan : max;
        at[t] = nan_at >= 0 ? nan_at : max_at;
    }
}

// Tile t starting at `corner` gets grad[t] at index at[t] and 0 elsewhere.
// 0 + grad[t], as accumulating into zeros gives (-0 becomes 0).
template <int KH, int KW, class T>
void tile_spread(const T* __restrict at, const T* __restrict grad, int64_t width, int64_t count, T* __restrict corner) {
    for (int64_t t = 0; t < count; ++t) {
        const T g = static_cast<T>(T(0) + grad[t]), a = at[t];
        T* tile = corner + t * KW;
#pragma GCC unroll 16
        for (int k = 0; k < KH * KW; ++k) tile[k / KW * width + k % KW] = a == T(k) ? g : T(0);
    }
}

// Calls f(oh, ow, n) for runs of n <= kTileRun tiles: output row oh, columns [ow, ow + n).
template <class F> void for_each_tile_run(const PoolShape& s, F f) {
    for (int64_t oh = 0; oh < s.out_height; ++oh)
        for (int64_t ow = 0; ow < s.out_width; ow += kTileRun) f(oh, ow, std::min(kTileRun, s.out_width - ow));
}

// Zeroes the elements of a plane no tile covers: right of the last tile
// column and below the last tile row.
template <class T> void zero_untiled(const PoolShape& s, T* plane) {
    const int64_t rows = s.out_height * s.window.kernel[0], cols = s.out_width * s.window.kernel[1];
    if (cols < s.width)
        for (int64_t h = 0; h < rows; ++h) std::fill(plane + h * s.width + cols, plane + (h + 1) * s.width, T(0));
    std::fill(plane + rows * s.width, plane + s.height * s.width, T(0));
}

// --- planes ------------------------------------------------------------------------

template <class L, class Visit> void each_plane(const PoolShape& s, Visit& visit) {
#pragma omp parallel for schedule(static) if (s.planes * s.height * s.width > kParallelThreshold)
    for (int64_t plane = 0; plane < s.planes; ++plane) visit.template operator()<L>(plane);
}

// Calls visit.template operator()<L>(plane) for every plane, L the Layout
// for s: unpadded 2x2 and 3x3 windows get their size compiled in.
template <class Visit> void for_each_plane(const PoolShape& s, Visit visit) {
    const Window2d& w = s.window;
    const bool tiled = w.stride[0] == w.kernel[0] && w.stride[1] == w.kernel[1];
    if (w.padding[0] != 0 || w.padding[1] != 0) each_plane<Layout<true, 0, 0, false>>(s, visit);
    else if (w.kernel[0] == 2 && w.kernel[1] == 2 && tiled) each_plane<Layout<false, 2, 2, true>>(s, visit);
    else if (w.kernel[0] == 2 && w.kernel[1] == 2) each_plane<Layout<false, 2, 2, false>>(s, visit);
    else if (w.kernel[0] == 3 && w.kernel[1] == 3 && tiled) each_plane<Layout<false, 3, 3, true>>(s, visit);
    else if (w.kernel[0] == 3 && w.kernel[1] == 3) each_plane<Layout<false, 3, 3, false>>(s, visit);
    else each_plane<Layout<false, 0, 0, false>>(s, visit);
}

}  // namespace

template <class T> void max_pool2d(const T* x, T* y, const PoolShape& s) {
    const int64_t in_size = s.height * s.width, out_size = s.out_height * s.out_width;
    for_each_plane(s, [&]<class L>(int64_t plane) {
        const T* in = x + plane * in_size;
        T* out = y + plane * out_size;
        if constexpr (L::tiled) {
            for_each_tile_run(s, [&](int64_t oh, int64_t ow, int64_t n) {
                T at[kTileRun];
                tile_maxima<L::kernel_h, L::kernel_w>(in + (oh * L::kernel_h * s.width + ow * L::kernel_w), s.width, n,
                                                      out + (oh * s.out_width + ow), at);
            });
        } else {
            for_each_window<L>(s, [&](int64_t o, Span rows, Span cols) {
                out[o] = first_max(in, s.width, rows, cols).value;
            });
        }
    });
}

template <class T> void max_pool2d_select(const T* x, const T* t, T* y, const PoolShape& s) {
    const int64_t in_size = s.height * s.width, out_size = s.out_height * s.out_width;
    for_each_plane(s, [&]<class L>(int64_t plane) {
        const T* in = x + plane * in_size;
        const T* from = t + plane * in_size;
        T* out = y + plane * out_size;
        if constexpr (L::tiled) {
            for_each_tile_run(s, [&](int64_t oh, int64_t ow, int64_t n) {
                T best[kTileRun], at[kTileRun];
                const int64_t corner = oh * L::kernel_h * s.width + ow * L::kernel_w;
                tile_maxima<L::kernel_h, L::kernel_w>(in + corner, s.width, n, best, at);
                for (int64_t i = 0; i < n; ++i) {
                    const auto k = static_cast<int64_t>(at[i]);
                    out[oh * s.out_width + ow + i] = from[corner + i * L::kernel_w + k / L::kernel_w * s.width + k % L::kernel_w];
                }
            });
        } else {
            for_each_window<L>(s, [&](int64_t o, Span rows, Span cols) {
                out[o] = from[first_max(in, s.width, rows, cols).at];
            });
        }
    });
}

template <class T> void max_pool2d_grad(const T* x, const T* dy, T* dx, const PoolShape& s) {
    const int64_t in_size = s.height * s.width, out_size = s.out_height * s.out_width;
    for_each_plane(s, [&]<class L>(int64_t plane) {
        const T* in = x + plane * in_size;
        const T* grad = dy + plane * out_size;
        T* out = dx + plane * in_size;
        if constexpr (L::tiled) {
            zero_untiled(s, out);
            for_each_tile_run(s, [&](int64_t oh, int64_t ow, int64_t n) {
                T best[kTileRun], at[kTileRun];
                const int64_t corner = oh * L::kernel_h * s.width + ow * L::kernel_w;
                tile_maxima<L::kernel_h, L::kernel_w>(in + corner, s.width, n, best, at);
                tile_spread<L::kernel_h, L::kernel_w>(at, grad + (oh * s.out_width + ow), s.width, n, out + corner);
            });
        } else {
            std::fill(out, out + in_size, T(0));
            for_each_window<L>(s, [&](int64_t o, Span rows, Span cols) {
                T& at = out[first_max(in, s.width, rows, cols).at];
                at = static_cast<T>(at + grad[o]);
            });
        }
    });
}

template <class T> void avg_pool2d(const T* x, T* y, const PoolShape& s) {
    const int64_t in_size = s.height * s.width, out_size = s.out_height * s.out_width;
    for_each_plane(s, [&]<class L>(int64_t plane) {
        const T* in = x + plane * in_size;
        T* out = y + plane * out_size;
        for_each_window<L>(s, [&](int64_t o, Span rows, Span cols) {
            T sum = 0;
            for (int64_t h = rows.begin; h < rows.end; ++h)
                for (int64_t w = cols.begin; w < cols.end; ++w) sum += in[h * s.width + w];
            out[o] = sum / static_cast<T>(rows.size() * cols.size());
        });
    });
}

template <class T> void avg_pool2d_grad(const T* dy, T* dx, const PoolShape& s) {
    const int64_t in_size = s.height * s.width, out_size = s.out_height * s.out_width;
    for_each_plane(s, [&]<class L>(int64_t plane) {
        const T* grad = dy + plane * out_size;
        T* out = dx + plane * in_size;
        std::fill(out, out + in_size, T(0));
        for_each_window<L>(s, [&](int64_t o, Span rows, Span cols) {
            const T share = grad[o] / static_cast<T>(rows.size() * cols.size());
            for (int64_t h = rows.begin; h < rows.end; ++h)
                for (int64_t w = cols.begin; w < cols.end; ++w) out[h * s.width + w] += share;
        });
    });
}

#define NNC_MAX_POOLS(T)                                                              \
    template void max_pool2d<T>(const T*, T*, const PoolShape&);                      \
    template void max_pool2d_select<T>(const T*, const T*, T*, const PoolShape&);     \
    template void max_pool2d_grad<T>(const T*, const T*, T*, const PoolShape&);
NNC_MAX_POOLS(int8_t)
NNC_MAX_POOLS(int32_t)
NNC_MAX_POOLS(int64_t)
NNC_MAX_POOLS(float)
NNC_MAX_POOLS(double)
#undef NNC_MAX_POOLS
template void avg_pool2d<float>(const float*, float*, const PoolShape&);
template void avg_pool2d<double>(const double*, double*, const PoolShape&);
template void avg_pool2d_grad<float>(const float*, float*, const PoolShape&);
template void avg_pool2d_grad<double>(const double*, double*, const PoolShape&);

}  // namespace nnc
