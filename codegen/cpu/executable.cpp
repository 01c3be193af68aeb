// Compiled functions: step list, memory plans and the run loop (see executable.h).
#include "codegen/cpu/executable.h"

#include <algorithm>
#include <chrono>
#include <functional>
#include <omp.h>

#include "codegen/cpu/memory_plan.h"
#include "ir/passes/fusion.h"
#include "ir/passes/pipeline.h"
#include "core/shape_rules.h"
#include "runtime/gemm.h"
#include "runtime/kernels.h"
#include "support/error.h"

namespace nnc::codegen {

namespace {

// Below this many elements a kernel runs on the calling thread: waking a
// team costs more than the work.
constexpr int64_t kParallelWork = 1 << 15;

// A 2-D f32 matmul: one sgemm call.
bool plain_gemm(const ir::Op& op) {
    if (op.kind != OpKind::MatMul) return false;
    for (const ir::Value* v : op.operands)
        if (v->type().dtype != DType::F32 || v->type().rank() != 2) return false;
    return true;
}

// A 2-D f32 transpose whose users are all 2-D f32 matmuls: the GEMM reads
// its operand transposed instead.
bool absorbed_transpose(const ir::Op& op, const std::vector<const ir::Op*>& users) {
    if (op.kind != OpKind::Permute || op.result()->type().rank() != 2 || op.result()->type().dtype != DType::F32)
        return false;
    if (op.attrs.get_ints("perm") != std::vector<int64_t>{1, 0}) return false;
    if (users.empty()) return false;
    for (const ir::Op* u : users)
        if (!plain_gemm(*u)) return false;
    return true;
}

// Calls a JIT-compiled kernel. Exempt from UBSan's -fsanitize=function check,
// which reads a type signature from the 8 bytes before the callee's entry:
// LLVM-emitted kernels have none, and a kernel at the start of a JIT code
// page has an unmapped page there (a SEGV in sanitizer builds).
#if defined(__clang__)
__attribute__((no_sanitize("function")))
#endif
void call_kernel(KernelFn fn, void* const* buffers, const int64_t* dims, int64_t begin, int64_t end) {
    fn(buffers, dims, begin, end);
}

}  // namespace

struct Executable::Step {
    enum Kind { Kernel, Gemm, View, Library, For, If, While } kind;
    const ir::Op* op;
    std::vector<int> inputs;
    std::vector<int> outputs;
    // Kernel
    KernelInfo info;
    KernelFn fn = nullptr;
    std::vector<Dim> iteration;
    // Gemm: each operand's slot and whether it is read transposed
    bool trans[2] = {false, false};
    // For, If, While: each region's steps, arguments and yielded values
    std::vector<std::vector<std::unique_ptr<Step>>> regions;
    std::vector<std::vector<int>> region_args, region_yields;
    // profile
    int64_t calls = 0;
    double seconds = 0;
};

void Executable::all_inputs(const Step& st, std::vector<int>& out) {
    out.insert(out.end(), st.inputs.begin(), st.inputs.end());
    for (size_t r = 0; r < st.regions.size(); ++r) {
        out.insert(out.end(), st.region_yields[r].begin(), st.region_yields[r].end());
        for (const auto& inner : st.regions[r]) all_inputs(*inner, out);
    }
}

void Executable::all_outputs(const Step& st, std::vector<const Step*>& out) {
    out.push_back(&st);
    for (const auto& region : st.regions)
        for (const auto& inner : region) all_outputs(*inner, out);
}

struct Executable::Plan {
    std::vector<Shape> shapes;              // per slot, at these sizes
    std::unordered_map<const ir::Op*, Shape> iteration;   // per fusion op: its kernel's iteration shape
    std::vector<int64_t> offsets;           // per slot: arena offset, -1 = own allocation
    std::shared_ptr<std::byte[]> arena;
    int64_t arena_bytes = 0;
};

Executable::~Executable() = default;

std::span<const std::string> fusion_pipeline() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v(ir::default_pipeline().begin(), ir::default_pipeline().end());
        v.push_back("fuse");
        return v;
    }();
    return names;
}

std::unique_ptr<Executable> Executable::build(const ir::Function& f, const CompileOptions& options,
                                              std::vector<CompiledKernel> kernels, double compile_ms) {
    std::unique_ptr<Executable> e(new Executable());
    e->f_ = &f;
    e->profile_ = options.profile;
    e->updates_ = options.updates;

    // Slots, symbols and users.
    std::unordered_map<const ir::Value*, int> slot;
    auto number = [&](const ir::Value* v) {
        slot[v] = static_cast<int>(e->slot_values_.size());
        e->slot_values_.push_back(v);
    };
    for (const ir::Value* p : f.params()) {
        number(p);
        for (const Dim& d : p->type().dims)
            if (d.is_symbol() && !e->symbols_.count(d.name())) e->symbols_.emplace(d.name(), static_cast<int>(e->symbols_.size()));
    }
    std::unordered_map<const ir::Value*, std::vector<const ir::Op*>> users;
    ir::walk(f.body(), [&](const ir::Op* op) {
        for (const ir::Value* v : op->operands) users[v].push_back(op);
    });
    // Every value of every block gets a slot.
    std::function<void(const ir::Block&)> number_block = [&](const ir::Block& b) {
        for (const ir::Op* op : b.ops) {
            for (const ir::Value* r : op->results) number(r);
            if (op->kind == OpKind::Constant) e->constants_.emplace_back(slot.at(op->result()), op);
            if (op->kind == OpKind::Fusion) continue;   // its body is the kernel's business
            for (const ir::Block* region : op->regions) {
                for (const ir::Value* a : region->args) number(a);
                number_block(*region);
            }
        }
    };
    number_block(*f.body());
    e->n_slots_ = e->slot_values_.size();

    e->kernels_ = static_cast<int>(kernels.size());
    e->compile_ms_ = compile_ms;
    std::unordered_map<const ir::Op*, size_t> kernel_of;
    ir::walk(f.body(), [&](const ir::Op* op) {
        if (op->kind == OpKind::Fusion) kernel_of.emplace(op, kernel_of.size());
    });
    if (kernel_of.size() != kernels.size())
        internal_error("@" + f.name() + " has " + std::to_string(kernel_of.size()) +
                               " fusion groups but " + std::to_string(kernels.size()) + " kernels");

    std::function<void(const ir::Block&, std::vector<std::unique_ptr<Step>>&)> build_steps =
        [&](const ir::Block& b, std::vector<std::unique_ptr<Step>>& steps) {
            for (const ir::Op* op : b.ops) {
                if (op->kind == OpKind::Return) {
                    for (const ir::Value* v : op->operands) e->result_slots_.push_back(slot.at(v));
                    continue;
                }
                if (op->kind == OpKind::Yield || op->kind == OpKind::Constant) continue;   // constants: preset in every run
                if (absorbed_transpose(*op, users[op->result()])) continue;
                auto step = std::make_unique<Step>();
                step->op = op;
                for (const ir::Value* v : op->operands) step->inputs.push_back(slot.at(v));
                for (const ir::Value* r : op->results) step->outputs.push_back(slot.at(r));
                if (op->kind == OpKind::Fusion) {
                    const size_t k = kernel_of.at(op);
                    step->kind = Step::Kernel;
                    step->info = kernels[k].info;
                    step->fn = kernels[k].fn;
                    const ir::Op* root = ir::group_root(*op);
                    step->iteration = root ? root->operands[0]->type().dims : op->results[0]->type().dims;
                } else if (op->kind == OpKind::For || op->kind == OpKind::If || op->kind == OpKind::While) {
                    step->kind = op->kind == OpKind::For ? Step::For : op->kind == OpKind::If ? Step::If : Step::While;
                    for (const ir::Block* region : op->regions) {
                        step->regions.emplace_back();
                        build_steps(*region, step->regions.back());
                        std::vector<int> args, yields;
                        for (const ir::Value* a : region->args) args.push_back(slot.at(a));
                        for (const ir::Value* v : region->terminator()->operands) yields.push_back(slot.at(v));
                        step->region_args.push_back(std::move(args));
                        step->region_yields.push_back(std::move(yields));
                    }
                } else if (op->kind == OpKind::Reshape || op->kind == OpKind::ExpandDims) {
                    step->kind = Step::View;
                } else if (plain_gemm(*op)) {
                    step->kind = Step::Gemm;
                    for (int i = 0; i < 2; ++i) {
                        const ir::Op* def = op->operands[i]->defining_op();
                        if (def && absorbed_transpose(*def, users[def->result()])) {
                            step->inputs[i] = slot.at(def->operands[0]);
                            step->trans[i] = true;
                        }
                    }
                } else {
                    step->kind = Step::Library;
                }
                steps.push_back(std::move(step));
            }
        };
    build_steps(*f.body(), e->steps_);

    // Results written into their parameters: only where the kernel producing
    // the result reads the parameter element by element and nothing reads
    // the parameter afterwards.
    e->update_in_place_.assign(e->result_slots_.size(), false);
    for (const auto& [result, param] : e->updates_) {
        if (result >= e->result_slots_.size()) continue;
        const int out = e->result_slots_[result];
        const int in = slot.at(f.params()[param]);
        if (e->slot_values_[out]->type() != e->slot_values_[in]->type()) continue;
        int producer = -1, last_read = -1;
        for (size_t s = 0; s < e->steps_.size(); ++s) {
            const Step& st = *e->steps_[s];
            if (std::count(st.outputs.begin(), st.outputs.end(), out)) producer = static_cast<int>(s);
            std::vector<int> read;
            all_inputs(st, read);
            if (std::count(read.begin(), read.end(), in)) last_read = static_cast<int>(s);
        }
        if (producer < 0 || last_read > producer || e->steps_[producer]->kind != Step::Kernel) continue;
        const Step& k = *e->steps_[producer];
        if (k.iteration != e->slot_values_[out]->type().dims) continue;
        if (std::count(e->result_slots_.begin(), e->result_slots_.end(), in)) continue;
        if (std::count(e->result_slots_.begin(), e->result_slots_.end(), out) > 1) continue;
        e->update_in_place_[result] = true;
    }
    return e;
}

std::vector<std::string> Executable::symbols() const {
    std::vector<std::string> names(symbols_.size());
    for (const auto& [name, index] : symbols_) names[index] = name;
    return names;
}

std::vector<Shape> Executable::value_shapes(const std::vector<int64_t>& sizes,
                                            std::unordered_map<const ir::Op*, Shape>& iteration) const {
    std::unordered_map<const ir::Value*, Shape> shape;
    for (const ir::Value* p : f_->params()) {
        Shape& s = shape[p];
        for (const Dim& d : p->type().dims) s.push_back(d.is_known() ? d.value() : sizes[symbols_.at(d.name())]);
    }
    auto shapes_of = [&](std::span<ir::Value* const> values) {
        std::vector<Shape> out;
        for (const ir::Value* v : values) out.push_back(shape.at(v));
        return out;
    };
    auto bind = [&](const ir::Block& region, const std::vector<Shape>& args) {
        for (size_t k = 0; k < args.size(); ++k) shape[region.args[k]] = args[k];
    };
    auto set_results = [&](const ir::Op& op, const std::vector<Shape>& results) {
        for (size_t k = 0; k < results.size(); ++k) shape[op.results[k]] = results[k];
    };
    std::function<void(const ir::Block&)> propagate = [&](const ir::Block& b) {
        for (const ir::Op* op : b.ops) {
            switch (op->kind) {
            case OpKind::Yield: case OpKind::Return: break;
            case OpKind::Constant: shape[op->result()] = op->payload.shape(); break;
            case OpKind::Fusion: {
                const ir::Block& body = *op->regions[0];
                bind(body, shapes_of(op->operands));
                propagate(body);
                set_results(*op, shapes_of(body.terminator()->operands));
                const ir::Op* root = ir::group_root(*op);
                iteration[op] = root ? shape.at(root->operands[0]) : shape.at(op->results[0]);
                break;
            }
            case OpKind::For: {
                std::vector<Shape> carried = shapes_of(std::span<ir::Value* const>(op->operands).subspan(1));
                std::vector<Shape> args{Shape{}};
                args.insert(args.end(), carried.begin(), carried.end());
                bind(*op->regions[0], args);
                propagate(*op->regions[0]);
                set_results(*op, carried);
                break;
            }
            case OpKind::While:
                for (const ir::Block* region : op->regions) bind(*region, shapes_of(op->operands)), propagate(*region);
                set_results(*op, shapes_of(op->operands));
                break;
            case OpKind::If:
                for (const ir::Block* region : op->regions) propagate(*region);
                set_results(*op, shapes_of(op->regions[0]->terminator()->operands));
                break;
            default: {
                std::vector<TensorType> operands;
                for (const ir::Value* v : op->operands) operands.push_back(TensorType::of(v->type().dtype, shape.at(v)));
                shape[op->result()] = infer_type(op->kind, operands, op->attrs).concrete();
                break;
            }
            }
        }
    };
    propagate(*f_->body());
    std::vector<Shape> out(n_slots_);
    for (size_t s = 0; s < n_slots_; ++s) out[s] = shape.at(slot_values_[s]);
    return out;
}

const Executable::Plan& Executable::plan_for(const std::vector<int64_t>& sizes) {
    auto& entry = plans_[sizes];
    if (entry) return *entry;
    entry = std::make_unique<Plan>();
    Plan& plan = *entry;
    plan.shapes = value_shapes(sizes, plan.iteration);
    plan.offsets.assign(n_slots_, -1);

    // Lifetimes in step numbers; a view keeps its base alive, and a buffer
    // that reaches the results (through views) is allocated on its own.
    std::vector<int> first(n_slots_, -1), last(n_slots_, -1), base(n_slots_);
    for (size_t s = 0; s < n_slots_; ++s) base[s] = static_cast<int>(s);
    std::vector<bool> escapes(n_slots_, false);
    for (int r : result_slots_) escapes[r] = true;
    for (size_t i = 0; i < steps_.size(); ++i) {
        const Step& st = *steps_[i];
        std::vector<int> read;
        all_inputs(st, read);
        for (int in : read) last[base[in]] = static_cast<int>(i);
        // A loop or branch may hand a value it reads on as its result: keep those out of the arena.
        if (!st.regions.empty())
            for (int in : read) escapes[base[in]] = true;
        for (int out : st.outputs) first[out] = static_cast<int>(i);
        if (st.kind == Step::View) base[st.outputs[0]] = base[st.inputs[0]];
    }
    for (int r : result_slots_) escapes[base[r]] = true;

    // Only the top level's buffers go in the arena (a loop body's are allocated per iteration).
    std::vector<BufferRequest> requests;
    std::vector<int> requested_slot;
    for (const auto& st : steps_) {
        if (st->kind != Step::Kernel && st->kind != Step::Gemm) continue;
        for (int out : st->outputs) {
            const TensorType& t = slot_values_[out]->type();
            if (escapes[out]) continue;
            const int64_t bytes = checked_numel(plan.shapes[out]) * dtype_size(t.dtype);
            requests.push_back({bytes, first[out], std::max(first[out], last[out])});
            requested_slot.push_back(out);
        }
    }
    MemoryPlan placed = plan_memory(requests);
    for (size_t i = 0; i < requests.size(); ++i) plan.offsets[requested_slot[i]] = placed.offsets[i];
    plan.arena_bytes = placed.arena_bytes;
    if (plan.arena_bytes > 0) {
        plan.arena = Tensor::empty(DType::I8, {plan.arena_bytes}).storage();
    }
    int64_t results = 0;
    for (int r : result_slots_)
        results += checked_numel(plan.shapes[r]) * dtype_size(slot_values_[r]->type().dtype);
    peak_bytes_ = std::max(peak_bytes_, plan.arena_bytes + results);
    return plan;
}

// The state of one run: its plan, every slot's tensor, scratch.
struct Executable::Run {
    const Plan& plan;
    std::map<int, Tensor> in_place;
    std::vector<Tensor> slots;
    std::vector<void*> buffers;
    std::vector<int64_t> dims;
};

std::vector<Tensor> Executable::run(std::vector<Tensor> args, long max_owners) {
    const auto params = f_->params();
    if (args.size() != params.size())
        throw RuntimeError("compiled @" + f_->name() + ": expects " + std::to_string(params.size()) + " arguments");
    std::vector<int64_t> sizes(symbols_.size(), -1);
    for (size_t i = 0; i < args.size(); ++i) {
        const TensorType& t = params[i]->type();
        bool ok = args[i].dtype() == t.dtype && args[i].rank() == t.rank();
        for (int64_t d = 0; ok && d < t.rank(); ++d) {
            const Dim& dim = t.dims[d];
            if (dim.is_known()) ok = dim.value() == args[i].dim(d);
            else if (int64_t& bound = sizes[symbols_.at(dim.name())]; bound < 0) bound = args[i].dim(d);
            else ok = bound == args[i].dim(d);
        }
        if (!ok) throw RuntimeError("compiled @" + f_->name() + ": argument " + std::to_string(i + 1) + " is " +
                                    args[i].type().str() + " but its type is " + t.str());
    }
    const Plan& plan = plan_for(sizes);

    Run run{plan, {}, std::vector<Tensor>(n_slots_), {}, {}};
    // The buffers of results written in place: their parameters' tensors.
    for (const auto& [result, param] : updates_)
        if (update_in_place_[result] && args[param].storage_owners() <= max_owners + 1)   // + `args`' own
            run.in_place[result_slots_[result]] = args[param];
    in_place_updates_ += static_cast<int64_t>(run.in_place.size());
    for (size_t i = 0; i < args.size(); ++i) run.slots[i] = args[i];
    args.clear();
    for (const auto& [at, constant] : constants_) run.slots[at] = constant->payload;
    run_steps(steps_, run);
    std::vector<Tensor> results;
    for (int r : result_slots_) results.push_back(run.slots[r]);
    return results;
}

void Executable::run_steps(const std::vector<std::unique_ptr<Step>>& steps, Run& run) {
    std::vector<Tensor>& slots = run.slots;
    auto output = [&](int s) -> Tensor {
        const TensorType& t = slot_values_[s]->type();
        if (auto it = run.in_place.find(s); it != run.in_place.end()) return it->second;
        if (run.plan.offsets[s] >= 0)
            return Tensor::wrap(std::shared_ptr<std::byte[]>(run.plan.arena, run.plan.arena.get() + run.plan.offsets[s]),
                                t.dtype, run.plan.shapes[s]);
        return Tensor::empty(t.dtype, run.plan.shapes[s]);
    };
    // Runs region `r` of `st` with its arguments set to `values`; returns what it yields.
    auto region = [&](const Step& st, size_t r, const std::vector<Tensor>& values) {
        for (size_t k = 0; k < values.size(); ++k) slots[st.region_args[r][k]] = values[k];
        run_steps(st.regions[r], run);
        std::vector<Tensor> yielded;
        for (int y : st.region_yields[r]) yielded.push_back(slots[y]);
        return yielded;
    };

    for (const auto& step : steps) {
        const auto start = profile_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
        Step& st = *step;
        switch (st.kind) {
        case Step::Kernel: {
            run.buffers.clear();
            for (int in : st.inputs) run.buffers.push_back(slots[in].raw());
            for (int out : st.outputs) {
                slots[out] = output(out);
                run.buffers.push_back(slots[out].raw());
            }
            run.dims.clear();
            int64_t work = 1;
            for (int64_t n : run.plan.iteration.at(st.op)) {
                run.dims.push_back(n);
                work *= n;
            }
            int64_t outer = 1;
            for (int d = 0; d < st.info.outer_dims; ++d) outer *= run.dims[d];
            const int threads = omp_get_max_threads();
            void* const* buffers = run.buffers.data();
            const int64_t* dims = run.dims.data();
            if (!st.info.parallel || work < kParallelWork || threads < 2 || outer < 2) {
                call_kernel(st.fn, buffers, dims, 0, outer);
            } else {
                const int64_t chunks = std::min<int64_t>(threads, outer);
#pragma omp parallel for num_threads(static_cast<int>(chunks))
                for (int64_t c = 0; c < chunks; ++c) call_kernel(st.fn, buffers, dims, outer * c / chunks, outer * (c + 1) / chunks);
            }
            break;
        }
        case Step::Gemm: {
            const Tensor& a = slots[st.inputs[0]];
            const Tensor& b = slots[st.inputs[1]];
            const int64_t m = st.trans[0] ? a.dim(1) : a.dim(0), k = st.trans[0] ? a.dim(0) : a.dim(1);
            const int64_t n = st.trans[1] ? b.dim(0) : b.dim(1);
            if ((st.trans[1] ? b.dim(1) : b.dim(0)) != k)
                throw RuntimeError("compiled @" + f_->name() + ": matmul of incompatible shapes");
            Tensor c = output(st.outputs[0]);
            sgemm(st.trans[0], st.trans[1], m, n, k, a.data<float>(), a.dim(1), b.data<float>(), b.dim(1), c.data<float>(), n);
            slots[st.outputs[0]] = std::move(c);
            break;
        }
        case Step::View: {
            slots[st.outputs[0]] = slots[st.inputs[0]].reshaped(run.plan.shapes[st.outputs[0]]);
            break;
        }
        case Step::Library: {
            std::vector<Tensor> operands;
            for (int in : st.inputs) operands.push_back(slots[in]);
            slots[st.outputs[0]] = execute(st.op->kind, operands, st.op->attrs);
            break;
        }
        case Step::For: {
            const int64_t trip = slots[st.inputs[0]].get_int(0);
            std::vector<Tensor> carried;
            for (size_t k = 1; k < st.inputs.size(); ++k) carried.push_back(slots[st.inputs[k]]);
            for (int64_t i = 0; i < trip; ++i) {
                std::vector<Tensor> values{Tensor::scalar(static_cast<double>(i), DType::I64)};
                values.insert(values.end(), carried.begin(), carried.end());
                carried = region(st, 0, values);
            }
            for (size_t k = 0; k < st.outputs.size(); ++k) slots[st.outputs[k]] = carried[k];
            break;
        }
        case Step::If: {
            const std::vector<Tensor> yielded = region(st, slots[st.inputs[0]].get(0) != 0 ? 0 : 1, {});
            for (size_t k = 0; k < st.outputs.size(); ++k) slots[st.outputs[k]] = yielded[k];
            break;
        }
        case Step::While: {
            std::vector<Tensor> carried;
            for (int in : st.inputs) carried.push_back(slots[in]);
            while (region(st, 0, carried)[0].get(0) != 0) carried = region(st, 1, carried);
            for (size_t k = 0; k < st.outputs.size(); ++k) slots[st.outputs[k]] = carried[k];
            break;
        }
        }
        if (profile_) {
            ++st.calls;
            st.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
    }
}

std::vector<StepProfile> Executable::profile() const {
    std::vector<StepProfile> out;
    std::vector<const Step*> every;
    for (const auto& st : steps_) all_outputs(*st, every);
    for (const Step* st : every) {
        std::string name = st->kind == Step::Kernel ? st->info.symbol : std::string(op_name(st->op->kind));
        if (st->kind == Step::Gemm && (st->trans[0] || st->trans[1]))
            name += st->trans[0] ? " (A transposed)" : " (B transposed)";
        out.push_back({name, st->op->loc, st->calls, st->seconds});
    }
    return out;
}

}  // namespace nnc::codegen
