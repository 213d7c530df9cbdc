/* One writer or many readers per net, enforced (include/plexus.h, "Threads"): races that the
   library must refuse with PLEXUS_ERR_BUSY rather than run side by side. Run plainly and under
   ThreadSanitizer (make test-sanitizers), which also proves the refusals race with nothing.

     test_busy [PAIRS]     (default 300 pairs of plexus_train) */
#define _GNU_SOURCE
#include "check.h"

#include <stdlib.h>

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

enum { ROWS = 64, INPUTS = 4, OUTPUTS = 2 };
static float train_x[ROWS * INPUTS], train_y[ROWS * OUTPUTS];

static void make_data(void) {
    uint32_t s = 12345;
    for (int i = 0; i < ROWS * INPUTS; i++) { s = s * 1664525u + 1013904223u; train_x[i] = (float)(s >> 8) / 16777216.0f - 0.5f; }
    for (int i = 0; i < ROWS * OUTPUTS; i++) { s = s * 1664525u + 1013904223u; train_y[i] = (float)(s >> 8) / 16777216.0f; }
}

/* MARK: two plexus_train calls started together */

struct trainer {
    plexus_net *net;
    pthread_barrier_t *barrier;
    double start, end;
    plexus_status status;
    char message[256];
};

static void *train_once(void *arg) {
    struct trainer *t = arg;
    pthread_barrier_wait(t->barrier);
    t->start = now();
    t->status = plexus_train(t->net, train_x, train_y, ROWS, 20, 8, 1, NULL, NULL);
    t->end = now();
    snprintf(t->message, sizeof t->message, "%s", plexus_last_error());
    return NULL;
}

static void racing_trainings(int pairs) {
    const uint32_t sizes[] = {INPUTS, 32, OUTPUTS};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_IDENTITY};
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, 3, 0, 7, &net));
    int overlapped_ok = 0, busy = 0, overlapping = 0, other = 0, wrong_message = 0;
    for (int p = 0; p < pairs; p++) {
        pthread_barrier_t barrier;
        pthread_barrier_init(&barrier, NULL, 2);
        struct trainer a = {net, &barrier, 0, 0, PLEXUS_OK, ""}, b = a;
        pthread_t ta, tb;
        pthread_create(&ta, NULL, train_once, &a);
        pthread_create(&tb, NULL, train_once, &b);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        pthread_barrier_destroy(&barrier);
        int overlap = a.start < b.end && b.start < a.end;
        overlapping += overlap;
        if (a.status == PLEXUS_OK && b.status == PLEXUS_OK && overlap) overlapped_ok++;
        for (struct trainer *t = &a; t; t = t == &a ? &b : NULL) {
            if (t->status == PLEXUS_ERR_BUSY) {
                busy++;
                if (!strstr(t->message, "training it")) wrong_message++;
            } else if (t->status != PLEXUS_OK) {
                other++;
            }
        }
    }
    printf("%d pairs of plexus_train: %d overlapped in time, %d refused with BUSY, %d both OK while overlapping\n",
           pairs, overlapping, busy, overlapped_ok);
    CHECK(overlapped_ok == 0, "see above");
    CHECK(other == 0, "see above");
    CHECK(wrong_message == 0, "see above");
    /* Not vacuous: the calls did meet (a barrier start and 20 epochs make most pairs overlap). */
    CHECK(busy > 0 && overlapping > 0, "see above");
    plexus_free(net);
}

/* MARK: predict against plexus_set_params */

enum { BATCH = 32, WIDE = 64 };

struct setter {
    plexus_net *net;
    const float *params[2];
    int rounds, busy, stop;
};

static void *swap_params(void *arg) {
    struct setter *s = arg;
    for (int i = 0; i < s->rounds; i++) {
        plexus_status st = plexus_set_params(s->net, s->params[i % 2]);
        if (st == PLEXUS_ERR_BUSY) s->busy++;
        else if (st != PLEXUS_OK) s->busy = -1000000;
    }
    __atomic_store_n(&s->stop, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void predict_against_set_params(void) {
    const uint32_t sizes[] = {INPUTS, WIDE, WIDE, OUTPUTS};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_TANH, PLEXUS_IDENTITY};
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, 4, 0, 3, &net));
    size_t count = plexus_param_count(net);
    float *a = malloc(count * sizeof *a), *b = malloc(count * sizeof *b);
    OK(plexus_get_params(net, a));
    for (size_t i = 0; i < count; i++) b[i] = -a[i] * 0.5f;
    float x[BATCH * INPUTS], out_a[BATCH * OUTPUTS], out_b[BATCH * OUTPUTS], y[BATCH * OUTPUTS];
    memcpy(x, train_x, sizeof x);
    OK(plexus_set_params(net, b));
    OK(plexus_predict(net, x, BATCH, out_b));
    OK(plexus_set_params(net, a));
    OK(plexus_predict(net, x, BATCH, out_a));
    CHECK(memcmp(out_a, out_b, sizeof out_a) != 0, "see above");

    struct setter s = {net, {b, a}, 20000, 0, 0};
    pthread_t t;
    pthread_create(&t, NULL, swap_params, &s);
    int old = 0, fresh = 0, torn = 0, busy = 0, other = 0;
    while (!__atomic_load_n(&s.stop, __ATOMIC_ACQUIRE)) {
        plexus_status st = plexus_predict(net, x, BATCH, y);
        if (st == PLEXUS_ERR_BUSY) busy++;
        else if (st != PLEXUS_OK) other++;
        else if (memcmp(y, out_a, sizeof y) == 0) old++;
        else if (memcmp(y, out_b, sizeof y) == 0) fresh++;
        else torn++;
    }
    pthread_join(t, NULL);
    printf("plexus_predict racing %d plexus_set_params: %d old outputs, %d new, %d BUSY, %d torn; the setter was refused %d times\n",
           s.rounds, old, fresh, busy, torn, s.busy);
    CHECK(torn == 0 && other == 0 && s.busy >= 0, "see above");
    CHECK(old + fresh > 0, "see above");
    free(a);
    free(b);
    plexus_free(net);
}

/* MARK: 0.11.0's settings against a training run */

/* A training run reads the L2 penalty's coefficient buffer, the optimizer and the transforms at
   every step; plexus_set_l2_penalty(0) frees that buffer, plexus_set_optimizer replaces the
   optimizer, plexus_set_transform the maps. Another thread's calls are refused while the run
   holds the net (under ThreadSanitizer, any one of them running beside a step is a reported race
   or a use after free), and go through between runs. */
struct settings_caller {
    plexus_net *net;
    int stop, ok, busy, other;
};

static void *change_settings(void *arg) {
    struct settings_caller *c = arg;
    plexus_optimizer_options adam = {0}, read = {0};
    adam.struct_size = read.struct_size = sizeof adam;
    if (plexus_optimizer_defaults(PLEXUS_ADAM, &adam) != PLEXUS_OK) c->other++;
    const float shift[INPUTS] = {0.1f, 0, 0, 0}, scale[INPUTS] = {2, 1, 1, 1};
    for (int i = 0; !__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE); i++) {
        plexus_status st;
        switch (i % 4) {
        case 0: st = plexus_set_l2_penalty(c->net, i % 8 == 0 ? 0.0f : 0.01f); break;
        case 1: adam.learning_rate = i % 3 == 0 ? 0.01f : 0.001f; st = plexus_set_optimizer(c->net, &adam); break;
        case 2: st = plexus_get_optimizer_options(c->net, &read); break;
        default: st = plexus_set_transform(c->net, PLEXUS_INPUTS, i % 8 == 3 ? NULL : shift, i % 8 == 3 ? NULL : scale); break;
        }
        if (st == PLEXUS_OK) c->ok++;
        else if (st == PLEXUS_ERR_BUSY) __atomic_add_fetch(&c->busy, 1, __ATOMIC_RELEASE);
        else c->other++;
    }
    return NULL;
}

/* The first run's epoch callback waits (at most 2 s) until the setters have met the run: the
   training thread holds the net meanwhile, so at least one call is refused however fast the
   machine, and the test cannot pass without the calls meeting. */
static int wait_for_a_refusal(size_t epoch, float loss, void *user) {
    struct settings_caller *c = user;
    (void)loss;
    double until = now() + 2;
    while (epoch == 0 && __atomic_load_n(&c->busy, __ATOMIC_ACQUIRE) == 0 && now() < until) {
        struct timespec pause = {0, 100000};
        nanosleep(&pause, NULL);
    }
    return 0;
}

static void settings_against_training(void) {
    const uint32_t sizes[] = {INPUTS, 32, OUTPUTS};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_IDENTITY};
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, 3, 0, 11, &net));
    OK(plexus_set_l2_penalty(net, 0.01f));
    struct settings_caller c = {net, 0, 0, 0, 0};
    pthread_t t;
    pthread_create(&t, NULL, change_settings, &c);
    int runs = 0, failed = 0;
    for (; runs < 40; runs++) {
        plexus_status st = plexus_train(net, train_x, train_y, ROWS, 20, 8, (uint64_t)runs,
                                        runs == 0 ? wait_for_a_refusal : NULL, &c);
        if (st != PLEXUS_OK && st != PLEXUS_ERR_BUSY) failed++;
        struct timespec pause = {0, 1000000};   /* a millisecond between runs for the setters */
        nanosleep(&pause, NULL);
    }
    __atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
    pthread_join(t, NULL);
    printf("%d plexus_train runs against the 0.11.0 setters: %d calls went through, %d refused with BUSY, %d failed otherwise\n",
           runs, c.ok, c.busy, c.other + failed);
    CHECK(c.other == 0 && failed == 0, "see above");
    /* Not vacuous: the setters met the runs and also went through between them. */
    CHECK(c.busy > 0 && c.ok > 0, "see above");
    plexus_free(net);
}

/* MARK: the epoch callback keeps its rules on top of the gate */

struct callback_probe {
    plexus_net *net;
    plexus_status predict, forward, get_loss, set_sgd;
    plexus_status other_thread;
};

static void *predict_from_elsewhere(void *arg) {
    struct callback_probe *probe = arg;
    float x[INPUTS] = {0}, y[OUTPUTS];
    probe->other_thread = plexus_predict(probe->net, x, 1, y);
    return NULL;
}

static int probe_in_callback(size_t epoch, float loss, void *user) {
    (void)loss;
    struct callback_probe *probe = user;
    if (epoch != 0) return 0;
    float x[INPUTS] = {0}, y[OUTPUTS];
    plexus_loss kind;
    probe->predict = plexus_predict(probe->net, x, 1, y);
    probe->forward = plexus_forward(probe->net, x, 1, y);
    probe->get_loss = plexus_get_loss(probe->net, &kind);
    probe->set_sgd = plexus_set_sgd(probe->net, 0.05f, 0.0f);
    pthread_t t;
    pthread_create(&t, NULL, predict_from_elsewhere, probe);
    pthread_join(t, NULL);
    return 0;
}

static void callback_rules(void) {
    const uint32_t sizes[] = {INPUTS, 8, OUTPUTS};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_IDENTITY};
    struct callback_probe probe = {0};
    OK(plexus_create(sizes, acts, 3, 0, 5, &probe.net));
    OK(plexus_train(probe.net, train_x, train_y, ROWS, 2, 16, 0, probe_in_callback, &probe));
    CHECK(probe.predict == PLEXUS_OK, "see above");       /* the callback reads */
    CHECK(probe.get_loss == PLEXUS_OK, "see above");
    CHECK(probe.set_sgd == PLEXUS_OK, "see above");       /* and sets what a callback may set */
    CHECK(probe.forward == PLEXUS_ERR_STATE, "see above"); /* but runs no passes */
    CHECK(probe.other_thread == PLEXUS_ERR_BUSY, "see above"); /* another thread waits for the run */
    plexus_free(probe.net);
}

static int free_in_callback(size_t epoch, float loss, void *user) {
    (void)loss;
    if (epoch == 1) plexus_free((plexus_net *)user);
    return 0;
}

/* The callback may free the net: the run ends normally, the memory goes when it returns, and the
   handle is stale afterwards. */
static void freed_by_its_callback(void) {
    const uint32_t sizes[] = {INPUTS, 8, OUTPUTS};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_IDENTITY};
    plexus_net *net = NULL;
    OK(plexus_create(sizes, acts, 3, 0, 6, &net));
    OK(plexus_train(net, train_x, train_y, ROWS, 4, 16, 0, free_in_callback, net));
    float y[OUTPUTS];
    EXPECT_STATUS(plexus_predict(net, train_x, 1, y), PLEXUS_ERR_MISUSE, "was freed");
}

int main(int argc, char **argv) {
    int pairs = argc > 1 ? atoi(argv[1]) : 300;
    make_data();
    racing_trainings(pairs);
    settings_against_training();
    predict_against_set_params();
    callback_rules();
    freed_by_its_callback();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
