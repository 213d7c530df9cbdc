/* libFuzzer target: any bytes given to plexus_load_buffer must give a status (never a crash, a
   leak or an out-of-bounds access under AddressSanitizer); a net that loads must predict, save
   and load again. Built by `make fuzz` against an ASan + coverage instrumented libplexus. */
#include "plexus.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    plexus_net *net = NULL;
    plexus_status status = plexus_load_buffer(data, size, &net);
    if (status != PLEXUS_OK) {
        if (net != NULL || plexus_last_error()[0] == '\0') abort(); /* failures leave out alone and say why */
        return 0;
    }
    size_t inputs = plexus_layer_size(net, 0), outputs = plexus_layer_size(net, plexus_layer_count(net) - 1);
    if (inputs <= 4096 && outputs <= 4096) {
        float *x = calloc(inputs, sizeof *x), *y = malloc(outputs * sizeof *y);
        /* A row of zeros predicts, unless the file's input transform takes it to an infinity (a
           shift of 1e31 with a scale of 1e27 is a valid transform for rows near 1e31): then the
           refusal must be the argument error that names it. */
        int transformed = 0;
        if (x && y && plexus_get_transform(net, PLEXUS_INPUTS, NULL, NULL, &transformed) != PLEXUS_OK) abort();
        plexus_status predicted = x && y ? plexus_predict(net, x, 1, y) : PLEXUS_OK;
        if (predicted != PLEXUS_OK &&
            !(transformed && predicted == PLEXUS_ERR_ARGUMENT && strstr(plexus_last_error(), "input transform maps"))) abort();
        free(x);
        free(y);
    }
    void *copy = NULL;
    size_t copy_size = 0;
    if (plexus_save_buffer(net, &copy, &copy_size) == PLEXUS_OK) {
        plexus_net *again = NULL;
        if (plexus_load_buffer(copy, copy_size, &again) != PLEXUS_OK) abort(); /* what it writes, it reads */
        plexus_free(again);
        plexus_free_buffer(copy);
    }
    plexus_free(net);
    return 0;
}
