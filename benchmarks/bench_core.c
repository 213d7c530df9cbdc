/* Core speed figures of libplexus from C: tiny-network calls and an MNIST-sized MLP.
   Each workload runs RUNS times; the median and min-max are printed.
   Build and run: make bench-core   (see benchmarks/RESULTS.md for recorded figures) */
#define _POSIX_C_SOURCE 200809L
#include "plexus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Runs per workload: 5, or $PLEXUS_BENCH_RUNS (bench_python.py alternates single C runs with
   Python runs). */
enum { MAX_RUNS = 64 };
static int RUNS = 5;

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

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *name, const char *unit, double *values) {
    qsort(values, RUNS, sizeof *values, compare);
    printf("%-44s median %12.1f %-10s (min %.1f, max %.1f)\n", name, values[RUNS / 2], unit, values[0], values[RUNS - 1]);
}

static plexus_net *create(const uint32_t *sizes, const plexus_activation *acts, size_t n) {
    plexus_net *net = NULL;
    check(plexus_create(sizes, acts, n, 0, 1, &net), "plexus_create");
    return net;
}

static void tiny_predict(void) {
    const uint32_t sizes[] = {2, 4, 1};
    const plexus_activation acts[] = {PLEXUS_SIGMOID, PLEXUS_SIGMOID};
    plexus_net *net = create(sizes, acts, 3);
    const long calls = 2000000;
    double ns[MAX_RUNS];
    float x[2] = {0.3f, 0.7f}, y = 0, sink = 0;
    for (int r = 0; r < RUNS; r++) {
        double t0 = now();
        for (long i = 0; i < calls; i++) {
            x[0] = (float)(i & 1);
            check(plexus_predict(net, x, 1, &y), "plexus_predict");
            sink += y;
        }
        ns[r] = (now() - t0) * 1e9 / (double)calls;
    }
    report("W1 2-4-1 sigmoid predict, 1 sample/call", "ns/call", ns);
    if (sink < 0) printf("%f\n", sink);
    plexus_free(net);
}

static void tiny_train(void) {
    const uint32_t sizes[] = {2, 4, 1};
    const plexus_activation acts[] = {PLEXUS_SIGMOID, PLEXUS_SIGMOID};
    const float x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, y[4] = {0, 1, 1, 0};
    const long updates = 100000;
    double ns[MAX_RUNS];
    for (int r = 0; r < RUNS; r++) {
        plexus_net *net = create(sizes, acts, 3);
        check(plexus_set_sgd(net, 0.5f, 0.0f), "plexus_set_sgd");
        double t0 = now();
        for (long i = 0; i < updates; i++) {
            check(plexus_forward(net, x[i & 3], 1, NULL), "plexus_forward");
            check(plexus_backward(net, &y[i & 3], 1, NULL), "plexus_backward");
            check(plexus_step(net), "plexus_step");
        }
        ns[r] = (now() - t0) * 1e9 / (double)updates;
        float out[4];
        check(plexus_predict(net, &x[0][0], 4, out), "plexus_predict");
        int learned = out[0] < 0.5f && out[1] > 0.5f && out[2] > 0.5f && out[3] < 0.5f;
        if (!learned) printf("warning: XOR not learned in run %d\n", r);
        plexus_free(net);
    }
    report("W2 XOR 2-4-1 forward+backward+step", "ns/update", ns);
}

static float *random_floats(size_t n, unsigned seed) {
    float *p = malloc(n * sizeof *p);
    if (!p) exit(1);
    srand(seed);
    for (size_t i = 0; i < n; i++) p[i] = (float)rand() / (float)RAND_MAX - 0.5f;
    return p;
}

static void mlp(void) {
    const uint32_t sizes[] = {784, 256, 128, 10};
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_RELU, PLEXUS_SOFTMAX};
    const size_t n = 20000, infer = 10000;
    float *x = random_floats(n * 784, 1);
    float *y = calloc(n * 10, sizeof *y);
    float *out = malloc(infer * 10 * sizeof *out);
    if (!y || !out) exit(1);
    for (size_t i = 0; i < n; i++) y[i * 10 + (size_t)rand() % 10] = 1.0f;
    double train_rate[MAX_RUNS], infer_rate[MAX_RUNS];
    for (int r = 0; r < RUNS; r++) {
        plexus_net *net = create(sizes, acts, 4);
        check(plexus_set_loss(net, PLEXUS_CROSS_ENTROPY), "plexus_set_loss");
        double t0 = now();
        check(plexus_train(net, x, y, n, 1, 64, 1, NULL, NULL), "plexus_train");
        train_rate[r] = (double)n / (now() - t0);
        t0 = now();
        check(plexus_predict(net, x, infer, out), "plexus_predict");
        infer_rate[r] = (double)infer / (now() - t0);
        plexus_free(net);
    }
    report("W3 784-256-128-10 train, batch 64, 1 epoch", "samples/s", train_rate);
    report("W4 784-256-128-10 predict, 10000 in 1 call", "samples/s", infer_rate);
    free(x);
    free(y);
    free(out);
}

/* Predict on square identity layers n-n-n at batch b: the shapes around the loop/sgemm switch
   (blasThreshold in Sources/Plexus/DenseKernels.swift compares b*n*n multiply-adds per layer). */
static void crossover(void) {
    const int shapes[][2] = {{8, 1}, {16, 1}, {16, 8}, {16, 16}, {32, 4}, {32, 16}, {64, 1}, {64, 4}, {128, 1}, {128, 8}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        uint32_t n = (uint32_t)shapes[s][0];
        size_t b = (size_t)shapes[s][1];
        const uint32_t sizes[] = {n, n, n};
        const plexus_activation acts[] = {PLEXUS_IDENTITY, PLEXUS_IDENTITY};
        plexus_net *net = create(sizes, acts, 3);
        float *x = random_floats(b * n, 3), *y = malloc(b * n * sizeof *y);
        if (!y) exit(1);
        long calls = 20000000L / (long)(b * n * n) + 1000;
        double ns[MAX_RUNS];
        for (int r = 0; r < RUNS; r++) {
            double t0 = now();
            for (long i = 0; i < calls; i++) check(plexus_predict(net, x, b, y), "plexus_predict");
            ns[r] = (now() - t0) * 1e9 / (double)calls;
        }
        char name[64];
        snprintf(name, sizeof name, "crossover %u-%u-%u, batch %zu (%zu MACs/layer)", n, n, n, b, b * n * n);
        report(name, "ns/call", ns);
        free(x);
        free(y);
        plexus_free(net);
    }
}

int main(int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : "";
    const char *runs = getenv("PLEXUS_BENCH_RUNS");
    if (runs && atoi(runs) >= 1 && atoi(runs) <= MAX_RUNS) RUNS = atoi(runs);
    printf("libplexus %s, %d runs per workload\n", plexus_version(), RUNS);
    if (!*only || strcmp(only, "tiny") == 0) {
        tiny_predict();
        tiny_train();
    }
    if (!*only || strcmp(only, "mlp") == 0) mlp();
    if (strcmp(only, "crossover") == 0) crossover();
    return 0;
}
