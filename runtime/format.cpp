// NumPy-style printing of tensors. A dimension longer than 6 shows its first
// and last 3 entries around `...`; a tensor that does not fit on one line
// puts each row (and each block of rows) on its own line, indented one space
// per nesting level, with a blank line between blocks of rank 2 or more.
#include "runtime/format.h"

#include <cmath>
#include <cstdio>

#include "runtime/element.h"
#include "runtime/strided.h"

namespace nnc {

namespace {

constexpr int64_t kEdgeItems = 3;     // entries kept at each end of a long dimension
constexpr int64_t kMaxFullDim = 6;    // longer dimensions are summarised
constexpr size_t kLineWidth = 75;

std::string format_element(const Tensor& t, int64_t i) {
    if (is_integral(t.dtype())) return std::to_string(t.get_int(i));
    return format_number(t.get(i), t.dtype());
}

// The indices of dimension `n` that are printed; -1 stands for the `...`.
std::vector<int64_t> shown_indices(int64_t n) {
    std::vector<int64_t> shown;
    if (n <= kMaxFullDim) {
        for (int64_t i = 0; i < n; ++i) shown.push_back(i);
        return shown;
    }
    for (int64_t i = 0; i < kEdgeItems; ++i) shown.push_back(i);
    shown.push_back(-1);
    for (int64_t i = n - kEdgeItems; i < n; ++i) shown.push_back(i);
    return shown;
}

struct Printer {
    const Tensor& t;
    std::vector<int64_t> strides;
    bool multiline;

    // The sub-tensor at `dim` starting at flat element `offset`.
    std::string render(size_t dim, int64_t offset) const {
        const auto rank = static_cast<size_t>(t.rank());
        std::string separator = ", ";
        if (multiline && dim + 1 < rank) {   // rows: one newline per level below, indented to the bracket
            separator = ",";
            separator.append(rank - dim - 1, '\n');
            separator.append(dim + 1, ' ');
        }
        std::string s = "[";
        bool first = true;
        for (int64_t i : shown_indices(t.dim(static_cast<int64_t>(dim)))) {
            if (!first) s += separator;
            first = false;
            if (i < 0) s += "...";
            else if (dim + 1 == rank) s += format_element(t, offset + i * strides[dim]);
            else s += render(dim + 1, offset + i * strides[dim]);
        }
        return s + "]";
    }
};

}  // namespace

std::string format_number(double v, DType dtype) {
    if (dtype == DType::Bool) return v != 0 ? "true" : "false";
    if (std::isnan(v)) return "nan";
    if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
    char buf[32];
    if (is_integral(dtype)) std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(saturate_to_int<int64_t>(v)));
    else std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

std::string format_tensor(const Tensor& t) {
    if (t.rank() == 0) return format_element(t, 0);
    Printer printer{t, contiguous_strides(t.shape()), false};
    std::string values = printer.render(0, 0);
    if (t.rank() >= 2 && values.size() > kLineWidth) {
        printer.multiline = true;
        values = printer.render(0, 0);
    }
    return values + " : " + t.type().str();
}

}  // namespace nnc
