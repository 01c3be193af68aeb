// The derivative table: for each primitive, a reverse-mode rule (the
// cotangents of its operands from the cotangent of its result) and a
// forward-mode rule (the tangent of its result from its operands' tangents),
// keyed by OpKind like the shape rules and kernels. Rules emit primitives
// with the Builder at its insertion point, so what they build is itself
// differentiable. Every cotangent a rule returns has exactly its operand's
// type (dtype and dims), every tangent exactly the result's type.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "ir/builder.h"

namespace nnc::autodiff {

// `op` is the primal op (its operands and result are in scope), `ct` the
// cotangent of its result; `wanted[i]` says whether operand i needs a
// cotangent. Returns one entry per operand: null where none is wanted.
using VjpRule = std::vector<ir::Value*> (*)(ir::Builder& b, const ir::Op& op, ir::Value* ct,
                                            const std::vector<bool>& wanted);

// `tangents` has one entry per operand, null for a zero tangent (at least
// one is not null). Returns the result's tangent.
using JvpRule = ir::Value* (*)(ir::Builder& b, const ir::Op& op, std::span<ir::Value* const> tangents);

struct Rules {
    VjpRule vjp = nullptr;
    JvpRule jvp = nullptr;
};

using RuleTable = std::array<Rules, kNumOpKinds>;

// The rules of `kind`; both null for the ops `has_derivative` rejects.
const Rules& rules_for(OpKind kind);

// The Grads column of ops.def. False for ops whose result carries no
// derivative: creation ops (no operands), comparisons and logic, sign,
// argmax/argmin, dim, one_hot and stop_gradient; and for control flow,
// which the traversals handle.
bool has_derivative(OpKind kind);

// Whether a derivative flows through operand `i` of `kind`: false for
// indices, conditions and the shape-only operand of broadcast_like / sum_like,
// and for the pooled input of max_pool2d_grad / max_pool2d_select.
bool carries_derivative(OpKind kind, size_t i);

// The forward rule of an op linear in its differentiable operands: the op
// itself applied to their tangents (zeros where null), other operands kept.
ir::Value* linear_jvp(ir::Builder& b, const ir::Op& op, std::span<ir::Value* const> tangents);

// Each op family's file fills its rows.
void add_elementwise_rules(RuleTable& table);
void add_reduce_rules(RuleTable& table);
void add_shape_rules(RuleTable& table);
void add_index_rules(RuleTable& table);
void add_nn_rules(RuleTable& table);

}  // namespace nnc::autodiff
