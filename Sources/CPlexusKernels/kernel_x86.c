/* The x86-64 micro-kernels, compiled with function attributes (no -march): the library runs on
   any x86-64 and calls these only where CPUID says the CPU has them (gemm.c). */
#if defined(__x86_64__)
#include "kernels.h"
#include <immintrin.h>

static int has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* AVX2 too: its packing runs the AVX2 transposes (every AVX-512 CPU has AVX2). */
static int has_avx512f(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx2");
}

/* 6 rows x 16 columns: 12 ymm accumulators, two loads of B and six broadcasts of A per step. */
__attribute__((target("avx2,fma")))
static void kernel_avx2_6x16(size_t kc, const float *a, const float *b, float *c, size_t ldc, int zero) {
    __m256 c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (zero) {
        c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = _mm256_setzero_ps();
    } else {
        c00 = _mm256_loadu_ps(c + 0 * ldc); c01 = _mm256_loadu_ps(c + 0 * ldc + 8);
        c10 = _mm256_loadu_ps(c + 1 * ldc); c11 = _mm256_loadu_ps(c + 1 * ldc + 8);
        c20 = _mm256_loadu_ps(c + 2 * ldc); c21 = _mm256_loadu_ps(c + 2 * ldc + 8);
        c30 = _mm256_loadu_ps(c + 3 * ldc); c31 = _mm256_loadu_ps(c + 3 * ldc + 8);
        c40 = _mm256_loadu_ps(c + 4 * ldc); c41 = _mm256_loadu_ps(c + 4 * ldc + 8);
        c50 = _mm256_loadu_ps(c + 5 * ldc); c51 = _mm256_loadu_ps(c + 5 * ldc + 8);
    }
    /* One step: two loads of B, six broadcasts of A, twelve fused multiply-adds. */
#define PLXS_AVX2_STEP(q)                                                                                        \
    {                                                                                                            \
        __m256 b0 = _mm256_load_ps(b + 16 * (q)), b1 = _mm256_load_ps(b + 16 * (q) + 8), ai;                     \
        ai = _mm256_broadcast_ss(a + 6 * (q) + 0); c00 = _mm256_fmadd_ps(ai, b0, c00); c01 = _mm256_fmadd_ps(ai, b1, c01); \
        ai = _mm256_broadcast_ss(a + 6 * (q) + 1); c10 = _mm256_fmadd_ps(ai, b0, c10); c11 = _mm256_fmadd_ps(ai, b1, c11); \
        ai = _mm256_broadcast_ss(a + 6 * (q) + 2); c20 = _mm256_fmadd_ps(ai, b0, c20); c21 = _mm256_fmadd_ps(ai, b1, c21); \
        ai = _mm256_broadcast_ss(a + 6 * (q) + 3); c30 = _mm256_fmadd_ps(ai, b0, c30); c31 = _mm256_fmadd_ps(ai, b1, c31); \
        ai = _mm256_broadcast_ss(a + 6 * (q) + 4); c40 = _mm256_fmadd_ps(ai, b0, c40); c41 = _mm256_fmadd_ps(ai, b1, c41); \
        ai = _mm256_broadcast_ss(a + 6 * (q) + 5); c50 = _mm256_fmadd_ps(ai, b0, c50); c51 = _mm256_fmadd_ps(ai, b1, c51); \
    }
    size_t p = 0;
    for (; p + 4 <= kc; p += 4) {
        _mm_prefetch((const char *)(b + 16 * 8), _MM_HINT_T0);
        _mm_prefetch((const char *)(b + 16 * 10), _MM_HINT_T0);
        PLXS_AVX2_STEP(0) PLXS_AVX2_STEP(1) PLXS_AVX2_STEP(2) PLXS_AVX2_STEP(3)
        a += 24;
        b += 64;
    }
    for (; p < kc; p++) {
        PLXS_AVX2_STEP(0)
        a += 6;
        b += 16;
    }
#undef PLXS_AVX2_STEP
    _mm256_storeu_ps(c + 0 * ldc, c00); _mm256_storeu_ps(c + 0 * ldc + 8, c01);
    _mm256_storeu_ps(c + 1 * ldc, c10); _mm256_storeu_ps(c + 1 * ldc + 8, c11);
    _mm256_storeu_ps(c + 2 * ldc, c20); _mm256_storeu_ps(c + 2 * ldc + 8, c21);
    _mm256_storeu_ps(c + 3 * ldc, c30); _mm256_storeu_ps(c + 3 * ldc + 8, c31);
    _mm256_storeu_ps(c + 4 * ldc, c40); _mm256_storeu_ps(c + 4 * ldc + 8, c41);
    _mm256_storeu_ps(c + 5 * ldc, c50); _mm256_storeu_ps(c + 5 * ldc + 8, c51);
}

/* 12 rows x 32 columns: 24 zmm accumulators, two loads of B and twelve broadcasts of A per step. */
#define PLXS_ROWS_512(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

__attribute__((target("avx512f")))
static void kernel_avx512_12x32(size_t kc, const float *a, const float *b, float *c, size_t ldc, int zero) {
#define PLXS_DECLARE(i) __m512 c##i##0, c##i##1;
    PLXS_ROWS_512(PLXS_DECLARE)
#undef PLXS_DECLARE
    if (zero) {
#define PLXS_ZERO(i) c##i##0 = _mm512_setzero_ps(); c##i##1 = _mm512_setzero_ps();
        PLXS_ROWS_512(PLXS_ZERO)
#undef PLXS_ZERO
    } else {
#define PLXS_LOAD(i) c##i##0 = _mm512_loadu_ps(c + (i) * ldc); c##i##1 = _mm512_loadu_ps(c + (i) * ldc + 16);
        PLXS_ROWS_512(PLXS_LOAD)
#undef PLXS_LOAD
    }
    for (size_t p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(b), b1 = _mm512_load_ps(b + 16), ai;
#define PLXS_STEP(i) ai = _mm512_set1_ps(a[i]); c##i##0 = _mm512_fmadd_ps(ai, b0, c##i##0); c##i##1 = _mm512_fmadd_ps(ai, b1, c##i##1);
        PLXS_ROWS_512(PLXS_STEP)
#undef PLXS_STEP
        a += 12;
        b += 32;
    }
#define PLXS_STORE(i) _mm512_storeu_ps(c + (i) * ldc, c##i##0); _mm512_storeu_ps(c + (i) * ldc + 16, c##i##1);
    PLXS_ROWS_512(PLXS_STORE)
#undef PLXS_STORE
}

/* r0..r7 transposed: out[q] = {r0[q], r1[q], ..., r7[q]}. */
__attribute__((target("avx2")))
static inline void transpose_registers(__m256 r0, __m256 r1, __m256 r2, __m256 r3, __m256 r4, __m256 r5, __m256 r6,
                                       __m256 r7, __m256 out[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
    __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
    __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
    __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
    __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
    __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
    __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
    out[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    out[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    out[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    out[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    out[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    out[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    out[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    out[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

/* A full panel of `height` rows (6 or 12) of a plain A: per 8 steps, each group of 8 rows (the
   last group padded by repeating its last row) transposed, then stored step by step, 8 floats at
   a time from the step's first value of the group: a store's values past the group belong to the
   next store's place, which that store then writes (and the last store of the panel spills into
   the next panel or the slack). */
__attribute__((target("avx2")))
static inline void pack_rows(size_t height, size_t kc, const float *src, size_t lda, float *panel) {
    const size_t groups = (height + 7) / 8;
    size_t p = 0;
    for (; p + 8 <= kc; p += 8) {
        __m256 t[2][8];
        for (size_t g = 0; g < groups; g++) {
            const float *row[8];
            for (size_t i = 0; i < 8; i++) row[i] = src + (g * 8 + i < height ? g * 8 + i : height - 1) * lda + p;
            transpose_registers(_mm256_loadu_ps(row[0]), _mm256_loadu_ps(row[1]), _mm256_loadu_ps(row[2]),
                                _mm256_loadu_ps(row[3]), _mm256_loadu_ps(row[4]), _mm256_loadu_ps(row[5]),
                                _mm256_loadu_ps(row[6]), _mm256_loadu_ps(row[7]), t[g]);
        }
        for (size_t q = 0; q < 8; q++)
            for (size_t g = 0; g < groups; g++) _mm256_storeu_ps(panel + (p + q) * height + g * 8, t[g][q]);
    }
    for (; p < kc; p++)
        for (size_t i = 0; i < height; i++) panel[p * height + i] = src[i * lda + p];
}

__attribute__((target("avx2")))
static void pack_rows_6(size_t kc, const float *src, size_t lda, float *panel) { pack_rows(6, kc, src, lda, panel); }

__attribute__((target("avx2")))
static void pack_rows_12(size_t kc, const float *src, size_t lda, float *panel) { pack_rows(12, kc, src, lda, panel); }

/* Eight columns' next eight steps, transposed in registers: eight loads of 8 floats (one per
   column of op(B), contiguous in b), eight stores of 8 floats (one per step). */
__attribute__((target("avx2")))
static inline void transpose_8x8(const float *src, size_t ldb, float *dst, size_t width) {
    __m256 out[8];
    transpose_registers(_mm256_loadu_ps(src + 0 * ldb), _mm256_loadu_ps(src + 1 * ldb), _mm256_loadu_ps(src + 2 * ldb),
                        _mm256_loadu_ps(src + 3 * ldb), _mm256_loadu_ps(src + 4 * ldb), _mm256_loadu_ps(src + 5 * ldb),
                        _mm256_loadu_ps(src + 6 * ldb), _mm256_loadu_ps(src + 7 * ldb), out);
    for (int q = 0; q < 8; q++) _mm256_store_ps(dst + (size_t)q * width, out[q]);
}

/* A full panel of `width` columns (a multiple of 8), 8 x 8 blocks, then the last kc % 8 steps. */
__attribute__((target("avx2")))
static inline void pack_transposed(size_t width, size_t kc, const float *src, size_t ldb, float *panel) {
    size_t p = 0;
    for (; p + 8 <= kc; p += 8)
        for (size_t j = 0; j < width; j += 8) transpose_8x8(src + j * ldb + p, ldb, panel + p * width + j, width);
    for (; p < kc; p++)
        for (size_t j = 0; j < width; j++) panel[p * width + j] = src[j * ldb + p];
}

__attribute__((target("avx2")))
static void pack_transposed_16(size_t kc, const float *src, size_t ldb, float *panel) {
    pack_transposed(16, kc, src, ldb, panel);
}

__attribute__((target("avx2")))
static void pack_transposed_32(size_t kc, const float *src, size_t ldb, float *panel) {
    pack_transposed(32, kc, src, ldb, panel);
}

const plxs_kernel plxs_kernel_avx2 = {"avx2", "avx2-fma 6x16", 6, 16, 72, 256, 512, kernel_avx2_6x16, has_avx2_fma,
                                      pack_transposed_16, pack_rows_6};
const plxs_kernel plxs_kernel_avx512 = {"avx512", "avx512f 12x32", 12, 32, 96, 256, 512, kernel_avx512_12x32, has_avx512f,
                                        pack_transposed_32, pack_rows_12};
#endif
