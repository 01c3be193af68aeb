// Lowering one fn of a file to IR for `nnc emit` and `nnc compile`: the
// file's declarations (fns, models, imports) are evaluated, then the fn is
// traced with parameters typed from the command line or from its
// annotations (symbolic dimensions stay symbolic). Model parameters are
// constructed with no arguments; an argument may also be an expression
// (`o=optim.adam(m, lr = 1e-3)`) over the parameters before it.
#include "frontend/parse.h"
#include "interp/annotations.h"
#include "interp/interpreter.h"

#include <sstream>

namespace nnc {

namespace {

// Splits "Model.method" into its parts (method empty for a plain fn).
std::pair<std::string, std::string> split_name(const std::string& name) {
    size_t dot = name.find('.');
    if (dot == std::string::npos) return {name, ""};
    return {name.substr(0, dot), name.substr(dot + 1)};
}

}  // namespace

Interpreter::Lowered Interpreter::lower(std::unique_ptr<ast::Program> program, const std::string& dir, const std::string& name,
                                        const std::map<std::string, LowerArg>& given, bool concrete) {
    ScopedPush<std::string> script_dir(dir_stack_, dir);
    const ast::Program& p = *program;
    programs_.push_back(std::move(program));
    Frame frame;
    for (const auto& stmt : p.stmts)
        if (isa<ast::FnDef>(stmt.get()) || isa<ast::ModelDef>(stmt.get()) || isa<ast::Import>(stmt.get()))
            exec(*stmt, main_, frame);

    auto [head, method] = split_name(name);
    Value* found = main_->lookup(head);
    if (!found) throw CompileError({}, "no fn or model named `" + head + "` in the file");

    // Values for parameters: given on the command line, else from the annotation.
    std::optional<ScopedValue<Mode>> abstract;
    if (!concrete) abstract.emplace(mode_, Mode::Abstract);
    Lowered lowered;
    // An expression argument, evaluated where the earlier parameters are variables.
    auto evaluate = [&](const std::string& param, const std::string& text) {
        const uint32_t file = sources_.add_buffer("--arg " + param, text);
        std::ostringstream errors;
        DiagnosticEngine diags(sources_, errors);
        auto parsed = parse(sources_, file, diags);
        if (!parsed || parsed->stmts.size() != 1 || !isa<ast::ExprStmt>(parsed->stmts[0].get()))
            throw CompileError({}, "--arg " + param + "=" + text + ": expected a type (f32[B, 784]), an int or an expression" +
                                       (errors.str().empty() ? std::string() : "\n" + errors.str()));
        auto scope = std::make_shared<Scope>(main_);
        for (const auto& [bound, value] : lowered.args) scope->define(bound, value);
        const ast::Expr& expr = *cast<ast::ExprStmt>(parsed->stmts[0].get())->expr;
        programs_.push_back(std::move(parsed));
        return eval(expr, scope);
    };
    auto args_for = [&](const std::vector<ast::Param>& params, const std::shared_ptr<Scope>& scope, const std::string& fn) {
        CallArgs args;
        args.callee_name = fn;
        AnnotationMatcher matcher(scope);
        for (const ast::Param& param : params) {
            Value v;
            if (auto it = given.find(param.name); it != given.end())
                v = it->second.expression.empty() ? it->second.value : evaluate(param.name, it->second.expression);
            else if (param.type && param.type->kind == ast::TypeExpr::Tensor) v = matcher.abstract_value(*param.type);
            else if (param.type && param.type->kind == ast::TypeExpr::Named && param.type->path.size() == 1 &&
                     scope->lookup(param.type->path[0]) && scope->lookup(param.type->path[0])->object<ModelClass>()) {
                CallArgs none;
                none.callee_name = param.type->path[0];
                v = call(*scope->lookup(param.type->path[0]), none);
            } else if (param.default_value) v = eval(*param.default_value, scope);
            else
                throw CompileError(param.range, "give a value for parameter `" + param.name + "` of `" + fn +
                                                    "` with --arg " + param.name + "=TYPE (e.g. f32[B,3]) or =INT");
            lowered.args.emplace_back(param.name, v);
            args.args.push_back({param.name, std::move(v), param.range});
        }
        return args;
    };

    if (auto* fn = found->object<FunctionObject>()) {
        if (!method.empty()) throw CompileError({}, "`" + head + "` is a fn, not a model");
        CallArgs args = args_for(fn->def->params, fn->closure, name);
        abstract.reset();
        lowered.trace = trace_call(*found, std::move(args), name, OuterTensors::Fold);
        return lowered;
    }
    auto* cls = found->object<ModelClass>();
    if (!cls) throw CompileError({}, "`" + head + "` is not a fn or a model");
    const ast::FnDef* def = nullptr;
    for (const auto& m : cls->def->methods)
        if (m->name == (method.empty() ? "forward" : method)) def = m.get();
    if (!def) throw CompileError({}, "model `" + head + "` has no method `" + (method.empty() ? "forward" : method) + "`");
    CallArgs ctor = args_for(cls->def->params, cls->scope, head);
    Value instance = call(*found, ctor);
    lowered.args.clear();   // the constructor's arguments are not the method's
    lowered.args.emplace_back("self", instance);
    auto scope = std::make_shared<Scope>(cls->scope, std::static_pointer_cast<ModelInstance>(instance.as<std::shared_ptr<Object>>()));
    CallArgs args = args_for(def->params, scope, name);
    Value bound = make_object<BoundMethodObject>(instance, make_object<FunctionObject>(def, cls->scope, head + "." + def->name));
    abstract.reset();
    lowered.trace = trace_call(bound, std::move(args), name, OuterTensors::Fold);
    return lowered;
}

}  // namespace nnc
