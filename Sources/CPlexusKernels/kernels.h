/* The micro-kernels plxs_gemm chooses from (private to CPlexusKernels).

   A kernel computes one MR x NR tile of C from packed panels over kc steps:

     c[i*ldc + j] = fma(a[p*MR + i], b[p*NR + j], c[i*ldc + j])   for p = 0 ... kc-1,

   starting from zeros when `zero`, else from the tile as it is. Each output's chain is its own, in
   ascending p, so every kernel gives the same bits; they differ only in how many outputs they
   advance at once. The packs are 64-byte aligned. */
#ifndef PLEXUS_KERNELS_H
#define PLEXUS_KERNELS_H
#include <stddef.h>

typedef void (*plxs_kernel_fn)(size_t kc, const float *a, const float *b, float *c, size_t ldc, int zero);

typedef struct {
    const char *id;          /* what PLEXUS_KERNEL names it: "avx2" */
    const char *name;        /* what plexus_blas_info shows: "avx2-fma 6x16" */
    size_t mr, nr;           /* the tile */
    size_t mc, kc, nc;       /* the cache blocks: rows of A, steps, columns of B per packed block */
    plxs_kernel_fn run;
    int (*available)(void);  /* whether this CPU (and its operating system) can run it */
    /* Packs one full panel of NR columns of a transposed B (B stored n x k, `src` at the panel's
       first column and step; column j's steps at src + j*ldb): panel[p*NR + j] = src[j*ldb + p]
       for p < kc. NULL: gemm.c's loop. A plain move of values, so it changes no result. */
    void (*pack_transposed_panel)(size_t kc, const float *src, size_t ldb, float *panel);
    /* Packs one full panel of MR rows of a plain A (A stored m x k, `src` at the panel's first row
       and step; row i's steps at src + i*lda): panel[p*MR + i] = src[i*lda + p] for p < kc. It
       may write up to 8 floats past the panel (the next panel, or the pack's slack, is written
       after it). NULL: gemm.c's loop. */
    void (*pack_rows_panel)(size_t kc, const float *src, size_t lda, float *panel);
} plxs_kernel;

/* Floats allocated past the end of the A pack for pack_rows_panel's last stores. */
#define PLXS_PACK_SLACK 16

/* The largest tile of any kernel, for the edge-tile buffer. */
#define PLXS_MAX_TILE (12 * 32)

extern const plxs_kernel plxs_kernel_portable;
#if defined(__x86_64__)
extern const plxs_kernel plxs_kernel_avx2;
extern const plxs_kernel plxs_kernel_avx512;
#endif
#if defined(__aarch64__)
extern const plxs_kernel plxs_kernel_neon;
#endif

#endif
