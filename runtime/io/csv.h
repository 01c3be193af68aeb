// CSV text split into fields, and fields read as numbers. Fields are
// separated by commas; a field may be quoted ("a, b", with "" for a quote)
// but not span lines. Blank lines are skipped, CRLF line ends and a UTF-8
// byte-order mark are accepted. Every problem is a CsvError at the line and
// column where it was found.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nnc {

struct CsvError : std::runtime_error {
    CsvError(int64_t l, int64_t c, const std::string& message) : std::runtime_error(message), line(l), column(c) {}
    int64_t line, column;   // 1-based; column 0 when the problem is the whole line
};

struct CsvField {
    std::string_view text;   // without surrounding spaces and quotes
    int64_t line, column;    // where the field starts
};

struct CsvTable {
    std::vector<std::string> header;   // column names; empty when the text has no header line
    int64_t columns = 0;
    std::vector<CsvField> fields;      // the data rows, row-major: rows() x columns
    int64_t rows() const { return columns ? int64_t(fields.size()) / columns : 0; }
};

// Splits `text` (which must outlive the table) into a header and data rows,
// all with the first row's number of fields. `header`: whether the first
// row is a header; nullopt detects it (a header when any of its fields is
// not a number). Throws CsvError for ragged rows, unterminated quotes, or
// text without data rows.
CsvTable split_csv(std::string_view text, std::optional<bool> header);

// A field as an f32 (decimal, exponent, inf or nan) or as an integer (an
// integral decimal like `3` or `3.0`). Throw CsvError at the field.
float csv_float(const CsvField& f);
int64_t csv_integer(const CsvField& f);

}  // namespace nnc
