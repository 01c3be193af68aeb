// Unit tests of the frontend's grammar: precedence, declarations, patterns,
// types, source ranges, syntax-error recovery, diagnostics rendering and the
// AST printer (the tokens and REPL continuation: tokens_test.cpp).
#include <gtest/gtest.h>

#include <sstream>

#include "test/unit/parser_fixture.h"

namespace nnc {
namespace {

using namespace ast;

// ------------------------------------------------------ acceptance programs

TEST_F(ParserTest, AcceptanceTensors) {
    auto program = parse_text(
        "let a = tensor([[1.0, 2.0], [3.0, 4.0]])\n"
        "let b = ones([2, 2])\n"
        "print(a @ b)\n"
        "print(sum(a * b), mean(a, axis = 1))\n"
        "print(relu(a - 2.5))\n");
    ASSERT_NE(program, nullptr) << errors();
    ASSERT_EQ(program->stmts.size(), 5u);
    const auto& mean = *cast<Call>(cast<Call>(cast<ExprStmt>(program->stmts[3].get())->expr.get())->args[1].value.get());
    ASSERT_EQ(mean.args.size(), 2u);
    EXPECT_EQ(mean.args[0].name, "");
    EXPECT_EQ(mean.args[1].name, "axis");
    EXPECT_EQ(at(mean.args[1].range), "4:27-4:35");
}

TEST_F(ParserTest, AcceptanceGradient) {
    auto program = parse_text(
        "fn f(x: f32[N]) -> f32 { return sum(tanh(x) * x) }\n"
        "let x = tensor([0.5, -1.0, 2.0])\n"
        "print(grad(f)(x))        # (tanh(x) + x * (1 - tanh(x)^2))\n"
        "let df = grad(f)\n"
        "fn second(x: f32[N]) -> f32 { return sum(grad(f)(x)) }\n"
        "print(grad(second)(x))   # higher-order: derivative of the gradient\n");
    ASSERT_NE(program, nullptr) << errors();
    ASSERT_EQ(program->stmts.size(), 6u);
    const auto& f = *cast<FnDef>(program->stmts[0].get());
    EXPECT_EQ(f.name, "f");
    EXPECT_EQ(at(f.name_range), "1:4-1:5");
    ASSERT_EQ(f.params.size(), 1u);
    EXPECT_EQ(to_string(*f.params[0].type), "f32[N]");
    EXPECT_EQ(f.params[0].type->dims[0].kind, DimExpr::Symbol);
    ASSERT_TRUE(f.result);
    EXPECT_EQ(f.result->kind, TypeExpr::Tensor);
    EXPECT_TRUE(f.result->dims.empty());
    ASSERT_EQ(f.body.stmts.size(), 1u);
    EXPECT_TRUE(isa<Return>(f.body.stmts[0].get()));
    // grad(f)(x): a call whose callee is a call.
    const auto& outer = *cast<Call>(cast<Call>(cast<ExprStmt>(program->stmts[2].get())->expr.get())->args[0].value.get());
    EXPECT_TRUE(isa<Call>(outer.callee.get()));
}

TEST_F(ParserTest, AcceptanceLinearRegression) {
    auto program = parse_text(
        "import nn\n"
        "import optim\n"
        "\n"
        "model Lin { fc = nn.Linear(3, 1) }\n"
        "fn loss(m: Lin, x: f32[B, 3], y: f32[B, 1]) -> f32 { return nn.mse(m.fc(x), y) }\n"
        "\n"
        "let x = randn([256, 3], seed = 0)\n"
        "let y = x @ tensor([[2.0], [-1.0], [0.5]]) + 0.3\n"
        "let m = Lin()\n"
        "let o = optim.sgd(m, lr = 0.1)\n"
        "for step in 0..200 {\n"
        "    let (l, g) = value_and_grad(loss)(m, x, y)\n"
        "    o.step(g)\n"
        "}\n"
        "print(loss(m, x, y))      # close to 0\n"
        "print(m.fc.w, m.fc.b)     # close to [2, -1, 0.5] and 0.3\n");
    ASSERT_NE(program, nullptr) << errors();
    ASSERT_EQ(program->stmts.size(), 11u);
    EXPECT_EQ(cast<Import>(program->stmts[0].get())->path, std::vector<std::string>{"nn"});
    const auto& lin = *cast<ModelDef>(program->stmts[2].get());
    EXPECT_EQ(lin.name, "Lin");
    EXPECT_EQ(at(lin.name_range), "4:7-4:10");
    EXPECT_TRUE(lin.params.empty());
    ASSERT_EQ(lin.fields.size(), 1u);
    EXPECT_EQ(lin.fields[0].kind, ModelField::Field);
    EXPECT_EQ(lin.fields[0].name, "fc");
    EXPECT_EQ(cast<FnDef>(program->stmts[3].get())->params.size(), 3u);

    const auto& loop = *cast<For>(program->stmts[8].get());
    EXPECT_EQ(loop.pattern.name, "step");
    EXPECT_TRUE(isa<Range>(loop.iterable.get()));
    ASSERT_EQ(loop.body.stmts.size(), 2u);
    const auto& let = *cast<Let>(loop.body.stmts[0].get());
    EXPECT_EQ(let.pattern.kind, Pattern::Tuple);
    EXPECT_EQ(to_string(let.pattern), "(l, g)");
    EXPECT_EQ(at(loop.range), "11:1-14:2");
}

TEST_F(ParserTest, AcceptanceFashionMlp) {
    auto program = parse_text(
        "import nn\nimport optim\nimport data\n\n"
        "model Mlp {\n"
        "    fc1 = nn.Linear(784, 256)\n"
        "    fc2 = nn.Linear(256, 256)\n"
        "    fc3 = nn.Linear(256, 10)\n"
        "    fn forward(x: f32[B, 784]) -> f32[B, 10] {\n"
        "        return fc3(relu(fc2(relu(fc1(x)))))\n"
        "    }\n"
        "}\n\n"
        "fn loss(m: Mlp, x: f32[B, 784], y: i32[B]) -> f32 {\n"
        "    return nn.cross_entropy(m(x), y)\n"
        "}\n\n"
        "fn train_step(m: Mlp, o: optim.Adam, x: f32[B, 784], y: i32[B]) -> f32 {\n"
        "    let (l, g) = value_and_grad(loss)(m, x, y)\n"
        "    o.step(g)\n"
        "    return l\n"
        "}\n\n"
        "let train = data.fashion_mnist(\"train\")\n"
        "let test = data.fashion_mnist(\"test\")\n"
        "let m = Mlp()\n"
        "let o = optim.adam(m, lr = 1e-3)\n"
        "for epoch in 0..5 {\n"
        "    for (x, y) in train.batches(128, shuffle = true, seed = epoch) {\n"
        "        train_step(m, o, x, y)\n"
        "    }\n"
        "    print(\"epoch\", epoch, \"test accuracy\", nn.accuracy(m(test.x), test.y))\n"
        "}\n"
        "save(m, \"fashion_mlp.safetensors\")\n");
    ASSERT_NE(program, nullptr) << errors();
    ASSERT_EQ(program->stmts.size(), 12u);
    const auto& mlp = *cast<ModelDef>(program->stmts[3].get());
    EXPECT_EQ(mlp.fields.size(), 3u);
    ASSERT_EQ(mlp.methods.size(), 1u);
    EXPECT_EQ(mlp.methods[0]->name, "forward");
    EXPECT_EQ(to_string(*mlp.methods[0]->result), "f32[B, 10]");
    const auto& step = *cast<FnDef>(program->stmts[5].get());
    EXPECT_EQ(to_string(*step.params[1].type), "optim.Adam");
    EXPECT_EQ(step.params[1].type->kind, TypeExpr::Named);
    EXPECT_EQ(step.params[3].type->dtype, DType::I32);
    const auto& lr = *cast<FloatLit>(cast<Call>(cast<Let>(program->stmts[9].get())->value.get())->args[1].value.get());
    EXPECT_DOUBLE_EQ(lr.value, 1e-3);
}

// ------------------------------------------------------------ expressions

TEST_F(ParserTest, ArithmeticPrecedence) {
    const auto& sum = *cast<Binary>(&let_value("a + b * c @ d - e"));
    EXPECT_EQ(sum.op, BinaryOp::Sub);
    const auto& add = *cast<Binary>(sum.lhs.get());
    EXPECT_EQ(add.op, BinaryOp::Add);
    EXPECT_EQ(cast<Binary>(add.rhs.get())->op, BinaryOp::MatMul);   // (b * c) @ d
    EXPECT_EQ(cast<Binary>(cast<Binary>(add.rhs.get())->lhs.get())->op, BinaryOp::Mul);
    // `//` binds as `*` and `/` do, left to right: (a // b) * c
    const auto& product = *cast<Binary>(&let_value("a // b * c"));
    EXPECT_EQ(product.op, BinaryOp::Mul);
    EXPECT_EQ(cast<Binary>(product.lhs.get())->op, BinaryOp::FloorDiv);
}

TEST_F(ParserTest, PowerIsRightAssociativeAndBindsTighterThanUnaryMinus) {
    const auto& neg = *cast<Unary>(&let_value("-x ** 2 ** 3"));
    EXPECT_EQ(neg.op, UnaryOp::Neg);
    const auto& pow = *cast<Binary>(neg.operand.get());
    EXPECT_EQ(pow.op, BinaryOp::Pow);
    EXPECT_TRUE(isa<Name>(pow.lhs.get()));
    EXPECT_EQ(cast<Binary>(pow.rhs.get())->op, BinaryOp::Pow);
    // A unary minus on the right of ** is allowed: 2 ** -1.
    EXPECT_TRUE(isa<Unary>(cast<Binary>(&let_value("2 ** -1"))->rhs.get()));
    // Unary minus binds tighter than *: (-a) * b.
    EXPECT_TRUE(isa<Unary>(cast<Binary>(&let_value("-a * b"))->lhs.get()));
}

TEST_F(ParserTest, LogicalAndComparisonPrecedence) {
    const auto& disj = *cast<Binary>(&let_value("not a == b and c or d"));
    EXPECT_EQ(disj.op, BinaryOp::Or);
    const auto& conj = *cast<Binary>(disj.lhs.get());
    EXPECT_EQ(conj.op, BinaryOp::And);
    const auto& neg = *cast<Unary>(conj.lhs.get());
    EXPECT_EQ(neg.op, UnaryOp::Not);
    EXPECT_EQ(cast<Binary>(neg.operand.get())->op, BinaryOp::Eq);
}

TEST_F(ParserTest, RangeBindsLooserThanArithmetic) {
    const auto& range = *cast<Range>(&let_value("0..n - 1"));
    EXPECT_TRUE(isa<IntLit>(range.lo.get()));
    EXPECT_EQ(cast<Binary>(range.hi.get())->op, BinaryOp::Sub);
}

TEST_F(ParserTest, ComparisonsDoNotChain) {
    EXPECT_EQ(parse_text("let ok = a < b < c"), nullptr);
    EXPECT_NE(errors().find("test.nn:1:16: error: syntax error, unexpected '<'"), std::string::npos) << errors();
}

TEST_F(ParserTest, BinaryAndMemberRanges) {
    const auto& matmul = *cast<Binary>(&let_value("x @ w + b"));
    EXPECT_EQ(at(matmul.range), "1:9-1:18");
    EXPECT_EQ(at(matmul.op_range), "1:15-1:16");
    EXPECT_EQ(at(cast<Binary>(matmul.lhs.get())->op_range), "1:11-1:12");
    const auto& member = *cast<Member>(&let_value("m.fc1.w"));
    EXPECT_EQ(member.member, "w");
    EXPECT_EQ(at(member.range), "1:9-1:16");
    EXPECT_EQ(at(member.member_range), "1:15-1:16");
    EXPECT_EQ(cast<Member>(member.object.get())->member, "fc1");
    const auto& call = *cast<Call>(&let_value("f(x)(y)"));
    EXPECT_EQ(at(call.range), "1:9-1:16");
    EXPECT_EQ(at(call.callee->range), "1:9-1:13");
}

TEST_F(ParserTest, Literals) {
    EXPECT_EQ(cast<IntLit>(&let_value("42"))->value, 42);
    EXPECT_DOUBLE_EQ(cast<FloatLit>(&let_value("0.5"))->value, 0.5);
    EXPECT_DOUBLE_EQ(cast<FloatLit>(&let_value("2.5E+2"))->value, 250.0);
    EXPECT_TRUE(cast<BoolLit>(&let_value("true"))->value);
    EXPECT_FALSE(cast<BoolLit>(&let_value("false"))->value);
    EXPECT_EQ(cast<StrLit>(&let_value(R"("a\tb\n\"q\" \\")"))->value, "a\tb\n\"q\" \\");
    // `0..n` is a range, not the float `0.` followed by `.n`.
    EXPECT_TRUE(isa<Range>(&let_value("0..n")));
}

TEST_F(ParserTest, CallArguments) {
    const auto& call = *cast<Call>(&let_value("f(x, k = 5, seed = s,)"));
    ASSERT_EQ(call.args.size(), 3u);
    EXPECT_EQ(call.args[0].name, "");
    EXPECT_EQ(call.args[1].name, "k");
    EXPECT_EQ(cast<IntLit>(call.args[1].value.get())->value, 5);
    EXPECT_EQ(call.args[2].name, "seed");
    EXPECT_TRUE(cast<Call>(&let_value("f()"))->args.empty());
}

TEST_F(ParserTest, PositionalAfterKeywordIsAnError) {
    EXPECT_EQ(parse_text("f(k = 1, 2)"), nullptr);
    EXPECT_NE(errors().find("test.nn:1:10: error: positional argument after keyword argument"), std::string::npos)
        << errors();
}

TEST_F(ParserTest, IndexingAndSlicing) {
    const auto& index = *cast<Index>(&let_value("x[:, 1:3, ..., ::2, -1]"));
    ASSERT_EQ(index.items.size(), 5u);
    EXPECT_EQ(index.items[0].kind, IndexItem::Slice);
    EXPECT_FALSE(index.items[0].start || index.items[0].stop || index.items[0].step);
    EXPECT_EQ(at(index.items[0].range), "1:11-1:12");
    EXPECT_EQ(index.items[1].kind, IndexItem::Slice);
    EXPECT_EQ(cast<IntLit>(index.items[1].start.get())->value, 1);
    EXPECT_EQ(cast<IntLit>(index.items[1].stop.get())->value, 3);
    EXPECT_FALSE(index.items[1].step);
    EXPECT_EQ(index.items[2].kind, IndexItem::Ellipsis);
    EXPECT_EQ(index.items[3].kind, IndexItem::Slice);
    EXPECT_EQ(cast<IntLit>(index.items[3].step.get())->value, 2);
    EXPECT_EQ(index.items[4].kind, IndexItem::Single);
    EXPECT_TRUE(isa<Unary>(index.items[4].index.get()));
}

TEST_F(ParserTest, TuplesAndLists) {
    EXPECT_EQ(cast<Tuple>(&let_value("(a,)"))->elements.size(), 1u);
    EXPECT_EQ(cast<Tuple>(&let_value("()"))->elements.size(), 0u);
    EXPECT_EQ(cast<Tuple>(&let_value("(a, b, c)"))->elements.size(), 3u);
    EXPECT_TRUE(isa<Name>(&let_value("(a)")));   // parentheses alone make no tuple
    EXPECT_EQ(cast<List>(&let_value("[1, 2,]"))->elements.size(), 2u);
    EXPECT_EQ(cast<List>(&let_value("[]"))->elements.size(), 0u);
}

// ------------------------------------------------------------- statements

TEST_F(ParserTest, AssignmentForms) {
    auto program = parse_text("x = 1\nm.w -= g\nx[0] *= 2\ny /= 3\nz += 4");
    ASSERT_NE(program, nullptr) << errors();
    const Assign::Op ops[] = {Assign::Op::Set, Assign::Op::Sub, Assign::Op::Mul, Assign::Op::Div, Assign::Op::Add};
    ASSERT_EQ(program->stmts.size(), 5u);
    for (size_t i = 0; i < 5; ++i) EXPECT_EQ(cast<Assign>(program->stmts[i].get())->op, ops[i]);
    EXPECT_TRUE(isa<Member>(cast<Assign>(program->stmts[1].get())->target.get()));
    EXPECT_TRUE(isa<Index>(cast<Assign>(program->stmts[2].get())->target.get()));
}

TEST_F(ParserTest, AssignToExpressionIsAnError) {
    EXPECT_EQ(parse_text("f(x) = 3"), nullptr);
    EXPECT_NE(errors().find("test.nn:1:1: error: cannot assign to this expression"), std::string::npos) << errors();
}

TEST_F(ParserTest, NestedPatterns) {
    auto program = parse_text("for (i, (a, b)) in items { }\nlet ((p,), _) = t");
    ASSERT_NE(program, nullptr) << errors();
    const auto& loop = *cast<For>(program->stmts[0].get());
    ASSERT_EQ(loop.pattern.elements.size(), 2u);
    EXPECT_EQ(loop.pattern.elements[1].kind, Pattern::Tuple);
    EXPECT_EQ(to_string(loop.pattern), "(i, (a, b))");
    EXPECT_EQ(at(loop.pattern.range), "1:5-1:16");
    EXPECT_EQ(to_string(cast<Let>(program->stmts[1].get())->pattern), "((p,), _)");
}

TEST_F(ParserTest, IfElseChains) {
    auto program = parse_text("if a { x }\nelse if b { y } else {\n  z\n}");
    ASSERT_NE(program, nullptr) << errors();
    const auto& top = only<If>(*program);
    ASSERT_TRUE(top.else_block);
    ASSERT_EQ(top.else_block->stmts.size(), 1u);
    const auto& nested = *cast<If>(top.else_block->stmts[0].get());
    EXPECT_TRUE(isa<Name>(nested.cond.get()));
    ASSERT_TRUE(nested.else_block);
    EXPECT_EQ(at(nested.else_block->range), "2:22-4:2");
    EXPECT_EQ(at(top.range), "1:1-4:2");
}

TEST_F(ParserTest, LoopsAndJumps) {
    auto program = parse_text("while i < n { if done { break } else { continue } }\nfn g() { return }");
    ASSERT_NE(program, nullptr) << errors();
    const auto& loop = *cast<While>(program->stmts[0].get());
    const auto& branch = *cast<If>(loop.body.stmts[0].get());
    EXPECT_TRUE(isa<Break>(branch.then_block.stmts[0].get()));
    EXPECT_TRUE(isa<Continue>(branch.else_block->stmts[0].get()));
    EXPECT_EQ(cast<Return>(cast<FnDef>(program->stmts[1].get())->body.stmts[0].get())->value, nullptr);
}

TEST_F(ParserTest, NewlinesEndStatementsUnlessTheLineContinues) {
    auto program = parse_text(
        "# comment\n\n"
        "let a = 1 +\n    2\n"              // a trailing operator continues the line
        "let b = f(1,\n  2)\n"               // so does an open parenthesis
        "let c = [\n  1,\n  2,\n]; let d = 4\n"
        "x = 1; y = 2;\n");
    ASSERT_NE(program, nullptr) << errors();
    ASSERT_EQ(program->stmts.size(), 6u);
    EXPECT_EQ(at(program->stmts[0]->range), "3:1-4:6");
    EXPECT_EQ(cast<List>(cast<Let>(program->stmts[2].get())->value.get())->elements.size(), 2u);
}

TEST_F(ParserTest, FunctionDeclarations) {
    auto program = parse_text("fn f(a, b: int = 3, c: (f32[_, 3], bool) = (x, true),) -> (f32, int) {\n  return (a, b)\n}");
    ASSERT_NE(program, nullptr) << errors();
    const auto& fn = only<FnDef>(*program);
    ASSERT_EQ(fn.params.size(), 3u);
    EXPECT_FALSE(fn.params[0].type);
    EXPECT_EQ(fn.params[0].default_value, nullptr);
    EXPECT_EQ(to_string(*fn.params[1].type), "int");
    EXPECT_EQ(cast<IntLit>(fn.params[1].default_value.get())->value, 3);
    EXPECT_EQ(at(fn.params[1].range), "1:9-1:19");
    const TypeExpr& tuple = *fn.params[2].type;
    EXPECT_EQ(tuple.kind, TypeExpr::Tuple);
    ASSERT_EQ(tuple.elements.size(), 2u);
    EXPECT_EQ(tuple.elements[0].dims[0].kind, DimExpr::Any);
    EXPECT_EQ(tuple.elements[0].dims[1].value, 3);
    EXPECT_EQ(tuple.elements[1].kind, TypeExpr::Named);   // bare `bool` is the host boolean
    EXPECT_EQ(to_string(*fn.result), "(f32, int)");
    EXPECT_EQ(at(fn.range), "1:1-3:2");
}

TEST_F(ParserTest, ModelDeclarations) {
    auto program = parse_text(
        "model BatchNorm(features: int, momentum: float = 0.1) {\n"
        "    param gamma = ones([features]); param beta: f32[features] = zeros([features])\n"
        "    buffer mean = zeros([features])\n"
        "    fn forward(x: f32[B, features]) -> f32[B, features] { return x * gamma + beta }\n"
        "    fn reset() { mean = zeros([features]) }\n"
        "}");
    ASSERT_NE(program, nullptr) << errors();
    const auto& model = only<ModelDef>(*program);
    EXPECT_EQ(model.name, "BatchNorm");
    EXPECT_EQ(at(model.name_range), "1:7-1:16");
    ASSERT_EQ(model.params.size(), 2u);
    EXPECT_EQ(model.params[1].name, "momentum");
    ASSERT_EQ(model.fields.size(), 3u);
    EXPECT_EQ(model.fields[0].kind, ModelField::Param);
    EXPECT_EQ(model.fields[1].kind, ModelField::Param);
    EXPECT_EQ(to_string(*model.fields[1].type), "f32[features]");
    EXPECT_EQ(model.fields[2].kind, ModelField::Buffer);
    EXPECT_EQ(at(model.fields[2].range), "3:5-3:36");
    ASSERT_EQ(model.methods.size(), 2u);
    EXPECT_EQ(model.methods[1]->name, "reset");
    EXPECT_EQ(at(model.methods[1]->name_range), "5:8-5:13");
}

TEST_F(ParserTest, Imports) {
    auto program = parse_text("import nn\nimport optim as opt\nimport a.b");
    ASSERT_NE(program, nullptr) << errors();
    const auto& aliased = *cast<Import>(program->stmts[1].get());
    EXPECT_EQ(aliased.path, std::vector<std::string>{"optim"});
    EXPECT_EQ(aliased.alias, "opt");
    EXPECT_EQ((cast<Import>(program->stmts[2].get())->path), (std::vector<std::string>{"a", "b"}));
}

TEST_F(ParserTest, TypeAnnotations) {
    auto program = parse_text("let a: f32[B, 784] = x\nlet b: i64 = y\nlet c: bool[] = z\nlet d: (int,) = w");
    ASSERT_NE(program, nullptr) << errors();
    const TypeExpr& a = *cast<Let>(program->stmts[0].get())->type;
    EXPECT_EQ(a.kind, TypeExpr::Tensor);
    EXPECT_EQ(a.dtype, DType::F32);
    ASSERT_EQ(a.dims.size(), 2u);
    EXPECT_EQ(a.dims[0].name, "B");
    EXPECT_EQ(a.dims[1].value, 784);
    EXPECT_EQ(at(a.range), "1:8-1:19");
    const TypeExpr& b = *cast<Let>(program->stmts[1].get())->type;
    EXPECT_EQ(b.kind, TypeExpr::Tensor);   // a bare element type is a rank-0 tensor
    EXPECT_EQ(b.dtype, DType::I64);
    EXPECT_TRUE(b.dims.empty());
    const TypeExpr& c = *cast<Let>(program->stmts[2].get())->type;
    EXPECT_EQ(c.kind, TypeExpr::Tensor);
    EXPECT_EQ(c.dtype, DType::Bool);
    EXPECT_EQ(to_string(*cast<Let>(program->stmts[3].get())->type), "(int,)");
}

TEST_F(ParserTest, DimensionsNeedAnElementType) {
    EXPECT_EQ(parse_text("fn f(x: Lin[3]) { }"), nullptr);
    EXPECT_NE(errors().find("test.nn:1:9: error: expected an element type"), std::string::npos) << errors();
}

// ------------------------------------------------------ errors and recovery

TEST_F(ParserTest, ReportsSeveralSyntaxErrors) {
    EXPECT_EQ(parse_text(
                  "let x = 1 +* 2\n"
                  "print(x y)\n"
                  "let ok = 1\n"
                  "fn f(a b) {\n"
                  "    return a\n"
                  "}\n"
                  "let = 3\n"
                  "model M { param = 1 }\n"
                  "let z = (1, 2\n"
                  "let w = 0\n"),
              nullptr);
    std::string text = errors();
    EXPECT_NE(text.find("test.nn:1:12: error: syntax error, unexpected '*'\n"), std::string::npos) << text;
    EXPECT_NE(text.find("test.nn:2:9: error: syntax error, unexpected identifier\n"), std::string::npos) << text;
    EXPECT_NE(text.find("test.nn:4:8: error: syntax error, unexpected identifier, expecting '=' or ')' or ',' or ':'"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("test.nn:7:5: error: syntax error, unexpected '=', expecting identifier or '('"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("test.nn:8:17: error: syntax error, unexpected '=', expecting identifier"), std::string::npos)
        << text;
    EXPECT_NE(text.find("test.nn:10:1: error: syntax error, unexpected 'let'"), std::string::npos) << text;
    EXPECT_EQ(diags_.error_count(), 6) << text;
}

TEST_F(ParserTest, UnexpectedEndOfFile) {
    EXPECT_EQ(parse_text("fn f() {\n  return 1\n"), nullptr);
    EXPECT_NE(errors().find("test.nn:2:11: error: syntax error, unexpected end of file"), std::string::npos)
        << errors();
}

TEST_F(ParserTest, LexicalErrors) {
    EXPECT_EQ(parse_text("let a = 1 $ 2\nlet s = \"abc\nlet t = \"\\q\"\nlet n = 99999999999999999999\n"), nullptr);
    std::string text = errors();
    EXPECT_NE(text.find("test.nn:1:11: error: unexpected character '$'"), std::string::npos) << text;
    EXPECT_NE(text.find("test.nn:2:9: error: unterminated string"), std::string::npos) << text;
    EXPECT_NE(text.find("test.nn:3:10: error: unknown escape sequence in string"), std::string::npos) << text;
    EXPECT_NE(text.find("test.nn:4:9: error: integer literal is too large"), std::string::npos) << text;
    EXPECT_EQ(diags_.error_count(), 4);
}

TEST_F(ParserTest, DiagnosticShowsLineAndCaret) {
    parse_text("let y =\tx @ (w +)\n");
    EXPECT_EQ(errors(),
              "test.nn:1:17: error: syntax error, unexpected ')'\n"
              "let y =\tx @ (w +)\n"
              "       \t        ^\n");
}

TEST(Diagnostics, RangeUnderlineNotesAndCounts) {
    SourceManager sources;
    uint32_t file = sources.add_buffer("m.nn", "fn f() {\n    return x @ w\n}\n");
    std::ostringstream out;
    DiagnosticEngine diags(sources, out);
    SourceRange matmul{{file, 2, 12}, {file, 2, 17}};
    SourceRange name{{file, 1, 4}, {file, 1, 5}};
    diags.report({Severity::Error, matmul, "matmul: inner dimensions differ", {{Severity::Note, name, "in f", {}}}});
    diags.warning(name, "unused");
    EXPECT_EQ(out.str(),
              "m.nn:2:12: error: matmul: inner dimensions differ\n"
              "    return x @ w\n"
              "           ^~~~~\n"
              "m.nn:1:4: note: in f\n"
              "fn f() {\n"
              "   ^\n"
              "m.nn:1:4: warning: unused\n"
              "fn f() {\n"
              "   ^\n");
    EXPECT_EQ(diags.error_count(), 1);
}

// ---------------------------------------------------------------- printer

TEST_F(ParserTest, PrintAst) {
    EXPECT_EQ(ast_of("fn f(x: f32[N], k: int = 2) -> f32 { return sum(x[0:k]) * 0.5 }\n"),
              "(fn f @1:1\n"
              "  (param x : f32[N] @1:6)\n"
              "  (param k : int @1:17\n"
              "    (int 2 @1:26))\n"
              "  (result f32 @1:32)\n"
              "  (block @1:36\n"
              "    (return @1:38\n"
              "      (binary * @1:45\n"
              "        (call @1:45\n"
              "          (name sum @1:45)\n"
              "          (index @1:49\n"
              "            (name x @1:49)\n"
              "            (slice @1:51\n"
              "              (int 0 @1:51)\n"
              "              (name k @1:53)\n"
              "              _)))\n"
              "        (float 0.5 @1:59)))))\n");
}

}  // namespace
}  // namespace nnc
