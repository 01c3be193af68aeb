// The columns of each OpKind's row, read from the ops.def table.
#include "core/op_kind.h"

#include <array>

namespace nnc {

namespace {

// The Grads column: a bit per operand (every bit for GradAll, so variadic ops too).
constexpr uint32_t GradAll = ~0u;
constexpr uint32_t GradNone = 0;
template <class... Operand> constexpr uint32_t Grad(Operand... i) { return ((1u << i) | ...); }

struct OpInfo {
    std::string_view name;
    int arity;
    OpFamily family;
    DtypeRule dtype_rule;
    uint32_t grads;
};

constexpr std::array<OpInfo, kNumOpKinds> kOps = {{
#define OP(kind, spelling, arity, family, dtype_rule, grads, attributes) \
    {spelling, arity, OpFamily::family, DtypeRule::dtype_rule, grads},
#include "core/ops.def"
#undef OP
}};

const OpInfo& info(OpKind k) { return kOps[static_cast<size_t>(k)]; }

}  // namespace

std::string_view op_name(OpKind k) { return info(k).name; }

std::string_view user_op_name(OpKind k) {
    switch (k) {
    case OpKind::ReduceSum: return "sum";
    case OpKind::ReduceMean: return "mean";
    case OpKind::ReduceMax: return "max";
    case OpKind::ReduceMin: return "min";
    case OpKind::FloorDiv: return "//";
    default: return op_name(k);
    }
}

int op_arity(OpKind k) { return info(k).arity; }

OpFamily op_family(OpKind k) { return info(k).family; }

DtypeRule op_dtype_rule(OpKind k) { return info(k).dtype_rule; }

bool op_differentiable(OpKind k) { return info(k).grads != 0; }

bool operand_differentiable(OpKind k, size_t i) { return i >= 32 ? info(k).grads == GradAll : (info(k).grads >> i) & 1u; }

std::optional<OpKind> parse_op_name(std::string_view spelling) {
    for (size_t i = 0; i < kOps.size(); ++i)
        if (kOps[i].name == spelling) return static_cast<OpKind>(i);
    return std::nullopt;
}

}  // namespace nnc
