/* Trains the Fashion-MNIST MLP for one epoch in C with the compiled
 * `train_step` (libtrainer.so: forward, backward and Adam in one call;
 * weights from the file given, else the embedded ones), printing the
 * mean loss every 100 steps, and saves the weights to the second path in
 * the format nnc's load() reads. No Python, no nnc at run time. */
#include "trainer.h"
#include "idx.h"

int main(int argc, char** argv) {
    const char* weights = argc > 1 ? argv[1] : NULL;
    const char* out = argc > 2 ? argv[2] : "finetuned.safetensors";
    float* images;
    int32_t* labels;
    const int64_t n = load_fashion_mnist("train", &images, &labels);
    trainer_context* ctx;
    if (trainer_create(weights, &ctx) != NNC_OK) {
        fprintf(stderr, "trainer_create: %s\n", trainer_last_error());
        return 1;
    }
    enum { BATCH = 128 };
    double total = 0;
    int steps = 0;
    for (int64_t start = 0; start + BATCH <= n; start += BATCH) {
        float loss;
        if (trainer_run(ctx, BATCH, images + start * 784, labels + start, &loss) != NNC_OK) {
            fprintf(stderr, "trainer_run: %s\n", trainer_last_error());
            return 1;
        }
        total += loss;
        if (++steps % 100 == 0) {
            printf("step %d: mean loss %.4f\n", steps, total / 100);
            total = 0;
        }
    }
    if (trainer_save_weights(ctx, out) != NNC_OK) {
        fprintf(stderr, "trainer_save_weights: %s\n", trainer_last_error());
        return 1;
    }
    printf("%d steps; weights saved to %s\n", steps, out);
    trainer_destroy(ctx);
    free(images);
    free(labels);
    return 0;
}
