/* Plexus's GEMM against its definition (Sources/CPlexusKernels/include/plexus_gemm.h): every
   output is its start (0, or C as it was) followed by one fmaf per step in ascending order.

     test_gemm            checks every shape, transpose and stride below against a scalar fmaf
                          loop written here, bitwise; prints the kernel that ran and a digest of
                          every output (FNV-1a over the bits)
     test_gemm digest     prints only the digest line

   Built from the kernels' sources directly (their plxs_ names are not exported by libplexus):
   Tests/c/test_gemm.sh runs it under every kernel this CPU has (PLEXUS_KERNEL) and, built for
   aarch64, under qemu-aarch64, and checks that every digest is the same. Inputs are made from
   integers, so they are the same floats on every machine. */
#include "plexus_gemm.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int checks = 0, failures = 0;
static uint64_t digest = 1469598103934665603ull;

static uint32_t state = 12345;
static float next_value(void) {
    state = state * 1103515245u + 12345u;
    return (float)((int)((state >> 8) % 2001u) - 1000) / 997.0f;   /* in [-1.003, 1.003], exact in float */
}

static void fill(float *p, size_t count) {
    for (size_t i = 0; i < count; i++) p[i] = next_value();
}

static void add_to_digest(const float *c, size_t m, size_t n, size_t ldc) {
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            uint32_t bits;
            memcpy(&bits, &c[i * ldc + j], sizeof bits);
            for (int byte = 0; byte < 4; byte++) {
                digest ^= (bits >> (8 * byte)) & 0xffu;
                digest *= 1099511628211ull;
            }
        }
}

/* The definition, one output at a time. */
static void reference(int ta, int tb, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b, size_t ldb,
                      float *c, size_t ldc, int accumulate) {
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            float sum = accumulate ? c[i * ldc + j] : 0.0f;
            for (size_t p = 0; p < k; p++) {
                float av = ta ? a[p * lda + i] : a[i * lda + p];
                float bv = tb ? b[j * ldb + p] : b[p * ldb + j];
                sum = fmaf(av, bv, sum);
            }
            c[i * ldc + j] = sum;
        }
}

/* One product against the definition, with strides `pad` wider than needed and C's padding
   checked untouched. */
static void check_product(int ta, int tb, size_t m, size_t n, size_t k, int accumulate, size_t pad) {
    size_t lda = (ta ? m : k) + pad, ldb = (tb ? k : n) + pad, ldc = n + pad;
    size_t a_rows = ta ? k : m, b_rows = tb ? n : k;
    float *a = malloc((a_rows * lda + 1) * sizeof *a), *b = malloc((b_rows * ldb + 1) * sizeof *b);
    float *c = malloc((m * ldc + 1) * sizeof *c), *want = malloc((m * ldc + 1) * sizeof *want);
    if (!a || !b || !c || !want) { fprintf(stderr, "out of memory\n"); exit(2); }
    fill(a, a_rows * lda);
    fill(b, b_rows * ldb);
    fill(c, m * ldc);
    memcpy(want, c, m * ldc * sizeof *c);
    plxs_gemm(ta, tb, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
    reference(ta, tb, m, n, k, a, lda, b, ldb, want, ldc, accumulate);
    checks++;
    if (memcmp(c, want, m * ldc * sizeof *c) != 0) {
        failures++;
        size_t first = 0;
        while (first < m * ldc && memcmp(&c[first], &want[first], sizeof *c) == 0) first++;
        fprintf(stderr, "FAIL %s%s m=%zu n=%zu k=%zu accumulate=%d pad=%zu: element %zu is %.9g, the definition gives %.9g\n",
                ta ? "T" : "N", tb ? "T" : "N", m, n, k, accumulate, pad, first, c[first], want[first]);
    }
    add_to_digest(c, m, n, ldc);
    free(a); free(b); free(c); free(want);
}

/* A row alone and inside a batch: the same bits (forward x·Wᵀ + b, batches 1 ... 513). */
static void check_rows_alone_and_in_batches(void) {
    const size_t in = 300, out = 70, batches[] = {1, 2, 7, 64, 511, 512, 513};
    float *w = malloc(in * out * sizeof *w), *bias = malloc(out * sizeof *bias);
    float *x = malloc(513 * in * sizeof *x), *z = malloc(513 * out * sizeof *z), *alone = malloc(out * sizeof *alone);
    if (!w || !bias || !x || !z || !alone) { fprintf(stderr, "out of memory\n"); exit(2); }
    fill(w, in * out); fill(bias, out); fill(x, 513 * in);
    for (size_t t = 0; t < sizeof batches / sizeof batches[0]; t++) {
        size_t rows = batches[t];
        for (size_t r = 0; r < rows; r++) memcpy(z + r * out, bias, out * sizeof *bias);
        plxs_gemm(0, 1, rows, out, in, x, in, w, in, z, out, 1);
        for (size_t r = 0; r < rows; r += (rows > 16 ? 37 : 1)) {
            memcpy(alone, bias, out * sizeof *bias);
            plxs_gemm(0, 1, 1, out, in, x + r * in, in, w, in, alone, out, 1);
            checks++;
            if (memcmp(alone, z + r * out, out * sizeof *alone) != 0) {
                failures++;
                fprintf(stderr, "FAIL row %zu alone differs from the row in a batch of %zu\n", r, rows);
            }
        }
        add_to_digest(z, rows, out, out);
    }
    free(w); free(bias); free(x); free(z); free(alone);
}

int main(int argc, char **argv) {
    const size_t sizes[] = {1, 2, 5, 6, 7, 12, 13, 16, 17, 31, 33, 64, 97};
    const size_t count = sizeof sizes / sizeof sizes[0];
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++)
            for (size_t i = 0; i < count; i += 2)
                for (size_t j = 1; j < count; j += 3)
                    for (size_t p = 0; p < count; p += 4)
                        check_product(ta, tb, sizes[i], sizes[j], sizes[p], (int)((i + j + p) % 2), (i + p) % 3);
    /* Across the cache blocks: more steps than KC (256), more rows than MC, more columns than NC. */
    check_product(0, 1, 150, 600, 784, 1, 0);
    check_product(1, 0, 256, 300, 520, 1, 3);
    check_product(0, 0, 130, 530, 300, 0, 1);
    check_product(1, 1, 75, 40, 1000, 0, 0);
    check_product(0, 1, 3, 5, 0, 0, 0);                 /* k = 0: zeros, or C as it is */
    check_product(0, 1, 3, 5, 0, 1, 0);
    check_rows_alone_and_in_batches();
    if (argc > 1 && strcmp(argv[1], "digest") == 0) {
        printf("%016llx\n", (unsigned long long)digest);
    } else {
        printf("kernel %s: digest %016llx\n", plxs_gemm_kernel_name(), (unsigned long long)digest);
        printf("%d passed, %d failed\n", checks - failures, failures);
    }
    return failures == 0 ? 0 : 1;
}
