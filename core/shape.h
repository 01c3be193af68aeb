// Shapes that may be partly unknown: a Dim is a known size, a named symbol
// (`B`, bound when a fn is called) or unknown (`_`). TensorType pairs a DType
// with such a shape. Concrete runtime shapes are plain `std::vector<int64_t>`.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace nnc {

using Shape = std::vector<int64_t>;

class Dim {
public:
    static Dim known(int64_t n) { return Dim(n, {}); }
    static Dim symbol(std::string name) { return Dim(-1, std::move(name)); }
    static Dim any() { return Dim(-1, {}); }

    bool is_known() const { return value_ >= 0; }
    bool is_symbol() const { return !symbol_.empty(); }
    int64_t value() const { return value_; }           // -1 unless known
    const std::string& name() const { return symbol_; }

    bool operator==(const Dim& o) const { return value_ == o.value_ && symbol_ == o.symbol_; }
    std::string str() const;   // "32", "B" or "_"

private:
    Dim(int64_t v, std::string s) : value_(v), symbol_(std::move(s)) {}
    int64_t value_;
    std::string symbol_;
};

struct TensorType {
    DType dtype = DType::F32;
    std::vector<Dim> dims;

    static TensorType of(DType t, const Shape& concrete);
    int64_t rank() const { return static_cast<int64_t>(dims.size()); }
    bool fully_known() const;
    Shape concrete() const;        // requires fully_known()
    std::string str() const;       // "f32[B, 784]", "f32" for rank 0
    bool operator==(const TensorType& o) const { return dtype == o.dtype && dims == o.dims; }
};

std::string shape_str(const Shape& s);   // "[2, 3]"

// Reads "f32[B, 784]", "i32[_]" or "f32" (spaces optional); nullopt if malformed.
std::optional<TensorType> parse_tensor_type(std::string_view text);

}  // namespace nnc
