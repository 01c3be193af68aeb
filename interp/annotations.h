// AnnotationMatcher: checks values against type annotations (`x: f32[B, N]`,
// `k: int`, `m: Lin`, `o: optim.Adam`), unifying symbolic dimensions across
// one signature. The first argument that uses a symbol binds it; later uses
// must agree, and a mismatch names both shapes and where the symbol was bound.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "frontend/ast.h"
#include "support/diagnostics.h"
#include "interp/scope.h"
#include "interp/value.h"

namespace nnc {

class AnnotationMatcher {
public:
    // `scope` resolves named types and dimension names bound to ints
    // (`f32[B, fan_in]` inside a model whose constructor took `fan_in`).
    explicit AnnotationMatcher(std::shared_ptr<Scope> scope) : scope_(std::move(scope)) {}

    // Checks `v` against `type`; returns it converted where the annotation
    // asks (an int given for `float`, a number for a rank-0 tensor).
    // `what` describes the value in messages: "argument `x` of `f`".
    Value match(const ast::TypeExpr& type, const Value& v, SourceRange where, const std::string& what);

    // The abstract value an annotation describes, with symbolic dimensions
    // (used to check a fn body without a call). Unknown for host types.
    Value abstract_value(const ast::TypeExpr& type);

    // Defines each dimension symbol bound so far as an int in `scope`
    // (`B` inside `fn f(x: f32[B, 3])`), unless a name is already there.
    // `size_of(x, axis)` gives a symbolic dimension's value from the
    // argument that bound it.
    using SizeOf = std::function<Value(const Value& tensor, int64_t axis)>;
    void define_dimensions(Scope& scope, const SizeOf& size_of) const;

    // The annotation with bound symbols substituted: "f32[B, 10] with B = 32".
    std::string describe(const ast::TypeExpr& type) const;

private:
    struct Binding {
        Dim dim;
        SourceRange where;
        std::string what;
        Value tensor;        // the argument that bound it, and the dim
        int64_t axis = 0;
    };
    Value match_tensor(const ast::TypeExpr& type, const Value& v, SourceRange where, const std::string& what);
    std::optional<Dim> resolve_name(const std::string& name) const;   // a dimension name bound to an int
    std::shared_ptr<Scope> scope_;
    std::map<std::string, Binding> bindings_;
};

std::string type_expr_str(const ast::TypeExpr& t);   // "f32[B, 784]", "optim.Adam"

}  // namespace nnc
