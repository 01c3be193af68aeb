// Gradient checks of the shape and layout ops (reshape, permute,
// broadcasts, expand_dims, concat, slice, update_slice, pad) and of the
// indexing ops (update_index, gather, take, scatter_add, index_add).
#include "test/unit/gradcheck.h"

namespace nnc::testing {
namespace {

using ir::Builder;
using ir::Value;
using Params = std::span<Value* const>;

void check(const std::vector<Tensor>& inputs, const Body& body) {
    const GradCheck c{inputs, body};
    expect_gradients(c);
    expect_second_order(c);
}

// Multiplying by the input makes the function non-linear, so second
// derivatives of linear ops are exercised too.
Value* squared(Builder& b, Value* v) { return op(b, OpKind::Mul, {v, v}); }

TEST(ShapeGrad, Reshape) {
    check({uniform({2, 3, 4}, -1, 1, 1)}, [](Builder& b, Params p) {
        return squared(b, op(b, OpKind::Reshape, {p[0]}, Attrs{{"shape", Shape{6, 4}}}));
    });
}

TEST(ShapeGrad, Permute) {
    check({uniform({2, 3, 4}, -1, 1, 2)}, [](Builder& b, Params p) {
        return squared(b, op(b, OpKind::Permute, {p[0]}, Attrs{{"perm", std::vector<int64_t>{2, 0, 1}}}));
    });
}

TEST(ShapeGrad, BroadcastTo) {
    for (const auto& [from, to] : {std::pair{Shape{3}, Shape{2, 3}}, std::pair{Shape{2, 1}, Shape{4, 2, 3}},
                                   std::pair{Shape{}, Shape{2, 2}}}) {
        check({uniform(from, -1, 1, 3)}, [&](Builder& b, Params p) {
            return squared(b, op(b, OpKind::BroadcastTo, {p[0]}, Attrs{{"shape", to}}));
        });
    }
}

TEST(ShapeGrad, BroadcastLikeAndSumLike) {
    const Tensor x = uniform({2, 1}, -1, 1, 4), like = uniform({3, 2, 4}, -1, 1, 5);
    check({x, like}, [](Builder& b, Params p) { return squared(b, op(b, OpKind::BroadcastLike, {p[0], p[1]})); });
    check({like, x}, [](Builder& b, Params p) { return squared(b, op(b, OpKind::SumLike, {p[0], p[1]})); });
}

TEST(ShapeGrad, ExpandDims) {
    check({uniform({2, 3}, -1, 1, 6)}, [](Builder& b, Params p) {
        return squared(b, op(b, OpKind::ExpandDims, {p[0]}, Attrs{{"axes", std::vector<int64_t>{0, -1}}}));
    });
}

TEST(ShapeGrad, Concat) {
    const Tensor a = uniform({2, 1, 3}, -1, 1, 7), b = uniform({2, 2, 3}, -1, 1, 8), c = uniform({2, 3, 3}, -1, 1, 9);
    check({a, b, c}, [](Builder& bld, Params p) {
        return squared(bld, op(bld, OpKind::Concat, {p[0], p[1], p[2]}, Attrs{{"axis", int64_t{1}}}));
    });
    check({a, b}, [](Builder& bld, Params p) {   // the same value twice
        return squared(bld, op(bld, OpKind::Concat, {p[1], p[0], p[1]}, Attrs{{"axis", int64_t{-2}}}));
    });
}

TEST(ShapeGrad, Slice) {
    const Tensor x = uniform({4, 5}, -1, 1, 10);
    for (const auto& [starts, stops, steps] :
         {std::tuple{Shape{1, 0}, Shape{3, 5}, Shape{1, 2}}, std::tuple{Shape{3, 4}, Shape{0, -1}, Shape{-1, -2}}}) {
        check({x}, [&](Builder& b, Params p) {
            return squared(b, op(b, OpKind::Slice, {p[0]}, Attrs{{"starts", starts}, {"stops", stops}, {"steps", steps}}));
        });
    }
}

TEST(ShapeGrad, UpdateSlice) {
    const Tensor x = uniform({4, 5}, -1, 1, 11), v = uniform({2, 3}, -1, 1, 12);
    check({x, v}, [](Builder& b, Params p) {
        const Attrs attrs{{"starts", Shape{1, 0}}, {"stops", Shape{3, 5}}, {"steps", Shape{1, 2}}};
        return squared(b, op(b, OpKind::UpdateSlice, {p[0], p[1]}, attrs));
    });
}

TEST(ShapeGrad, Pad) {
    check({uniform({2, 3}, -1, 1, 13)}, [](Builder& b, Params p) {
        return squared(b, op(b, OpKind::Pad, {p[0]}, Attrs{{"pads", Shape{1, 0, 2, 1}}, {"value", 1.5}}));
    });
}

TEST(IndexGrad, UpdateIndex) {
    const Tensor x = uniform({3, 4}, -1, 1, 14), v = uniform({3}, -1, 1, 15);
    check({x, v, index_tensor({}, {2})}, [](Builder& b, Params p) {
        return squared(b, op(b, OpKind::UpdateIndex, {p[0], p[1], p[2]}, Attrs{{"axis", int64_t{1}}}));
    });
}

TEST(IndexGrad, Gather) {
    const Tensor x = uniform({3, 4}, -1, 1, 16);
    const Tensor index = index_tensor({3, 2}, {0, 3, 3, 1, 2, -1}, DType::I32);   // repeats and a negative index
    check({x, index}, [](Builder& b, Params p) {
        return squared(b, op(b, OpKind::Gather, {p[0], p[1]}, Attrs{{"axis", int64_t{1}}}));
    });
}

TEST(IndexGrad, Take) {
    const Tensor x = uniform({3, 4}, -1, 1, 17);
    const Tensor index = index_tensor({2, 2}, {0, 2, 2, -1});
    check({x, index}, [](Builder& b, Params p) {
        return squared(b, op(b, OpKind::Take, {p[0], p[1]}, Attrs{{"axis", int64_t{0}}}));
    });
    check({x, index}, [](Builder& b, Params p) { return squared(b, op(b, OpKind::Take, {p[0], p[1]})); });   // flattened
    check({x, index_tensor({}, {1})}, [](Builder& b, Params p) {
        return squared(b, op(b, OpKind::Take, {p[0], p[1]}, Attrs{{"axis", int64_t{1}}}));
    });
}

TEST(IndexGrad, ScatterAddAndIndexAdd) {
    const Tensor x = uniform({3, 4}, -1, 1, 18);
    check({x, index_tensor({3, 2}, {0, 3, 3, 1, 2, 2}), uniform({3, 2}, -1, 1, 19)}, [](Builder& b, Params p) {
        return squared(b, op(b, OpKind::ScatterAdd, {p[0], p[1], p[2]}, Attrs{{"axis", int64_t{1}}}));
    });
    check({x, index_tensor({2}, {2, 2}), uniform({2, 4}, -1, 1, 20)}, [](Builder& b, Params p) {
        return squared(b, op(b, OpKind::IndexAdd, {p[0], p[1], p[2]}, Attrs{{"axis", int64_t{0}}}));
    });
}

TEST(IndexGrad, OneHotIsAConstant) {
    // one_hot of integer labels feeds a differentiable product; only x gets a gradient.
    check({uniform({3, 4}, -1, 1, 21), index_tensor({3}, {1, 0, 3}, DType::I32)}, [](Builder& b, Params p) {
        Value* hot = op(b, OpKind::OneHot, {p[1]}, Attrs{{"depth", int64_t{4}}, {"dtype", DType::F64}});
        return squared(b, op(b, OpKind::Mul, {p[0], hot}));
    });
}

}  // namespace
}  // namespace nnc::testing
