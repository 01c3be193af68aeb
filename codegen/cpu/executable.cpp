// Compiled functions: step list, memory plans and the run loop (see executable.h).
#include "codegen/cpu/executable.h"

#include <algorithm>
#include <chrono>
#include <omp.h>

#include <llvm/IR/Module.h>

#include "codegen/cpu/memory_plan.h"
#include "ir/passes/fusion.h"
#include "ir/passes/pipeline.h"
#include "runtime/gemm.h"
#include "runtime/kernels.h"

namespace nnc::codegen {

namespace {

// Below this many elements a kernel runs on the calling thread: waking a
// team costs more than the work.
constexpr int64_t kParallelWork = 1 << 15;

std::string symbol_prefix(const std::string& fn) {
    std::string s = "nnc_";
    for (char c : fn) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return s;
}

// A 2-D f32 transpose whose users are all 2-D f32 matmuls: the GEMM reads
// its operand transposed instead.
bool absorbed_transpose(const ir::Op& op, const std::vector<const ir::Op*>& users);

bool plain_gemm(const ir::Op& op) {
    if (op.kind != OpKind::MatMul) return false;
    for (const ir::Value* v : op.operands)
        if (v->type().dtype != DType::F32 || v->type().rank() != 2) return false;
    return true;
}

bool absorbed_transpose(const ir::Op& op, const std::vector<const ir::Op*>& users) {
    if (op.kind != OpKind::Permute || op.result()->type().rank() != 2 || op.result()->type().dtype != DType::F32)
        return false;
    if (op.attrs.get_ints("perm") != std::vector<int64_t>{1, 0}) return false;
    if (users.empty()) return false;
    for (const ir::Op* u : users)
        if (!plain_gemm(*u)) return false;
    return true;
}

}  // namespace

struct Executable::Step {
    enum Kind { Kernel, Gemm, View, Library } kind;
    const ir::Op* op;
    std::vector<int> inputs;
    std::vector<int> outputs;
    // Kernel
    KernelInfo info;
    KernelFn fn = nullptr;
    std::vector<Dim> iteration;
    // Gemm: each operand's slot and whether it is read transposed
    bool trans[2] = {false, false};
    // profile
    int64_t calls = 0;
    double seconds = 0;
};

struct Executable::Plan {
    std::vector<Shape> shapes;              // per slot written by a Kernel or Gemm step
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

namespace {

// The module of every kernel of `f`, with their infos in op order.
std::unique_ptr<llvm::Module> emit_kernels(const ir::Function& f, std::vector<std::pair<const ir::Op*, KernelInfo>>& kernels) {
    auto m = Jit::instance().new_module(f.name());
    const std::string prefix = symbol_prefix(f.name());
    for (const ir::Op* op : f.body()->ops)
        if (op->kind == OpKind::Fusion)
            kernels.emplace_back(op, emit_kernel(*m, *op, prefix + "_k" + std::to_string(kernels.size())));
    return m;
}

}  // namespace

std::string kernels_llvm_ir(const ir::Function& f) {
    std::vector<std::pair<const ir::Op*, KernelInfo>> kernels;
    auto m = emit_kernels(f, kernels);
    return Jit::instance().optimized_ir(*m);
}

std::string kernels_assembly(const ir::Function& f) {
    std::vector<std::pair<const ir::Op*, KernelInfo>> kernels;
    auto m = emit_kernels(f, kernels);
    return Jit::instance().assembly(*m);
}

std::unique_ptr<Executable> Executable::compile(const ir::Function& f, const CompileOptions& options, std::string& why) {
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
    for (const ir::Op* op : f.body()->ops) {
        if (op->kind == OpKind::For || op->kind == OpKind::If || op->kind == OpKind::While) {
            why = "has control flow (" + std::string(op_name(op->kind)) + ")";
            return nullptr;
        }
        for (const ir::Value* v : op->operands) users[v].push_back(op);
        for (const ir::Value* r : op->results) {
            for (const Dim& d : r->type().dims)
                if (!d.is_known() && !e->symbols_.count(d.name())) {
                    why = d.is_symbol() ? "dimension " + d.name() + " is not bound by a parameter"
                                        : "a result of " + std::string(op_name(op->kind)) + " has an unknown dimension";
                    return nullptr;
                }
            number(r);
        }
    }
    e->n_slots_ = e->slot_values_.size();

    const auto start = std::chrono::steady_clock::now();
    std::vector<std::pair<const ir::Op*, KernelInfo>> kernels;
    auto module = emit_kernels(f, kernels);
    std::vector<std::string> symbols;
    for (const auto& [op, info] : kernels) symbols.push_back(info.symbol);
    std::vector<KernelFn> fns = symbols.empty() ? std::vector<KernelFn>{} : Jit::instance().compile(std::move(module), symbols);
    e->kernels_ = static_cast<int>(kernels.size());
    e->compile_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

    size_t next_kernel = 0;
    for (const ir::Op* op : f.body()->ops) {
        if (op->kind == OpKind::Return) {
            for (const ir::Value* v : op->operands) e->result_slots_.push_back(slot.at(v));
            break;
        }
        if (op->kind == OpKind::Constant) continue;   // preset in every run
        if (absorbed_transpose(*op, users[op->result()])) continue;
        auto step = std::make_unique<Step>();
        step->op = op;
        for (const ir::Value* v : op->operands) step->inputs.push_back(slot.at(v));
        for (const ir::Value* r : op->results) step->outputs.push_back(slot.at(r));
        if (op->kind == OpKind::Fusion) {
            step->kind = Step::Kernel;
            step->info = kernels[next_kernel].second;
            step->fn = fns[next_kernel++];
            const ir::Op* root = ir::group_root(*op);
            step->iteration = root ? root->operands[0]->type().dims : op->results[0]->type().dims;
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
        e->steps_.push_back(std::move(step));
    }

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
            if (std::count(st.inputs.begin(), st.inputs.end(), in)) last_read = static_cast<int>(s);
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

const Executable::Plan& Executable::plan_for(const std::vector<int64_t>& sizes) {
    auto& entry = plans_[sizes];
    if (entry) return *entry;
    entry = std::make_unique<Plan>();
    Plan& plan = *entry;
    auto concrete = [&](const TensorType& t) {
        Shape s;
        for (const Dim& d : t.dims) s.push_back(d.is_known() ? d.value() : sizes[symbols_.at(d.name())]);
        return s;
    };
    plan.shapes.resize(n_slots_);
    plan.offsets.assign(n_slots_, -1);

    // Lifetimes in step numbers; a view keeps its base alive, and a buffer
    // that reaches the results (through views) is allocated on its own.
    std::vector<int> first(n_slots_, -1), last(n_slots_, -1), base(n_slots_);
    for (size_t s = 0; s < n_slots_; ++s) base[s] = static_cast<int>(s);
    std::vector<bool> escapes(n_slots_, false);
    for (int r : result_slots_) escapes[r] = true;
    for (size_t i = 0; i < steps_.size(); ++i) {
        const Step& st = *steps_[i];
        for (int in : st.inputs) last[base[in]] = static_cast<int>(i);
        for (int out : st.outputs) first[out] = static_cast<int>(i);
        if (st.kind == Step::View) base[st.outputs[0]] = base[st.inputs[0]];
    }
    for (int r : result_slots_) escapes[base[r]] = true;

    std::vector<BufferRequest> requests;
    std::vector<int> requested_slot;
    for (const auto& st : steps_) {
        if (st->kind != Step::Kernel && st->kind != Step::Gemm) continue;
        for (int out : st->outputs) {
            const TensorType& t = slot_values_[out]->type();
            plan.shapes[out] = concrete(t);
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
        if (!plan.shapes[r].empty() || slot_values_[r]->type().rank() == 0)
            results += checked_numel(concrete(slot_values_[r]->type())) * dtype_size(slot_values_[r]->type().dtype);
    peak_bytes_ = std::max(peak_bytes_, plan.arena_bytes + results);
    return plan;
}

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

    // The buffers of results written in place: their parameters' tensors.
    std::map<int, Tensor> in_place;
    for (const auto& [result, param] : updates_)
        if (update_in_place_[result] && args[param].storage_owners() <= max_owners + 1)   // + `args`' own
            in_place[result_slots_[result]] = args[param];
    in_place_updates_ += static_cast<int64_t>(in_place.size());
    std::vector<Tensor> slots(n_slots_);
    for (size_t i = 0; i < args.size(); ++i) slots[i] = args[i];
    for (const ir::Op* op : f_->body()->ops)
        if (op->kind == OpKind::Constant) slots[std::find(slot_values_.begin(), slot_values_.end(), op->result()) - slot_values_.begin()] = op->payload;

    args.clear();

    auto output = [&](int s) -> Tensor {
        const TensorType& t = slot_values_[s]->type();
        if (auto it = in_place.find(s); it != in_place.end()) return it->second;
        if (plan.offsets[s] >= 0)
            return Tensor::wrap(std::shared_ptr<std::byte[]>(plan.arena, plan.arena.get() + plan.offsets[s]), t.dtype, plan.shapes[s]);
        return Tensor::empty(t.dtype, plan.shapes[s]);
    };

    std::vector<void*> buffers;
    std::vector<int64_t> dims;
    for (const auto& step : steps_) {
        const auto start = profile_ ? std::chrono::steady_clock::now() : std::chrono::steady_clock::time_point{};
        Step& st = *step;
        switch (st.kind) {
        case Step::Kernel: {
            buffers.clear();
            for (int in : st.inputs) buffers.push_back(slots[in].raw());
            for (int out : st.outputs) {
                slots[out] = output(out);
                buffers.push_back(slots[out].raw());
            }
            dims.clear();
            int64_t work = 1;
            for (const Dim& d : st.iteration) {
                dims.push_back(d.is_known() ? d.value() : sizes[symbols_.at(d.name())]);
                work *= dims.back();
            }
            int64_t outer = 1;
            for (int d = 0; d < st.info.outer_dims; ++d) outer *= dims[d];
            const int threads = omp_get_max_threads();
            if (!st.info.parallel || work < kParallelWork || threads < 2 || outer < 2) {
                st.fn(buffers.data(), dims.data(), 0, outer);
            } else {
                const int64_t chunks = std::min<int64_t>(threads, outer);
#pragma omp parallel for num_threads(static_cast<int>(chunks))
                for (int64_t c = 0; c < chunks; ++c) st.fn(buffers.data(), dims.data(), outer * c / chunks, outer * (c + 1) / chunks);
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
            Shape shape;
            for (const Dim& d : slot_values_[st.outputs[0]]->type().dims)
                shape.push_back(d.is_known() ? d.value() : sizes[symbols_.at(d.name())]);
            slots[st.outputs[0]] = slots[st.inputs[0]].reshaped(shape);
            break;
        }
        case Step::Library: {
            std::vector<Tensor> operands;
            for (int in : st.inputs) operands.push_back(slots[in]);
            slots[st.outputs[0]] = execute(st.op->kind, operands, st.op->attrs);
            break;
        }
        }
        if (profile_) {
            ++st.calls;
            st.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
    }
    std::vector<Tensor> results;
    for (int r : result_slots_) results.push_back(slots[r]);
    return results;
}

std::vector<StepProfile> Executable::profile() const {
    std::vector<StepProfile> out;
    for (const auto& st : steps_) {
        std::string name = st->kind == Step::Kernel ? st->info.symbol : std::string(op_name(st->op->kind));
        if (st->kind == Step::Gemm && (st->trans[0] || st->trans[1]))
            name += st->trans[0] ? " (A transposed)" : " (B transposed)";
        out.push_back({name, st->op->loc, st->calls, st->seconds});
    }
    return out;
}

}  // namespace nnc::codegen
