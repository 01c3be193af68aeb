// Attribute lists: insertion, typed lookup and printing. A missing or
// mistyped attribute is a compiler bug and raises InternalError (support/error.h).
#include "core/attrs.h"
#include "support/error.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace nnc {

namespace {

[[noreturn]] void attribute_error(std::string_view name, std::string_view problem) {
    internal_error("attribute '" + std::string(name) + "' " + std::string(problem));
}

template <class T> const T& typed(const AttrValue* v, std::string_view name, std::string_view type) {
    if (!v) attribute_error(name, "is missing");
    const T* p = std::get_if<T>(v);
    if (!p) attribute_error(name, "is not " + std::string(type));
    return *p;
}

// The shortest text that reads back as exactly `d`, always with a `.` or an
// exponent so that it reads back as a double rather than an int: 0.1, 1.0,
// 1e+20, -0.0, nan, inf.
std::string format_double(double d) {
    if (std::isnan(d)) return "nan";
    if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
    char buf[32];
    std::string s(buf, std::to_chars(buf, buf + sizeof buf, d).ptr);
    if (s.find_first_of(".e") == std::string::npos) s += ".0";
    return s;
}

std::string format_value(const AttrValue& v) {
    if (auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    if (auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    if (auto* d = std::get_if<double>(&v)) return format_double(*d);
    if (auto* t = std::get_if<DType>(&v)) return std::string(dtype_name(*t));
    const auto& list = std::get<std::vector<int64_t>>(v);
    std::string s = "[";
    for (size_t i = 0; i < list.size(); ++i) s += (i ? ", " : "") + std::to_string(list[i]);
    return s + "]";
}

}  // namespace

Attrs& Attrs::set(std::string name, AttrValue v) {
    for (auto& [key, value] : items_) {
        if (key == name) {
            value = std::move(v);
            return *this;
        }
    }
    items_.emplace_back(std::move(name), std::move(v));
    return *this;
}

bool Attrs::is_int(std::string_view name) const {
    const AttrValue* v = find(name);
    return v && std::holds_alternative<int64_t>(*v);
}

bool Attrs::has(std::string_view name) const { return find(name) != nullptr; }

const AttrValue* Attrs::find(std::string_view name) const {
    for (const auto& [key, value] : items_)
        if (key == name) return &value;
    return nullptr;
}

bool Attrs::get_bool(std::string_view name) const { return typed<bool>(find(name), name, "a bool"); }

int64_t Attrs::get_int(std::string_view name) const { return typed<int64_t>(find(name), name, "an int"); }

double Attrs::get_double(std::string_view name) const {
    const AttrValue* v = find(name);
    if (auto* i = v ? std::get_if<int64_t>(v) : nullptr) return static_cast<double>(*i);
    return typed<double>(v, name, "a number");
}

const std::vector<int64_t>& Attrs::get_ints(std::string_view name) const {
    return typed<std::vector<int64_t>>(find(name), name, "a list of ints");
}

DType Attrs::get_dtype(std::string_view name) const { return typed<DType>(find(name), name, "a dtype"); }

bool Attrs::get_bool(std::string_view name, bool fallback) const {
    return has(name) ? get_bool(name) : fallback;
}

int64_t Attrs::get_int(std::string_view name, int64_t fallback) const {
    return has(name) ? get_int(name) : fallback;
}

double Attrs::get_double(std::string_view name, double fallback) const {
    return has(name) ? get_double(name) : fallback;
}

DType Attrs::get_dtype(std::string_view name, DType fallback) const {
    return has(name) ? get_dtype(name) : fallback;
}

std::string Attrs::str() const {
    if (items_.empty()) return "";
    std::string s = "{";
    for (size_t i = 0; i < items_.size(); ++i) {
        if (i) s += ", ";
        s += items_[i].first + " = " + format_value(items_[i].second);
    }
    return s + "}";
}

}  // namespace nnc
