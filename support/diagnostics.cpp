// DiagnosticEngine: renders diagnostics clang-style (location, severity,
// message, the quoted source line, or a window of a long one, and a caret
// under the range) and counts errors.
#include "support/diagnostics.h"

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

// Source lines longer than this are quoted in part: a window of this many
// bytes around the caret, "..." marking what is left out on either side.
constexpr size_t kQuotedWidth = 200;

bool utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

// A source line as quoted under a diagnostic, with the line under it that
// marks the range: `^` at its first column and `~` under the rest of it on
// the same line. Tabs are copied so the marker lines up with the text.
struct QuotedLine {
    std::string text, marker;
};

QuotedLine quote_line(std::string_view line, const SourceRange& range) {
    size_t first = range.begin.col;   // 1-based
    size_t last = first;              // 1-based, inclusive
    if (range.end.line == range.begin.line && range.end.col > first + 1)
        last = range.end.col - 1;
    else if (range.end.line > range.begin.line)
        last = std::max(first, line.size());
    size_t begin = 0, end = line.size();   // the bytes of `line` quoted
    if (line.size() > kQuotedWidth) {
        begin = std::min(first - 1 > kQuotedWidth / 2 ? first - 1 - kQuotedWidth / 2 : 0, line.size() - kQuotedWidth);
        end = begin + kQuotedWidth;
        while (begin > 0 && utf8_continuation(line[begin])) --begin;
        while (end < line.size() && utf8_continuation(line[end])) ++end;
    }
    QuotedLine q;
    const std::string cut = begin > 0 ? "..." : "";
    q.text = cut + std::string(line.substr(begin, end - begin)) + (end < line.size() ? "..." : "");
    q.marker = std::string(cut.size(), ' ');
    for (size_t col = begin + 1; col < first; ++col) q.marker += col <= line.size() && line[col - 1] == '\t' ? '\t' : ' ';
    q.marker += '^';
    q.marker.append(std::min(last, std::max(end, first)) - first, '~');
    return q;
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
        const QuotedLine quoted = quote_line(sources_.line_text(d.range.begin.file, d.range.begin.line), d.range);
        out_ << quoted.text << '\n';
        if (color_) out_ << kCaretColor;
        out_ << quoted.marker;
        if (color_) out_ << kReset;
        out_ << '\n';
    }
    for (const Diagnostic& note : d.notes) print_one(note);
}

}  // namespace nnc
