/* The digits model as a device runs it: only the code plexus_export_c generated, no libplexus, no
   allocation in the models. Classifies the test rows (the last 1/5 of the file) with the float32
   and the int8 code and compares them.
   Build: cc -std=c99 -Ibuild/deployed deployed_digits.c build/deployed/digits_float.c
             build/deployed/digits_int8.c -lm          (after export_model)
   Run:   ./deployed_digits build/digits.bin */
#include <stdio.h>
#include <stdlib.h>

#include "digits_data.h"
#include "digits_float.h"
#include "digits_int8.h"

static uint32_t argmax(const float *row, uint32_t n) {
    uint32_t best = 0;
    for (uint32_t k = 1; k < n; k++)
        if (row[k] > row[best]) best = k;
    return best;
}

int main(int argc, char **argv) {
    dataset d;
    if (!load_dataset(argc > 1 ? argv[1] : "build/digits.bin", &d)) return 1;
    if (d.features != DIGITS_FLOAT_INPUTS || d.classes != DIGITS_FLOAT_OUTPUTS) {
        fprintf(stderr, "deployed_digits: the data has %u features and %u classes, the model %d and %d\n", d.features,
                d.classes, DIGITS_FLOAT_INPUTS, DIGITS_FLOAT_OUTPUTS);
        return 1;
    }
    const uint32_t first = d.n * 4 / 5, count = d.n - first;
    uint32_t float_correct = 0, int8_correct = 0, agree = 0;
    for (uint32_t i = first; i < d.n; i++) {
        float y_float[DIGITS_FLOAT_OUTPUTS], y_int8[DIGITS_INT8_OUTPUTS];
        const float *x = d.x + (size_t)i * d.features;
        if (digits_float_predict(x, y_float) != DIGITS_FLOAT_OK || digits_int8_predict(x, y_int8) != DIGITS_INT8_OK) {
            fprintf(stderr, "deployed_digits: row %u has a non-finite pixel\n", i);
            return 1;
        }
        const uint32_t a = argmax(y_float, DIGITS_FLOAT_OUTPUTS), b = argmax(y_int8, DIGITS_INT8_OUTPUTS);
        float_correct += a == d.labels[i];
        int8_correct += b == d.labels[i];
        agree += a == b;
    }
    printf("generated code, no libplexus: float32 %.1f%%, int8 %.1f%% on %u test images; the two agree on %u\n",
           100.0 * float_correct / count, 100.0 * int8_correct / count, count, agree);
    free(d.x);
    free(d.labels);
    return 0;
}
