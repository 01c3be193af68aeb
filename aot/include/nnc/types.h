/* The C types shared by every library `nnc compile` writes: status codes,
 * element types and tensor descriptors. Each generated header carries a
 * copy of this text (guarded, so several models' headers can be included
 * together); it is C11 and C++17. */
#ifndef NNC_TYPES_H
#define NNC_TYPES_H

#include <stddef.h>
#include <stdint.h>

/* What every function returns. After a failure, MODEL_last_error() says
 * why, on the calling thread (see its declaration for how long the string
 * stays valid). */
typedef enum nnc_status {
    NNC_OK = 0,
    NNC_ERROR_INVALID_ARGUMENT = 1, /* a null pointer, a wrong number of tensors */
    NNC_ERROR_SHAPE = 2,            /* a tensor's dtype, rank or dimensions do not match the signature */
    NNC_ERROR_WEIGHTS = 3,          /* a weights file is missing, corrupt or does not match the model */
    NNC_ERROR_OUT_OF_MEMORY = 4,
    NNC_ERROR_RUNTIME = 5,          /* an operation failed on these values (an index out of range...) */
    NNC_ERROR_INTERNAL = 6
} nnc_status;

typedef enum nnc_dtype {
    NNC_BOOL = 0, /* one byte, 0 or 1 */
    NNC_I8 = 1,
    NNC_I32 = 2,
    NNC_I64 = 3,
    NNC_F16 = 4,
    NNC_BF16 = 5,
    NNC_F32 = 6,
    NNC_F64 = 7
} nnc_dtype;

#define NNC_MAX_RANK 8

/* A dense, row-major tensor in the caller's memory. Inputs are only read. */
typedef struct nnc_tensor {
    void* data;
    nnc_dtype dtype;
    int32_t rank;
    int64_t dims[NNC_MAX_RANK];
} nnc_tensor;

/* An input or output of the compiled function: dims[i] is -1 where the
 * dimension is symbolic, and dim_names[i] then names it ("B"). */
typedef struct nnc_tensor_info {
    const char* name;
    nnc_dtype dtype;
    int32_t rank;
    int64_t dims[NNC_MAX_RANK];
    const char* dim_names[NNC_MAX_RANK];
} nnc_tensor_info;

#endif /* NNC_TYPES_H */
