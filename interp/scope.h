// Scope: one level of name bindings (a block, a function body, a module).
// Lookup walks outwards through parents. A method's scope also sees the
// fields of its model instance (`self`), so `w` inside a method means the
// model's field `w` unless a local shadows it.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>

#include "interp/value.h"

namespace nnc {

struct ModelInstance;

class Scope : public std::enable_shared_from_this<Scope> {
public:
    explicit Scope(std::shared_ptr<Scope> parent = nullptr, std::shared_ptr<ModelInstance> self = nullptr)
        : parent_(std::move(parent)), self_(std::move(self)), epoch_(parent_ ? parent_->epoch_ : 0) {}

    // Binds in this scope (shadowing outer bindings).
    void define(const std::string& name, Value v) { vars_[name] = std::move(v); }
    // Finds a binding here or outside; null when the name is unbound.
    Value* lookup(const std::string& name);
    bool defined_here(const std::string& name) const { return vars_.count(name) != 0; }

    const std::unordered_map<std::string, Value>& vars() const { return vars_; }
    std::unordered_map<std::string, Value>& mutable_vars() { return vars_; }
    const std::shared_ptr<Scope>& parent() const { return parent_; }
    ModelInstance* self() const { return self_.get(); }
    // The scope holding `name` (this one or an outer one), or null.
    Scope* owner_of(const std::string& name);

    // Called as the evaluator leaves a block whose scope it holds in
    // `handle`: a fn defined in the block closes over the scope, a cycle
    // (scope -> fn -> scope) that reference counting never frees. When
    // nothing but such fns holds the scope, and nothing but the scope holds
    // them, they are dropped so that the scope is freed with the handle.
    static void release(std::shared_ptr<Scope>& handle);

    // Which trace created this scope (0: none). Tracing may only rebind
    // names of scopes it created; block scopes inherit their parent's.
    int epoch() const { return epoch_; }
    void set_epoch(int e) { epoch_ = e; }

private:
    std::unordered_map<std::string, Value> vars_;
    std::shared_ptr<Scope> parent_;
    std::shared_ptr<ModelInstance> self_;
    int epoch_;
};

}  // namespace nnc
