// `import a.b [as c]`: finds `a/b.nn` next to the importing file or on the
// module path (the standard library), parses and runs it once, and binds
// its top-level scope as a module value.
#include <algorithm>
#include <filesystem>

#include "frontend/parse.h"
#include "interp/interpreter.h"

namespace nnc {

namespace fs = std::filesystem;

std::shared_ptr<Scope> Interpreter::new_module_scope() { return std::make_shared<Scope>(builtins_); }

Value Interpreter::import_module(const ast::Import& s, const std::string& dir) {
    std::string relative, dotted;
    for (size_t i = 0; i < s.path.size(); ++i) {
        relative += (i ? "/" : "") + s.path[i];
        dotted += (i ? "." : "") + s.path[i];
    }
    relative += ".nn";

    std::vector<std::string> searched{dir};
    searched.insert(searched.end(), options_.module_paths.begin(), options_.module_paths.end());
    fs::path found;
    for (const auto& d : searched) {
        std::error_code ec;
        fs::path candidate = fs::path(d) / relative;
        if (fs::is_regular_file(candidate, ec)) {
            found = fs::weakly_canonical(candidate, ec);
            break;
        }
    }
    if (found.empty()) {
        std::string where;
        for (const auto& d : searched) where += (where.empty() ? "" : ", ") + d;
        throw CompileError(s.range, "cannot find module `" + dotted + "` (" + relative + " is not in " + where + ")");
    }

    std::string key = found.string();
    if (auto it = modules_.find(key); it != modules_.end()) return it->second;
    if (auto cycle = std::find(importing_.begin(), importing_.end(), key); cycle != importing_.end()) {
        std::string chain;   // "a.nn imports b.nn, which imports"
        for (auto it = cycle; it != importing_.end(); ++it)
            chain += fs::path(*it).filename().string() + (it == cycle ? " imports " : ", which imports ");
        throw CompileError(s.range, "import cycle: " + chain +
                                        (cycle + 1 == importing_.end() ? "itself" : fs::path(key).filename().string()));
    }

    std::string error;
    uint32_t file = sources_.add_file(key, &error);
    if (!file) throw CompileError(s.range, "cannot read module `" + dotted + "`: " + error);
    std::unique_ptr<ast::Program> program;
    {
        DiagnosticEngine module_diags(sources_, *err_);
        program = parse(sources_, file, module_diags);
    }
    if (!program) throw CompileError(s.range, "module `" + dotted + "` has syntax errors (reported above)");

    auto scope = new_module_scope();
    ScopedPush<std::string> importing(importing_, key);
    ScopedPush<std::string> module_dir(dir_stack_, found.parent_path().string());
    Frame frame;
    try {
        for (const auto& stmt : program->stmts) exec(*stmt, scope, frame);
    } catch (CompileError& e) {
        e.diag.notes.push_back({Severity::Note, s.range, "in module `" + dotted + "`, imported here", {}});
        throw;
    }
    programs_.push_back(std::move(program));

    Value module = make_object<ModuleObject>(dotted, scope);
    modules_.emplace(key, module);
    return module;
}

}  // namespace nnc
