/* Every way a caller can misuse a compiled library, each answered with a
 * status and a message (printed for FileCheck), never a crash. argv[1]:
 * the weights; argv[2]: a corrupt copy; argv[3]: a file of another model. */
#include "mlp.h"
#include "common.h"

static void report(const char* what, nnc_status status) { printf("%s: %d: %s\n", what, (int)status, mlp_last_error()); }

int main(int argc, char** argv) {
    if (argc != 4) return 2;
    mlp_context* ctx = NULL;
    report("no weights", mlp_create(NULL, &ctx));
    report("missing file", mlp_create("no-such-file.safetensors", &ctx));
    report("corrupt file", mlp_create(argv[2], &ctx));
    report("other model", mlp_create(argv[3], &ctx));
    report("null out", mlp_create(argv[1], NULL));
    CHECK(mlp_create(argv[1], &ctx), mlp);

    static float x[2 * 785], out[2 * 10];
    images(2, x);
    nnc_tensor in = {x, NNC_F32, 2, {2, 784}}, res = {out, NNC_F32, 2, {2, 10}};
    report("fine", mlp_run_tensors(ctx, &in, 1, &res, 1));
    report("null context", mlp_run(NULL, 2, x, out));
    report("null input", mlp_run(ctx, 2, NULL, out));
    report("negative size", mlp_run(ctx, -1, x, out));
    report("no inputs", mlp_run_tensors(ctx, NULL, 1, &res, 1));
    report("two inputs", mlp_run_tensors(ctx, &in, 2, &res, 1));
    nnc_tensor wide = {x, NNC_F32, 2, {2, 785}};
    report("wrong dim", mlp_run_tensors(ctx, &wide, 1, &res, 1));
    nnc_tensor flat = {x, NNC_F32, 1, {1568}};
    report("wrong rank", mlp_run_tensors(ctx, &flat, 1, &res, 1));
    nnc_tensor doubles = {x, NNC_F64, 2, {2, 784}};
    report("wrong dtype", mlp_run_tensors(ctx, &doubles, 1, &res, 1));
    nnc_tensor bad_rank = {x, NNC_F32, 99, {0}};
    report("rank 99", mlp_run_tensors(ctx, &bad_rank, 1, &res, 1));
    nnc_tensor short_out = {out, NNC_F32, 2, {3, 10}};
    report("wrong output", mlp_run_tensors(ctx, &in, 1, &short_out, 1));
    nnc_tensor huge = {x, NNC_F32, 2, {INT64_C(1) << 62, 784}};
    report("huge", mlp_run_tensors(ctx, &huge, 1, &res, 1));
    report("bad weights", mlp_load_weights(ctx, argv[2]));
    report("still fine", mlp_run(ctx, 2, x, out));
    report("save to a directory", mlp_save_weights(ctx, "/"));
    report("null path", mlp_load_weights(ctx, NULL));
    int64_t sizes[1] = {64};
    report("reserve", mlp_reserve(ctx, sizes));
    printf("scratch for 64: %s\n", mlp_scratch_bytes(ctx) > 64 * 32 * 4 ? "planned" : "NOT PLANNED");
    mlp_destroy(ctx);
    mlp_destroy(NULL);
    return 0;
}
