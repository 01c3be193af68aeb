/* Shared by the AOT test programs: the inputs mlp.nn generates, a minimal
 * safetensors writer, and a check macro. */
#ifndef AOT_TEST_COMMON_H
#define AOT_TEST_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(status, lib)                                                                    \
    do {                                                                                      \
        if ((status) != NNC_OK) {                                                             \
            fprintf(stderr, "%s:%d: status %d: %s\n", __FILE__, __LINE__, (int)(status), lib##_last_error()); \
            exit(1);                                                                          \
        }                                                                                     \
    } while (0)

/* images(n) and labels(n) of mlp.nn. */
static inline void images(int64_t n, float* x) {
    for (int64_t i = 0; i < n * 784; ++i) x[i] = (float)((i * 37) % 101 - 50) / 64.0f;
}
static inline void labels(int64_t n, int32_t* y) {
    for (int64_t i = 0; i < n; ++i) y[i] = (int32_t)((i * 7) % 10);
}

/* One f32 tensor as a safetensors file. */
static inline void save_f32(const char* path, const char* name, int64_t rows, int64_t cols, const float* data) {
    char header[256];
    int len = snprintf(header, sizeof header, "{\"%s\":{\"dtype\":\"F32\",\"shape\":[%lld,%lld],\"data_offsets\":[0,%lld]}}", name,
                       (long long)rows, (long long)cols, (long long)(rows * cols * 4));
    while (len % 8) header[len++] = ' ';
    FILE* f = fopen(path, "wb");
    uint64_t n = (uint64_t)len;
    if (!f || fwrite(&n, 8, 1, f) != 1 || fwrite(header, 1, (size_t)len, f) != (size_t)len ||
        fwrite(data, 4, (size_t)(rows * cols), f) != (size_t)(rows * cols) || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

#endif
