// OpKind: the enumeration generated from ops.def, with its spelling and arity.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nnc {

enum class OpKind : uint16_t {
#define OP(kind, spelling, arity) kind,
#include "core/ops.def"
#undef OP
};

inline constexpr int kNumOpKinds = 0
#define OP(kind, spelling, arity) +1
#include "core/ops.def"
#undef OP
    ;

std::string_view op_name(OpKind k);   // printed spelling, e.g. "reduce_sum"
int op_arity(OpKind k);               // number of tensor operands, -1 = variadic
std::optional<OpKind> parse_op_name(std::string_view spelling);

// for, if, while, yield, return: structure rather than computation.
constexpr bool is_control_flow(OpKind k) { return k >= OpKind::For; }

// rand, randn: passes neither fold nor merge them (each draws fresh numbers).
constexpr bool is_random(OpKind k) { return k == OpKind::RandUniform || k == OpKind::RandNormal; }

}  // namespace nnc
