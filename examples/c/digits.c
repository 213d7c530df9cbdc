/* Handwritten digits from C: reads the data set written by examples/c/prepare_digits.py, trains a
   64-64-10 network with plexus_train and a per-epoch callback, reports test accuracy, saves the
   model. Build: cc -std=c99 digits.c -Iinclude -lplexus
   Run:   ./digits build/digits.bin build/digits_c.safetensors */
#include "plexus.h"

#include <stdio.h>
#include <stdlib.h>

#include "digits_data.h"

/* Fraction of rows whose largest output is the label. */
static float accuracy(const plexus_net *net, const dataset *d, uint32_t first, uint32_t count, plexus_status *status) {
    float *out = malloc((size_t)count * d->classes * sizeof *out);
    uint32_t correct = 0;
    *status = out ? plexus_predict(net, d->x + (size_t)first * d->features, count, out) : PLEXUS_ERR_MEMORY;
    if (*status == PLEXUS_OK) {
        for (uint32_t i = 0; i < count; i++) {
            const float *row = out + (size_t)i * d->classes;
            uint32_t best = 0;
            for (uint32_t k = 1; k < d->classes; k++)
                if (row[k] > row[best]) best = k;
            correct += best == d->labels[first + i];
        }
    }
    free(out);
    return (float)correct / (float)count;
}

typedef struct {
    const plexus_net *net;
    const dataset *data;
    uint32_t test_first, test_count;
} progress;

/* After every 10th epoch: the epoch's mean loss and the test accuracy so far. */
static int on_epoch(size_t epoch, float mean_loss, void *user) {
    const progress *p = (const progress *)user;
    if ((epoch + 1) % 10 == 0 || epoch == 0) {
        plexus_status status;
        float acc = accuracy(p->net, p->data, p->test_first, p->test_count, &status);
        printf("epoch %3zu  loss %.4f  test accuracy %.1f%%\n", epoch + 1, mean_loss, 100.0 * acc);
        if (status != PLEXUS_OK) return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    const char *data_path = argc > 1 ? argv[1] : "build/digits.bin";
    const char *model_path = argc > 2 ? argv[2] : "build/digits_c.safetensors";
    dataset d;
    if (!load_dataset(data_path, &d)) return 1;
    const uint32_t train = d.n * 4 / 5, test = d.n - train;

    /* one-hot targets for cross-entropy */
    float *y = calloc((size_t)d.n * d.classes, sizeof *y);
    if (!y) return 1;
    for (uint32_t i = 0; i < d.n; i++) y[(size_t)i * d.classes + d.labels[i]] = 1.0f;

    const uint32_t sizes[] = {d.features, 64, d.classes};
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_SOFTMAX};
    plexus_net *net = NULL;
    plexus_status s = plexus_create(sizes, acts, 3, 0, 1, &net);
    if (s == PLEXUS_OK) s = plexus_set_loss(net, PLEXUS_CROSS_ENTROPY);
    if (s == PLEXUS_OK) s = plexus_set_adam(net, 0.005f, 0.9f, 0.999f, 1e-8f);
    printf("digits: %u training and %u test images of %u pixels, network %u-64-%u\n", train, test, d.features, d.features, d.classes);
    progress p = {net, &d, train, test};
    if (s == PLEXUS_OK) s = plexus_train(net, d.x, y, train, 60, 32, 2, on_epoch, &p);
    float acc = 0;
    if (s == PLEXUS_OK) acc = accuracy(net, &d, train, test, &s);
    if (s == PLEXUS_OK) s = plexus_save(net, model_path);
    if (s != PLEXUS_OK) {
        fprintf(stderr, "digits: %s: %s\n", plexus_status_name(s), plexus_last_error());
    } else {
        printf("test accuracy: %.1f%% on %u unseen images\nsaved %s\n", 100.0 * acc, test, model_path);
    }
    plexus_free(net);
    free(y);
    free(d.x);
    free(d.labels);
    return s == PLEXUS_OK && acc >= 0.9f ? 0 : 1;
}
