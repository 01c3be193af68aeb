// Binding symbolic dimensions to argument sizes (see symbol_binding.h).
#include "core/symbol_binding.h"

namespace nnc {

const int64_t* SymbolBinding::find(const std::string& name) const {
    for (const auto& [symbol, size] : bound_)
        if (symbol == name) return &size;
    return nullptr;
}

bool SymbolBinding::bind(const TensorType& type, DType dtype, std::span<const int64_t> shape) {
    bool ok = dtype == type.dtype && static_cast<int64_t>(shape.size()) == type.rank();
    for (size_t d = 0; d < shape.size() && d < type.dims.size(); ++d) {
        const Dim& dim = type.dims[d];
        if (dim.is_known()) ok = ok && dim.value() == shape[d];
        if (!dim.is_symbol()) continue;
        if (const int64_t* size = find(dim.name())) ok = ok && *size == shape[d];
        else bound_.emplace_back(dim.name(), shape[d]);
    }
    return ok;
}

std::string SymbolBinding::describe(const TensorType& type) const {
    std::string with;
    for (const auto& [symbol, size] : bound_) {
        bool used = false;
        for (const Dim& dim : type.dims) used = used || dim.name() == symbol;
        if (used) with += (with.empty() ? " with " : ", ") + symbol + " = " + std::to_string(size);
    }
    return with;
}

}  // namespace nnc
