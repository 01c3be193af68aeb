// Scope lookup: own bindings, then the method receiver's fields, then parents.
#include "interp/scope.h"

#include "interp/objects.h"

namespace nnc {

Value* Scope::lookup(const std::string& name) {
    for (Scope* s = this; s; s = s->parent_.get()) {
        if (auto it = s->vars_.find(name); it != s->vars_.end()) return &it->second;
        if (s->self_)
            if (auto* f = s->self_->find(name)) return &f->value;
    }
    return nullptr;
}

Scope* Scope::owner_of(const std::string& name) {
    for (Scope* s = this; s; s = s->parent_.get()) {
        if (s->vars_.count(name)) return s;
        if (s->self_ && s->self_->find(name)) return s;
    }
    return nullptr;
}

}  // namespace nnc
