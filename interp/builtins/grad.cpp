// Differentiation builtins: grad, value_and_grad, vjp, jvp, stop_gradient.
// Each traces the function it is given to IR at the call's argument types,
// transforms the IR (autodiff/), then runs the result — interpreted when
// called from eager code, inlined into the trace when called from a traced
// fn, which is how grad(grad(f)) and jvp-of-grad work.
#include "autodiff/autodiff.h"
#include "interp/builtins/builtins.h"
#include "interp/flatten.h"
#include "interp/interpreter.h"
#include "ir/inline.h"
#include "ir/interpret.h"
#include "core/shape_rules.h"

namespace nnc {

namespace {

// The arguments a transformed function was called with, flattened.
struct FlatArgs {
    CallArgs call;
    std::vector<Value> leaves;          // tensor leaves of all arguments, in order
    std::vector<size_t> first_leaf;     // per argument: its first leaf
};

FlatArgs flat_args(BuiltinArgs& a, const std::vector<Value>& values, const std::vector<SourceRange>& ranges) {
    FlatArgs f;
    f.call.call_range = a.call_range();
    for (size_t i = 0; i < values.size(); ++i) {
        f.call.args.push_back({"", values[i], ranges[i]});
        f.first_leaf.push_back(f.leaves.size());
        flatten(values[i], f.leaves);
    }
    f.first_leaf.push_back(f.leaves.size());
    return f;
}

// What the traced fn read from outside (a closure's variables, a global
// model) follows the arguments as inputs (captures.h).
void add_captures(FlatArgs& args, const Interpreter::Trace& t) {
    for (const Value& v : t.captured) flatten(v, args.leaves);
}

// Runs `fn` on the leaves: interpreted from eager code, inlined while tracing.
std::vector<Value> run_ir(Interpreter& in, const ir::Function& fn, const std::vector<Value>& inputs, SourceRange where) {
    std::vector<Value> out;
    if (in.mode() == Interpreter::Mode::Trace) {
        std::vector<ir::Value*> args;
        for (const Value& v : inputs) args.push_back(in.ir_value(v, where));
        in.builder()->set_loc(where);
        for (ir::Value* r : ir::inline_function(*in.builder(), fn, args)) out.push_back(Value(AbstractTensor{r->type(), r}));
        return out;
    }
    std::vector<Tensor> tensors;
    for (const Value& v : inputs) tensors.push_back(v.as<Tensor>());
    try {
        for (Tensor& t : ir::interpret(fn, tensors)) out.push_back(Value(std::move(t)));
    } catch (const RuntimeError& e) {
        throw CompileError(where, e.what());
    }
    return out;
}

// Traces `f` for a transformation; what cannot be traced cannot be
// differentiated. Inside a trace the failure goes to the enclosing call,
// which traces again with concrete shapes or runs eagerly (and reports
// the error then, if it still is one).
Interpreter::Trace trace_for_transform(BuiltinArgs& a, const Value& f, const FlatArgs& args, const char* what) {
    try {
        return a.interp().trace_call(f, args.call, what);
    } catch (const TraceFailure& failure) {
        if (a.interp().mode() == Interpreter::Mode::Trace) throw;
        throw CompileError(a.call_range(), std::string(what) + ": cannot differentiate " + type_name(f) + ": " + failure.reason,
                           {{Severity::Note, failure.where, "here", {}}});
    }
}

// Runs an autodiff transform, turning its refusals into errors at the call
// (inside a trace: into a trace failure, so the enclosing call is traced
// again with concrete shapes, which some transposes need, or runs eagerly).
template <class Transform> std::unique_ptr<ir::Function> transform(BuiltinArgs& a, const char* what, Transform&& t) {
    try {
        std::unique_ptr<ir::Function> f = t();
        a.interp().run_pipeline(*f, ir::Stage::Traced, ir::Stage::Optimized);
        return f;
    } catch (const ShapeError& e) {
        if (a.interp().mode() == Interpreter::Mode::Trace) throw TraceFailure{a.call_range(), std::string(what) + ": " + e.what()};
        throw CompileError(a.call_range(), std::string(what) + ": " + e.what());
    }
}

// Traces `f` at the arguments; the trace must return one rank-0 float tensor.
Interpreter::Trace trace_scalar(BuiltinArgs& a, const Value& f, const FlatArgs& args, const char* what) {
    Interpreter::Trace t = trace_for_transform(a, f, args, what);
    std::vector<Value> outs;
    flatten(t.result_structure, outs);
    if (outs.size() != 1 || outs[0].tensor_type().rank() != 0 || !is_floating(outs[0].tensor_type().dtype))
        throw CompileError(a.call_range(), std::string(what) + " needs a function returning one float scalar, but it returned " +
                                               type_name(t.result_structure));
    return t;
}

// `transform(f)` for a traced fn whose trace also returns `updated` new
// field values (a BatchNorm's running statistics, the random state): they
// are not part of the derivative, so the transform sees f without them.
template <class Transform>
std::unique_ptr<ir::Function> without_updates(ir::Function& f, size_t updated, Transform&& transform) {
    ir::Op* ret = f.body()->terminator();
    const std::vector<ir::Value*> all = ret->operands;
    ret->operands.resize(all.size() - updated);
    struct Restore {
        ir::Op* ret;
        const std::vector<ir::Value*>& all;
        ~Restore() { ret->operands = all; }
    } restore{ret, all};
    return transform(f);
}

// The fields the transformed fn assigned are assigned in the arguments too,
// as a plain call would, from `results`, a run of the traced fn.
void write_back(const Interpreter::Trace& t, std::vector<Value> actual, const std::vector<Value>& results) {
    if (t.updated_leaves.empty()) return;
    actual.insert(actual.end(), t.captured.begin(), t.captured.end());
    std::vector<Value*> slots;
    for (Value& v : actual) leaf_slots(v, slots);
    const size_t first = results.size() - t.updated_leaves.size();
    for (size_t k = 0; k < t.updated_leaves.size(); ++k) *slots[t.updated_leaves[k]] = results[first + k];
}

// As write_back, running the forward pass once more for the fields (while
// tracing, cse merges it with the derivative's own forward pass).
void write_back_updates(Interpreter& in, const Interpreter::Trace& t, const FlatArgs& args, std::vector<Value> actual,
                        SourceRange where) {
    if (t.updated_leaves.empty()) return;
    write_back(t, std::move(actual), run_ir(in, *t.function, args.leaves, where));
}

// Argument numbers (negative count from the end) as indices into `nargs` arguments.
std::vector<size_t> select_args(const std::vector<int64_t>& argnums, size_t nargs, SourceRange where, const char* name) {
    std::vector<size_t> out;
    for (int64_t i : argnums) {
        int64_t k = i < 0 ? i + static_cast<int64_t>(nargs) : i;
        if (k < 0 || k >= static_cast<int64_t>(nargs))
            throw CompileError(where, std::string(name) + ": argument number " + std::to_string(i) + " is out of range for " +
                                          std::to_string(nargs) + " arguments");
        out.push_back(static_cast<size_t>(k));
    }
    return out;
}

// grad / value_and_grad while checking (`nnc check`): f is called on the
// abstract arguments, so its mistakes are reported and the fields it assigns
// get their types; each gradient has its argument's type (a model's: the
// model, its params standing for their gradients), so an optimizer step on
// it is checked too.
Value abstract_gradient(BuiltinArgs& a, const Value& f, const std::vector<size_t>& selected, bool single,
                        bool with_value, const char* name) {
    CallArgs call;
    call.call_range = a.call_range();
    call.callee_name = name;
    for (size_t i = 0; i < a.rest().size(); ++i) call.args.push_back({"", a.rest()[i], a.rest_range(i)});
    Value value = a.interp().call_for_reverse_mode(f, call, std::string(name) + ": cannot differentiate " + type_name(f),
                                                   a.call_range());
    if (!value.is_unknown() && (!value.is_tensor() || value.tensor_type().rank() != 0 || !is_floating(value.tensor_type().dtype)))
        throw CompileError(a.call_range(), std::string(name) + " needs a function returning one float scalar, but it returned " +
                                               type_name(value));
    std::vector<Value> grads;
    for (size_t arg : selected) grads.push_back(a.rest()[arg]);
    Value grad = single ? grads[0] : make_tuple(std::move(grads));
    return with_value ? make_tuple({value, grad}) : grad;
}

// The object `grad(f)` / `value_and_grad(f)` returns: a builtin taking f's arguments.
Value gradient_function(BuiltinArgs& outer, bool with_value) {
    Value f = outer.value("f");
    const bool single = outer.value("argnums").is<int64_t>();   // an int gives one gradient, a tuple a tuple
    const std::vector<int64_t> argnums = outer.ints("argnums");
    const char* name = with_value ? "value_and_grad" : "grad";
    auto impl = [f, single, argnums, with_value, name](BuiltinArgs& a) -> Value {
        Interpreter& in = a.interp();
        std::vector<size_t> selected = select_args(argnums, a.rest().size(), a.call_range(), name);
        if (in.mode() == Interpreter::Mode::Abstract) return abstract_gradient(a, f, selected, single, with_value, name);
        std::vector<SourceRange> ranges;
        for (size_t i = 0; i < a.rest().size(); ++i) ranges.push_back(a.rest_range(i));
        FlatArgs args = flat_args(a, a.rest(), ranges);

        Interpreter::Trace t = trace_scalar(a, f, args, name);
        add_captures(args, t);
        std::vector<size_t> wrt;
        for (size_t arg : selected)
            for (size_t leaf = args.first_leaf[arg]; leaf < args.first_leaf[arg + 1]; ++leaf)
                if (t.params[leaf].differentiable) wrt.push_back(leaf);
        std::unique_ptr<ir::Function> g = transform(a, name, [&] {
            return without_updates(*t.function, t.updated_leaves.size(),
                                   [&](ir::Function& loss) { return autodiff::value_and_grad(loss, wrt); });
        });
        std::vector<Value> out = run_ir(in, *g, args.leaves, a.call_range());
        write_back_updates(in, t, args, a.rest(), a.call_range());

        std::vector<Value> grads;
        size_t pos = 1;
        for (size_t arg : selected) {
            const Value& like = a.rest()[arg];
            grads.push_back(like.is_tensor() ? out[pos++] : unflatten(like, out, pos, LeafFilter::Params));
        }
        Value grad = single ? grads[0] : make_tuple(std::move(grads));
        // A gradient model made while tracing is the trace's own (`optim.clip_grad_norm` assigns it).
        if (in.mode() == Interpreter::Mode::Trace) set_trace_epoch(grad, in.trace_root_epoch());
        return with_value ? make_tuple({out[0], grad}) : grad;
    };
    return make_object<BuiltinObject>(std::string(name) + "(" + type_name(f) + ")", "*args", impl);
}

Value grad_builtin(BuiltinArgs& a) { return gradient_function(a, false); }
Value value_and_grad_builtin(BuiltinArgs& a) { return gradient_function(a, true); }

// vjp(f, *primals) -> (f(primals), pullback) where pullback(cotangent)
// returns the cotangents of the primals (a tuple when there are several).
Value vjp_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Abstract) throw UnknownArgument{};
    Value f = a.value("f");
    std::vector<Value> primals = a.rest();
    std::vector<SourceRange> ranges;
    for (size_t i = 0; i < primals.size(); ++i) ranges.push_back(a.rest_range(i));
    FlatArgs args = flat_args(a, primals, ranges);
    auto t = std::make_shared<Interpreter::Trace>(trace_for_transform(a, f, args, "vjp"));
    add_captures(args, *t);
    std::shared_ptr<ir::Function> pullback_ir = transform(a, "vjp", [&] {
        return without_updates(*t->function, t->updated_leaves.size(), [](ir::Function& f) { return autodiff::vjp(f); });
    });

    std::vector<Value> outputs;
    flatten(t->result_structure, outputs);
    size_t n_out = outputs.size();
    std::vector<Value> forward = run_ir(in, *t->function, args.leaves, a.call_range());
    size_t pos = 0;
    Value value = unflatten(t->result_structure, forward, pos);
    write_back(*t, primals, forward);

    auto pullback = [t, pullback_ir, args, primals, n_out](BuiltinArgs& p) -> Value {
        std::vector<Value> cot;
        flatten(p.value("cotangent"), cot);
        if (cot.size() != n_out) p.fail("cotangent", "expected " + std::to_string(n_out) + " tensors, like the function's result");
        std::vector<Value> inputs = args.leaves;
        for (size_t i = 0; i < cot.size(); ++i) {
            Value c = p.interp().to_tensor(cot[i], std::nullopt, p.range("cotangent"));
            // Each cotangent has its result's type (no promotion: an f64 cotangent of an f32 result is a mistake).
            const TensorType want = pullback_ir->params()[args.leaves.size() + i]->type(), got = c.tensor_type();
            bool fits = got.dtype == want.dtype && got.rank() == want.rank();
            for (int64_t d = 0; fits && d < got.rank(); ++d)
                fits = !(got.dims[d].is_known() && want.dims[d].is_known() && got.dims[d].value() != want.dims[d].value());
            if (!fits)
                p.fail("cotangent", "the cotangent" + (n_out > 1 ? " #" + std::to_string(i + 1) : std::string()) + " is " +
                                        got.str() + " but the function's result" +
                                        (n_out > 1 ? " #" + std::to_string(i + 1) : std::string()) + " is " + want.str());
            inputs.push_back(std::move(c));
        }
        std::vector<Value> out = run_ir(p.interp(), *pullback_ir, inputs, p.call_range());
        size_t at = n_out;   // the pullback returns f's values, then the cotangents of its inputs
        std::vector<Value> result;
        for (const Value& like : primals) result.push_back(like.is_tensor() ? out[at++] : unflatten(like, out, at));
        Value cotangents = result.size() == 1 ? result[0] : make_tuple(std::move(result));
        if (p.interp().mode() == Interpreter::Mode::Trace) set_trace_epoch(cotangents, p.interp().trace_root_epoch());
        return cotangents;
    };
    return make_tuple({value, make_object<BuiltinObject>("vjp pullback", "cotangent", pullback)});
}

// jvp(f, primals, tangents) -> (f(primals), the directional derivative).
Value jvp_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Abstract) throw UnknownArgument{};
    auto items = [&](const char* name) {
        const Value& v = a.value(name);
        if (auto* t = v.object<TupleObject>()) return t->elements;
        if (auto* l = v.object<ListObject>()) return l->elements;
        a.fail(name, "`" + std::string(name) + "` must be a tuple of the function's arguments");
    };
    std::vector<Value> primals = items("primals"), tangents = items("tangents");
    if (primals.size() != tangents.size()) a.fail("tangents", "needs one tangent per primal");
    FlatArgs args = flat_args(a, primals, std::vector<SourceRange>(primals.size(), a.range("primals")));
    std::vector<Value> tangent_leaves;
    for (const Value& t : tangents) flatten(in.to_tensor(t, std::nullopt, a.range("tangents")), tangent_leaves);
    if (tangent_leaves.size() != args.leaves.size()) a.fail("tangents", "tangents must have the primals' structure");

    Interpreter::Trace t = trace_for_transform(a, a.value("f"), args, "jvp");
    add_captures(args, t);
    // What f read from outside is held fixed: its tangents are zero.
    for (size_t i = tangent_leaves.size(); i < args.leaves.size(); ++i) {
        const DType dt = args.leaves[i].tensor_type().dtype;
        Value zero = in.to_tensor(is_floating(dt) ? Value(0.0) : Value(int64_t{0}), dt, a.call_range());
        tangent_leaves.push_back(in.apply(OpKind::BroadcastLike, {zero, args.leaves[i]}, {}, a.call_range()));
    }
    std::unique_ptr<ir::Function> j = transform(a, "jvp", [&] {
        return without_updates(*t.function, t.updated_leaves.size(), [](ir::Function& f) { return autodiff::jvp(f); });
    });
    std::vector<Value> inputs = args.leaves;
    inputs.insert(inputs.end(), tangent_leaves.begin(), tangent_leaves.end());
    std::vector<Value> out = run_ir(in, *j, inputs, a.call_range());
    write_back_updates(in, t, args, primals, a.call_range());
    size_t pos = 0;
    Value value = unflatten(t.result_structure, out, pos);
    Value tangent = unflatten(t.result_structure, out, pos);
    return make_tuple({value, tangent});
}

Value stop_gradient_builtin(BuiltinArgs& a) {
    return a.interp().apply(OpKind::StopGradient, {a.tensor("x")}, {}, a.call_range());
}

const BuiltinSpec kGradBuiltins[] = {
    {"grad", "f, argnums = 0", grad_builtin},
    {"value_and_grad", "f, argnums = 0", value_and_grad_builtin},
    {"vjp", "f, *primals", vjp_builtin},
    {"jvp", "f, primals, tangents", jvp_builtin},
    {"stop_gradient", "x", stop_gradient_builtin},
};

}  // namespace

std::span<const BuiltinSpec> grad_builtins() { return kGradBuiltins; }

}  // namespace nnc
