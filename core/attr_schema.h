// The attribute schema of each op (the last column of ops.def): which
// attributes it takes, of which type, and which it needs. The IR verifier
// checks every op against it, so IR text with a misspelt, mistyped or
// missing attribute is a diagnostic, not an internal error in a pass.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/attrs.h"
#include "core/op_kind.h"

namespace nnc {

enum class AttrType : uint8_t { Int, Ints, Number, Bool, DType };

struct AttrSpec {
    std::string_view name;
    AttrType type;
    bool required;
};

// The attributes `kind` takes, in the order of its schema.
std::span<const AttrSpec> op_attributes(OpKind kind);

// "int", "ints", "number", "bool", "dtype".
std::string_view attr_type_name(AttrType type);

// Why `attrs` do not fit the schema of `kind` ("unknown attribute `axs`
// (reduce_sum takes axis, axes, keepdim)", "attribute `perm` must be ints,
// not int", "missing attribute `perm`"), or nullopt when they do.
std::optional<std::string> check_attributes(OpKind kind, const Attrs& attrs);

}  // namespace nnc
