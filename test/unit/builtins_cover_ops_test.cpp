// Every op of the table is reachable from .nn code: a builtin of its own
// name, or the operator, builtin or syntax listed here (and a listed builtin
// exists). An op only the compiler emits says who emits it. A new row in
// ops.def fails this test until it is given a builtin or an entry.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "core/op_kind.h"
#include "interp/builtins/builtins.h"
#include "interp/scope.h"

namespace nnc {
namespace {

struct Reach {
    const char* how;       // the operator, syntax or emitter
    const char* builtin;   // a builtin of another name that computes it, or null
};

const std::map<std::string, Reach, std::less<>> kReachedOtherwise = {
    {"constant", {"a literal, or any concrete tensor a trace captures", nullptr}},
    {"full_like", {"full/zeros/ones over symbolic dims while tracing", "full"}},
    {"neg", {"-x", nullptr}},
    {"not", {"not x", nullptr}},
    {"add", {"x + y", nullptr}},
    {"sub", {"x - y", nullptr}},
    {"mul", {"x * y", nullptr}},
    {"div", {"x / y", nullptr}},
    {"mod", {"x % y", nullptr}},
    {"floor_div", {"x // y", nullptr}},
    {"eq", {"x == y", nullptr}},
    {"ne", {"x != y", nullptr}},
    {"lt", {"x < y", nullptr}},
    {"le", {"x <= y", nullptr}},
    {"gt", {"x > y", nullptr}},
    {"ge", {"x >= y", nullptr}},
    {"and", {"x and y", nullptr}},
    {"or", {"x or y", nullptr}},
    {"reduce_sum", {"sum(x, axis)", "sum"}},
    {"reduce_mean", {"mean(x, axis)", "mean"}},
    {"reduce_max", {"max(x, axis)", "max"}},
    {"reduce_min", {"min(x, axis)", "min"}},
    {"dim", {"x.shape[i] of a symbolic dim while tracing", nullptr}},
    {"slice", {"x[a:b:c]", nullptr}},
    {"update_slice", {"x[a:b] = v", nullptr}},
    {"update_index", {"x[i] = v", nullptr}},
    {"expand_dims", {"autodiff (the cotangent of a reduction without keepdim)", nullptr}},
    {"sum_like", {"autodiff (the transpose of broadcasting)", nullptr}},
    {"broadcast_like", {"zeros_like/ones_like over symbolic dims while tracing, and autodiff", "zeros_like"}},
    {"scatter_add", {"autodiff (gather's transpose)", nullptr}},
    {"index_add", {"autodiff (take's transpose)", nullptr}},
    {"gemm", {"select-gemm, from 2-D matmuls", nullptr}},
    {"conv2d_grad_input", {"autodiff of conv2d", nullptr}},
    {"conv2d_grad_weight", {"autodiff of conv2d", nullptr}},
    {"max_pool2d_grad", {"autodiff of max_pool2d", nullptr}},
    {"max_pool2d_select", {"forward-mode autodiff of max_pool2d", nullptr}},
    {"avg_pool2d_grad", {"autodiff of avg_pool2d", nullptr}},
};

TEST(Builtins, EveryOpIsReachable) {
    auto scope = std::make_shared<Scope>();
    define_builtins(*scope);
    for (int k = 0; k < kNumOpKinds; ++k) {
        const auto kind = static_cast<OpKind>(k);
        if (is_control_flow(kind)) continue;   // for, if, while come from the statements; fusion from the pass
        const std::string name(op_name(kind));
        SCOPED_TRACE(name);
        auto other = kReachedOtherwise.find(name);
        if (other == kReachedOtherwise.end()) {
            EXPECT_NE(scope->lookup(name), nullptr) << "no builtin `" << name << "` and no entry in kReachedOtherwise";
            continue;
        }
        EXPECT_EQ(scope->lookup(name), nullptr) << "a builtin of its own name: the entry is stale";
        if (other->second.builtin) {
            EXPECT_NE(scope->lookup(other->second.builtin), nullptr) << other->second.builtin;
        }
    }
}

}  // namespace
}  // namespace nnc
