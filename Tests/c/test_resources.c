/* Resources: 100,000 networks created and freed, every error path taken many times, and a long
   training loop, leak nothing (run under valgrind and LeakSanitizer by `make test`) and keep the
   resident memory flat.  Run: test_resources [NETWORKS [EPOCHS]] */
#define _POSIX_C_SOURCE 200809L
#include "plexus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Resident set size in KiB, from /proc/self/status. */
static long rss_kib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kib = atol(line + 6);
    if (f) fclose(f);
    return kib;
}

int main(int argc, char **argv) {
    long count = argc > 1 ? atol(argv[1]) : 100000;
    int failures = 0, checks = 0;
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_SIGMOID, PLEXUS_SOFTMAX};
    float x[8] = {0.5f, -1, 2, 0, 1, 1, 0.25f, -0.5f}, y[4] = {0};
    float loss;
    long errors = 0;
    for (long i = 0; i < count; i++) {
        const uint32_t sizes[] = {(uint32_t)(1 + i % 8), (uint32_t)(1 + i % 13), (uint32_t)(1 + i % 3)};
        plexus_net *net = NULL;
        if (plexus_create(sizes, acts + i % 2, 3, (uint32_t)(i & 1), (uint64_t)i, &net) != PLEXUS_OK) {
            failures++;
            break;
        }
        if (i % 10 == 0) {
            /* error paths: each returns a status and must not leak */
            errors += plexus_forward(net, x, 0, y) != PLEXUS_OK;
            errors += plexus_backward(net, y, 1, &loss) != PLEXUS_OK;
            errors += plexus_set_loss(net, PLEXUS_CROSS_ENTROPY) != PLEXUS_OK;
            errors += plexus_set_sgd(net, -1, 0) != PLEXUS_OK;
            errors += plexus_load_buffer("PLEXUS", 6, &net) != PLEXUS_OK;
            errors += plexus_get_weights(net, 9, y, NULL) != PLEXUS_OK;
            errors += plexus_load("/nonexistent/model", &net) != PLEXUS_OK;
            if (plexus_forward(net, x, 1, NULL) == PLEXUS_OK && plexus_backward(net, y, 1, NULL) == PLEXUS_OK)
                failures += plexus_step(net) != PLEXUS_OK;
        }
        plexus_free(net);
    }
    checks++;
    failures += errors != 7 * ((count + 9) / 10);
    printf("%ld networks created and freed, %ld failing calls made\n", count, errors);

    /* A long training loop keeps its memory: RSS after warm-up against RSS at the end. */
    const uint32_t sizes[] = {32, 64, 10};
    const plexus_activation mlp[] = {PLEXUS_RELU, PLEXUS_SOFTMAX};
    plexus_net *net = NULL;
    enum { N = 256 };
    float *data = malloc(N * 32 * sizeof *data), *labels = calloc(N * 10, sizeof *labels);
    if (!data || !labels || plexus_create(sizes, mlp, 3, 0, 1, &net) != PLEXUS_OK) return 1;
    for (int i = 0; i < N * 32; i++) data[i] = (float)((i * 37) % 19) / 9.0f - 1.0f;
    for (int i = 0; i < N; i++) labels[i * 10 + i % 10] = 1.0f;
    plexus_status s = plexus_set_loss(net, PLEXUS_CROSS_ENTROPY);
    if (s == PLEXUS_OK) s = plexus_set_adam(net, 0.001f, 0.9f, 0.999f, 1e-8f);
    if (s == PLEXUS_OK) s = plexus_train(net, data, labels, N, 20, 32, 1, NULL, NULL);
    long before = rss_kib();
    int epochs = argc > 2 ? atoi(argv[2]) : 2000;
    if (s == PLEXUS_OK) s = plexus_train(net, data, labels, N, (size_t)epochs, 32, 2, NULL, NULL);
    long after = rss_kib();
    checks += 2;
    failures += s != PLEXUS_OK;
    failures += after - before > 1024;
    printf("training for %d more epochs (%d steps): resident memory %ld KiB -> %ld KiB\n", epochs, epochs * (N / 32), before, after);
    plexus_free(net);
    free(data);
    free(labels);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures != 0;
}
