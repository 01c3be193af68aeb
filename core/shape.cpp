// Printing and conversion of symbolic dimensions and tensor types.
#include "core/shape.h"
#include "support/error.h"

#include <cctype>

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
    NNC_CHECK(fully_known(), "concrete() of a type with symbolic dimensions: " + str());
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

std::optional<TensorType> parse_tensor_type(std::string_view text) {
    std::string compact;
    for (char c : text)
        if (c != ' ') compact += c;
    size_t open = compact.find('[');
    auto dtype = parse_dtype(std::string_view(compact).substr(0, open));
    if (!dtype) return std::nullopt;
    TensorType t{*dtype, {}};
    if (open == std::string::npos) return t;
    if (compact.back() != ']' || compact.size() == open + 2) return std::nullopt;
    std::string_view dims(compact.data() + open + 1, compact.size() - open - 2);
    while (true) {
        size_t comma = dims.find(',');
        std::string_view d = dims.substr(0, comma);
        if (d.empty()) return std::nullopt;
        if (d == "_") t.dims.push_back(Dim::any());
        else if (std::isdigit(static_cast<unsigned char>(d[0]))) {
            int64_t n = 0;
            for (char c : d) {
                if (!std::isdigit(static_cast<unsigned char>(c)) || n > (int64_t{1} << 50)) return std::nullopt;
                n = n * 10 + (c - '0');
            }
            t.dims.push_back(Dim::known(n));
        } else {
            for (char c : d)
                if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return std::nullopt;
            t.dims.push_back(Dim::symbol(std::string(d)));
        }
        if (comma == std::string_view::npos) break;
        dims.remove_prefix(comma + 1);
    }
    return t;
}

}  // namespace nnc
