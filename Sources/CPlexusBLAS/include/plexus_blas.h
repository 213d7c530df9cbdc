#ifndef PLEXUS_BLAS_H
#define PLEXUS_BLAS_H
#include <stddef.h>
/* The BLAS as libplexus sees it: Plexus's private copy of OpenBLAS (build/blas, made by
   scripts/fetch-blas.sh), whose exported symbols carry the prefix pxob_ so that no other BLAS
   in the process can bind to them. Only what Plexus calls is declared; the prototypes are
   OpenBLAS's (the CBLAS enums are passed as int-sized enums). Internal helpers are named plxs_
   (the linker version script exports plexus_* only). */

enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112 };

void pxob_cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE transA, enum CBLAS_TRANSPOSE transB,
                      int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb,
                      float beta, float *c, int ldc);

/* C = alpha·op(A)·op(B) + beta·C, row-major: every product Plexus runs through the BLAS. */
static inline void plxs_sgemm(enum CBLAS_TRANSPOSE transA, enum CBLAS_TRANSPOSE transB, int m, int n, int k,
                              float alpha, const float *a, int lda, const float *b, int ldb,
                              float beta, float *c, int ldc) {
    pxob_cblas_sgemm(CblasRowMajor, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/* "OpenBLAS VERSION KERNELS": the library, its version and the kernel family it chose for this
   CPU (such as "OpenBLAS 0.3.34.481.3 SkylakeX"). Static text, built on first use. */
const char *plxs_blas_name(void);

/* plxs_blas_name() and ", N threads" (", 1 thread"): one string per count, made on first use and
   kept for the life of the process, so a caller may hold it. Never NULL. */
const char *plxs_blas_info(size_t threads);

#endif
