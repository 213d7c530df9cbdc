/* Plexus's GEMM against the best BLAS on this CPU, one thread, in one run: the products of W3 and
   W4's layers (784-256 and 256-128, 64 and 512 rows) as the passes run them: the forward
   product x·Wᵀ (NT), the input gradient δ·W (NN) and the weight gradient δᵀ·x (TN).

     bench_gemm [LABEL=PATH[:PREFIX] ...]     (make bench-gemm passes OpenBLAS and BLIS)

   Each peer is loaded by path with dlopen (PREFIX before cblas_sgemm: scipy-openblas names it
   scipy_cblas_sgemm); set OPENBLAS_NUM_THREADS=1 BLIS_NUM_THREADS=1. For each product the
   contenders alternate, 15 rounds of about 20 ms each; the best round's GFLOP/s is printed with
   the median (a shared machine only ever slows a round down, so the best is the steadier figure),
   then Plexus's ratio to the best peer (best against best) and its share of the core's peak for
   the kernel's vector width, measured (measured_peak: it folds in the real clock and how many FMA
   units the core has, which a VM's /proc/cpuinfo does not tell). Plexus's GEMM is built in from its sources
   (Sources/CPlexusKernels), the kernel it picks printed first. */
#define _POSIX_C_SOURCE 200809L
#include "plexus_gemm.h"
#include "machine.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };
typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);

#define MAX_CONTENDERS 8
#define ROUNDS 15

struct contender { const char *label; sgemm_fn sgemm; /* NULL: Plexus */ };
struct product { const char *name; int ta, tb, m, n, k; };

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

static void run(const struct contender *who, const struct product *pr, const float *a, const float *b, float *c, long reps) {
    int lda = pr->ta ? pr->m : pr->k, ldb = pr->tb ? pr->k : pr->n;
    for (long r = 0; r < reps; r++) {
        if (who->sgemm)
            who->sgemm(ROW_MAJOR, pr->ta ? TRANS : NO_TRANS, pr->tb ? TRANS : NO_TRANS, pr->m, pr->n, pr->k, 1, a, lda, b, ldb,
                       1, c, pr->n);
        else
            plxs_gemm(pr->ta, pr->tb, (size_t)pr->m, (size_t)pr->n, (size_t)pr->k, a, (size_t)lda, b, (size_t)ldb, c,
                      (size_t)pr->n, 1);
    }
}

/* The CPU's peak for the kernel's vector width, measured: the best of 15 rounds of 12 independent
   chains of fused multiply-adds (enough to cover the latency of two FMA units), at the clock the
   core really runs (a virtual machine's "cpu MHz" is often the nominal one, and turbo is not). */
#if defined(__x86_64__)
#include <immintrin.h>
#define PLXS_FMA_CHAINS(T, SET, FMA, ADD, STORE, LANES)                                                        \
    T acc[12], x = SET(1.0000001f), y = SET(0.9999999f);                                                     \
    for (int i = 0; i < 12; i++) acc[i] = SET((float)i);                                                     \
    for (long r = 0; r < reps; r++)                                                                          \
        for (int i = 0; i < 12; i++) acc[i] = FMA(acc[i], x, y);                                              \
    T sum = acc[0];                                                                                          \
    for (int i = 1; i < 12; i++) sum = ADD(sum, acc[i]);                                                     \
    float out[LANES];                                                                                        \
    STORE(out, sum);                                                                                         \
    return out[0];
__attribute__((target("avx2,fma"))) static float fma_chains_avx2(long reps) {
    PLXS_FMA_CHAINS(__m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, _mm256_storeu_ps, 8)
}
__attribute__((target("avx512f"))) static float fma_chains_avx512(long reps) {
    PLXS_FMA_CHAINS(__m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, _mm512_storeu_ps, 16)
}
#endif

static double measured_peak(int lanes) {
#if defined(__x86_64__)
    if (lanes == 8 || lanes == 16) {
        const long reps = 2000000;
        double best = 0;
        volatile float sink = 0;
        for (int round = 0; round < 15; round++) {
            double t0 = now();
            sink += lanes == 16 ? fma_chains_avx512(reps) : fma_chains_avx2(reps);
            double rate = 2.0 * lanes * 12 * (double)reps / (now() - t0) / 1e9;
            if (rate > best) best = rate;
        }
        (void)sink;
        return best;
    }
#endif
    (void)lanes;
    return 0;
}

int main(int argc, char **argv) {
    struct contender contenders[MAX_CONTENDERS] = {{"plexus", NULL}};
    int count = 1;
    print_cpu(stdout, "bench_gemm");
    const char *kernel = plxs_gemm_kernel_name();
    int lanes = strncmp(kernel, "avx512", 6) == 0 ? 16 : strncmp(kernel, "avx2", 4) == 0 ? 8 : 4;
    double peak = measured_peak(lanes);
    if (peak > 0)
        printf("bench_gemm: Plexus GEMM %s; peak %.1f GFLOP/s, measured (12 independent chains of %d-lane FMAs, best of 15)\n",
               kernel, peak, lanes);
    else
        printf("bench_gemm: Plexus GEMM %s; peak not measured for this kernel\n", kernel);
    for (int i = 1; i < argc && count < MAX_CONTENDERS; i++) {
        char *spec = argv[i], symbol[256];
        char *eq = strchr(spec, '=');
        if (!eq) { fprintf(stderr, "bad argument %s (LABEL=PATH[:PREFIX])\n", spec); return 2; }
        *eq = 0;
        char *path = eq + 1, *colon = strchr(path, ':'), *prefix = "";
        if (colon) { *colon = 0; prefix = colon + 1; }
        void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        if (!lib) { fprintf(stderr, "%s: %s\n", spec, dlerror()); return 1; }
        snprintf(symbol, sizeof symbol, "%scblas_sgemm", prefix);
        *(void **)&contenders[count].sgemm = dlsym(lib, symbol);
        if (!contenders[count].sgemm) { fprintf(stderr, "%s: no %s\n", spec, symbol); return 1; }
        char *(*corename)(void);
        snprintf(symbol, sizeof symbol, "%sopenblas_get_corename", prefix);
        *(void **)&corename = dlsym(lib, symbol);
        const char *(*blis_arch)(int);
        int (*blis_query)(void);
        *(void **)&blis_arch = dlsym(lib, "bli_arch_string");
        *(void **)&blis_query = dlsym(lib, "bli_arch_query_id");
        printf("bench_gemm: %s = %s, kernels %s\n", spec, path,
               corename ? corename() : (blis_arch && blis_query) ? blis_arch(blis_query()) : "(not named)");
        contenders[count++].label = spec;
    }
    const struct product products[] = {
        {"64x784x256 NT (forward)", 0, 1, 64, 256, 784},   {"64x784x256 NN (input grad)", 0, 0, 64, 784, 256},
        {"64x784x256 TN (weight grad)", 1, 0, 256, 784, 64}, {"512x784x256 NT", 0, 1, 512, 256, 784},
        {"512x784x256 NN", 0, 0, 512, 784, 256},            {"512x784x256 TN", 1, 0, 256, 784, 512},
        {"512x256x128 NT", 0, 1, 512, 128, 256},            {"512x256x128 NN", 0, 0, 512, 256, 128},
        {"512x256x128 TN", 1, 0, 128, 256, 512},
    };
    printf("%-30s", "product (GFLOP/s: best, median)");
    for (int w = 0; w < count; w++) printf(" %22s", contenders[w].label);
    printf("  plexus/best peer  plexus %% of peak\n");
    for (size_t s = 0; s < sizeof products / sizeof products[0]; s++) {
        const struct product *pr = &products[s];
        size_t a_size = (size_t)pr->m * pr->k, b_size = (size_t)pr->k * pr->n, c_size = (size_t)pr->m * pr->n;
        float *a = filled(a_size), *b = filled(b_size), *c = filled(c_size);
        double flops = 2.0 * pr->m * pr->n * pr->k, rates[MAX_CONTENDERS][ROUNDS];
        long reps[MAX_CONTENDERS];
        for (int w = 0; w < count; w++) {   /* calibrate each to about 30 ms */
            reps[w] = 1;
            for (;;) {
                double t0 = now();
                run(&contenders[w], pr, a, b, c, reps[w]);
                if (now() - t0 > 0.02) break;
                reps[w] *= 2;
            }
        }
        for (int round = 0; round < ROUNDS; round++)
            for (int w = 0; w < count; w++) {
                double t0 = now();
                run(&contenders[w], pr, a, b, c, reps[w]);
                rates[w][round] = flops * (double)reps[w] / (now() - t0) / 1e9;
            }
        printf("%-30s", pr->name);
        double best_peer = 0, medians[MAX_CONTENDERS];
        for (int w = 0; w < count; w++) {
            qsort(rates[w], ROUNDS, sizeof rates[w][0], compare);
            medians[w] = rates[w][ROUNDS - 1];   /* the best round */
            if (w > 0 && medians[w] > best_peer) best_peer = medians[w];
            char cell[64];
            snprintf(cell, sizeof cell, "%.1f (%.1f)", rates[w][ROUNDS - 1], rates[w][ROUNDS / 2]);
            printf(" %22s", cell);
        }
        if (best_peer > 0) printf("  %15.2fx", medians[0] / best_peer); else printf("  %16s", "-");
        if (peak > 0) printf("  %15.0f%%\n", 100 * medians[0] / peak); else printf("  %16s\n", "-");
        free(a); free(b); free(c);
    }
    return 0;
}
