/* C API test: compiled with -std=c99 -Wall -Wextra -Werror -pedantic against include/plexus.h
   alone, run plain and under valgrind. It walks seed 004 through the ABI, checks the statuses and
   messages of bad calls, the untouched-output rule, training, determinism and threaded predict. */
#define _POSIX_C_SOURCE 200809L
/* The deprecated calls keep their tests until 1.0 removes them (Tests/c/test_must_use.sh checks
   that calling one warns). */
#define PLEXUS_DEPRECATED(message)
#include "plexus.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static int close_to(double a, double b, double tol) { return fabs(a - b) <= tol; }

static void test_version_and_names(void) {
    char expected[32];
    snprintf(expected, sizeof expected, "%d.%d.%d", PLEXUS_VERSION_MAJOR, PLEXUS_VERSION_MINOR, PLEXUS_VERSION_PATCH);
    CHECK(strcmp(plexus_version(), expected) == 0, "library %s, header %s", plexus_version(), expected);
    CHECK(PLEXUS_VERSION_NUMBER == PLEXUS_VERSION_MAJOR * 1000000 + PLEXUS_VERSION_MINOR * 1000 + PLEXUS_VERSION_PATCH,
          "PLEXUS_VERSION_NUMBER %d does not match the version macros", PLEXUS_VERSION_NUMBER);
    CHECK(plexus_version_number() == PLEXUS_VERSION_NUMBER, "library number %d, header %d", plexus_version_number(),
          PLEXUS_VERSION_NUMBER);
    CHECK(strcmp(plexus_status_name(PLEXUS_OK), "PLEXUS_OK") == 0, "OK name");
    CHECK(strcmp(plexus_status_name(PLEXUS_ERR_ARGUMENT), "PLEXUS_ERR_ARGUMENT") == 0, "ARGUMENT name");
    CHECK(strcmp(plexus_status_name(PLEXUS_ERR_SHAPE), "PLEXUS_ERR_SHAPE") == 0, "SHAPE name");
    CHECK(strcmp(plexus_status_name(PLEXUS_ERR_STATE), "PLEXUS_ERR_STATE") == 0, "STATE name");
    CHECK(strcmp(plexus_status_name(PLEXUS_ERR_IO), "PLEXUS_ERR_IO") == 0, "IO name");
    CHECK(strcmp(plexus_status_name(PLEXUS_ERR_FORMAT), "PLEXUS_ERR_FORMAT") == 0, "FORMAT name");
    CHECK(strcmp(plexus_status_name(PLEXUS_ERR_MEMORY), "PLEXUS_ERR_MEMORY") == 0, "MEMORY name");
    CHECK(strcmp(plexus_status_name(PLEXUS_ERR_NUMERIC), "PLEXUS_ERR_NUMERIC") == 0, "NUMERIC name");
    CHECK(strcmp(plexus_status_name((plexus_status)99), "PLEXUS_ERR_UNKNOWN") == 0, "unknown name");
}

/* Seed 004: 2-2-1, identity, no bias, quadratic cost, SGD 0.05, input (2, 3), target 1. */
static void test_seed004(void) {
    const uint32_t sizes[] = {2, 2, 1};
    const plexus_activation acts[] = {PLEXUS_IDENTITY, PLEXUS_IDENTITY};
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, 3, PLEXUS_NO_BIAS, 0, &net));
    if (!net) return;
    OK(plexus_set_loss(net, PLEXUS_QUADRATIC));
    OK(plexus_set_sgd(net, 0.05f, 0.0f));
    const float w1[] = {0.11f, 0.21f, 0.12f, 0.08f}, w2[] = {0.14f, 0.15f};
    OK(plexus_set_weights(net, 1, w1, NULL));
    OK(plexus_set_weights(net, 2, w2, NULL));
    CHECK(plexus_param_count(net) == 6, "param count %zu", plexus_param_count(net));

    const float x[] = {2, 3}, target[] = {1};
    float y = 0, loss = 0;
    OK(plexus_forward(net, x, 1, &y));
    CHECK(close_to(y, 0.191, 1e-6), "forward %.7f", y);
    OK(plexus_backward(net, target, 1, &loss));
    CHECK(close_to(loss, 0.3272405, 1e-6), "loss %.7f", loss);

    const double grads_expected[] = {-0.22652, -0.33978, -0.2427, -0.36405, -0.68765, -0.38832};
    float grads[6];
    OK(plexus_get_grads(net, grads));
    for (int i = 0; i < 6; i++) CHECK(close_to(grads[i], grads_expected[i], 2e-6), "grad %d: %.7f", i, grads[i]);

    OK(plexus_step(net));
    const double weights_expected[] = {0.121326, 0.226989, 0.132135, 0.0982025, 0.1743825, 0.169416};
    float params[6];
    OK(plexus_get_params(net, params));
    for (int i = 0; i < 6; i++) CHECK(close_to(params[i], weights_expected[i], 1e-6), "w%d: %.7f", i + 1, params[i]);

    OK(plexus_predict(net, x, 1, &y));
    CHECK(close_to(y, 0.2557458, 1e-6), "new prediction %.7f", y);
    plexus_free(net);
}

static plexus_net *make_net(uint64_t seed) {
    const uint32_t sizes[] = {3, 5, 2};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_SIGMOID};
    plexus_net *net = NULL;
    plexus_status s = plexus_create(sizes, acts, 3, 0, seed, &net);
    CHECK(s == PLEXUS_OK && net != NULL, "create: %s", plexus_last_error());
    return net;
}

static void test_bad_creation(void) {
    const uint32_t sizes[] = {3, 5, 2};
    const uint32_t zero[] = {3, 0, 2};
    const uint32_t huge[] = {1u << 30, 1u << 30};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_SIGMOID};
    const plexus_activation unknown[] = {PLEXUS_TANH, (plexus_activation)42};
    plexus_net *sentinel = (plexus_net *)(uintptr_t)0x1234;
    plexus_net *net = sentinel;

    EXPECT_STATUS(plexus_create(NULL, acts, 3, 0, 0, &net), PLEXUS_ERR_ARGUMENT, "sizes is NULL");
    EXPECT_STATUS(plexus_create(sizes, NULL, 3, 0, 0, &net), PLEXUS_ERR_ARGUMENT, "activations is NULL");
    EXPECT_STATUS(plexus_create(sizes, acts, 3, 0, 0, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");
    EXPECT_STATUS(plexus_create(sizes, acts, 1, 0, 0, &net), PLEXUS_ERR_ARGUMENT, "n_sizes is 1");
    EXPECT_STATUS(plexus_create(sizes, acts, 0, 0, 0, &net), PLEXUS_ERR_ARGUMENT, "n_sizes is 0");
    EXPECT_STATUS(plexus_create(sizes, acts, SIZE_MAX, 0, 0, &net), PLEXUS_ERR_ARGUMENT, "at most");
    EXPECT_STATUS(plexus_create(zero, acts, 3, 0, 0, &net), PLEXUS_ERR_ARGUMENT, "sizes[1] is 0");
    EXPECT_STATUS(plexus_create(sizes, unknown, 3, 0, 0, &net), PLEXUS_ERR_ARGUMENT, "activations[1] is 42");
    EXPECT_STATUS(plexus_create(sizes, acts, 3, 8, 0, &net), PLEXUS_ERR_ARGUMENT, "flags is 8");
    EXPECT_STATUS(plexus_create(huge, acts, 2, 0, 0, &net), PLEXUS_ERR_MEMORY, "cannot allocate");
    CHECK(net == sentinel, "out written by a failed create");
    plexus_free(NULL); /* a no-op */
}

static void test_bad_calls(void) {
    plexus_net *net = make_net(1);
    if (!net) return;
    float x[6] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, y[4] = {0, 1, 1, 0};
    float out[4] = {-7, -7, -7, -7}, params[64], loss = -7;
    size_t count = plexus_param_count(net);
    CHECK(count == 5 * 3 + 5 + 2 * 5 + 2, "param count %zu", count);

    /* NULL handles */
    EXPECT_STATUS(plexus_set_loss(NULL, PLEXUS_MSE), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_set_sgd(NULL, 0.1f, 0), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_set_adam(NULL, 0.1f, 0.9f, 0.999f, 1e-8f), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_forward(NULL, x, 2, out), PLEXUS_ERR_ARGUMENT, "plexus_forward: net is NULL");
    EXPECT_STATUS(plexus_backward(NULL, y, 2, &loss), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_step(NULL), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_zero_grads(NULL), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_predict(NULL, x, 2, out), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_train(NULL, x, y, 2, 1, 1, 0, NULL, NULL), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_get_params(NULL, params), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_set_params(NULL, params), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_get_grads(NULL, params), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_set_grads(NULL, params), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_get_weights(NULL, 1, params, NULL), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_set_weights(NULL, 1, params, NULL), PLEXUS_ERR_ARGUMENT, "net is NULL");
    plexus_activation act = PLEXUS_RELU;
    plexus_loss lossKind = PLEXUS_QUADRATIC;
    uint32_t flags = 77;
    EXPECT_STATUS(plexus_layer_activation(NULL, 1, &act), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_get_loss(NULL, &lossKind), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_get_flags(NULL, &flags), PLEXUS_ERR_ARGUMENT, "net is NULL");
    CHECK(plexus_layer_count(NULL) == 0, "layer_count(NULL)");
    CHECK(strstr(plexus_last_error(), "net is NULL") != NULL, "layer_count message: %s", plexus_last_error());
    CHECK(plexus_layer_size(NULL, 0) == 0, "layer_size(NULL)");
    CHECK(plexus_param_count(NULL) == 0, "param_count(NULL)");

    /* NULL buffers */
    EXPECT_STATUS(plexus_forward(net, NULL, 2, out), PLEXUS_ERR_ARGUMENT, "x is NULL");
    EXPECT_STATUS(plexus_predict(net, x, 2, NULL), PLEXUS_ERR_ARGUMENT, "y is NULL");
    EXPECT_STATUS(plexus_predict(net, NULL, 2, out), PLEXUS_ERR_ARGUMENT, "x is NULL");
    EXPECT_STATUS(plexus_train(net, NULL, y, 2, 1, 1, 0, NULL, NULL), PLEXUS_ERR_ARGUMENT, "x is NULL");
    EXPECT_STATUS(plexus_train(net, x, NULL, 2, 1, 1, 0, NULL, NULL), PLEXUS_ERR_ARGUMENT, "y is NULL");
    EXPECT_STATUS(plexus_get_params(net, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");
    EXPECT_STATUS(plexus_set_params(net, NULL), PLEXUS_ERR_ARGUMENT, "in is NULL");
    EXPECT_STATUS(plexus_get_grads(net, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");
    EXPECT_STATUS(plexus_set_grads(net, NULL), PLEXUS_ERR_ARGUMENT, "in is NULL");
    EXPECT_STATUS(plexus_get_weights(net, 1, NULL, NULL), PLEXUS_ERR_ARGUMENT, "w is NULL");
    EXPECT_STATUS(plexus_set_weights(net, 1, NULL, NULL), PLEXUS_ERR_ARGUMENT, "w is NULL");
    EXPECT_STATUS(plexus_layer_activation(net, 1, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");
    EXPECT_STATUS(plexus_get_loss(net, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");
    EXPECT_STATUS(plexus_get_flags(net, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");

    /* zero and huge sizes */
    EXPECT_STATUS(plexus_forward(net, x, 0, out), PLEXUS_ERR_ARGUMENT, "batch is 0");
    EXPECT_STATUS(plexus_predict(net, x, 0, out), PLEXUS_ERR_ARGUMENT, "batch is 0");
    EXPECT_STATUS(plexus_predict(net, x, SIZE_MAX, out), PLEXUS_ERR_ARGUMENT, "larger than any buffer");
    EXPECT_STATUS(plexus_predict(net, x, (size_t)1 << 40, out), PLEXUS_ERR_ARGUMENT, "split it");
    EXPECT_STATUS(plexus_train(net, x, y, 0, 1, 1, 0, NULL, NULL), PLEXUS_ERR_ARGUMENT, "n is 0");
    EXPECT_STATUS(plexus_train(net, x, y, 2, 0, 1, 0, NULL, NULL), PLEXUS_ERR_ARGUMENT, "epochs is 0");
    EXPECT_STATUS(plexus_train(net, x, y, 2, 1, 0, 0, NULL, NULL), PLEXUS_ERR_ARGUMENT, "batch_size is 0");

    /* unknown enums, bad hyperparameters, mismatched loss */
    EXPECT_STATUS(plexus_set_loss(net, (plexus_loss)9), PLEXUS_ERR_ARGUMENT, "loss is 9");
    EXPECT_STATUS(plexus_set_loss(net, PLEXUS_CROSS_ENTROPY), PLEXUS_ERR_ARGUMENT, "softmax");
    EXPECT_STATUS(plexus_set_sgd(net, 0.0f, 0.0f), PLEXUS_ERR_ARGUMENT, "learning rate is 0");
    EXPECT_STATUS(plexus_set_sgd(net, NAN, 0.0f), PLEXUS_ERR_ARGUMENT, "learning rate is nan");
    EXPECT_STATUS(plexus_set_sgd(net, 0.1f, 1.0f), PLEXUS_ERR_ARGUMENT, "momentum is 1");
    EXPECT_STATUS(plexus_set_adam(net, 0.1f, 1.0f, 0.999f, 1e-8f), PLEXUS_ERR_ARGUMENT, "beta1 is 1");
    EXPECT_STATUS(plexus_set_adam(net, 0.1f, 0.9f, NAN, 1e-8f), PLEXUS_ERR_ARGUMENT, "beta2 is nan");
    EXPECT_STATUS(plexus_set_adam(net, 0.1f, 0.9f, 0.999f, -1.0f), PLEXUS_ERR_ARGUMENT, "epsilon is -1");
    OK(plexus_get_loss(net, &lossKind));
    CHECK(lossKind == PLEXUS_MSE, "loss changed by a failed call: %d", (int)lossKind);

    /* layers out of range */
    EXPECT_STATUS(plexus_get_weights(net, 0, params, NULL), PLEXUS_ERR_ARGUMENT, "layer 0 does not exist");
    EXPECT_STATUS(plexus_get_weights(net, 3, params, NULL), PLEXUS_ERR_ARGUMENT, "layer 3 does not exist");
    EXPECT_STATUS(plexus_set_weights(net, SIZE_MAX, params, NULL), PLEXUS_ERR_ARGUMENT, "does not exist");
    EXPECT_STATUS(plexus_layer_activation(net, 0, &act), PLEXUS_ERR_ARGUMENT, "layer 0 does not exist");
    CHECK(plexus_layer_size(net, 3) == 0, "layer_size out of range");
    CHECK(strstr(plexus_last_error(), "layer 3 does not exist") != NULL, "message: %s", plexus_last_error());
    CHECK(plexus_layer_count(net) == 3 && plexus_layer_size(net, 0) == 3 && plexus_layer_size(net, 2) == 2, "sizes");
    OK(plexus_layer_activation(net, 2, &act));
    CHECK(act == PLEXUS_SIGMOID, "activation of layer 2: %d", (int)act);
    OK(plexus_get_flags(net, &flags));
    CHECK(flags == 0, "flags %u", flags);
    plexus_optimizer kind = PLEXUS_ADAM;
    float hyper[4] = {-1, -1, -1, -1};
    EXPECT_STATUS(plexus_get_optimizer(NULL, &kind, hyper), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_get_optimizer(net, NULL, hyper), PLEXUS_ERR_ARGUMENT, "kind is NULL");
    EXPECT_STATUS(plexus_get_optimizer(net, &kind, NULL), PLEXUS_ERR_ARGUMENT, "hyper is NULL");
    OK(plexus_get_optimizer(net, &kind, hyper));
    CHECK(kind == PLEXUS_SGD && hyper[0] == 0.01f && hyper[1] == 0 && hyper[3] == 0, "default optimizer %d %g %g", (int)kind, hyper[0], hyper[1]);
    OK(plexus_set_adam(net, 0.002f, 0.8f, 0.99f, 1e-7f));
    OK(plexus_get_optimizer(net, &kind, hyper));
    CHECK(kind == PLEXUS_ADAM && hyper[0] == 0.002f && hyper[1] == 0.8f && hyper[2] == 0.99f && hyper[3] == 1e-7f, "adam read back");

    /* wrong call order */
    EXPECT_STATUS(plexus_backward(net, y, 2, &loss), PLEXUS_ERR_STATE, "call forward");
    CHECK(loss == -7, "loss_out written by a failed backward");
    OK(plexus_forward(net, x, 2, NULL));
    EXPECT_STATUS(plexus_backward(net, y, 1, &loss), PLEXUS_ERR_STATE, "batch of 1 rows but the last forward had 2");
    OK(plexus_backward(net, y, 2, NULL));
    OK(plexus_step(net));
    EXPECT_STATUS(plexus_backward(net, y, 2, &loss), PLEXUS_ERR_STATE, "forward");

    /* non-finite values; outputs untouched by failures */
    float bad_x[6] = {0.1f, 0.2f, 0.3f, 0.4f, INFINITY, 0.6f};
    EXPECT_STATUS(plexus_predict(net, bad_x, 2, out), PLEXUS_ERR_ARGUMENT, "x[1][1] is inf");
    EXPECT_STATUS(plexus_forward(net, bad_x, 2, out), PLEXUS_ERR_ARGUMENT, "x[1][1] is inf");
    CHECK(out[0] == -7 && out[3] == -7, "y written by a failed call");
    float before[64], after[64], nan_params[64];
    OK(plexus_get_params(net, before));
    memcpy(nan_params, before, sizeof before);
    nan_params[count - 1] = NAN;
    EXPECT_STATUS(plexus_set_params(net, nan_params), PLEXUS_ERR_ARGUMENT, "is nan");
    EXPECT_STATUS(plexus_set_grads(net, nan_params), PLEXUS_ERR_ARGUMENT, "is nan");
    float w_nan[15];
    for (int i = 0; i < 15; i++) w_nan[i] = (i == 7) ? NAN : 0.5f;
    EXPECT_STATUS(plexus_set_weights(net, 1, w_nan, NULL), PLEXUS_ERR_ARGUMENT, "w[7] is nan");
    OK(plexus_get_params(net, after));
    CHECK(memcmp(before, after, count * sizeof(float)) == 0, "parameters changed by failed calls");
    plexus_free(net);
}

/* A step on an overflowing gradient changes nothing and says NUMERIC; train names epoch and batch. */
static void test_numeric_refusal(void) {
    const uint32_t sizes[] = {1, 1};
    const plexus_activation acts[] = {PLEXUS_IDENTITY};
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, 2, 0, 3, &net));
    if (!net) return;
    OK(plexus_set_sgd(net, 1e25f, 0.9f));
    float before[2], after[2];
    OK(plexus_get_params(net, before));
    const float x[] = {1e10f, 1e10f}, y[] = {0, 0};
    EXPECT_STATUS(plexus_train(net, x, y, 2, 3, 1, 0, NULL, NULL), PLEXUS_ERR_NUMERIC, "epoch 0, batch");
    OK(plexus_get_params(net, after));
    CHECK(isfinite(after[0]) && isfinite(after[1]), "parameters stayed finite");
    float grads[2];
    OK(plexus_get_grads(net, grads));
    CHECK(grads[0] == 0 && grads[1] == 0, "train zeroes gradients after a refused step");
    (void)before;
    plexus_free(net);
}

static int stop_after_third(size_t epoch, float mean_loss, void *user) {
    size_t *seen = (size_t *)user;
    (*seen)++;
    CHECK(isfinite(mean_loss), "epoch %zu loss %f", epoch, mean_loss);
    return epoch == 2;
}

static void test_training_and_determinism(void) {
    enum { N = 40 };
    float x[N * 3], y[N * 2];
    for (int i = 0; i < N * 3; i++) x[i] = (float)((i * 37 % 19) - 9) / 9.0f;
    for (int i = 0; i < N; i++) {
        y[2 * i] = x[3 * i] > 0 ? 1.0f : 0.0f;
        y[2 * i + 1] = 1.0f - y[2 * i];
    }
    plexus_net *a = make_net(5), *b = make_net(5);
    if (!a || !b) return;
    float pa[64], pb[64];
    OK(plexus_get_params(a, pa));
    OK(plexus_get_params(b, pb));
    CHECK(memcmp(pa, pb, plexus_param_count(a) * sizeof(float)) == 0, "same seed, different networks");

    OK(plexus_set_adam(a, 0.01f, 0.9f, 0.999f, 1e-8f));
    OK(plexus_set_adam(b, 0.01f, 0.9f, 0.999f, 1e-8f));
    OK(plexus_train(a, x, y, N, 20, 8, 11, NULL, NULL));
    OK(plexus_train(b, x, y, N, 20, 8, 11, NULL, NULL));
    OK(plexus_get_params(a, pa));
    OK(plexus_get_params(b, pb));
    CHECK(memcmp(pa, pb, plexus_param_count(a) * sizeof(float)) == 0, "same seeds, different training");

    size_t seen = 0;
    OK(plexus_train(a, x, y, N, 100, 8, 11, stop_after_third, &seen));
    CHECK(seen == 3, "callback ran %zu times, expected 3 (stop after epoch 2)", seen);
    plexus_free(a);
    plexus_free(b);
}

/* Many threads predicting on one net give the serial result; a failure on one thread leaves the
   other threads' messages alone. */
enum { THREADS = 4, ROWS = 64 };
struct predict_job {
    const plexus_net *net;
    const float *x;
    float out[ROWS * 2];
    int failures;
};

static void *predict_many(void *arg) {
    struct predict_job *job = (struct predict_job *)arg;
    for (int round = 0; round < 200; round++) {
        if (plexus_predict(job->net, job->x, ROWS, job->out) != PLEXUS_OK) job->failures++;
    }
    float y = 0;
    if (plexus_predict(job->net, job->x, 0, &y) != PLEXUS_ERR_ARGUMENT) job->failures++;
    return NULL;
}

static void test_threaded_predict(void) {
    plexus_net *net = make_net(9);
    if (!net) return;
    float x[ROWS * 3], serial[ROWS * 2];
    for (int i = 0; i < ROWS * 3; i++) x[i] = (float)((i * 13 % 23) - 11) / 7.0f;
    OK(plexus_predict(net, x, ROWS, serial));
    EXPECT_STATUS(plexus_set_loss(net, (plexus_loss)77), PLEXUS_ERR_ARGUMENT, "loss is 77");
    struct predict_job jobs[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        jobs[t].net = net;
        jobs[t].x = x;
        jobs[t].failures = 0;
        CHECK(pthread_create(&threads[t], NULL, predict_many, &jobs[t]) == 0, "pthread_create");
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(threads[t], NULL);
        CHECK(jobs[t].failures == 0, "thread %d had %d failures", t, jobs[t].failures);
        CHECK(memcmp(jobs[t].out, serial, sizeof serial) == 0, "thread %d differs from the serial result", t);
    }
    CHECK(strstr(plexus_last_error(), "loss is 77") != NULL, "main thread's message changed: %s", plexus_last_error());
    plexus_free(net);
}

/* The thread setting: range checks, the count in effect, and training bitwise independent of it
   (test_threads.c does the same with a net large enough to be cut into parallel tasks). */
static void test_threads(void) {
    int initial = plexus_get_threads();
    CHECK(initial >= 1, "plexus_get_threads() is %d", initial);
    EXPECT_STATUS(plexus_set_threads(0), PLEXUS_ERR_ARGUMENT, "threads is 0");
    EXPECT_STATUS(plexus_set_threads(-3), PLEXUS_ERR_ARGUMENT, "threads is -3");
    EXPECT_STATUS(plexus_set_threads(1025), PLEXUS_ERR_ARGUMENT, "from 1 to 1024");
    CHECK(plexus_get_threads() == initial, "a refused setting changed the count to %d", plexus_get_threads());

    enum { N = 256, I = 64, H = 48, O = 8 };
    static float x[N * I], y[N * O];
    for (int i = 0; i < N * I; i++) x[i] = (float)((i * 29 % 31) - 15) / 15.0f;
    for (int i = 0; i < N; i++) y[i * O + i % O] = 1.0f;
    const uint32_t sizes[] = {I, H, H, O};
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_TANH, PLEXUS_SOFTMAX};
    float params[2][I * H + H + H * H + H + H * O + O];
    for (int t = 1; t <= 2; t++) {
        OK(plexus_set_threads(t));
        CHECK(plexus_get_threads() == t, "set %d threads, %d in effect", t, plexus_get_threads());
        plexus_net *net = NULL;
        OK(plexus_create(sizes, acts, 4, 0, 3, &net));
        if (!net) return;
        OK(plexus_set_loss(net, PLEXUS_CROSS_ENTROPY));
        OK(plexus_train(net, x, y, N, 3, 32, 5, NULL, NULL));
        OK(plexus_get_params(net, params[t - 1]));
        plexus_free(net);
    }
    CHECK(memcmp(params[0], params[1], sizeof params[0]) == 0, "1 and 2 threads trained to other parameters");
    OK(plexus_set_threads(initial));
}

/* plexus_epoch_order: a permutation per epoch; any epoch asked directly equals the same epoch
   reached in turn (the library keeps the last shuffle to continue it); seeds and epochs differ;
   refusals write nothing; and plexus_train visits the samples in exactly these orders (training at
   batch size 1 ends where forward/backward/step over the orders, replayed by hand, ends). */
static void test_epoch_order(void) {
    enum { N = 37 };
    size_t in_turn[4][N], direct[N], other[N];
    for (int e = 0; e < 4; e++) OK(plexus_epoch_order(5, (size_t)e, N, in_turn[e]));
    for (int e = 3; e >= 0; e--) {
        OK(plexus_epoch_order(5, (size_t)e, N, direct));
        CHECK(memcmp(direct, in_turn[e], sizeof direct) == 0, "epoch %d asked directly differs from in turn", e);
        int seen[N] = {0}, permutation = 1;
        for (int i = 0; i < N; i++) permutation &= direct[i] < N && !seen[direct[i]]++;
        CHECK(permutation, "epoch %d is not a permutation of 0..%d", e, N - 1);
    }
    CHECK(memcmp(in_turn[0], in_turn[1], sizeof in_turn[0]) != 0, "epochs 0 and 1 have the same order");
    OK(plexus_epoch_order(6, 0, N, other));
    CHECK(memcmp(other, in_turn[0], sizeof other) != 0, "seeds 5 and 6 give the same order");
    size_t one = 7;
    OK(plexus_epoch_order(5, 9, 1, &one));
    CHECK(one == 0, "one sample's order is %zu", one);
    size_t untouched[N];
    memcpy(untouched, direct, sizeof untouched);
    EXPECT_STATUS(plexus_epoch_order(5, 0, N, NULL), PLEXUS_ERR_ARGUMENT, "order is NULL");
    EXPECT_STATUS(plexus_epoch_order(5, 0, 0, untouched), PLEXUS_ERR_ARGUMENT, "n is 0");
    EXPECT_STATUS(plexus_epoch_order(5, (size_t)1 << 40, N, untouched), PLEXUS_ERR_ARGUMENT, "call the epochs in turn");
    CHECK(memcmp(untouched, direct, sizeof untouched) == 0, "a refused call wrote the order");

    /* plexus_train's epochs follow these orders: a 1-1 identity net trained at batch size 1 on
       N samples whose targets all differ ends in a state that depends on the visiting order. */
    const uint32_t sizes[] = {1, 1};
    const plexus_activation acts[] = {PLEXUS_IDENTITY};
    float x[N], y[N], trained[2] = {0, 0}, replayed[2] = {0, 0};
    for (int i = 0; i < N; i++) x[i] = (float)i / N, y[i] = (float)(i * 7 % N) / N;
    plexus_net *a = NULL, *b = NULL;
    OK(plexus_create(sizes, acts, 2, 0, 1, &a));
    OK(plexus_create(sizes, acts, 2, 0, 1, &b));
    if (!a || !b) return;
    OK(plexus_set_sgd(a, 0.3f, 0));
    OK(plexus_set_sgd(b, 0.3f, 0));
    OK(plexus_train(a, x, y, N, 4, 1, 5, NULL, NULL));
    for (int e = 0; e < 4; e++)
        for (int i = 0; i < N; i++) {
            size_t s = in_turn[e][i];
            OK(plexus_forward(b, &x[s], 1, NULL));
            OK(plexus_backward(b, &y[s], 1, NULL));
            OK(plexus_step(b));
        }
    OK(plexus_get_params(a, trained));
    OK(plexus_get_params(b, replayed));
    CHECK(memcmp(trained, replayed, sizeof trained) == 0, "plexus_train (%g, %g) and the orders replayed (%g, %g) differ",
          trained[0], trained[1], replayed[0], replayed[1]);
    plexus_free(a);
    plexus_free(b);
}

/* The graph API: seed 002's first example, and the statuses of misuse. */
static void test_graph(void) {
    plexus_graph *g = NULL;
    plexus_node price, count, tax, apples, total, sentinel = 77, out = sentinel;
    const float ten = 10, two = 2, rate = 1.1f, bad = NAN;
    OK(plexus_graph_create(&g));
    if (!g) return;
    OK(plexus_graph_param(g, 1, 1, &ten, &price));
    OK(plexus_graph_param(g, 1, 1, &two, &count));
    OK(plexus_graph_constant(g, 1, 1, &rate, &tax));
    OK(plexus_graph_mul(g, price, count, &apples));
    OK(plexus_graph_mul(g, apples, tax, &total));
    float early = 0;
    EXPECT_STATUS(plexus_graph_value(g, total, &early), PLEXUS_ERR_STATE, "call forward");
    OK(plexus_graph_forward(g));
    float v = 0, d = 0;
    OK(plexus_graph_value(g, total, &v));
    CHECK(close_to(v, 22, 1e-5), "2 apples at 10 with 1.1 tax: %f", v);
    EXPECT_STATUS(plexus_graph_grad(g, price, &d), PLEXUS_ERR_STATE, "no gradient yet");
    OK(plexus_graph_backward(g, total));
    OK(plexus_graph_grad(g, price, &d));
    CHECK(close_to(d, 2.2, 1e-6), "d/d price %f", d);
    OK(plexus_graph_grad(g, count, &d));
    CHECK(close_to(d, 11, 1e-5), "d/d count %f", d);
    OK(plexus_graph_grad(g, tax, &d));
    CHECK(close_to(d, 20, 1e-5), "d/d tax %f", d);

    plexus_node wide, tall;
    const float six[6] = {1, 2, 3, 4, 5, 6};
    OK(plexus_graph_constant(g, 2, 3, six, &wide));
    OK(plexus_graph_constant(g, 3, 2, six, &tall));
    EXPECT_STATUS(plexus_graph_add(g, wide, tall, &out), PLEXUS_ERR_SHAPE, "cannot combine a 2×3 node with a 3×2 node");
    EXPECT_STATUS(plexus_graph_matmul(g, wide, wide, &out), PLEXUS_ERR_SHAPE, "inner dimensions 3 and 2 differ");
    EXPECT_STATUS(plexus_graph_add(g, price, 99, &out), PLEXUS_ERR_ARGUMENT, "node 99 does not exist");
    EXPECT_STATUS(plexus_graph_add(g, -1, price, &out), PLEXUS_ERR_ARGUMENT, "node -1 does not exist");
    EXPECT_STATUS(plexus_graph_activation(g, (plexus_activation)10, price, &out), PLEXUS_ERR_ARGUMENT, "activation is 10");
    EXPECT_STATUS(plexus_graph_loss(g, (plexus_loss)8, price, count, &out), PLEXUS_ERR_ARGUMENT, "loss is 8");
    EXPECT_STATUS(plexus_graph_loss(g, PLEXUS_MSE, wide, price, &out), PLEXUS_ERR_SHAPE, "they must match");
    EXPECT_STATUS(plexus_graph_input(g, 0, 3, &out), PLEXUS_ERR_ARGUMENT, "rows is 0");
    EXPECT_STATUS(plexus_graph_param(g, 1, 1, &bad, &out), PLEXUS_ERR_ARGUMENT, "is nan");
    EXPECT_STATUS(plexus_graph_param(g, 1, 1, NULL, &out), PLEXUS_ERR_ARGUMENT, "values is NULL");
    EXPECT_STATUS(plexus_graph_add(g, price, count, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");
    EXPECT_STATUS(plexus_graph_add(NULL, price, count, &out), PLEXUS_ERR_ARGUMENT, "graph is NULL");
    CHECK(out == sentinel, "out written by failed builders");
    EXPECT_STATUS(plexus_graph_set_value(g, total, &ten), PLEXUS_ERR_ARGUMENT, "only inputs, constants and parameters");
    OK(plexus_graph_forward(g));
    EXPECT_STATUS(plexus_graph_backward(g, wide), PLEXUS_ERR_SHAPE, "1×1");
    EXPECT_STATUS(plexus_graph_step(g), PLEXUS_ERR_STATE, "backward first");
    EXPECT_STATUS(plexus_graph_set_sgd(g, -1, 0), PLEXUS_ERR_ARGUMENT, "learning rate is -1");
    EXPECT_STATUS(plexus_graph_forward(NULL), PLEXUS_ERR_ARGUMENT, "graph is NULL");
    uint32_t rows = 0, cols = 0;
    OK(plexus_graph_shape(g, wide, &rows, &cols));
    CHECK(rows == 2 && cols == 3, "shape %ux%u", rows, cols);
    plexus_graph_free(g);
    plexus_graph_free(NULL);
}

/* Whether two nets hold bitwise the same parameters. */
static int same_params(const plexus_net *a, const plexus_net *b) {
    float pa[64], pb[64];
    size_t n = plexus_param_count(a);
    if (n > 64 || n != plexus_param_count(b)) return 0;
    if (plexus_get_params(a, pa) != PLEXUS_OK || plexus_get_params(b, pb) != PLEXUS_OK) return 0;
    return memcmp(pa, pb, n * sizeof(float)) == 0;
}

static plexus_train_options plain_options(size_t epochs, size_t batch_size, uint64_t seed) {
    plexus_train_options options;
    memset(&options, 0, sizeof options);
    options.struct_size = sizeof options;
    options.epochs = epochs;
    options.batch_size = batch_size;
    options.shuffle_seed = seed;
    return options;
}

struct epoch_log {
    size_t calls;
    float val_loss[64], val_accuracy[64];
};

static int log_epoch(size_t epoch, float train_loss, float val_loss, float val_accuracy, void *user) {
    struct epoch_log *log = user;
    if (log->calls < 64) {
        log->val_loss[log->calls] = val_loss;
        log->val_accuracy[log->calls] = val_accuracy;
    }
    log->calls++;
    (void)epoch;
    (void)train_loss;
    return 0;
}

/* 0.4.0's training settings: the bad-input matrix (each refusal names the problem and changes
   nothing), then train_step and train_ex against the calls they stand for. */
/* Whether `count` bytes at p all hold `value`. */
static int all_bytes(const unsigned char *p, size_t count, unsigned char value) {
    for (size_t i = 0; i < count; i++)
        if (p[i] != value) return 0;
    return 1;
}

/* Option and report structs grow as Linux's copy_struct_from_user lets them (the header's
   "Structs that grow"): a newer caller's larger struct works while its tail is zero, a set field
   this version does not know is refused naming the size, a report is filled up to the caller's
   size with zeros past this version's fields and never written past it. */
static void test_structs_that_grow(void) {
    plexus_net *net = make_net(3), *twin = make_net(3);
    if (!net || !twin) return;
    float x[12] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, -0.1f, 0.9f, 0.3f, 0.7f, -0.4f, 0.2f};
    float y[8] = {0, 1, 1, 0, 1, 1, 0, 0};
    struct { plexus_train_options o; unsigned char tail[24]; } grown;
    struct { plexus_train_report r; unsigned char tail[16]; } report;
    memset(&grown, 0, sizeof grown);
    grown.o = plain_options(2, 2, 5);
    grown.o.struct_size = sizeof grown;
    memset(&report, 0xAB, sizeof report);
    report.r.struct_size = sizeof report;
    OK(plexus_train_ex(net, x, y, 4, &grown.o, &report.r));
    CHECK(report.r.struct_size == sizeof report && report.r.epochs_run == 2 && report.r.stopped_early == 0,
          "the grown report: struct_size %zu, epochs_run %zu", report.r.struct_size, report.r.epochs_run);
    CHECK(all_bytes(report.tail, sizeof report.tail, 0), "the report's bytes past this version's fields are not zero");
    plexus_train_options plain = plain_options(2, 2, 5);
    OK(plexus_train_ex(twin, x, y, 4, &plain, NULL));
    CHECK(same_params(net, twin), "a grown struct with a zero tail trains otherwise than the plain one");

    /* A field of a newer version set: refused, naming the size and the byte, nothing changed. */
    char expected[160];
    grown.tail[5] = 1;
    snprintf(expected, sizeof expected, "options->struct_size is %zu and byte %zu is not zero", sizeof grown,
             sizeof(plexus_train_options) + 5);
    memset(&report, 0xAB, sizeof report);
    report.r.struct_size = sizeof report;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &grown.o, &report.r), PLEXUS_ERR_ARGUMENT, expected);
    CHECK(same_params(net, twin), "a refused grown struct changed the parameters");
    CHECK(report.r.epochs_run == (size_t)0xABABABABABABABABull && all_bytes(report.tail, sizeof report.tail, 0xAB),
          "a refused call wrote its report");
    grown.tail[5] = 0;
    grown.o.struct_size = 4097;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &grown.o, NULL), PLEXUS_ERR_ARGUMENT, "is 4097, more than the 4096 bytes");
    grown.o.struct_size = SIZE_MAX;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &grown.o, NULL), PLEXUS_ERR_ARGUMENT,
                  "options->struct_size is 18446744073709551615, more than");
    /* A 0.4.0 program's struct (it ends with `user`): accepted, the newer cancel field not read. */
    static const volatile int raised = 1;
    grown.o.struct_size = offsetof(plexus_train_options, cancel);
    grown.o.cancel = &raised;
    memset(&report, 0xCD, sizeof report);
    report.r.struct_size = offsetof(plexus_train_report, cancelled);
    OK(plexus_train_ex(net, x, y, 4, &grown.o, &report.r));
    CHECK(report.r.epochs_run == 2 && report.r.cancelled == (int)0xCDCDCDCD,
          "a 0.4.0 struct: epochs_run %zu, and the report's cancelled field was written", report.r.epochs_run);
    grown.o.cancel = NULL;
    grown.o.struct_size = offsetof(plexus_train_options, cancel) - 8;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &grown.o, NULL), PLEXUS_ERR_ARGUMENT, "smaller than the 136 bytes");

    /* A report as large as this version's: nothing written past it. */
    memset(&report, 0xCD, sizeof report);
    report.r.struct_size = sizeof report.r;
    grown.o.struct_size = sizeof grown.o;
    OK(plexus_train_ex(net, x, y, 4, &grown.o, &report.r));
    CHECK(report.r.epochs_run == 2 && all_bytes(report.tail, sizeof report.tail, 0xCD),
          "the report was written past its struct_size");
    report.r.struct_size = 4;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &grown.o, &report.r), PLEXUS_ERR_ARGUMENT, "report->struct_size is 4, smaller");

    /* The export's options and the int8 layer report, the same way. */
    struct { plexus_export_options o; unsigned char tail[8]; } export_options;
    memset(&export_options, 0, sizeof export_options);
    export_options.o.struct_size = sizeof export_options;
    OK(plexus_export_c(net, "/tmp", "grown_model", &export_options.o));
    export_options.tail[7] = 9;
    EXPECT_STATUS(plexus_export_c(net, "/tmp", "grown_model", &export_options.o), PLEXUS_ERR_ARGUMENT, "is not zero");
    remove("/tmp/grown_model.c");
    remove("/tmp/grown_model.h");
    plexus_quantized *q = NULL;
    OK(plexus_quantize(net, x, 4, &q));
    struct { plexus_quantized_layer l; unsigned char tail[16]; } layer;
    memset(&layer, 0xEE, sizeof layer);
    layer.l.struct_size = sizeof layer;
    OK(plexus_quantized_layer_info(q, 1, &layer.l));
    CHECK(layer.l.struct_size == sizeof layer && layer.l.inputs == 3 && layer.l.outputs == 5 &&
              all_bytes(layer.tail, sizeof layer.tail, 0),
          "the grown layer report: struct_size %zu, %zu x %zu", layer.l.struct_size, layer.l.inputs, layer.l.outputs);
    plexus_quantized_free(q);
    plexus_free(net);
    plexus_free(twin);
}

/* The cancel flag (0.8.0): set before the run, nothing trains; set during the second epoch's
   callback, training stops before the third epoch's first batch. */
static int raise_at_epoch_1(size_t epoch, float loss, float val_loss, float val_accuracy, void *user) {
    (void)loss, (void)val_loss, (void)val_accuracy;
    if (epoch == 1) *(volatile int *)user = 1;
    return 0;
}

static void test_cancel_flag(void) {
    plexus_net *net = make_net(4), *twin = make_net(4);
    if (!net || !twin) return;
    float x[12] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, -0.1f, 0.9f, 0.3f, 0.7f, -0.4f, 0.2f};
    float y[8] = {0, 1, 1, 0, 1, 1, 0, 0};
    volatile int flag = 1;
    plexus_train_options options = plain_options(5, 2, 9);
    plexus_train_report report;
    memset(&report, 0, sizeof report);
    report.struct_size = sizeof report;
    options.cancel = &flag;
    OK(plexus_train_ex(net, x, y, 4, &options, &report));
    CHECK(report.cancelled == 1 && report.epochs_run == 0 && same_params(net, twin),
          "cancelled before the run: cancelled %d, epochs_run %zu", report.cancelled, report.epochs_run);
    flag = 0;
    options.on_epoch = raise_at_epoch_1;
    options.user = (void *)&flag;
    OK(plexus_train_ex(net, x, y, 4, &options, &report));
    CHECK(report.cancelled == 1 && report.epochs_run == 2 && report.stopped_early == 0,
          "cancelled in epoch 2: cancelled %d, epochs_run %zu", report.cancelled, report.epochs_run);
    plexus_train_options two = plain_options(2, 2, 9);
    OK(plexus_train_ex(twin, x, y, 4, &two, NULL));
    CHECK(same_params(net, twin), "a run cancelled after 2 epochs differs from a 2-epoch run");
    plexus_free(net);
    plexus_free(twin);
}

/* Cross-entropy takes probability rows and binary cross-entropy probabilities: anything else is
   refused by every call that takes targets, the net unchanged. */
static void test_target_checks(void) {
    const uint32_t sizes[] = {2, 3, 2};
    const plexus_activation softmax[] = {PLEXUS_TANH, PLEXUS_SOFTMAX}, sigmoid[] = {PLEXUS_TANH, PLEXUS_SIGMOID};
    plexus_net *net = NULL, *binary = NULL;
    OK(plexus_create(sizes, softmax, 3, 0, 1, &net));
    OK(plexus_create(sizes, sigmoid, 3, 0, 1, &binary));
    OK(plexus_set_loss(net, PLEXUS_CROSS_ENTROPY));
    OK(plexus_set_loss(binary, PLEXUS_BINARY_CROSS_ENTROPY));
    float x[4] = {0.1f, 0.2f, 0.3f, 0.4f}, out[4], before[32], after[32];
    float negative[4] = {2, -1, 0, 1}, half[4] = {0.25f, 0.25f, 0, 1}, soft[4] = {0.3f, 0.7f, 0.0f, 1.0f};
    OK(plexus_get_params(net, before));
    EXPECT_STATUS(plexus_train_step(net, x, negative, 2, NULL), PLEXUS_ERR_ARGUMENT, "y[0][1] is -1.0; cross-entropy targets are probabilities");
    EXPECT_STATUS(plexus_train_step(net, x, half, 2, NULL), PLEXUS_ERR_ARGUMENT, "y[0] sums to 0.5");
    EXPECT_STATUS(plexus_train(net, x, half, 2, 1, 2, 0, NULL, NULL), PLEXUS_ERR_ARGUMENT, "sums to 0.5");
    OK(plexus_forward(net, x, 2, out));
    EXPECT_STATUS(plexus_backward(net, negative, 2, NULL), PLEXUS_ERR_ARGUMENT, "target[0][1] is -1.0");
    OK(plexus_get_params(net, after));
    CHECK(memcmp(before, after, plexus_param_count(net) * sizeof(float)) == 0, "a refused target changed the net");
    OK(plexus_backward(net, soft, 2, NULL));   /* soft labels are fine */
    float over[4] = {0.5f, 1.5f, 0, 1};
    EXPECT_STATUS(plexus_train_step(binary, x, over, 2, NULL), PLEXUS_ERR_ARGUMENT, "y[0][1] is 1.5; binary cross-entropy targets are probabilities in [0, 1]");
    OK(plexus_train_step(binary, x, soft, 2, NULL));
    plexus_free(net);
    plexus_free(binary);
}

/* What an epoch callback may do with the net being trained: read it (predict, save); every call
   that changes it is refused with PLEXUS_ERR_STATE. */
struct callback_calls { plexus_net *net; plexus_status predict, save, set_sgd, set_params, train, step, set_loss, set_dropout; const char *message; };

static int call_from_callback(size_t epoch, float loss, void *user) {
    struct callback_calls *c = user;
    float x[3] = {0.1f, 0.2f, 0.3f}, y[2], params[64];
    (void)epoch, (void)loss;
    c->predict = plexus_predict(c->net, x, 1, y);
    c->save = plexus_save(c->net, "/tmp/plexus-callback-checkpoint.safetensors");
    c->set_sgd = plexus_set_sgd(c->net, 0.5f, 0);
    (void)!plexus_get_params(c->net, params);
    c->set_params = plexus_set_params(c->net, params);
    c->train = plexus_train(c->net, x, y, 1, 1, 1, 0, NULL, NULL);
    c->message = plexus_last_error();
    c->step = plexus_step(c->net);
    c->set_loss = plexus_set_loss(c->net, PLEXUS_HUBER);
    c->set_dropout = plexus_set_dropout(c->net, 1, 0.5f);
    return 1;
}

static void test_callback_rules(void) {
    plexus_net *net = make_net(6);
    if (!net) return;
    float x[12] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, -0.1f, 0.9f, 0.3f, 0.7f, -0.4f, 0.2f};
    float y[8] = {0, 1, 1, 0, 1, 1, 0, 0};
    struct callback_calls calls = {net, -1, -1, -1, -1, -1, -1, -1, -1, NULL};
    OK(plexus_train(net, x, y, 4, 3, 2, 0, call_from_callback, &calls));
    CHECK(calls.predict == PLEXUS_OK && calls.save == PLEXUS_OK && calls.set_sgd == PLEXUS_OK && calls.set_params == PLEXUS_OK,
          "allowed in the callback: predict %d, save %d, set_sgd %d, set_params %d", calls.predict, calls.save,
          calls.set_sgd, calls.set_params);
    CHECK(calls.train == PLEXUS_ERR_STATE && calls.step == PLEXUS_ERR_STATE && calls.set_loss == PLEXUS_ERR_STATE &&
              calls.set_dropout == PLEXUS_ERR_STATE,
          "refused in the callback: train %d, step %d, set_loss %d, set_dropout %d", calls.train, calls.step,
          calls.set_loss, calls.set_dropout);
    CHECK(calls.message && strstr(calls.message, "being trained"), "the refusal's message: %s", calls.message);
    plexus_net *checkpoint = NULL;
    OK(plexus_load("/tmp/plexus-callback-checkpoint.safetensors", &checkpoint));
    remove("/tmp/plexus-callback-checkpoint.safetensors");
    plexus_free(checkpoint);
    OK(plexus_set_loss(net, PLEXUS_HUBER));   /* after the run, every change works again */
    plexus_free(net);
}

/* plexus_save_ex: a weights-only file predicts bitwise as the full one, smaller, its optimizer
   fresh; its options grow as every struct does. */
static void test_weights_only_files(void) {
    plexus_net *net = make_net(8), *light = NULL, *full = NULL;
    if (!net) return;
    float x[12] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, -0.1f, 0.9f, 0.3f, 0.7f, -0.4f, 0.2f};
    float y[8] = {0, 1, 1, 0, 1, 1, 0, 0}, a[8], b[8];
    OK(plexus_set_adam(net, 0.01f, 0.9f, 0.999f, 1e-8f));
    OK(plexus_train(net, x, y, 4, 3, 2, 0, NULL, NULL));
    plexus_save_options options;
    memset(&options, 0, sizeof options);
    options.struct_size = sizeof options;
    options.weights_only = 1;
    OK(plexus_save_ex(net, "/tmp/plexus-light.safetensors", &options));
    OK(plexus_save_ex(net, "/tmp/plexus-full.safetensors", NULL));
    OK(plexus_load("/tmp/plexus-light.safetensors", &light));
    OK(plexus_load("/tmp/plexus-full.safetensors", &full));
    OK(plexus_predict(light, x, 4, a));
    OK(plexus_predict(full, x, 4, b));
    CHECK(memcmp(a, b, sizeof a) == 0, "a weights-only file predicts otherwise than the full one");
    FILE *f = fopen("/tmp/plexus-light.safetensors", "rb"), *g = fopen("/tmp/plexus-full.safetensors", "rb");
    long light_size = -1, full_size = -1;
    if (f && g && fseek(f, 0, SEEK_END) == 0 && fseek(g, 0, SEEK_END) == 0) { light_size = ftell(f); full_size = ftell(g); }
    if (f) fclose(f);
    if (g) fclose(g);
    CHECK(light_size > 0 && light_size < full_size, "sizes: weights only %ld, full %ld", light_size, full_size);
    /* The struct's tail padding (sizeof counts it) is not a field: garbage there is fine. */
    plexus_save_options padded;
    memset(&padded, 0xAB, sizeof padded);
    padded.struct_size = sizeof padded;
    padded.weights_only = 1;
    OK(plexus_save_ex(net, "/tmp/plexus-light.safetensors", &padded));
    struct { plexus_save_options o; unsigned char tail[8]; } grown;
    memset(&grown, 0, sizeof grown);
    grown.o.struct_size = sizeof grown;
    grown.tail[3] = 1;
    EXPECT_STATUS(plexus_save_ex(net, "/tmp/plexus-light.safetensors", &grown.o), PLEXUS_ERR_ARGUMENT, "is not zero");
    EXPECT_STATUS(plexus_save_ex(NULL, "/tmp/plexus-light.safetensors", &options), PLEXUS_ERR_ARGUMENT, "net is NULL");
    remove("/tmp/plexus-light.safetensors");
    remove("/tmp/plexus-full.safetensors");
    plexus_free(light);
    plexus_free(full);
    plexus_free(net);
}

/* Transforms: set, get, fit, applied by predict, kept by a model file; refusals change nothing. */
static void test_transforms(void) {
    const uint32_t sizes[] = {2, 4, 1};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_IDENTITY};
    plexus_net *net = NULL, *loaded = NULL, *mapped = NULL;
    OK(plexus_create(sizes, acts, 3, 0, 5, &net));
    OK(plexus_create(sizes, acts, 3, 0, 5, &mapped));
    if (!net || !mapped) return;
    const float shift[2] = {10.0f, -3.0f}, scale[2] = {0.5f, 2.0f}, out_scale[1] = {40.0f}, out_shift[1] = {100.0f};
    float raw[6] = {12.0f, -2.0f, 9.5f, -3.5f, 10.0f, 0.0f}, by_hand[6], a[3], b[3], got[2] = {-1, -1};
    int present = -1;
    OK(plexus_get_input_transform(net, got, NULL, &present));
    CHECK(present == 0 && got[0] == 0.0f && got[1] == 0.0f, "no transform reads as the identity, present %d", present);
    OK(plexus_set_input_transform(net, shift, scale));
    OK(plexus_set_output_transform(net, out_scale, out_shift));
    OK(plexus_get_output_transform(net, got, NULL, &present));
    CHECK(present == 1 && got[0] == 40.0f, "output scale read back %g, present %d", got[0], present);
    for (int i = 0; i < 6; i++) by_hand[i] = (raw[i] - shift[i % 2]) * scale[i % 2];
    OK(plexus_predict(net, raw, 3, a));
    OK(plexus_predict(mapped, by_hand, 3, b));
    for (int r = 0; r < 3; r++) {
        const float scaled = b[r] * out_scale[0];
        b[r] = scaled + out_shift[0];
    }
    CHECK(memcmp(a, b, sizeof a) == 0, "predict with transforms is not the mapped rows' predict, mapped back");

    /* Refusals: nothing changes. */
    const float nan_shift[2] = {NAN, 0.0f}, zero_scale[2] = {1.0f, 0.0f}, inf_scale[1] = {INFINITY};
    EXPECT_STATUS(plexus_set_input_transform(net, nan_shift, scale), PLEXUS_ERR_ARGUMENT, "shift[0] is nan");
    EXPECT_STATUS(plexus_set_input_transform(net, shift, zero_scale), PLEXUS_ERR_ARGUMENT, "scale[1] is 0.0");
    EXPECT_STATUS(plexus_set_input_transform(net, shift, NULL), PLEXUS_ERR_ARGUMENT, "scale is NULL");
    EXPECT_STATUS(plexus_set_output_transform(net, inf_scale, out_shift), PLEXUS_ERR_ARGUMENT, "scale[0] is inf");
    EXPECT_STATUS(plexus_fit_input_transform(net, raw, 0), PLEXUS_ERR_ARGUMENT, "n is 0");
    EXPECT_STATUS(plexus_fit_input_transform(net, nan_shift, 1), PLEXUS_ERR_ARGUMENT, "must be finite");
    OK(plexus_predict(net, raw, 3, b));
    CHECK(memcmp(a, b, sizeof a) == 0, "a refused call changed the transforms");

    /* A model file keeps them; the C reader predicts raw rows bitwise. */
    OK(plexus_save(net, "/tmp/plexus-transforms.safetensors"));
    OK(plexus_load("/tmp/plexus-transforms.safetensors", &loaded));
    if (loaded) {
        OK(plexus_predict(loaded, raw, 3, b));
        CHECK(memcmp(a, b, sizeof a) == 0, "a loaded file predicts raw rows otherwise");
    }
    remove("/tmp/plexus-transforms.safetensors");

    /* Fitted: the mean and 1 / deviation of each column; a constant column keeps scale 1. */
    float column[8] = {1.0f, 7.0f, 3.0f, 7.0f, 5.0f, 7.0f, 7.0f, 7.0f}, fitted_shift[2], fitted_scale[2];
    OK(plexus_fit_input_transform(net, column, 4));
    OK(plexus_get_input_transform(net, fitted_shift, fitted_scale, NULL));
    CHECK(fitted_shift[0] == 4.0f && fitted_shift[1] == 7.0f, "fitted shift %g %g", fitted_shift[0], fitted_shift[1]);
    CHECK(fabsf(fitted_scale[0] - 1.0f / sqrtf(5.0f)) < 1e-7f && fitted_scale[1] == 1.0f, "fitted scale %g %g",
          fitted_scale[0], fitted_scale[1]);
    OK(plexus_set_input_transform(net, NULL, NULL));
    OK(plexus_get_input_transform(net, NULL, NULL, &present));
    CHECK(present == 0, "NULL, NULL did not remove the input transform");

    /* Only identity outputs take an output transform. */
    const uint32_t class_sizes[] = {2, 3};
    const plexus_activation softmax[] = {PLEXUS_SOFTMAX};
    plexus_net *classes = NULL;
    OK(plexus_create(class_sizes, softmax, 2, 0, 1, &classes));
    const float three[3] = {1, 1, 1};
    EXPECT_STATUS(plexus_set_output_transform(classes, three, three), PLEXUS_ERR_ARGUMENT, "identity output layer");
    EXPECT_STATUS(plexus_fit_output_transform(classes, three, 1), PLEXUS_ERR_ARGUMENT, "identity output layer");
    plexus_free(classes);
    plexus_free(loaded);
    plexus_free(mapped);
    plexus_free(net);
}

/* Every struct that grows, at its first version's size (the ..._FIRST_SIZE constants), is
   accepted by each function that takes it; a byte less is refused, naming the size. */
static void test_first_version_sizes(void) {
    plexus_net *net = make_net(3);
    plexus_graph *g = NULL;
    plexus_quantized *q = NULL;
    if (!net) return;
    const float x[6] = {0.1f, 0.2f, 0.3f, -0.4f, 0.5f, 0.6f}, y[4] = {1, 0, 0, 1};
    union { plexus_train_options options; unsigned char bytes[sizeof(plexus_train_options)]; } train;
    union { plexus_train_report report; unsigned char bytes[sizeof(plexus_train_report)]; } report;
    memset(&train, 0, sizeof train);
    memset(&report, 0, sizeof report);
    train.options.struct_size = PLEXUS_TRAIN_OPTIONS_FIRST_SIZE;
    train.options.epochs = 2;
    train.options.batch_size = 2;
    report.report.struct_size = PLEXUS_TRAIN_REPORT_FIRST_SIZE;
    OK(plexus_train_ex(net, x, y, 2, &train.options, &report.report));
    CHECK(report.report.epochs_run == 2 && report.report.struct_size == PLEXUS_TRAIN_REPORT_FIRST_SIZE,
          "a first-version report: %zu epochs", report.report.epochs_run);
    train.options.struct_size = PLEXUS_TRAIN_OPTIONS_FIRST_SIZE - 1;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 2, &train.options, NULL), PLEXUS_ERR_ARGUMENT, "smaller than the");

    plexus_save_options save = {0};
    save.struct_size = PLEXUS_SAVE_OPTIONS_FIRST_SIZE;
    save.weights_only = 1;
    OK(plexus_save_ex(net, "/tmp/plexus-first-size.safetensors", &save));
    save.struct_size = PLEXUS_SAVE_OPTIONS_FIRST_SIZE - 1;
    EXPECT_STATUS(plexus_save_ex(net, "/tmp/plexus-first-size.safetensors", &save), PLEXUS_ERR_ARGUMENT, "smaller than the");
    remove("/tmp/plexus-first-size.safetensors");

    plexus_export_options export = {0};
    export.struct_size = PLEXUS_EXPORT_OPTIONS_FIRST_SIZE;
    OK(plexus_export_c(net, "/tmp", "firstsize", &export));
    export.struct_size = PLEXUS_EXPORT_OPTIONS_FIRST_SIZE - 1;
    EXPECT_STATUS(plexus_export_c(net, "/tmp", "firstsize", &export), PLEXUS_ERR_ARGUMENT, "smaller than the");
    remove("/tmp/firstsize.h");
    remove("/tmp/firstsize.c");

    OK(plexus_quantize(net, x, 2, &q));
    if (q) {
        plexus_quantized_layer layer;
        memset(&layer, 0, sizeof layer);
        layer.struct_size = PLEXUS_QUANTIZED_LAYER_FIRST_SIZE;
        OK(plexus_quantized_layer_info(q, 1, &layer));
        CHECK(layer.inputs == 3 && layer.outputs == 5, "a first-version layer: %zu x %zu", layer.inputs, layer.outputs);
        layer.struct_size = PLEXUS_QUANTIZED_LAYER_FIRST_SIZE - 1;
        EXPECT_STATUS(plexus_quantized_layer_info(q, 1, &layer), PLEXUS_ERR_ARGUMENT, "smaller than the");
    }
    plexus_quantized_free(q);

    plexus_optimizer_options optimizer;
    memset(&optimizer, 0, sizeof optimizer);
    optimizer.struct_size = PLEXUS_OPTIMIZER_OPTIONS_FIRST_SIZE;
    OK(plexus_optimizer_defaults(PLEXUS_RPROP, &optimizer));
    OK(plexus_set_optimizer(net, &optimizer));
    OK(plexus_get_optimizer_options(net, &optimizer));
    CHECK(optimizer.kind == PLEXUS_RPROP && optimizer.step_max == 50, "a first-version optimizer: kind %d", (int)optimizer.kind);
    OK(plexus_graph_create(&g));
    if (g) {
        OK(plexus_graph_set_optimizer(g, &optimizer));
        OK(plexus_graph_get_optimizer_options(g, &optimizer));
    }
    optimizer.struct_size = PLEXUS_OPTIMIZER_OPTIONS_FIRST_SIZE - 1;
    EXPECT_STATUS(plexus_set_optimizer(net, &optimizer), PLEXUS_ERR_ARGUMENT, "smaller than the");
    EXPECT_STATUS(plexus_get_optimizer_options(net, &optimizer), PLEXUS_ERR_ARGUMENT, "smaller than the");
    EXPECT_STATUS(plexus_optimizer_defaults(PLEXUS_SGD, &optimizer), PLEXUS_ERR_ARGUMENT, "smaller than the");
    if (g) EXPECT_STATUS(plexus_graph_set_optimizer(g, &optimizer), PLEXUS_ERR_ARGUMENT, "smaller than the");
    plexus_graph_free(g);
    plexus_free(net);
}

/* One optimizer setter for every kind: the struct's fields, the defaults, the refusals that
   change nothing, the state kept for the same kind, and the per-kind setters as wrappers. */
static void test_optimizer_options(void) {
    plexus_net *net = make_net(4);
    if (!net) return;
    plexus_optimizer_options o, read;
    memset(&o, 0, sizeof o);
    o.struct_size = sizeof o;
    read = o;
    OK(plexus_optimizer_defaults(PLEXUS_RMSPROP, &o));
    CHECK(o.kind == PLEXUS_RMSPROP && o.learning_rate == 1e-2f && o.alpha == 0.99f && o.epsilon == 1e-8f && o.momentum == 0
          && o.centered == 0 && o.beta1 == 0 && o.eta_plus == 0, "RMSprop's defaults");
    o.centered = 1;
    o.momentum = 0.5f;
    o.weight_decay = 0.25f;
    OK(plexus_set_optimizer(net, &o));
    OK(plexus_get_optimizer_options(net, &read));
    CHECK(memcmp(&read, &o, sizeof o) == 0, "the options read back differ from those set");
    float decay = -1;
    OK(plexus_get_weight_decay(net, &decay));
    CHECK(decay == 0.25f, "the weight decay is %g", decay);
    OK(plexus_optimizer_defaults(PLEXUS_ADAMW, &o));
    CHECK(o.weight_decay == 0.01f && o.beta2 == 0.999f, "AdamW's defaults");
    OK(plexus_optimizer_defaults(PLEXUS_SGD, &o));
    CHECK(o.learning_rate == 0.01f && o.momentum == 0, "SGD's defaults");
    /* Refusals change nothing. */
    o.kind = (plexus_optimizer)9;
    EXPECT_STATUS(plexus_set_optimizer(net, &o), PLEXUS_ERR_ARGUMENT, "options->kind is 9");
    OK(plexus_optimizer_defaults(PLEXUS_RPROP, &o));
    o.eta_minus = 1.5f;
    EXPECT_STATUS(plexus_set_optimizer(net, &o), PLEXUS_ERR_ARGUMENT, "etas are (1.5, 1.2)");
    o.eta_minus = 0.5f;
    o.step_min = 0;
    EXPECT_STATUS(plexus_set_optimizer(net, &o), PLEXUS_ERR_ARGUMENT, "step sizes are (0.0, 50.0)");
    o.step_min = 60;
    EXPECT_STATUS(plexus_set_optimizer(net, &o), PLEXUS_ERR_ARGUMENT, "step sizes are (60.0, 50.0)");
    o.step_min = 1e-6f;
    o.learning_rate = NAN;
    EXPECT_STATUS(plexus_set_optimizer(net, &o), PLEXUS_ERR_ARGUMENT, "learning rate is nan");
    EXPECT_STATUS(plexus_set_optimizer(net, NULL), PLEXUS_ERR_ARGUMENT, "options is NULL");
    EXPECT_STATUS(plexus_set_optimizer(NULL, &o), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_get_optimizer_options(net, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");
    EXPECT_STATUS(plexus_optimizer_defaults((plexus_optimizer)-1, &o), PLEXUS_ERR_ARGUMENT, "kind is -1");
    OK(plexus_get_optimizer_options(net, &o));
    CHECK(memcmp(&read, &o, sizeof o) == 0, "a refused call changed the optimizer");
    /* A per-kind setter is the struct with one kind's arguments: the decay kept within the kind. */
    OK(plexus_set_rmsprop(net, 0.02f, 0.9f, 1e-6f, 0, 0));
    OK(plexus_get_optimizer_options(net, &o));
    CHECK(o.learning_rate == 0.02f && o.alpha == 0.9f && o.weight_decay == 0.25f && o.centered == 0, "plexus_set_rmsprop");
    OK(plexus_set_sgd(net, 0.1f, 0.9f));
    OK(plexus_get_optimizer_options(net, &o));
    CHECK(o.kind == PLEXUS_SGD && o.momentum == 0.9f && o.weight_decay == 0 && o.alpha == 0, "plexus_set_sgd");
    plexus_free(net);
}

/* The transforms by side, (shift, scale) on both sides, agreeing with the deprecated calls. */
static void test_transforms_by_side(void) {
    const uint32_t sizes[] = {2, 3, 2};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_IDENTITY};
    plexus_net *net = NULL, *old = NULL;
    OK(plexus_create(sizes, acts, 3, 0, 8, &net));
    OK(plexus_create(sizes, acts, 3, 0, 8, &old));
    if (!net || !old) goto done;
    const float shift[2] = {1, -2}, scale[2] = {0.5f, 4}, out_shift[2] = {100, -7}, out_scale[2] = {30, 0.25f};
    const float x[4] = {3, 1, -1, 0.5f}, y[4] = {110, -7, 95, -6};
    float a[4], b[4], got_shift[2], got_scale[2];
    int present = -1;
    OK(plexus_set_transform(net, PLEXUS_INPUTS, shift, scale));
    OK(plexus_set_transform(net, PLEXUS_OUTPUTS, out_shift, out_scale));
    OK(plexus_set_input_transform(old, shift, scale));
    OK(plexus_set_output_transform(old, out_scale, out_shift));
    OK(plexus_predict(net, x, 2, a));
    OK(plexus_predict(old, x, 2, b));
    CHECK(memcmp(a, b, sizeof a) == 0, "the new and the old setters give different nets");
    OK(plexus_get_transform(net, PLEXUS_OUTPUTS, got_shift, got_scale, &present));
    CHECK(present == 1 && got_shift[0] == 100 && got_scale[1] == 0.25f, "the output transform read back");
    EXPECT_STATUS(plexus_set_transform(net, (plexus_side)2, shift, scale), PLEXUS_ERR_ARGUMENT, "side is 2");
    EXPECT_STATUS(plexus_get_transform(net, (plexus_side)-1, got_shift, got_scale, NULL), PLEXUS_ERR_ARGUMENT, "side is -1");
    EXPECT_STATUS(plexus_fit_transform(net, (plexus_side)5, x, 2), PLEXUS_ERR_ARGUMENT, "side is 5");
    EXPECT_STATUS(plexus_set_transform(net, PLEXUS_INPUTS, shift, NULL), PLEXUS_ERR_ARGUMENT, "scale is NULL");
    OK(plexus_fit_transform(net, PLEXUS_INPUTS, x, 2));
    OK(plexus_fit_input_transform(old, x, 2));
    OK(plexus_fit_transform(net, PLEXUS_OUTPUTS, y, 2));
    OK(plexus_fit_output_transform(old, y, 2));
    OK(plexus_predict(net, x, 2, a));
    OK(plexus_predict(old, x, 2, b));
    CHECK(memcmp(a, b, sizeof a) == 0, "the new and the old fits give different nets");
    OK(plexus_set_transform(net, PLEXUS_OUTPUTS, NULL, NULL));
    OK(plexus_get_transform(net, PLEXUS_OUTPUTS, got_shift, got_scale, &present));
    CHECK(present == 0 && got_shift[0] == 0 && got_scale[0] == 1, "a removed transform reads as the identity");
done:
    plexus_free(old);
    plexus_free(net);
}

/* "plexus.classes", the one reserved key a caller sets: checked against the net, saved, read back. */
static void test_classes_metadata(void) {
    plexus_net *net = make_net(2), *loaded = NULL;   /* two sigmoid outputs */
    if (!net) return;
    char buffer[64];
    size_t count = 9;
    EXPECT_STATUS(plexus_set_metadata(net, "plexus.classes", "[\"a\"]"), PLEXUS_ERR_ARGUMENT,
                  "names 1 classes but the network has 2 outputs");
    EXPECT_STATUS(plexus_set_metadata(net, "plexus.classes", "[\"a\",\"a\"]"), PLEXUS_ERR_ARGUMENT, "twice");
    EXPECT_STATUS(plexus_set_metadata(net, "plexus.classes", "[\"a\",2]"), PLEXUS_ERR_ARGUMENT, "is not a string");
    EXPECT_STATUS(plexus_set_metadata(net, "plexus.classes", "[\"a\",\"b\""), PLEXUS_ERR_ARGUMENT, "not valid JSON");
    EXPECT_STATUS(plexus_set_metadata(net, "plexus.classes", "\"a\""), PLEXUS_ERR_ARGUMENT, "not a JSON array");
    OK(plexus_metadata_count(net, &count));
    CHECK(count == 0, "refused classes left %zu metadata entries", count);
    OK(plexus_set_metadata(net, "plexus.classes", "[\"cat\", \"dog\"]"));
    OK(plexus_save(net, "/tmp/plexus-classes.safetensors"));
    OK(plexus_load("/tmp/plexus-classes.safetensors", &loaded));
    remove("/tmp/plexus-classes.safetensors");
    if (loaded) {
        OK(plexus_get_metadata(loaded, "plexus.classes", buffer, sizeof buffer, NULL));
        CHECK(strcmp(buffer, "[\"cat\", \"dog\"]") == 0, "the file's classes are %s", buffer);
    }
    plexus_free(loaded);
    plexus_free(net);
}

/* The L2 penalty: one SGD step moves each weight by lr * lambda * w more than without it, and no bias. */
static void test_l2_penalty(void) {
    plexus_net *plain = make_net(5), *penalised = make_net(5), *loaded = NULL;
    if (!plain || !penalised) goto done;
    const float x[6] = {0.5f, -1, 2, 0.25f, 0, -0.75f}, y[4] = {1, 0, 0, 1};
    float before[32], a[32], b[32], value = -1;
    size_t n = plexus_param_count(plain);
    CHECK(n == 32, "3-5-2 has %zu parameters", n);
    if (n != 32) goto done;
    EXPECT_STATUS(plexus_set_l2_penalty(penalised, -1), PLEXUS_ERR_ARGUMENT, "L2 penalty is -1");
    EXPECT_STATUS(plexus_set_l2_penalty(penalised, NAN), PLEXUS_ERR_ARGUMENT, "L2 penalty is nan");
    EXPECT_STATUS(plexus_set_l2_penalty(NULL, 1), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_get_l2_penalty(penalised, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");
    OK(plexus_get_l2_penalty(penalised, &value));
    CHECK(value == 0, "a new net's penalty is %g", value);
    OK(plexus_set_sgd(plain, 0.5f, 0));
    OK(plexus_set_sgd(penalised, 0.5f, 0));
    OK(plexus_set_l2_penalty(penalised, 0.25f));
    OK(plexus_get_params(plain, before));
    OK(plexus_train_step(plain, x, y, 2, NULL));
    OK(plexus_train_step(penalised, x, y, 2, NULL));
    OK(plexus_get_params(plain, a));
    OK(plexus_get_params(penalised, b));
    for (size_t i = 0; i < n; i++) {
        int bias = (i >= 15 && i < 20) || i >= 30;   /* W1 [5x3], b1 [5], W2 [2x5], b2 [2] */
        float expected = bias ? 0 : 0.5f * 0.25f * before[i];
        CHECK(fabsf((a[i] - b[i]) - expected) < 1e-6f, "parameter %zu moved %g more, expected %g", i, a[i] - b[i], expected);
    }
    OK(plexus_save(penalised, "/tmp/plexus-l2.safetensors"));
    OK(plexus_load("/tmp/plexus-l2.safetensors", &loaded));
    remove("/tmp/plexus-l2.safetensors");
    if (loaded) {
        OK(plexus_get_l2_penalty(loaded, &value));
        CHECK(value == 0.25f, "the file's penalty is %g", value);
    }
done:
    plexus_free(loaded);
    plexus_free(penalised);
    plexus_free(plain);
}

/* Metadata: set, read with the size asked first, listed in key order, saved, refused past its limits. */
static void test_metadata(void) {
    plexus_net *net = make_net(2), *loaded = NULL;
    if (!net) return;
    size_t count = 99, needed = 0;
    char small[4], buffer[64];
    OK(plexus_metadata_count(net, &count));
    CHECK(count == 0, "a new net has %zu metadata entries", count);
    OK(plexus_set_metadata(net, "units", "kPa"));
    OK(plexus_set_metadata(net, "dataset", "v2 \xc3\xa9t\xc3\xa9"));    /* UTF-8 */
    OK(plexus_get_metadata(net, "units", NULL, 0, &needed));
    CHECK(needed == 4, "\"kPa\" needs %zu bytes, expected 4", needed);
    memset(small, 'x', sizeof small);
    EXPECT_STATUS(plexus_get_metadata(net, "dataset", small, sizeof small, &needed), PLEXUS_ERR_ARGUMENT, "needs 9 bytes");
    CHECK(needed == 9 && small[0] == 'x', "a short buffer: needed %zu, buffer written", needed);
    OK(plexus_get_metadata(net, "dataset", buffer, sizeof buffer, NULL));
    CHECK(strcmp(buffer, "v2 \xc3\xa9t\xc3\xa9") == 0, "value read back as \"%s\"", buffer);
    OK(plexus_metadata_key_at(net, 0, buffer, sizeof buffer, &needed));
    CHECK(strcmp(buffer, "dataset") == 0 && needed == 8, "key 0 is \"%s\"", buffer);
    OK(plexus_metadata_key_at(net, 1, buffer, sizeof buffer, NULL));
    CHECK(strcmp(buffer, "units") == 0, "key 1 is \"%s\"", buffer);
    EXPECT_STATUS(plexus_metadata_key_at(net, 2, buffer, sizeof buffer, NULL), PLEXUS_ERR_ARGUMENT, "has 2 metadata entries");
    EXPECT_STATUS(plexus_get_metadata(net, "absent", buffer, sizeof buffer, NULL), PLEXUS_ERR_ARGUMENT, "no metadata \"absent\"");
    EXPECT_STATUS(plexus_set_metadata(net, "plexus.sizes", "1"), PLEXUS_ERR_ARGUMENT, "reserved");
    EXPECT_STATUS(plexus_set_metadata(net, "", "1"), PLEXUS_ERR_ARGUMENT, "empty");
    EXPECT_STATUS(plexus_set_metadata(net, "bad", "\xff"), PLEXUS_ERR_ARGUMENT, "not valid UTF-8");
    char *huge = malloc(65538);
    if (huge) {
        memset(huge, 'v', 65537);
        huge[65537] = 0;
        EXPECT_STATUS(plexus_set_metadata(net, "huge", huge), PLEXUS_ERR_ARGUMENT, "at most 65536");
        free(huge);
    }
    OK(plexus_metadata_count(net, &count));
    CHECK(count == 2, "refusals changed the metadata: %zu entries", count);
    OK(plexus_save(net, "/tmp/plexus-metadata.safetensors"));
    OK(plexus_load("/tmp/plexus-metadata.safetensors", &loaded));
    if (loaded) {
        OK(plexus_get_metadata(loaded, "units", buffer, sizeof buffer, NULL));
        CHECK(strcmp(buffer, "kPa") == 0, "the file's \"units\" is \"%s\"", buffer);
    }
    remove("/tmp/plexus-metadata.safetensors");
    OK(plexus_set_metadata(net, "units", NULL));
    OK(plexus_set_metadata(net, "never set", NULL));
    OK(plexus_metadata_count(net, &count));
    CHECK(count == 1, "after removing one of two entries, %zu remain", count);
    plexus_free(loaded);
    plexus_free(net);
}

static void test_training_for_real_data(void) {
    plexus_net *net = make_net(3), *twin = make_net(3);
    if (!net || !twin) return;
    float x[12] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f, -0.1f, 0.9f, 0.3f, 0.7f, -0.4f, 0.2f};
    float y[8] = {0, 1, 1, 0, 1, 1, 0, 0}, value = -7, loss = -7;

    EXPECT_STATUS(plexus_set_weight_decay(NULL, 0.1f), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_set_weight_decay(net, -0.1f), PLEXUS_ERR_ARGUMENT, "weight decay is -0.1");
    EXPECT_STATUS(plexus_set_weight_decay(net, NAN), PLEXUS_ERR_ARGUMENT, "weight decay is nan");
    EXPECT_STATUS(plexus_set_weight_decay(net, INFINITY), PLEXUS_ERR_ARGUMENT, "weight decay is inf");
    EXPECT_STATUS(plexus_set_adamw(net, 1e-3f, 0.9f, 0.999f, 1e-8f, -1), PLEXUS_ERR_ARGUMENT, "weight decay is -1");
    EXPECT_STATUS(plexus_set_adamw(net, 0, 0.9f, 0.999f, 1e-8f, 0.01f), PLEXUS_ERR_ARGUMENT, "learning rate is 0");
    EXPECT_STATUS(plexus_set_adamw(NULL, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_set_grad_clip(net, -1), PLEXUS_ERR_ARGUMENT, "max_norm is -1");
    EXPECT_STATUS(plexus_set_grad_clip(net, NAN), PLEXUS_ERR_ARGUMENT, "max_norm is nan");
    EXPECT_STATUS(plexus_set_grad_clip(NULL, 1), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_set_dropout(net, 1, NAN), PLEXUS_ERR_ARGUMENT, "dropout probability is nan");
    EXPECT_STATUS(plexus_set_dropout(net, 1, 1.0f), PLEXUS_ERR_ARGUMENT, "dropout probability is 1.0");
    EXPECT_STATUS(plexus_set_dropout(net, 1, -0.5f), PLEXUS_ERR_ARGUMENT, "dropout probability is -0.5");
    EXPECT_STATUS(plexus_set_dropout(net, 0, 0.5f), PLEXUS_ERR_ARGUMENT, "layer 0 does not exist");
    EXPECT_STATUS(plexus_set_dropout(net, 2, 0.5f), PLEXUS_ERR_ARGUMENT, "layer 2 is the output layer");
    EXPECT_STATUS(plexus_set_dropout(net, 9, 0.5f), PLEXUS_ERR_ARGUMENT, "layer 9 does not exist");
    EXPECT_STATUS(plexus_set_dropout(NULL, 1, 0.5f), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_get_weight_decay(net, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");
    EXPECT_STATUS(plexus_get_grad_clip(NULL, &value), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_get_dropout(net, 3, &value), PLEXUS_ERR_ARGUMENT, "layer 3 does not exist");
    /* Nothing changed: the settings are the defaults and the net trains as its twin. */
    EXPECT_STATUS(plexus_get_weight_decay(net, &value), PLEXUS_OK, "");
    CHECK(value == 0, "weight decay %g", value);
    EXPECT_STATUS(plexus_get_grad_clip(net, &value), PLEXUS_OK, "");
    CHECK(value == 0, "clip %g", value);
    EXPECT_STATUS(plexus_get_dropout(net, 1, &value), PLEXUS_OK, "");
    CHECK(value == 0, "dropout %g", value);
    plexus_optimizer kind = PLEXUS_ADAMW;
    float hyper[4];
    EXPECT_STATUS(plexus_get_optimizer(net, &kind, hyper), PLEXUS_OK, "");
    CHECK(kind == PLEXUS_SGD && hyper[0] == 0.01f, "optimizer %d lr %g", kind, hyper[0]);

    /* train_step: the bad inputs of forward/backward, then the same bits as the three calls. */
    EXPECT_STATUS(plexus_train_step(NULL, x, y, 2, &loss), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_train_step(net, NULL, y, 2, &loss), PLEXUS_ERR_ARGUMENT, "x is NULL");
    EXPECT_STATUS(plexus_train_step(net, x, NULL, 2, &loss), PLEXUS_ERR_ARGUMENT, "y is NULL");
    EXPECT_STATUS(plexus_train_step(net, x, y, 0, &loss), PLEXUS_ERR_ARGUMENT, "batch is 0");
    float bad_x[6] = {0.1f, NAN, 0.3f, 0.4f, 0.5f, 0.6f};
    EXPECT_STATUS(plexus_train_step(net, bad_x, y, 2, &loss), PLEXUS_ERR_ARGUMENT, "x[0][1] is nan");
    CHECK(loss == -7, "loss written by a failed call");
    CHECK(same_params(net, twin), "a refused call changed the parameters");
    for (int k = 0; k < 3; k++) {
        float expected = 0;
        EXPECT_STATUS(plexus_train_step(net, x, y, 4, &loss), PLEXUS_OK, "");
        EXPECT_STATUS(plexus_forward(twin, x, 4, NULL), PLEXUS_OK, "");
        EXPECT_STATUS(plexus_backward(twin, y, 4, &expected), PLEXUS_OK, "");
        EXPECT_STATUS(plexus_step(twin), PLEXUS_OK, "");
        CHECK(loss == expected, "train_step loss %g, forward/backward %g", loss, expected);
    }
    CHECK(same_params(net, twin), "train_step differs from forward, backward, step");
    /* A NULL loss pointer still trains. */
    EXPECT_STATUS(plexus_train_step(net, x, y, 4, NULL), PLEXUS_OK, "");
    EXPECT_STATUS(plexus_forward(twin, x, 4, NULL), PLEXUS_OK, "");
    EXPECT_STATUS(plexus_backward(twin, y, 4, NULL), PLEXUS_OK, "");
    EXPECT_STATUS(plexus_step(twin), PLEXUS_OK, "");
    CHECK(same_params(net, twin), "train_step with a NULL loss differs from forward, backward, step");

    /* train_ex: the options' own checks, each leaving the net as it was. */
    plexus_train_options options = plain_options(2, 2, 5);
    plexus_train_report report;
    memset(&report, 0, sizeof report);
    report.struct_size = sizeof report;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, NULL, &report), PLEXUS_ERR_ARGUMENT, "options is NULL");
    EXPECT_STATUS(plexus_train_ex(NULL, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "net is NULL");
    options.struct_size = sizeof(size_t) * 3;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "options->struct_size is 24");
    options.struct_size = sizeof options;
    report.struct_size = 8;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "report->struct_size is 8");
    report.struct_size = sizeof report;
    options.lr_schedule = (plexus_lr_schedule)7;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "lr_schedule is 7");
    options.lr_schedule = PLEXUS_LR_STEP;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "step_size is 0");
    options.step_size = 2;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "gamma is 0.0");
    options.lr_schedule = PLEXUS_LR_COSINE;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "t_max is 0");
    options.t_max = 4;
    options.eta_min = -1;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "eta_min is -1");
    options = plain_options(2, 2, 5);
    options.epochs = 0;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "epochs is 0");
    options = plain_options(2, 2, 5);
    float weights[4] = {1, -1, 1, 1};
    options.sample_weight = weights;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "sample_weight[1] is -1");
    weights[1] = NAN;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "sample_weight[1] is nan");
    memset(weights, 0, sizeof weights);
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "every sample weight is 0");
    options = plain_options(2, 2, 5);
    options.val_x = x;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "val_y is NULL");
    options.val_y = y;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "validation set has 0 rows");
    options.val_n = 2;
    float bad_y[4] = {0, 1, INFINITY, 0};
    options.val_y = bad_y;
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_ERR_ARGUMENT, "validation y[1][0] is inf");
    CHECK(report.epochs_run == 0, "report written by a failed call");
    CHECK(same_params(net, twin), "a refused train_ex changed the parameters");

    /* With only epochs, batch size and seed, train_ex is plexus_train bit for bit. */
    options = plain_options(3, 3, 11);
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_OK, "");
    EXPECT_STATUS(plexus_train(twin, x, y, 4, 3, 3, 11, NULL, NULL), PLEXUS_OK, "");
    CHECK(same_params(net, twin), "train_ex with plain options differs from plexus_train");
    CHECK(report.epochs_run == 3 && !report.stopped_early && isnan(report.best_val_loss),
          "report %zu %d %g", report.epochs_run, report.stopped_early, report.best_val_loss);

    /* Validation rows: the callback sees their loss and accuracy (sigmoid: 0.5 threshold), and
       restore_best ends with the best epoch's parameters. */
    struct epoch_log log = {0};
    options = plain_options(6, 2, 1);
    options.val_x = x + 6;
    options.val_y = y + 4;
    options.val_n = 2;
    options.restore_best = 1;
    options.on_epoch = log_epoch;
    options.user = &log;
    options.lr_schedule = PLEXUS_LR_COSINE;
    options.t_max = 6;
    EXPECT_STATUS(plexus_set_adamw(net, 0.05f, 0.9f, 0.999f, 1e-8f, 0.01f), PLEXUS_OK, "");
    EXPECT_STATUS(plexus_set_grad_clip(net, 1.0f), PLEXUS_OK, "");
    EXPECT_STATUS(plexus_set_dropout(net, 1, 0.2f), PLEXUS_OK, "");
    EXPECT_STATUS(plexus_train_ex(net, x, y, 4, &options, &report), PLEXUS_OK, "");
    CHECK(log.calls == 6 && report.epochs_run == 6, "%zu callbacks, %zu epochs", log.calls, report.epochs_run);
    CHECK(report.best_epoch < 6 && report.best_val_loss == log.val_loss[report.best_epoch], "best %zu: %g",
          report.best_epoch, report.best_val_loss);
    for (size_t e = 0; e < 6; e++) {
        CHECK(log.val_accuracy[e] == 0 || log.val_accuracy[e] == 0.25f || log.val_accuracy[e] == 0.5f ||
                  log.val_accuracy[e] == 0.75f || log.val_accuracy[e] == 1,
              "accuracy %g of 4 outputs", log.val_accuracy[e]);
        CHECK(log.val_loss[report.best_epoch] <= log.val_loss[e], "epoch %zu beat the best", e);
    }
    EXPECT_STATUS(plexus_get_optimizer(net, &kind, hyper), PLEXUS_OK, "");
    CHECK(kind == PLEXUS_ADAMW && hyper[0] == 0.05f, "the schedule left lr %g", hyper[0]);
    CHECK(strcmp(plexus_optimizer_name(kind), "adamw") == 0, "name %s", plexus_optimizer_name(kind));
    CHECK(strcmp(plexus_activation_name(PLEXUS_SOFTPLUS), "softplus") == 0, "activation name");
    CHECK(strcmp(plexus_loss_name(PLEXUS_HUBER), "huber") == 0, "loss name");
    CHECK(strcmp(plexus_activation_name((plexus_activation)99), "unknown") == 0 &&
              strcmp(plexus_loss_name((plexus_loss)-1), "unknown") == 0 &&
              strcmp(plexus_optimizer_name((plexus_optimizer)5), "unknown") == 0 &&
              strcmp(plexus_optimizer_name(PLEXUS_RPROP), "rprop") == 0,
          "names of values that are none");
    plexus_free(net);
    plexus_free(twin);
}

/* plexus_quantize, its accessors and plexus_export_c: statuses and messages (the files and the
   generated code are tested in test_model_files.c, Tests/python/test_code_export.py and Tests/deploy). */
/* RMSprop and plexus_get_hyperparameters: statuses and messages, settings read back, the state
   kept across a change of settings and through a model file (bitwise), a refused call changing
   nothing. The update rule itself is checked against numpy and PyTorch (Tests/python). */
static void test_rmsprop(void) {
    plexus_net *net = make_net(8), *twin = make_net(8);
    if (!net || !twin) return;
    const float x[6] = {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f}, y[4] = {0, 1, 1, 0};
    float hyper[8] = {-1, -1, -1, -1, -1, -1, -1, -1}, loss = 0;
    size_t count = 99;
    plexus_optimizer kind = PLEXUS_SGD;

    EXPECT_STATUS(plexus_set_rmsprop(NULL, 0.01f, 0.99f, 1e-8f, 0, 0), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_set_rmsprop(net, 0, 0.99f, 1e-8f, 0, 0), PLEXUS_ERR_ARGUMENT, "learning rate is 0");
    EXPECT_STATUS(plexus_set_rmsprop(net, 0.01f, 1.0f, 1e-8f, 0, 0), PLEXUS_ERR_ARGUMENT, "alpha is 1.0");
    EXPECT_STATUS(plexus_set_rmsprop(net, 0.01f, NAN, 1e-8f, 0, 0), PLEXUS_ERR_ARGUMENT, "alpha is nan");
    EXPECT_STATUS(plexus_set_rmsprop(net, 0.01f, 0.99f, 0, 0, 0), PLEXUS_ERR_ARGUMENT, "epsilon is 0.0");
    EXPECT_STATUS(plexus_set_rmsprop(net, 0.01f, 0.99f, 1e-8f, 1.5f, 0), PLEXUS_ERR_ARGUMENT, "momentum is 1.5");
    OK(plexus_get_optimizer(net, &kind, hyper));
    CHECK(kind == PLEXUS_SGD, "a refused plexus_set_rmsprop changed the optimizer to %d", (int)kind);

    EXPECT_STATUS(plexus_get_hyperparameters(NULL, hyper, 8, &count), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_get_hyperparameters(net, hyper, 8, NULL), PLEXUS_ERR_ARGUMENT, "count is NULL");
    EXPECT_STATUS(plexus_get_hyperparameters(net, NULL, 2, &count), PLEXUS_ERR_ARGUMENT, "values is NULL but capacity is 2");
    CHECK(count == 99, "count written by a failed call");

    OK(plexus_set_rmsprop(net, 0.02f, 0.9f, 1e-6f, 0.5f, 1));
    OK(plexus_set_rmsprop(twin, 0.02f, 0.9f, 1e-6f, 0.5f, 7));          /* any nonzero: centered */
    OK(plexus_get_optimizer(net, &kind, hyper));
    CHECK(kind == PLEXUS_RMSPROP && hyper[0] == 0.02f && hyper[1] == 0.9f && hyper[2] == 1e-6f && hyper[3] == 0.5f,
          "plexus_get_optimizer: %d {%g, %g, %g, %g}", (int)kind, hyper[0], hyper[1], hyper[2], hyper[3]);
    OK(plexus_get_hyperparameters(net, NULL, 0, &count));
    CHECK(count == 5, "RMSprop has %zu hyperparameters, not 5", count);
    OK(plexus_get_hyperparameters(net, hyper, 3, &count));
    CHECK(count == 5 && hyper[2] == 1e-6f && hyper[3] == 0.5f, "a short array: count %zu, only 3 written", count);
    OK(plexus_get_hyperparameters(net, hyper, 8, &count));
    CHECK(count == 5 && hyper[3] == 0.5f && hyper[4] == 1.0f && hyper[5] == -1, "all five: centered %g", hyper[4]);
    OK(plexus_get_hyperparameters(twin, hyper, 8, &count));
    CHECK(hyper[4] == 1.0f, "centered from 7 reads %g", hyper[4]);
    OK(plexus_set_sgd(twin, 0.1f, 0.9f));
    OK(plexus_get_hyperparameters(twin, hyper, 8, &count));
    CHECK(count == 2 && hyper[0] == 0.1f && hyper[1] == 0.9f, "SGD: %zu values", count);
    OK(plexus_set_weight_decay(net, 1e-3f));

    /* Steps, a change of settings (the state stays), a model file, more steps: bitwise. */
    for (int k = 0; k < 3; k++) OK(plexus_train_step(net, x, y, 2, &loss));
    OK(plexus_set_rmsprop(net, 0.01f, 0.9f, 1e-6f, 0.8f, 0));
    float decay = 0;
    OK(plexus_get_weight_decay(net, &decay));
    CHECK(decay == 1e-3f, "changing RMSprop's settings kept weight decay %g", decay);
    void *data = NULL;
    size_t size = 0;
    OK(plexus_save_buffer(net, &data, &size));
    plexus_free(twin);
    twin = NULL;
    OK(plexus_load_buffer(data, size, &twin));
    plexus_free_buffer(data);
    if (!twin) { plexus_free(net); return; }
    for (int k = 0; k < 3; k++) {
        OK(plexus_train_step(net, x, y, 2, &loss));
        OK(plexus_train_step(twin, x, y, 2, &loss));
    }
    CHECK(same_params(net, twin), "RMSprop resumed from a model file differs from the uninterrupted run");
    CHECK(strcmp(plexus_optimizer_name(PLEXUS_RMSPROP), "rmsprop") == 0, "name %s", plexus_optimizer_name(PLEXUS_RMSPROP));
    plexus_free(net);
    plexus_free(twin);
}

static void test_code_export_calls(void) {
    const uint32_t sizes[] = {3, 4, 2}, other_sizes[] = {3, 5, 2};
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_SOFTMAX};
    plexus_net *net = NULL, *other = NULL;
    plexus_quantized *q = NULL, *other_q = NULL;
    OK(plexus_create(sizes, acts, 3, 0, 1, &net));
    OK(plexus_create(other_sizes, acts, 3, 0, 1, &other));
    float calibration[8][3];
    for (int r = 0; r < 8; r++)
        for (int k = 0; k < 3; k++) calibration[r][k] = (float)(r - 4) * 0.25f + (float)k;

    EXPECT_STATUS(plexus_quantize(NULL, calibration[0], 8, &q), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_quantize(net, NULL, 8, &q), PLEXUS_ERR_ARGUMENT, "calibration is NULL");
    EXPECT_STATUS(plexus_quantize(net, calibration[0], 8, NULL), PLEXUS_ERR_ARGUMENT, "out is NULL");
    EXPECT_STATUS(plexus_quantize(net, calibration[0], 0, &q), PLEXUS_ERR_ARGUMENT, "rows is 0");
    calibration[5][1] = NAN;
    EXPECT_STATUS(plexus_quantize(net, calibration[0], 8, &q), PLEXUS_ERR_ARGUMENT, "calibration[5][1] is nan");
    CHECK(q == NULL, "plexus_quantize wrote *out on failure");
    calibration[5][1] = 1;
    OK(plexus_quantize(net, calibration[0], 8, &q));
    OK(plexus_quantize(other, calibration[0], 8, &other_q));
    CHECK(plexus_quantized_layer_count(q) == 2, "layer count %zu", plexus_quantized_layer_count(q));
    CHECK(plexus_quantized_layer_count(NULL) == 0, "layer count of NULL");

    plexus_quantized_layer info;
    memset(&info, 0, sizeof info);
    EXPECT_STATUS(plexus_quantized_layer_info(q, 1, &info), PLEXUS_ERR_ARGUMENT, "struct_size");
    info.struct_size = sizeof info;
    EXPECT_STATUS(plexus_quantized_layer_info(q, 0, &info), PLEXUS_ERR_ARGUMENT, "layers are 1 to 2");
    EXPECT_STATUS(plexus_quantized_layer_info(q, 3, &info), PLEXUS_ERR_ARGUMENT, "layers are 1 to 2");
    EXPECT_STATUS(plexus_quantized_layer_info(NULL, 1, &info), PLEXUS_ERR_ARGUMENT, "q is NULL");
    OK(plexus_quantized_layer_info(q, 1, &info));
    CHECK(info.inputs == 3 && info.outputs == 4 && info.activation == PLEXUS_RELU && info.table == NULL &&
          info.softmax_exp == NULL && info.bias != NULL && info.clamp_min == info.output_zero_point,
          "layer 1 described wrongly");
    int largest = 0;
    for (int k = 0; k < 12; k++) largest = abs(info.weights[k]) > largest ? abs(info.weights[k]) : largest;
    CHECK(largest == 127, "the largest int8 weight is %d, not 127", largest);
    OK(plexus_quantized_layer_info(q, 2, &info));
    CHECK(info.activation == PLEXUS_SOFTMAX && info.softmax_exp != NULL && info.softmax_exp_count > 0 &&
          info.softmax_exp[0] == 32768 && info.output_zero_point == -128 && info.output_scale == 1.0f / 256,
          "layer 2 described wrongly");

    plexus_export_options options;
    memset(&options, 0, sizeof options);
    EXPECT_STATUS(plexus_export_c(NULL, "/tmp", "model", NULL), PLEXUS_ERR_ARGUMENT, "net is NULL");
    EXPECT_STATUS(plexus_export_c(net, NULL, "model", NULL), PLEXUS_ERR_ARGUMENT, "dir is NULL");
    EXPECT_STATUS(plexus_export_c(net, "/tmp", NULL, NULL), PLEXUS_ERR_ARGUMENT, "name is NULL");
    EXPECT_STATUS(plexus_export_c(net, "/tmp", "2fast", NULL), PLEXUS_ERR_ARGUMENT, "does not start with a letter");
    EXPECT_STATUS(plexus_export_c(net, "/tmp", "while", NULL), PLEXUS_ERR_ARGUMENT, "C keyword");
    EXPECT_STATUS(plexus_export_c(net, "/tmp", "a_name_of_18_chars", NULL), PLEXUS_ERR_ARGUMENT, "at most 17");
    EXPECT_STATUS(plexus_export_c(net, "", "model", NULL), PLEXUS_ERR_ARGUMENT, "folder is empty");
    EXPECT_STATUS(plexus_export_c(net, "/tmp", "model", &options), PLEXUS_ERR_ARGUMENT, "sizeof(plexus_export_options)");
    options.struct_size = sizeof options;
    options.max_parameters = 21;
    EXPECT_STATUS(plexus_export_c(net, "/tmp", "model", &options), PLEXUS_ERR_ARGUMENT, "26 parameters");
    options.max_parameters = 0;
    options.quantized = q;
    options.train_step = 1;
    EXPECT_STATUS(plexus_export_c(net, "/tmp", "model", &options), PLEXUS_ERR_ARGUMENT, "no training step");
    options.train_step = 0;
    options.quantized = other_q;
    EXPECT_STATUS(plexus_export_c(net, "/tmp", "model", &options), PLEXUS_ERR_ARGUMENT, "quantize this network");
    EXPECT_STATUS(plexus_export_c(net, "/no/such/folder", "model", NULL), PLEXUS_ERR_IO, "/no/such/folder/model.h");

    plexus_quantized_free(NULL);
    plexus_quantized_free(q);
    plexus_quantized_free(other_q);
    plexus_free(net);
    plexus_free(other);
}


/* Networks built by layers: plexus_create_layers makes plexus_create's net bitwise; a dropout
   layer counts in the numbering; the struct array follows its elements' struct_size; reports and
   shapes follow the header's conventions; every refusal names the layer. */
static void test_create_layers(void) {
    const uint32_t sizes[3] = {4, 6, 2};
    const plexus_activation acts[2] = {PLEXUS_TANH, PLEXUS_SIGMOID};
    const uint32_t shape[1] = {4};
    plexus_layer layers[3];
    plexus_net *by_sizes = NULL, *by_layers = NULL, *with_dropout = NULL, *refused = NULL;
    memset(layers, 0, sizeof layers);
    OK(plexus_layer_defaults(PLEXUS_LAYER_DENSE, &(plexus_layer){.struct_size = sizeof(plexus_layer)}));
    layers[0].struct_size = sizeof(plexus_layer);
    OK(plexus_layer_defaults(PLEXUS_LAYER_DENSE, &layers[0]));
    CHECK(layers[0].kind == PLEXUS_LAYER_DENSE && layers[0].activation == PLEXUS_IDENTITY && layers[0].flags == 0
          && layers[0].units == 0, "dense defaults: units %u, activation %d", layers[0].units, (int)layers[0].activation);
    layers[0].units = 6;
    layers[0].activation = PLEXUS_TANH;
    layers[1].struct_size = sizeof(plexus_layer);
    OK(plexus_layer_defaults(PLEXUS_LAYER_DENSE, &layers[1]));
    layers[1].units = 2;
    layers[1].activation = PLEXUS_SIGMOID;
    OK(plexus_create(sizes, acts, 3, 0, 21, &by_sizes));
    OK(plexus_create_layers(shape, 1, layers, 2, 21, &by_layers));
    if (!by_sizes || !by_layers) return;
    float a[2 * 2], b[2 * 2];
    const float x[2 * 4] = {0.1f, -0.2f, 0.3f, 0.4f, -1, 2, 0.5f, 0};
    OK(plexus_predict(by_sizes, x, 2, a));
    OK(plexus_predict(by_layers, x, 2, b));
    CHECK(memcmp(a, b, sizeof a) == 0, "the layer form predicts the sizes form's bits");

    /* 4 -> dense 6 -> dropout -> dense 2 */
    layers[2] = layers[1];
    layers[1].kind = PLEXUS_LAYER_DROPOUT;
    OK(plexus_layer_defaults(PLEXUS_LAYER_DROPOUT, &layers[1]));
    CHECK(layers[1].rate == 0.5f && layers[1].units == 0, "dropout defaults: rate %g", layers[1].rate);
    layers[1].rate = 0.25f;
    OK(plexus_create_layers(shape, 1, layers, 3, 21, &with_dropout));
    if (!with_dropout) return;
    CHECK(plexus_layer_count(with_dropout) == 4 && plexus_layer_size(with_dropout, 2) == 6
          && plexus_layer_size(with_dropout, 3) == 2, "4 layers counted, widths 6 and 2");
    OK(plexus_predict(with_dropout, x, 2, b));
    CHECK(memcmp(a, b, sizeof a) == 0, "dropout is the identity in predict");
    plexus_layer got;
    memset(&got, 0xAB, sizeof got);
    got.struct_size = sizeof got;
    OK(plexus_get_layer(with_dropout, 2, &got));
    CHECK(got.kind == PLEXUS_LAYER_DROPOUT && got.rate == 0.25f && got.units == 0 && got.flags == 0,
          "layer 2 reported: kind %d, rate %g", (int)got.kind, got.rate);
    OK(plexus_set_dropout(with_dropout, 2, 0.5f));
    OK(plexus_get_layer(with_dropout, 2, &got));
    CHECK(got.rate == 0.5f, "the report follows plexus_set_dropout: %g", got.rate);
    OK(plexus_get_layer(with_dropout, 3, &got));
    CHECK(got.kind == PLEXUS_LAYER_DENSE && got.units == 2 && got.activation == PLEXUS_SIGMOID, "layer 3 is the dense output");
    EXPECT_STATUS(plexus_get_layer(with_dropout, 0, &got), PLEXUS_ERR_ARGUMENT, "layers are numbered 1");
    EXPECT_STATUS(plexus_get_layer(with_dropout, SIZE_MAX, &got), PLEXUS_ERR_ARGUMENT, "18446744073709551615");
    plexus_activation activation;
    EXPECT_STATUS(plexus_layer_activation(with_dropout, 2, &activation), PLEXUS_ERR_ARGUMENT, "layer 2 is a dropout layer");
    float w[12];
    EXPECT_STATUS(plexus_get_weights(with_dropout, 2, w, NULL), PLEXUS_ERR_ARGUMENT, "the dense layers are 1 and 3");
    OK(plexus_get_weights(with_dropout, 3, w, NULL));
    EXPECT_STATUS(plexus_set_dropout(with_dropout, 1, 0.1f), PLEXUS_ERR_ARGUMENT, "set that layer's rate");

    /* plexus_layer_shape follows Buffers: ask, fill, too small writes nothing but *needed. */
    size_t needed = 0;
    uint32_t extents[2] = {77, 77};
    OK(plexus_layer_shape(with_dropout, 0, NULL, 0, &needed));
    CHECK(needed == 1, "rank %zu", needed);
    OK(plexus_layer_shape(with_dropout, 3, extents, 2, NULL));
    CHECK(extents[0] == 2 && extents[1] == 77, "shape of layer 3: %u, untouched %u", extents[0], extents[1]);
    needed = 0;
    EXPECT_STATUS(plexus_layer_shape(with_dropout, 1, extents, 0, &needed), PLEXUS_ERR_ARGUMENT, "capacity is 0 but layer 1's shape has 1");
    CHECK(needed == 1 && extents[0] == 2, "too small: *needed %zu set, the buffer untouched", needed);
    EXPECT_STATUS(plexus_layer_shape(with_dropout, 1, NULL, 3, &needed), PLEXUS_ERR_ARGUMENT, "NULL with capacity 0");
    EXPECT_STATUS(plexus_layer_shape(with_dropout, 4, extents, 2, &needed), PLEXUS_ERR_ARGUMENT, "numbered 0");
    EXPECT_STATUS(plexus_layer_shape(NULL, 0, extents, 2, &needed), PLEXUS_ERR_ARGUMENT, "net");

    /* An array built against an older header: elements of PLEXUS_LAYER_FIRST_SIZE bytes. */
    unsigned char old[3][PLEXUS_LAYER_FIRST_SIZE];
    for (int i = 0; i < 3; i++) {
        plexus_layer copy = layers[i];
        copy.struct_size = PLEXUS_LAYER_FIRST_SIZE;
        memcpy(old[i], &copy, PLEXUS_LAYER_FIRST_SIZE);
    }
    OK(plexus_create_layers(shape, 1, (const plexus_layer *)(const void *)old, 3, 21, &refused));
    plexus_free(refused);
    refused = NULL;

    /* Refusals, each naming what is wrong; none creates a net. */
    EXPECT_STATUS(plexus_create_layers(NULL, 1, layers, 3, 0, &refused), PLEXUS_ERR_ARGUMENT, "input_shape");
    EXPECT_STATUS(plexus_create_layers(shape, 0, layers, 3, 0, &refused), PLEXUS_ERR_ARGUMENT, "rank is 0");
    EXPECT_STATUS(plexus_create_layers(shape, SIZE_MAX, layers, 3, 0, &refused), PLEXUS_ERR_ARGUMENT, "rank is 18446744073709551615");
    EXPECT_STATUS(plexus_create_layers(shape, 1, layers, 0, 0, &refused), PLEXUS_ERR_ARGUMENT, "count is 0");
    EXPECT_STATUS(plexus_create_layers(shape, 1, layers, SIZE_MAX, 0, &refused), PLEXUS_ERR_ARGUMENT, "count is 18446744073709551615");
    EXPECT_STATUS(plexus_create_layers(shape, 1, layers + 1, 2, 0, &refused), PLEXUS_ERR_ARGUMENT, "layer 1 (dropout) must follow a dense or layer-norm layer");
    EXPECT_STATUS(plexus_create_layers(shape, 1, layers, 2, 0, &refused), PLEXUS_ERR_ARGUMENT, "layer 2 (dropout) is the last layer");
    const uint32_t image[3] = {1, 2, 2};
    EXPECT_STATUS(plexus_create_layers(image, 3, layers, 3, 0, &refused), PLEXUS_ERR_ARGUMENT, "takes a flat input");
    const uint32_t zero[1] = {0};
    EXPECT_STATUS(plexus_create_layers(zero, 1, layers, 3, 0, &refused), PLEXUS_ERR_ARGUMENT, "is not a shape");
    layers[1].rate = 1.0f;
    EXPECT_STATUS(plexus_create_layers(shape, 1, layers, 3, 0, &refused), PLEXUS_ERR_ARGUMENT, "layer 2 (dropout) has rate 1");
    layers[1].rate = 0.25f;
    layers[2].kind = (plexus_layer_kind)7;
    EXPECT_STATUS(plexus_create_layers(shape, 1, layers, 3, 0, &refused), PLEXUS_ERR_ARGUMENT, "layers[2].kind is 7");
    layers[2].kind = PLEXUS_LAYER_DENSE;
    layers[2].flags = 2;
    EXPECT_STATUS(plexus_create_layers(shape, 1, layers, 3, 0, &refused), PLEXUS_ERR_ARGUMENT, "layers[2].flags is 2");
    layers[2].flags = 0;
    layers[2].units = 0;
    EXPECT_STATUS(plexus_create_layers(shape, 1, layers, 3, 0, &refused), PLEXUS_ERR_ARGUMENT, "layers[2].units is 0");
    layers[2].units = 2;
    layers[2].struct_size = sizeof(plexus_layer) + 8;
    EXPECT_STATUS(plexus_create_layers(shape, 1, layers, 3, 0, &refused), PLEXUS_ERR_ARGUMENT, "every element of the array has the same size");
    layers[2].struct_size = sizeof(plexus_layer);
    layers[0].struct_size = PLEXUS_LAYER_FIRST_SIZE - 1;
    EXPECT_STATUS(plexus_create_layers(shape, 1, layers, 3, 0, &refused), PLEXUS_ERR_ARGUMENT, "smaller than the");
    layers[0].struct_size = sizeof(plexus_layer);
    EXPECT_STATUS(plexus_layer_defaults((plexus_layer_kind)9, &got), PLEXUS_ERR_ARGUMENT, "kind is 9");
    EXPECT_STATUS(plexus_layer_defaults(PLEXUS_LAYER_DENSE, NULL), PLEXUS_ERR_ARGUMENT, "out");
    CHECK(refused == NULL, "no refused call created a net");

    /* A layer norm between the dense layers: its weight and bias are a layer's weights. */
    plexus_layer norm_layers[3];
    memcpy(norm_layers, layers, sizeof norm_layers);
    OK(plexus_layer_defaults(PLEXUS_LAYER_LAYER_NORM, &norm_layers[1]));
    CHECK(norm_layers[1].eps == 1e-5f && norm_layers[1].flags == 0 && norm_layers[1].rate == 0, "layer-norm defaults: eps %g", norm_layers[1].eps);
    OK(plexus_create_layers(shape, 1, norm_layers, 3, 21, &refused));
    if (refused) {
        float gamma[6], beta[6];
        OK(plexus_get_weights(refused, 2, gamma, beta));
        CHECK(gamma[0] == 1 && gamma[5] == 1 && beta[0] == 0 && beta[5] == 0, "a layer norm starts with ones and zeros");
        CHECK(plexus_param_count(refused) == 4 * 6 + 6 + 2 * 6 + 6 * 2 + 2, "%zu parameters", plexus_param_count(refused));
        EXPECT_STATUS(plexus_layer_activation(refused, 2, &activation), PLEXUS_ERR_ARGUMENT, "which has no activation");
        OK(plexus_predict(refused, x, 2, a));
        plexus_free(refused);
        refused = NULL;
    }
    /* Tensors by name: the API's numbering, the Buffers rule, refusals that change nothing. */
    OK(plexus_create_layers(shape, 1, norm_layers, 3, 21, &refused));
    if (refused) {
        size_t count = 0;
        float gamma[6] = {0}, values[6] = {1, 2, 3, 4, 5, 6}, nan_values[6] = {0, 0, 0, 0, 0, NAN};
        OK(plexus_get_tensor(refused, "layers.2.weight", NULL, 0, &count));
        CHECK(count == 6, "layers.2.weight has %zu floats", count);
        EXPECT_STATUS(plexus_get_tensor(refused, "layers.2.weight", gamma, 5, &count), PLEXUS_ERR_ARGUMENT, "the buffer holds 5");
        CHECK(gamma[0] == 0 && count == 6, "too small a buffer is not written");
        OK(plexus_set_tensor(refused, "layers.2.weight", values, 6));
        OK(plexus_get_tensor(refused, "layers.2.weight", gamma, 6, NULL));
        CHECK(gamma[0] == 1 && gamma[5] == 6, "set then got: %g %g", gamma[0], gamma[5]);
        EXPECT_STATUS(plexus_set_tensor(refused, "layers.2.weight", nan_values, 6), PLEXUS_ERR_ARGUMENT, "values must be finite");
        EXPECT_STATUS(plexus_set_tensor(refused, "layers.2.weight", values, 5), PLEXUS_ERR_ARGUMENT, "but 5 were given");
        EXPECT_STATUS(plexus_set_tensor(refused, "layers.0.weight", values, 6), PLEXUS_ERR_ARGUMENT, "no tensor is called");
        EXPECT_STATUS(plexus_get_tensor(refused, NULL, gamma, 6, NULL), PLEXUS_ERR_ARGUMENT, "name");
        EXPECT_STATUS(plexus_set_tensor(refused, "layers.1.weight", values, SIZE_MAX), PLEXUS_ERR_ARGUMENT, "18446744073709551615");
        OK(plexus_get_tensor(refused, "layers.2.weight", gamma, 6, NULL));
        CHECK(gamma[5] == 6, "refused sets changed nothing");
        plexus_free(refused);
        refused = NULL;
    }
    norm_layers[1].eps = 0;
    EXPECT_STATUS(plexus_create_layers(shape, 1, norm_layers, 3, 21, &refused), PLEXUS_ERR_ARGUMENT, "layer 2 (layer_norm) has eps 0");
    norm_layers[1].eps = 1e-5f;
    norm_layers[1].flags = PLEXUS_NO_BIAS;
    EXPECT_STATUS(plexus_create_layers(shape, 1, norm_layers, 3, 21, &refused), PLEXUS_ERR_ARGUMENT, "the only flag of a layer norm is PLEXUS_NO_AFFINE");
    CHECK(refused == NULL, "no refused call created a net");

    /* Mixed biases: the flags say some layer lacks them; a file round trip keeps every bit. */
    layers[0].flags = PLEXUS_NO_BIAS;
    OK(plexus_create_layers(shape, 1, layers, 3, 21, &refused));
    if (refused) {
        uint32_t flags = 0;
        OK(plexus_get_flags(refused, &flags));
        CHECK(flags == PLEXUS_NO_BIAS && plexus_param_count(refused) == 4 * 6 + 6 * 2 + 2, "mixed biases: flags %u, %zu parameters",
              flags, plexus_param_count(refused));
        void *file = NULL;
        size_t bytes = 0;
        plexus_net *loaded = NULL;
        OK(plexus_save_buffer(refused, &file, &bytes));
        OK(plexus_load_buffer(file, bytes, &loaded));
        if (loaded) {
            OK(plexus_predict(refused, x, 2, a));
            OK(plexus_predict(loaded, x, 2, b));
            CHECK(memcmp(a, b, sizeof a) == 0 && plexus_layer_count(loaded) == 4, "a loaded layered net predicts the same bits");
            plexus_free(loaded);
        }
        plexus_free_buffer(file);
        plexus_free(refused);
    }
    plexus_free(by_sizes);
    plexus_free(by_layers);
    plexus_free(with_dropout);
}

int main(void) {
    test_version_and_names();
    test_seed004();
    test_bad_creation();
    test_bad_calls();
    test_numeric_refusal();
    test_training_and_determinism();
    test_threaded_predict();
    test_threads();
    test_epoch_order();
    test_graph();
    test_training_for_real_data();
    test_structs_that_grow();
    test_cancel_flag();
    test_target_checks();
    test_callback_rules();
    test_weights_only_files();
    test_transforms();
    test_metadata();
    test_classes_metadata();
    test_first_version_sizes();
    test_optimizer_options();
    test_transforms_by_side();
    test_l2_penalty();
    test_rmsprop();
    test_code_export_calls();
    test_create_layers();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
