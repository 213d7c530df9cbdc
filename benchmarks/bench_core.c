/* Plexus from C, one workload per invocation: benchmarks/bench.py runs this program alternately
   with its peers (bench_fann, peer_numpy.py, peer_torch.py) and prints the comparison.

     bench_core WORKLOAD THREADS   runs WORKLOAD once with plexus_set_threads(THREADS) and prints
                                   one figure on stdout (the unit is in the table below)
     bench_core crossover          ns per predict around the loop/GEMM switch (smallLayerWeights)

   WORKLOAD   what                                                               figure
   w1         2-4-1 sigmoid, plexus_predict of 1 sample, 2,000,000 calls          ns/call
   w2         XOR 2-4-1 sigmoid, forward+backward+step per sample, SGD 0.5, 1e5   ns/update
   w3         784-256-128-10 relu/relu/softmax + cross-entropy, plexus_train,     samples/s
              60,000 samples, batch 64, SGD 0.01, 1 epoch
   w4         the W3 net, plexus_predict of 10,000 samples in one call, timed     samples/s
              over 5 calls after a warm-up call
   sgemm-w3   only the 8 products of W3's batches (the bound the products set)    samples/s
   sgemm-w4   only the 3 products of W4, in 512-row blocks (warm-up, then 5 times) samples/s
   info       plexus_gemm_info() at THREADS threads                               text

   The product-only workloads run Plexus's GEMM (built in from Sources/CPlexusKernels, as the
   library builds it), each product's columns split evenly between THREADS threads, started per
   product: the bound the products alone set, without the activations, the losses and the steps.

   W2 exits with status 2 when XOR was not learned. Data are fixed pseudo-random numbers. */
#define _POSIX_C_SOURCE 200809L
#include "plexus.h"

#include "plexus_gemm.h" /* Plexus's GEMM (Sources/CPlexusKernels), built into this program */
#include "machine.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { W3_SAMPLES = 60000, W4_SAMPLES = 10000, W4_CALLS = 5, BATCH = 64 };
static const uint32_t MLP[] = {784, 256, 128, 10};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void check(plexus_status s, const char *what) {
    if (s != PLEXUS_OK) {
        fprintf(stderr, "%s: %s: %s\n", what, plexus_status_name(s), plexus_last_error());
        exit(1);
    }
}

static void *allocate(size_t bytes) {
    void *p = malloc(bytes);
    if (!p) {
        fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    return p;
}

/* Uniform in [-0.5, 0.5) from a fixed xorshift generator: the same data on every run. */
static float *random_floats(size_t n, uint64_t seed) {
    float *p = allocate(n * sizeof *p);
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        p[i] = (float)(s >> 40) / 16777216.0f - 0.5f;
    }
    return p;
}

/* A product as the benchmark runs it: C (m x n) = op(A)·op(B) (+ C with beta 1), row-major, the
   columns of C split between `product_threads` threads. */
static int product_threads = 1;

struct product_part {
    int ta, tb;
    size_t m, n, k, first, count;
    const float *a, *b;
    size_t lda, ldb, ldc;
    float *c;
    int accumulate;
};

static void *run_part(void *argument) {
    const struct product_part *p = argument;
    const float *b = p->tb ? p->b + p->first * p->ldb : p->b + p->first;
    plxs_gemm(p->ta, p->tb, p->m, p->count, p->k, p->a, p->lda, b, p->ldb, p->c + p->first, p->ldc, p->accumulate);
    return NULL;
}

static void product(int ta, int tb, int m, int n, int k, const float *a, int lda, const float *b, int ldb, float beta,
                    float *c, int ldc) {
    struct product_part parts[64];
    pthread_t threads[64];
    int count = product_threads < 64 ? product_threads : 64;
    size_t width = ((size_t)n + (size_t)count - 1) / (size_t)count;
    for (int t = 0; t < count; t++) {
        size_t first = (size_t)t * width, rest = first < (size_t)n ? (size_t)n - first : 0;
        parts[t] = (struct product_part){ta, tb, (size_t)m, (size_t)n, (size_t)k, first, rest < width ? rest : width,
                                         a, b, (size_t)lda, (size_t)ldb, (size_t)ldc, c, beta != 0};
    }
    for (int t = 1; t < count; t++)
        if (pthread_create(&threads[t], NULL, run_part, &parts[t]) != 0) { fprintf(stderr, "pthread_create failed\n"); exit(1); }
    run_part(&parts[0]);
    for (int t = 1; t < count; t++) pthread_join(threads[t], NULL);
}

static plexus_net *tiny_net(void) {
    const uint32_t sizes[] = {2, 4, 1};
    const plexus_activation acts[] = {PLEXUS_SIGMOID, PLEXUS_SIGMOID};
    plexus_net *net = NULL;
    check(plexus_create(sizes, acts, 3, 0, 1, &net), "plexus_create");
    return net;
}

static plexus_net *mlp_net(void) {
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_RELU, PLEXUS_SOFTMAX};
    plexus_net *net = NULL;
    check(plexus_create(MLP, acts, 4, 0, 1, &net), "plexus_create");
    check(plexus_set_loss(net, PLEXUS_CROSS_ENTROPY), "plexus_set_loss");
    check(plexus_set_sgd(net, 0.01f, 0.0f), "plexus_set_sgd");
    return net;
}

static double w1(void) {
    plexus_net *net = tiny_net();
    const long calls = 2000000;
    float x[2] = {0.3f, 0.7f}, y = 0, sink = 0;
    double t0 = now();
    for (long i = 0; i < calls; i++) {
        x[0] = (float)(i & 1);
        check(plexus_predict(net, x, 1, &y), "plexus_predict");
        sink += y;
    }
    double ns = (now() - t0) * 1e9 / (double)calls;
    if (sink < 0) printf("%f\n", sink);
    plexus_free(net);
    return ns;
}

static double w2(void) {
    const float x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, y[4] = {0, 1, 1, 0};
    const long updates = 100000;
    plexus_net *net = tiny_net();
    check(plexus_set_sgd(net, 0.5f, 0.0f), "plexus_set_sgd");
    double t0 = now();
    for (long i = 0; i < updates; i++) {
        check(plexus_forward(net, x[i & 3], 1, NULL), "plexus_forward");
        check(plexus_backward(net, &y[i & 3], 1, NULL), "plexus_backward");
        check(plexus_step(net), "plexus_step");
    }
    double ns = (now() - t0) * 1e9 / (double)updates;
    float out[4];
    check(plexus_predict(net, &x[0][0], 4, out), "plexus_predict");
    plexus_free(net);
    if (!(out[0] < 0.5f && out[1] > 0.5f && out[2] > 0.5f && out[3] < 0.5f)) {
        fprintf(stderr, "W2: XOR not learned: %.3f %.3f %.3f %.3f\n", out[0], out[1], out[2], out[3]);
        exit(2);
    }
    return ns;
}

/* One-hot targets for n samples over 10 classes. */
static float *labels(size_t n) {
    float *y = calloc(n * 10, sizeof *y);
    if (!y) exit(1);
    float *r = random_floats(n, 2);
    for (size_t i = 0; i < n; i++) y[i * 10 + (size_t)((r[i] + 0.5f) * 9.999f)] = 1.0f;
    free(r);
    return y;
}

static double w3(void) {
    float *x = random_floats((size_t)W3_SAMPLES * 784, 1), *y = labels(W3_SAMPLES);
    plexus_net *net = mlp_net();
    double t0 = now();
    check(plexus_train(net, x, y, W3_SAMPLES, 1, BATCH, 1, NULL, NULL), "plexus_train");
    double rate = W3_SAMPLES / (now() - t0);
    plexus_free(net);
    free(x);
    free(y);
    return rate;
}

static double w4(void) {
    float *x = random_floats((size_t)W4_SAMPLES * 784, 1), *out = allocate((size_t)W4_SAMPLES * 10 * sizeof *out);
    plexus_net *net = mlp_net();
    check(plexus_predict(net, x, W4_SAMPLES, out), "plexus_predict");
    double t0 = now();
    for (int call = 0; call < W4_CALLS; call++) check(plexus_predict(net, x, W4_SAMPLES, out), "plexus_predict");
    double rate = W4_CALLS * W4_SAMPLES / (now() - t0);
    plexus_free(net);
    free(x);
    free(out);
    return rate;
}

/* The products of W3 alone, at its shapes, on buffers of its sizes: forward z = a·Wᵀ per layer,
   backward dW += δᵀ·a per layer and dx = δ·W for layers 2 and 3 (layer 1 needs no dx). */
static double sgemm_w3(void) {
    float *a[4], *d[4], *w[3], *dw[3];
    for (int l = 0; l < 4; l++) a[l] = random_floats((size_t)BATCH * MLP[l], 10 + l), d[l] = random_floats((size_t)BATCH * MLP[l], 20 + l);
    for (int l = 0; l < 3; l++) w[l] = random_floats((size_t)MLP[l] * MLP[l + 1], 30 + l), dw[l] = random_floats((size_t)MLP[l] * MLP[l + 1], 40 + l);
    double t0 = now();
    for (int start = 0; start < W3_SAMPLES; start += BATCH) {
        int b = W3_SAMPLES - start < BATCH ? W3_SAMPLES - start : BATCH;
        for (int l = 0; l < 3; l++)
            product(0, 1, b, (int)MLP[l + 1], (int)MLP[l], a[l], (int)MLP[l], w[l], (int)MLP[l], 1, a[l + 1], (int)MLP[l + 1]);
        for (int l = 2; l >= 0; l--) {
            product(1, 0, (int)MLP[l + 1], (int)MLP[l], b, d[l + 1], (int)MLP[l + 1], a[l], (int)MLP[l], 1, dw[l], (int)MLP[l]);
            if (l > 0)
                product(0, 0, b, (int)MLP[l], (int)MLP[l + 1], d[l + 1], (int)MLP[l + 1], w[l], (int)MLP[l], 0, d[l], (int)MLP[l]);
        }
    }
    double rate = W3_SAMPLES / (now() - t0);
    for (int l = 0; l < 4; l++) free(a[l]), free(d[l]);
    for (int l = 0; l < 3; l++) free(w[l]), free(dw[l]);
    return rate;
}

static double sgemm_w4(void) {
    float *a[4], *w[3];
    for (int l = 0; l < 4; l++) a[l] = random_floats((size_t)W4_SAMPLES * MLP[l], 10 + l);
    for (int l = 0; l < 3; l++) w[l] = random_floats((size_t)MLP[l] * MLP[l + 1], 30 + l);
    double t0 = 0;
    for (int call = 0; call <= W4_CALLS; call++) {
        if (call == 1) t0 = now(); /* call 0 is the warm-up */
        /* In blocks of 512 rows through the three layers, as Plexus's predict runs them. */
        for (int start = 0; start < W4_SAMPLES; start += 512) {
            int rows = W4_SAMPLES - start < 512 ? W4_SAMPLES - start : 512;
            for (int l = 0; l < 3; l++)
                product(0, 1, rows, (int)MLP[l + 1], (int)MLP[l], a[l] + (size_t)start * MLP[l], (int)MLP[l], w[l], (int)MLP[l],
                        0, a[l + 1] + (size_t)start * MLP[l + 1], (int)MLP[l + 1]);
        }
    }
    double rate = W4_CALLS * W4_SAMPLES / (now() - t0);
    for (int l = 0; l < 4; l++) free(a[l]);
    for (int l = 0; l < 3; l++) free(w[l]);
    return rate;
}

/* Predict on square identity layers n-n-n at batch b: the shapes around the loop/GEMM switch
   (smallLayerWeights in Sources/Plexus/DenseKernels.swift compares n*n weights per layer). */
static void crossover(void) {
    const int shapes[][2] = {{8, 1}, {16, 1}, {16, 8}, {16, 16}, {32, 4}, {32, 16}, {64, 1}, {64, 4}, {128, 1}, {128, 8}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        uint32_t n = (uint32_t)shapes[s][0];
        size_t b = (size_t)shapes[s][1];
        const uint32_t sizes[] = {n, n, n};
        const plexus_activation acts[] = {PLEXUS_IDENTITY, PLEXUS_IDENTITY};
        plexus_net *net = NULL;
        check(plexus_create(sizes, acts, 3, 0, 1, &net), "plexus_create");
        float *x = random_floats(b * n, 3), *y = allocate(b * n * sizeof *y);
        long calls = 20000000L / (long)(b * n * n) + 1000;
        double best = 1e30;
        for (int r = 0; r < 5; r++) {
            double t0 = now();
            for (long i = 0; i < calls; i++) check(plexus_predict(net, x, b, y), "plexus_predict");
            double ns = (now() - t0) * 1e9 / (double)calls;
            if (ns < best) best = ns;
        }
        printf("crossover %u-%u-%u, batch %zu (%zu MACs/layer): best of 5 %.1f ns/call\n", n, n, n, b, b * n * n, best);
        free(x);
        free(y);
        plexus_free(net);
    }
}

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "crossover") == 0) {
        crossover();
        return 0;
    }
    if (argc != 3) {
        fprintf(stderr, "usage: %s w1|w2|w3|w4|sgemm-w3|sgemm-w4|info THREADS  |  %s crossover\n", argv[0], argv[0]);
        return 64;
    }
    check(plexus_set_threads(atoi(argv[2])), "plexus_set_threads");
    print_machine(stderr, "bench_core");
    const char *w = argv[1];
    if (strcmp(w, "info") == 0) {
        printf("%s\n", plexus_gemm_info());
        return 0;
    }
    if (strncmp(w, "sgemm-", 6) == 0) product_threads = atoi(argv[2]) > 0 ? atoi(argv[2]) : 1;
    double figure = strcmp(w, "w1") == 0 ? w1()
                  : strcmp(w, "w2") == 0 ? w2()
                  : strcmp(w, "w3") == 0 ? w3()
                  : strcmp(w, "w4") == 0 ? w4()
                  : strcmp(w, "sgemm-w3") == 0 ? sgemm_w3()
                  : strcmp(w, "sgemm-w4") == 0 ? sgemm_w4()
                  : -1;
    if (figure < 0) {
        fprintf(stderr, "unknown workload %s\n", w);
        return 64;
    }
    printf("%.6g\n", figure);
    return 0;
}
