// Shape, layout and indexing kernels: reshape, permute, broadcast_to,
// concat, slice, pad, gather, take and one_hot.
#include <gtest/gtest.h>

#include "test_tensors.h"

namespace nnc {
namespace {

using namespace nnc::testing;

const Tensor kX = f32({2, 3}, {1, 2, 3, 4, 5, 6});

TEST(Layout, ReshapeAndPermute) {
    const Tensor r = run(OpKind::Reshape, {kX}, {{"shape", std::vector<int64_t>{3, 2}}});
    EXPECT_EQ(r.shape(), (Shape{3, 2}));
    EXPECT_EQ(values(r), values(kX));
    EXPECT_EQ(values(run(OpKind::Permute, {kX}, {{"perm", std::vector<int64_t>{1, 0}}})), (V{1, 4, 2, 5, 3, 6}));
    Tensor x = Tensor::empty(DType::I64, {2, 3, 4});
    for (int64_t i = 0; i < 24; ++i) x.set(i, static_cast<double>(i));
    const Tensor p = run(OpKind::Permute, {x}, {{"perm", std::vector<int64_t>{2, 0, 1}}});
    EXPECT_EQ(p.shape(), (Shape{4, 2, 3}));
    // p[c, a, b] = x[a, b, c] = 12a + 4b + c
    EXPECT_EQ(p.get_int(1 * 6 + 1 * 3 + 2), 12 + 8 + 1);
}

TEST(Layout, BroadcastToAndConcat) {
    const Tensor b = run(OpKind::BroadcastTo, {f32({3}, {1, 2, 3})}, {{"shape", std::vector<int64_t>{2, 3}}});
    EXPECT_EQ(values(b), (V{1, 2, 3, 1, 2, 3}));
    const Tensor rows = run(OpKind::Concat, {kX, f32({1, 3}, {7, 8, 9})}, {{"axis", int64_t{0}}});
    EXPECT_EQ(rows.shape(), (Shape{3, 3}));
    EXPECT_EQ(values(rows), (V{1, 2, 3, 4, 5, 6, 7, 8, 9}));
    const Tensor cols = run(OpKind::Concat, {kX, make(DType::I32, {2, 1}, {0, -1})}, {{"axis", int64_t{-1}}});
    EXPECT_EQ(cols.dtype(), DType::F32);
    EXPECT_EQ(values(cols), (V{1, 2, 3, 0, 4, 5, 6, -1}));
}

TEST(Layout, SliceWithStepsAndReversal) {
    const Attrs every_other{{"starts", std::vector<int64_t>{0, 0}},
                            {"stops", std::vector<int64_t>{2, 3}},
                            {"steps", std::vector<int64_t>{1, 2}}};
    EXPECT_EQ(values(run(OpKind::Slice, {kX}, every_other)), (V{1, 3, 4, 6}));
    const Attrs reversed{{"starts", std::vector<int64_t>{1, 2}},
                         {"stops", std::vector<int64_t>{-1, -1}},
                         {"steps", std::vector<int64_t>{-1, -1}}};
    EXPECT_EQ(values(run(OpKind::Slice, {kX}, reversed)), (V{6, 5, 4, 3, 2, 1}));
    const Attrs last_column{{"starts", std::vector<int64_t>{0, 2}},
                            {"stops", std::vector<int64_t>{2, 3}},
                            {"steps", std::vector<int64_t>{1, 1}}};
    EXPECT_EQ(values(run(OpKind::Slice, {kX}, last_column)), (V{3, 6}));
}

TEST(Layout, Pad) {
    const Tensor p = run(OpKind::Pad, {f32({1, 2}, {1, 2})}, {{"pads", std::vector<int64_t>{1, 0, 1, 2}}, {"value", -1.0}});
    EXPECT_EQ(p.shape(), (Shape{2, 5}));
    EXPECT_EQ(values(p), (V{-1, -1, -1, -1, -1, -1, 1, 2, -1, -1}));
}

TEST(Indexing, GatherAlongAxis) {
    const Tensor logits = f32({2, 3}, {0.1, 0.2, 0.3, 0.4, 0.5, 0.6});
    const Tensor labels = make(DType::I32, {2, 1}, {2, 0});
    EXPECT_EQ(values(run(OpKind::Gather, {logits, labels}, {{"axis", int64_t{1}}})), (V{0.3f, 0.4f}));
    const Tensor rows = make(DType::I64, {1, 3}, {1, 0, -1});
    EXPECT_EQ(values(run(OpKind::Gather, {logits, rows}, {{"axis", int64_t{0}}})), (V{0.4f, 0.2f, 0.6f}));
}

TEST(Indexing, TakeRowsAndFlattened) {
    const Tensor t = run(OpKind::Take, {kX, make(DType::I32, {3}, {1, 0, 1})}, {{"axis", int64_t{0}}});
    EXPECT_EQ(t.shape(), (Shape{3, 3}));
    EXPECT_EQ(values(t), (V{4, 5, 6, 1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(values(run(OpKind::Take, {kX, make(DType::I32, {2}, {-1, 2})}, {{"axis", int64_t{1}}})),
              (V{3, 3, 6, 6}));
    EXPECT_EQ(values(run(OpKind::Take, {kX, make(DType::I8, {2}, {5, 0})})), (V{6, 1}));
}

TEST(Indexing, OutOfRangeNamesIndexAndBound) {
    try {
        run(OpKind::Take, {kX, make(DType::I32, {1}, {7})}, {{"axis", int64_t{1}}});
        FAIL();
    } catch (const RuntimeError& e) {
        EXPECT_STREQ(e.what(), "take: index 7 is out of range for axis 1 of size 3");
    }
    EXPECT_THROW(run(OpKind::Gather, {kX, make(DType::I32, {2, 1}, {0, -4})}, {{"axis", int64_t{1}}}), RuntimeError);
    EXPECT_THROW(run(OpKind::OneHot, {make(DType::I32, {1}, {3})}, {{"depth", int64_t{3}}}), RuntimeError);
}

TEST(Indexing, OneHot) {
    const Tensor h = run(OpKind::OneHot, {make(DType::I32, {3}, {2, 0, 1})}, {{"depth", int64_t{3}}});
    EXPECT_EQ(h.dtype(), DType::F32);
    EXPECT_EQ(values(h), (V{0, 0, 1, 1, 0, 0, 0, 1, 0}));
}

}  // namespace
}  // namespace nnc
