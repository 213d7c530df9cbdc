/* FANN's 2-4-1 net set up as the Plexus one of W1/W2 (FANN_SIGMOID at the default steepness 0.5
   is 1/(1+e^-z); linear error function, i.e. plain MSE backpropagation; incremental updates,
   learning rate 0.5, no momentum). Shared by bench_tiny_paired.c and tiny_instructions.c.
   Returns NULL when FANN cannot create it. */
#ifndef PLEXUS_BENCH_FANN_TINY_H
#define PLEXUS_BENCH_FANN_TINY_H

#include <floatfann.h>

static struct fann *fann_tiny(void) {
    struct fann *ann = fann_create_standard(3, 2, 4, 1);
    if (!ann) return NULL;
    fann_set_activation_function_hidden(ann, FANN_SIGMOID);
    fann_set_activation_function_output(ann, FANN_SIGMOID);
    fann_set_training_algorithm(ann, FANN_TRAIN_INCREMENTAL);
    fann_set_train_error_function(ann, FANN_ERRORFUNC_LINEAR);
    fann_set_learning_rate(ann, 0.5f);
    fann_set_learning_momentum(ann, 0.0f);
    return ann;
}

/* The four XOR samples as FANN training data (for fann_train_epoch), or NULL when FANN cannot
   allocate it. */
static struct fann_train_data *fann_xor_data(float x[4][2], float y[4]) {
    struct fann_train_data *data = fann_create_train(4, 2, 1);
    if (!data) return NULL;
    for (int k = 0; k < 4; k++) {
        data->input[k][0] = x[k][0];
        data->input[k][1] = x[k][1];
        data->output[k][0] = y[k];
    }
    return data;
}

#endif
