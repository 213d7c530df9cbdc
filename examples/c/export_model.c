/* Exports a trained model as C source for a device without Plexus: float32 code and int8 code,
   the int8 model quantised with 500 training rows of the digits data (plexus_quantize).
   Build: cc -std=c99 export_model.c -Iinclude -lplexus
   Run:   ./export_model build/digits_c.safetensors build/digits.bin build/deployed
          (writes digits_float.{h,c} and digits_int8.{h,c} there; see deployed_digits.c) */
#include "plexus.h"

#include <stdio.h>
#include <stdlib.h>

#include "digits_data.h"

static int fail(const char *what, plexus_status status) {
    fprintf(stderr, "export_model: %s: %s: %s\n", what, plexus_status_name(status), plexus_last_error());
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: export_model MODEL.safetensors DIGITS.bin DIR\n");
        return 2;
    }
    dataset d;
    if (!load_dataset(argv[2], &d)) return 1;
    plexus_net *net = NULL;
    plexus_quantized *q = NULL;
    plexus_status s = plexus_load(argv[1], &net);
    if (s != PLEXUS_OK) return fail("load", s);

    /* float32: no options needed. */
    s = plexus_export_c(net, argv[3], "digits_float", NULL);
    if (s != PLEXUS_OK) return fail("float32 export", s);
    printf("wrote %s/digits_float.h and .c (float32, %zu parameters)\n", argv[3], plexus_param_count(net));

    /* int8: calibrate on training rows (the test rows stay unseen), then export the model. */
    const size_t calibration_rows = d.n * 4 / 5 < 500 ? d.n * 4 / 5 : 500;
    s = plexus_quantize(net, d.x, calibration_rows, &q);
    if (s != PLEXUS_OK) return fail("quantize", s);
    plexus_export_options options = {0};
    options.struct_size = sizeof options;
    options.quantized = q;
    s = plexus_export_c(net, argv[3], "digits_int8", &options);
    if (s != PLEXUS_OK) return fail("int8 export", s);
    printf("wrote %s/digits_int8.h and .c (int8, calibrated on %zu training rows)\n", argv[3], calibration_rows);
    for (size_t layer = 1; layer <= plexus_quantized_layer_count(q); layer++) {
        plexus_quantized_layer info = {0};
        info.struct_size = sizeof info;
        s = plexus_quantized_layer_info(q, layer, &info);
        if (s != PLEXUS_OK) return fail("layer info", s);
        printf("  layer %zu: %zu -> %zu %s, inputs scale %.5f zero point %d, outputs scale %.5f zero point %d\n", layer,
               info.inputs, info.outputs, plexus_activation_name(info.activation), info.input_scale,
               (int)info.input_zero_point, info.output_scale, (int)info.output_zero_point);
    }
    plexus_quantized_free(q);
    plexus_free(net);
    free(d.x);
    free(d.labels);
    return 0;
}
