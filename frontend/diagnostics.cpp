// DiagnosticEngine: renders diagnostics clang-style (location, severity,
// message, the quoted source line and a caret under the range) and counts
// errors.
#include "frontend/diagnostics.h"

#include <algorithm>

namespace nnc {

namespace {

// ANSI colours used when the output is a terminal.
const char* severity_color(Severity s) {
    switch (s) {
    case Severity::Error: return "\033[1;31m";
    case Severity::Warning: return "\033[1;35m";
    case Severity::Note: return "\033[1;36m";
    }
    return "";
}
constexpr const char* kBold = "\033[1m";
constexpr const char* kCaretColor = "\033[1;32m";
constexpr const char* kReset = "\033[0m";

// The line under `line` that marks the range: `^` at its first column and
// `~` under the rest of it on the same line. Tabs are copied so the marker
// lines up with the quoted text.
std::string caret_line(std::string_view line, const SourceRange& range) {
    uint32_t first = range.begin.col;   // 1-based
    uint32_t last = first;              // 1-based, inclusive
    if (range.end.line == range.begin.line && range.end.col > first + 1)
        last = range.end.col - 1;
    else if (range.end.line > range.begin.line)
        last = std::max<uint32_t>(first, static_cast<uint32_t>(line.size()));
    std::string marker;
    for (uint32_t col = 1; col < first; ++col)
        marker += col <= line.size() && line[col - 1] == '\t' ? '\t' : ' ';
    marker += '^';
    marker.append(last - first, '~');
    return marker;
}

}  // namespace

const char* severity_name(Severity s) {
    switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
    }
    return "error";
}

void DiagnosticEngine::report(const Diagnostic& d) {
    if (d.severity == Severity::Error) ++errors_;
    if (consumer_) consumer_(d);
    else print_one(d);
}

void DiagnosticEngine::print_one(const Diagnostic& d) {
    if (color_) out_ << kBold;
    if (d.range.valid())
        out_ << sources_.name(d.range.begin.file) << ':' << d.range.begin.line << ':' << d.range.begin.col << ": ";
    if (color_) out_ << severity_color(d.severity);
    out_ << severity_name(d.severity) << ": ";
    if (color_) out_ << kReset << kBold;
    out_ << d.message;
    if (color_) out_ << kReset;
    out_ << '\n';
    if (d.range.valid()) {
        std::string_view line = sources_.line_text(d.range.begin.file, d.range.begin.line);
        out_ << line << '\n';
        if (color_) out_ << kCaretColor;
        out_ << caret_line(line, d.range);
        if (color_) out_ << kReset;
        out_ << '\n';
    }
    for (const Diagnostic& note : d.notes) print_one(note);
}

}  // namespace nnc
