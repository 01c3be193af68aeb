// The C++ stack of the running thread. The evaluator and the checker
// recurse over user programs (nested expressions, recursive fns); they ask
// how much stack is left before going deeper, so that a deeply nested or
// deeply recursive program gets an error instead of a crash. The driver
// runs on a thread with a large stack (reserved, committed as it is used)
// so that the limits users see come from the language, not from ulimit.
#pragma once

#include <cstddef>
#include <functional>

namespace nnc {

// Bytes of stack left below the caller's frame on this thread.
size_t stack_left();

// Whether going deeper would leave less than a safe margin of stack (room
// for a kernel call or an error report at the deepest point).
bool stack_nearly_exhausted();

// Runs `body` on a new thread with a stack of `bytes` and returns its
// result; an exception `body` throws is rethrown here.
int run_with_stack(size_t bytes, const std::function<int()>& body);

}  // namespace nnc
