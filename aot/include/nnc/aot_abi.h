/* The interface between the code `nnc compile` generates for a library
 * (its kernel table, embedded IR, metadata and state, and its exported
 * MODEL_* functions) and the nnc run time linked into it. Not for users:
 * they include the generated MODEL.h. */
#ifndef NNC_AOT_ABI_H
#define NNC_AOT_ABI_H

#include "nnc/types.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef void (*nnc_aot_kernel_fn)(void* const* buffers, const int64_t* dims, int64_t begin, int64_t end);

/* One fused kernel, in the order the IR's fusion groups are walked. */
typedef struct nnc_aot_kernel {
    const char* symbol;
    nnc_aot_kernel_fn fn;
    int32_t outer_dims;
    int32_t parallel;
} nnc_aot_kernel;

/* Everything a library embeds. */
typedef struct nnc_aot_library {
    const char* name;
    const char* ir;             /* the fused function, as IR text */
    size_t ir_size;
    const char* metadata;       /* JSON: inputs, outputs, state, updates */
    size_t metadata_size;
    const char* state;          /* safetensors: the embedded initial state */
    size_t state_size;
    const nnc_aot_kernel* kernels;
    int32_t num_kernels;
} nnc_aot_library;

typedef struct nnc_aot_context nnc_aot_context;

nnc_status nnc_aot_create(const nnc_aot_library* library, const char* weights_path, nnc_aot_context** out);
void nnc_aot_destroy(nnc_aot_context* context);
nnc_status nnc_aot_run(nnc_aot_context* context, const nnc_tensor* inputs, int32_t num_inputs, nnc_tensor* outputs,
                       int32_t num_outputs);
nnc_status nnc_aot_reserve(nnc_aot_context* context, const int64_t* sizes);
int64_t nnc_aot_scratch_bytes(const nnc_aot_context* context);
nnc_status nnc_aot_load_weights(nnc_aot_context* context, const char* path);
nnc_status nnc_aot_save_weights(const nnc_aot_context* context, const char* path);
/* The calling thread's message from its last nnc_aot_* call that returns a
 * status ("" after a success): valid until that thread's next such call,
 * which replaces or clears it, or its exit. */
const char* nnc_aot_last_error(void);

#ifdef __cplusplus
}
#endif

#endif /* NNC_AOT_ABI_H */
