/* The digits data set file that examples/c/prepare_digits.py writes ("PXDG": n, features and
   classes as uint32 little-endian, then n x features float32 pixels in 0..1, then n uint8 labels),
   read by the examples digits.c (training) and deployed_digits.c (the generated code). The first
   4/5 of the rows are the training rows, the rest the test rows. */
#ifndef DIGITS_DATA_H
#define DIGITS_DATA_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t n, features, classes;
    float *x;        /* [n][features] */
    uint8_t *labels; /* [n] */
} dataset;

static uint32_t read_u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Reads the "PXDG" file; returns 0 and prints why on failure. */
static int load_dataset(const char *path, dataset *d) {
    FILE *f = fopen(path, "rb");
    unsigned char head[16];
    memset(d, 0, sizeof *d);
    if (!f) {
        perror(path);
        return 0;
    }
    if (fread(head, 1, 16, f) != 16 || memcmp(head, "PXDG", 4) != 0) {
        fprintf(stderr, "%s: not a digits file (run examples/c/prepare_digits.py)\n", path);
        fclose(f);
        return 0;
    }
    d->n = read_u32(head + 4);
    d->features = read_u32(head + 8);
    d->classes = read_u32(head + 12);
    if (d->n == 0 || d->n > 1000000 || d->features == 0 || d->features > 4096 || d->classes < 2 || d->classes > 256) {
        fprintf(stderr, "%s: implausible header (%u samples, %u features, %u classes)\n", path, d->n, d->features, d->classes);
        fclose(f);
        return 0;
    }
    d->x = malloc((size_t)d->n * d->features * sizeof *d->x);
    d->labels = malloc(d->n);
    /* float32 little-endian on disk; this example assumes a little-endian host (x86-64, arm64). */
    int ok = d->x && d->labels && fread(d->x, sizeof *d->x, (size_t)d->n * d->features, f) == (size_t)d->n * d->features &&
             fread(d->labels, 1, d->n, f) == d->n;
    fclose(f);
    if (!ok) {
        fprintf(stderr, "%s: truncated\n", path);
        free(d->x);
        free(d->labels);
        return 0;
    }
    return 1;
}

#endif /* DIGITS_DATA_H */
