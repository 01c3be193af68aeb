// DiagnosticVerifier: checks the diagnostics of a run against expectations
// written in the source, in the style of clang's and MLIR's -verify:
//
//   let y = x @ w   # expected-error {{inner dimensions differ}}
//   # expected-error@+1 {{use of undeclared name `b`}}
//   print(a + b)
//   # expected-note@-3 {{was bound to 3 here}}
//
// Expectations live in `#` comments (.nn) or `//` comments (IR text).
// `expected-error`, `expected-warning` and `expected-note` take a substring
// of the message in {{ }}; `@+N` / `@-N` move the expected line. Every
// expectation must be met by a diagnostic on that line, and every
// diagnostic must be expected.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "support/diagnostics.h"

namespace nnc {

class DiagnosticVerifier {
public:
    // Reads the expectations written in `file`.
    DiagnosticVerifier(const SourceManager& sources, uint32_t file);

    // Records a diagnostic (with its notes); install with
    // DiagnosticEngine::set_consumer.
    void consume(const Diagnostic& d);

    // Reports unmet expectations and unexpected diagnostics to `out`;
    // returns true when everything matched.
    bool finish(std::ostream& out);

private:
    struct Expected {
        Severity severity;
        uint32_t line;
        std::string text;
        bool met = false;
    };
    const SourceManager& sources_;
    uint32_t file_;
    std::vector<Expected> expected_;
    std::vector<Diagnostic> seen_;   // flattened: notes are separate entries
};

}  // namespace nnc
