#ifndef PLEXUS_GEMM_H
#define PLEXUS_GEMM_H
#include <stddef.h>

/* Plexus's matrix product. Every product of the library runs through plxs_gemm, in one order of
   arithmetic (include/plexus.h, "One order of arithmetic"):

     C[i][j] = start, then C[i][j] = fma(A[i][p], B[p][j], C[i][j]) for p = 0, 1, ..., k-1,

   start being C[i][j] as it is (accumulate) or 0, every step one fused multiply-add rounded to
   float32. Nothing else enters an output's chain: not the other rows or columns, the blocks the
   work is cut into, the thread, nor the instruction set (a kernel only decides how many outputs
   advance side by side). So a row's outputs are bitwise the same alone or in any batch, and the
   same on every CPU.

   Row-major; op(A) is m x k, op(B) is k x n: with trans_a, A is stored k x m (A[i][p] = a[p*lda+i]),
   else m x k (a[i*lda+p]); with trans_b, B is stored n x k (B[p][j] = b[j*ldb+p]), else k x n
   (b[p*ldb+j]). Single-threaded: Plexus's own pool runs products side by side. Internal to
   libplexus (plxs_ names are not exported). */
void plxs_gemm(int trans_a, int trans_b, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
               size_t ldb, float *c, size_t ldc, int accumulate);

/* The kernel plxs_gemm runs, as "avx2-fma 6x16": chosen once, at the first call, from the CPU
   (AVX-512F, else AVX2 with FMA, else NEON on aarch64, else portable fmaf loops), unless the
   environment variable PLEXUS_KERNEL names another this CPU has (avx512, avx2, neon, portable);
   any other value is ignored, and plxs_gemm_info says so. Static text. */
const char *plxs_gemm_kernel_name(void);

/* "Plexus GEMM avx2-fma 6x16, 2 threads": one string per count, made on first use and kept for the
   life of the process, with what was ignored said after it ("; PLEXUS_KERNEL=x ignored: ..." and
   `threads_note` when not empty, which must not change between calls). Never NULL. */
const char *plxs_gemm_info(size_t threads, const char *threads_note);

#endif
