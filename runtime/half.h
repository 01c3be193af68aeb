// The 16-bit float storage formats: IEEE binary16 (f16) and bfloat16 (bf16),
// held as raw uint16_t bits and converted to and from float with
// round-to-nearest-even.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace nnc {

// Rounds `value >> shift` to nearest, ties to even.
inline uint32_t shift_right_rounded(uint32_t value, int shift) {
    const uint32_t kept = value >> shift;
    const uint32_t rest = value & ((1u << shift) - 1);
    const uint32_t half = 1u << (shift - 1);
    return kept + (rest > half || (rest == half && (kept & 1)));
}

inline uint16_t float_to_f16(float f) {
    const uint32_t x = std::bit_cast<uint32_t>(f);
    const uint32_t sign = (x >> 16) & 0x8000;
    const int exponent = static_cast<int>((x >> 23) & 0xff);
    const uint32_t mantissa = x & 0x7fffff;
    if (exponent == 0xff) return static_cast<uint16_t>(sign | 0x7c00 | (mantissa ? 0x200 : 0));   // inf, nan
    const int e = exponent - 127 + 15;   // f16 biased exponent
    if (e >= 31) return static_cast<uint16_t>(sign | 0x7c00);                                      // overflow
    if (e <= 0) {                                                                                  // subnormal
        if (e < -10) return static_cast<uint16_t>(sign);   // below half the smallest subnormal
        return static_cast<uint16_t>(sign | shift_right_rounded(mantissa | 0x800000, 14 - e));
    }
    // A rounding carry may ripple into the exponent, up to infinity: both correct.
    return static_cast<uint16_t>(sign | shift_right_rounded((static_cast<uint32_t>(e) << 23) | mantissa, 13));
}

inline float f16_to_float(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
    const uint32_t exponent = (h >> 10) & 0x1f;
    const uint32_t mantissa = h & 0x3ff;
    if (exponent == 0) {   // zero or subnormal: mantissa * 2^-24
        const float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000 | (mantissa << 13));
    return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

inline uint16_t float_to_bf16(float f) {
    const uint32_t x = std::bit_cast<uint32_t>(f);
    if (std::isnan(f)) return static_cast<uint16_t>((x >> 16) | 0x40);   // stay a (quiet) nan
    return static_cast<uint16_t>(shift_right_rounded(x, 16));
}

inline float bf16_to_float(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

}  // namespace nnc
