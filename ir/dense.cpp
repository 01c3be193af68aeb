// Printing constant payloads as `dense<...>` literals and building payloads
// back from parsed literals.
#include "ir/dense.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace nnc::ir {

namespace {

// Shortest text that reads back as exactly `v` in the precision of `dtype`.
std::string format_element(const Tensor& t, int64_t i) {
    const DType dtype = t.dtype();
    if (dtype == DType::Bool) return t.get_int(i) ? "true" : "false";
    if (is_integral(dtype)) return std::to_string(t.get_int(i));
    const double v = t.get(i);
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
    char buf[32];
    char* end = dtype == DType::F64 ? std::to_chars(buf, buf + sizeof buf, v).ptr
                                    : std::to_chars(buf, buf + sizeof buf, static_cast<float>(v)).ptr;
    std::string shortest(buf, end);
    if (dtype == DType::F16 || dtype == DType::BF16) {
        // The float's digits are more than a half needs (0.099975586 for
        // f16 0.1): try the fewest %g digits that read back as the same half.
        for (int precision = 1; precision < 9; ++precision) {
            std::snprintf(buf, sizeof buf, "%.*g", precision, v);
            if (Tensor::scalar(std::strtod(buf, nullptr), dtype).get(0) != v) continue;
            if (std::strlen(buf) < shortest.size()) shortest = buf;
            break;
        }
    }
    return shortest;
}

bool all_elements_equal(const Tensor& t) {
    const auto* bytes = static_cast<const unsigned char*>(t.raw());
    const size_t size = static_cast<size_t>(dtype_size(t.dtype()));
    for (int64_t i = 1; i < t.numel(); ++i)
        if (std::memcmp(bytes, bytes + i * size, size) != 0) return false;
    return true;
}

// `[[1, 2], [3, 4]]`: the elements from `*next` on, nested from dimension `d`.
void format_list(const Tensor& t, size_t d, int64_t& next, std::string& out) {
    out += '[';
    for (int64_t i = 0; i < t.dim(static_cast<int64_t>(d)); ++i) {
        if (i) out += ", ";
        if (d + 1 == t.shape().size()) out += format_element(t, next++);
        else format_list(t, d + 1, next, out);
    }
    out += ']';
}

std::string format_hex(const Tensor& t) {
    static const char kDigits[] = "0123456789ABCDEF";
    const auto* bytes = static_cast<const unsigned char*>(t.raw());
    std::string out = "\"0x";
    for (int64_t i = 0; i < t.nbytes(); ++i) out += {kDigits[bytes[i] >> 4], kDigits[bytes[i] & 15]};
    return out + '"';
}

// Stores one spelled element into `t` at `i`; false when it does not fit the dtype.
bool store_element(Tensor& t, int64_t i, const std::string& text) {
    const DType dtype = t.dtype();
    const char* first = text.data();
    const char* last = first + text.size();
    if (dtype == DType::Bool) {
        if (text != "true" && text != "false") return false;
        t.data<bool>()[i] = text == "true";
        return true;
    }
    if (is_integral(dtype)) {
        int64_t n = 0;
        auto [end, ec] = std::from_chars(first, last, n);
        if (ec != std::errc() || end != last) return false;
        switch (dtype) {
        case DType::I8:
            if (n < std::numeric_limits<int8_t>::min() || n > std::numeric_limits<int8_t>::max()) return false;
            t.data<int8_t>()[i] = static_cast<int8_t>(n);
            return true;
        case DType::I32:
            if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) return false;
            t.data<int32_t>()[i] = static_cast<int32_t>(n);
            return true;
        default:
            t.data<int64_t>()[i] = n;
            return true;
        }
    }
    double v = 0;
    auto [end, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || end != last) return false;
    t.set(i, v);
    return true;
}

bool fill_from_hex(Tensor& t, const std::string& hex) {
    if (static_cast<int64_t>(hex.size()) != 2 * t.nbytes()) return false;
    auto* bytes = static_cast<unsigned char*>(t.raw());
    for (int64_t i = 0; i < t.nbytes(); ++i) {
        unsigned value = 0;
        auto [end, ec] = std::from_chars(hex.data() + 2 * i, hex.data() + 2 * i + 2, value, 16);
        if (ec != std::errc() || end != hex.data() + 2 * i + 2) return false;
        bytes[i] = static_cast<unsigned char>(value);
    }
    return true;
}

}  // namespace

std::string format_dense(const Tensor& t) {
    std::string out = "dense<";
    if (t.numel() == 0) out += "[]";
    else if (all_elements_equal(t)) out += format_element(t, 0);
    else if (t.numel() <= kMaxListedElements) {
        int64_t next = 0;
        format_list(t, 0, next, out);
    } else out += format_hex(t);
    return out + '>';
}

Tensor make_dense(const DenseLiteral& literal, const TensorType& type, std::string& error) {
    if (!type.fully_known()) {
        error = "the type of a constant must have known dimensions, got " + type.str();
        return {};
    }
    Tensor t = Tensor::zeros(type.dtype, type.concrete());
    switch (literal.form) {
    case DenseLiteral::Form::Hex:
        if (!fill_from_hex(t, literal.hex)) {
            error = "hex literal does not hold the " + std::to_string(t.nbytes()) + " bytes of " + type.str();
            return {};
        }
        return t;
    case DenseLiteral::Form::Splat:
        for (int64_t i = 0; i < t.numel(); ++i) {
            if (!store_element(t, i, literal.elements[0])) {
                error = "'" + literal.elements[0] + "' is not a valid " + std::string(dtype_name(type.dtype));
                return {};
            }
        }
        return t;
    case DenseLiteral::Form::List:
        if (literal.list_shape != t.shape() && !(t.numel() == 0 && literal.elements.empty())) {
            error = "literal of shape " + shape_str(literal.list_shape) + " does not match " + type.str();
            return {};
        }
        for (int64_t i = 0; i < t.numel(); ++i) {
            if (!store_element(t, i, literal.elements[static_cast<size_t>(i)])) {
                error = "'" + literal.elements[static_cast<size_t>(i)] + "' is not a valid " +
                        std::string(dtype_name(type.dtype));
                return {};
            }
        }
        return t;
    }
    return t;
}

}  // namespace nnc::ir
