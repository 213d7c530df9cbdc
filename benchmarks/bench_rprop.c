/* RPROP against Adam on a full-batch tabular problem, with FANN's RPROP beside them (FANN's default
   training, iRPROP-): `make bench-rprop`. Figures: benchmarks/RESULTS.md.

   The problem: 6 inputs uniform in [-1, 1], target sin(2 x0) + x1 x2 - 0.5 x3^2 + 0.3 x4 plus
   noise of deviation 0.05 (x5 is noise only), 400 training rows and 400 test rows from a fixed
   generator. A 6-16-1 network (tanh, identity output, MSE), every epoch one batch of all 400 rows:
     plexus-rprop   Network.rprop's defaults (lr 0.01, etas (0.5, 1.2), step sizes (1e-6, 50))
     plexus-adam    Adam, lr 0.01 (and 0.001, torch's default), the same initial weights
     fann-rprop     FANN_TRAIN_RPROP (FANN's defaults: 1.2, 0.5, delta 0.1 at first, at most 50),
                    linear error function, its own initial weights (seed 1)
   It prints the test MSE of each after 50, 100, 200, 500 and 1000 epochs, the mean over 5 seeds. */
#define _POSIX_C_SOURCE 200809L
#include <floatfann.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "plexus.h"
#include "machine.h"

enum { INPUTS = 6, HIDDEN = 16, ROWS = 400, SEEDS = 5 };
static const int checkpoints[] = {50, 100, 200, 500, 1000};
enum { CHECKPOINTS = sizeof checkpoints / sizeof checkpoints[0] };

static uint64_t state = 0x9E3779B97F4A7C15u;
static double uniform(void) {   /* splitmix64 */
    uint64_t z = (state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

static void make_rows(float *x, float *y) {
    for (int r = 0; r < ROWS; r++) {
        float *row = x + r * INPUTS;
        for (int i = 0; i < INPUTS; i++) row[i] = (float)(2 * uniform() - 1);
        double noise = sqrt(-2 * log(uniform() + 1e-300)) * cos(6.283185307179586 * uniform()) * 0.05;
        y[r] = (float)(sin(2 * row[0]) + row[1] * row[2] - 0.5 * row[3] * row[3] + 0.3 * row[4] + noise);
    }
}

static double plexus_mse(plexus_net *net, const float *x, const float *y) {
    float out[ROWS];
    if (plexus_predict(net, x, ROWS, out) != PLEXUS_OK) return NAN;
    double sum = 0;
    for (int r = 0; r < ROWS; r++) sum += (out[r] - y[r]) * (double)(out[r] - y[r]);
    return sum / ROWS;
}

/* Test MSE after each checkpoint for one Plexus optimizer; 1 on failure. */
static int run_plexus(const plexus_optimizer_options *optimizer, uint64_t seed, const float *xt, const float *yt,
                      const float *xs, const float *ys, double *mse) {
    const uint32_t sizes[] = {INPUTS, HIDDEN, 1};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_IDENTITY};
    plexus_net *net = NULL;
    if (plexus_create(sizes, acts, 3, 0, seed, &net) != PLEXUS_OK || plexus_set_optimizer(net, optimizer) != PLEXUS_OK) {
        fprintf(stderr, "bench_rprop: %s\n", plexus_last_error());
        plexus_free(net);
        return 1;
    }
    int done = 0;
    for (int c = 0; c < CHECKPOINTS; c++) {
        if (plexus_train(net, xt, yt, ROWS, (size_t)(checkpoints[c] - done), ROWS, 0, NULL, NULL) != PLEXUS_OK) {
            fprintf(stderr, "bench_rprop: %s\n", plexus_last_error());
            plexus_free(net);
            return 1;
        }
        done = checkpoints[c];
        mse[c] = plexus_mse(net, xs, ys);
    }
    plexus_free(net);
    return 0;
}

static int run_fann(unsigned seed, const float *xt, const float *yt, float *xs, const float *ys, double *mse) {
    srand(seed);
    struct fann *ann = fann_create_standard(3, INPUTS, HIDDEN, 1);
    struct fann_train_data *data = fann_create_train(ROWS, INPUTS, 1);
    if (!ann || !data) return 1;
    for (int r = 0; r < ROWS; r++) {
        for (int i = 0; i < INPUTS; i++) data->input[r][i] = xt[r * INPUTS + i];
        data->output[r][0] = yt[r];
    }
    fann_set_activation_function_hidden(ann, FANN_SIGMOID_SYMMETRIC);   /* tanh at steepness 0.5: tanh(z/2) */
    fann_set_activation_steepness_hidden(ann, 1.0f);                    /* tanh(z) */
    fann_set_activation_function_output(ann, FANN_LINEAR);
    fann_set_activation_steepness_output(ann, 1.0f);
    fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);
    fann_set_training_algorithm(ann, FANN_TRAIN_RPROP);
    fann_randomize_weights(ann, -0.5f, 0.5f);
    int done = 0;
    for (int c = 0; c < CHECKPOINTS; c++) {
        for (; done < checkpoints[c]; done++) fann_train_epoch(ann, data);
        double sum = 0;
        for (int r = 0; r < ROWS; r++) {
            float *out = fann_run(ann, xs + r * INPUTS);
            sum += (out[0] - ys[r]) * (double)(out[0] - ys[r]);
        }
        mse[c] = sum / ROWS;
    }
    fann_destroy_train(data);
    fann_destroy(ann);
    return 0;
}

int main(void) {
    static float xt[ROWS * INPUTS], yt[ROWS], xs[ROWS * INPUTS], ys[ROWS];
    make_rows(xt, yt);
    make_rows(xs, ys);
    print_machine(stdout, "bench_rprop");
    plexus_optimizer_options rprop = {0}, adam = {0}, adam_small = {0};
    rprop.struct_size = adam.struct_size = adam_small.struct_size = sizeof rprop;
    if (plexus_optimizer_defaults(PLEXUS_RPROP, &rprop) != PLEXUS_OK || plexus_optimizer_defaults(PLEXUS_ADAM, &adam) != PLEXUS_OK
        || plexus_optimizer_defaults(PLEXUS_ADAM, &adam_small) != PLEXUS_OK) return 1;
    adam.learning_rate = 0.01f;
    const char *names[] = {"plexus-rprop", "plexus-adam lr 0.01", "plexus-adam lr 0.001", "fann-rprop"};
    double mean[4][CHECKPOINTS] = {{0}};
    for (int s = 0; s < SEEDS; s++) {
        double mse[CHECKPOINTS];
        const plexus_optimizer_options *optimizers[] = {&rprop, &adam, &adam_small};
        for (int k = 0; k < 3; k++) {
            if (run_plexus(optimizers[k], (uint64_t)s + 1, xt, yt, xs, ys, mse)) return 1;
            for (int c = 0; c < CHECKPOINTS; c++) mean[k][c] += mse[c] / SEEDS;
        }
        if (run_fann((unsigned)s + 1, xt, yt, xs, ys, mse)) return 1;
        for (int c = 0; c < CHECKPOINTS; c++) mean[3][c] += mse[c] / SEEDS;
    }
    printf("test MSE (mean of %d seeds) after epochs:", SEEDS);
    for (int c = 0; c < CHECKPOINTS; c++) printf(" %d", checkpoints[c]);
    printf("\n");
    for (int k = 0; k < 4; k++) {
        printf("%-22s", names[k]);
        for (int c = 0; c < CHECKPOINTS; c++) printf(" %.5f", mean[k][c]);
        printf("\n");
    }
    return 0;
}
