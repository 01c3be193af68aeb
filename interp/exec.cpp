// Statement execution: bindings, assignment, control flow, definitions.
// In abstract mode a condition whose value is unknown runs both branches
// and a loop over unknown values runs its body once, so every statement is
// checked without knowing the data.
#include "interp/annotations.h"
#include "interp/interpreter.h"
#include "support/interrupt.h"
#include "support/stack.h"

namespace nnc {

using namespace ast;

Interpreter::Flow Interpreter::exec_block(const Block& block, const std::shared_ptr<Scope>& scope, Frame& frame) {
    auto inner = std::make_shared<Scope>(scope);
    struct Release {
        std::shared_ptr<Scope>& scope;
        ~Release() { Scope::release(scope); }
    } release{inner};
    for (const auto& s : block.stmts) {
        Flow f = exec(*s, inner, frame);
        if (f != Flow::Normal) return f;
    }
    return Flow::Normal;
}

namespace {

// Stops at `where` when a Ctrl-C is pending.
void poll_interrupt(SourceRange where) {
    if (interrupt_pending() && take_interrupt()) throw Interrupted{where};
}

}  // namespace

Interpreter::Flow Interpreter::exec(const Stmt& s, const std::shared_ptr<Scope>& scope, Frame& frame) {
    if (stack_nearly_exhausted()) throw CompileError(s.range, "the program nests too deeply for the stack");
    poll_interrupt(s.range);
    switch (s.kind) {
    case Stmt::Kind::Let: {
        auto& let = *cast<Let>(&s);
        Value v = eval(*let.value, scope);
        if (let.type) v = AnnotationMatcher(scope).match(*let.type, v, let.value->range, "the value of the `let`");
        bind_pattern(let.pattern, v, *scope, let.value->range);
        return Flow::Normal;
    }
    case Stmt::Kind::Assign: exec_assign(*cast<Assign>(&s), scope); return Flow::Normal;
    case Stmt::Kind::ExprStmt: {
        Value v = eval(*cast<ExprStmt>(&s)->expr, scope);
        if (options_.echo_values && mode_ == Mode::Eager && !v.is_none() && scope == main_)
            out() << display(v) << "\n";
        return Flow::Normal;
    }
    case Stmt::Kind::If: return exec_if(*cast<If>(&s), scope, frame);
    case Stmt::Kind::For: return exec_for(*cast<For>(&s), scope, frame);
    case Stmt::Kind::While: return exec_while(*cast<While>(&s), scope, frame);
    case Stmt::Kind::Break:
    case Stmt::Kind::Continue: {
        bool is_break = s.kind == Stmt::Kind::Break;
        if (frame.loops == 0)
            throw CompileError(s.range, std::string(is_break ? "`break`" : "`continue`") + " outside a loop");
        return is_break ? Flow::Break : Flow::Continue;
    }
    case Stmt::Kind::Return: {
        auto& r = *cast<Return>(&s);
        frame.result = r.value ? eval(*r.value, scope) : Value();
        return Flow::Return;
    }
    case Stmt::Kind::FnDef: {
        auto& d = *cast<FnDef>(&s);
        scope->define(d.name, make_object<FunctionObject>(&d, scope, d.name));
        return Flow::Normal;
    }
    case Stmt::Kind::ModelDef: define_model(*cast<ModelDef>(&s), scope); return Flow::Normal;
    case Stmt::Kind::Import: {
        auto& imp = *cast<Import>(&s);
        Value module = import_module(imp, dir_stack_.empty() ? std::string(".") : dir_stack_.back());
        scope->define(imp.alias.empty() ? imp.path.back() : imp.alias, module);
        return Flow::Normal;
    }
    }
    return Flow::Normal;
}

Interpreter::Flow Interpreter::exec_if(const If& s, const std::shared_ptr<Scope>& scope, Frame& frame) {
    Value cond = eval(*s.cond, scope);
    if (mode_ == Mode::Trace && cond.is<AbstractTensor>()) return trace_if(s, cond, scope, frame);
    std::optional<bool> c = truth(cond, s.cond->range);
    if (!c) {   // abstract mode: check both branches
        Flow a = exec_block(s.then_block, scope, frame);
        Flow b = s.else_block ? exec_block(*s.else_block, scope, frame) : Flow::Normal;
        return a == Flow::Return && b == Flow::Return ? Flow::Return : Flow::Normal;
    }
    if (*c) return exec_block(s.then_block, scope, frame);
    if (s.else_block) return exec_block(*s.else_block, scope, frame);
    return Flow::Normal;
}

namespace {

// Counts a loop around the statements run while it lives, so `break` and
// `continue` know whether they are inside one.
class LoopGuard {
public:
    explicit LoopGuard(int& loops) : loops_(++loops) {}
    ~LoopGuard() { --loops_; }

private:
    int& loops_;
};

// Checking runs a loop body once, so a list the body rebuilds (`xs = xs +
// [x]`) would have one element where running gives many: the lists of
// the enclosing scopes that the body replaced become unknown, so what
// depends on their length is unknown rather than wrong.
class ForgetRebuiltLists {
public:
    explicit ForgetRebuiltLists(Scope* scope) {
        for (Scope* s = scope; s; s = s->parent().get())
            for (auto& [name, value] : s->mutable_vars())
                if (value.object<ListObject>()) lists_.emplace_back(&value, value.as<std::shared_ptr<Object>>().get());
    }
    void forget() {
        for (auto& [slot, list] : lists_)
            if (!slot->is<std::shared_ptr<Object>>() || slot->as<std::shared_ptr<Object>>().get() != list)
                *slot = Value(UnknownValue{});
    }

private:
    std::vector<std::pair<Value*, const Object*>> lists_;
};

}  // namespace

Interpreter::Flow Interpreter::exec_for(const For& s, const std::shared_ptr<Scope>& scope, Frame& frame) {
    Value iterable, lo, hi;
    auto* range = dyn_cast<Range>(s.iterable.get());
    if (range) {
        lo = eval(*range->lo, scope), hi = eval(*range->hi, scope);
        iterable = make_range(*range, lo, hi);
    } else {
        iterable = eval(*s.iterable, scope);
    }
    LoopGuard loop(frame.loops);
    // Bounds that are ints or symbolic sizes, at least one symbolic.
    auto sized_or_int = [](const Value& v) { return is_symbolic_size(v) || v.is<int64_t>(); };
    if (range && (is_symbolic_size(lo) || is_symbolic_size(hi)) && sized_or_int(lo) && sized_or_int(hi))
        return trace_symbolic_for(s, lo, hi, scope, frame);
    // Runs the body once for `element`; returns true to stop the loop.
    Flow result = Flow::Normal;
    auto step = [&](const Value& element) {
        poll_interrupt(s.range);
        auto iter_scope = std::make_shared<Scope>(scope);
        bind_pattern(s.pattern, element, *iter_scope, s.iterable->range);
        Flow f = exec_block(s.body, iter_scope, frame);
        if (f == Flow::Return) result = Flow::Return;
        return f == Flow::Break || f == Flow::Return;
    };

    if (iterable.is<RangeValue>()) {
        auto r = iterable.as<RangeValue>();
        if (mode_ == Mode::Abstract) {
            ForgetRebuiltLists lists(scope.get());
            if (r.length() > 0) step(Value(UnknownValue{}));
            lists.forget();
            return Flow::Normal;
        }
        if (mode_ == Mode::Trace) {
            try {
                return trace_for(s, Value(r.start), r.step, builder_->scalar(static_cast<double>(r.length()), DType::I64),
                                 scope, frame);
            } catch (const TraceFailure&) {
                // Not an IR loop: unrolled below.
            }
        }
        for (uint64_t i = 0, n = r.length(); i < n; ++i)
            if (step(Value(r.at(i)))) break;
        return result;
    }
    if (auto* sequence = sequence_elements(iterable)) {
        std::vector<Value> elements = *sequence;   // the body may modify the list
        for (const auto& e : elements)
            if (step(e)) break;
        return result;
    }
    if (iterable.is_tensor()) {
        TensorType t = iterable.tensor_type();
        if (t.rank() == 0) throw CompileError(s.iterable->range, "cannot iterate over a rank-0 tensor");
        if (mode_ == Mode::Abstract || !iterable.is<Tensor>()) {
            ForgetRebuiltLists lists(scope.get());
            TensorType row{t.dtype, {t.dims.begin() + 1, t.dims.end()}};
            step(Value(AbstractTensor{row}));
            lists.forget();
            return Flow::Normal;
        }
        const Tensor& tensor = iterable.as<Tensor>();
        for (int64_t i = 0; i < tensor.dim(0); ++i)
            if (step(index_tensor_row(tensor, i))) break;
        return result;
    }
    if (auto* it = iterable.object<IteratorObject>()) {
        while (auto v = it->next(*this)) {
            if (step(*v)) break;
            if (mode_ == Mode::Abstract) break;
        }
        it->close(*this);
        return result;
    }
    if (iterable.is_unknown()) {
        if (mode_ == Mode::Trace) throw TraceFailure{s.iterable->range, "a loop over values only known when the fn runs"};
        ForgetRebuiltLists lists(scope.get());
        step(Value(UnknownValue{}));
        lists.forget();
        return Flow::Normal;
    }
    throw CompileError(s.iterable->range, "cannot iterate over a value of type " + type_name(iterable));
}

Interpreter::Flow Interpreter::exec_while(const While& s, const std::shared_ptr<Scope>& scope, Frame& frame) {
    LoopGuard loop(frame.loops);
    for (;;) {
        poll_interrupt(s.cond->range);
        Value cond = eval(*s.cond, scope);
        static const char* const kTensorWhile = "the `while` loop here runs while a tensor condition holds, so its trip "
                                                "count is unknown until it runs; write it as a `for` over a range";
        if (mode_ == Mode::Trace && cond.is<AbstractTensor>()) throw TraceFailure{s.cond->range, kTensorWhile};
        if (mode_ == Mode::Abstract && reverse_mode_check_ && cond.is<AbstractTensor>())
            throw CompileError(reverse_mode_check_->where, reverse_mode_check_->what + ": " + kTensorWhile,
                               {{Severity::Note, s.cond->range, "here", {}}});
        std::optional<bool> c = truth(cond, s.cond->range);
        if (!c) {   // abstract: check the body once
            ForgetRebuiltLists lists(scope.get());
            Flow f = exec_block(s.body, scope, frame);
            lists.forget();
            return f == Flow::Return ? Flow::Return : Flow::Normal;
        }
        if (!*c) return Flow::Normal;
        Flow f = exec_block(s.body, scope, frame);
        if (f == Flow::Break) return Flow::Normal;
        if (f == Flow::Return) return f;
        if (mode_ == Mode::Abstract) return Flow::Normal;
    }
}

Value Interpreter::call_for_reverse_mode(const Value& f, CallArgs& args, const std::string& what, SourceRange where) {
    ScopedValue<std::optional<ReverseModeCheck>> check(reverse_mode_check_, ReverseModeCheck{what, where});
    return call(f, args);
}

void Interpreter::bind_pattern(const Pattern& p, const Value& v, Scope& scope, SourceRange where) {
    if (p.kind == Pattern::Bind) {
        if (p.name != "_") scope.define(p.name, v);
        return;
    }
    std::vector<Value> unknowns;
    const std::vector<Value>* elements = sequence_elements(v);
    if (!elements && v.is_unknown()) {
        unknowns.assign(p.elements.size(), Value(UnknownValue{}));
        elements = &unknowns;
    }
    if (!elements)
        throw CompileError(p.range, "cannot destructure a value of type " + type_name(v) + " into " +
                                        std::to_string(p.elements.size()) + " names");
    if (elements->size() != p.elements.size())
        throw CompileError(p.range, "cannot destructure " + std::to_string(elements->size()) + " values into " +
                                        std::to_string(p.elements.size()) + " names");
    for (size_t i = 0; i < p.elements.size(); ++i) bind_pattern(p.elements[i], (*elements)[i], scope, where);
}

void Interpreter::exec_assign(const Assign& s, const std::shared_ptr<Scope>& scope) {
    static const BinaryOp compound[] = {BinaryOp::Add, BinaryOp::Add, BinaryOp::Sub, BinaryOp::Mul, BinaryOp::Div};
    auto combine = [&](const Value& old) {
        Value rhs = eval(*s.value, scope);
        return s.op == Assign::Op::Set ? rhs : binary(compound[static_cast<int>(s.op)], old, rhs, s.range);
    };

    if (auto* name = dyn_cast<Name>(s.target.get())) {
        Value* slot = scope->lookup(name->name);
        if (!slot)
            throw CompileError(name->range, "assignment to undeclared name `" + name->name + "`; declare it with `let " +
                                                name->name + " = ...`");
        if (slot == builtins_->lookup(name->name))
            throw CompileError(name->range, "cannot assign to the builtin `" + name->name + "`; declare your own with `let " +
                                                name->name + " = ...`");
        if (mode_ == Mode::Trace) {
            Scope* owner = scope->owner_of(name->name);
            int epoch = owner->defined_here(name->name) ? owner->epoch() : owner->self()->epoch;
            if (epoch < trace_root_epoch_)
                throw TraceFailure{s.range, "the fn assigns `" + name->name + "`, which lives outside it"};
        }
        Value v = combine(*slot);
        assign_checked(*slot, std::move(v), name->name, s.range);
        return;
    }
    if (auto* member = dyn_cast<Member>(s.target.get())) {
        Value object = eval(*member->object, scope);
        if (auto* m = object.object<ModelInstance>()) {
            auto* field = m->find(member->member);
            if (!field)
                throw CompileError(member->member_range,
                                   "model " + m->cls->qualified_name + " has no field `" + member->member + "`");
            if (mode_ == Mode::Trace && m->epoch < trace_root_epoch_)
                throw TraceFailure{s.range, "the fn assigns a field of a model it was not given"};
            Value v = combine(field->value);
            assign_checked(field->value, std::move(v), member->member, s.range);
            return;
        }
        if (auto* mod = object.object<ModuleObject>()) {
            if (!mod->scope->defined_here(member->member))
                throw CompileError(member->member_range,
                                   "module `" + mod->name + "` has no member `" + member->member + "`");
            if (mode_ == Mode::Trace) throw TraceFailure{s.range, "the fn assigns a module's variable"};
            Value& slot = *mod->scope->lookup(member->member);
            slot = combine(slot);
            return;
        }
        if (object.is_unknown()) return;
        throw CompileError(member->range, "cannot assign to a field of a value of type " + type_name(object));
    }
    if (auto* idx = dyn_cast<Index>(s.target.get())) {
        Value base = eval(*idx->base, scope);
        if (auto* list = base.object<ListObject>()) {
            if (mode_ == Mode::Trace) throw TraceFailure{s.range, "the fn modifies a list"};
            if (idx->items.size() != 1 || idx->items[0].kind != IndexItem::Single)
                throw CompileError(idx->range, "a list is indexed by one integer");
            Value i = eval(*idx->items[0].index, scope);
            if (i.is_unknown()) return;
            if (!i.is<int64_t>()) throw CompileError(idx->items[0].range, "list index must be an int, not " + type_name(i));
            int64_t n = static_cast<int64_t>(list->elements.size()), k = i.as<int64_t>();
            if (k < -n || k >= n)
                throw CompileError(idx->items[0].range, "list index " + std::to_string(k) + " out of range for length " +
                                                            std::to_string(n));
            Value& slot = list->elements[k < 0 ? k + n : k];
            slot = combine(slot);
            return;
        }
        if (base.is_unknown()) return;
        if (base.object<TupleObject>())
            throw CompileError(s.target->range, "cannot assign into an element of a tuple (tuples are immutable: use a list)");
        if (base.is_tensor())
            throw CompileError(s.target->range,
                               "cannot assign into an element of a " + type_name(base) +
                                   " (tensors are values: build a new one, e.g. with `where` or `concat`)");
        throw CompileError(s.target->range, "cannot assign into an element of a value of type " + type_name(base));
    }
    throw CompileError(s.target->range, "cannot assign to this expression");
}

// Reassignment keeps a tensor's type: `x = e` where x held f32[2, 3] must
// give f32[2, 3] again when either side is a tensor of known shape.
void Interpreter::assign_checked(Value& slot, Value v, const std::string& name, SourceRange where) {
    if (slot.is_tensor() && v.is_tensor()) {
        TensorType a = slot.tensor_type(), b = v.tensor_type();
        if (a.dtype != b.dtype || a.rank() != b.rank())
            throw CompileError(where, "cannot assign a value of type " + b.str() + " to `" + name + "` of type " + a.str());
    }
    // Checking never overwrites real data (the REPL's `:type` runs abstractly).
    if (mode_ == Mode::Abstract && slot.is<Tensor>() && !v.is<Tensor>()) return;
    slot = std::move(v);
}

void Interpreter::define_model(const ModelDef& d, const std::shared_ptr<Scope>& scope) {
    scope->define(d.name, Value(std::shared_ptr<Object>(std::make_shared<ModelClass>(&d, scope, d.name))));
}

}  // namespace nnc
