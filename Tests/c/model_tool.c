/* Helper for the cross-language tests (Tests/python/test_binding.py): C's side of "a model saved
   in one language predicts bitwise the same in the other".
     model_tool predict MODEL X.f32 ROWS Y.f32   loads MODEL, predicts ROWS rows of raw float32 X
     model_tool make MODEL X.f32 Y.f32           trains a small net in C, saves it to MODEL, and
                                                 writes fixed inputs X and their predictions Y */
#include "plexus.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, plexus_status s) {
    fprintf(stderr, "%s: %s: %s\n", what, plexus_status_name(s), plexus_last_error());
    return 1;
}

static int write_floats(const char *path, const float *v, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    size_t done = fwrite(v, sizeof *v, n, f);
    return fclose(f) == 0 && done == n;
}

static float *read_floats(const char *path, size_t n) {
    FILE *f = fopen(path, "rb");
    float *v = malloc(n * sizeof *v);
    if (!f || !v || fread(v, sizeof *v, n, f) != n) {
        if (f) fclose(f);
        free(v);
        return NULL;
    }
    fclose(f);
    return v;
}

static int predict(const char *model, const char *xpath, size_t rows, const char *ypath) {
    plexus_net *net = NULL;
    plexus_status s = plexus_load(model, &net);
    if (s != PLEXUS_OK) return fail("plexus_load", s);
    size_t in = plexus_layer_size(net, 0), out = plexus_layer_size(net, plexus_layer_count(net) - 1);
    float *x = read_floats(xpath, rows * in), *y = malloc(rows * out * sizeof *y);
    int status = 1;
    if (!x || !y) {
        fprintf(stderr, "cannot read %zu rows of %zu floats from %s\n", rows, in, xpath);
    } else if ((s = plexus_predict(net, x, rows, y)) != PLEXUS_OK) {
        fail("plexus_predict", s);
    } else {
        status = write_floats(ypath, y, rows * out) ? 0 : 1;
    }
    free(x);
    free(y);
    plexus_free(net);
    return status;
}

static int make(const char *model, const char *xpath, const char *ypath) {
    const uint32_t sizes[] = {3, 8, 2};
    const plexus_activation acts[] = {PLEXUS_TANH, PLEXUS_SOFTMAX};
    enum { N = 16 };
    float x[N * 3], y[N * 2], out[N * 2];
    for (int i = 0; i < N * 3; i++) x[i] = (float)((i * 29) % 31) / 15.0f - 1.0f;
    for (int i = 0; i < N; i++) {
        y[2 * i] = x[3 * i] > 0 ? 1.0f : 0.0f;
        y[2 * i + 1] = 1.0f - y[2 * i];
    }
    plexus_net *net = NULL;
    plexus_status s = plexus_create(sizes, acts, 3, 0, 5, &net);
    if (s == PLEXUS_OK) s = plexus_set_loss(net, PLEXUS_CROSS_ENTROPY);
    if (s == PLEXUS_OK) s = plexus_set_adam(net, 0.01f, 0.9f, 0.999f, 1e-8f);
    if (s == PLEXUS_OK) s = plexus_train(net, x, y, N, 20, 4, 3, NULL, NULL);
    if (s == PLEXUS_OK) s = plexus_save(net, model);
    if (s == PLEXUS_OK) s = plexus_predict(net, x, N, out);
    plexus_free(net);
    if (s != PLEXUS_OK) return fail("make", s);
    return write_floats(xpath, x, N * 3) && write_floats(ypath, out, N * 2) ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 6 && strcmp(argv[1], "predict") == 0) return predict(argv[2], argv[3], (size_t)atol(argv[4]), argv[5]);
    if (argc == 5 && strcmp(argv[1], "make") == 0) return make(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: model_tool predict MODEL X ROWS Y | model_tool make MODEL X Y\n");
    return 2;
}
