/* Seed 004, "Backpropagation step by step", through the Plexus C API: a 2-2-1 network with
   identity activations and no biases, weights w1..w6, input (2, 3), target 1, quadratic cost
   E = 1/2 (prediction - target)^2, and one gradient-descent step with learning rate 0.05.
   Build: cc -std=c99 stepbystep.c -Iinclude -lplexus */
#include "plexus.h"

#include <stdio.h>
#include <stdlib.h>

/* Prints the failed call and its message, releases the net, and exits. */
static void check(plexus_status status, const char *what, plexus_net *net) {
    if (status != PLEXUS_OK) {
        fprintf(stderr, "%s failed: %s: %s\n", what, plexus_status_name(status), plexus_last_error());
        plexus_free(net);
        exit(1);
    }
}

int main(void) {
    const uint32_t sizes[] = {2, 2, 1};
    const plexus_activation activations[] = {PLEXUS_IDENTITY, PLEXUS_IDENTITY};
    plexus_net *net = NULL;
    check(plexus_create(sizes, activations, 3, PLEXUS_NO_BIAS, 0, &net), "plexus_create", NULL);
    check(plexus_set_loss(net, PLEXUS_QUADRATIC), "plexus_set_loss", net);
    check(plexus_set_sgd(net, 0.05f, 0.0f), "plexus_set_sgd", net);

    /* Row i of W holds the weights into neuron i: h1 = w1*i1 + w2*i2, h2 = w3*i1 + w4*i2. */
    const float hidden[] = {0.11f, 0.21f, 0.12f, 0.08f}; /* w1 w2 w3 w4 */
    const float output[] = {0.14f, 0.15f};               /* w5 w6 */
    check(plexus_set_weights(net, 1, hidden, NULL), "plexus_set_weights(1)", net);
    check(plexus_set_weights(net, 2, output, NULL), "plexus_set_weights(2)", net);

    const float inputs[] = {2.0f, 3.0f}, target[] = {1.0f};
    float prediction = 0, error = 0;
    check(plexus_forward(net, inputs, 1, &prediction), "plexus_forward", net);
    printf("forward:    prediction = %.4f  (seed: 0.191)\n", prediction);
    check(plexus_backward(net, target, 1, &error), "plexus_backward", net);
    printf("error:      E = 1/2 (%.3f - 1)^2 = %.4f  (delta = %.3f)\n", prediction, error, prediction - 1.0f);

    float grads[6], weights[6];
    check(plexus_get_grads(net, grads), "plexus_get_grads", net);
    printf("gradients: ");
    for (int i = 0; i < 6; i++) printf(" dE/dw%d = %.5f", i + 1, grads[i]);
    printf("\n");

    check(plexus_step(net), "plexus_step", net);
    check(plexus_get_params(net, weights), "plexus_get_params", net);
    printf("updated:   ");
    for (int i = 0; i < 6; i++) printf(" w%d = %.4f", i + 1, weights[i]);
    printf("\n            (seed: w1 .12 w2 .23 w3 .13 w4 .10 w5 .17 w6 .17, rounded)\n");

    check(plexus_predict(net, inputs, 1, &prediction), "plexus_predict", net);
    printf("new forward: prediction = %.4f  (seed: 0.26, closer to the target 1)\n", prediction);
    plexus_free(net);
    return 0;
}
