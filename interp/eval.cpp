// Expression evaluation: literals, names, operators, calls, members,
// collections. Operators are in operators.cpp, subscripts in indexing.cpp.
#include <algorithm>

#include "interp/interpreter.h"
#include "support/stack.h"

namespace nnc {

using namespace ast;

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t substitute = diagonal + (a[i - 1] != b[j - 1]);
            diagonal = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitute});
        }
    }
    return row[b.size()];
}

// "; did you mean `print`?" when a visible name is a likely misspelling.
std::string did_you_mean(const std::string& name, const Scope& scope) {
    size_t limit = name.size() >= 5 ? 2 : name.size() >= 3 ? 1 : 0;
    std::string best;
    size_t best_distance = limit + 1;
    for (const Scope* s = &scope; s; s = s->parent().get())
        for (const auto& [candidate, value] : s->vars()) {
            size_t d = edit_distance(name, candidate);
            if (d < best_distance || (d == best_distance && candidate < best)) best = candidate, best_distance = d;
        }
    return best_distance <= limit ? "; did you mean `" + best + "`?" : "";
}

}  // namespace

Value Interpreter::eval(const Expr& e, const std::shared_ptr<Scope>& scope) {
    if (stack_nearly_exhausted()) throw CompileError(e.range, "the program nests too deeply for the stack");
    switch (e.kind) {
    case Expr::Kind::IntLit: return Value(cast<IntLit>(&e)->value);
    case Expr::Kind::FloatLit: return Value(cast<FloatLit>(&e)->value);
    case Expr::Kind::BoolLit: return Value(cast<BoolLit>(&e)->value);
    case Expr::Kind::StrLit: return Value(cast<StrLit>(&e)->value);
    case Expr::Kind::Name: {
        auto& n = *cast<Name>(&e);
        if (Value* v = scope->lookup(n.name)) {
            if (mode_ == Mode::Trace)
                if (Scope* owner = scope->owner_of(n.name); owner != builtins_.get() && owner->defined_here(n.name))
                    return read_outer(*owner, n.name, *v, n.range);
            return *v;
        }
        throw CompileError(n.range, "use of undeclared name `" + n.name + "`" + did_you_mean(n.name, *scope));
    }
    case Expr::Kind::Unary: {
        auto& u = *cast<Unary>(&e);
        return unary(u.op, eval(*u.operand, scope), u.range);
    }
    case Expr::Kind::Binary: {
        auto& b = *cast<Binary>(&e);
        Value lhs = eval(*b.lhs, scope);
        // `and` / `or` on host booleans short-circuit.
        if ((b.op == BinaryOp::And || b.op == BinaryOp::Or) && lhs.is<bool>()) {
            bool l = lhs.as<bool>();
            if (b.op == BinaryOp::And ? !l : l) return lhs;
            Value rhs = eval(*b.rhs, scope);
            if (rhs.is<bool>() || rhs.is_unknown()) return rhs;
            return binary(b.op, lhs, rhs, b.op_range.valid() ? b.op_range : b.range);
        }
        Value rhs = eval(*b.rhs, scope);
        return binary(b.op, lhs, rhs, b.op_range.valid() ? b.op_range : b.range);
    }
    case Expr::Kind::Call: return eval_call(*cast<Call>(&e), scope);
    case Expr::Kind::Member: {
        auto& m = *cast<Member>(&e);
        return eval_member(eval(*m.object, scope), m.member, m.member_range.valid() ? m.member_range : m.range);
    }
    case Expr::Kind::Index: {
        auto& i = *cast<Index>(&e);
        return index(eval(*i.base, scope), i, scope);
    }
    case Expr::Kind::Tuple: {
        std::vector<Value> elements;
        for (const auto& x : cast<Tuple>(&e)->elements) elements.push_back(eval(*x, scope));
        return make_tuple(std::move(elements));
    }
    case Expr::Kind::List: {
        std::vector<Value> elements;
        for (const auto& x : cast<List>(&e)->elements) elements.push_back(eval(*x, scope));
        return make_list(std::move(elements));
    }
    case Expr::Kind::Range: {
        auto& r = *cast<Range>(&e);
        return make_range(r, eval(*r.lo, scope), eval(*r.hi, scope));
    }
    }
    return Value();
}

Value Interpreter::make_range(const Range& r, const Value& lo, const Value& hi) {
    for (const auto& [bound, expr] : {std::pair{&lo, r.lo.get()}, std::pair{&hi, r.hi.get()}})
        if (!bound->is_unknown() && !bound->is<int64_t>())
            throw CompileError(expr->range, "range bounds must be ints, not " + type_name(*bound));
    if (lo.is_unknown() || hi.is_unknown()) return Value(UnknownValue{});
    return Value(RangeValue{lo.as<int64_t>(), hi.as<int64_t>(), 1});
}

Value Interpreter::eval_call(const Call& e, const std::shared_ptr<Scope>& scope) {
    Value callee = eval(*e.callee, scope);
    CallArgs args;
    args.call_range = e.range;
    if (auto* n = dyn_cast<Name>(e.callee.get())) args.callee_name = n->name;
    else if (auto* m = dyn_cast<Member>(e.callee.get())) args.callee_name = m->member;
    for (const auto& a : e.args) args.args.push_back({a.name, eval(*a.value, scope), a.range});
    return call(callee, args);
}

Value Interpreter::eval_member(const Value& object, const std::string& member, SourceRange where) {
    if (auto* m = object.object<ModelInstance>()) {
        if (auto* f = m->find(member)) return f->value;
        for (const auto& method : m->cls->def->methods)
            if (method->name == member)
                return make_object<BoundMethodObject>(
                    object, make_object<FunctionObject>(method.get(), m->cls->scope,
                                                        m->cls->qualified_name + "." + method->name));
        throw CompileError(where, "model " + m->cls->qualified_name + " has no field or method `" + member + "`");
    }
    if (auto* mod = object.object<ModuleObject>()) {
        if (mod->scope->defined_here(member)) return *mod->scope->lookup(member);
        throw CompileError(where, "module `" + mod->name + "` has no member `" + member + "`");
    }
    if (object.is_tensor()) {
        TensorType t = object.tensor_type();
        if (member == "shape") {
            std::vector<Value> dims;
            for (int64_t d = 0; d < t.rank(); ++d) dims.push_back(dim_size(object, d, where));
            return make_tuple(std::move(dims));
        }
        if (member == "dtype") return Value(t.dtype);
        if (member == "rank") return Value(t.rank());
        if (member == "T") {
            std::vector<int64_t> perm;
            for (int64_t i = t.rank() - 1; i >= 0; --i) perm.push_back(i);
            return apply(OpKind::Permute, {object}, Attrs{{"perm", perm}}, where);
        }
        throw CompileError(where, "a tensor has no member `" + member + "` (it has shape, dtype, rank and T)");
    }
    if (object.is_unknown()) return Value(UnknownValue{});
    if (auto* it = object.object<IteratorObject>())
        if (std::optional<Value> v = it->member(member)) return *v;
    if (auto* t = object.object<TupleObject>(); t && member == "len") return Value(int64_t(t->elements.size()));
    throw CompileError(where, "a value of type " + type_name(object) + " has no member `" + member + "`");
}

}  // namespace nnc
