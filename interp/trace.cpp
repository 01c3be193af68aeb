// Tracing: running a call with tensors replaced by IR values, so the
// evaluator records an IR function instead of computing. Host values are
// known while tracing and fold away; tensor operations become ops (via
// Interpreter::apply); a `for` over a range becomes an IR `for` carrying
// the tensor variables of the enclosing fn (its trip count computed when
// the fn runs if a bound is a symbolic size, `0..T`); an `if` on a tensor
// becomes an IR `if`. What cannot be expressed (printing traced values, a
// `while` on a tensor, host values derived from a symbolic dimension)
// raises TraceFailure, and the caller falls back to eager evaluation.
#include <algorithm>
#include <map>
#include <set>

#include "codegen/cpu/cpu_target.h"
#include "interp/flatten.h"
#include "interp/interpreter.h"
#include "ir/builder.h"
#include "ir/passes/pipeline.h"
#include "support/error.h"

namespace nnc {

namespace {

// Whether a host value the trace cannot know (a symbolic dimension's size)
// reached the result.
bool contains_unknown(const Value& v) {
    if (v.is_unknown()) return true;
    auto any = [](const std::vector<Value>& items) {
        for (const Value& e : items)
            if (contains_unknown(e)) return true;
        return false;
    };
    if (auto* t = v.object<TupleObject>()) return any(t->elements);
    if (auto* l = v.object<ListObject>()) return any(l->elements);
    return false;
}

}  // namespace

void Interpreter::run_pipeline(ir::Function& f, ir::Stage from, ir::Stage to) const {
    ir::PipelineOptions pipeline = options_.pipeline;
    pipeline.from = from;
    pipeline.to = to;
    std::vector<Diagnostic> broken = ir::compile_pipeline(f, codegen::cpu_target(), pipeline);
    if (!broken.empty()) internal_error("@" + f.name() + ": " + broken[0].message);
}

ir::Value* Interpreter::ir_value(const Value& v, SourceRange where) {
    if (v.is<AbstractTensor>() && v.as<AbstractTensor>().ir) return v.as<AbstractTensor>().ir;
    if (v.is<Tensor>()) {
        builder_->set_loc(where);
        return builder_->constant(v.as<Tensor>());
    }
    throw TraceFailure{where, "a value of type " + type_name(v) + " is not known while tracing"};
}

Value Interpreter::read_outer(Scope& owner, const std::string& name, const Value& value, SourceRange where) {
    Value view = value;   // each trace sees the view of the one around it
    for (TraceFrame* frame : trace_frames_)
        if (owner.epoch() < frame->root_epoch) view = frame->read(owner, name, view, where);
    return view;
}

Value Interpreter::traced(ir::Value* v) { return Value(AbstractTensor{v->type(), v}); }

Interpreter::Trace Interpreter::trace_call(const Value& callee, CallArgs args, const std::string& name,
                                           OuterTensors outer_tensors, std::vector<Guard>* guards) {
    Trace trace;
    trace.function = std::make_unique<ir::Function>(name);
    ir::Builder builder(*trace.function);

    // The receiver of a method and every argument contribute their tensor leaves as parameters.
    Value receiver;
    Value function = callee;
    if (auto* m = callee.object<BoundMethodObject>()) receiver = m->receiver, function = m->function;
    std::vector<Value> leaves;
    flatten(receiver, leaves);
    for (const ArgValue& a : args.args) flatten(a.value, leaves);
    describe_leaves(receiver, "self", trace.params);
    for (size_t i = 0; i < args.args.size(); ++i)
        describe_leaves(args.args[i].value, args.args[i].keyword.empty() ? "arg" + std::to_string(i) : args.args[i].keyword,
                        trace.params);
    std::vector<Value> params;
    for (size_t i = 0; i < leaves.size(); ++i) {
        ir::Value* p = trace.function->add_arg(trace.function->body(), leaves[i].tensor_type());
        p->set_name_hint(trace.params[i].path);
        params.push_back(traced(p));
    }
    // One shadow per object: an optimizer's `target` passed along with the
    // model it updates is that model's shadow.
    size_t pos = 0;
    CopyMemo copies;
    Value shadow_receiver = unflatten(receiver, params, pos, LeafFilter::AllTensors, &copies);
    for (ArgValue& a : args.args) a.value = unflatten(a.value, params, pos, LeafFilter::AllTensors, &copies);
    Value shadow_callee = receiver.is_none() ? function : make_object<BoundMethodObject>(shadow_receiver, function);

    ScopedValue<Mode> mode(mode_, Mode::Trace);
    ScopedValue<ir::Builder*> recording(builder_, &builder);
    ScopedValue<int> root(trace_root_epoch_, ++trace_epoch_);
    const auto* fn = function.object<FunctionObject>();
    TraceFrame frame{trace_root_epoch_, fn ? fn->closure.get() : nullptr, trace.function.get(), outer_tensors, guards, {}, {},
                     std::move(copies)};
    set_trace_epoch(shadow_receiver, trace_root_epoch_);
    frame.roots.push_back(shadow_receiver);
    for (ArgValue& a : args.args) set_trace_epoch(a.value, trace_root_epoch_), frame.roots.push_back(a.value);
    trace_frames_.push_back(&frame);
    struct PopFrame {
        std::vector<TraceFrame*>& frames;
        ~PopFrame() { frames.pop_back(); }
    } pop_frame{trace_frames_};
    // Host values of the models (and the types of their tensors) before the
    // call: IR cannot write a host field back, so a call that assigns one runs eagerly.
    auto host_state = [&] {
        std::string key = structure_key(shadow_receiver);
        for (const ArgValue& a : args.args) key += "|" + structure_key(a.value);
        return key;
    };
    const std::string host_before = host_state();

    Value result = call(shadow_callee, args);
    bool host_changed = host_state() != host_before;
    for (const Capture& c : frame.captures) host_changed = host_changed || structure_key(c.shadow) != c.structure;
    if (host_changed)
        throw TraceFailure{args.call_range, "the call assigns a model field that is not a tensor, or changes a field's type"};

    if (contains_unknown(result))
        throw TraceFailure{args.call_range, "the result depends on a dimension that is only known when the fn runs"};
    std::vector<Value> outputs;
    flatten(result, outputs);
    std::vector<ir::Value*> returned;
    for (const Value& v : outputs) returned.push_back(ir_value(v, args.call_range));
    // The captures' leaves follow the arguments' as parameters.
    for (const Capture& c : frame.captures) {
        for (ir::Value* p : c.params) params.push_back(traced(p));
        describe_leaves(c.outer, c.where.name, trace.params);
        trace.captured.push_back(c.outer);
    }
    for (size_t i = leaves.size(); i < trace.params.size(); ++i) trace.params[i].differentiable = false;
    // Model fields assigned during the call are returned too, to be written back.
    std::vector<Value> after;
    flatten(shadow_receiver, after);
    for (const ArgValue& a : args.args) flatten(a.value, after);
    for (const Capture& c : frame.captures) flatten(c.shadow, after);
    for (size_t i = 0; i < after.size() && i < params.size(); ++i) {
        if (after[i].is<AbstractTensor>() && after[i].as<AbstractTensor>().ir == params[i].as<AbstractTensor>().ir) continue;
        if (after[i].tensor_type().dtype != params[i].tensor_type().dtype ||
            after[i].tensor_type().rank() != params[i].tensor_type().rank())
            throw TraceFailure{args.call_range, "a model field changes its type during the call"};
        returned.push_back(ir_value(after[i], args.call_range));
        trace.updated_leaves.push_back(i);
    }
    builder.set_loc(args.call_range);
    builder.ret(returned);
    trace.result_structure = result;
    return trace;
}

namespace {

// Whether a binding still holds the value it held before (same IR value,
// same storage, same host value or object).
bool same_value(const Value& a, const Value& b) {
    if (a.is<AbstractTensor>() && b.is<AbstractTensor>()) return a.as<AbstractTensor>().ir == b.as<AbstractTensor>().ir;
    if (a.is<Tensor>() && b.is<Tensor>()) return a.as<Tensor>().raw() == b.as<Tensor>().raw();
    if (a.is_unknown() && b.is_unknown()) return a.as<UnknownValue>().size == b.as<UnknownValue>().size;
    if (a.is<std::shared_ptr<Object>>() && b.is<std::shared_ptr<Object>>())
        return a.as<std::shared_ptr<Object>>() == b.as<std::shared_ptr<Object>>();
    return a.storage().index() == b.storage().index() && display(a) == display(b);
}

bool is_traced(const Value* v) { return v->is<AbstractTensor>() && v->as<AbstractTensor>().ir; }

}  // namespace

std::vector<Interpreter::Binding> Interpreter::traced_bindings(const std::shared_ptr<Scope>& scope) {
    std::vector<Binding> slots;
    for (Scope* s = scope.get(); s && s->epoch() >= trace_root_epoch_; s = s->parent().get()) {
        size_t first = slots.size();
        for (auto& [name, value] : s->mutable_vars()) slots.push_back({name, &value});
        std::sort(slots.begin() + static_cast<std::ptrdiff_t>(first), slots.end(),
                  [](const Binding& a, const Binding& b) { return a.name < b.name; });   // a stable IR
        if (auto* self = s->self())
            for (auto& f : self->fields) slots.push_back({f.name, &f.value});
    }
    return slots;
}

namespace {

// Thrown from a loop body that updates what the trace first read inside it.
struct CaptureUpdatedInLoop {};

// What a loop body or a branch may change, saved so that it can be put
// back: the bindings, and the fields and elements of the trace's roots at
// every level. The saved values keep the objects they replace alive, so
// restoring stays safe after the body rebound a whole list field.
class StateSnapshot {
public:
    StateSnapshot(const std::vector<Value*>& bindings, std::vector<Value>& roots) : roots_(roots) {
        for (Value* slot : bindings) save(*slot);
        for (Value& root : roots) save_contents(root), keys_.push_back(structure_key(root));
    }
    void restore() {
        for (auto& [slot, value] : saved_) *slot = value;
    }
    // Whether a root's host fields or structure changed since (IR cannot
    // write a host value back, and restoring would hide the change).
    bool roots_changed() const {
        for (size_t i = 0; i < keys_.size(); ++i)
            if (structure_key(roots_[i]) != keys_[i]) return true;
        return false;
    }

private:
    void save(Value& slot) {
        saved_.emplace_back(&slot, slot);
        save_contents(slot);
    }
    void save_contents(Value& v) {
        Object* object = v.is<std::shared_ptr<Object>>() ? v.as<std::shared_ptr<Object>>().get() : nullptr;
        if (!object || !visited_.insert(object).second) return;
        if (auto* t = v.object<TupleObject>())
            for (Value& e : t->elements) save(e);
        if (auto* l = v.object<ListObject>())
            for (Value& e : l->elements) save(e);
        if (auto* m = v.object<ModelInstance>())
            for (auto& f : m->fields) save(f.value);
    }
    std::vector<Value>& roots_;
    std::vector<std::string> keys_;
    std::vector<std::pair<Value*, Value>> saved_;
    std::set<const Object*> visited_;
};


}  // namespace

Interpreter::Flow Interpreter::trace_for(const ast::For& s, const Value& start, int64_t step, ir::Value* trip,
                                         const std::shared_ptr<Scope>& scope, Frame& frame) {
    // Each retry carries one more capture, which the body then finds made.
    for (;;) {
        try {
            return trace_loop(s, start, step, trip, scope, frame);
        } catch (const CaptureUpdatedInLoop&) {
        }
    }
}

Interpreter::Flow Interpreter::trace_loop(const ast::For& s, const Value& start, int64_t step, ir::Value* trip,
                                          const std::shared_ptr<Scope>& scope, Frame& frame) {
    // Every tensor variable is carried (a concrete one as a constant); the
    // rest must come out of the body unchanged. So are the tensor fields of
    // the models the fn was given or read (`m.w = ...` in the body), found
    // afresh after the body, which may have rebound a whole list field.
    TraceFrame& trace = *trace_frames_.back();
    const size_t captures_before = trace.captures.size();
    const size_t roots_before = trace.roots.size();
    std::vector<Value*> bindings, variables;
    std::vector<std::string> names;
    std::vector<std::pair<Value*, Value>> others;
    for (const Binding& b : traced_bindings(scope)) {
        bindings.push_back(b.slot);
        if (is_traced(b.slot) || b.slot->is<Tensor>()) variables.push_back(b.slot), names.push_back(b.name);
        else others.emplace_back(b.slot, *b.slot);
    }
    auto carried_slots = [&] {   // each once: roots may share a model
        std::vector<Value*> slots = variables;
        for (Value* slot : trace.root_field_slots(roots_before))
            if (std::find(slots.begin(), slots.end(), slot) == slots.end()) slots.push_back(slot);
        return slots;
    };
    const std::vector<Value*> carried = carried_slots();
    names.resize(carried.size(), "field");
    std::vector<ir::Value*> inits;
    for (Value* slot : carried) inits.push_back(ir_value(*slot, s.range));

    // A body that works on host values (lists, counters, shapes from the
    // index) cannot be an IR loop: undo what was emitted (the caller may
    // unroll the loop instead).
    struct Rollback {
        ir::Builder& builder;
        ir::Block* block;
        size_t start, size;
        StateSnapshot saved;
        TraceFrame& trace;
        size_t captures_before;
        bool armed = true;
        ~Rollback() {
            if (!armed) return;
            size_t added = block->ops.size() - size;
            block->ops.erase(block->ops.begin() + static_cast<std::ptrdiff_t>(start),
                             block->ops.begin() + static_cast<std::ptrdiff_t>(start + added));
            builder.set_insertion_before(block, start);
            saved.restore();
            for (auto& [slot, param] : trace.capture_slots(captures_before)) *slot = param;   // captured in the body
        }
    } rollback{*builder_, builder_->block(), builder_->position(), builder_->block()->ops.size(),
               StateSnapshot(bindings, trace.roots), trace, captures_before};

    builder_->set_loc(s.range);
    const std::vector<ir::Value*> results = builder_->for_loop(
        trip, inits, [&](ir::Builder&, ir::Value* k, std::span<ir::Value* const> args) {
            for (size_t i = 0; i < carried.size(); ++i) {
                args[i]->set_name_hint(names[i]);
                *carried[i] = traced(args[i]);
            }
            k->set_name_hint(s.pattern.kind == ast::Pattern::Bind ? s.pattern.name : "i");
            Value index(AbstractTensor{k->type(), k, true});
            if (step != 1) index = elementwise(OpKind::Mul, index, Value(step), s.iterable->range);
            if (!start.is<int64_t>() || start.as<int64_t>() != 0)
                index = elementwise(OpKind::Add, index, start, s.iterable->range);
            auto iter_scope = std::make_shared<Scope>(scope);
            bind_pattern(s.pattern, index, *iter_scope, s.iterable->range);
            if (exec_block(s.body, iter_scope, frame) != Flow::Normal)
                throw TraceFailure{s.range, "`break`, `continue` or `return` in a loop over a range"};
            if (rollback.saved.roots_changed())
                throw TraceFailure{s.range, "the loop assigns a model field that is not a tensor, or changes a field's type"};
            const std::vector<Value*> after = carried_slots();
            std::vector<ir::Value*> next;
            for (size_t i = 0; i < after.size(); ++i) {
                const Value& v = *after[i];
                if (!v.is_tensor() || !(v.tensor_type() == args[i]->type()))
                    throw TraceFailure{s.range, "a variable changes its type inside the loop"};
                next.push_back(ir_value(v, s.range));
            }
            for (const auto& [slot, before] : others)
                if (!same_value(*slot, before))
                    throw TraceFailure{s.range, "the loop assigns a variable that is not a tensor of this fn"};
            // A model first read in the body was not carried: trace the loop
            // again, now that it is a capture (the random state, a global model).
            for (const auto& [slot, param] : trace.capture_slots(captures_before))
                if (!same_value(*slot, param)) throw CaptureUpdatedInLoop{};
            return next;
        });
    rollback.armed = false;
    // The loop's results go where the carried values were before it.
    rollback.saved.restore();
    for (size_t i = 0; i < carried.size(); ++i) *carried[i] = traced(results[i]);
    return Flow::Normal;
}

Interpreter::Flow Interpreter::trace_symbolic_for(const ast::For& s, const Value& lo, const Value& hi,
                                                  const std::shared_ptr<Scope>& scope, Frame& frame) {
    // The trip count max(hi - lo, 0); a dim's size when the range starts at 0.
    builder_->set_loc(s.iterable->range);
    ir::Value* trip = nullptr;
    if (lo.is<int64_t>() && lo.as<int64_t>() == 0) {
        trip = hi.as<UnknownValue>().size;
    } else {
        Value length = binary(ast::BinaryOp::Sub, hi, lo, s.iterable->range);
        trip = builder_->op(OpKind::Maximum, {length.as<UnknownValue>().size, builder_->scalar(0, DType::I64)});
    }
    try {
        return trace_for(s, lo, 1, trip, scope, frame);
    } catch (const TraceFailure& f) {
        throw TraceFailure{f.where, f.reason + "; a loop over a range only known when the fn runs cannot be unrolled"};
    }
}

Interpreter::Flow Interpreter::trace_if(const ast::If& s, const Value& cond, const std::shared_ptr<Scope>& scope,
                                        Frame& frame) {
    TensorType ct = cond.tensor_type();
    if (ct.rank() != 0)
        throw CompileError(s.cond->range, "the truth value of a tensor of type " + ct.str() +
                                              " is ambiguous; reduce it first (e.g. with sum or max)");
    Value c = ct.dtype == DType::Bool ? cond : elementwise(OpKind::Ne, cond, Value(int64_t{0}), s.cond->range);

    // The fn's variables and the tensor fields of the models it was given
    // or captured (a branch may assign `m.w`), found afresh after each
    // branch, which may have rebound a whole list field; then the models
    // first captured in a branch, whose fields started as parameters.
    TraceFrame& trace = *trace_frames_.back();
    const size_t roots_before = trace.roots.size(), captures_before = trace.captures.size();
    std::vector<Value*> bindings;
    for (const Binding& b : traced_bindings(scope)) bindings.push_back(b.slot);
    auto state_slots = [&] {   // each once: roots may share a model
        std::vector<Value*> slots = bindings;
        for (Value* slot : trace.root_field_slots(roots_before))
            if (std::find(slots.begin(), slots.end(), slot) == slots.end()) slots.push_back(slot);
        for (auto& [slot, param] : trace.capture_slots(captures_before)) slots.push_back(slot);
        return slots;
    };
    std::vector<Value> before;
    for (Value* slot : state_slots()) before.push_back(*slot);
    StateSnapshot saved(bindings, trace.roots);
    size_t captures_seen = captures_before;

    ir::Function& f = builder_->function();
    ir::Op* op = builder_->insert(f.new_op(OpKind::If, {ir_value(c, s.cond->range)}, {}, {}, s.range));
    ir::Block* outer = builder_->block();
    size_t outer_pos = builder_->position();

    struct Branch {
        ir::Block* block;
        Flow flow = Flow::Normal;
        Value returned;
        std::vector<Value> values;   // every slot's value at the end of the branch
    };
    std::vector<Branch> branches;
    for (const ast::Block* body : {&s.then_block, s.else_block ? &*s.else_block : nullptr}) {
        Branch b;
        b.block = f.new_block();
        b.block->parent_op = op;
        op->regions.push_back(b.block);
        builder_->set_insertion_end(b.block);
        Frame branch_frame;
        if (body) b.flow = exec_block(*body, scope, branch_frame);
        b.returned = branch_frame.result;
        if (saved.roots_changed())
            throw TraceFailure{s.range, "a branch of an `if` on a tensor assigns a model field that is not a tensor"};
        // Models first captured in this branch: their fields started as parameters.
        for (auto& [slot, param] : trace.capture_slots(captures_seen)) {
            before.push_back(param);
            for (Branch& earlier : branches) earlier.values.push_back(param);
        }
        captures_seen = trace.captures.size();
        for (Value* slot : state_slots()) b.values.push_back(*slot);
        saved.restore();
        for (auto& [slot, param] : trace.capture_slots(captures_before)) *slot = param;
        branches.push_back(std::move(b));
    }
    const std::vector<Value*> slots = state_slots();

    bool returns = branches[0].flow == Flow::Return && branches[1].flow == Flow::Return;
    if (!returns && (branches[0].flow != Flow::Normal || branches[1].flow != Flow::Normal))
        throw TraceFailure{s.range, "only one branch of an `if` on a tensor returns or leaves a loop"};

    // What flows out: the returned values (if both branches return) and every binding either branch changed.
    std::vector<std::vector<Value>> yields(2);
    if (returns) {
        flatten(branches[0].returned, yields[0]);
        flatten(branches[1].returned, yields[1]);
        if (structure_key(branches[0].returned) != structure_key(branches[1].returned))
            throw CompileError(s.range, "the branches of an `if` on a tensor return values of different types: " +
                                            type_name(branches[0].returned) + " and " + type_name(branches[1].returned));
    }
    std::vector<size_t> changed;
    for (size_t i = 0; i < slots.size(); ++i) {
        if (same_value(branches[0].values[i], before[i]) && same_value(branches[1].values[i], before[i])) continue;
        const Value &a = branches[0].values[i], &b = branches[1].values[i];
        if (!a.is_tensor() || !b.is_tensor() || !(a.tensor_type() == b.tensor_type()))
            throw TraceFailure{s.range, "the branches of an `if` on a tensor leave a variable with different types"};
        changed.push_back(i);
        yields[0].push_back(a);
        yields[1].push_back(b);
    }
    for (int k = 0; k < 2; ++k) {
        builder_->set_insertion_end(branches[k].block);
        std::vector<ir::Value*> values;
        for (const Value& v : yields[k]) values.push_back(ir_value(v, s.range));
        builder_->yield(values);
    }
    for (const Value& v : yields[0]) f.add_result(op, v.tensor_type());
    builder_->set_insertion_before(outer, outer_pos);

    size_t n_returned = returns ? yields[0].size() - changed.size() : 0;
    for (size_t j = 0; j < changed.size(); ++j) *slots[changed[j]] = traced(op->results[n_returned + j]);
    if (!returns) return Flow::Normal;
    std::vector<Value> leaves;
    for (size_t j = 0; j < n_returned; ++j) leaves.push_back(traced(op->results[j]));
    size_t pos = 0;
    frame.result = unflatten(branches[0].returned, leaves, pos);
    return Flow::Return;
}

}  // namespace nnc
