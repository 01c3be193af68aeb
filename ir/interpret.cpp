// The IR interpreter: one tensor slot per SSA value, numbered before the
// run, so executing an op allocates nothing but its result tensor.
#include "ir/interpret.h"

#include <stdexcept>
#include <unordered_map>

#include "core/symbol_binding.h"
#include "ir/control_flow.h"
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

    // Whether `t` has `type` under the symbols bound so far (binding new ones).
    bool matches(const Tensor& t, const TensorType& type) { return symbols_.bind(type, t.dtype(), t.shape()); }

    [[noreturn]] void mismatch(const Tensor& t, const TensorType& type, const std::string& what) {
        throw RuntimeError(where() + what + " is " + t.type().str() + " but its type is " + type.str() +
                           symbols_.describe(type));
    }

    // Runs the ops of `b` up to its terminator and returns that terminator.
    const Op* run_block(const Block& b) {
        for (const Op* op : b.ops) {
            switch (op->kind) {
            case OpKind::Yield:
            case OpKind::Return: return op;
            case OpKind::Constant: slot(op->result()) = op->payload; break;
            case OpKind::For: case OpKind::If: case OpKind::While: run_control(*op); break;
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

    // Binds the arguments of `region` to `values`, runs it, and returns what it yields.
    std::vector<Tensor> run_region(const Block& region, std::vector<Tensor> values) {
        for (size_t k = 0; k < values.size(); ++k) slot(region.args[k]) = std::move(values[k]);
        std::vector<Tensor> yielded;
        for (const Value* v : run_block(region)->operands) yielded.push_back(slot(v));
        return yielded;
    }

    std::vector<Tensor> operand_values(const Op& op) {
        std::vector<Tensor> values;
        for (const Value* v : op.operands) values.push_back(slot(v));
        return values;
    }

    void set_results(const Op& op, std::vector<Tensor> values) {
        for (size_t k = 0; k < op.results.size(); ++k) slot(op.results[k]) = std::move(values[k]);
    }

    void run_control(const Op& op) {
        set_results(op, run_control_flow(op, operand_values(op), [&](size_t r, std::vector<Tensor> args) {
                        return run_region(*op.regions[r], std::move(args));
                    }));
    }

    void run_fusion(const Op& op) { set_results(op, run_region(*op.regions[0], operand_values(op))); }

    const Function& f_;
    std::unordered_map<const Value*, size_t> slot_of_;
    std::vector<Tensor> slots_;
    SymbolBinding symbols_;
    std::vector<Tensor> operands_;   // scratch for run_primitive
};

}  // namespace

std::vector<Tensor> interpret(const Function& f, std::span<const Tensor> args) { return Interpreter(f).run(args); }

}  // namespace nnc::ir
