// Captures: what a trace in progress reads from scopes it did not create.
// A tensor read from outside — a global, a variable of an enclosing fn, the
// weights of a top-level model — becomes an input of the trace, as an
// argument would: its leaves are new parameters of the traced function and
// the trace sees a shadow copy (models and lists included, which the trace
// may then update like a model it was given). The caller passes the current
// values at every call, so a compiled fn never computes with stale weights,
// and an inner trace (grad of a closure) takes the enclosing trace's values
// as inputs instead of referring to another function's IR. Everything else
// read from outside (numbers, strings, fns) is folded in and guarded.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/source.h"
#include "interp/flatten.h"
#include "interp/guards.h"
#include "interp/scope.h"
#include "interp/value.h"
#include "ir/function.h"

namespace nnc {

// What a trace does with tensors it reads from outside.
enum class OuterTensors {
    Inputs,   // they become parameters (compiled calls, grad and friends)
    Fold,     // they become constants (`nnc compile`: a library starts from them)
};

struct Capture {
    Guard where;                        // where it was read (and its guard)
    Value outer;                        // the value read: what the caller passes
    Value shadow;                       // the trace's view, its leaves the parameters
    std::vector<ir::Value*> params;
    std::string structure;              // structure_key(shadow) when captured
};

// Reads should not turn a whole dataset into parameters.
inline constexpr size_t kMaxCapturedLeaves = 4096;

// One trace in progress.
struct TraceFrame {
    int root_epoch;                     // scopes and models older than this are outside it
    const Scope* closure;               // the traced fn's closure (null for other callables)
    ir::Function* function;
    OuterTensors outer_tensors;
    std::vector<Guard>* guards;         // where its guards go (null: not kept)
    std::vector<Value> roots;           // its receiver, arguments and captures (shadow copies)
    std::vector<Capture> captures;      // in parameter order, after the arguments' leaves
    CopyMemo copies;                    // the shadow copy of each object it reached, so shadows alias as the originals

    // The trace's view of `value`, read as `name` from `owner` (a scope
    // outside the trace) at `where`. Throws TraceFailure.
    Value read(Scope& owner, const std::string& name, const Value& value, SourceRange where);

    // The tensor fields of its first `count` roots' models (and lists),
    // which the trace may assign: loops carry them, branches yield them.
    std::vector<Value*> root_field_slots(size_t count = SIZE_MAX);

    // The tensor slots of the captures from number `first` on, each with
    // the parameter it started as: a loop or branch that captured them
    // restores or yields them like its own variables.
    std::vector<std::pair<Value*, Value>> capture_slots(size_t first);
};

}  // namespace nnc
