/* W1's C loop as a shared library, so that benchmarks/w5_python.py can time one-sample predict
   from C and from Python in the same process, in alternating chunks (`predict-paired`): this
   host's speed drifts between processes by more than the 2 µs being measured.

   The loop is bench_core.c's w1. It calls plexus_predict through the pointer Python passes
   (the address of the function the Python package loaded), so both sides use the very same
   library even when the package carries its own copy. Returns the first failing status. */
#include <plexus.h>

typedef plexus_status (*predict_fn)(const plexus_net *, const float *, size_t, float *);

int w1_predict_loop(predict_fn predict, const plexus_net *net, long calls, float *sink) {
    float x[2] = {0.3f, 0.7f}, y = 0;
    for (long i = 0; i < calls; i++) {
        x[0] = (float)(i & 1);
        int status = predict(net, x, 1, &y);
        if (status != PLEXUS_OK) return status;
        *sink += y;
    }
    return PLEXUS_OK;
}
