// Tensor storage: checked allocation, element access in any dtype and
// dtype conversion.
#include "runtime/tensor.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <new>

#include <unistd.h>

#include "core/checked_size.h"
#include "runtime/allocator.h"
#include "runtime/element.h"
#include "runtime/strided.h"
#include "support/error.h"

namespace nnc {

namespace {

std::string describe(DType dtype, const Shape& shape) { return std::string(dtype_name(dtype)) + shape_str(shape); }

std::string format_bytes(double bytes) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", bytes);
    return buf;
}

// The machine's physical memory: a single tensor larger than that cannot be
// backed (with overcommit it would be "allocated" and then killed on first touch).
int64_t physical_memory_bytes() {
    static const int64_t bytes = [] {
        long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
        return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : int64_t{1} << 40;
    }();
    return bytes;
}


}  // namespace

int64_t checked_numel(const Shape& shape) {
    for (int64_t n : shape)
        if (n < 0) throw RuntimeError("negative dimension " + std::to_string(n) + " in shape " + shape_str(shape));
    const std::optional<int64_t> numel = checked_product(shape);
    if (!numel) throw RuntimeError("shape " + shape_str(shape) + " has more elements than fit in 64 bits");
    return *numel;
}

Tensor Tensor::wrap(std::shared_ptr<std::byte[]> storage, DType dtype, const Shape& shape) {
    Tensor t;
    t.storage_ = std::move(storage);
    t.dtype_ = dtype;
    t.shape_ = shape;
    t.numel_ = checked_numel(shape);
    return t;
}

Tensor Tensor::empty(DType dtype, const Shape& shape) {
    const std::string what = "cannot allocate " + describe(dtype, shape) + ": ";
    // The size in floating point first: it cannot overflow, and it names the
    // request even when the exact count would not fit in 64 bits.
    double approximate_bytes = static_cast<double>(dtype_size(dtype));
    for (int64_t n : shape) {
        if (n < 0) throw RuntimeError(what + "negative dimension " + std::to_string(n));
        approximate_bytes *= static_cast<double>(n);
    }
    const int64_t limit = physical_memory_bytes();
    const std::string too_large = what + format_bytes(approximate_bytes) + " bytes, more than this machine's memory (" +
                                  format_bytes(static_cast<double>(limit)) + " bytes)";
    if (approximate_bytes > static_cast<double>(limit)) throw RuntimeError(too_large);
    const int64_t numel = checked_numel(shape);
    const int64_t bytes = numel * dtype_size(dtype);
    if (bytes > limit) throw RuntimeError(too_large);
    Tensor t;
    try {
        t.storage_ = allocate_storage(bytes);
    } catch (const std::bad_alloc&) {
        throw RuntimeError(what + format_bytes(approximate_bytes) + " bytes: out of memory");
    }
    t.dtype_ = dtype;
    t.shape_ = shape;
    t.numel_ = numel;
    return t;
}

Tensor Tensor::zeros(DType dtype, const Shape& shape) {
    Tensor t = empty(dtype, shape);
    std::memset(t.raw(), 0, static_cast<size_t>(t.nbytes()));   // all-zero bits are 0 in every dtype
    return t;
}

Tensor Tensor::scalar(double value, DType dtype) {
    Tensor t = empty(dtype, {});
    t.set(0, value);
    return t;
}

double Tensor::get(int64_t i) const {
    NNC_CHECK(i >= 0 && i < numel_, "element " + std::to_string(i) + " of a tensor of " + std::to_string(numel_));
    return visit_dtype(dtype_, [&]<class T>(std::type_identity<T>) { return convert_element<double>(data<T>()[i]); });
}

int64_t Tensor::get_int(int64_t i) const {
    NNC_CHECK(i >= 0 && i < numel_, "element " + std::to_string(i) + " of a tensor of " + std::to_string(numel_));
    return visit_dtype(dtype_, [&]<class T>(std::type_identity<T>) { return convert_element<int64_t>(data<T>()[i]); });
}

void Tensor::set(int64_t i, double v) {
    NNC_CHECK(i >= 0 && i < numel_, "element " + std::to_string(i) + " of a tensor of " + std::to_string(numel_));
    visit_dtype(dtype_, [&]<class T>(std::type_identity<T>) { data<T>()[i] = convert_element<T>(v); });
}

void Tensor::set_int(int64_t i, int64_t v) {
    NNC_CHECK(i >= 0 && i < numel_, "element " + std::to_string(i) + " of a tensor of " + std::to_string(numel_));
    visit_dtype(dtype_, [&]<class T>(std::type_identity<T>) { data<T>()[i] = convert_element<T>(v); });
}

double Tensor::item() const {
    if (numel_ != 1) throw RuntimeError("expected a single value, got " + describe(dtype_, shape_));
    return get(0);
}

Tensor Tensor::clone() const {
    Tensor t = empty(dtype_, shape_);
    std::memcpy(t.raw(), raw(), static_cast<size_t>(nbytes()));
    return t;
}

Tensor Tensor::reshaped(const Shape& s) const {
    if (checked_numel(s) != numel_)
        throw RuntimeError("cannot reshape " + describe(dtype_, shape_) + " to " + shape_str(s));
    Tensor t = *this;
    t.shape_ = s;
    return t;
}

Tensor Tensor::leading_range(int64_t start, int64_t stop) const {
    if (rank() == 0 || start < 0 || start > stop || stop > dim(0))
        internal_error("leading_range out of bounds");
    Tensor t = *this;
    t.shape_[0] = stop - start;
    t.numel_ = checked_numel(t.shape_);
    const int64_t offset = dim(0) == 0 ? 0 : start * (numel_ / dim(0)) * dtype_size(dtype_);
    t.storage_ = std::shared_ptr<std::byte[]>(storage_, storage_.get() + offset);
    return t;
}

Tensor Tensor::to(DType target) const {
    if (target == dtype_) return *this;
    Tensor out = empty(target, shape_);
    visit_dtype(dtype_, [&]<class From>(std::type_identity<From>) {
        visit_dtype(target, [&]<class To>(std::type_identity<To>) {
            const From* in = data<From>();
            To* o = out.data<To>();
            const int64_t n = numel_;
#pragma omp parallel for if (n > kParallelThreshold)
            for (int64_t i = 0; i < n; ++i) o[i] = convert_element<To>(in[i]);
        });
    });
    return out;
}

}  // namespace nnc
