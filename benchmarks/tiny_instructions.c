/* W1/W2's calls for an instruction count (benchmarks/tiny_instructions.sh runs it under
   valgrind's callgrind at two lengths; the difference divided by the extra calls is the steady
   cost of one call, without start-up). Instruction counts do not move with the shared host's
   speed, so small changes were judged by them (benchmarks/RESULTS.md).

     tiny_instructions plexus|fann w1|w1-scaled|w2|w2-step|w2-run N    N predict calls (w1) or XOR updates
     (w2: one sample per forward/backward/step or fann_train call; w2-step: one plexus_train_step
     or fann_train call; w2-run: one plexus_train call, batch 1, N/4 epochs, or N/4
     fann_train_epoch calls; w1-scaled: W1 through an input transform, plexus only) */
#include "fann_tiny.h"

#include <plexus.h>
#include "machine.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "machine") == 0) {
        print_machine(stdout, "tiny_instructions");
        return 0;
    }
    if (argc != 4) {
        fprintf(stderr, "usage: %s plexus|fann w1|w1-scaled|w2|w2-step|w2-run N\n", argv[0]);
        return 64;
    }
    const int plexus = strcmp(argv[1], "plexus") == 0, scaled = strcmp(argv[2], "w1-scaled") == 0,
              w1 = scaled || strcmp(argv[2], "w1") == 0,
              whole_run = strcmp(argv[2], "w2-run") == 0, one_call = strcmp(argv[2], "w2-step") == 0;
    const long n = atol(argv[3]);
    float x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}}, y[4] = {0, 1, 1, 0}, out = 0, sink = 0;
    if (plexus) {
        const uint32_t sizes[] = {2, 4, 1};
        const plexus_activation acts[] = {PLEXUS_SIGMOID, PLEXUS_SIGMOID};
        plexus_net *net = NULL;
        if (plexus_create(sizes, acts, 3, 0, 1, &net) != PLEXUS_OK || plexus_set_sgd(net, 0.5f, 0.0f) != PLEXUS_OK) return 1;
        const float shift[2] = {0.5f, 0.5f}, scale[2] = {2.0f, 2.0f};
        if (scaled && plexus_set_transform(net, PLEXUS_INPUTS, shift, scale) != PLEXUS_OK) return 1;
        if (whole_run && plexus_train(net, &x[0][0], y, 4, (size_t)n / 4, 1, 7, NULL, NULL) != PLEXUS_OK) return 4;
        for (long i = 0; i < n && !whole_run; i++) {
            if (w1) {
                float in[2] = {(float)(i & 1), 0.7f};
                if (plexus_predict(net, in, 1, &out) != PLEXUS_OK) return 2;
                sink += out;
            } else if (one_call) {
                if (plexus_train_step(net, x[i & 3], &y[i & 3], 1, NULL) != PLEXUS_OK) return 3;
            } else if (plexus_forward(net, x[i & 3], 1, NULL) != PLEXUS_OK ||
                       plexus_backward(net, &y[i & 3], 1, NULL) != PLEXUS_OK || plexus_step(net) != PLEXUS_OK) {
                return 3;
            }
        }
        plexus_free(net);
    } else {
        struct fann *ann = fann_tiny();
        if (!ann) return 1;
        struct fann_train_data *data = fann_xor_data(x, y);
        if (!data) return 1;
        for (long e = 0; whole_run && e < n / 4; e++) sink += fann_train_epoch(ann, data);
        for (long i = 0; i < n && !whole_run; i++) {
            if (w1) {
                float in[2] = {(float)(i & 1), 0.7f};
                sink += fann_run(ann, in)[0];
            } else {
                fann_train(ann, x[i & 3], &y[i & 3]);
            }
        }
        fann_destroy_train(data);
        fann_destroy(ann);
    }
    printf("%g\n", sink);
    return 0;
}
