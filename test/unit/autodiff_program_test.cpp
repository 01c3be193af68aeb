// Gradient checks of whole programs built with the Builder: an MLP loss on
// a symbolic batch, a small conv net, an RNN as a 50-iteration `for`, nested
// loops, `if` on a tensor condition, and `while` (forward mode only).
#include "test/unit/gradcheck.h"

namespace nnc::testing {
namespace {

using ir::Builder;
using ir::Value;
using Params = std::span<Value* const>;

const Attrs kAll{{"axes", std::vector<int64_t>{}}, {"keepdim", false}};

Value* scalar_i64(Builder& b, int64_t v) { return b.scalar(static_cast<double>(v), DType::I64); }

// --- MLP -------------------------------------------------------------------------

// mean over the batch of -log_softmax(relu(x W1 + b1) W2 + b2)[label]
Value* mlp_loss(Builder& b, Params p, bool use_gather) {
    Value* hidden = op(b, OpKind::Relu, {op(b, OpKind::Add, {op(b, OpKind::MatMul, {p[0], p[2]}), p[3]})});
    Value* logits = op(b, OpKind::Add, {op(b, OpKind::MatMul, {hidden, p[4]}), p[5]});
    Value* logp = op(b, OpKind::LogSoftmax, {logits}, Attrs{{"axis", int64_t{-1}}});
    Value* picked;
    if (use_gather) {
        Value* index = op(b, OpKind::ExpandDims, {p[1]}, Attrs{{"axes", std::vector<int64_t>{1}}});
        picked = op(b, OpKind::Gather, {logp, index}, Attrs{{"axis", int64_t{1}}});
    } else {
        Value* hot = op(b, OpKind::OneHot, {p[1]}, Attrs{{"depth", int64_t{3}}, {"dtype", DType::F64}});
        picked = op(b, OpKind::ReduceSum, {op(b, OpKind::Mul, {hot, logp})}, Attrs{{"axes", std::vector<int64_t>{1}}});
    }
    return op(b, OpKind::Neg, {op(b, OpKind::ReduceMean, {picked}, kAll)});
}

std::vector<Tensor> mlp_inputs(int64_t batch, uint64_t seed) {
    std::vector<int64_t> labels;
    for (int64_t i = 0; i < batch; ++i) labels.push_back((i * 7 + static_cast<int64_t>(seed)) % 3);
    return {uniform({batch, 4}, -1, 1, seed), index_tensor({batch}, labels, DType::I32), uniform({4, 5}, -1, 1, seed + 1),
            uniform({5}, -0.5, 0.5, seed + 2), uniform({5, 3}, -1, 1, seed + 3), uniform({3}, -0.5, 0.5, seed + 4)};
}

std::vector<TensorType> mlp_types() {
    const Dim batch = Dim::symbol("B");
    return {{DType::F64, {batch, Dim::known(4)}}, {DType::I32, {batch}},  TensorType::of(DType::F64, {4, 5}),
            TensorType::of(DType::F64, {5}),     TensorType::of(DType::F64, {5, 3}), TensorType::of(DType::F64, {3})};
}

TEST(ProgramGrad, MlpOnASymbolicBatch) {
    for (bool use_gather : {false, true}) {
        for (int64_t batch : {3, 5}) {
            SCOPED_TRACE("batch " + std::to_string(batch) + (use_gather ? " gather" : " one_hot"));
            const GradCheck c{mlp_inputs(batch, 70 + static_cast<uint64_t>(batch)),
                              [&](Builder& b, Params p) { return mlp_loss(b, p, use_gather); }, mlp_types()};
            expect_gradients(c);
            expect_second_order(c);
        }
    }
}

TEST(ProgramGrad, OneGradientFunctionServesEveryBatchSize) {
    const std::unique_ptr<ir::Function> f = make_function(mlp_types(), [](Builder& b, Params p) { return mlp_loss(b, p, false); });
    const size_t wrt[] = {0, 2, 3, 4, 5};
    const std::unique_ptr<ir::Function> g = autodiff::value_and_grad(*f, wrt);
    expect_valid(*g);
    for (int64_t batch : {2, 7}) {
        const std::vector<Tensor> inputs = mlp_inputs(batch, 80);
        const std::vector<Tensor> out = ir::interpret(*g, inputs);
        ASSERT_EQ(out.size(), 6u);
        EXPECT_EQ(out[0].item(), ir::interpret(*f, inputs)[0].item());
        EXPECT_EQ(out[1].shape(), (Shape{batch, 4}));
    }
}

TEST(ProgramGrad, SymbolicShapesTheTypesLeaveOpen) {
    const Dim batch = Dim::symbol("B"), other = Dim::symbol("C");
    // f64[B] + f64[C]: whether either side broadcasts is known only at run time (here C = 1).
    const GradCheck unsettled{{uniform({3}, -1, 1, 75), uniform({1}, -1, 1, 76)},
                              [](Builder& b, Params p) {
                                  Value* s = op(b, OpKind::Add, {p[0], p[1]});
                                  return op(b, OpKind::Mul, {s, s});
                              },
                              {{DType::F64, {batch}}, {DType::F64, {other}}}};
    expect_gradients(unsettled);
    expect_second_order(unsettled);
    // concat and pad along known dims of tensors with a symbolic batch
    const GradCheck layout{{uniform({3, 2}, -1, 1, 77), uniform({3, 3}, -1, 1, 78)},
                           [](Builder& b, Params p) {
                               Value* c = op(b, OpKind::Concat, {p[0], p[1]}, Attrs{{"axis", int64_t{1}}});
                               Value* padded = op(b, OpKind::Pad, {c}, Attrs{{"pads", Shape{0, 0, 1, 2}}});
                               return op(b, OpKind::Mul, {padded, op(b, OpKind::Sin, {padded})});
                           },
                           {{DType::F64, {batch, Dim::known(2)}}, {DType::F64, {batch, Dim::known(3)}}}};
    expect_gradients(layout);
    expect_second_order(layout);
}

// --- conv net --------------------------------------------------------------------

TEST(ProgramGrad, ConvNet) {
    const std::vector<Tensor> inputs = {uniform({2, 1, 6, 6}, -1, 1, 90), uniform({3, 1, 3, 3}, -1, 1, 91),
                                        uniform({3}, -0.2, 0.2, 92), uniform({27, 4}, -0.5, 0.5, 93)};
    const GradCheck c{inputs, [](Builder& b, Params p) {
        Value* conv = op(b, OpKind::Conv2d, {p[0], p[1]}, Attrs{{"padding", Shape{1, 1}}});
        Value* bias = op(b, OpKind::Reshape, {p[2]}, Attrs{{"shape", Shape{1, 3, 1, 1}}});
        Value* act = op(b, OpKind::Relu, {op(b, OpKind::Add, {conv, bias})});
        Value* pooled = op(b, OpKind::MaxPool2d, {act}, Attrs{{"kernel", Shape{2, 2}}});
        Value* flat = op(b, OpKind::Reshape, {pooled}, Attrs{{"shape", Shape{2, 27}}});
        Value* logits = op(b, OpKind::MatMul, {flat, p[3]});
        return op(b, OpKind::ReduceSum, {op(b, OpKind::Softmax, {logits}, Attrs{{"axis", int64_t{1}}})}, Attrs{
            {"axes", std::vector<int64_t>{0}}, {"keepdim", false}});
    }};
    expect_gradients(c);
    expect_second_order(c);
}

// --- loops -----------------------------------------------------------------------

// h = tanh(h @ W + xs[i]) for i in 0..steps, from h0.
Value* rnn(Builder& b, Value* xs, Value* h0, Value* w, int64_t steps) {
    return b.for_loop(scalar_i64(b, steps), {h0}, [&](Builder& body, Value* i, std::span<Value* const> carried) {
        Value* x = op(body, OpKind::Take, {xs, i}, Attrs{{"axis", int64_t{0}}});
        Value* pre = op(body, OpKind::Add, {op(body, OpKind::MatMul, {carried[0], w}), x});
        return std::vector<Value*>{op(body, OpKind::Tanh, {pre})};
    })[0];
}

TEST(LoopGrad, RnnOverFiftySteps) {
    const std::vector<Tensor> inputs = {uniform({50, 2, 3}, -1, 1, 100), uniform({2, 3}, -1, 1, 101),
                                        uniform({3, 3}, -0.6, 0.6, 102)};
    expect_gradients({inputs, [](Builder& b, Params p) { return rnn(b, p[0], p[1], p[2], 50); }});
}

TEST(LoopGrad, RnnOnASymbolicBatchSecondOrder) {
    const Dim batch = Dim::symbol("B");
    const std::vector<TensorType> types = {{DType::F64, {Dim::known(5), batch, Dim::known(3)}},
                                           {DType::F64, {batch, Dim::known(3)}},
                                           TensorType::of(DType::F64, {3, 3})};
    const std::vector<Tensor> inputs = {uniform({5, 2, 3}, -1, 1, 103), uniform({2, 3}, -1, 1, 104),
                                        uniform({3, 3}, -0.6, 0.6, 105)};
    const GradCheck c{inputs, [](Builder& b, Params p) { return rnn(b, p[0], p[1], p[2], 5); }, types};
    expect_gradients(c);
    expect_second_order(c);
}

TEST(LoopGrad, NestedLoopsWithABranchAndPassThroughValues) {
    const std::vector<Tensor> inputs = {uniform({3}, -1, 1, 110), uniform({3}, -0.9, 0.9, 111)};
    const GradCheck c{inputs, [](Builder& b, Params p) {
        Value* w = p[1];
        // carried: h (read), s (only yielded through), k (an integer counter)
        std::vector<Value*> out = b.for_loop(
            scalar_i64(b, 3), {p[0], p[1], scalar_i64(b, 0)}, [&](Builder& outer, Value*, std::span<Value* const> c1) {
                Value* h = outer.for_loop(scalar_i64(outer, 2), {c1[0]}, [&](Builder& inner, Value* j, std::span<Value* const> c2) {
                    Value* odd = op(inner, OpKind::Eq, {op(inner, OpKind::Mod, {j, scalar_i64(inner, 2)}), scalar_i64(inner, 1)});
                    Value* next = inner.if_else(
                        odd, [&](Builder& t) { return std::vector<Value*>{op(t, OpKind::Sin, {op(t, OpKind::Mul, {c2[0], w})})}; },
                        [&](Builder& e) { return std::vector<Value*>{op(e, OpKind::Tanh, {op(e, OpKind::Add, {c2[0], w})})}; })[0];
                    return std::vector<Value*>{next};
                })[0];
                Value* k = op(outer, OpKind::Add, {c1[2], scalar_i64(outer, 1)});
                Value* scale = op(outer, OpKind::Cast, {k}, Attrs{{"dtype", DType::F64}});
                return std::vector<Value*>{op(outer, OpKind::Mul, {h, scale}), c1[1], k};
            });
        return op(b, OpKind::Mul, {out[0], out[1]});
    }};
    expect_gradients(c);
    expect_second_order(c);
}

// --- if --------------------------------------------------------------------------

Value* branchy(Builder& b, Params p) {
    Value* positive = op(b, OpKind::Gt, {op(b, OpKind::ReduceSum, {p[0]}, kAll), b.scalar(0, DType::F64)});
    return b.if_else(
        positive, [&](Builder& t) { return std::vector<Value*>{op(t, OpKind::Mul, {p[0], p[1]})}; },
        [&](Builder& e) { return std::vector<Value*>{op(e, OpKind::Sin, {p[0]})}; })[0];
}

TEST(BranchGrad, BothBranches) {
    for (double lo : {0.1, -1.0}) {
        SCOPED_TRACE(lo > 0 ? "then" : "else");
        const GradCheck c{{uniform({2, 3}, lo, lo + 0.9, 120), uniform({3}, -1, 1, 121)}, branchy};
        expect_gradients(c);
        expect_second_order(c);
    }
}

TEST(BranchGrad, BranchYieldingAnOuterValue) {
    const GradCheck c{{uniform({3}, 0.1, 1, 122), uniform({3}, -1, 1, 123)}, [](Builder& b, Params p) {
        Value* cond = op(b, OpKind::Lt, {op(b, OpKind::ReduceMax, {p[0]}), b.scalar(5, DType::F64)});
        Value* r = b.if_else(cond, [&](Builder&) { return std::vector<Value*>{p[1]}; },
                             [&](Builder& e) { return std::vector<Value*>{op(e, OpKind::Exp, {p[0]})}; })[0];
        return op(b, OpKind::Mul, {r, p[0]});
    }};
    expect_gradients(c);
}

// --- while -----------------------------------------------------------------------

// while i < 3: (i, x) = (i + 1, sin(x * w))
Value* while_program(Builder& b, Params p) {
    ir::Function& f = b.function();
    std::vector<Value*> inits = {scalar_i64(b, 0), p[0]};
    ir::Op* loop = b.insert(f.new_op(OpKind::While, inits, {inits[0]->type(), inits[1]->type()}));
    for (int r = 0; r < 2; ++r) {
        ir::Block* block = f.new_block();
        block->parent_op = loop;
        loop->regions.push_back(block);
        for (Value* v : inits) f.add_arg(block, v->type());
        Builder in(f);
        in.set_insertion_end(block);
        if (r == 0) {
            in.yield({op(in, OpKind::Lt, {block->args[0], scalar_i64(in, 3)})});
        } else {
            Value* x = op(in, OpKind::Sin, {op(in, OpKind::Mul, {block->args[1], p[1]})});
            in.yield({op(in, OpKind::Add, {block->args[0], scalar_i64(in, 1)}), x});
        }
    }
    return loop->results[1];
}

TEST(WhileGrad, ReverseModeExplainsTheWayOut) {
    const std::unique_ptr<ir::Function> f = make_function({TensorType::of(DType::F64, {3}), TensorType::of(DType::F64, {3})},
                                                          [](Builder& b, Params p) {
                                                              return op(b, OpKind::ReduceSum, {while_program(b, p)}, kAll);
                                                          });
    const size_t wrt[] = {0, 1};
    try {
        autodiff::grad(*f, wrt);
        FAIL() << "expected an error";
    } catch (const ShapeError& e) {
        EXPECT_NE(std::string(e.what()).find("rewrite as a for loop with a fixed trip count"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("while loop in @f"), std::string::npos) << e.what();
    }
    EXPECT_THROW(autodiff::vjp(*f), ShapeError);
}

TEST(WhileGrad, ForwardModeRunsThroughIt) {
    const std::vector<Tensor> inputs = {uniform({3}, -1, 1, 130), uniform({3}, -1, 1, 131)};
    const std::unique_ptr<ir::Function> f = make_function(types_of(inputs), while_program);
    const std::unique_ptr<ir::Function> j = autodiff::jvp(*f);
    expect_valid(*j);
    const std::vector<Tensor> d = random_directions(inputs, 132);
    std::vector<Tensor> args = inputs;
    args.insert(args.end(), d.begin(), d.end());
    expect_close(ir::interpret(*j, args)[1], directional_difference(*f, inputs, d)[0], "jvp through while");
}

TEST(WhileGrad, LoopsNotOnTheGradientPathAreFine) {
    // The while loop only computes a value that does not depend on x.
    const GradCheck c{{uniform({3}, -1, 1, 133)}, [](Builder& b, Params p) {
        Value* w = b.constant(uniform({3}, -1, 1, 134));
        Value* unrelated = while_program(b, std::vector<Value*>{w, w});
        return op(b, OpKind::Mul, {op(b, OpKind::Exp, {p[0]}), unrelated});
    }};
    expect_gradients(c);
}

}  // namespace
}  // namespace nnc::testing
