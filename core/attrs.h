// Attrs: the named, typed attributes of one primitive operation
// (`axes = [1], keepdim = true`). Small ordered list; looked up by name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/dtype.h"

namespace nnc {

using AttrValue = std::variant<bool, int64_t, double, std::vector<int64_t>, DType>;

class Attrs {
public:
    Attrs() = default;
    Attrs(std::initializer_list<std::pair<std::string, AttrValue>> init)
        : items_(init) {}

    Attrs& set(std::string name, AttrValue v);
    bool has(std::string_view name) const;
    bool is_int(std::string_view name) const;   // present and an int (not a double)

    // Typed getters. The one-argument forms are internal errors when the
    // attribute is missing or has another type (a compiler bug, not user input).
    bool get_bool(std::string_view name) const;
    int64_t get_int(std::string_view name) const;
    double get_double(std::string_view name) const;   // also accepts an int
    const std::vector<int64_t>& get_ints(std::string_view name) const;
    DType get_dtype(std::string_view name) const;

    bool get_bool(std::string_view name, bool fallback) const;
    int64_t get_int(std::string_view name, int64_t fallback) const;
    double get_double(std::string_view name, double fallback) const;
    DType get_dtype(std::string_view name, DType fallback) const;

    const std::vector<std::pair<std::string, AttrValue>>& items() const { return items_; }
    // "{axes = [1], keepdim = true, value = 0.5}" ("" when empty). Doubles
    // print exactly and with a `.` or exponent (1.0), so the IR text parser
    // reads back the same attributes.
    std::string str() const;

private:
    const AttrValue* find(std::string_view name) const;
    std::vector<std::pair<std::string, AttrValue>> items_;
};

}  // namespace nnc
