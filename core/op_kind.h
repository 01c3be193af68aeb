// OpKind: the enumeration generated from ops.def, with its spelling, arity
// and family.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace nnc {

enum class OpKind : uint16_t {
#define OP(kind, spelling, arity, family) kind,
#include "core/ops.def"
#undef OP
};

inline constexpr int kNumOpKinds = 0
#define OP(kind, spelling, arity, family) +1
#include "core/ops.def"
#undef OP
    ;

// How an op computes (the families are described in ops.def).
enum class OpFamily : uint8_t { Creation, Elementwise, Reduction, Layout, Index, Library, Structure };

std::string_view op_name(OpKind k);   // printed spelling, e.g. "reduce_sum"
int op_arity(OpKind k);               // number of tensor operands, -1 = variadic
OpFamily op_family(OpKind k);
std::optional<OpKind> parse_op_name(std::string_view spelling);

// for, if, while, yield, return: structure rather than computation.
constexpr bool is_control_flow(OpKind k) { return k >= OpKind::For; }

// rand, randn: passes neither fold nor merge them (each draws fresh numbers).
constexpr bool is_random(OpKind k) { return k == OpKind::RandUniform || k == OpKind::RandNormal; }

}  // namespace nnc
