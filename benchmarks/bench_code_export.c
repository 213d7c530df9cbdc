/* The generated code against the library: one-row predictions of the same network through
   plexus_predict (libplexus) and through the float32 and int8 code plexus_export_c wrote
   (benchmarks/bench_code_export.sh builds this once per network). Prints ns per call, the median
   of 7 rounds, all three in one process so they share the machine's state.
   Build: see bench_code_export.sh; Run: ./bench_code_export MODEL.safetensors ROWS.bin LABEL */
#define _POSIX_C_SOURCE 200809L
#include "plexus.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "machine.h"
#include "model_f.h"
#include "model_q.h"

enum { ROWS = 256, ROUNDS = 7 };
static float x[ROWS][MODEL_F_INPUTS], y[MODEL_F_OUTPUTS];
static volatile float sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare(const void *a, const void *b) {
    double d = *(const double *)a - *(const double *)b;
    return (d > 0) - (d < 0);
}

/* ns per one-row call of `kind` (0 plexus_predict, 1 float32 code, 2 int8 code), median of rounds. */
static double time_calls(int kind, const plexus_net *net, long calls) {
    double rounds[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double start = now();
        for (long i = 0; i < calls; i++) {
            const float *row = x[i % ROWS];
            int status = kind == 0 ? (int)plexus_predict(net, row, 1, y) : kind == 1 ? model_f_predict(row, y) : model_q_predict(row, y);
            if (status != 0) { fprintf(stderr, "bench_code_export: call failed\n"); exit(1); }
            sink += y[0];
        }
        rounds[r] = (now() - start) / (double)calls;
    }
    qsort(rounds, ROUNDS, sizeof rounds[0], compare);
    return rounds[ROUNDS / 2];
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: bench_code_export MODEL.safetensors ROWS.bin LABEL\n"); return 2; }
    plexus_net *net = NULL;
    if (plexus_load(argv[1], &net) != PLEXUS_OK) { fprintf(stderr, "%s\n", plexus_last_error()); return 1; }
    FILE *f = fopen(argv[2], "rb");
    if (!f || fread(x, sizeof x, 1, f) != 1) { fprintf(stderr, "bench_code_export: cannot read %s\n", argv[2]); return 1; }
    fclose(f);
    print_machine(stdout, "bench_code_export");
    long calls = 2000000 / (long)(plexus_param_count(net) / 8 + 1) + 1000;
    double library = time_calls(0, net, calls), generated = time_calls(1, net, calls), int8 = time_calls(2, net, calls);
    printf("%-28s plexus_predict %8.1f ns   float32 code %8.1f ns (%.2fx)   int8 code %8.1f ns (%.2fx)\n", argv[3],
           library, generated, generated / library, int8, int8 / library);
    plexus_free(net);
    return 0;
}
