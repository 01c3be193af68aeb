// The IR interpreter: straight-line code, for / if / while, and the
// checking of arguments against (symbolic) parameter types.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/interpret.h"
#include "test/unit/test_tensors.h"

namespace nnc::testing {
namespace {

using ir::Builder;
using ir::Value;

Value* i64(Builder& b, int64_t v) { return b.scalar(static_cast<double>(v), DType::I64); }

TEST(Interpret, StraightLine) {
    ir::Function f("f");
    Value* x = f.add_arg(f.body(), TensorType::of(DType::F32, {2, 2}));
    Builder b(f);
    Value* y = b.op(OpKind::MatMul, {x, x});
    b.ret({b.op(OpKind::Add, {y, b.scalar(1, DType::F32)}), x});
    const Tensor arg = f32({2, 2}, {1, 2, 3, 4});
    const std::vector<Tensor> out = ir::interpret(f, std::vector<Tensor>{arg});
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(values(out[0]), (V{8, 11, 16, 23}));
    EXPECT_EQ(values(out[1]), (V{1, 2, 3, 4}));
}

TEST(Interpret, ForCarriesValuesAndCountsFromZero) {
    for (int64_t trip : {0, 1, 4}) {
        ir::Function f("f");
        Builder b(f);
        // sum of i and product of 2 over the iterations
        std::vector<Value*> r = b.for_loop(i64(b, trip), {i64(b, 0), b.scalar(1, DType::F32)},
                                           [](Builder& in, Value* i, std::span<Value* const> c) {
                                               return std::vector<Value*>{in.op(OpKind::Add, {c[0], i}),
                                                                          in.op(OpKind::Mul, {c[1], in.scalar(2, DType::F32)})};
                                           });
        b.ret(r);
        const std::vector<Tensor> out = ir::interpret(f, {});
        EXPECT_EQ(out[0].item(), trip * (trip - 1) / 2);
        EXPECT_EQ(out[1].item(), 1 << trip);
    }
}

TEST(Interpret, IfRunsOneBranch) {
    for (bool cond : {true, false}) {
        ir::Function f("f");
        Value* c = f.add_arg(f.body(), TensorType{DType::Bool, {}});
        Builder b(f);
        b.ret(b.if_else(c, [](Builder& t) { return std::vector<Value*>{t.scalar(1, DType::F32)}; },
                        [](Builder& e) { return std::vector<Value*>{e.scalar(2, DType::F32)}; }));
        EXPECT_EQ(ir::interpret(f, std::vector<Tensor>{Tensor::scalar(cond, DType::Bool)})[0].item(), cond ? 1 : 2);
    }
}

TEST(Interpret, WhileRunsUntilTheConditionFails) {
    ir::Function f("f");
    Builder b(f);
    Value* init = i64(b, 1);
    ir::Op* loop = b.insert(f.new_op(OpKind::While, {init}, {init->type()}));
    for (int r = 0; r < 2; ++r) {
        ir::Block* block = f.new_block();
        block->parent_op = loop;
        loop->regions.push_back(block);
        Value* v = f.add_arg(block, init->type());
        Builder in(f);
        in.set_insertion_end(block);
        if (r == 0) in.yield({in.op(OpKind::Lt, {v, i64(in, 100)})});
        else in.yield({in.op(OpKind::Mul, {v, i64(in, 3)})});
    }
    b.ret({loop->results[0]});
    EXPECT_EQ(ir::interpret(f, {})[0].item(), 243);
}

TEST(Interpret, BindsSymbolsConsistently) {
    ir::Function f("f");
    const Dim batch = Dim::symbol("B");
    Value* x = f.add_arg(f.body(), TensorType{DType::F32, {batch, Dim::known(2)}});
    Value* y = f.add_arg(f.body(), TensorType{DType::F32, {batch}});
    Builder b(f);
    b.ret({b.op(OpKind::ReduceSum, {x}, Attrs{{"axes", std::vector<int64_t>{1}}}), y});
    const Tensor x3 = Tensor::zeros(DType::F32, {3, 2});
    EXPECT_NO_THROW(ir::interpret(f, std::vector<Tensor>{x3, Tensor::zeros(DType::F32, {3})}));
    try {
        ir::interpret(f, std::vector<Tensor>{x3, Tensor::zeros(DType::F32, {4})});
        FAIL() << "expected an error";
    } catch (const RuntimeError& e) {
        EXPECT_STREQ(e.what(), "interpret @f: argument 2 is f32[4] but its type is f32[B] with B = 3");
    }
    EXPECT_THROW(ir::interpret(f, std::vector<Tensor>{Tensor::zeros(DType::F64, {3, 2}), Tensor::zeros(DType::F32, {3})}),
                 RuntimeError);
    EXPECT_THROW(ir::interpret(f, std::vector<Tensor>{x3}), RuntimeError);
}

}  // namespace
}  // namespace nnc::testing
