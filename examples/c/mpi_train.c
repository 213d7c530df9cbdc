/* Data-parallel training over MPI with nothing but MPI calls and the public header: every rank
   holds a replica (rank 0's parameters are broadcast at the start), every global mini-batch is
   split across the ranks in the same shuffled order (a shared seed), each rank runs forward and
   backward on its share, the gradients are summed with MPI_Allreduce after scaling each share by
   its rows / the batch's rows (so the sum is the gradient of the global batch's mean loss), and
   every rank steps. Only rank 0 writes the checkpoint.
   Build: mpicc -std=c99 mpi_train.c -Iinclude -lplexus
   Run:   mpirun -np 2 ./mpi_train build/digits.bin build/mpi.safetensors [epochs] [params-dump-prefix] */
#include "plexus.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rank = 0, ranks = 1;

/* Any failure ends the whole job: MPI_Abort stops every rank instead of leaving them waiting. */
static void check(plexus_status status, const char *what) {
    if (status != PLEXUS_OK) {
        fprintf(stderr, "rank %d: %s: %s: %s\n", rank, what, plexus_status_name(status), plexus_last_error());
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
}

static void fail(const char *message) {
    fprintf(stderr, "rank %d: %s\n", rank, message);
    MPI_Abort(MPI_COMM_WORLD, 1);
}

/* The digits file of examples/c/prepare_digits.py: "PXDG", n, features, classes, x, labels. */
static void load(const char *path, uint32_t *n, uint32_t *features, float **x, float **y) {
    FILE *f = fopen(path, "rb");
    unsigned char head[16];
    if (!f || fread(head, 1, 16, f) != 16 || memcmp(head, "PXDG", 4) != 0) fail("cannot read the digits file");
    uint32_t dims[3];
    memcpy(dims, head + 4, sizeof dims); /* little-endian host assumed, as in digits.c */
    *n = dims[0];
    *features = dims[1];
    if (*n == 0 || *n > 1000000 || *features == 0 || *features > 4096 || dims[2] != 10) fail("implausible digits header");
    *x = malloc((size_t)*n * *features * sizeof **x);
    *y = calloc((size_t)*n * 10, sizeof **y);
    unsigned char *labels = malloc(*n);
    if (!*x || !*y || !labels || fread(*x, sizeof **x, (size_t)*n * *features, f) != (size_t)*n * *features ||
        fread(labels, 1, *n, f) != *n)
        fail("truncated digits file");
    for (uint32_t i = 0; i < *n; i++) (*y)[(size_t)i * 10 + labels[i]] = 1.0f;
    free(labels);
    fclose(f);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &ranks);
    if (argc < 3) fail("usage: mpi_train DIGITS_FILE CHECKPOINT [EPOCHS] [PARAMS_DUMP_PREFIX]");
    int epochs = argc > 3 ? atoi(argv[3]) : 20;
    uint32_t n, features;
    float *x, *y;
    load(argv[1], &n, &features, &x, &y);
    const uint32_t train = n * 4 / 5, batch = 64;

    const uint32_t sizes[] = {features, 64, 10};
    const plexus_activation acts[] = {PLEXUS_RELU, PLEXUS_SOFTMAX};
    plexus_net *net = NULL;
    check(plexus_create(sizes, acts, 3, 0, (uint64_t)(rank + 1), &net), "plexus_create"); /* seeds differ on purpose */
    check(plexus_set_loss(net, PLEXUS_CROSS_ENTROPY), "plexus_set_loss");
    check(plexus_set_adam(net, 0.005f, 0.9f, 0.999f, 1e-8f), "plexus_set_adam");
    size_t count = plexus_param_count(net);
    float *params = malloc(count * sizeof *params), *grads = malloc(count * sizeof *grads);
    float *bx = malloc((size_t)batch * features * sizeof *bx), *by = malloc((size_t)batch * 10 * sizeof *by);
    size_t *order = malloc(train * sizeof *order);
    if (!params || !grads || !bx || !by || !order) fail("out of memory");

    /* Identical replicas: rank 0's parameters everywhere. */
    check(plexus_get_params(net, params), "plexus_get_params");
    MPI_Bcast(params, (int)count, MPI_FLOAT, 0, MPI_COMM_WORLD);
    check(plexus_set_params(net, params), "plexus_set_params");

    for (int epoch = 0; epoch < epochs; epoch++) {
        /* A shared shuffle: every rank gets plexus_train's order for this epoch from the same seed. */
        check(plexus_epoch_order(1, (size_t)epoch, train, order), "plexus_epoch_order");
        double loss_sum = 0;
        for (uint32_t start = 0; start < train; start += batch) {
            uint32_t rows = train - start < batch ? train - start : batch;
            /* This rank's contiguous share of the batch. */
            uint32_t first = rows * (uint32_t)rank / (uint32_t)ranks, last = rows * (uint32_t)(rank + 1) / (uint32_t)ranks;
            uint32_t share = last - first;
            float loss = 0;
            check(plexus_zero_grads(net), "plexus_zero_grads");
            if (share > 0) {
                for (uint32_t r = 0; r < share; r++) {
                    size_t sample = order[start + first + r];
                    memcpy(bx + (size_t)r * features, x + (size_t)sample * features, features * sizeof *bx);
                    memcpy(by + (size_t)r * 10, y + (size_t)sample * 10, 10 * sizeof *by);
                }
                check(plexus_forward(net, bx, share, NULL), "plexus_forward");
                check(plexus_backward(net, by, share, &loss), "plexus_backward");
            }
            check(plexus_get_grads(net, grads), "plexus_get_grads");
            float weight = (float)share / (float)rows;
            for (size_t i = 0; i < count; i++) grads[i] *= weight;
            MPI_Allreduce(MPI_IN_PLACE, grads, (int)count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
            check(plexus_set_grads(net, grads), "plexus_set_grads");
            check(plexus_step(net), "plexus_step");
            loss_sum += (double)loss * share;
        }
        double total = 0;
        MPI_Allreduce(&loss_sum, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        if (rank == 0 && ((epoch + 1) % 5 == 0 || epoch == 0))
            printf("epoch %3d  mean loss %.4f  (%d ranks)\n", epoch + 1, total / train, ranks);
    }

    /* Test accuracy on rank 0, the checkpoint from rank 0 only. */
    if (rank == 0) {
        uint32_t test = n - train, correct = 0;
        float *out = malloc((size_t)test * 10 * sizeof *out);
        if (!out) fail("out of memory");
        check(plexus_predict(net, x + (size_t)train * features, test, out), "plexus_predict");
        for (uint32_t i = 0; i < test; i++) {
            int best = 0;
            for (int k = 1; k < 10; k++) if (out[i * 10 + k] > out[i * 10 + best]) best = k;
            correct += y[(size_t)(train + i) * 10 + best] == 1.0f;
        }
        printf("test accuracy: %.1f%% on %u images; checkpoint %s\n", 100.0 * correct / test, test, argv[2]);
        check(plexus_save(net, argv[2]), "plexus_save");
        free(out);
    }
    /* Optionally every rank dumps its parameters, so a test can compare the replicas. */
    if (argc > 4) {
        char path[1024];
        snprintf(path, sizeof path, "%s.rank%d", argv[4], rank);
        check(plexus_get_params(net, params), "plexus_get_params");
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(params, sizeof *params, count, f) != count || fclose(f) != 0) fail("cannot write the parameter dump");
    }
    plexus_free(net);
    free(params); free(grads); free(bx); free(by); free(order); free(x); free(y);
    MPI_Finalize();
    return 0;
}
