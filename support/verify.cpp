// Matching diagnostics against `# expected-error {{...}}` comments.
#include "support/verify.h"

#include <algorithm>
#include <regex>

namespace nnc {

DiagnosticVerifier::DiagnosticVerifier(const SourceManager& sources, uint32_t file) : sources_(sources), file_(file) {
    static const std::regex pattern(R"(expected-(error|warning|note)(@([+-]?)(\d+))?\s*\{\{(.*?)\}\})");
    const std::string& text = sources.text(file);
    uint32_t line = 1;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string line_text = text.substr(start, end - start);
        size_t comment = std::min(line_text.find('#'), line_text.find("//"));   // .nn and IR comments
        if (comment != std::string::npos) {
            std::string c = line_text.substr(comment);
            for (std::sregex_iterator it(c.begin(), c.end(), pattern), last; it != last; ++it) {
                const std::smatch& m = *it;
                Severity sev = m[1] == "error" ? Severity::Error : m[1] == "warning" ? Severity::Warning : Severity::Note;
                uint32_t target = line;
                if (m[2].matched) {
                    long n = std::stol(m[4]);
                    if (m[3] == "+") target = line + n;
                    else if (m[3] == "-") target = n < line ? line - n : 0;
                    else target = static_cast<uint32_t>(n);
                }
                expected_.push_back({sev, target, m[5], false});
            }
        }
        start = end + 1;
        ++line;
    }
}

void DiagnosticVerifier::consume(const Diagnostic& d) {
    Diagnostic flat = d;
    flat.notes.clear();
    seen_.push_back(flat);
    for (const Diagnostic& n : d.notes) consume(n);
}

bool DiagnosticVerifier::finish(std::ostream& out) {
    bool ok = true;
    for (const Diagnostic& d : seen_) {
        bool matched = false;
        for (Expected& e : expected_) {
            if (e.met || e.severity != d.severity || d.range.begin.file != file_ || d.range.begin.line != e.line) continue;
            if (d.message.find(e.text) == std::string::npos) continue;
            e.met = matched = true;
            break;
        }
        if (!matched) {
            ok = false;
            out << (d.range.valid() ? sources_.name(d.range.begin.file) + ":" + std::to_string(d.range.begin.line) : "?")
                << ": unexpected " << severity_name(d.severity) << ": " << d.message << "\n";
        }
    }
    for (const Expected& e : expected_) {
        if (e.met) continue;
        ok = false;
        out << sources_.name(file_) << ":" << e.line << ": expected " << severity_name(e.severity) << " not produced: {{"
            << e.text << "}}\n";
    }
    return ok;
}

}  // namespace nnc
