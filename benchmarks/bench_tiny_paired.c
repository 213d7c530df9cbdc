/* W1 and W2 with Plexus and FANN in one process, interleaved in short chunks (run by
   benchmarks/bench.py; one workload per invocation, Plexus at 1 thread):

     bench_tiny_paired w1   2,000,000 predict calls each, in 40 alternating chunks   ns/call
     bench_tiny_paired w2   100,000 XOR updates each, in 20 alternating chunks      ns/update
     bench_tiny_paired w2-step the same updates, each one plexus_train_step call    ns/update
                            against one fann_train call
     bench_tiny_paired w2-run  the same updates, each chunk one whole-run call:     ns/update
                            plexus_train (batch 1, 1,250 epochs of the 4 samples) against
                            fann_train_epoch 1,250 times (FANN_TRAIN_INCREMENTAL: per sample)

   Prints "PLEXUS FANN". This shared host changes speed by up to 2x within seconds, which moves
   a ratio of two separate processes as much as the code does; chunks of a few milliseconds
   alternating inside one process see the same machine. Same networks and settings as
   bench_core.c and bench_fann.c. W2 exits with status 2 when either net did not learn XOR. */
#define _POSIX_C_SOURCE 200809L
#include "fann_tiny.h"

#include <plexus.h>
#include "machine.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void check(int status, const char *what) {
    if (status != PLEXUS_OK) {
        fprintf(stderr, "%s: %s\n", what, plexus_last_error());
        exit(1);
    }
}

static plexus_net *plexus_tiny(void) {
    const uint32_t sizes[] = {2, 4, 1};
    const plexus_activation acts[] = {PLEXUS_SIGMOID, PLEXUS_SIGMOID};
    plexus_net *net = NULL;
    check(plexus_create(sizes, acts, 3, 0, 1, &net), "plexus_create");
    check(plexus_set_sgd(net, 0.5f, 0.0f), "plexus_set_sgd");
    return net;
}

/* Not const: fann_train takes non-const pointers (it only reads them). */
static float xor_x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, xor_y[4] = {0, 1, 1, 0};

static int learned(const float out[4]) {
    return out[0] < 0.5f && out[1] > 0.5f && out[2] > 0.5f && out[3] < 0.5f;
}

int main(int argc, char **argv) {
    if (argc != 2 || (strcmp(argv[1], "w1") != 0 && strcmp(argv[1], "w2") != 0 && strcmp(argv[1], "w2-run") != 0 &&
                      strcmp(argv[1], "w2-step") != 0)) {
        fprintf(stderr, "usage: %s w1|w2|w2-step|w2-run\n", argv[0]);
        return 64;
    }
    check(plexus_set_threads(1), "plexus_set_threads");
    print_machine(stderr, "bench_tiny_paired");
    plexus_net *net = plexus_tiny();
    struct fann *ann = fann_tiny();
    if (!ann) {
        fprintf(stderr, "fann_create_standard failed\n");
        return 1;
    }
    int w1 = strcmp(argv[1], "w1") == 0, whole_run = strcmp(argv[1], "w2-run") == 0;
    int one_call = strcmp(argv[1], "w2-step") == 0;
    struct fann_train_data *xor_data = fann_xor_data(xor_x, xor_y);
    if (!xor_data) {
        fprintf(stderr, "fann_create_train failed\n");
        return 1;
    }
    const long chunks = w1 ? 40 : 20, per_chunk = w1 ? 50000 : 5000;
    double plexus_time = 0, fann_time = 0;
    float sink = 0;
    for (long c = 0; c < chunks; c++) {
        double t0 = now();
        if (w1) {
            float x[2] = {0.3f, 0.7f}, y = 0;
            for (long i = 0; i < per_chunk; i++) {
                x[0] = (float)(i & 1);
                check(plexus_predict(net, x, 1, &y), "plexus_predict");
                sink += y;
            }
        } else if (whole_run) {
            check(plexus_train(net, &xor_x[0][0], xor_y, 4, (size_t)per_chunk / 4, 1, (uint64_t)c, NULL, NULL),
                  "plexus_train");
        } else if (one_call) {
            for (long i = 0; i < per_chunk; i++) {
                check(plexus_train_step(net, xor_x[i & 3], &xor_y[i & 3], 1, NULL), "plexus_train_step");
            }
        } else {
            for (long i = 0; i < per_chunk; i++) {
                check(plexus_forward(net, xor_x[i & 3], 1, NULL), "plexus_forward");
                check(plexus_backward(net, &xor_y[i & 3], 1, NULL), "plexus_backward");
                check(plexus_step(net), "plexus_step");
            }
        }
        double t1 = now();
        if (w1) {
            fann_type x[2] = {0.3f, 0.7f};
            for (long i = 0; i < per_chunk; i++) {
                x[0] = (fann_type)(i & 1);
                sink += fann_run(ann, x)[0];
            }
        } else if (whole_run) {
            for (long e = 0; e < per_chunk / 4; e++) fann_train_epoch(ann, xor_data);
        } else {
            for (long i = 0; i < per_chunk; i++) fann_train(ann, xor_x[i & 3], &xor_y[i & 3]);
        }
        double t2 = now();
        plexus_time += t1 - t0;
        fann_time += t2 - t1;
    }
    if (!w1) {
        float ours[4], theirs[4];
        check(plexus_predict(net, &xor_x[0][0], 4, ours), "plexus_predict");
        for (int k = 0; k < 4; k++) theirs[k] = fann_run(ann, xor_x[k])[0];
        if (!learned(ours) || !learned(theirs)) {
            fprintf(stderr, "%s: XOR not learned: Plexus %.3f %.3f %.3f %.3f, FANN %.3f %.3f %.3f %.3f\n",
                    argv[1], ours[0], ours[1], ours[2], ours[3], theirs[0], theirs[1], theirs[2], theirs[3]);
            return 2;
        }
    }
    if (sink < 0) printf("%f\n", sink);
    double calls = (double)(chunks * per_chunk);
    printf("%.6g %.6g\n", plexus_time * 1e9 / calls, fann_time * 1e9 / calls);
    plexus_free(net);
    fann_destroy_train(xor_data);
    fann_destroy(ann);
    return 0;
}
