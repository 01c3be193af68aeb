// Gradient checks of the elementwise ops: every unary op, every binary op
// under several broadcasting patterns, where, cast, and second derivatives
// of a representative set.
#include "test/unit/gradcheck.h"

namespace nnc::testing {
namespace {

using ir::Builder;
using ir::Value;
using Params = std::span<Value* const>;

// Where an op's input is drawn from: anywhere (away from 0), positive (log,
// sqrt, rsqrt), or inside (-1, 1) (asin, acos).
enum class Domain { Any, Positive, Unit };

struct UnaryCase {
    OpKind kind;
    Domain domain;
};

class UnaryGrad : public ::testing::TestWithParam<UnaryCase> {};

TEST_P(UnaryGrad, MatchesFiniteDifferences) {
    const UnaryCase c = GetParam();
    for (const Shape& shape : {Shape{}, Shape{2, 3}}) {
        const Tensor x = c.domain == Domain::Positive ? uniform(shape, 0.5, 2.0, 11)
                         : c.domain == Domain::Unit   ? uniform(shape, -0.9, 0.9, 11)
                                                      : away_from_zero(shape, 11);
        expect_gradients({{x}, [&](Builder& b, Params p) { return op(b, c.kind, {p[0]}); }});
    }
}

INSTANTIATE_TEST_SUITE_P(Ops, UnaryGrad,
                         ::testing::Values(UnaryCase{OpKind::Neg, Domain::Any}, UnaryCase{OpKind::Exp, Domain::Any},
                                           UnaryCase{OpKind::Log, Domain::Positive}, UnaryCase{OpKind::Sqrt, Domain::Positive},
                                           UnaryCase{OpKind::Rsqrt, Domain::Positive}, UnaryCase{OpKind::Abs, Domain::Any},
                                           UnaryCase{OpKind::Sin, Domain::Any}, UnaryCase{OpKind::Cos, Domain::Any},
                                           UnaryCase{OpKind::Tanh, Domain::Any}, UnaryCase{OpKind::Sigmoid, Domain::Any},
                                           UnaryCase{OpKind::Relu, Domain::Any}, UnaryCase{OpKind::Gelu, Domain::Any},
                                           UnaryCase{OpKind::Softplus, Domain::Any}, UnaryCase{OpKind::Expm1, Domain::Any},
                                           UnaryCase{OpKind::Log1p, Domain::Positive}, UnaryCase{OpKind::Exp2, Domain::Any},
                                           UnaryCase{OpKind::Log2, Domain::Positive}, UnaryCase{OpKind::Log10, Domain::Positive},
                                           UnaryCase{OpKind::Tan, Domain::Unit}, UnaryCase{OpKind::Asin, Domain::Unit},
                                           UnaryCase{OpKind::Acos, Domain::Unit}, UnaryCase{OpKind::Atan, Domain::Any},
                                           UnaryCase{OpKind::Sinh, Domain::Any}, UnaryCase{OpKind::Cosh, Domain::Any},
                                           UnaryCase{OpKind::Erf, Domain::Any}),
                         [](const auto& info) { return std::string(op_name(info.param.kind)); });

struct BinaryCase {
    OpKind kind;
    double lo_a, hi_a, lo_b, hi_b;   // input ranges keeping away from poles and jumps
};

class BinaryGrad : public ::testing::TestWithParam<BinaryCase> {};

// Same shapes, a row vector, both sides broadcast, a scalar, and an extra leading dim.
const std::vector<std::pair<Shape, Shape>> kBroadcasts = {
    {{2, 3}, {2, 3}}, {{2, 3}, {3}}, {{2, 1}, {1, 3}}, {{}, {2, 3}}, {{4, 1, 3}, {2, 1}},
};

TEST_P(BinaryGrad, MatchesFiniteDifferences) {
    const BinaryCase c = GetParam();
    uint64_t seed = 5;
    for (const auto& [first, second] : kBroadcasts) {
        for (const auto& [sa, sb] : {std::pair{first, second}, std::pair{second, first}}) {
            const Tensor a = uniform(sa, c.lo_a, c.hi_a, ++seed), b = uniform(sb, c.lo_b, c.hi_b, ++seed);
            SCOPED_TRACE(shape_str(sa) + " and " + shape_str(sb));
            expect_gradients({{a, b}, [&](Builder& bld, Params p) { return op(bld, c.kind, {p[0], p[1]}); }});
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Ops, BinaryGrad,
                         ::testing::Values(BinaryCase{OpKind::Add, -2, 2, -2, 2}, BinaryCase{OpKind::Sub, -2, 2, -2, 2},
                                           BinaryCase{OpKind::Mul, -2, 2, -2, 2}, BinaryCase{OpKind::Div, 0.5, 2, 0.5, 2},
                                           BinaryCase{OpKind::Mod, 0.2, 0.8, 1.5, 2.5},
                                           BinaryCase{OpKind::Pow, 0.5, 2, -1.5, 1.5},
                                           BinaryCase{OpKind::Maximum, -2, 2, -2, 2},
                                           BinaryCase{OpKind::Minimum, -2, 2, -2, 2},
                                           BinaryCase{OpKind::Atan2, -2, 2, 0.5, 2},
                                           BinaryCase{OpKind::Fmod, 0.2, 0.8, 1.5, 2.5}),
                         [](const auto& info) { return std::string(op_name(info.param.kind)); });

TEST(ElementwiseGrad, WhereRoutesToTheChosenOperand) {
    Tensor cond = Tensor::empty(DType::Bool, {2, 3});
    for (int64_t i = 0; i < cond.numel(); ++i) cond.set(i, i % 2);
    const Tensor a = uniform({2, 3}, -1, 1, 3), b = uniform({3}, -1, 1, 4);
    expect_gradients({{cond, a, b}, [](Builder& bld, Params p) { return op(bld, OpKind::Where, {p[0], p[1], p[2]}); }});
    // condition computed from a differentiated value: no derivative flows through it
    expect_gradients({{a, b}, [](Builder& bld, Params p) {
        Value* c = op(bld, OpKind::Gt, {p[0], p[1]});
        return op(bld, OpKind::Where, {c, p[0], p[1]});
    }});
}

TEST(ElementwiseGrad, CastConvertsCotangentsBack) {
    const Tensor x = uniform({2, 3}, -1, 1, 8);
    // f64 -> f32 -> f64 loses precision, so compare with the exact answer: d/dx sum(w x) = w.
    const std::unique_ptr<ir::Function> f = make_function({x.type()}, [](Builder& b, Params p) {
        Value* narrow = op(b, OpKind::Cast, {p[0]}, Attrs{{"dtype", DType::F32}});
        return op(b, OpKind::ReduceSum, {op(b, OpKind::Mul, {narrow, b.scalar(3, DType::F32)})});
    });
    const size_t wrt[] = {0};
    const std::unique_ptr<ir::Function> g = autodiff::grad(*f, wrt);
    expect_valid(*g);
    const Tensor grad = ir::interpret(*g, std::vector<Tensor>{x})[0];
    EXPECT_EQ(grad.dtype(), DType::F64);
    Tensor three = Tensor::empty(DType::F64, {2, 3});
    for (int64_t i = 0; i < three.numel(); ++i) three.set(i, 3);
    expect_close(grad, three, "grad through cast", 0);
}

TEST(ElementwiseGrad, CastBetweenFloatTypes) {
    expect_gradients({{uniform({2, 3}, -1, 1, 9)}, [](Builder& b, Params p) {
        return op(b, OpKind::Cast, {op(b, OpKind::Exp, {p[0]})}, Attrs{{"dtype", DType::F64}});
    }});
    // the tangent of a narrowing cast has the narrow type
    const std::unique_ptr<ir::Function> f = make_function({TensorType::of(DType::F64, {2})}, [](Builder& b, Params p) {
        return op(b, OpKind::Cast, {p[0]}, Attrs{{"dtype", DType::F32}});
    });
    const std::unique_ptr<ir::Function> j = autodiff::jvp(*f);
    expect_valid(*j);
    EXPECT_EQ(j->result_types()[1].str(), "f32[2]");
}

TEST(ElementwiseGrad, SecondOrder) {
    const Tensor x = uniform({2, 3}, 0.5, 1.5, 21), y = uniform({3}, 0.5, 1.5, 22);
    for (OpKind k : {OpKind::Exp, OpKind::Log, OpKind::Tanh, OpKind::Sigmoid, OpKind::Gelu, OpKind::Softplus, OpKind::Sin,
                     OpKind::Rsqrt}) {
        SCOPED_TRACE(std::string(op_name(k)));
        expect_second_order({{x}, [k](Builder& b, Params p) { return op(b, k, {p[0]}); }});
    }
    for (OpKind k : {OpKind::Mul, OpKind::Div, OpKind::Pow, OpKind::Sub, OpKind::Maximum}) {
        SCOPED_TRACE(std::string(op_name(k)));
        expect_second_order({{x, y}, [k](Builder& b, Params p) { return op(b, k, {p[0], p[1]}); }});
    }
    expect_second_order({{away_from_zero({2, 3}, 9), y}, [](Builder& b, Params p) {
        Value* r = op(b, OpKind::Relu, {p[0]});
        return op(b, OpKind::Mul, {op(b, OpKind::Mul, {r, r}), p[1]});
    }});
}

}  // namespace
}  // namespace nnc::testing
