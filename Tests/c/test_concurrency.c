/* Threads: 8 threads calling plexus_predict on one net for about two seconds all get the serial
   result bitwise; 6 nets trained at once on 6 threads each end bitwise where a lone run ends;
   4 threads predicting with a large net, whose calls run on Plexus's thread pool (one at a time,
   the others on their own thread), while a fifth changes the pool's size, all get the serial
   result; a net with layer norms, whose norms split a batch's rows (forward, and ∂L/∂x) and
   their parameters' features (the weight's and bias's gradients) over the pool, gives at 3
   threads bitwise what it gives at 1, predicting and training. Also built against a
   ThreadSanitizer-instrumented library by `make test`, which reports any two of those tasks
   touching the same float. */
#define _POSIX_C_SOURCE 200809L
#include "plexus.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PREDICTORS = 8, TRAINERS = 6, ROWS = 32, IN = 16, OUT = 4, N = 96 };

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double seconds = 2.0;
static const plexus_net *shared_net;
static float inputs[ROWS * IN], serial[ROWS * OUT];

struct predictor { long calls, mismatches, failures; };

static void *predict_loop(void *arg) {
    struct predictor *p = (struct predictor *)arg;
    float out[ROWS * OUT];
    double end = now() + seconds;
    while (now() < end) {
        for (int k = 0; k < 100; k++) {
            if (plexus_predict(shared_net, inputs, ROWS, out) != PLEXUS_OK) p->failures++;
            else if (memcmp(out, serial, sizeof out) != 0) p->mismatches++;
            p->calls++;
        }
    }
    return NULL;
}

static float train_x[N * IN], train_y[N * OUT];

/* Trains a fresh net for `seed`; writes its parameters to `params`. Returns 0 on success. */
static int train_one(uint64_t seed, float *params) {
    const uint32_t sizes[] = {IN, 24, OUT};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_SOFTMAX};
    plexus_net *net = NULL;
    plexus_status s = plexus_create(sizes, acts, 3, 0, seed, &net);
    if (s == PLEXUS_OK) s = plexus_set_loss(net, PLEXUS_CROSS_ENTROPY);
    if (s == PLEXUS_OK) s = plexus_set_adam(net, 0.01f, 0.9f, 0.999f, 1e-8f);
    if (s == PLEXUS_OK) s = plexus_train(net, train_x, train_y, N, 30, 16, seed, NULL, NULL);
    if (s == PLEXUS_OK) s = plexus_get_params(net, params);
    plexus_free(net);
    return s != PLEXUS_OK;
}

struct trainer { uint64_t seed; float params[IN * 24 + 24 + 24 * OUT + OUT]; int failed; };

static void *train_thread(void *arg) {
    struct trainer *t = (struct trainer *)arg;
    t->failed = train_one(t->seed, t->params);
    return NULL;
}

/* The pool under contention: a net large enough that predict cuts its work into tasks. */
enum { BIG_ROWS = 1100, BIG_IN = 200, POOL_USERS = 4 };
static float big_x[BIG_ROWS * BIG_IN], big_serial[BIG_ROWS * OUT];
static const plexus_net *big_net;
static int resizing_done; /* read and written with __atomic builtins */

static void *predict_big(void *arg) {
    struct predictor *p = (struct predictor *)arg;
    float *out = malloc(sizeof(float) * BIG_ROWS * OUT);
    if (!out) { p->failures++; return NULL; }
    for (int k = 0; k < 12; k++) {
        if (plexus_predict(big_net, big_x, BIG_ROWS, out) != PLEXUS_OK) p->failures++;
        else if (memcmp(out, big_serial, sizeof big_serial) != 0) p->mismatches++;
        p->calls++;
    }
    free(out);
    return NULL;
}

static void *resize_pool(void *unused) {
    (void)unused;
    for (int k = 0; !__atomic_load_n(&resizing_done, __ATOMIC_ACQUIRE); k++) {
        if (plexus_set_threads(1 + k % 4) != PLEXUS_OK) return (void *)1;
        struct timespec pause = {0, 2000000};
        nanosleep(&pause, NULL);
    }
    return NULL;
}

/* Layer norms on the pool: a 512-row block (one block, so its norms' rows and features are cut
   among the threads) predicted and trained for 3 steps at `threads` threads; the outputs and the
   parameters after training go to `out` and `params`. */
enum { NORM_ROWS = 512, NORM_IN = 96, NORM_WIDTH = 128 };
static float norm_x[NORM_ROWS * NORM_IN], norm_y[NORM_ROWS * OUT];

static int layer_norms_at(int threads, float *out, float *params, size_t *count) {
    const uint32_t shape[1] = {NORM_IN};
    plexus_layer layers[6];
    memset(layers, 0, sizeof layers);
    for (int i = 0; i < 6; i++) layers[i].struct_size = sizeof(plexus_layer);
    if (plexus_layer_defaults(PLEXUS_LAYER_LAYER_NORM, &layers[0]) != PLEXUS_OK) return 1;
    layers[1].kind = PLEXUS_LAYER_DENSE; layers[1].units = NORM_WIDTH; layers[1].activation = PLEXUS_RELU;
    if (plexus_layer_defaults(PLEXUS_LAYER_LAYER_NORM, &layers[2]) != PLEXUS_OK) return 1;
    layers[3].kind = PLEXUS_LAYER_DENSE; layers[3].units = NORM_WIDTH; layers[3].activation = PLEXUS_TANH;
    if (plexus_layer_defaults(PLEXUS_LAYER_LAYER_NORM, &layers[4]) != PLEXUS_OK) return 1;
    layers[4].flags = PLEXUS_NO_AFFINE;
    layers[5].kind = PLEXUS_LAYER_DENSE; layers[5].units = OUT; layers[5].activation = PLEXUS_SOFTMAX;
    plexus_net *net = NULL;
    float loss = 0;
    int failed = plexus_set_threads(threads) != PLEXUS_OK || plexus_create_layers(shape, 1, layers, 6, 5, &net) != PLEXUS_OK ||
                 plexus_set_loss(net, PLEXUS_CROSS_ENTROPY) != PLEXUS_OK || plexus_set_adam(net, 0.01f, 0.9f, 0.999f, 1e-8f) != PLEXUS_OK;
    for (int step = 0; step < 3 && !failed; step++) failed = plexus_train_step(net, norm_x, norm_y, NORM_ROWS, &loss) != PLEXUS_OK;
    if (!failed) failed = plexus_predict(net, norm_x, NORM_ROWS, out) != PLEXUS_OK;
    if (!failed) {
        *count = plexus_param_count(net);
        failed = plexus_get_params(net, params) != PLEXUS_OK;
    }
    if (failed) fprintf(stderr, "layer norms at %d threads: %s\n", threads, plexus_last_error());
    plexus_free(net);
    return failed;
}

int main(int argc, char **argv) {
    if (argc > 1) seconds = atof(argv[1]);
    int failures = 0, checks = 0;
    for (int i = 0; i < ROWS * IN; i++) inputs[i] = (float)((i * 7919) % 101) / 50.0f - 1.0f;
    for (int i = 0; i < N * IN; i++) train_x[i] = (float)((i * 104729) % 97) / 48.0f - 1.0f;
    for (int i = 0; i < N; i++) train_y[i * OUT + (i * 31) % OUT] = 1.0f;

    /* One net, many readers. */
    const uint32_t sizes[] = {IN, 64, 64, OUT};
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_TANH, PLEXUS_SOFTMAX};
    plexus_net *net = NULL;
    if (plexus_create(sizes, acts, 4, 0, 3, &net) != PLEXUS_OK || plexus_predict(net, inputs, ROWS, serial) != PLEXUS_OK) {
        fprintf(stderr, "setup: %s\n", plexus_last_error());
        return 1;
    }
    shared_net = net;
    pthread_t threads[PREDICTORS > TRAINERS ? PREDICTORS : TRAINERS];
    struct predictor predictors[PREDICTORS];
    memset(predictors, 0, sizeof predictors);
    for (int t = 0; t < PREDICTORS; t++) pthread_create(&threads[t], NULL, predict_loop, &predictors[t]);
    long calls = 0;
    for (int t = 0; t < PREDICTORS; t++) {
        pthread_join(threads[t], NULL);
        checks++;
        failures += predictors[t].mismatches != 0 || predictors[t].failures != 0 || predictors[t].calls == 0;
        calls += predictors[t].calls;
    }
    printf("%d threads made %ld predict calls on one net in %.1f s: all equal to the serial result: %s\n",
           PREDICTORS, calls, seconds, failures ? "NO" : "yes");
    plexus_free(net);

    /* Many nets, one per thread, against lone runs. */
    static struct trainer alone[TRAINERS], together[TRAINERS];
    for (int t = 0; t < TRAINERS; t++) {
        alone[t].seed = together[t].seed = 100 + (uint64_t)t;
        checks++;
        failures += train_one(alone[t].seed, alone[t].params);
    }
    for (int t = 0; t < TRAINERS; t++) pthread_create(&threads[t], NULL, train_thread, &together[t]);
    for (int t = 0; t < TRAINERS; t++) {
        pthread_join(threads[t], NULL);
        checks++;
        int same = !together[t].failed && memcmp(alone[t].params, together[t].params, sizeof alone[t].params) == 0;
        if (!same) fprintf(stderr, "FAIL: net %d trained on a thread differs from its lone run\n", t);
        failures += !same;
    }
    printf("%d nets trained at once on %d threads: bitwise equal to their lone runs: %s\n", TRAINERS, TRAINERS,
           failures ? "NO" : "yes");

    /* The pool shared by several callers while its size changes. */
    for (int i = 0; i < BIG_ROWS * BIG_IN; i++) big_x[i] = (float)((i * 7919) % 103) / 51.0f - 1.0f;
    const uint32_t big_sizes[] = {BIG_IN, 256, 160, OUT};
    plexus_net *big = NULL;
    if (plexus_set_threads(3) != PLEXUS_OK || plexus_create(big_sizes, acts, 4, 0, 7, &big) != PLEXUS_OK ||
        plexus_predict(big, big_x, BIG_ROWS, big_serial) != PLEXUS_OK) {
        fprintf(stderr, "setup of the large net: %s\n", plexus_last_error());
        return 1;
    }
    big_net = big;
    struct predictor users[POOL_USERS];
    memset(users, 0, sizeof users);
    pthread_t resizer;
    pthread_create(&resizer, NULL, resize_pool, NULL);
    for (int t = 0; t < POOL_USERS; t++) pthread_create(&threads[t], NULL, predict_big, &users[t]);
    int pool_failures = 0;
    for (int t = 0; t < POOL_USERS; t++) {
        pthread_join(threads[t], NULL);
        checks++;
        pool_failures += users[t].mismatches != 0 || users[t].failures != 0 || users[t].calls != 12;
    }
    __atomic_store_n(&resizing_done, 1, __ATOMIC_RELEASE);
    void *resize_result = NULL;
    pthread_join(resizer, &resize_result);
    checks++;
    pool_failures += resize_result != NULL;
    failures += pool_failures;
    printf("%d threads predicting with a large net while the pool was resized: all equal to the serial result: %s\n",
           POOL_USERS, pool_failures ? "NO" : "yes");
    plexus_free(big);

    /* Layer norms cut among the pool's threads. */
    for (int i = 0; i < NORM_ROWS * NORM_IN; i++) norm_x[i] = (float)((i * 7919) % 89) / 22.0f - 2.0f;
    for (int i = 0; i < NORM_ROWS; i++) norm_y[i * OUT + (i * 7) % OUT] = 1.0f;
    enum { NORM_PARAMS = 2 * NORM_IN + NORM_IN * NORM_WIDTH + NORM_WIDTH + 2 * NORM_WIDTH + NORM_WIDTH * NORM_WIDTH + NORM_WIDTH
                         + NORM_WIDTH * OUT + OUT };
    static float one_out[NORM_ROWS * OUT], three_out[NORM_ROWS * OUT], one_params[NORM_PARAMS], three_params[NORM_PARAMS];
    size_t one_count = 0, three_count = 0;
    int norm_failures = layer_norms_at(1, one_out, one_params, &one_count) + layer_norms_at(3, three_out, three_params, &three_count);
    checks++;
    norm_failures += one_count != NORM_PARAMS || three_count != NORM_PARAMS || memcmp(one_out, three_out, sizeof one_out) != 0 ||
                     memcmp(one_params, three_params, sizeof one_params) != 0;
    failures += norm_failures != 0;
    printf("a net with layer norms at 3 threads, predicting and training: bitwise its 1-thread result: %s\n",
           norm_failures ? "NO" : "yes");
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures != 0;
}
