// Unit tests of the tensor IR: building functions with Builder (primitives,
// for loops, branches), their printed form, the round trip through the
// text parser, constant payloads bit for bit, and the verifier on IR that
// only the API can build.
#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <sstream>

#include "ir/builder.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace nnc::ir {
namespace {

TensorType type(DType dtype, std::vector<Dim> dims) { return {dtype, std::move(dims)}; }

class IRTest : public ::testing::Test {
protected:
    // Parses `text`; on failure, the diagnostics are in errors_.
    std::optional<Module> parse_text(const std::string& text) {
        return parse_module(sources_, sources_.add_buffer("test.nnir", text), diags_);
    }

    // print(parse(print(f))) must equal print(f); returns the text.
    std::string round_trip(const Function& f) {
        const std::string printed = to_string(f);
        std::optional<Module> m = parse_text(printed);
        EXPECT_TRUE(m) << errors_.str() << printed;
        if (!m) return printed;
        EXPECT_EQ(m->functions.size(), 1u);
        EXPECT_TRUE(verify(*m->functions[0]).empty());
        EXPECT_EQ(to_string(*m->functions[0]), printed);
        return printed;
    }

    // The payload of a constant printed and parsed back.
    Tensor constant_round_trip(const Tensor& value) {
        Function f("c");
        Builder b(f);
        b.ret({b.constant(value)});
        std::optional<Module> m = parse_text(round_trip(f));
        return m ? m->functions[0]->body()->ops[0]->payload : Tensor{};
    }

    SourceManager sources_;
    std::ostringstream errors_;
    DiagnosticEngine diags_{sources_, errors_};
};

TEST_F(IRTest, PrimitivesPrintWithNamesTypesAndAttributes) {
    Function f("loss");
    Builder b(f);
    Value* x = f.add_arg(f.body(), type(DType::F32, {Dim::symbol("B"), Dim::known(3)}));
    Value* w = f.add_arg(f.body(), type(DType::F32, {Dim::known(3), Dim::known(1)}));
    x->set_name_hint("x");
    w->set_name_hint("w");
    Value* y = b.op(OpKind::MatMul, {x, w});
    Value* mean = b.op(OpKind::ReduceMean, {y}, {{"axes", std::vector<int64_t>{}}, {"keepdim", false}});
    Value* scaled = b.op(OpKind::Mul, {mean, b.scalar(0.5, DType::F32)});
    b.ret({scaled});
    EXPECT_TRUE(verify(f).empty());
    EXPECT_EQ(round_trip(f),
              "func @loss(%x: f32[B, 3], %w: f32[3, 1]) -> f32 {\n"
              "  %0 = matmul %x, %w : f32[B, 1]\n"
              "  %1 = reduce_mean %0 {axes = [], keepdim = false} : f32\n"
              "  %2 = constant dense<0.5> : f32\n"
              "  %3 = mul %1, %2 : f32\n"
              "  return %3\n"
              "}\n");
}

TEST_F(IRTest, ForLoopCarriesValues) {
    Function f("power");
    Builder b(f);
    Value* x = f.add_arg(f.body(), type(DType::F32, {Dim::known(4)}));
    Value* n = f.add_arg(f.body(), type(DType::I64, {}));
    std::vector<Value*> out = b.for_loop(n, {x, x}, [](Builder& body, Value*, std::span<Value* const> carried) {
        return std::vector<Value*>{body.op(OpKind::Mul, {carried[0], carried[1]}), carried[1]};
    });
    b.ret({out[0]});
    EXPECT_TRUE(verify(f).empty());
    EXPECT_EQ(round_trip(f),
              "func @power(%0: f32[4], %1: i64) -> f32[4] {\n"
              "  %2, %3 = for %1 iter(%0, %0) {\n"
              "  ^(%4: i64, %5: f32[4], %6: f32[4]):\n"
              "    %7 = mul %5, %6 : f32[4]\n"
              "    yield %7, %6\n"
              "  } : f32[4], f32[4]\n"
              "  return %2\n"
              "}\n");
}

TEST_F(IRTest, IfElseYieldsFromBothBranches) {
    Function f("choose");
    Builder b(f);
    Value* c = f.add_arg(f.body(), type(DType::Bool, {}));
    Value* x = f.add_arg(f.body(), type(DType::F32, {Dim::known(3)}));
    std::vector<Value*> out = b.if_else(
        c, [&](Builder& then) { return std::vector<Value*>{then.op(OpKind::Exp, {x})}; },
        [&](Builder&) { return std::vector<Value*>{x}; });
    b.ret(out);
    EXPECT_TRUE(verify(f).empty());
    EXPECT_EQ(round_trip(f),
              "func @choose(%0: bool, %1: f32[3]) -> f32[3] {\n"
              "  %2 = if %0 {\n"
              "    %3 = exp %1 : f32[3]\n"
              "    yield %3\n"
              "  } else {\n"
              "    yield %1\n"
              "  } : f32[3]\n"
              "  return %2\n"
              "}\n");
}

TEST_F(IRTest, NameHintsAreMadeUniqueAndValid) {
    Function f("names");
    Builder b(f);
    Value* x = f.add_arg(f.body(), type(DType::F32, {}));
    x->set_name_hint("h");
    Value* y = b.op(OpKind::Neg, {x});
    y->set_name_hint("h");
    Value* z = b.op(OpKind::Neg, {y});
    z->set_name_hint("2nd.value");
    b.ret({z});
    EXPECT_EQ(round_trip(f),
              "func @names(%h: f32) -> f32 {\n"
              "  %h_1 = neg %h : f32\n"
              "  %_2nd_value = neg %h_1 : f32\n"
              "  return %_2nd_value\n"
              "}\n");
}

TEST_F(IRTest, ConstantsRoundTripBitForBit) {
    auto same_bytes = [](const Tensor& a, const Tensor& b) {
        return b.defined() && a.type() == b.type() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
    };
    // Shortest exact decimals, signed zero, infinities and NaN.
    Tensor f32 = Tensor::empty(DType::F32, {2, 3});
    const double values[] = {0.1, -0.0, 1e20, std::numeric_limits<double>::infinity(), 3.4028234663852886e38,
                             std::numeric_limits<double>::quiet_NaN()};
    for (int i = 0; i < 6; ++i) f32.set(i, values[i]);
    EXPECT_TRUE(same_bytes(f32, constant_round_trip(f32)));
    // Half precision, and 64-bit ints beyond a double's precision.
    Tensor f16 = Tensor::empty(DType::F16, {3});
    f16.set(0, 0.1), f16.set(1, 65504), f16.set(2, -1e-7);
    EXPECT_TRUE(same_bytes(f16, constant_round_trip(f16)));
    Tensor bf16 = Tensor::empty(DType::BF16, {2});
    bf16.set(0, 3.14159), bf16.set(1, -2);
    EXPECT_TRUE(same_bytes(bf16, constant_round_trip(bf16)));
    Tensor i64 = Tensor::empty(DType::I64, {2});
    i64.data<int64_t>()[0] = std::numeric_limits<int64_t>::max(), i64.data<int64_t>()[1] = -3;
    EXPECT_TRUE(same_bytes(i64, constant_round_trip(i64)));
    // Past kMaxListedElements: hex. Splats and empty tensors: short forms.
    Tensor big = Tensor::empty(DType::F32, {100});
    for (int i = 0; i < 100; ++i) big.set(i, i * 0.25);
    EXPECT_TRUE(same_bytes(big, constant_round_trip(big)));
    Tensor ones = Tensor::empty(DType::Bool, {2, 2});
    for (int i = 0; i < 4; ++i) ones.set(i, 1);
    EXPECT_TRUE(same_bytes(ones, constant_round_trip(ones)));
    Tensor empty = Tensor::empty(DType::F32, {0, 3});
    EXPECT_TRUE(constant_round_trip(empty).shape() == Shape({0, 3}));
}

TEST_F(IRTest, LocationsPrintAndParseBack) {
    const uint32_t model = sources_.add_buffer("model.nn", "let y = x * 2\n");
    Function f("located");
    Builder b(f);
    Value* x = f.add_arg(f.body(), type(DType::F32, {}));
    b.set_loc({{model, 1, 9}, {model, 1, 14}});
    b.ret({b.op(OpKind::Neg, {x})});
    const PrintOptions with_locations{true, &sources_};
    const std::string printed = to_string(f, with_locations);
    EXPECT_NE(printed.find("%1 = neg %0 : f32 loc(\"model.nn\":1:9 to 1:14)\n"), std::string::npos) << printed;
    std::optional<Module> m = parse_text(printed);
    ASSERT_TRUE(m) << errors_.str();
    EXPECT_EQ(to_string(*m->functions[0], with_locations), printed);
}

TEST_F(IRTest, VerifierReportsWhatOnlyTheAPICanBuild) {
    Function f("broken");
    Builder b(f);
    Value* x = f.add_arg(f.body(), type(DType::F32, {Dim::known(2)}));
    // A result type the shape rule does not give, and a use before definition.
    Op* neg = f.new_op(OpKind::Neg, {x}, {type(DType::F32, {Dim::known(3)})});
    b.insert(neg);
    Op* early = f.new_op(OpKind::Exp, {x}, {x->type()});
    b.insert(early);
    Op* later = f.new_op(OpKind::Neg, {x}, {x->type()});
    early->operands[0] = later->result();
    b.insert(later);
    b.ret({later->result()});
    std::vector<Diagnostic> errors = verify(f);
    ASSERT_EQ(errors.size(), 2u);
    EXPECT_EQ(errors[0].message, "in @broken: result type f32[3] of 'neg' differs from its shape rule's f32[2]");
    EXPECT_EQ(errors[1].message, "in @broken: operand #0 of 'exp' is not defined before this use");
}

TEST_F(IRTest, ParseErrorsHaveLineAndColumn) {
    EXPECT_FALSE(parse_text("func @f(%x: f32) -> f32 {\n  %0 = add %x, %nope : f32\n  return %0\n}\n"));
    EXPECT_NE(errors_.str().find("test.nnir:2:16: error: undefined value %nope"), std::string::npos) << errors_.str();
}

}  // namespace
}  // namespace nnc::ir
