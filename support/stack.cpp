// Stack bounds from pthread_getattr_np, and a thread with a chosen stack size.
#include "support/stack.h"

#include <pthread.h>

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>

namespace nnc {

namespace {

// The lowest address of this thread's stack (stacks grow down on every
// target nnc supports).
uintptr_t stack_low() {
    thread_local uintptr_t low = [] {
        pthread_attr_t attr;
        void* addr = nullptr;
        size_t size = 0;
        if (pthread_getattr_np(pthread_self(), &attr) == 0) {
            pthread_attr_getstack(&attr, &addr, &size);
            pthread_attr_destroy(&attr);
        }
        return reinterpret_cast<uintptr_t>(addr);
    }();
    return low;
}

// Kernels (oneDNN, OpenMP), LLVM and the error path need some stack of
// their own at the deepest point of a program.
constexpr size_t kMargin = 512 * 1024;

struct ThreadCall {
    const std::function<int()>* body;
    int result = 0;
    std::exception_ptr error;
};

void* run_thread(void* arg) {
    auto* call = static_cast<ThreadCall*>(arg);
    try {
        call->result = (*call->body)();
    } catch (...) {
        call->error = std::current_exception();
    }
    return nullptr;
}

}  // namespace

size_t stack_left() {
    const auto here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
    const uintptr_t low = stack_low();
    return low && here > low ? here - low : SIZE_MAX;
}

bool stack_nearly_exhausted() { return stack_left() < kMargin; }

int run_with_stack(size_t bytes, const std::function<int()>& body) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, bytes);
    ThreadCall call{&body, 0, nullptr};
    pthread_t thread;
    const int started = pthread_create(&thread, &attr, run_thread, &call);
    pthread_attr_destroy(&attr);
    if (started != 0) return body();   // no thread of that size: run on this one, still guarded
    pthread_join(thread, nullptr);
    if (call.error) std::rethrow_exception(call.error);
    return call.result;
}

}  // namespace nnc
