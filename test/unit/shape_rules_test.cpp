// Shape and dtype rules (ir/shape_rules): broadcasting with symbolic dims,
// promotion, and the error messages users see.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/attr_schema.h"
#include "core/shape_rules.h"
#include "support/error.h"

namespace nnc {
namespace {

// "f32[2, B, _]"-style types from a dtype and dim spellings.
TensorType type(DType dtype, std::vector<std::string> dims) {
    TensorType t{dtype, {}};
    for (const std::string& d : dims) {
        if (d == "_") t.dims.push_back(Dim::any());
        else if (std::isdigit(static_cast<unsigned char>(d[0]))) t.dims.push_back(Dim::known(std::stoll(d)));
        else t.dims.push_back(Dim::symbol(d));
    }
    return t;
}

TensorType f32(std::vector<std::string> dims) { return type(DType::F32, std::move(dims)); }

TensorType infer(OpKind kind, std::vector<TensorType> operands, const Attrs& attrs = {}) {
    return infer_type(kind, operands, attrs);
}

std::string error_of(OpKind kind, std::vector<TensorType> operands, const Attrs& attrs = {}) {
    try {
        infer_type(kind, operands, attrs);
    } catch (const ShapeError& e) {
        return e.what();
    }
    return "no error";
}

TEST(DType, NamesRoundTrip) {
    for (DType t : {DType::Bool, DType::I8, DType::I32, DType::I64, DType::F16, DType::BF16, DType::F32, DType::F64})
        EXPECT_EQ(parse_dtype(dtype_name(t)), t);
    EXPECT_EQ(parse_dtype("f128"), std::nullopt);
    EXPECT_EQ(dtype_size(DType::BF16), 2);
}

TEST(DType, Promotion) {
    EXPECT_EQ(promote(DType::Bool, DType::I8), DType::I8);
    EXPECT_EQ(promote(DType::I32, DType::I64), DType::I64);
    EXPECT_EQ(promote(DType::I64, DType::F16), DType::F16);
    EXPECT_EQ(promote(DType::F16, DType::BF16), DType::F32);
    EXPECT_EQ(promote(DType::BF16, DType::F64), DType::F64);
    EXPECT_EQ(promote(DType::F32, DType::F16), DType::F32);
    EXPECT_EQ(promote(DType::Bool, DType::Bool), DType::Bool);
}

TEST(OpKindTable, SpellingAndArity) {
    EXPECT_EQ(op_name(OpKind::ReduceSum), "reduce_sum");
    EXPECT_EQ(op_arity(OpKind::Where), 3);
    EXPECT_EQ(op_arity(OpKind::Concat), -1);
    EXPECT_EQ(parse_op_name("log_softmax"), OpKind::LogSoftmax);
    EXPECT_EQ(parse_op_name("nope"), std::nullopt);
}

TEST(Attrs, LookupAndPrinting) {
    Attrs a{{"axes", std::vector<int64_t>{1}}, {"keepdim", true}};
    a.set("value", int64_t{3});
    EXPECT_EQ(a.str(), "{axes = [1], keepdim = true, value = 3}");
    EXPECT_DOUBLE_EQ(a.get_double("value"), 3.0);
    EXPECT_EQ(a.get_int("missing", 7), 7);
    EXPECT_THROW(a.get_bool("value"), InternalError);
    EXPECT_EQ(Attrs{}.str(), "");
}

TEST(Shapes, Printing) {
    EXPECT_EQ(f32({"B", "784"}).str(), "f32[B, 784]");
    EXPECT_EQ(f32({}).str(), "f32");
    EXPECT_EQ(f32({"_"}).str(), "f32[_]");
    EXPECT_EQ(shape_str({2, 3}), "[2, 3]");
}

TEST(Broadcast, KnownAndSymbolic) {
    EXPECT_EQ(infer(OpKind::Add, {f32({"2", "3"}), f32({"3"})}), f32({"2", "3"}));
    EXPECT_EQ(infer(OpKind::Add, {f32({"2", "1"}), f32({"1", "5"})}), f32({"2", "5"}));
    EXPECT_EQ(infer(OpKind::Add, {f32({"B", "3"}), f32({"B", "1"})}), f32({"B", "3"}));
    EXPECT_EQ(infer(OpKind::Add, {f32({"B"}), f32({"4"})}), f32({"4"}));
    EXPECT_EQ(infer(OpKind::Add, {f32({"B"}), f32({"1"})}), f32({"B"}));
    EXPECT_EQ(infer(OpKind::Add, {f32({"_"}), f32({"B"})}), f32({"_"}));
    EXPECT_EQ(infer(OpKind::Add, {f32({"N"}), f32({"M"})}), f32({"_"}));
    EXPECT_EQ(infer(OpKind::Add, {f32({}), f32({"2"})}), f32({"2"}));
}

TEST(Broadcast, MismatchNamesBothShapes) {
    EXPECT_EQ(error_of(OpKind::Add, {f32({"2", "3"}), f32({"4"})}),
              "add: shapes f32[2, 3] and f32[4] cannot be broadcast");
    EXPECT_THROW(broadcast_dims(f32({"2"}).dims, f32({"3"}).dims), ShapeError);
    EXPECT_EQ(error_of(OpKind::Where, {type(DType::Bool, {"2"}), f32({"3"}), f32({"3"})}),
              "where: shapes bool[2], f32[3] and f32[3] cannot be broadcast");
}

TEST(Elementwise, Dtypes) {
    const TensorType i32 = type(DType::I32, {"2"});
    EXPECT_EQ(infer(OpKind::Div, {i32, i32}).dtype, DType::F32);
    EXPECT_EQ(infer(OpKind::Mul, {i32, f32({"2"})}).dtype, DType::F32);
    EXPECT_EQ(infer(OpKind::Add, {i32, type(DType::I64, {"2"})}).dtype, DType::I64);
    EXPECT_EQ(infer(OpKind::Lt, {i32, f32({"2"})}).dtype, DType::Bool);
    EXPECT_EQ(infer(OpKind::LogicalAnd, {i32, i32}).dtype, DType::Bool);
    EXPECT_EQ(infer(OpKind::Exp, {i32}).dtype, DType::F32);
    EXPECT_EQ(infer(OpKind::Neg, {i32}).dtype, DType::I32);
    EXPECT_EQ(infer(OpKind::Cast, {i32}, {{"dtype", DType::F16}}).dtype, DType::F16);
    EXPECT_EQ(infer(OpKind::Where, {type(DType::Bool, {"2"}), i32, f32({"1"})}), f32({"2"}));
}

TEST(Reductions, AxesAndKeepdim) {
    const TensorType x = f32({"B", "3", "4"});
    EXPECT_EQ(infer(OpKind::ReduceSum, {x}), f32({}));
    EXPECT_EQ(infer(OpKind::ReduceSum, {x}, {{"axes", std::vector<int64_t>{-1}}}), f32({"B", "3"}));
    EXPECT_EQ(infer(OpKind::ReduceMax, {x}, {{"axes", std::vector<int64_t>{0, 2}}, {"keepdim", true}}),
              f32({"1", "3", "1"}));
    EXPECT_EQ(infer(OpKind::ArgMax, {x}, {{"axis", int64_t{1}}}), type(DType::I32, {"B", "4"}));
    EXPECT_EQ(infer(OpKind::ReduceMean, {type(DType::I32, {"2"})}).dtype, DType::F32);
    EXPECT_EQ(error_of(OpKind::ReduceSum, {x}, {{"axes", std::vector<int64_t>{3}}}),
              "sum: axis 3 is out of range for f32[B, 3, 4]");
    EXPECT_EQ(error_of(OpKind::ReduceSum, {x}, {{"axes", std::vector<int64_t>{1, -2}}}),
              "sum: axis -2 is repeated in [1, -2]");
}

TEST(Layout, SymbolicSliceAndReshape) {
    // 0:kSliceToEnd:1 keeps a symbolic dim; known bounds on one give a known length.
    const Attrs whole_then_half{{"starts", std::vector<int64_t>{0, 2}}, {"stops", std::vector<int64_t>{kSliceToEnd, 6}},
                                {"steps", std::vector<int64_t>{1, 1}}};
    EXPECT_EQ(infer(OpKind::Slice, {f32({"B", "8"})}, whole_then_half), f32({"B", "4"}));
    EXPECT_EQ(infer(OpKind::Slice, {f32({"5", "8"})}, whole_then_half), f32({"5", "4"}));
    // A negative shape entry copies that operand dim.
    const Attrs drop_middle{{"shape", std::vector<int64_t>{reshape_copy_of(0), 4}}};
    EXPECT_EQ(infer(OpKind::Reshape, {f32({"B", "1", "4"})}, drop_middle), f32({"B", "4"}));
    EXPECT_EQ(error_of(OpKind::Reshape, {f32({"B", "2", "4"})}, drop_middle),
              "reshape: cannot reshape f32[B, 2, 4] (8 elements) to [B, 4] (4 elements)");
    EXPECT_EQ(error_of(OpKind::Reshape, {f32({"B", "4"})}, {{"shape", std::vector<int64_t>{reshape_copy_of(2)}}}),
              "reshape: shape [-3] copies a dim of f32[B, 4] that it does not have, or one twice");
    EXPECT_EQ(reshape_attr(f32({"B", "T", "4"}), {Dim::symbol("T"), Dim::symbol("B"), Dim::known(4)}),
              (std::vector<int64_t>{reshape_copy_of(1), reshape_copy_of(0), 4}));
    EXPECT_EQ(reshape_attr(f32({"B", "4"}), {Dim::symbol("C")}), std::nullopt);
}

TEST(Layout, ReshapePermuteBroadcast) {
    EXPECT_EQ(infer(OpKind::Reshape, {f32({"2", "3"})}, {{"shape", std::vector<int64_t>{3, 2}}}), f32({"3", "2"}));
    EXPECT_EQ(error_of(OpKind::Reshape, {f32({"2", "3"})}, {{"shape", std::vector<int64_t>{4, 2}}}),
              "reshape: cannot reshape f32[2, 3] (6 elements) to [4, 2] (8 elements)");
    EXPECT_EQ(infer(OpKind::Permute, {f32({"B", "3", "4"})}, {{"perm", std::vector<int64_t>{2, 0, 1}}}),
              f32({"4", "B", "3"}));
    EXPECT_EQ(error_of(OpKind::Permute, {f32({"2", "3"})}, {{"perm", std::vector<int64_t>{0, 0}}}),
              "permute: [0, 0] is not a permutation of the dims of f32[2, 3]");
    EXPECT_EQ(infer(OpKind::BroadcastTo, {f32({"3", "1"})}, {{"shape", std::vector<int64_t>{2, 3, 4}}}),
              f32({"2", "3", "4"}));
    EXPECT_EQ(error_of(OpKind::BroadcastTo, {f32({"2", "3"})}, {{"shape", std::vector<int64_t>{4, 3}}}),
              "broadcast_to: cannot broadcast f32[2, 3] to [4, 3]");
}

TEST(Layout, ConcatSlicePad) {
    EXPECT_EQ(infer(OpKind::Concat, {f32({"2", "3"}), type(DType::I32, {"4", "3"})}, {{"axis", int64_t{0}}}),
              f32({"6", "3"}));
    EXPECT_EQ(infer(OpKind::Concat, {f32({"B", "3"}), f32({"2", "3"})}, {{"axis", int64_t{0}}}), f32({"_", "3"}));
    EXPECT_EQ(error_of(OpKind::Concat, {f32({"2", "3"}), f32({"2", "4"})}, {{"axis", int64_t{0}}}),
              "concat: shapes f32[2, 3] and f32[2, 4] differ outside axis 0");
    const Attrs reverse{{"starts", std::vector<int64_t>{4, 1}},
                        {"stops", std::vector<int64_t>{-1, 3}},
                        {"steps", std::vector<int64_t>{-2, 1}}};
    EXPECT_EQ(infer(OpKind::Slice, {f32({"5", "3"})}, reverse), f32({"3", "2"}));
    const Attrs past_end{{"starts", std::vector<int64_t>{0}}, {"stops", std::vector<int64_t>{5}},
                         {"steps", std::vector<int64_t>{1}}};
    EXPECT_EQ(error_of(OpKind::Slice, {f32({"3"})}, past_end), "slice: 0:5:1 is out of range for dim 0 of f32[3]");
    EXPECT_EQ(infer(OpKind::Pad, {f32({"2", "B"})}, {{"pads", std::vector<int64_t>{1, 2, 0, 0}}, {"value", 0.0}}),
              f32({"5", "B"}));
}

TEST(Indexing, GatherTakeOneHot) {
    const TensorType labels = type(DType::I32, {"B", "1"});
    EXPECT_EQ(infer(OpKind::Gather, {f32({"B", "10"}), labels}, {{"axis", int64_t{1}}}), f32({"B", "1"}));
    EXPECT_EQ(infer(OpKind::Take, {f32({"5", "4"}), type(DType::I64, {"2", "3"})}, {{"axis", int64_t{0}}}),
              f32({"2", "3", "4"}));
    EXPECT_EQ(infer(OpKind::Take, {f32({"5", "4"}), type(DType::I64, {"7"})}), f32({"7"}));
    EXPECT_EQ(error_of(OpKind::Take, {f32({"5"}), f32({"2"})}, {{"axis", int64_t{0}}}),
              "take: index must be an integer tensor, got f32[2]");
    EXPECT_EQ(infer(OpKind::OneHot, {type(DType::I32, {"B"})}, {{"depth", int64_t{10}}}), f32({"B", "10"}));
}

TEST(MatMul, NumPySemantics) {
    EXPECT_EQ(infer(OpKind::MatMul, {f32({"B", "784"}), f32({"784", "10"})}), f32({"B", "10"}));
    EXPECT_EQ(infer(OpKind::MatMul, {f32({"3"}), f32({"3", "4"})}), f32({"4"}));
    EXPECT_EQ(infer(OpKind::MatMul, {f32({"2", "3"}), f32({"3"})}), f32({"2"}));
    EXPECT_EQ(infer(OpKind::MatMul, {f32({"3"}), f32({"3"})}), f32({}));
    EXPECT_EQ(infer(OpKind::MatMul, {f32({"5", "1", "2", "3"}), f32({"4", "3", "6"})}), f32({"5", "4", "2", "6"}));
    EXPECT_EQ(infer(OpKind::MatMul, {type(DType::I32, {"2", "3"}), f32({"3", "2"})}).dtype, DType::F32);
    EXPECT_EQ(error_of(OpKind::MatMul, {f32({"2", "3"}), f32({"4", "5"})}),
              "matmul: inner dimensions differ: f32[2, 3] @ f32[4, 5]");
    EXPECT_EQ(error_of(OpKind::MatMul, {f32({"2", "2", "3"}), f32({"5", "3", "2"})}),
              "matmul: batch dimensions cannot be broadcast: f32[2, 2, 3] @ f32[5, 3, 2]");
}

TEST(NeuralNetwork, ConvAndPool) {
    const Attrs same{{"stride", std::vector<int64_t>{1, 1}}, {"padding", std::vector<int64_t>{1, 1}}};
    EXPECT_EQ(infer(OpKind::Conv2d, {f32({"B", "3", "28", "28"}), f32({"16", "3", "3", "3"})}, same),
              f32({"B", "16", "28", "28"}));
    EXPECT_EQ(infer(OpKind::Conv2d, {f32({"8", "3", "28", "28"}), f32({"16", "3", "5", "5"})},
                    {{"stride", std::vector<int64_t>{2, 2}}}),
              f32({"8", "16", "12", "12"}));
    EXPECT_EQ(error_of(OpKind::Conv2d, {f32({"8", "3", "28", "28"}), f32({"16", "1", "3", "3"})}),
              "conv2d: input has 3 channels but the weight expects 1: f32[8, 3, 28, 28] and f32[16, 1, 3, 3]");
    EXPECT_EQ(infer(OpKind::MaxPool2d, {f32({"B", "16", "28", "28"})}, {{"kernel", std::vector<int64_t>{2, 2}}}),
              f32({"B", "16", "14", "14"}));
    EXPECT_EQ(infer(OpKind::Softmax, {type(DType::I32, {"2", "3"})}, {{"axis", int64_t{-1}}}).dtype, DType::F32);
}

TEST(Creation, ShapesAndDtypes) {
    EXPECT_EQ(infer(OpKind::Full, {}, {{"shape", std::vector<int64_t>{2, 3}}, {"value", 1.5}}), f32({"2", "3"}));
    EXPECT_EQ(infer(OpKind::Arange, {}, {{"start", 0.0}, {"stop", 1.0}, {"step", 0.3}}), f32({"4"}));
    EXPECT_EQ(infer(OpKind::Arange, {}, {{"start", 5.0}, {"stop", 0.0}, {"step", 1.0}}), f32({"0"}));
    EXPECT_EQ(infer(OpKind::Eye, {}, {{"n", int64_t{3}}, {"dtype", DType::I64}}), type(DType::I64, {"3", "3"}));
    const TensorType seed = type(DType::I64, {});
    EXPECT_EQ(error_of(OpKind::RandNormal, {seed}, {{"shape", std::vector<int64_t>{2}}, {"dtype", DType::I32}}),
              "randn: dtype must be floating point, got i32");
    EXPECT_EQ(infer(OpKind::RandUniform, {seed, f32({"B", "3"})}, {{"shape", std::vector<int64_t>{-1, 5}}}), f32({"B", "5"}));
    EXPECT_EQ(error_of(OpKind::RandUniform, {type(DType::I32, {})}, {{"shape", std::vector<int64_t>{2}}}),
              "rand: the seed must be an i64 scalar, got i32");
    EXPECT_EQ(error_of(OpKind::RandUniform, {}, {{"shape", std::vector<int64_t>{2}}}), "rand: expects at least one operand");
    EXPECT_EQ(error_of(OpKind::Add, {f32({"2"})}), "add: expects 2 operands, got 1");
}

TEST(Creation, FullLikeCopiesTheOperandsDims) {
    const Attrs fill{{"value", 0.0}, {"dtype", DType::F64}};
    auto with_shape = [&](std::vector<int64_t> shape) {
        Attrs a = fill;
        a.set("shape", std::move(shape));
        return a;
    };
    // Dims are numbered across the operands: x's B, 3, then y's T.
    EXPECT_EQ(infer(OpKind::FullLike, {f32({"B", "3"}), f32({"T"})}, with_shape({-3, -1, 4})),
              type(DType::F64, {"T", "B", "4"}));
    EXPECT_EQ(infer(OpKind::FullLike, {f32({"B", "3"})}, with_shape({})), type(DType::F64, {}));
    EXPECT_EQ(error_of(OpKind::FullLike, {f32({"B", "3"})}, with_shape({-3})),
              "full_like: shape entry -3 names a dim the operands do not have");
}

// max, min, argmax, argmin have no identity: an empty reduced dim into a
// non-empty result is an error; sum and mean give 0 and nan.
TEST(Reductions, EmptyExtremumHasNoIdentity) {
    const Attrs axis1{{"axes", std::vector<int64_t>{1}}};
    EXPECT_EQ(error_of(OpKind::ReduceMax, {f32({"2", "0"})}, axis1), "max: cannot reduce over an empty dimension of f32[2, 0]");
    EXPECT_EQ(error_of(OpKind::ArgMin, {f32({"2", "0"})}, Attrs{{"axis", int64_t{1}}}),
              "argmin: cannot reduce over an empty dimension of f32[2, 0]");
    EXPECT_EQ(infer(OpKind::ReduceMax, {f32({"0", "0"})}, axis1).str(), "f32[0]");   // an empty result: nothing to reduce
    EXPECT_EQ(infer(OpKind::ReduceSum, {f32({"2", "0"})}, axis1).str(), "f32[2]");
    EXPECT_EQ(infer(OpKind::ReduceMax, {f32({"B", "M"})}, axis1).str(), "f32[B]");   // decided when M is known
}

TEST(Gemm, TransposedOperandsAndErrors) {
    const Attrs tb{{"transpose_b", true}};
    EXPECT_EQ(infer(OpKind::Gemm, {f32({"B", "4"}), f32({"8", "4"})}, tb).str(), "f32[B, 8]");
    EXPECT_EQ(infer(OpKind::Gemm, {f32({"4", "B"}), f32({"4", "8"})}, Attrs{{"transpose_a", true}}).str(), "f32[B, 8]");
    EXPECT_EQ(error_of(OpKind::Gemm, {f32({"2", "3"}), f32({"4", "5"})}), "gemm: inner dimensions differ: f32[2, 3] and f32[4, 5]");
    EXPECT_EQ(error_of(OpKind::Gemm, {f32({"2", "3", "1"}), f32({"3", "5"})}),
              "gemm: operands must be matrices: f32[2, 3, 1] and f32[3, 5]");
    EXPECT_EQ(error_of(OpKind::Gemm, {type(DType::I32, {"2", "3"}), type(DType::I32, {"3", "5"})}),
              "gemm: operands must have one floating-point dtype: i32[2, 3] and i32[3, 5]");
}

// Each family says how its ops compute; fusion and the backends key on it.
TEST(OpKindTable, Families) {
    EXPECT_EQ(op_family(OpKind::Exp), OpFamily::Elementwise);
    EXPECT_EQ(op_family(OpKind::Where), OpFamily::Elementwise);
    EXPECT_EQ(op_family(OpKind::BroadcastLike), OpFamily::Elementwise);
    EXPECT_EQ(op_family(OpKind::SumLike), OpFamily::Reduction);
    EXPECT_EQ(op_family(OpKind::Permute), OpFamily::Layout);
    EXPECT_EQ(op_family(OpKind::Gather), OpFamily::Index);
    EXPECT_EQ(op_family(OpKind::Gemm), OpFamily::Library);
    EXPECT_EQ(op_family(OpKind::FullLike), OpFamily::Creation);
    for (int k = 0; k < kNumOpKinds; ++k) {
        const auto kind = static_cast<OpKind>(k);
        EXPECT_EQ(op_family(kind) == OpFamily::Structure, is_control_flow(kind)) << op_name(kind);
    }
}

// Every computing op has a shape rule, and its rule reads only attributes
// its schema declares: with the required attributes present (whatever
// their values), a rule answers or reports a ShapeError, never an internal
// error such as "no shape rule" or a missing attribute.
TEST(OpKindTable, EveryOpHasAShapeRuleWithinItsSchema) {
    for (int k = 0; k < kNumOpKinds; ++k) {
        const auto kind = static_cast<OpKind>(k);
        if (op_family(kind) == OpFamily::Structure || kind == OpKind::Constant) continue;
        SCOPED_TRACE(std::string(op_name(kind)));
        Attrs attrs;
        for (const AttrSpec& a : op_attributes(kind)) {
            if (!a.required) continue;
            switch (a.type) {
            case AttrType::Int: attrs.set(std::string(a.name), int64_t{1}); break;
            case AttrType::Ints: attrs.set(std::string(a.name), std::vector<int64_t>{1, 1}); break;
            case AttrType::Number: attrs.set(std::string(a.name), 1.0); break;
            case AttrType::Bool: attrs.set(std::string(a.name), false); break;
            case AttrType::DType: attrs.set(std::string(a.name), DType::F32); break;
            }
        }
        EXPECT_FALSE(check_attributes(kind, attrs));
        const int arity = op_arity(kind) < 0 ? 2 : op_arity(kind);
        const std::vector<TensorType> operands(static_cast<size_t>(arity), type(DType::I64, {"2", "2"}));
        try {
            infer_type(kind, operands, attrs);
        } catch (const ShapeError&) {
        } catch (const InternalError& e) {
            ADD_FAILURE() << e.what();
        }
    }
}

TEST(AttrSchema, ChecksNamesTypesAndRequiredAttributes) {
    EXPECT_FALSE(check_attributes(OpKind::ReduceSum, Attrs{{"axes", std::vector<int64_t>{1}}, {"keepdim", true}}));
    EXPECT_EQ(check_attributes(OpKind::ReduceSum, Attrs{{"axs", std::vector<int64_t>{1}}}),
              "unknown attribute `axs` (reduce_sum takes axis, axes, keepdim)");
    EXPECT_EQ(check_attributes(OpKind::Permute, Attrs{{"perm", int64_t{1}}}), "attribute `perm` must be ints, not int");
    EXPECT_EQ(check_attributes(OpKind::Permute, Attrs{}), "missing attribute `perm`");
    EXPECT_FALSE(check_attributes(OpKind::Full, Attrs{{"shape", std::vector<int64_t>{2}}, {"value", int64_t{3}}}));   // int or double
    EXPECT_EQ(check_attributes(OpKind::Exp, Attrs{{"axis", int64_t{0}}}), "unknown attribute `axis` (exp takes none)");
}

}  // namespace
}  // namespace nnc
