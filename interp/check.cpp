// `nnc check`: finds type and shape errors without running anything. The
// top level runs abstractly (tensors are types, data from files is unknown),
// then every fn and model method is checked once more on its annotations
// alone, with symbolic dimensions, so a fn nobody calls is checked too.
#include <set>
#include <tuple>

#include "interp/annotations.h"
#include "interp/interpreter.h"

namespace nnc {

namespace {

// Reports one error per source location: a fn checked from a call site
// (concrete shapes, with the calls that reached it) and again from its
// signature (symbolic shapes) may hit the same error.
class Reporter {
public:
    explicit Reporter(DiagnosticEngine& diags) : diags_(diags) {}
    void report(const Diagnostic& d) {
        auto key = std::make_tuple(d.range.begin.file, d.range.begin.line, d.range.begin.col);
        if (seen_.insert(key).second) diags_.report(d);
    }

private:
    DiagnosticEngine& diags_;
    std::set<std::tuple<uint32_t, uint32_t, uint32_t>> seen_;
};

// Names a failed statement would have bound, so later statements do not
// report them as undeclared.
void bind_unknown(const ast::Pattern& p, Scope& scope) {
    if (p.kind == ast::Pattern::Bind) scope.define(p.name, Value(UnknownValue{}));
    for (const auto& e : p.elements) bind_unknown(e, scope);
}

void bind_unknown(const ast::Stmt& s, Scope& scope) {
    if (auto* let = dyn_cast<ast::Let>(&s)) bind_unknown(let->pattern, scope);
    if (auto* imp = dyn_cast<ast::Import>(&s))
        scope.define(imp->alias.empty() ? imp->path.back() : imp->alias, Value(UnknownValue{}));
}

}  // namespace

void Interpreter::check(std::unique_ptr<ast::Program> program, const std::string& dir, DiagnosticEngine& diags) {
    ScopedValue<Mode> abstract(mode_, Mode::Abstract);
    Reporter reporter(diags);
    ScopedPush<std::string> script_dir(dir_stack_, dir);

    Frame frame;
    for (const auto& stmt : program->stmts) {
        try {
            exec(*stmt, main_, frame);
        } catch (const CompileError& e) {
            reporter.report(e.diag);
            bind_unknown(*stmt, *main_);
        }
    }

    auto check_fn = [&](const ast::FnDef& def, const std::shared_ptr<Scope>& closure,
                        const std::shared_ptr<ModelInstance>& self, const std::string& name) {
        auto scope = std::make_shared<Scope>(closure, self);
        if (self)
            for (const auto& [n, v] : self->ctor_args) scope->define(n, v);
        AnnotationMatcher matcher(scope);
        try {
            for (const auto& p : def.params)
                scope->define(p.name, p.type ? matcher.abstract_value(*p.type) : Value(UnknownValue{}));
            for (const auto& p : def.params)
                if (p.type) matcher.match(*p.type, *scope->lookup(p.name), p.range, p.name);
            matcher.define_dimensions(*scope, [&](const Value& x, int64_t axis) { return dim_size(x, axis, def.range); });
            Frame f;
            exec_block(def.body, scope, f);
            if (def.result) matcher.match(*def.result, f.result, def.result->range, "the result of `" + name + "`");
        } catch (const CompileError& e) {
            reporter.report(e.diag);
        }
    };

    for (const auto& stmt : program->stmts) {
        if (auto* fn = dyn_cast<ast::FnDef>(stmt.get())) check_fn(*fn, main_, nullptr, fn->name);
        if (auto* model = dyn_cast<ast::ModelDef>(stmt.get())) {
            // Methods are checked on an instance built from unknown constructor arguments.
            Value* cls_value = main_->lookup(model->name);
            auto* cls = cls_value ? cls_value->object<ModelClass>() : nullptr;
            if (!cls) continue;
            std::shared_ptr<ModelInstance> instance;
            try {
                CallArgs args;
                args.call_range = model->name_range;
                for (const auto& p : model->params) args.args.push_back({p.name, Value(UnknownValue{}), p.range});
                Value v = construct_model(std::static_pointer_cast<ModelClass>(cls_value->as<std::shared_ptr<Object>>()), args);
                instance = std::static_pointer_cast<ModelInstance>(v.as<std::shared_ptr<Object>>());
            } catch (const CompileError& e) {
                reporter.report(e.diag);
                continue;
            }
            for (const auto& m : model->methods) check_fn(*m, cls->scope, instance, model->name + "." + m->name);
        }
    }

    programs_.push_back(std::move(program));
}

}  // namespace nnc
