/* Runs the compiled training step five times on the inputs of mlp.nn
 * (starting from the embedded weights), printing each loss, then saves
 * the trained weights to argv[1]. */
#include "train.h"
#include "common.h"

int main(int argc, char** argv) {
    if (argc != 2) return 2;
    train_context* ctx = NULL;
    CHECK(train_create(NULL, &ctx), train);
    float x[8 * 784];
    int32_t y[8];
    images(8, x);
    labels(8, y);
    for (int step = 0; step < 5; ++step) {
        float loss = 0;
        CHECK(train_run(ctx, 8, x, y, &loss), train);
        printf("loss %g\n", loss);
    }
    CHECK(train_save_weights(ctx, argv[1]), train);
    train_destroy(ctx);
    return 0;
}
