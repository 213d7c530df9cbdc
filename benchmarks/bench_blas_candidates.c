/* Which BLAS should libplexus link? sgemm GFLOP/s of candidate libraries at the shapes Plexus's
   W3 (training) and W4 (inference) products take, each library loaded by path with dlopen, so
   one program measures them all and none needs to be installed system-wide.

   Usage: bench_blas_candidates LABEL=PATH[:PREFIX] ...
     PREFIX is prepended to cblas_sgemm (scipy-openblas names it scipy_cblas_sgemm).
   Threads come from the libraries' own variables (OPENBLAS_NUM_THREADS, BLIS_NUM_THREADS,
   MKL_NUM_THREADS), which benchmarks/bench_blas_candidates.sh sets; the kernel each library
   chose is printed where it can say (openblas_get_corename, MKL's verbose mode, BLIS's arch id).

   For each shape the median of 7 timed repetitions of about 50 ms is printed. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "machine.h"

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int,
                         float, float *, int);

struct shape { const char *name; int ta, tb, m, n, k; };
/* The products of W3 (784-256-128-10, batch 64) and W4 (10,000 rows in blocks). */
static const struct shape shapes[] = {
    {"fwd  64x784x256 (NT)", NO_TRANS, TRANS, 64, 256, 784},
    {"fwd  64x256x128 (NT)", NO_TRANS, TRANS, 64, 128, 256},
    {"dW  256x784x64  (TN)", TRANS, NO_TRANS, 256, 784, 64},
    {"dX   64x256x128 (NN)", NO_TRANS, NO_TRANS, 64, 256, 128},
    {"fwd 128x784x256 (NT)", NO_TRANS, TRANS, 128, 256, 784},
    {"fwd 10000x784x256 (NT)", NO_TRANS, TRANS, 10000, 256, 784},
};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float *filled(size_t count) {
    float *p = malloc(count * sizeof *p);
    if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
    for (size_t i = 0; i < count; i++) p[i] = (float)((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
    return p;
}

static void measure(const char *label, sgemm_fn sgemm) {
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        const struct shape *sh = &shapes[s];
        float *a = filled((size_t)sh->m * sh->k), *b = filled((size_t)sh->k * sh->n), *c = filled((size_t)sh->m * sh->n);
        int lda = sh->ta == NO_TRANS ? sh->k : sh->m, ldb = sh->tb == NO_TRANS ? sh->n : sh->k;
        double flops = 2.0 * sh->m * sh->n * sh->k, rates[7];
        long reps = 1;
        for (;;) {  /* calibrate to about 50 ms */
            double t0 = now();
            for (long r = 0; r < reps; r++)
                sgemm(ROW_MAJOR, sh->ta, sh->tb, sh->m, sh->n, sh->k, 1, a, lda, b, ldb, 0, c, sh->n);
            if (now() - t0 > 0.05) break;
            reps *= 2;
        }
        for (int t = 0; t < 7; t++) {
            double t0 = now();
            for (long r = 0; r < reps; r++)
                sgemm(ROW_MAJOR, sh->ta, sh->tb, sh->m, sh->n, sh->k, 1, a, lda, b, ldb, 0, c, sh->n);
            rates[t] = flops * (double)reps / (now() - t0) / 1e9;
        }
        qsort(rates, 7, sizeof rates[0], compare);
        printf("%-28s %-24s %7.1f GFLOP/s (min %.1f, max %.1f)\n", label, sh->name, rates[3], rates[0], rates[6]);
        free(a); free(b); free(c);
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s LABEL=PATH[:PREFIX] ...\n", argv[0]);
        return 2;
    }
    print_cpu(stdout, "bench_blas_candidates");
    for (int i = 1; i < argc; i++) {
        char spec[4096], symbol[256];
        snprintf(spec, sizeof spec, "%s", argv[i]);
        char *eq = strchr(spec, '='), *path, *prefix = "";
        if (!eq) { fprintf(stderr, "bad argument %s\n", argv[i]); return 2; }
        *eq = 0; path = eq + 1;
        char *colon = strchr(path, ':');
        if (colon) { *colon = 0; prefix = colon + 1; }
        void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!lib) { fprintf(stderr, "%s: %s\n", spec, dlerror()); return 1; }
        snprintf(symbol, sizeof symbol, "%scblas_sgemm", prefix);
        sgemm_fn sgemm;
        *(void **)&sgemm = dlsym(lib, symbol);
        if (!sgemm) { fprintf(stderr, "%s: no %s\n", spec, symbol); return 1; }
        snprintf(symbol, sizeof symbol, "%sopenblas_get_corename", prefix);
        char *(*corename)(void);
        *(void **)&corename = dlsym(lib, symbol);
        const char *(*blis_arch)(int) = NULL;
        int (*blis_arch_query)(void) = NULL;
        *(void **)&blis_arch = dlsym(lib, "bli_arch_string");
        *(void **)&blis_arch_query = dlsym(lib, "bli_arch_query_id");
        if (corename) printf("%s: kernels %s\n", spec, corename());
        else if (blis_arch && blis_arch_query) printf("%s: kernels %s\n", spec, blis_arch(blis_arch_query()));
        else printf("%s: (the library does not name its kernels)\n", spec);
        measure(spec, sgemm);
    }
    return 0;
}
