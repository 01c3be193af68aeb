// Creation kernels: full, arange, eye and the counter-based random tensors.
// Random values depend only on the seed and the element index, never on the
// thread count: element i is generated from splitmix64(seed, i).
#include <cmath>
#include <numbers>

#include "runtime/element.h"
#include "runtime/kernel_families.h"
#include "runtime/strided.h"

namespace nnc {

namespace {

// Writes value_of(i) (a double) into every element i of `out`, any dtype.
template <class ValueOf> void fill(Tensor& out, ValueOf value_of) {
    visit_dtype(out.dtype(), [&]<class T>(std::type_identity<T>) {
        T* o = out.data<T>();
        const int64_t n = out.numel();
#pragma omp parallel for if (n > kParallelThreshold)
        for (int64_t i = 0; i < n; ++i) o[i] = convert_element<T>(value_of(i));
    });
}

uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// The counter-th output of a splitmix64 stream started from `seed`.
uint64_t random_bits(uint64_t seed, uint64_t counter) {
    return mix64(mix64(seed) + (counter + 1) * 0x9e3779b97f4a7c15ULL);
}

// Uniform in [0, 1) with `precision` significant bits, so that the value is
// exact in the target dtype and never rounds up to 1.
double uniform(uint64_t bits, int precision) { return std::ldexp(static_cast<double>(bits >> (64 - precision)), -precision); }

int significand_bits(DType t) {
    switch (t) {
    case DType::F16: return 11;
    case DType::BF16: return 8;
    case DType::F32: return 24;
    default: return 53;
    }
}

// The seed of rand / randn: their first operand, an i64 scalar.
uint64_t seed_of(std::span<const Tensor> operands) { return static_cast<uint64_t>(operands[0].data<int64_t>()[0]); }

}  // namespace

Tensor full_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    if (attrs.is_int("value")) {   // exact for integers beyond 2^53
        const int64_t value = attrs.get_int("value");
        fill(out, [&](int64_t) { return value; });
        return out;
    }
    const double value = attrs.get_double("value");
    fill(out, [&](int64_t) { return value; });
    return out;
}

Tensor arange_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    if (attrs.is_int("start") && attrs.is_int("step")) {   // exact; the shape rule checked every value fits
        const auto start = static_cast<uint64_t>(attrs.get_int("start"));
        const auto step = static_cast<uint64_t>(attrs.get_int("step"));
        fill(out, [&](int64_t i) { return static_cast<int64_t>(start + static_cast<uint64_t>(i) * step); });
        return out;
    }
    const double start = attrs.get_double("start"), step = attrs.get_double("step");
    fill(out, [&](int64_t i) { return start + static_cast<double>(i) * step; });
    return out;
}

Tensor eye_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const int64_t n = attrs.get_int("n");
    fill(out, [&](int64_t i) { return i / n == i % n ? 1.0 : 0.0; });
    return out;
}

Tensor rand_uniform_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const uint64_t seed = seed_of(operands);
    const int precision = significand_bits(out.dtype());
    fill(out, [&](int64_t i) { return uniform(random_bits(seed, static_cast<uint64_t>(i)), precision); });
    return out;
}

// Box–Muller on two independent uniforms per element.
Tensor rand_normal_kernel(OpKind kind, std::span<const Tensor> operands, const Attrs& attrs) {
    Tensor out = allocate_result(kind, operands, attrs);
    const uint64_t seed = seed_of(operands);
    fill(out, [&](int64_t i) {
        const auto counter = 2 * static_cast<uint64_t>(i);
        const double radius_u = 1.0 - uniform(random_bits(seed, counter), 53);   // in (0, 1]: log is finite
        const double angle_u = uniform(random_bits(seed, counter + 1), 53);
        return std::sqrt(-2.0 * std::log(radius_u)) * std::cos(2.0 * std::numbers::pi * angle_u);
    });
    return out;
}

}  // namespace nnc
