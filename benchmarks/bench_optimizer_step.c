/* What one plexus_step costs per optimizer, at one thread, on a tiny network (2-4-1 sigmoid, 17
   parameters: the fixed cost of a step) and on a wide one (1000-1000 identity, 1,001,000
   parameters: the cost per parameter). The gradients are whatever the last step left (zeros):
   the passes do the same work whatever the values.

     make bench-optimizers       (build/bench_optimizer_step; best of 5 rounds per line)

   Comparing two builds: run the same binary against each with LD_LIBRARY_PATH pointing at the
   folder of each libplexus.so, one after the other, twice (benchmarks/RESULTS.md, 0.6.0). */
#define _POSIX_C_SOURCE 200809L
#include <plexus.h>
#include "machine.h"
#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Best of 5 rounds of `steps` steps, in seconds per step; a negative value when a step failed. */
static double time_steps(plexus_net *net, int steps) {
    double best = 1e30;
    for (int round = 0; round < 5; round++) {
        double start = now();
        for (int i = 0; i < steps; i++) {
            if (plexus_step(net) != PLEXUS_OK) return -1;
        }
        double each = (now() - start) / steps;
        if (each < best) best = each;
    }
    return best;
}

/* Chooses optimizer `which` (0 to 6); returns its name, or NULL when `which` is past the last. */
static const char *choose(plexus_net *net, int which, plexus_status *status) {
    *status = plexus_set_weight_decay(net, 0);
    switch (which) {
    case 0: *status = plexus_set_sgd(net, 0.01f, 0); return "sgd";
    case 1: *status = plexus_set_sgd(net, 0.01f, 0.9f); return "sgd, momentum 0.9";
    case 2: *status = plexus_set_adam(net, 1e-3f, 0.9f, 0.999f, 1e-8f); return "adam";
    case 3:
        *status = plexus_set_adam(net, 1e-3f, 0.9f, 0.999f, 1e-8f);
        if (*status == PLEXUS_OK) *status = plexus_set_weight_decay(net, 1e-4f);
        return "adam, weight decay 1e-4";
    case 4: *status = plexus_set_adamw(net, 1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f); return "adamw";
    case 5: *status = plexus_set_rmsprop(net, 1e-2f, 0.99f, 1e-8f, 0, 0); return "rmsprop";
    case 6: *status = plexus_set_rmsprop(net, 1e-2f, 0.99f, 1e-8f, 0.9f, 1); return "rmsprop, momentum 0.9, centered";
    default: return NULL;
    }
}

int main(void) {
    if (plexus_set_threads(1) != PLEXUS_OK) return 1;
    print_machine(stdout, "bench_optimizer_step");
    const uint32_t tiny[] = {2, 4, 1}, wide[] = {1000, 1000};
    const plexus_activation tiny_acts[] = {PLEXUS_SIGMOID, PLEXUS_SIGMOID}, wide_acts[] = {PLEXUS_IDENTITY};
    for (int shape = 0; shape < 2; shape++) {
        plexus_net *net = NULL;
        if (plexus_create(shape ? wide : tiny, shape ? wide_acts : tiny_acts, shape ? 2 : 3, 0, 1, &net) != PLEXUS_OK) {
            fprintf(stderr, "plexus_create: %s\n", plexus_last_error());
            return 1;
        }
        size_t count = plexus_param_count(net);
        int steps = shape ? 200 : 1000000;
        printf("%s, %zu parameters, ns per step (per parameter):\n", shape ? "1000-1000 identity" : "2-4-1 sigmoid", count);
        plexus_status status;
        const char *name;
        for (int which = 0; (name = choose(net, which, &status)) != NULL; which++) {
            double seconds = status == PLEXUS_OK ? time_steps(net, steps) : -1;
            if (seconds < 0) {
                fprintf(stderr, "%s: %s\n", name, plexus_last_error());
                plexus_free(net);
                return 1;
            }
            printf("  %-34s %12.1f (%.3f)\n", name, seconds * 1e9, seconds * 1e9 / (double)count);
        }
        plexus_free(net);
    }
    return 0;
}
