// Printing and conversion of symbolic dimensions and tensor types.
#include "ir/shape.h"

#include <cassert>

namespace nnc {

std::string Dim::str() const {
    if (is_known()) return std::to_string(value_);
    if (is_symbol()) return symbol_;
    return "_";
}

TensorType TensorType::of(DType t, const Shape& concrete) {
    TensorType type{t, {}};
    type.dims.reserve(concrete.size());
    for (int64_t n : concrete) type.dims.push_back(Dim::known(n));
    return type;
}

bool TensorType::fully_known() const {
    for (const Dim& d : dims)
        if (!d.is_known()) return false;
    return true;
}

Shape TensorType::concrete() const {
    assert(fully_known() && "concrete() of a type with symbolic dimensions");
    Shape s;
    s.reserve(dims.size());
    for (const Dim& d : dims) s.push_back(d.value());
    return s;
}

std::string TensorType::str() const {
    std::string s(dtype_name(dtype));
    if (dims.empty()) return s;
    s += '[';
    for (size_t i = 0; i < dims.size(); ++i) {
        if (i) s += ", ";
        s += dims[i].str();
    }
    return s + ']';
}

std::string shape_str(const Shape& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += ", ";
        out += std::to_string(s[i]);
    }
    return out + ']';
}

}  // namespace nnc
