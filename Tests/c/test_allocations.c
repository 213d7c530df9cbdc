/* Steady-state passes make no heap allocation: run with LD_PRELOAD=alloc_counter.so (make
   test-c does), which counts every malloc-family call in the process.

   Checked: forward/backward/step after the first steps of a batch size (SGD, momentum, Adam;
   a tiny net and the MNIST-sized MLP, at 1, 2 and 3 threads), plexus_predict of a batch size
   already seen (and of one row), and plexus_train, whose allocations must not grow with the
   number of steps it takes (it allocates its shuffle order and target rows once per call).
   Every thread count allocates nothing: Plexus's pool hands out work without allocating, and
   the GEMM packs into a scratch each thread allocates once, on its first product. */
#define _GNU_SOURCE
#include "plexus.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static unsigned long (*allocations)(void);

static float *filled(size_t n, unsigned seed) {
    float *p = malloc(n * sizeof *p);
    if (!p) exit(1);
    for (size_t i = 0; i < n; i++) p[i] = (float)((i * 7919 + seed * 104729) % 1000) / 1000.0f - 0.5f;
    return p;
}

static float *one_hot(size_t rows, size_t classes) {
    float *y = calloc(rows * classes, sizeof *y);
    if (!y) exit(1);
    for (size_t r = 0; r < rows; r++) y[r * classes + (r * 3) % classes] = 1.0f;
    return y;
}

/* `count` training steps: plexus_train_step calls (`one_call`), or forward, backward and step. */
static void run_steps(plexus_net *net, int one_call, const float *x, const float *y, size_t batch, int count) {
    float loss_value = 0;
    for (int step = 0; step < count; step++) {
        if (one_call) {
            OK(plexus_train_step(net, x, y, batch, &loss_value));
            continue;
        }
        OK(plexus_forward(net, x, batch, NULL));
        OK(plexus_backward(net, y, batch, &loss_value));
        OK(plexus_step(net));
    }
}

/* Steps after the first allocate nothing, for each optimizer, and so do plexus_train_step calls
   with AdamW, weight decay, clipping and dropout (optimizer 3). (A few warm-up steps: a pool
   thread running its first product allocates its GEMM scratch once.) */
static void steady_steps(const uint32_t *sizes, const plexus_activation *acts, size_t n_sizes, plexus_loss loss,
                         size_t batch, const char *name) {
    size_t in = sizes[0], out = sizes[n_sizes - 1];
    float *x = filled(batch * in, 1), *y = one_hot(batch, out);
    unsigned long before_steady = 0;
    for (int optimizer = 0; optimizer < 5; optimizer++) {
        plexus_net *net = NULL;
        OK(plexus_create(sizes, acts, n_sizes, 0, 1, &net));
        if (!net) break;
        OK(plexus_set_loss(net, loss));
        if (optimizer == 0) OK(plexus_set_sgd(net, 0.01f, 0.0f));
        if (optimizer == 1) OK(plexus_set_sgd(net, 0.01f, 0.9f));
        if (optimizer == 2) OK(plexus_set_adam(net, 0.001f, 0.9f, 0.999f, 1e-8f));
        if (optimizer == 4) OK(plexus_set_rmsprop(net, 0.001f, 0.99f, 1e-8f, 0.9f, 1));
        if (optimizer == 3) {
            OK(plexus_set_adamw(net, 0.001f, 0.9f, 0.999f, 1e-8f, 0.01f));
            OK(plexus_set_grad_clip(net, 1.0f));
            OK(plexus_set_dropout(net, 1, 0.25f));
        }
        run_steps(net, optimizer == 3, x, y, batch, 5);
        before_steady = allocations();
        run_steps(net, optimizer == 3, x, y, batch, 20);
        unsigned long before = before_steady;
        unsigned long made = allocations() - before;
        /* On a loaded machine a pool thread may get its first product only now: its GEMM scratch
           (3 allocations, once per thread) is then the window's only allocation, and the next 20
           steps must make none. */
        if (made != 0 && made % 3 == 0 && made <= 3 * (unsigned long)plexus_get_threads()) {
            before = allocations();
            run_steps(net, optimizer == 3, x, y, batch, 20);
            made = allocations() - before;
        }
        CHECK(made == 0, "%s, optimizer %d: 20 steady steps made %lu allocations", name, optimizer, made);
        plexus_free(net);
    }
    free(x);
    free(y);
}

/* predict of a batch size already seen, or a smaller one, allocates nothing. */
static void steady_predict(const uint32_t *sizes, const plexus_activation *acts, size_t n_sizes, size_t batch,
                           const char *name) {
    size_t in = sizes[0], out = sizes[n_sizes - 1];
    float *x = filled(batch * in, 2), *y = malloc(batch * out * sizeof *y);
    if (!y) exit(1);
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, n_sizes, 0, 1, &net));
    if (net) {
        for (int warm = 0; warm < 3; warm++) OK(plexus_predict(net, x, batch, y));
        unsigned long before = allocations();
        for (int call = 0; call < 10; call++) OK(plexus_predict(net, x, batch, y));
        unsigned long made = allocations() - before;
        CHECK(made == 0, "%s: 10 predicts of a seen batch size made %lu allocations", name, made);
        before = allocations();
        OK(plexus_predict(net, x, 1, y));
        made = allocations() - before;
        CHECK(made == 0, "%s: a one-row predict made %lu allocations", name, made);
        plexus_free(net);
    }
    free(x);
    free(y);
}

/* A net that carries transforms maps a few rows on the stack: one-row predicts allocate nothing. */
static void transformed_one_row(void) {
    const uint32_t sizes[] = {3, 8, 2};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_IDENTITY};
    const float shift[3] = {1, 2, 3}, scale[3] = {0.5f, 0.25f, 2}, out_scale[2] = {10, 20}, out_shift[2] = {-1, 1};
    float x[3] = {4, 5, 6}, y[2];
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, 3, 0, 1, &net));
    if (!net) return;
    OK(plexus_set_transform(net, PLEXUS_INPUTS, shift, scale));
    OK(plexus_set_transform(net, PLEXUS_OUTPUTS, out_shift, out_scale));
    for (int warm = 0; warm < 3; warm++) OK(plexus_predict(net, x, 1, y));
    unsigned long before = allocations();
    for (int call = 0; call < 10; call++) OK(plexus_predict(net, x, 1, y));
    unsigned long made = allocations() - before;
    CHECK(made == 0, "10 one-row predicts through transforms made %lu allocations", made);
    plexus_free(net);
}

/* plexus_train's allocations are per call, not per step: 2 and 40 batches cost the same. */
static void train_is_per_call(void) {
    const uint32_t sizes[] = {64, 32, 10};
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_SOFTMAX};
    enum { N = 40 * 16 };
    float *x = filled(N * 64, 3), *y = one_hot(N, 10);
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, 3, 0, 1, &net));
    if (!net) return;
    OK(plexus_set_loss(net, PLEXUS_CROSS_ENTROPY));
    OK(plexus_train(net, x, y, N, 1, 16, 1, NULL, NULL));   /* first call: the forward cache */
    unsigned long before = allocations();
    OK(plexus_train(net, x, y, 32, 1, 16, 1, NULL, NULL));  /* 2 steps */
    unsigned long short_run = allocations() - before;
    before = allocations();
    OK(plexus_train(net, x, y, N, 1, 16, 1, NULL, NULL));   /* 40 steps */
    unsigned long long_run = allocations() - before;
    before = allocations();
    OK(plexus_train(net, x, y, N, 5, 16, 1, NULL, NULL));   /* 200 steps over 5 epochs */
    unsigned long epochs_run = allocations() - before;
    CHECK(short_run == long_run && long_run == epochs_run,
          "plexus_train allocations grow with its steps: %lu for 2, %lu for 40, %lu for 200", short_run, long_run,
          epochs_run);
    CHECK(long_run <= 4, "plexus_train made %lu allocations per call (expected its order and targets only)", long_run);
    plexus_free(net);
    free(x);
    free(y);
}

int main(void) {
    void *symbol = dlsym(RTLD_DEFAULT, "alloc_counter_total");
    memcpy(&allocations, &symbol, sizeof symbol);   /* POSIX's way around ISO C's object/function split */
    if (!symbol) {
        fprintf(stderr, "alloc_counter_total not found: run with LD_PRELOAD=<build>/alloc_counter.so\n");
        return 1;
    }
    const uint32_t tiny[] = {2, 4, 1}, mlp[] = {784, 256, 128, 10};
    const plexus_activation tiny_acts[] = {PLEXUS_SIGMOID, PLEXUS_SIGMOID};
    const plexus_activation mlp_acts[] = {PLEXUS_RELU, PLEXUS_RELU, PLEXUS_SOFTMAX};
    unsigned long start = allocations();
    static void *volatile counted;
    counted = malloc(16);
    CHECK(allocations() == start + 1, "the counter did not see a malloc: is it preloaded?");
    free(counted);
    for (int threads = 1; threads <= 3; threads++) {
        OK(plexus_set_threads(threads));
        char name[64];
        snprintf(name, sizeof name, "2-4-1 sigmoid, batch 1, %d thread(s)", threads);
        steady_steps(tiny, tiny_acts, 3, PLEXUS_MSE, 1, name);
        snprintf(name, sizeof name, "784-256-128-10, batch 64, %d thread(s)", threads);
        steady_steps(mlp, mlp_acts, 4, PLEXUS_CROSS_ENTROPY, 64, name);
        snprintf(name, sizeof name, "2-4-1, %d thread(s)", threads);
        steady_predict(tiny, tiny_acts, 3, 1, name);
        snprintf(name, sizeof name, "784-256-128-10, 10,000 rows, %d thread(s)", threads);
        steady_predict(mlp, mlp_acts, 4, 10000, name);
    }
    OK(plexus_set_threads(1));   /* one thread: every allocation left is plexus_train's own */
    transformed_one_row();
    train_is_per_call();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
