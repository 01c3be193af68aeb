/* Runs the compiled `predict` on the inputs of mlp.nn with the weights in
 * argv[1] and saves the result to argv[2]; then checks that two contexts
 * running at once on two threads give the results one context gives. */
#include <pthread.h>

#include "mlp.h"
#include "common.h"

enum { ROUNDS = 50 };

typedef struct {
    mlp_context* ctx;
    int64_t batch;
    const float* x;
    float* out;
    nnc_status status;
} job;

static void* run_job(void* arg) {
    job* j = (job*)arg;
    for (int r = 0; r < ROUNDS && j->status == NNC_OK; ++r) j->status = mlp_run(j->ctx, j->batch, j->x, j->out);
    return NULL;
}

int main(int argc, char** argv) {
    if (argc != 3) return 2;
    mlp_context* ctx = NULL;
    CHECK(mlp_create(argv[1], &ctx), mlp);
    float x[7 * 784], out[7 * 10];
    images(7, x);
    CHECK(mlp_run(ctx, 5, x, out), mlp);
    save_f32(argv[2], "tensor", 5, 10, out);

    /* One context's answers for batches of 7 and 3 (a second size: its own plan). */
    float want7[70], want3[30], got7[70], got3[30];
    float x3[3 * 784];
    for (int i = 0; i < 3 * 784; ++i) x3[i] = -x[i + 784];
    CHECK(mlp_run(ctx, 7, x, want7), mlp);
    CHECK(mlp_run(ctx, 3, x3, want3), mlp);
    printf("scratch bytes: %lld\n", (long long)mlp_scratch_bytes(ctx));

    mlp_context* other = NULL;
    CHECK(mlp_create(argv[1], &other), mlp);
    job a = {ctx, 7, x, got7, NNC_OK}, b = {other, 3, x3, got3, NNC_OK};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, run_job, &a);
    pthread_create(&tb, NULL, run_job, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(a.status, mlp);
    CHECK(b.status, mlp);
    printf("two threads: %s\n", memcmp(want7, got7, sizeof want7) == 0 && memcmp(want3, got3, sizeof want3) == 0 ? "same" : "DIFFERENT");
    mlp_destroy(other);
    mlp_destroy(ctx);
    return 0;
}
