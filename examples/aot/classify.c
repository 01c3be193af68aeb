/* Classifies the 10,000 Fashion-MNIST test images with the compiled
 * `classify` (libclassifier.so, weights embedded) in batches of 1,000 and
 * prints the accuracy, which equals `nnc run classifier.nn`'s. */
#include "classifier.h"
#include "idx.h"

int main(void) {
    float* images;
    int32_t* labels;
    const int64_t n = load_fashion_mnist("t10k", &images, &labels);
    classifier_context* ctx;
    if (classifier_create(NULL, &ctx) != NNC_OK) {
        fprintf(stderr, "classifier_create: %s\n", classifier_last_error());
        return 1;
    }
    enum { BATCH = 1000 };
    int32_t predicted[BATCH];
    int64_t correct = 0;
    for (int64_t start = 0; start < n; start += BATCH) {
        const int64_t b = n - start < BATCH ? n - start : BATCH;
        if (classifier_run(ctx, b, images + start * 784, predicted) != NNC_OK) {
            fprintf(stderr, "classifier_run: %s\n", classifier_last_error());
            return 1;
        }
        for (int64_t i = 0; i < b; ++i) correct += predicted[i] == labels[start + i];
    }
    printf("test accuracy %g (%lld / %lld)\n", (double)correct / (double)n, (long long)correct, (long long)n);
    classifier_destroy(ctx);
    free(images);
    free(labels);
    return 0;
}
