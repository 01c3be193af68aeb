// CSV splitting and number parsing (see csv.h).
#include "runtime/io/csv.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace nnc {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string quoted(std::string_view s) { return "`" + std::string(s) + "`"; }

// A quoted field's text with each "" turned back into ".
std::string unescape(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        out.push_back(s[i]);
        if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') ++i;
    }
    return out;
}

// The fields of one line (line number `line`, without its line end).
std::vector<CsvField> split_line(std::string_view s, int64_t line) {
    std::vector<CsvField> fields;
    size_t i = 0;
    for (;;) {
        while (i < s.size() && is_space(s[i])) ++i;
        const int64_t column = int64_t(i) + 1;
        std::string_view text;
        if (i < s.size() && s[i] == '"') {
            size_t j = i + 1;
            while (j < s.size() && !(s[j] == '"' && (j + 1 == s.size() || s[j + 1] != '"'))) j += s[j] == '"' ? 2 : 1;
            if (j >= s.size()) throw CsvError(line, column, "unterminated quoted field");
            text = s.substr(i + 1, j - i - 1);
            i = j + 1;
            while (i < s.size() && is_space(s[i])) ++i;
            if (i < s.size() && s[i] != ',') throw CsvError(line, int64_t(i) + 1, "unexpected text after a quoted field");
        } else {
            size_t j = s.find(',', i);
            if (j == std::string_view::npos) j = s.size();
            text = s.substr(i, j - i);
            while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
            i = j;
        }
        fields.push_back({text, line, column});
        if (i >= s.size()) return fields;
        ++i;   // the comma
    }
}

bool is_number(std::string_view s) {
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    double d;
    auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    return !s.empty() && r.ptr == s.data() + s.size() && r.ec != std::errc::invalid_argument;
}

}  // namespace

CsvTable split_csv(std::string_view text, std::optional<bool> header) {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    CsvTable table;
    int64_t line = 0, first_line = 0;
    bool seen_first = false;
    size_t pos = 0;
    while (pos < text.size()) {
        ++line;
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        std::string_view s = text.substr(pos, end - pos);
        pos = end + 1;
        if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
        if (s.find_first_not_of(" \t") == std::string_view::npos) continue;
        std::vector<CsvField> fields = split_line(s, line);
        if (!seen_first) {
            seen_first = true;
            first_line = line;
            table.columns = int64_t(fields.size());
            bool is_header = header.value_or(false);
            if (!header)
                for (const CsvField& f : fields) is_header = is_header || !is_number(f.text);
            if (is_header) {
                for (const CsvField& f : fields) table.header.push_back(unescape(f.text));
                continue;
            }
        } else if (int64_t(fields.size()) != table.columns) {
            throw CsvError(line, 0, "this row has " + std::to_string(fields.size()) + " fields, but the first row (line " +
                                        std::to_string(first_line) + ") has " + std::to_string(table.columns));
        }
        table.fields.insert(table.fields.end(), fields.begin(), fields.end());
    }
    if (!seen_first) throw CsvError(0, 0, "the file has no rows");
    if (table.fields.empty()) throw CsvError(0, 0, "the file has a header line but no data rows");
    return table;
}

float csv_float(const CsvField& f) {
    std::string_view s = f.text;
    if (s.empty()) throw CsvError(f.line, f.column, "empty field, expected a number");
    if (s[0] == '+') s.remove_prefix(1);
    float v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc::result_out_of_range) {   // f32 overflow or underflow: decide from the double
        double d = 0;
        r = std::from_chars(s.data(), s.data() + s.size(), d);
        if (r.ec == std::errc() && std::fabs(d) > std::numeric_limits<float>::max())
            throw CsvError(f.line, f.column, quoted(f.text) + " is outside the f32 range");
        v = float(d);
    }
    if (r.ec != std::errc() || r.ptr != s.data() + s.size() || s.empty())
        throw CsvError(f.line, f.column, quoted(f.text) + " is not a number");
    return v;
}

int64_t csv_integer(const CsvField& f) {
    std::string_view s = f.text;
    if (s.empty()) throw CsvError(f.line, f.column, "empty field, expected an integer");
    if (s[0] == '+') s.remove_prefix(1);
    int64_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec == std::errc() && r.ptr == s.data() + s.size()) return v;
    double d = 0;
    auto rd = std::from_chars(s.data(), s.data() + s.size(), d);
    if (rd.ec == std::errc() && rd.ptr == s.data() + s.size() && std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9.2e18)
        return int64_t(d);
    throw CsvError(f.line, f.column, quoted(f.text) + " is not an integer");
}

}  // namespace nnc
