/* predict: a small tool that loads any Plexus model file, prints its architecture, and prints the
   network's outputs for rows of numbers read from a CSV file or standard input.
     predict MODEL [FILE]      rows: numbers separated by commas or spaces; '#' starts a comment
   Build: cc -std=c99 predict.c -Iinclude -lplexus */
#define _POSIX_C_SOURCE 200809L
#include "plexus.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int fail(const char *what, plexus_status s) {
    fprintf(stderr, "predict: %s: %s\n", what, plexus_last_error());
    (void)s;
    return 1;
}

/* Prints "sizes 64-64-10, activations relu softmax, ..." to stderr, so stdout holds only outputs. */
static int describe(const plexus_net *net, const char *path) {
    size_t layers = plexus_layer_count(net);
    fprintf(stderr, "%s: %zu layers, sizes ", path, layers);
    for (size_t l = 0; l < layers; l++) fprintf(stderr, "%s%u", l ? "-" : "", plexus_layer_size(net, l));
    fprintf(stderr, ", activations");
    for (size_t l = 1; l < layers; l++) {
        plexus_activation a;
        plexus_status s = plexus_layer_activation(net, l, &a);
        if (s != PLEXUS_OK) return fail("plexus_layer_activation", s);
        fprintf(stderr, " %s", plexus_activation_name(a));
    }
    plexus_loss loss;
    plexus_optimizer kind;
    uint32_t flags;
    plexus_optimizer_options optimizer = {0};
    optimizer.struct_size = sizeof optimizer;
    plexus_status s = plexus_get_loss(net, &loss);
    if (s == PLEXUS_OK) s = plexus_get_optimizer_options(net, &optimizer);
    if (s == PLEXUS_OK) s = plexus_get_flags(net, &flags);
    if (s != PLEXUS_OK) return fail("reading the configuration", s);
    kind = optimizer.kind;
    fprintf(stderr, ", %s, loss %s, optimizer %s (lr %g), %zu parameters\n", flags & PLEXUS_NO_BIAS ? "no biases" : "biases",
            plexus_loss_name(loss), plexus_optimizer_name(kind), optimizer.learning_rate, plexus_param_count(net));
    return 0;
}

/* Parses one line into `row` (width numbers). Returns 1 for a row, 0 for a blank or comment line,
   -1 (after printing where and why) for bad input. */
static int parse_row(char *line, size_t number, float *row, size_t width) {
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    size_t count = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r' || *p == '\n') p++;
        if (*p == '\0') break;
        char *end;
        errno = 0;
        double value = strtod(p, &end);
        if (end == p || (*end && !strchr(" \t,\r\n", *end))) {
            size_t len = strcspn(p, " \t,\r\n");
            fprintf(stderr, "predict: line %zu, value %zu: \"%.*s\" is not a number\n", number, count + 1, (int)len, p);
            return -1;
        }
        if (errno == ERANGE || !isfinite(value)) {
            fprintf(stderr, "predict: line %zu, value %zu: %.*s is out of range\n", number, count + 1, (int)(end - p), p);
            return -1;
        }
        if (count < width) row[count] = (float)value;
        count++;
        p = end;
    }
    if (count == 0) return 0;
    if (count != width) {
        fprintf(stderr, "predict: line %zu has %zu numbers; this model takes %zu inputs per row\n", number, count, width);
        return -1;
    }
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: predict MODEL [FILE]   (rows of numbers from FILE or standard input)\n");
        return 2;
    }
    plexus_net *net = NULL;
    plexus_status s = plexus_load(argv[1], &net);
    if (s != PLEXUS_OK) return fail("cannot load the model", s);
    if (describe(net, argv[1]) != 0) {
        plexus_free(net);
        return 1;
    }
    FILE *in = stdin;
    if (argc == 3 && !(in = fopen(argv[2], "r"))) {
        fprintf(stderr, "predict: cannot open %s: %s\n", argv[2], strerror(errno));
        plexus_free(net);
        return 1;
    }
    size_t inputs = plexus_layer_size(net, 0), outputs = plexus_layer_size(net, plexus_layer_count(net) - 1);
    float *row = malloc(inputs * sizeof *row), *out = malloc(outputs * sizeof *out);
    char *line = NULL;
    size_t capacity = 0, number = 0;
    int status = row && out ? 0 : 1;
    plexus_activation last = PLEXUS_IDENTITY;
    if (plexus_layer_activation(net, plexus_layer_count(net) - 1, &last) != PLEXUS_OK) status = 1;
    while (status == 0 && getline(&line, &capacity, in) != -1) {
        number++;
        int parsed = parse_row(line, number, row, inputs);
        if (parsed < 0) status = 1;
        if (parsed <= 0) continue;
        if ((s = plexus_predict(net, row, 1, out)) != PLEXUS_OK) {
            fprintf(stderr, "predict: line %zu: %s\n", number, plexus_last_error());
            status = 1;
            break;
        }
        size_t best = 0;
        for (size_t k = 0; k < outputs; k++) {
            printf("%s%.6g", k ? "," : "", out[k]);
            if (out[k] > out[best]) best = k;
        }
        if (last == PLEXUS_SOFTMAX) printf("  class %zu", best);
        printf("\n");
    }
    free(line);
    free(row);
    free(out);
    if (in != stdin) fclose(in);
    plexus_free(net);
    return status;
}
