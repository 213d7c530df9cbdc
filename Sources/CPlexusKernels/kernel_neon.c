/* The aarch64 micro-kernel: NEON is part of every aarch64 CPU. FMLA (vfmaq_laneq_f32) is one
   fused multiply-add per lane, the order every kernel keeps. */
#if defined(__aarch64__)
#include "kernels.h"
#include <arm_neon.h>

static int always(void) { return 1; }

/* 8 rows x 8 columns: 16 q accumulators; A's 8 values in two registers, B's 8 in two. */
static void kernel_neon_8x8(size_t kc, const float *a, const float *b, float *c, size_t ldc, int zero) {
    float32x4_t acc[8][2];
    for (int i = 0; i < 8; i++) {
        acc[i][0] = zero ? vdupq_n_f32(0) : vld1q_f32(c + i * ldc);
        acc[i][1] = zero ? vdupq_n_f32(0) : vld1q_f32(c + i * ldc + 4);
    }
    for (size_t p = 0; p < kc; p++) {
        float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4), a0 = vld1q_f32(a), a1 = vld1q_f32(a + 4);
        acc[0][0] = vfmaq_laneq_f32(acc[0][0], b0, a0, 0); acc[0][1] = vfmaq_laneq_f32(acc[0][1], b1, a0, 0);
        acc[1][0] = vfmaq_laneq_f32(acc[1][0], b0, a0, 1); acc[1][1] = vfmaq_laneq_f32(acc[1][1], b1, a0, 1);
        acc[2][0] = vfmaq_laneq_f32(acc[2][0], b0, a0, 2); acc[2][1] = vfmaq_laneq_f32(acc[2][1], b1, a0, 2);
        acc[3][0] = vfmaq_laneq_f32(acc[3][0], b0, a0, 3); acc[3][1] = vfmaq_laneq_f32(acc[3][1], b1, a0, 3);
        acc[4][0] = vfmaq_laneq_f32(acc[4][0], b0, a1, 0); acc[4][1] = vfmaq_laneq_f32(acc[4][1], b1, a1, 0);
        acc[5][0] = vfmaq_laneq_f32(acc[5][0], b0, a1, 1); acc[5][1] = vfmaq_laneq_f32(acc[5][1], b1, a1, 1);
        acc[6][0] = vfmaq_laneq_f32(acc[6][0], b0, a1, 2); acc[6][1] = vfmaq_laneq_f32(acc[6][1], b1, a1, 2);
        acc[7][0] = vfmaq_laneq_f32(acc[7][0], b0, a1, 3); acc[7][1] = vfmaq_laneq_f32(acc[7][1], b1, a1, 3);
        a += 8;
        b += 8;
    }
    for (int i = 0; i < 8; i++) {
        vst1q_f32(c + i * ldc, acc[i][0]);
        vst1q_f32(c + i * ldc + 4, acc[i][1]);
    }
}

const plxs_kernel plxs_kernel_neon = {"neon", "neon 8x8", 8, 8, 64, 256, 512, kernel_neon_8x8, always, NULL, NULL};
#endif
