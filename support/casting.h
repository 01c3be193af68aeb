// LLVM-style isa / cast / dyn_cast for class hierarchies that carry a kind
// enum and a static `classof`. Used by the AST.
#pragma once

#include "support/error.h"

namespace nnc {

template <class To, class From> bool isa(const From* p) { return p && To::classof(p); }

template <class To, class From> To* cast(From* p) {
    NNC_CHECK(isa<To>(p), "cast to the wrong node kind");
    return static_cast<To*>(p);
}
template <class To, class From> const To* cast(const From* p) {
    NNC_CHECK(isa<To>(p), "cast to the wrong node kind");
    return static_cast<const To*>(p);
}

template <class To, class From> To* dyn_cast(From* p) { return isa<To>(p) ? static_cast<To*>(p) : nullptr; }
template <class To, class From> const To* dyn_cast(const From* p) {
    return isa<To>(p) ? static_cast<const To*>(p) : nullptr;
}

}  // namespace nnc
