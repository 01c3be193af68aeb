// Parsing the attribute column of ops.def once, and checking attributes
// against it (see attr_schema.h).
#include "core/attr_schema.h"

#include <array>
#include <vector>

#include "support/error.h"

namespace nnc {

namespace {

constexpr std::array<std::string_view, kNumOpKinds> kSchemas = {{
#define OP(kind, spelling, arity, family, dtype_rule, grads, attributes) attributes,
#include "core/ops.def"
#undef OP
}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

AttrType parse_type(std::string_view type, std::string_view schema) {
    for (AttrType t : {AttrType::Int, AttrType::Ints, AttrType::Number, AttrType::Bool, AttrType::DType})
        if (attr_type_name(t) == type) return t;
    internal_error("ops.def: unknown attribute type `" + std::string(type) + "` in \"" + std::string(schema) + "\"");
}

// "axis?: int, keepdim?: bool" -> its specs.
std::vector<AttrSpec> parse_schema(std::string_view schema) {
    std::vector<AttrSpec> specs;
    for (std::string_view rest = schema; !trim(rest).empty();) {
        const size_t comma = rest.find(',');
        const std::string_view item = trim(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
        const size_t colon = item.find(':');
        if (colon == std::string_view::npos) internal_error("ops.def: no type in \"" + std::string(schema) + "\"");
        std::string_view name = trim(item.substr(0, colon));
        const bool optional = !name.empty() && name.back() == '?';
        if (optional) name.remove_suffix(1);
        specs.push_back({name, parse_type(trim(item.substr(colon + 1)), schema), !optional});
    }
    return specs;
}

const std::array<std::vector<AttrSpec>, kNumOpKinds>& schemas() {
    static const auto table = [] {
        std::array<std::vector<AttrSpec>, kNumOpKinds> t;
        for (size_t k = 0; k < t.size(); ++k) t[k] = parse_schema(kSchemas[k]);
        return t;
    }();
    return table;
}

bool has_type(const AttrValue& v, AttrType type) {
    switch (type) {
    case AttrType::Int: return std::holds_alternative<int64_t>(v);
    case AttrType::Ints: return std::holds_alternative<std::vector<int64_t>>(v);
    case AttrType::Number: return std::holds_alternative<int64_t>(v) || std::holds_alternative<double>(v);
    case AttrType::Bool: return std::holds_alternative<bool>(v);
    case AttrType::DType: return std::holds_alternative<DType>(v);
    }
    return false;
}

std::string_view value_type(const AttrValue& v) {
    if (std::holds_alternative<bool>(v)) return "bool";
    if (std::holds_alternative<int64_t>(v)) return "int";
    if (std::holds_alternative<double>(v)) return "double";
    if (std::holds_alternative<DType>(v)) return "dtype";
    return "ints";
}

}  // namespace

std::span<const AttrSpec> op_attributes(OpKind kind) { return schemas()[static_cast<size_t>(kind)]; }

std::string_view attr_type_name(AttrType type) {
    switch (type) {
    case AttrType::Int: return "int";
    case AttrType::Ints: return "ints";
    case AttrType::Number: return "number";
    case AttrType::Bool: return "bool";
    case AttrType::DType: return "dtype";
    }
    return "?";
}

std::optional<std::string> check_attributes(OpKind kind, const Attrs& attrs) {
    const std::span<const AttrSpec> specs = op_attributes(kind);
    for (const auto& [name, value] : attrs.items()) {
        const AttrSpec* spec = nullptr;
        for (const AttrSpec& s : specs)
            if (s.name == name) spec = &s;
        if (!spec) {
            std::string takes;
            for (const AttrSpec& s : specs) takes += (takes.empty() ? "" : ", ") + std::string(s.name);
            return "unknown attribute `" + name + "` (" + std::string(op_name(kind)) +
                   (takes.empty() ? " takes none)" : " takes " + takes + ")");
        }
        if (!has_type(value, spec->type))
            return "attribute `" + name + "` must be " + std::string(attr_type_name(spec->type)) + ", not " +
                   std::string(value_type(value));
    }
    for (const AttrSpec& s : specs)
        if (s.required && !attrs.has(s.name)) return "missing attribute `" + std::string(s.name) + "`";
    return std::nullopt;
}

}  // namespace nnc
