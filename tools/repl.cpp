// `nnc repl`: reads statements line by line, keeps reading while braces are
// open, and runs each complete input in one persistent interpreter. An
// error reports and discards that input only; earlier definitions survive.
#include "tools/repl.h"

#include <editline/readline.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "frontend/parse.h"
#include "interp/interpreter.h"
#include "support/error.h"
#include "support/interrupt.h"
#include "tools/commands.h"

namespace nnc {

namespace {

constexpr const char* kHelp =
    "Enter statements or expressions; the value of an expression is printed.\n"
    "Input continues on the next line while braces, brackets or parentheses are open.\n"
    "  :type EXPR   show the type and shape of EXPR without running it\n"
    "  :load FILE   run a .nn file in this session\n"
    "  :help        this text\n"
    "  :quit        leave (also Ctrl-D)\n";

class Repl {
public:
    explicit Repl(const DriverOptions& o)
        : interactive_(isatty(STDIN_FILENO)),
          history_file_(o.history_file),
          diags_(sources_, std::cerr, o.color),
          interp_(sources_, interpreter_options(o, diags_)) {
        if (interactive_) {
            using_history();
            if (!history_file_.empty()) read_history(history_file_.c_str());
        }
    }

    int run(const std::string& initial_file) {
        install_interrupt_handler();
        if (!initial_file.empty()) load(initial_file);
        if (interactive_) std::cout << "nnc " << NNC_VERSION << " — :help for help, :quit to leave\n";
        std::string buffer;
        while (auto line = read_line(buffer.empty() ? ">>> " : "... ")) {
            if (buffer.empty() && !line->empty() && (*line)[0] == ':') {
                if (!command(*line)) break;
                continue;
            }
            buffer += *line + "\n";
            if (needs_more_input(buffer)) continue;
            evaluate(buffer);
            buffer.clear();
        }
        if (!buffer.empty()) evaluate(buffer);   // input ended inside a block: report it
        if (interactive_ && !history_file_.empty()) write_history(history_file_.c_str());
        return interactive_ || !had_error_ ? 0 : 1;
    }

private:
    static InterpreterOptions interpreter_options(const DriverOptions& o, DiagnosticEngine& diags) {
        InterpreterOptions io;
        io.seed = o.seed;
        io.echo_values = true;
        io.pipeline = pipeline_options(o);
        if (!o.stdlib_dir.empty()) io.module_paths.push_back(o.stdlib_dir);
        if (!o.quiet) io.warnings = &diags;
        io.library_dir = o.stdlib_dir;
        return io;
    }

    std::optional<std::string> read_line(const char* prompt) {
        if (!interactive_) {
            std::string line;
            if (!std::getline(std::cin, line)) return std::nullopt;
            return line;
        }
        char* raw = readline(prompt);
        if (!raw) {
            std::cout << "\n";
            return std::nullopt;
        }
        std::string line(raw);
        free(raw);
        if (line.find_first_not_of(" \t") != std::string::npos) add_history(line.c_str());
        return line;
    }

    // Handles a `:command`; returns false to leave the REPL.
    bool command(const std::string& line) {
        std::string name = line.substr(0, line.find(' '));
        std::string rest = name.size() < line.size() ? line.substr(name.size() + 1) : "";
        if (name == ":quit" || name == ":q") return false;
        if (name == ":help") std::cout << kHelp;
        else if (name == ":type") type_of(rest);
        else if (name == ":load") load(rest);
        else fail("unknown command `" + name + "` (try :help)");
        return true;
    }

    void fail(const std::string& message) {
        std::cerr << "error: " << message << "\n";
        had_error_ = true;
    }

    void evaluate(const std::string& text) {
        uint32_t file = sources_.add_buffer("<repl:" + std::to_string(++inputs_) + ">", text);
        execute(file, ".");
    }

    void load(const std::string& path) {
        std::string error;
        uint32_t file = sources_.add_file(path, &error);
        if (!file) return fail("cannot read " + path + ": " + error);
        std::string dir = std::filesystem::path(path).parent_path().string();
        execute(file, dir.empty() ? "." : dir);
    }

    void execute(uint32_t file, const std::string& dir) {
        int before = diags_.error_count();
        auto program = parse(sources_, file, diags_);
        if (!program) {
            had_error_ = true;
            return;
        }
        take_interrupt();   // a Ctrl-C at the prompt does not stop the next input
        try {
            interp_.run(std::move(program), dir);
        } catch (const CompileError& e) {
            std::cout.flush();
            diags_.report(e.diag);
        } catch (const Interrupted& i) {   // the session goes on
            std::cout.flush();
            diags_.report({Severity::Note, i.where, "interrupted (Ctrl-C) here", {}});
        } catch (const InternalError& e) {   // a bug in nnc: say so, and let the user save their work
            std::cout.flush();
            std::cerr << "nnc: " << e.what() << "\nnnc: this is a bug in nnc (please report it); the session goes on, "
                         "but what the failed input changed may be half done\n";
            had_error_ = true;
        }
        if (diags_.error_count() != before) had_error_ = true;
    }

    void type_of(const std::string& expr_text) {
        uint32_t file = sources_.add_buffer("<repl:" + std::to_string(++inputs_) + ">", expr_text + "\n");
        auto program = parse(sources_, file, diags_);
        if (!program) {
            had_error_ = true;
            return;
        }
        auto* stmt = program->stmts.size() == 1 ? dyn_cast<ast::ExprStmt>(program->stmts[0].get()) : nullptr;
        if (!stmt) return fail(":type takes one expression");
        try {
            std::cout << interp_.type_of(*stmt->expr) << "\n";
        } catch (const CompileError& e) {
            diags_.report(e.diag);
            had_error_ = true;
        }
    }

    bool interactive_;
    std::string history_file_;
    SourceManager sources_;
    DiagnosticEngine diags_;
    Interpreter interp_;
    int inputs_ = 0;
    bool had_error_ = false;
};

}  // namespace

int run_repl(const DriverOptions& options) { return Repl(options).run(options.file); }

}  // namespace nnc
