/* Inference latency of the compiled `infer` (libinfer.so, weights
 * embedded) at batch 1 and 64: each call timed alone; prints one BENCH line
 * per batch with the median and minimum in ms, as bench/aot/run.py reads. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "infer.h"

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static int by_value(const void* a, const void* b) {
    const double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(int argc, char** argv) {
    const int warmup = argc > 1 ? atoi(argv[1]) : 100, samples = argc > 2 ? atoi(argv[2]) : 2000;
    infer_context* ctx;
    if (infer_create(NULL, &ctx) != NNC_OK) {
        fprintf(stderr, "%s\n", infer_last_error());
        return 1;
    }
    static float x[64 * 784], y[64 * 10];
    for (int i = 0; i < 64 * 784; ++i) x[i] = (float)(i % 97) / 97.0f;
    double* times = malloc(sizeof(double) * (size_t)samples);
    const int64_t batches[] = {1, 64};
    for (int b = 0; b < 2; ++b) {
        const double t0 = now_ms();
        if (infer_run(ctx, batches[b], x, y) != NNC_OK) {
            fprintf(stderr, "%s\n", infer_last_error());
            return 1;
        }
        const double first = now_ms() - t0;
        for (int i = 0; i < warmup; ++i) infer_run(ctx, batches[b], x, y);
        for (int i = 0; i < samples; ++i) {
            const double t = now_ms();
            infer_run(ctx, batches[b], x, y);
            times[i] = now_ms() - t;
        }
        qsort(times, (size_t)samples, sizeof(double), by_value);
        printf("BENCH {\"bench\": \"aot_b%lld\", \"first_call_ms\": %.6f, \"median_ms\": %.6f, \"min_ms\": %.6f}\n",
               (long long)batches[b], first, times[samples / 2], times[0]);
    }
    free(times);
    infer_destroy(ctx);
    return 0;
}
