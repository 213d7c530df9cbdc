/* plxs_gemm: the five loops of Goto's and BLIS's matrix product around a micro-kernel.

     for each block of NC columns of B
       for each block of KC steps          pack B's block into panels of NR columns (kc x NR each)
         for each block of MC rows of A    pack A's block into panels of MR rows (kc x MR each)
           for each panel of B, each panel of A: the kernel, one MR x NR tile of C over kc steps

   Every tile loads C, runs its kc steps and stores C back, so an output's chain of fused
   multiply-adds continues across the KC blocks in ascending order, exactly as one loop over all
   k would run it (plexus_gemm.h). Edge tiles run the same kernel on zero-padded packs through a
   tile buffer, so they keep the order too. The packs live in a per-thread scratch kept for the
   thread's life: a product allocates nothing once its thread has run one. */
#define _POSIX_C_SOURCE 200809L
#include "plexus_gemm.h"
#include "kernels.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* MARK: the portable kernel */

/* 4 x 4 with fmaf: C's fma, rounded once, as every kernel. On a CPU without FMA instructions
   fmaf is the C library's exact emulation: correct, slower. */
static void kernel_portable_4x4(size_t kc, const float *a, const float *b, float *c, size_t ldc, int zero) {
    float acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) acc[i][j] = zero ? 0.0f : c[i * ldc + j];
    for (size_t p = 0; p < kc; p++) {
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
        a += 4;
        b += 4;
    }
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) c[i * ldc + j] = acc[i][j];
}

static int always(void) { return 1; }

const plxs_kernel plxs_kernel_portable = {"portable", "portable fmaf 4x4", 4, 4, 64, 256, 512, kernel_portable_4x4, always, NULL, NULL};

/* MARK: choosing the kernel */

/* Best first. */
static const plxs_kernel *const candidates[] = {
#if defined(__x86_64__)
    &plxs_kernel_avx512, &plxs_kernel_avx2,
#endif
#if defined(__aarch64__)
    &plxs_kernel_neon,
#endif
    &plxs_kernel_portable,
};

static const plxs_kernel *chosen;
static pthread_once_t choose_once = PTHREAD_ONCE_INIT;
/* Why PLEXUS_KERNEL was not followed, for plxs_gemm_info; empty when it was, or is unset. */
static char kernel_note[160];

/* The best kernel this CPU runs, or the one PLEXUS_KERNEL names if this CPU runs it. A value that
   names no kernel, or one this CPU cannot run, is ignored and said in kernel_note. */
static void choose_kernel(void) {
    const char *wanted = getenv("PLEXUS_KERNEL");
    int followed = 0;
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        const plxs_kernel *k = candidates[i];
        if (!k->available()) continue;
        if (chosen == NULL) chosen = k;
        if (wanted != NULL && strcmp(wanted, k->id) == 0) {
            chosen = k;
            followed = 1;
            break;
        }
    }
    if (wanted == NULL || followed) return;
    static const char *const known[] = {"avx512", "avx2", "neon", "portable"};
    int is_known = 0;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) is_known |= strcmp(wanted, known[i]) == 0;
    snprintf(kernel_note, sizeof kernel_note, "PLEXUS_KERNEL=%.40s ignored: %s", wanted,
             is_known ? "this CPU cannot run it" : "not a kernel (avx512, avx2, neon, portable)");
}

static const plxs_kernel *kernel(void) {
    pthread_once(&choose_once, choose_kernel);
    return chosen;
}

const char *plxs_gemm_kernel_name(void) { return kernel()->name; }

/* One string per thread count (the pool accepts 1 ... 1024). */
#define PLXS_INFO_COUNTS 1025
static _Atomic(char *) info_texts[PLXS_INFO_COUNTS];
static char info_fallback[64];
static pthread_once_t fallback_once = PTHREAD_ONCE_INIT;

static void make_fallback(void) { snprintf(info_fallback, sizeof info_fallback, "Plexus GEMM %s", kernel()->name); }

const char *plxs_gemm_info(size_t threads, const char *threads_note) {
    pthread_once(&fallback_once, make_fallback);
    if (threads >= PLXS_INFO_COUNTS) return info_fallback;
    char *known = atomic_load(&info_texts[threads]);
    if (known != NULL) return known;
    char *made = malloc(512);
    if (made == NULL) return info_fallback;
    snprintf(made, 512, "%s, %zu thread%s%s%s%s%s", info_fallback, threads, threads == 1 ? "" : "s",
             kernel_note[0] ? "; " : "", kernel_note, threads_note[0] ? "; " : "", threads_note);
    char *expected = NULL;
    if (!atomic_compare_exchange_strong(&info_texts[threads], &expected, made)) {
        free(made); /* another thread made it first */
        return expected;
    }
    return made;
}

/* MARK: per-thread scratch */

typedef struct {
    float *a;    /* MC x KC, panels of MR rows */
    float *b;    /* KC x NC, panels of NR columns */
    float tile[PLXS_MAX_TILE] __attribute__((aligned(64)));
} scratch;

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static int scratch_key_made;

static void free_scratch(void *p) {
    scratch *s = p;
    if (s == NULL) return;
    free(s->a);
    free(s->b);
    free(s);
}

static void make_scratch_key(void) { scratch_key_made = pthread_key_create(&scratch_key, free_scratch) == 0; }

static void *aligned_floats(size_t count) {
    void *p = NULL;
    return posix_memalign(&p, 64, count * sizeof(float)) == 0 ? p : NULL;
}

/* This thread's packs, sized for kernel `k`, or NULL when they cannot be allocated. */
static scratch *thread_scratch(const plxs_kernel *k) {
    pthread_once(&scratch_once, make_scratch_key);
    if (!scratch_key_made) return NULL;
    scratch *s = pthread_getspecific(scratch_key);
    if (s != NULL) return s;
    s = aligned_floats(sizeof(scratch) / sizeof(float) + 16);
    if (s == NULL) return NULL;
    s->a = aligned_floats(k->mc * k->kc + PLXS_PACK_SLACK);
    s->b = aligned_floats(k->kc * k->nc);
    if (s->a == NULL || s->b == NULL || pthread_setspecific(scratch_key, s) != 0) {
        free_scratch(s);
        return NULL;
    }
    return s;
}

/* MARK: packing */

/* op(A)[i][p] and op(B)[p][j] as plexus_gemm.h defines them. */
#define A_AT(i, p) (trans_a ? a[(p) * lda + (i)] : a[(i) * lda + (p)])
#define B_AT(p, j) (trans_b ? b[(j) * ldb + (p)] : b[(p) * ldb + (j)])

/* Rows i0 .. i0+mc-1, steps p0 .. p0+kc-1 of op(A), as panels of MR rows: panel r holds, step by
   step, the MR values of its rows (zeros past the last row). Each loop reads its source in the
   order it is stored; MR is a constant (`height`) so that full panels' copies are vector moves. */
static inline void pack_a_panels(size_t height, int trans_a, const float *a, size_t lda, size_t i0, size_t mc, size_t p0,
                                 size_t kc, float *out) {
    for (size_t r = 0; r < mc; r += height) {
        size_t rows = mc - r < height ? mc - r : height;
        float *panel = out + r * kc;
        if (trans_a && rows == height) {
            /* A stored k x m: a step's MR values are contiguous. */
            const float *src = a + p0 * lda + i0 + r;
            for (size_t p = 0; p < kc; p++) memcpy(panel + p * height, src + p * lda, height * sizeof(float));
        } else if (trans_a) {
            const float *src = a + p0 * lda + i0 + r;
            for (size_t p = 0; p < kc; p++) {
                for (size_t i = 0; i < rows; i++) panel[p * height + i] = src[p * lda + i];
                for (size_t i = rows; i < height; i++) panel[p * height + i] = 0.0f;
            }
        } else {
            for (size_t i = 0; i < rows; i++) {
                const float *src = a + (i0 + r + i) * lda + p0;
                for (size_t p = 0; p < kc; p++) panel[p * height + i] = src[p];
            }
            for (size_t i = rows; i < height; i++)
                for (size_t p = 0; p < kc; p++) panel[p * height + i] = 0.0f;
        }
    }
}

static void pack_a(const plxs_kernel *k, int trans_a, const float *a, size_t lda, size_t i0, size_t mc, size_t p0,
                   size_t kc, float *out) {
    if (!trans_a && k->pack_rows_panel != NULL) {
        size_t full = mc - mc % k->mr;
        for (size_t r = 0; r < full; r += k->mr) k->pack_rows_panel(kc, a + (i0 + r) * lda + p0, lda, out + r * kc);
        if (full == mc) return;
        out += full * kc;
        i0 += full;
        mc -= full;
    }
    switch (k->mr) {
    case 4: pack_a_panels(4, trans_a, a, lda, i0, mc, p0, kc, out); break;
    case 6: pack_a_panels(6, trans_a, a, lda, i0, mc, p0, kc, out); break;
    case 8: pack_a_panels(8, trans_a, a, lda, i0, mc, p0, kc, out); break;
    case 12: pack_a_panels(12, trans_a, a, lda, i0, mc, p0, kc, out); break;
    default: pack_a_panels(k->mr, trans_a, a, lda, i0, mc, p0, kc, out); break;
    }
}

/* Steps p0 .. p0+kc-1, columns j0 .. j0+nc-1 of op(B), as panels of NR columns (zeros past the
   last column). A full panel's rows are copied NR floats at a time with NR a constant (`width`),
   so that the copies (memcpy of a constant size) compile to vector moves: packing B is most of what a product does besides the
   kernel when A has few rows. */
static inline void pack_b_panels(size_t width, int trans_b, const float *b, size_t ldb, size_t p0, size_t kc, size_t j0,
                                 size_t nc, float *out) {
    for (size_t s = 0; s < nc; s += width) {
        size_t cols = nc - s < width ? nc - s : width;
        float *panel = out + s * kc;
        if (trans_b) {
            /* B stored n x k: each column of op(B) is a contiguous row of b; NR rows read in step. */
            const float *src = b + (j0 + s) * ldb + p0;
            if (cols == width) {
                for (size_t p = 0; p < kc; p++)
                    for (size_t j = 0; j < width; j++) panel[p * width + j] = src[j * ldb + p];
            } else {
                for (size_t p = 0; p < kc; p++) {
                    for (size_t j = 0; j < cols; j++) panel[p * width + j] = src[j * ldb + p];
                    for (size_t j = cols; j < width; j++) panel[p * width + j] = 0.0f;
                }
            }
        } else {
            const float *src = b + p0 * ldb + j0 + s;
            if (cols == width) {
                for (size_t p = 0; p < kc; p++) memcpy(panel + p * width, src + p * ldb, width * sizeof(float));
            } else {
                for (size_t p = 0; p < kc; p++) {
                    for (size_t j = 0; j < cols; j++) panel[p * width + j] = src[p * ldb + j];
                    for (size_t j = cols; j < width; j++) panel[p * width + j] = 0.0f;
                }
            }
        }
    }
}

static void pack_b(const plxs_kernel *k, int trans_b, const float *b, size_t ldb, size_t p0, size_t kc, size_t j0,
                   size_t nc, float *out) {
    if (trans_b && k->pack_transposed_panel != NULL) {
        size_t full = nc - nc % k->nr;
        for (size_t s = 0; s < full; s += k->nr) k->pack_transposed_panel(kc, b + (j0 + s) * ldb + p0, ldb, out + s * kc);
        if (full == nc) return;
        out += full * kc;
        j0 += full;
        nc -= full;
    }
    switch (k->nr) {
    case 4: pack_b_panels(4, trans_b, b, ldb, p0, kc, j0, nc, out); break;
    case 8: pack_b_panels(8, trans_b, b, ldb, p0, kc, j0, nc, out); break;
    case 16: pack_b_panels(16, trans_b, b, ldb, p0, kc, j0, nc, out); break;
    case 32: pack_b_panels(32, trans_b, b, ldb, p0, kc, j0, nc, out); break;
    default: pack_b_panels(k->nr, trans_b, b, ldb, p0, kc, j0, nc, out); break;
    }
}

/* MARK: the product */

/* The same order without packs, for a thread whose scratch could not be allocated. */
static void gemm_unpacked(int trans_a, int trans_b, size_t m, size_t n, size_t k, const float *a, size_t lda,
                          const float *b, size_t ldb, float *c, size_t ldc, int accumulate) {
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            float sum = accumulate ? c[i * ldc + j] : 0.0f;
            for (size_t p = 0; p < k; p++) sum = fmaf(A_AT(i, p), B_AT(p, j), sum);
            c[i * ldc + j] = sum;
        }
}

void plxs_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
               size_t ldb, float *c, size_t ldc, int accumulate) {
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!accumulate)
            for (size_t i = 0; i < m; i++) memset(c + i * ldc, 0, n * sizeof(float));
        return;
    }
    const plxs_kernel *kern = kernel();
    scratch *s = thread_scratch(kern);
    if (s == NULL) {
        gemm_unpacked(trans_a, trans_b, m, n, k, a, lda, b, ldb, c, ldc, accumulate);
        return;
    }
    const size_t mr = kern->mr, nr = kern->nr;
    for (size_t jc = 0; jc < n; jc += kern->nc) {
        size_t nc = n - jc < kern->nc ? n - jc : kern->nc;
        for (size_t pc = 0; pc < k; pc += kern->kc) {
            size_t kc = k - pc < kern->kc ? k - pc : kern->kc;
            int zero = pc == 0 && !accumulate;
            pack_b(kern, trans_b, b, ldb, pc, kc, jc, nc, s->b);
            for (size_t ic = 0; ic < m; ic += kern->mc) {
                size_t mc = m - ic < kern->mc ? m - ic : kern->mc;
                pack_a(kern, trans_a, a, lda, ic, mc, pc, kc, s->a);
                for (size_t jr = 0; jr < nc; jr += nr) {
                    size_t cols = nc - jr < nr ? nc - jr : nr;
                    const float *bp = s->b + jr * kc;
                    for (size_t ir = 0; ir < mc; ir += mr) {
                        size_t rows = mc - ir < mr ? mc - ir : mr;
                        const float *ap = s->a + ir * kc;
                        float *ct = c + (ic + ir) * ldc + jc + jr;
                        if (rows == mr && cols == nr) {
                            kern->run(kc, ap, bp, ct, ldc, zero);
                            continue;
                        }
                        /* An edge tile: through the buffer, the rest of it zero. */
                        float *t = s->tile;
                        memset(t, 0, mr * nr * sizeof(float));
                        if (!zero)
                            for (size_t i = 0; i < rows; i++) memcpy(t + i * nr, ct + i * ldc, cols * sizeof(float));
                        kern->run(kc, ap, bp, t, nr, 0);
                        for (size_t i = 0; i < rows; i++) memcpy(ct + i * ldc, t + i * nr, cols * sizeof(float));
                    }
                }
            }
        }
    }
}
