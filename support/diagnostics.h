// User diagnostics in clang style:
//
//   model.nn:12:9: error: matmul: inner dimensions differ: f32[2, 3] @ f32[4, 5]
//       return x @ w
//              ~~^~~
//   model.nn:3:10: note: `N` was bound to 3 here
//
// Internal compiler bugs are asserts, never diagnostics.
#pragma once

#include <functional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/source.h"

namespace nnc {

enum class Severity { Error, Warning, Note };
const char* severity_name(Severity s);   // "error", "warning", "note"

struct Diagnostic {
    Severity severity = Severity::Error;
    SourceRange range;
    std::string message;
    std::vector<Diagnostic> notes;   // attached notes, printed after it
};

// An error raised while checking or running a program; carries where it
// happened. The driver (or REPL) catches it and reports it.
class CompileError : public std::runtime_error {
public:
    CompileError(SourceRange range, std::string message, std::vector<Diagnostic> notes = {})
        : std::runtime_error(message), diag{Severity::Error, range, std::move(message), std::move(notes)} {}
    explicit CompileError(Diagnostic d) : std::runtime_error(d.message), diag(std::move(d)) {}
    Diagnostic diag;
};

class DiagnosticEngine {
public:
    DiagnosticEngine(const SourceManager& sources, std::ostream& out, bool color = false)
        : sources_(sources), out_(out), color_(color) {}

    void report(const Diagnostic& d);
    void error(SourceRange r, const std::string& msg) { report({Severity::Error, r, msg, {}}); }
    void warning(SourceRange r, const std::string& msg) { report({Severity::Warning, r, msg, {}}); }

    // Sends diagnostics to `consumer` instead of printing them (used by
    // --verify-diagnostics).
    void set_consumer(std::function<void(const Diagnostic&)> consumer) { consumer_ = std::move(consumer); }

    int error_count() const { return errors_; }

private:
    void print_one(const Diagnostic& d);
    const SourceManager& sources_;
    std::ostream& out_;
    bool color_;
    int errors_ = 0;
    std::function<void(const Diagnostic&)> consumer_;
};

}  // namespace nnc
