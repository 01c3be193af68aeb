// Interpreter set-up and the entry points used by the driver and the REPL.
#include "interp/interpreter.h"

#include <iostream>

namespace nnc {

Interpreter::Interpreter(SourceManager& sources, InterpreterOptions options)
    : sources_(sources),
      options_(std::move(options)),
      out_(options_.out ? options_.out : &std::cout),
      err_(options_.err ? options_.err : &std::cerr),
      builtins_(std::make_shared<Scope>()) {
    define_builtins(*builtins_);
    init_random_state();
    main_ = new_module_scope();
}

Interpreter::~Interpreter() {
    // Top-level fns close over the scope that holds them (the main scope, a
    // module's): a cycle that reference counting never frees. Dropping the
    // bindings frees the scopes with the interpreter.
    for (auto& [path, module] : modules_)
        if (auto* m = module.object<ModuleObject>()) m->scope->mutable_vars().clear();
    main_->mutable_vars().clear();
    builtins_->mutable_vars().clear();
}

void Interpreter::run(std::unique_ptr<ast::Program> program, const std::string& dir) {
    ScopedPush<std::string> script_dir(dir_stack_, dir);
    const ast::Program& p = *program;
    programs_.push_back(std::move(program));   // closures may refer to it
    Frame frame;
    for (const auto& stmt : p.stmts)
        if (exec(*stmt, main_, frame) == Flow::Return) break;
}

std::string Interpreter::type_of(const ast::Expr& expr) {
    ScopedValue<Mode> abstract(mode_, Mode::Abstract);
    return type_name(eval(expr, main_));
}

}  // namespace nnc
