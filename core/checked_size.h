// Checked arithmetic on sizes. Every dimension, element count and window
// extent the shape rules and kernels compute goes through these helpers, so
// that an overflow is reported as an error instead of wrapping into a wrong
// (and possibly out-of-bounds) shape. Each returns nullopt on overflow.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace nnc {

inline std::optional<int64_t> checked_add(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
    return r;
}

inline std::optional<int64_t> checked_sub(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r)) return std::nullopt;
    return r;
}

inline std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
    int64_t r;
    if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
    return r;
}

// The product of non-negative sizes (an element count): 0 when any size is
// 0, else nullopt when it overflows. Callers check the sizes are
// non-negative first.
inline std::optional<int64_t> checked_product(std::span<const int64_t> sizes) {
    for (int64_t s : sizes)
        if (s == 0) return 0;
    int64_t n = 1;
    for (int64_t s : sizes)
        if (__builtin_mul_overflow(n, s, &n)) return std::nullopt;
    return n;
}

// Length of the range start, start + step, ... before stop (step != 0),
// computed without overflow for any int64 bounds: the distance may exceed
// int64, so it is taken in unsigned arithmetic.
inline uint64_t range_length(int64_t start, int64_t stop, int64_t step) {
    if (step > 0 ? stop <= start : stop >= start) return 0;
    const uint64_t distance = step > 0 ? static_cast<uint64_t>(stop) - static_cast<uint64_t>(start)
                                       : static_cast<uint64_t>(start) - static_cast<uint64_t>(stop);
    const uint64_t stride = step > 0 ? static_cast<uint64_t>(step) : 0 - static_cast<uint64_t>(step);
    return (distance - 1) / stride + 1;
}

}  // namespace nnc
