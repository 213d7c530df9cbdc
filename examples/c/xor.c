/* XOR learned by a 2-4-1 network with the training loop written out: forward, backward, step,
   one sample per update (SGD, learning rate 0.5), as in the seed tutorials.
   Build: cc -std=c99 xor.c -Iinclude -lplexus */
#include "plexus.h"

#include <stdio.h>
#include <stdlib.h>

static void check(plexus_status status, const char *what, plexus_net *net) {
    if (status != PLEXUS_OK) {
        fprintf(stderr, "%s failed: %s: %s\n", what, plexus_status_name(status), plexus_last_error());
        plexus_free(net);
        exit(1);
    }
}

int main(void) {
    const float x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const float y[4] = {0, 1, 1, 0};
    const uint32_t sizes[] = {2, 4, 1};
    const plexus_activation activations[] = {PLEXUS_SIGMOID, PLEXUS_SIGMOID};
    plexus_net *net = NULL;
    check(plexus_create(sizes, activations, 3, 0, 7, &net), "plexus_create", NULL);
    check(plexus_set_sgd(net, 0.5f, 0.0f), "plexus_set_sgd", net);

    for (int epoch = 1; epoch <= 5000; epoch++) {
        float total = 0;
        for (int i = 0; i < 4; i++) {
            float loss = 0;
            check(plexus_forward(net, x[i], 1, NULL), "plexus_forward", net);
            check(plexus_backward(net, &y[i], 1, &loss), "plexus_backward", net);
            check(plexus_step(net), "plexus_step", net);
            total += loss;
        }
        if (epoch == 1 || epoch % 1000 == 0) printf("epoch %4d  mean MSE %.5f\n", epoch, total / 4);
    }

    float out[4];
    check(plexus_predict(net, &x[0][0], 4, out), "plexus_predict", net);
    int correct = 0;
    for (int i = 0; i < 4; i++) {
        int label = out[i] > 0.5f;
        correct += label == (int)y[i];
        printf("%g XOR %g = %.3f -> %d (expected %g)\n", x[i][0], x[i][1], out[i], label, y[i]);
    }
    printf("%d of 4 correct\n", correct);
    plexus_free(net);
    return correct == 4 ? 0 : 2;
}
