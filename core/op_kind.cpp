// Spelling, arity and family of each OpKind, read from the ops.def table.
#include "core/op_kind.h"

#include <array>

namespace nnc {

namespace {

struct OpInfo {
    std::string_view name;
    int arity;
    OpFamily family;
};

constexpr std::array<OpInfo, kNumOpKinds> kOps = {{
#define OP(kind, spelling, arity, family) {spelling, arity, OpFamily::family},
#include "core/ops.def"
#undef OP
}};

}  // namespace

std::string_view op_name(OpKind k) { return kOps[static_cast<size_t>(k)].name; }

int op_arity(OpKind k) { return kOps[static_cast<size_t>(k)].arity; }

OpFamily op_family(OpKind k) { return kOps[static_cast<size_t>(k)].family; }

std::optional<OpKind> parse_op_name(std::string_view spelling) {
    for (size_t i = 0; i < kOps.size(); ++i)
        if (kOps[i].name == spelling) return static_cast<OpKind>(i);
    return std::nullopt;
}

}  // namespace nnc
