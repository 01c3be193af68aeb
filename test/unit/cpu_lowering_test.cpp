// The CPU target's lowering table (codegen/cpu/cpu_target.h) against its
// kernel emitter: every op and dtype the table says the emitter lowers is
// fused, JIT-compiled and run, and computes what the IR interpreter
// computes; what the table refuses stays a library op.
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/cpu/cpu_target.h"
#include "codegen/cpu/kernel_module.h"
#include "core/shape_rules.h"
#include "ir/builder.h"
#include "ir/interpret.h"
#include "ir/passes/pipeline.h"
#include "test/unit/gradcheck.h"
#include "test/unit/test_tensors.h"

namespace nnc::testing {
namespace {

constexpr DType kDtypes[] = {DType::F32, DType::F64, DType::I32, DType::I64, DType::Bool, DType::F16};

// Operands of `dtype` for an op of `kind` (where's condition is bool).
std::vector<Tensor> operands_for(OpKind kind, DType dtype, uint64_t seed) {
    // integers 1 and 2: no division by zero
    auto of = [&](DType t, uint64_t s) -> Tensor { return uniform({3, 4}, 1.0, 3.0, s).to(t); };
    if (kind == OpKind::Where) return {of(DType::Bool, seed), of(dtype, seed + 1), of(dtype, seed + 2)};
    const int arity = op_arity(kind);
    std::vector<Tensor> out;
    for (int i = 0; i < arity; ++i) out.push_back(of(dtype, seed + i));
    return out;
}

Attrs attrs_for(OpKind kind) {
    switch (kind) {
    case OpKind::Cast: return {{"dtype", DType::F64}};
    case OpKind::BroadcastTo: return {{"shape", std::vector<int64_t>{2, 3, 4}}};
    case OpKind::ReduceSum: case OpKind::ReduceMean: case OpKind::ReduceMax: case OpKind::ReduceMin:
        return {{"axes", std::vector<int64_t>{1}}, {"keepdim", false}};
    case OpKind::Softmax: case OpKind::LogSoftmax: return {{"axis", int64_t{-1}}};
    default: return {};
    }
}

bool groupable(OpKind kind) {
    return op_family(kind) == OpFamily::Elementwise || kind == OpKind::ReduceSum || kind == OpKind::ReduceMean ||
           kind == OpKind::ReduceMax || kind == OpKind::ReduceMin || kind == OpKind::SumLike ||
           kind == OpKind::Softmax || kind == OpKind::LogSoftmax;
}

int count_fusions(const ir::Function& f) {
    int n = 0;
    ir::walk(f.body(), [&](const ir::Op* op) { n += op->kind == OpKind::Fusion; });
    return n;
}

TEST(CpuLowering, EveryLoweredOpAndDtypeCompilesAndMatchesTheInterpreter) {
    int lowered = 0;
    for (int k = 0; k < kNumOpKinds; ++k) {
        const auto kind = static_cast<OpKind>(k);
        if (!groupable(kind)) continue;
        for (DType dtype : kDtypes) {
            SCOPED_TRACE(std::string(op_name(kind)) + " on " + std::string(dtype_name(dtype)));
            const std::vector<Tensor> inputs = operands_for(kind, dtype, 10 + k);
            ir::Function f("f");
            std::vector<ir::Value*> params;
            for (const Tensor& t : inputs) params.push_back(f.add_arg(f.body(), t.type()));
            ir::Builder b(f);
            ir::Value* result;
            try {
                result = b.op(kind, params, attrs_for(kind));
            } catch (const ShapeError&) {
                continue;   // the op does not take this dtype
            }
            b.ret({result});
            const bool table = codegen::cpu_target().lowers(*result->defining_op());
            const std::vector<Tensor> want = ir::interpret(f, inputs);
            ir::PipelineOptions lower;
            lower.from = ir::Stage::Optimized;
            ASSERT_TRUE(ir::compile_pipeline(f, codegen::cpu_target(), lower).empty());
            EXPECT_EQ(count_fusions(f), table ? 1 : 0);
            if (!table) continue;
            ++lowered;
            auto executable = codegen::compile_with_jit(f, {});
            const std::vector<Tensor> got = executable->run(inputs, 0);
            ASSERT_EQ(got[0].type(), want[0].type());
            const std::vector<double> g = values(got[0]), w = values(want[0]);
            for (size_t i = 0; i < w.size(); ++i) {
                if (g[i] == w[i] || (std::isnan(g[i]) && std::isnan(w[i]))) continue;   // inf, nan
                ASSERT_NEAR(g[i], w[i], 1e-5 * (1 + std::abs(w[i]))) << "element " << i;
            }
        }
    }
    EXPECT_GT(lowered, 60);   // the table is not empty by accident
}

}  // namespace
}  // namespace nnc::testing
