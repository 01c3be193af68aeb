// The run's random state: where rand, randn and dropout called without
// `seed =` take their seeds. It is the next seed, an i64 scalar held in a
// list in a scope of its own (started from `--seed`); each draw takes the
// seed and advances the state by one. A trace reads the state as it reads a
// global model (captures.h): the list's tensor becomes an input of the
// traced fn, the draws take seeds from it in the IR, and the advanced state
// is a result written back after each call. So a compiled fn draws exactly
// the numbers the same calls draw op by op, loops and branches included
// (the state is carried and yielded like the fn's variables), and a new call
// draws new ones, as JAX threads its keys, without retracing.
#include "interp/interpreter.h"

namespace nnc {

namespace {

constexpr const char* kStateName = "random state";

Value initial_state(uint64_t seed) {
    Tensor next = Tensor::empty(DType::I64, {});
    next.set_int(0, static_cast<int64_t>(seed * 0x9E3779B97F4A7C15ull + 1));
    return make_list({Value(std::move(next))});
}

}  // namespace

void Interpreter::init_random_state() {
    random_scope_ = std::make_shared<Scope>();
    random_scope_->define(kStateName, initial_state(options_.seed));
}

Value Interpreter::next_seed(SourceRange where) {
    Value& state = *random_scope_->lookup(kStateName);
    if (mode_ != Mode::Trace) {
        Value& next = state.object<ListObject>()->elements[0];
        const int64_t seed = next.as<Tensor>().get_int(0);
        if (mode_ == Mode::Abstract) return Value(seed);   // checking draws nothing
        Tensor advanced = Tensor::empty(DType::I64, {});
        advanced.set_int(0, static_cast<int64_t>(static_cast<uint64_t>(seed) + 1));   // wraps, as i64 arithmetic does
        next = Value(std::move(advanced));
        return Value(seed);
    }
    Value view = read_outer(*random_scope_, kStateName, state, where);
    Value& next = view.object<ListObject>()->elements[0];
    if (!next.is<AbstractTensor>())   // `nnc compile` folds what a fn reads: a library would repeat its numbers
        throw TraceFailure{where, "a random op without `seed =` in a compiled library would draw the same numbers at every "
                                  "call; pass a seed"};
    Value seed = next;
    next = elementwise(OpKind::Add, next, Value(int64_t{1}), where);
    return seed;
}

uint64_t Interpreter::next_host_seed(SourceRange where) {
    if (mode_ == Mode::Trace) throw TraceFailure{where, "a host computation takes its seed from the random state"};
    return static_cast<uint64_t>(next_seed(where).as<int64_t>());
}

}  // namespace nnc
