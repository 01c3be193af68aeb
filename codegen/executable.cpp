// Running a compiled function: memory plans per set of sizes and the run
// loop over the step tree (see executable.h).
#include "codegen/executable.h"

#include <algorithm>
#include <chrono>

#include "codegen/memory_plan.h"
#include "core/checked_size.h"
#include "core/symbol_binding.h"
#include "ir/control_flow.h"
#include "support/error.h"

namespace nnc::codegen {

namespace {

// "gemm (B transposed)": the op, and which operand a GEMM reads transposed.
std::string library_step_name(const ir::Op& op) {
    std::string name(op_name(op.kind));
    if (op.kind != OpKind::Gemm) return name;
    if (op.attrs.get_bool("transpose_a", false)) name += " (A transposed)";
    if (op.attrs.get_bool("transpose_b", false)) name += " (B transposed)";
    return name;
}

}  // namespace

struct Executable::Plan {
    Shapes shapes;
    std::vector<int64_t> offsets;   // per slot: arena offset, -1 = own allocation
    std::shared_ptr<std::byte[]> arena;
};

// The state of one run: its plan, every slot's tensor, scratch.
struct Executable::Run {
    const Plan& plan;
    std::map<int, Tensor> in_place;   // result slot -> its parameter's tensor
    std::vector<Tensor> slots;
    std::vector<void*> buffers;
};

Executable::Executable(const ir::Function& f, const CompileOptions& options, std::unique_ptr<Backend> backend,
                       double compile_ms)
    : program_(f, options.updates), backend_(std::move(backend)), profile_(options.profile), compile_ms_(compile_ms) {
    if (static_cast<size_t>(program_.kernel_count()) != backend_->kernel_count())
        internal_error("@" + f.name() + " has " + std::to_string(program_.kernel_count()) + " fusion groups but " +
                       std::to_string(backend_->kernel_count()) + " kernels");
}

Executable::~Executable() = default;

const Executable::Plan& Executable::plan_for(const std::vector<int64_t>& sizes) {
    auto& entry = plans_[sizes];
    if (entry) return *entry;
    entry = std::make_unique<Plan>();
    Plan& plan = *entry;
    plan.shapes = program_.shapes_at(sizes);
    const size_t n_slots = program_.slot_count();
    const auto& steps = program_.steps();
    plan.offsets.assign(n_slots, -1);

    // Lifetimes in step numbers; a view keeps its base alive, and a buffer
    // that reaches the results (through views) is allocated on its own.
    std::vector<int> first(n_slots, -1), last(n_slots, -1), base(n_slots);
    for (size_t s = 0; s < n_slots; ++s) base[s] = static_cast<int>(s);
    std::vector<bool> escapes(n_slots, false);
    for (int r : program_.result_slots()) escapes[r] = true;
    for (size_t i = 0; i < steps.size(); ++i) {
        const Step& st = *steps[i];
        std::vector<int> read;
        st.all_inputs(read);
        for (int in : read) last[base[in]] = static_cast<int>(i);
        // A loop or branch may hand a value it reads on as its result: keep those out of the arena.
        if (!st.regions.empty())
            for (int in : read) escapes[base[in]] = true;
        for (int out : st.outputs) first[out] = static_cast<int>(i);
        if (st.kind == Step::View) base[st.outputs[0]] = base[st.inputs[0]];
    }
    for (int r : program_.result_slots()) escapes[base[r]] = true;

    // Only the top level's buffers go in the arena (a loop body's are allocated per iteration).
    std::vector<BufferRequest> requests;
    std::vector<int> requested_slot;
    for (const auto& st : steps) {
        const bool planned = st->kind == Step::Kernel || (st->kind == Step::Library && backend_->computes_into_plan(*st->op));
        if (!planned) continue;
        for (int out : st->outputs) {
            const int64_t bytes = checked_numel(plan.shapes.slots[out]) * dtype_size(program_.slot_type(out).dtype);
            if (escapes[out] || bytes == 0) continue;   // an empty tensor has storage of its own, never arena space
            requests.push_back({bytes, first[out], std::max(first[out], last[out])});
            requested_slot.push_back(out);
        }
    }
    MemoryPlan placed = plan_memory(requests);
    for (size_t i = 0; i < requests.size(); ++i) plan.offsets[requested_slot[i]] = placed.offsets[i];
    if (placed.arena_bytes > 0) plan.arena = backend_->allocate_arena(placed.arena_bytes);
    int64_t results = 0;
    for (int r : program_.result_slots())
        results += checked_numel(plan.shapes.slots[r]) * dtype_size(program_.slot_type(r).dtype);
    peak_bytes_ = std::max(peak_bytes_, placed.arena_bytes + results);
    return plan;
}

std::vector<Tensor> Executable::run(std::vector<Tensor> args, long max_owners) {
    const ir::Function& f = program_.function();
    const auto params = f.params();
    if (args.size() != params.size())
        throw RuntimeError("compiled @" + f.name() + ": expects " + std::to_string(params.size()) + " arguments");
    SymbolBinding binding;
    for (size_t i = 0; i < args.size(); ++i) {
        const TensorType& t = params[i]->type();
        if (!binding.bind(t, args[i].dtype(), args[i].shape()))
            throw RuntimeError("compiled @" + f.name() + ": argument " + std::to_string(i + 1) + " is " +
                               args[i].type().str() + " but its type is " + t.str() + binding.describe(t));
    }
    std::vector<int64_t> sizes;
    for (const auto& [symbol, size] : binding.bound()) sizes.push_back(size);
    const Plan& plan = plan_for(sizes);

    Run run{plan, {}, std::vector<Tensor>(program_.slot_count()), {}};
    // The buffers of results written in place: their parameters' tensors.
    const std::vector<int>& result_slots = program_.result_slots();
    for (const auto& [result, param] : program_.updates())
        if (program_.update_in_place()[result] && args[param].storage_owners() <= max_owners + 1)   // + `args`' own
            run.in_place[result_slots[result]] = args[param];
    in_place_updates_ += static_cast<int64_t>(run.in_place.size());
    for (size_t i = 0; i < args.size(); ++i) run.slots[i] = args[i];
    args.clear();
    for (const auto& [at, constant] : program_.constants()) run.slots[at] = constant->payload;
    run_steps(program_.steps(), run);
    std::vector<Tensor> results;
    for (int r : result_slots) results.push_back(run.slots[r]);
    return results;
}

void Executable::run_steps(const std::vector<std::unique_ptr<Step>>& steps, Run& run) {
    for (const auto& step : steps) {
        if (!profile_) {
            run_step(*step, run);
            continue;
        }
        const auto start = std::chrono::steady_clock::now();
        run_step(*step, run);
        ++step->calls;
        step->seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
}

void Executable::run_step(Step& st, Run& run) {
    std::vector<Tensor>& slots = run.slots;
    // The tensor a step writes slot `s` into: a parameter's storage, the arena, or its own.
    auto output = [&](int s) -> Tensor {
        const TensorType& t = program_.slot_type(s);
        if (auto it = run.in_place.find(s); it != run.in_place.end()) return it->second;
        if (run.plan.offsets[s] >= 0)
            return Tensor::wrap(std::shared_ptr<std::byte[]>(run.plan.arena, run.plan.arena.get() + run.plan.offsets[s]),
                                t.dtype, run.plan.shapes.slots[s]);
        return Tensor::empty(t.dtype, run.plan.shapes.slots[s]);
    };
    switch (st.kind) {
    case Step::Kernel: {
        run.buffers.clear();
        for (int in : st.inputs) run.buffers.push_back(slots[in].raw());
        for (int out : st.outputs) {
            slots[out] = output(out);
            run.buffers.push_back(slots[out].raw());
        }
        backend_->launch(st.kernel, run.buffers.data(), run.plan.shapes.iteration.at(st.op));
        break;
    }
    case Step::View:
        slots[st.outputs[0]] = slots[st.inputs[0]].reshaped(run.plan.shapes.slots[st.outputs[0]]);
        break;
    case Step::Library: {
        std::vector<Tensor> operands;
        for (int in : st.inputs) operands.push_back(slots[in]);
        Tensor into = backend_->computes_into_plan(*st.op) ? output(st.outputs[0]) : Tensor();
        slots[st.outputs[0]] = backend_->run_library(*st.op, operands, std::move(into));
        break;
    }
    case Step::ControlFlow: {
        std::vector<Tensor> operands;
        for (int in : st.inputs) operands.push_back(slots[in]);
        const std::vector<Tensor> results =
            ir::run_control_flow(*st.op, operands, [&](size_t r, std::vector<Tensor> values) {
                for (size_t k = 0; k < values.size(); ++k) slots[st.region_args[r][k]] = std::move(values[k]);
                run_steps(st.regions[r], run);
                std::vector<Tensor> yielded;
                for (int y : st.region_yields[r]) yielded.push_back(slots[y]);
                return yielded;
            });
        for (size_t k = 0; k < st.outputs.size(); ++k) slots[st.outputs[k]] = results[k];
        break;
    }
    }
}

std::vector<StepProfile> Executable::profile() const {
    std::vector<StepProfile> out;
    std::vector<const Step*> every;
    for (const auto& st : program_.steps()) st->all_steps(every);
    for (const Step* st : every) {
        const std::string name = st->kind == Step::Kernel ? backend_->kernel_name(st->kernel) : library_step_name(*st->op);
        out.push_back({name, st->op->loc, st->calls, st->seconds});
    }
    return out;
}

}  // namespace nnc::codegen
