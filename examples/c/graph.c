/* Seed 002's shopping example as a computational graph: apples and oranges with consumption tax,
   forward for the amount to pay, backward for how much each input moves it.
   Build: cc -std=c99 graph.c -Iinclude -lplexus */
#include "plexus.h"

#include <stdio.h>
#include <stdlib.h>

static plexus_graph *graph;

static void check(plexus_status status, const char *what) {
    if (status != PLEXUS_OK) {
        fprintf(stderr, "%s failed: %s: %s\n", what, plexus_status_name(status), plexus_last_error());
        plexus_graph_free(graph);
        exit(1);
    }
}

static plexus_node scalar(float value) {
    plexus_node node;
    check(plexus_graph_param(graph, 1, 1, &value, &node), "plexus_graph_param");
    return node;
}

static float value(plexus_node node) {
    float v;
    check(plexus_graph_value(graph, node, &v), "plexus_graph_value");
    return v;
}

static float grad(plexus_node node) {
    float g;
    check(plexus_graph_grad(graph, node, &g), "plexus_graph_grad");
    return g;
}

int main(void) {
    check(plexus_graph_create(&graph), "plexus_graph_create");
    plexus_node apple_price = scalar(10), apple_count = scalar(2);
    plexus_node orange_price = scalar(15), orange_count = scalar(3), tax = scalar(1.1f);
    plexus_node apples, oranges, subtotal, total;
    check(plexus_graph_mul(graph, apple_price, apple_count, &apples), "mul");
    check(plexus_graph_mul(graph, orange_price, orange_count, &oranges), "mul");
    check(plexus_graph_add(graph, apples, oranges, &subtotal), "add");
    check(plexus_graph_mul(graph, subtotal, tax, &total), "mul");

    check(plexus_graph_forward(graph), "plexus_graph_forward");
    check(plexus_graph_backward(graph, total), "plexus_graph_backward");

    printf("forward (values)             backward (d total / d node)\n");
    printf("apple price   %6.1f ─┐      %6.1f\n", value(apple_price), grad(apple_price));
    printf("apple count   %6.1f ─┴ × → %4.1f   %6.1f   (× passes on upstream × the other input)\n", value(apple_count),
           value(apples), grad(apple_count));
    printf("orange price  %6.1f ─┐      %6.1f\n", value(orange_price), grad(orange_price));
    printf("orange count  %6.1f ─┴ × → %4.1f   %6.1f\n", value(orange_count), value(oranges), grad(orange_count));
    printf("apples + oranges      + → %4.1f   %6.1f   (+ passes on upstream unchanged: %.1f and %.1f)\n",
           value(subtotal), grad(subtotal), grad(apples), grad(oranges));
    printf("consumption tax %4.1f ─── × → %4.1f   %6.1f\n", value(tax), value(total), grad(tax));
    printf("amount to pay: %.1f (seed: 71.5); d/d apple price %.1f, apple count %.1f, orange price %.1f, "
           "orange count %.1f, tax %.1f (seed: 2.2, 11, 3.3, 16.5, 65)\n",
           value(total), grad(apple_price), grad(apple_count), grad(orange_price), grad(orange_count), grad(tax));
    plexus_graph_free(graph);
    return 0;
}
