// OpKind: the enumeration generated from ops.def, with each op's spelling,
// arity, family, dtype rule and differentiable operands (the columns of
// its row; the attribute schema is in attr_schema.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace nnc {

enum class OpKind : uint16_t {
#define OP(kind, spelling, arity, family, dtype_rule, grads, attributes) kind,
#include "core/ops.def"
#undef OP
};

inline constexpr int kNumOpKinds = 0
#define OP(kind, spelling, arity, family, dtype_rule, grads, attributes) +1
#include "core/ops.def"
#undef OP
    ;

// How an op computes (the families are described in ops.def).
enum class OpFamily : uint8_t { Creation, Elementwise, Reduction, Layout, Index, Library, Structure };

// The dtype of an op's result (described in ops.def).
enum class DtypeRule : uint8_t { Promote, Float, Bool, Attr, Own };

std::string_view op_name(OpKind k);   // printed spelling, e.g. "reduce_sum"
// What .nn code calls it, for messages: "sum" for reduce_sum, "//" for
// floor_div, else op_name.
std::string_view user_op_name(OpKind k);
int op_arity(OpKind k);               // number of tensor operands, -1 = variadic
OpFamily op_family(OpKind k);
DtypeRule op_dtype_rule(OpKind k);
std::optional<OpKind> parse_op_name(std::string_view spelling);

// Whether a derivative flows through operand `i` of `k` (the Grads column);
// an op with none has no derivative (comparisons, argmax, creation...).
bool op_differentiable(OpKind k);
bool operand_differentiable(OpKind k, size_t i);

// for, if, while, yield, return: structure rather than computation.
constexpr bool is_control_flow(OpKind k) { return k >= OpKind::For; }

// rand, randn: passes neither fold nor merge them (each draws fresh numbers).
constexpr bool is_random(OpKind k) { return k == OpKind::RandUniform || k == OpKind::RandNormal; }

}  // namespace nnc
