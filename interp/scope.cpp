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

void Scope::release(std::shared_ptr<Scope>& handle) {
    std::vector<std::string> own_fns;
    for (const auto& [name, v] : handle->vars_) {
        const auto* fn = v.object<FunctionObject>();
        if (fn && fn->closure == handle && v.as<std::shared_ptr<Object>>().use_count() == 1) own_fns.push_back(name);
    }
    if (!own_fns.empty() && handle.use_count() == 1 + static_cast<long>(own_fns.size()))
        for (const std::string& name : own_fns) handle->vars_.erase(name);
    handle.reset();
}

Scope* Scope::owner_of(const std::string& name) {
    for (Scope* s = this; s; s = s->parent_.get()) {
        if (s->vars_.count(name)) return s;
        if (s->self_ && s->self_->find(name)) return s;
    }
    return nullptr;
}

}  // namespace nnc
