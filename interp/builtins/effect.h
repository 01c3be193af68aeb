// What a builtin does besides computing its result, which decides how each
// mode of the evaluator runs it (Interpreter::call_builtin) instead of a
// check of the mode in every builtin:
//
//   Pure         runs in every mode: on concrete tensors, on abstract ones
//                while checking, on IR values while tracing.
//   Random       draws from the run's random state (random_state.cpp): it
//                runs in every mode, and a trace takes the state as an input.
//   ReadsFiles   runs eagerly. Tracing: the fn runs eagerly instead (it would
//                read the file at every call). Checking: the builtin's check
//                gives what can be known without reading (a result type
//                from a file's header), or the result is unknown.
//   WritesFiles  runs eagerly. Tracing: the fn runs eagerly. Checking: the
//                builtin's check validates the arguments; nothing is written
//                and the result is none.
//   Prints       as WritesFiles, for the terminal.
#pragma once

#include <cstdint>

namespace nnc {

enum class Effect : uint8_t { Pure, Random, ReadsFiles, WritesFiles, Prints };

// "reads a file", "writes a file", "prints": what an effect does at every call of a traced fn.
const char* effect_at_every_call(Effect effect);

}  // namespace nnc
