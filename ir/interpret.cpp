// The IR interpreter: one tensor slot per SSA value, numbered before the
// run, so executing an op allocates nothing but its result tensor.
#include "ir/interpret.h"

#include <map>
#include <stdexcept>
#include <unordered_map>

#include "runtime/kernels.h"
#include "support/error.h"

namespace nnc::ir {

namespace {

class Interpreter {
public:
    explicit Interpreter(const Function& f) : f_(f) {
        for (Value* p : f.params()) number(p);
        number_block(*f.body());
        slots_.resize(slot_of_.size());
    }

    std::vector<Tensor> run(std::span<const Tensor> args) {
        const auto params = f_.params();
        if (args.size() != params.size())
            throw RuntimeError(where() + "expects " + std::to_string(params.size()) + " arguments, got " +
                               std::to_string(args.size()));
        for (size_t i = 0; i < args.size(); ++i) {
            if (!args[i].defined()) internal_error(where() + "undefined argument");
            if (!matches(args[i], params[i]->type())) mismatch(args[i], params[i]->type(), "argument " + std::to_string(i + 1));
            slot(params[i]) = args[i];
        }
        const Op* ret = run_block(*f_.body());
        std::vector<Tensor> results;
        for (const Value* v : ret->operands) results.push_back(slot(v));
        return results;
    }

private:
    void number(const Value* v) { slot_of_.emplace(v, slot_of_.size()); }

    void number_block(const Block& b) {
        for (const Op* op : b.ops) {
            for (const Value* r : op->results) number(r);
            for (const Block* region : op->regions) {
                for (const Value* a : region->args) number(a);
                number_block(*region);
            }
        }
    }

    Tensor& slot(const Value* v) { return slots_[slot_of_.at(v)]; }

    std::string where() const { return "interpret @" + f_.name() + ": "; }

    // Whether `t` has `type`: the same dtype, rank and known dims, and each
    // symbol the size it was first bound to (binding new symbols).
    bool matches(const Tensor& t, const TensorType& type) {
        if (t.dtype() != type.dtype || t.rank() != type.rank()) return false;
        for (int64_t d = 0; d < t.rank(); ++d) {
            const Dim& dim = type.dims[d];
            if (dim.is_known() && dim.value() != t.dim(d)) return false;
            if (dim.is_symbol() && symbols_.emplace(dim.name(), t.dim(d)).first->second != t.dim(d)) return false;
        }
        return true;
    }

    [[noreturn]] void mismatch(const Tensor& t, const TensorType& type, const std::string& what) {
        std::string bound;
        for (const auto& [name, size] : symbols_) {
            bool used = false;
            for (const Dim& dim : type.dims) used = used || dim.name() == name;
            if (used) bound += (bound.empty() ? " with " : ", ") + name + " = " + std::to_string(size);
        }
        throw RuntimeError(where() + what + " is " + t.type().str() + " but its type is " + type.str() + bound);
    }

    // Runs the ops of `b` up to its terminator and returns that terminator.
    const Op* run_block(const Block& b) {
        for (const Op* op : b.ops) {
            switch (op->kind) {
            case OpKind::Yield:
            case OpKind::Return: return op;
            case OpKind::Constant: slot(op->result()) = op->payload; break;
            case OpKind::For: run_for(*op); break;
            case OpKind::If: run_if(*op); break;
            case OpKind::While: run_while(*op); break;
            case OpKind::Fusion: run_fusion(*op); break;
            default: run_primitive(*op); break;
            }
        }
        internal_error(where() + "a block has no terminator");
    }

    void run_primitive(const Op& op) {
        operands_.clear();
        for (const Value* v : op.operands) operands_.push_back(slot(v));
        Tensor result = execute(op.kind, operands_, op.attrs);
        if (!matches(result, op.result()->type()))
            mismatch(result, op.result()->type(), "the result of " + std::string(op_name(op.kind)));
        slot(op.result()) = std::move(result);
    }

    // Binds `args` of a region to `values`, runs it, and reads what it yields back into `values`.
    const Op* run_region(const Block& region, std::span<Value* const> args, std::vector<Tensor>& values) {
        for (size_t k = 0; k < values.size(); ++k) slot(args[k]) = values[k];
        const Op* yield = run_block(region);
        for (size_t k = 0; k < values.size() && k < yield->operands.size(); ++k) values[k] = slot(yield->operands[k]);
        return yield;
    }

    std::vector<Tensor> operand_values(const Op& op, size_t first) {
        std::vector<Tensor> values;
        for (size_t k = first; k < op.operands.size(); ++k) values.push_back(slot(op.operands[k]));
        return values;
    }

    void set_results(const Op& op, std::vector<Tensor>& values) {
        for (size_t k = 0; k < op.results.size(); ++k) slot(op.results[k]) = std::move(values[k]);
    }

    void run_for(const Op& op) {
        const int64_t trip = slot(op.operands[0]).get_int(0);
        const Block& body = *op.regions[0];
        std::vector<Tensor> carried = operand_values(op, 1);
        for (int64_t i = 0; i < trip; ++i) {
            slot(body.args[0]) = Tensor::scalar(static_cast<double>(i), DType::I64);
            run_region(body, std::span<Value* const>(body.args).subspan(1), carried);
        }
        set_results(op, carried);
    }

    void run_if(const Op& op) {
        const Block& branch = *op.regions[slot(op.operands[0]).get(0) != 0 ? 0 : 1];
        const Op* yield = run_block(branch);
        for (size_t k = 0; k < op.results.size(); ++k) slot(op.results[k]) = slot(yield->operands[k]);
    }

    void run_fusion(const Op& op) {
        std::vector<Tensor> values = operand_values(op, 0);
        const Op* yield = run_region(*op.regions[0], op.regions[0]->args, values);
        for (size_t k = 0; k < op.results.size(); ++k) slot(op.results[k]) = slot(yield->operands[k]);
    }

    void run_while(const Op& op) {
        const Block& cond = *op.regions[0];
        const Block& body = *op.regions[1];
        std::vector<Tensor> carried = operand_values(op, 0);
        for (;;) {
            for (size_t k = 0; k < carried.size(); ++k) slot(cond.args[k]) = carried[k];
            if (slot(run_block(cond)->operands[0]).get(0) == 0) break;
            run_region(body, body.args, carried);
        }
        set_results(op, carried);
    }

    const Function& f_;
    std::unordered_map<const Value*, size_t> slot_of_;
    std::vector<Tensor> slots_;
    std::map<std::string, int64_t, std::less<>> symbols_;
    std::vector<Tensor> operands_;   // scratch for run_primitive
};

}  // namespace

std::vector<Tensor> interpret(const Function& f, std::span<const Tensor> args) { return Interpreter(f).run(args); }

}  // namespace nnc::ir
