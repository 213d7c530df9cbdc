/* FANN, the peer for the tiny workloads, one workload per invocation (see bench_core.c; run by
   benchmarks/bench.py). Debian's libfann-dev, float build (floatfann.h, -lfloatfann).

     bench_fann w1   2-4-1 sigmoid, fann_run on 1 sample, 2,000,000 calls        ns/call
     bench_fann w2   XOR 2-4-1 sigmoid, fann_train per sample, lr 0.5, 1e5       ns/update

   Same maths as Plexus's W1/W2: FANN_SIGMOID at its default steepness 0.5 is 1/(1+e^-z), the
   error function is set to linear (plain MSE backpropagation; FANN's default tanh error
   function would change the gradient), incremental updates without momentum. W2 exits with
   status 2 when XOR was not learned. */
#define _POSIX_C_SOURCE 200809L
#include <floatfann.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static struct fann *tiny_net(void) {
    struct fann *ann = fann_create_standard(3, 2, 4, 1);
    if (!ann) {
        fprintf(stderr, "fann_create_standard failed\n");
        return NULL;
    }
    fann_set_activation_function_hidden(ann, FANN_SIGMOID);
    fann_set_activation_function_output(ann, FANN_SIGMOID);
    return ann;
}

int main(int argc, char **argv) {
    if (argc != 2 || (strcmp(argv[1], "w1") != 0 && strcmp(argv[1], "w2") != 0)) {
        fprintf(stderr, "usage: %s w1|w2\n", argv[0]);
        return 64;
    }
    struct fann *ann = tiny_net();
    if (!ann) return 1;
    double figure;
    if (strcmp(argv[1], "w1") == 0) {
        const long calls = 2000000;
        fann_type x[2] = {0.3f, 0.7f};
        float sink = 0;
        double t0 = now();
        for (long i = 0; i < calls; i++) {
            x[0] = (fann_type)(i & 1);
            sink += fann_run(ann, x)[0];
        }
        figure = (now() - t0) * 1e9 / (double)calls;
        if (sink < 0) printf("%f\n", sink);
    } else {
        fann_type x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, y[4] = {0, 1, 1, 0};
        const long updates = 100000;
        fann_set_training_algorithm(ann, FANN_TRAIN_INCREMENTAL);
        fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);
        fann_set_learning_rate(ann, 0.5f);
        fann_set_learning_momentum(ann, 0.0f);
        double t0 = now();
        for (long i = 0; i < updates; i++) fann_train(ann, x[i & 3], &y[i & 3]);
        figure = (now() - t0) * 1e9 / (double)updates;
        float out[4];
        for (int k = 0; k < 4; k++) out[k] = fann_run(ann, x[k])[0];
        if (!(out[0] < 0.5f && out[1] > 0.5f && out[2] > 0.5f && out[3] < 0.5f)) {
            fprintf(stderr, "FANN W2: XOR not learned: %.3f %.3f %.3f %.3f\n", out[0], out[1], out[2], out[3]);
            fann_destroy(ann);
            return 2;
        }
    }
    fann_destroy(ann);
    printf("%.6g\n", figure);
    return 0;
}
