// Lowering one fn of a file to IR for `nnc emit --stage=ir`: the file's
// declarations (fns, models, imports) are evaluated, then the fn is traced
// with parameters typed from the command line or from its annotations
// (symbolic dimensions stay symbolic).
#include "interp/annotations.h"
#include "interp/interpreter.h"

namespace nnc {

namespace {

// Splits "Model.method" into its parts (method empty for a plain fn).
std::pair<std::string, std::string> split_name(const std::string& name) {
    size_t dot = name.find('.');
    if (dot == std::string::npos) return {name, ""};
    return {name.substr(0, dot), name.substr(dot + 1)};
}

}  // namespace

Interpreter::Trace Interpreter::lower(std::unique_ptr<ast::Program> program, const std::string& dir,
                                      const std::string& name, const std::map<std::string, Value>& given) {
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
    std::optional<ScopedValue<Mode>> abstract(std::in_place, mode_, Mode::Abstract);
    auto args_for = [&](const std::vector<ast::Param>& params, const std::shared_ptr<Scope>& scope, const std::string& fn) {
        CallArgs args;
        args.callee_name = fn;
        AnnotationMatcher matcher(scope);
        for (const ast::Param& param : params) {
            Value v;
            if (auto it = given.find(param.name); it != given.end()) v = it->second;
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
            args.args.push_back({param.name, std::move(v), param.range});
        }
        return args;
    };

    if (auto* fn = found->object<FunctionObject>()) {
        if (!method.empty()) throw CompileError({}, "`" + head + "` is a fn, not a model");
        CallArgs args = args_for(fn->def->params, fn->closure, name);
        abstract.reset();
        return trace_call(*found, std::move(args), name);
    }
    auto* cls = found->object<ModelClass>();
    if (!cls) throw CompileError({}, "`" + head + "` is not a fn or a model");
    const ast::FnDef* def = nullptr;
    for (const auto& m : cls->def->methods)
        if (m->name == (method.empty() ? "forward" : method)) def = m.get();
    if (!def) throw CompileError({}, "model `" + head + "` has no method `" + (method.empty() ? "forward" : method) + "`");
    CallArgs ctor = args_for(cls->def->params, cls->scope, head);
    Value instance = call(*found, ctor);
    auto scope = std::make_shared<Scope>(cls->scope, std::static_pointer_cast<ModelInstance>(instance.as<std::shared_ptr<Object>>()));
    CallArgs args = args_for(def->params, scope, name);
    Value bound = make_object<BoundMethodObject>(instance, make_object<FunctionObject>(def, cls->scope, head + "." + def->name));
    abstract.reset();
    return trace_call(bound, std::move(args), name);
}

}  // namespace nnc
