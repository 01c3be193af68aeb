// Data-loading builtins, the primitives the `data` module is written with:
//   read_idx(path)              an IDX file (gzip-compressed or plain) as a tensor
//   read_csv(path, label_column = none, header = none)
//                               a CSV file of numbers as f32 features (and i32 labels)
//   permutation(n, seed = none) a random permutation of 0..n-1 (i32)
//   file_exists(path)           whether a regular file can be opened for reading
//
// The formats are read by runtime/io/ (idx.h, csv.h). While checking
// (abstract mode) read_idx reads only the header and read_csv nothing.
#include <unistd.h>

#include <vector>

#include "interp/builtins/builtins.h"
#include "interp/interpreter.h"
#include "interp/objects.h"
#include "runtime/io/csv.h"
#include "runtime/io/files.h"
#include "runtime/io/idx.h"
#include "runtime/tensor.h"

namespace nnc {

namespace {

Value read_idx_builtin(BuiltinArgs& a) {
    try {
        return Value(read_idx(a.str("path"), /*header_only=*/false).data);
    } catch (const IdxError& e) {
        a.fail("path", e.message);
    }
}

// Checking reads the header: the result's type, and a corrupt header's error.
Value check_read_idx(BuiltinArgs& a) {
    if (a.value("path").is_unknown()) throw UnknownArgument{};
    try {
        IdxFile file = read_idx(a.str("path"), /*header_only=*/true);
        return Value(AbstractTensor{TensorType::of(file.dtype, file.shape)});
    } catch (const IdxError& e) {
        if (e.unreadable) throw UnknownArgument{};   // the file may exist when the program runs
        a.fail("path", e.message);
    }
}

// read_csv: every column but `label_column` becomes an f32 feature column
// (f32[rows, columns]); with a label column (an index, negative from the
// end, or a header name) the result is (features, labels: i32[rows]).
Value read_csv_builtin(BuiltinArgs& a) {
    const std::string path = a.str("path");
    std::optional<bool> header;
    if (!a.is_none("header")) header = a.boolean("header");
    const Value& label = a.value("label_column");
    if (!label.is_none() && !label.is<int64_t>() && !label.is<std::string>())
        a.fail("label_column", "expected a column index (int) or name (str), got " + type_name(label));
    std::string text, error;
    if (!read_whole_file(path, text, error)) a.fail("path", error);
    // "data.csv:3:7: message", or "data.csv: message" for the whole file.
    auto located = [&](const CsvError& e) {
        std::string at = path;
        if (e.line) at += ":" + std::to_string(e.line) + (e.column ? ":" + std::to_string(e.column) : "");
        return at + ": " + e.what();
    };
    CsvTable table;
    try {
        table = split_csv(text, header);
    } catch (const CsvError& e) {
        a.fail("path", located(e));
    }
    const int64_t columns = table.columns, rows = table.rows();
    auto column_name = [&](int64_t c) {
        return "column " + std::to_string(c + 1) + (table.header.empty() ? "" : ", `" + table.header[size_t(c)] + "`");
    };
    std::optional<int64_t> label_index;
    if (label.is<int64_t>()) {
        int64_t k = label.as<int64_t>();
        if (k < -columns || k >= columns)
            a.fail("label_column", "column " + std::to_string(k) + " is out of range: `" + path + "` has " + std::to_string(columns) +
                                       " columns");
        label_index = k < 0 ? k + columns : k;
    } else if (label.is<std::string>()) {
        const std::string& name = label.as<std::string>();
        if (table.header.empty())
            a.fail("label_column", "`" + path + "` has no header line to find column `" + name + "` in; pass the column's index");
        for (size_t c = 0; c < table.header.size(); ++c)
            if (table.header[c] == name) label_index = int64_t(c);
        if (!label_index) {
            std::string names;
            for (const std::string& h : table.header) names += (names.empty() ? "`" : ", `") + h + "`";
            a.fail("label_column", "`" + path + "` has no column `" + name + "` (its columns: " + names + ")");
        }
    }
    if (label_index && columns == 1) a.fail("label_column", "the label column is the only column of `" + path + "`");
    const int64_t features = columns - (label_index ? 1 : 0);
    Tensor x = Tensor::empty(DType::F32, {rows, features});
    Tensor y = Tensor::empty(DType::I32, {label_index ? rows : 0});
    float* xp = x.data<float>();
    int32_t* yp = y.data<int32_t>();
    int64_t c = 0;
    try {
        for (int64_t r = 0; r < rows; ++r) {
            for (c = 0; c < columns; ++c) {
                const CsvField& f = table.fields[size_t(r * columns + c)];
                if (c == label_index) {
                    int64_t v = csv_integer(f);
                    if (v < INT32_MIN || v > INT32_MAX) throw CsvError(f.line, f.column, "the label " + std::to_string(v) + " is outside the i32 range");
                    yp[r] = int32_t(v);
                } else {
                    *xp++ = csv_float(f);
                }
            }
        }
    } catch (const CsvError& e) {
        a.fail("path", located(e) + " (" + column_name(c) + ")");
    }
    if (!label_index) return Value(x);
    return make_tuple({Value(x), Value(y)});
}

// SplitMix64: a small, well-mixed generator; the permutation depends only on
// the seed and n.
struct SplitMix64 {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform in [0, bound), without modulo bias (Lemire's method).
    uint64_t below(uint64_t bound) {
        __uint128_t m = __uint128_t(next()) * bound;
        uint64_t low = uint64_t(m);
        if (low < bound) {
            uint64_t threshold = -bound % bound;
            while (low < threshold) {
                m = __uint128_t(next()) * bound;
                low = uint64_t(m);
            }
        }
        return uint64_t(m >> 64);
    }
};

Value permutation_builtin(BuiltinArgs& a) {
    Interpreter& in = a.interp();
    if (in.mode() == Interpreter::Mode::Trace)
        throw TraceFailure{a.call_range(), "`permutation` is computed on the host at every call"};
    int64_t n = a.integer("n");
    if (n < 0) a.fail("n", "the size must be non-negative, got " + std::to_string(n));
    if (n > INT32_MAX) a.fail("n", "the size must fit an i32 index, got " + std::to_string(n));
    int64_t seed = a.is_none("seed") ? static_cast<int64_t>(in.next_host_seed(a.call_range())) : a.integer("seed");
    if (in.mode() != Interpreter::Mode::Eager) return Value(AbstractTensor{TensorType::of(DType::I32, {n})});
    Tensor t;
    try {
        t = Tensor::empty(DType::I32, {n});
    } catch (const RuntimeError& e) {
        a.fail("n", e.what());
    }
    int32_t* p = t.data<int32_t>();
    for (int64_t i = 0; i < n; ++i) p[i] = static_cast<int32_t>(i);
    SplitMix64 rng{static_cast<uint64_t>(seed) * 0xD1B54A32D192ED03ull + 0x5851F42D4C957F2Dull};
    for (int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[rng.below(uint64_t(i) + 1)]);
    return Value(t);
}

// While checking, a missing file is not an error yet (it may exist when the
// program runs): the answer is then unknown.
Value file_exists_builtin(BuiltinArgs& a) {
    const std::string path = a.str("path");
    return Value(is_regular_file(path) && ::access(path.c_str(), R_OK) == 0);
}

Value check_file_exists(BuiltinArgs& a) {
    if (a.value("path").is_unknown()) throw UnknownArgument{};
    if (!file_exists_builtin(a).as<bool>()) throw UnknownArgument{};
    return Value(true);
}

const BuiltinSpec kDataBuiltins[] = {
    {"read_idx", "path", read_idx_builtin, Effect::ReadsFiles, check_read_idx},
    {"read_csv", "path, label_column = none, header = none", read_csv_builtin, Effect::ReadsFiles},
    {"permutation", "n, seed = none", permutation_builtin, Effect::Random},
    {"file_exists", "path", file_exists_builtin, Effect::ReadsFiles, check_file_exists},
};

}  // namespace

std::span<const BuiltinSpec> data_builtins() { return kDataBuiltins; }

}  // namespace nnc
