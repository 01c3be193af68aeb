// The C entry points behind every compiled library's MODEL_* functions:
// arguments checked, C++ exceptions turned into status codes, the message
// kept per thread for MODEL_last_error(). Every function that returns a
// status sets or clears that thread's message, so the pointer
// MODEL_last_error() returns is valid until the thread's next such call (or
// its exit); the others (destroy, scratch_bytes) leave it alone.
#include <new>
#include <string>

#include "aot/runtime/context.h"

struct nnc_aot_context {
    nnc::aot::Context context;
};

namespace {

thread_local std::string last_error;

nnc_status fail(nnc_status status, std::string message) {
    last_error = std::move(message);
    return status;
}

// Runs `body`, mapping what it throws to a status.
template <class F> nnc_status guarded(F&& body) {
    try {
        body();
        last_error.clear();
        return NNC_OK;
    } catch (const nnc::aot::Error& e) {
        return fail(e.status, e.message);
    } catch (const std::bad_alloc&) {
        return fail(NNC_ERROR_OUT_OF_MEMORY, "out of memory");
    } catch (const std::exception& e) {
        return fail(NNC_ERROR_INTERNAL, std::string("internal error: ") + e.what());
    }
}

}  // namespace

extern "C" {

nnc_status nnc_aot_create(const nnc_aot_library* library, const char* weights_path, nnc_aot_context** out) {
    if (!out) return fail(NNC_ERROR_INVALID_ARGUMENT, "the context pointer is null");
    *out = nullptr;
    if (!library) return fail(NNC_ERROR_INVALID_ARGUMENT, "the library is null");
    return guarded([&] { *out = new nnc_aot_context{nnc::aot::Context(nnc::aot::Library::get(*library), weights_path)}; });
}

void nnc_aot_destroy(nnc_aot_context* context) { delete context; }

nnc_status nnc_aot_run(nnc_aot_context* context, const nnc_tensor* inputs, int32_t num_inputs, nnc_tensor* outputs,
                       int32_t num_outputs) {
    if (!context) return fail(NNC_ERROR_INVALID_ARGUMENT, "the context is null");
    return guarded([&] { context->context.run(inputs, num_inputs, outputs, num_outputs); });
}

nnc_status nnc_aot_reserve(nnc_aot_context* context, const int64_t* sizes) {
    if (!context) return fail(NNC_ERROR_INVALID_ARGUMENT, "the context is null");
    return guarded([&] { context->context.reserve(sizes); });
}

int64_t nnc_aot_scratch_bytes(const nnc_aot_context* context) { return context ? context->context.scratch_bytes() : 0; }

nnc_status nnc_aot_load_weights(nnc_aot_context* context, const char* path) {
    if (!context || !path) return fail(NNC_ERROR_INVALID_ARGUMENT, !context ? "the context is null" : "the path is null");
    return guarded([&] { context->context.load_weights(path); });
}

nnc_status nnc_aot_save_weights(const nnc_aot_context* context, const char* path) {
    if (!context || !path) return fail(NNC_ERROR_INVALID_ARGUMENT, !context ? "the context is null" : "the path is null");
    return guarded([&] { context->context.save_weights(path); });
}

const char* nnc_aot_last_error(void) { return last_error.c_str(); }

}  // extern "C"
