// Tensor: a dtype, a concrete shape and reference-counted contiguous storage
// (row-major). Copies share storage; `clone()` copies data. The runtime's only
// tensor class: kernels, the evaluator and file formats all use it.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/dtype.h"
#include "core/shape.h"

namespace nnc {

// A user-facing runtime failure: allocation too large, bad index, bad file.
class RuntimeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Tensor {
public:
    Tensor() = default;   // a null tensor (defined() == false)

    // Uninitialised storage. Throws RuntimeError for negative dims, element
    // counts that overflow, or allocations that fail.
    static Tensor empty(DType dtype, const Shape& shape);
    static Tensor zeros(DType dtype, const Shape& shape);
    static Tensor scalar(double value, DType dtype);   // rank 0
    // A tensor over existing storage (e.g. a slice of an executable's
    // arena, through shared_ptr's aliasing constructor); the caller
    // guarantees it holds numel * dtype_size bytes.
    static Tensor wrap(std::shared_ptr<std::byte[]> storage, DType dtype, const Shape& shape);

    bool defined() const { return storage_ != nullptr; }
    DType dtype() const { return dtype_; }
    const Shape& shape() const { return shape_; }
    int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
    int64_t dim(int64_t i) const { return shape_[i]; }
    int64_t numel() const { return numel_; }
    int64_t nbytes() const { return numel_ * dtype_size(dtype_); }
    TensorType type() const { return TensorType::of(dtype_, shape_); }

    void* raw() const { return storage_ ? storage_.get() : nullptr; }
    // How many tensors share this storage (1: only this one), which tells
    // whether a compiled step may update it in place.
    long storage_owners() const { return storage_.use_count(); }
    const std::shared_ptr<std::byte[]>& storage() const { return storage_; }
    template <class T> T* data() const { return static_cast<T*>(raw()); }

    // Element i (flat index) converted to double / int64, any dtype.
    double get(int64_t i) const;
    int64_t get_int(int64_t i) const;
    void set(int64_t i, double v);          // converts to the tensor's dtype
    void set_int(int64_t i, int64_t v);     // exact for integer dtypes
    double item() const;                    // requires numel() == 1

    Tensor clone() const;
    Tensor reshaped(const Shape& s) const;  // shares storage; numel must match
    // Entries [start, stop) of the first dimension, sharing storage (the
    // storage's owner count includes the view, so no one updates it in
    // place). Requires 0 <= start <= stop <= dim(0).
    Tensor leading_range(int64_t start, int64_t stop) const;
    Tensor to(DType t) const;               // converted copy (or *this if same)

private:
    std::shared_ptr<std::byte[]> storage_;
    DType dtype_ = DType::F32;
    Shape shape_;
    int64_t numel_ = 0;
};

// Element count of a shape; throws RuntimeError on negative dims or overflow.
int64_t checked_numel(const Shape& shape);

}  // namespace nnc
