/* Reading Fashion-MNIST's gzipped IDX files (the Debian package
 * dataset-fashion-mnist) for the AOT examples: images as f32, standardised
 * as nnc's data.fashion_mnist does (byte / 255, then (x - 0.2860) / 0.3530,
 * the training set's statistics), labels as i32. */
#ifndef IDX_H
#define IDX_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#define FASHION_MNIST "/usr/share/datasets/fashion-mnist/"
#define FASHION_MNIST_MEAN 0.2860f
#define FASHION_MNIST_STD 0.3530f

/* The n items of an IDX file as bytes; exits with a message on any error. */
static inline uint8_t* read_idx(const char* path, int expected_magic, int64_t* n, int64_t item_bytes) {
    gzFile f = gzopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s (install dataset-fashion-mnist)\n", path);
        exit(1);
    }
    unsigned char header[16];
    const int header_bytes = expected_magic == 2051 ? 16 : 8;
    if (gzread(f, header, (unsigned)header_bytes) != header_bytes) {
        fprintf(stderr, "%s: truncated header\n", path);
        exit(1);
    }
    const int magic = header[2] << 8 | header[3];
    *n = (int64_t)header[4] << 24 | header[5] << 16 | header[6] << 8 | header[7];
    if (magic != expected_magic || *n <= 0 || *n > 1000000) {
        fprintf(stderr, "%s: not an IDX file of the expected kind\n", path);
        exit(1);
    }
    uint8_t* data = malloc((size_t)(*n * item_bytes));
    if (!data || gzread(f, data, (unsigned)(*n * item_bytes)) != (int)(*n * item_bytes)) {
        fprintf(stderr, "%s: truncated data\n", path);
        exit(1);
    }
    gzclose(f);
    return data;
}

/* Images and labels of a split ("train" or "t10k"). */
static inline int64_t load_fashion_mnist(const char* split, float** images, int32_t** labels) {
    char path[256];
    int64_t n = 0, m = 0;
    snprintf(path, sizeof path, FASHION_MNIST "%s-images-idx3-ubyte.gz", split);
    uint8_t* pixels = read_idx(path, 2051, &n, 784);
    snprintf(path, sizeof path, FASHION_MNIST "%s-labels-idx1-ubyte.gz", split);
    uint8_t* classes = read_idx(path, 2049, &m, 1);
    if (m != n) {
        fprintf(stderr, "%s: %lld images but %lld labels\n", split, (long long)n, (long long)m);
        exit(1);
    }
    *images = malloc((size_t)(n * 784) * sizeof(float));
    *labels = malloc((size_t)n * sizeof(int32_t));
    for (int64_t i = 0; i < n * 784; ++i)
        (*images)[i] = ((float)pixels[i] / 255.0f - FASHION_MNIST_MEAN) / FASHION_MNIST_STD;
    for (int64_t i = 0; i < n; ++i) (*labels)[i] = classes[i];
    free(pixels);
    free(classes);
    return n;
}

#endif
