// f32 convolution and its gradients through oneDNN primitives (see conv_dnnl.h).
#include "runtime/conv_dnnl.h"

#include <algorithm>
#include <dnnl.hpp>
#include <memory>
#include <mutex>
#include <omp.h>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/allocator.h"
#include "runtime/tensor.h"

namespace nnc {

namespace {

using dnnl::memory;
using Tag = memory::format_tag;

enum class Direction { Forward, GradInput, GradWeight };

// The argument slots of one primitive call: two operands and a result.
struct Slot {
    int arg;                 // DNNL_ARG_*
    memory::desc plain;      // NCHW / OIHW, as the caller's buffer
    memory::desc layout;     // what the primitive wants (== plain: no reorder)
};

// A primitive for one shape and direction, with the reorders between the
// caller's plain buffers and the primitive's layouts.
struct ConvPlan {
    dnnl::primitive primitive;
    Slot inputs[2];
    Slot output;
    memory::desc scratchpad;
    std::optional<dnnl::reorder> input_reorders[2];
    std::optional<dnnl::reorder> output_reorder;
};

dnnl::engine& cpu_engine() {
    static dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    return engine;
}

memory::desc plain_desc(const memory::dims& dims, Tag tag) { return memory::desc(dims, memory::data_type::f32, tag); }

// oneDNN's blocked layouts (8 channels per block with AVX2) pay for their
// reorders once both channel counts fill a block; below that (a first layer
// on grey images) its kernels on the plain layouts are faster.
bool prefer_blocked(const ConvShape& s) { return s.channels >= 8 && s.out_channels >= 8; }

ConvPlan make_plan(Direction direction, const ConvShape& s) {
    const memory::dims x_dims{s.batch, s.channels, s.height, s.width};
    const memory::dims w_dims{s.out_channels, s.channels, s.kernel_h, s.kernel_w};
    const memory::dims y_dims{s.batch, s.out_channels, s.out_height, s.out_width};
    const memory::dims strides{s.stride[0], s.stride[1]}, padding{s.padding[0], s.padding[1]};
    const memory::desc x_plain = plain_desc(x_dims, Tag::nchw), w_plain = plain_desc(w_dims, Tag::oihw),
                       y_plain = plain_desc(y_dims, Tag::nchw);
    const bool blocked = prefer_blocked(s);
    auto chosen = [&](const memory::dims& dims, const memory::desc& plain) {
        return blocked ? memory::desc(dims, memory::data_type::f32, Tag::any) : plain;
    };
    const memory::desc x_any = chosen(x_dims, x_plain), w_any = chosen(w_dims, w_plain), y_any = chosen(y_dims, y_plain);
    dnnl::engine& engine = cpu_engine();
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const auto algorithm = dnnl::algorithm::convolution_direct;
    // The backward primitives take the forward one as a hint.
    const dnnl::convolution_forward::primitive_desc forward(
        dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algorithm, x_any, w_any, y_any, strides,
                                        padding, padding),
        attr, engine);

    ConvPlan plan;
    switch (direction) {
    case Direction::Forward:
        plan.primitive = dnnl::convolution_forward(forward);
        plan.inputs[0] = {DNNL_ARG_SRC, x_plain, forward.src_desc()};
        plan.inputs[1] = {DNNL_ARG_WEIGHTS, w_plain, forward.weights_desc()};
        plan.output = {DNNL_ARG_DST, y_plain, forward.dst_desc()};
        plan.scratchpad = forward.scratchpad_desc();
        break;
    case Direction::GradInput: {
        const dnnl::convolution_backward_data::primitive_desc pd(
            dnnl::convolution_backward_data::desc(algorithm, x_any, w_any, y_any, strides, padding, padding), attr,
            engine, forward);
        plan.primitive = dnnl::convolution_backward_data(pd);
        plan.inputs[0] = {DNNL_ARG_DIFF_DST, y_plain, pd.diff_dst_desc()};
        plan.inputs[1] = {DNNL_ARG_WEIGHTS, w_plain, pd.weights_desc()};
        plan.output = {DNNL_ARG_DIFF_SRC, x_plain, pd.diff_src_desc()};
        plan.scratchpad = pd.scratchpad_desc();
        break;
    }
    case Direction::GradWeight: {
        const dnnl::convolution_backward_weights::primitive_desc pd(
            dnnl::convolution_backward_weights::desc(algorithm, x_any, w_any, y_any, strides, padding, padding), attr,
            engine, forward);
        plan.primitive = dnnl::convolution_backward_weights(pd);
        plan.inputs[0] = {DNNL_ARG_SRC, x_plain, pd.src_desc()};
        plan.inputs[1] = {DNNL_ARG_DIFF_DST, y_plain, pd.diff_dst_desc()};
        plan.output = {DNNL_ARG_DIFF_WEIGHTS, w_plain, pd.diff_weights_desc()};
        plan.scratchpad = pd.scratchpad_desc();
        break;
    }
    }
    for (int i = 0; i < 2; ++i)
        if (plan.inputs[i].layout != plan.inputs[i].plain)
            plan.input_reorders[i] = dnnl::reorder(dnnl::reorder::primitive_desc(
                engine, plan.inputs[i].plain, engine, plan.inputs[i].layout));
    if (plan.output.layout != plan.output.plain)
        plan.output_reorder =
            dnnl::reorder(dnnl::reorder::primitive_desc(engine, plan.output.layout, engine, plan.output.plain));
    return plan;
}

struct PlanKey {
    Direction direction;
    ConvShape shape;
    int threads;   // oneDNN sizes its work split by the thread count at creation
    bool operator==(const PlanKey&) const = default;
};

struct PlanKeyHash {
    size_t operator()(const PlanKey& k) const {
        const ConvShape& s = k.shape;
        size_t h = static_cast<size_t>(k.direction) * 31 + static_cast<size_t>(k.threads);
        for (int64_t v : {s.batch, s.channels, s.height, s.width, s.out_channels, s.out_height, s.out_width, s.kernel_h,
                          s.kernel_w, s.stride[0], s.stride[1], s.padding[0], s.padding[1]})
            h = h * 1000003 + static_cast<size_t>(v);
        return h;
    }
};

const ConvPlan& cached_plan(Direction direction, const ConvShape& s) {
    static std::mutex mutex;
    static std::unordered_map<PlanKey, std::unique_ptr<ConvPlan>, PlanKeyHash> plans;
    const PlanKey key{direction, s, omp_get_max_threads()};
    std::lock_guard<std::mutex> lock(mutex);
    auto& plan = plans[key];
    if (!plan) plan = std::make_unique<ConvPlan>(make_plan(direction, s));
    return *plan;
}

// Storage for a memory in a primitive's layout (the caching allocator keeps
// the large ones for the next call).
memory scratch_memory(const memory::desc& desc, std::vector<std::shared_ptr<std::byte[]>>& keep) {
    keep.push_back(allocate_storage(static_cast<int64_t>(desc.get_size())));
    return memory(desc, cpu_engine(), keep.back().get());
}

int64_t output_elements(Direction direction, const ConvShape& s) {
    switch (direction) {
    case Direction::Forward: return s.batch * s.out_channels * s.out_height * s.out_width;
    case Direction::GradInput: return s.batch * s.channels * s.height * s.width;
    case Direction::GradWeight: return s.out_channels * s.channels * s.kernel_h * s.kernel_w;
    }
    return 0;
}

bool has_zero_size(const ConvShape& s) {
    for (int64_t v : {s.batch, s.channels, s.height, s.width, s.out_channels, s.out_height, s.out_width, s.kernel_h,
                      s.kernel_w})
        if (v == 0) return true;
    return false;
}

void run(Direction direction, const char* op, const float* in0, const float* in1, float* out, const ConvShape& s) {
    if (has_zero_size(s)) {   // an empty sum (oneDNN does not take zero sizes)
        std::fill(out, out + output_elements(direction, s), 0.0f);
        return;
    }
    try {
        const ConvPlan& plan = cached_plan(direction, s);
        dnnl::stream stream(cpu_engine());
        std::vector<std::shared_ptr<std::byte[]>> keep;
        std::unordered_map<int, memory> args;
        const float* inputs[2] = {in0, in1};
        for (int i = 0; i < 2; ++i) {
            const Slot& slot = plan.inputs[i];
            memory user(slot.plain, cpu_engine(), const_cast<float*>(inputs[i]));
            if (!plan.input_reorders[i]) {
                args.emplace(slot.arg, user);
                continue;
            }
            memory converted = scratch_memory(slot.layout, keep);
            plan.input_reorders[i]->execute(stream, user, converted);
            args.emplace(slot.arg, converted);
        }
        memory result(plan.output.plain, cpu_engine(), out);
        memory produced = plan.output_reorder ? scratch_memory(plan.output.layout, keep) : result;
        args.emplace(plan.output.arg, produced);
        if (plan.scratchpad.get_size() > 0) args.emplace(DNNL_ARG_SCRATCHPAD, scratch_memory(plan.scratchpad, keep));
        plan.primitive.execute(stream, args);
        if (plan.output_reorder) plan.output_reorder->execute(stream, produced, result);
        stream.wait();
    } catch (const dnnl::error& e) {
        throw RuntimeError(std::string(op) + ": oneDNN failed: " + e.what());
    }
}

}  // namespace

void conv2d_dnnl(const float* x, const float* w, float* y, const ConvShape& s) {
    run(Direction::Forward, "conv2d", x, w, y, s);
}

void conv2d_grad_input_dnnl(const float* dy, const float* w, float* dx, const ConvShape& s) {
    run(Direction::GradInput, "conv2d_grad_input", dy, w, dx, s);
}

void conv2d_grad_weight_dnnl(const float* x, const float* dy, float* dw, const ConvShape& s) {
    run(Direction::GradWeight, "conv2d_grad_weight", x, dy, dw, s);
}

}  // namespace nnc
