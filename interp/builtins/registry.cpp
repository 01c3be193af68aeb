// The registry: every family's table defined as builtins in the global
// scope, with the dtype names and `none`; and the words for what an effect
// does at every call of a traced fn.
#include "interp/builtins/builtins.h"
#include "interp/objects.h"
#include "interp/scope.h"

namespace nnc {

const char* effect_at_every_call(Effect effect) {
    switch (effect) {
    case Effect::ReadsFiles: return "reads a file";
    case Effect::WritesFiles: return "writes a file";
    case Effect::Prints: return "prints";
    case Effect::Pure: case Effect::Random: break;
    }
    return "runs";
}

void define_builtins(Scope& scope) {
    for (auto table : {creation_builtins(), math_builtins(), functional_builtins(), shape_builtins(), nn_builtins(), host_builtins(), model_builtins(), grad_builtins(),
                       data_builtins(), io_builtins(), numpy_builtins(), progress_builtins()})
        for (const BuiltinSpec& b : table)
            scope.define(b.name, make_object<BuiltinObject>(b.name, b.signature, b.impl, b.effect, b.check));
    for (DType t : {DType::Bool, DType::I8, DType::I32, DType::I64, DType::F16, DType::BF16, DType::F32, DType::F64})
        scope.define(std::string(dtype_name(t)), Value(t));
    // `none` is a name, not a keyword: `sum(x, axis = none)`, `f(seed = none)`.
    scope.define("none", Value());
}

}  // namespace nnc
