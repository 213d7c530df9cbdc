/*
 * plexus.h — the C API of Plexus, a library that builds, trains and runs neural networks layer by layer.
 * SPDX-License-Identifier: MIT (the file LICENSE; Copyright (c) 2026 The Plexus authors).
 *
 * This header is the whole contract: nothing else is API. It is valid C99 and C++.
 *
 * Conventions (they hold for every function below unless its comment says otherwise):
 *   - Shapes.  B = batch rows, I = the inputs (plexus_layer_size(net, 0): the input shape's
 *     extents together), O = the outputs (plexus_layer_size(net, L)).
 *     x: [B][I] floats, y / target: [B][O] floats, all row-major and contiguous.
 *     A net is a list of layers (plexus_create_layers; plexus_create makes dense layers only),
 *     shapes channels-first as in PyTorch and ONNX, a row being the input flattened. Write
 *     sizes[l] for plexus_layer_size(net, l), the width of layer l's output. A dense layer l has
 *     W: [sizes[l]][sizes[l-1]] row-major (one row per neuron, as PyTorch's Linear.weight) and
 *     b: [sizes[l]]. Layer 0 is the input and has no parameters; a dropout layer has none either.
 *     Flat parameter order: each layer's tensors in layer order, W before b: W1, b1, W2, b2, ...
 *     (no b for a dense layer made with PLEXUS_NO_BIAS).
 *   - Statuses.  Every fallible call returns a plexus_status; PLEXUS_OK is 0. A failed call
 *     leaves every out-parameter and caller buffer untouched, and sets a message for
 *     plexus_last_error(). Calls never print, abort or exit, whatever the arguments: every size
 *     and count is checked before any arithmetic on it (a size_t of SIZE_MAX gives a status, and
 *     the message prints the value as passed). Counts where a huge value can only mean "never"
 *     or "no limit" (epochs, patience, a schedule's period, max_parameters) take any value; a
 *     count of rows is at most 2^31 - 1 per call.
 *   - Structs that grow.  Option and report structs start with size_t struct_size, which the
 *     caller sets to sizeof the struct it was compiled with, after zeroing it. Fields are only
 *     ever appended, and the library reads them as Linux's copy_struct_from_user does: a
 *     struct_size smaller than this header's (a program built against an older Plexus) is
 *     accepted as long as it covers the struct's first version, the fields it lacks taken as
 *     zero, which means the older behaviour; a larger options struct (built against a newer
 *     Plexus) is accepted only when every byte past this header's struct is zero, else
 *     PLEXUS_ERR_ARGUMENT naming the size; more than 4096 is refused. A report (an out-struct)
 *     is filled up to the caller's struct_size and never past it: the fields this version
 *     knows, then zeros for a newer version's fields; its struct_size is left as the caller
 *     set it. Each struct's first-version size is a constant beside it (..._FIRST_SIZE: the
 *     bytes up to the end of its first version's last field).  Since 0.8.0 (before: a
 *     struct_size under this version's was refused, and a larger one accepted whatever its
 *     tail held).
 *   - Buffers.  A call that copies a variable amount into a caller's buffer takes the buffer
 *     and its capacity and sets *needed (when not NULL) to the bytes or values the whole answer
 *     takes; a NULL buffer with capacity 0 only asks. When the capacity is too small it returns
 *     PLEXUS_ERR_ARGUMENT and writes nothing to the buffer, but still sets *needed: the one
 *     out-parameter a failed call writes (plexus_get_metadata, plexus_metadata_key_at).
 *   - Accessors.  Every accessor returns a status and writes its answer through an
 *     out-parameter, except the few that cannot fail on a live handle, which return the value
 *     and say what they return otherwise (plexus_layer_count, plexus_layer_size,
 *     plexus_param_count and plexus_quantized_layer_count return 0, with the message set, for
 *     NULL or a handle that is not live; plexus_get_threads, plexus_version_number and the
 *     functions returning text cannot fail).
 *   - Layers.  Every function that takes a layer numbers them alike: 0 is the input, 1..L the
 *     layers in the order built. A function that cannot take some of them (no weights on layer
 *     0, no dropout on the output layer) refuses them with PLEXUS_ERR_ARGUMENT; it never numbers
 *     them otherwise. Graph nodes and int8 layers follow the same rule (1..L).
 *   - Deprecation.  A function a newer one replaces is marked PLEXUS_DEPRECATED (a compiler
 *     warning naming the replacement), keeps working and keeps its tests until 1.0, and is
 *     listed in the table "Deprecated" at the end of this header.
 *   - Ownership.  A plexus_net is created by plexus_create and released by plexus_free. Plexus
 *     copies what it needs from caller buffers and never keeps a caller pointer after a call.
 *   - Handles.  A plexus_net, plexus_graph or plexus_quantized is an opaque value, not an
 *     address: Plexus never dereferences what a caller passes as one. Every function that takes a
 *     handle returns PLEXUS_ERR_MISUSE (9), changing nothing, for a pointer that is not a live
 *     handle of that type: freed, never returned by Plexus, or a handle of another type; NULL is
 *     PLEXUS_ERR_ARGUMENT. The free functions return nothing: given a non-live pointer they do
 *     nothing and set the message. A handle freed while other threads' calls use it stays valid
 *     for those calls: its memory goes when the last of them returns.  Since 0.10.0.
 *   - Threads.  A net takes any number of concurrent readers or exactly one writer, never both,
 *     and the library enforces it. Readers: plexus_predict, plexus_save / plexus_save_ex /
 *     plexus_save_buffer, plexus_export_onnx, plexus_export_c, plexus_quantize and every getter
 *     (plexus_get_*, plexus_layer_*, plexus_param_count, plexus_metadata_*). Writers: the
 *     training calls (plexus_train, plexus_train_ex, plexus_train_step), plexus_forward,
 *     plexus_backward, plexus_step, plexus_zero_grads, and every setter (plexus_set_*, the
 *     transforms and their fits, plexus_set_metadata). A call that would break the rule returns
 *     PLEXUS_ERR_BUSY (8) at once, without waiting and changing nothing, with a message naming
 *     what holds the net ("another thread is training it"); no call ever runs beside a
 *     conflicting one, so no result is torn. The epoch callback of a training call runs on the
 *     training thread and may call the net again under its own rules (plexus_train). A graph
 *     follows the same rule (readers: plexus_graph_shape, _value, _grad; everything else
 *     writes); a plexus_quantized model only reads. Distinct objects are fully independent.
 *     Since 0.10.0 (before, the caller had to keep the rule).
 *   - One order of arithmetic.  Every sum Plexus computes (a layer's outputs, the gradients of its
 *     weights and inputs, a graph's products) starts from its first value (the bias, or 0, or the
 *     gradient accumulated so far) and adds its terms in ascending order: inputs for an output,
 *     rows for a weight's gradient, outputs for an input's gradient. In a layer with
 *     inputs x outputs >= 512, and in every graph product, each term is one fused multiply-add
 *     (fmaf, rounded once); in a smaller layer it is a multiply, then an add. That choice depends
 *     on the layer's shape alone, nothing else: not the batch, the thread count, how the work is
 *     cut into blocks and tiles, nor the CPU's instruction set (Plexus's own GEMM picks AVX-512F,
 *     AVX2+FMA, NEON or portable fmaf kernels at run time, and every kernel gives the same bits;
 *     a CPU without FMA instructions runs the portable kernel: correct, slower). So a row's
 *     outputs are bitwise the same alone or in any batch, at any thread count, on any machine,
 *     and in the C that plexus_export_c generates. Losses, activations and optimizer updates
 *     are elementwise or per row, each with its own fixed order.  Since 0.7.0.
 *   - Versions.  "Since" gives the version a function appeared in.
 */
#ifndef PLEXUS_H
#define PLEXUS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PLEXUS_VERSION_MAJOR 0
#define PLEXUS_VERSION_MINOR 12
#define PLEXUS_VERSION_PATCH 0
/* MAJOR * 1000000 + MINOR * 1000 + PATCH, for #if and comparisons, as SQLITE_VERSION_NUMBER; the
   library's own is plexus_version_number().  Since 0.11.0. */
#define PLEXUS_VERSION_NUMBER 12000

/* Marks every status-returning function: ignoring a status is a compiler warning. To ignore one
   on purpose, cast the call to void: (void)plexus_set_threads(2). That silences C++17's and
   C23's [[nodiscard]] and clang's attribute; gcc before C23 does not let a cast silence its
   attribute, so there write (void)!plexus_set_threads(2), which works everywhere. A program may
   also define PLEXUS_MUST_USE (empty, or as it likes) before including this header. */
#ifndef PLEXUS_MUST_USE
#if defined(__cplusplus) && __cplusplus >= 201703L
#define PLEXUS_MUST_USE [[nodiscard]]
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 202311L
#define PLEXUS_MUST_USE [[nodiscard]]
#elif defined(__GNUC__) || defined(__clang__)
#define PLEXUS_MUST_USE __attribute__((warn_unused_result))
#else
#define PLEXUS_MUST_USE
#endif
#endif

/* Marks a function that a newer one replaces: calling it is a compiler warning that names the
   replacement. It keeps working until 1.0 (the table "Deprecated" at the end lists each). A
   program may define PLEXUS_DEPRECATED(message) (empty, say) before including this header. */
#ifndef PLEXUS_DEPRECATED
#if defined(__cplusplus) && __cplusplus >= 201402L
#define PLEXUS_DEPRECATED(message) [[deprecated(message)]]
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 202311L
#define PLEXUS_DEPRECATED(message) [[deprecated(message)]]
#elif defined(__GNUC__) || defined(__clang__)
#define PLEXUS_DEPRECATED(message) __attribute__((deprecated(message)))
#elif defined(_MSC_VER)
#define PLEXUS_DEPRECATED(message) __declspec(deprecated(message))
#else
#define PLEXUS_DEPRECATED(message)
#endif
#endif

/* An opaque network: layer sizes, activations, parameters, gradients, loss, optimizer state and
   the activations kept by the last plexus_forward. */
typedef struct plexus_net plexus_net;

/* Values are fixed forever: new codes are only appended. */
typedef enum {
    PLEXUS_OK = 0,
    PLEXUS_ERR_ARGUMENT = 1, /* NULL, zero, unknown enum, index out of range, bad hyperparameter,
                                non-finite input, loss/activation mismatch */
    PLEXUS_ERR_SHAPE = 2,    /* dimensions stated by the caller do not match the net */
    PLEXUS_ERR_STATE = 3,    /* call out of order (backward without a matching forward) */
    PLEXUS_ERR_IO = 4,       /* a file could not be read or written */
    PLEXUS_ERR_FORMAT = 5,   /* a file or buffer is not a valid model */
    PLEXUS_ERR_MEMORY = 6,   /* an allocation failed or a size cannot be allocated */
    PLEXUS_ERR_NUMERIC = 7,  /* a gradient or an update is not finite */
    /* Since 0.10.0: */
    PLEXUS_ERR_BUSY = 8,     /* a conflicting call holds the object on another thread (one writer
                                or many readers); nothing was done: retry when it has returned */
    PLEXUS_ERR_MISUSE = 9    /* a handle that is not a live handle of its type: freed, never
                                returned by Plexus, or of another type */
} plexus_status;

/* Layer activations; f and f' on each line (a = f(z)). */
typedef enum {
    PLEXUS_IDENTITY = 0,   /* f = z;                 f' = 1                                  */
    PLEXUS_SIGMOID = 1,    /* f = 1/(1+e^-z);        f' = a(1-a)       (overflow-free)       */
    PLEXUS_TANH = 2,       /* f = tanh z;            f' = 1-a^2                              */
    PLEXUS_RELU = 3,       /* f = max(0,z);          f' = [z>0]                              */
    PLEXUS_LEAKY_RELU = 4, /* f = z>0 ? z : 0.01z;   f' = z>0 ? 1 : 0.01                     */
    PLEXUS_SOFTMAX = 5,    /* f_k = e^z_k / sum e^z_j per row (max-shifted); full Jacobian   */
    /* Since 0.4.0: */
    PLEXUS_GELU = 6,       /* f = z*Phi(z) = z/2 (1+erf(z/sqrt2)), exact as torch GELU();
                              f' = Phi(z) + z*phi(z)                                         */
    PLEXUS_ELU = 7,        /* f = z>0 ? z : e^z-1 (alpha 1); f' = z>0 ? 1 : a+1              */
    PLEXUS_SILU = 8,       /* f = z*sigmoid(z);      f' = s(1+z(1-s)), s = sigmoid(z)         */
    PLEXUS_SOFTPLUS = 9    /* f = log(1+e^z), z itself above 20 (beta 1, threshold 20, as
                              torch Softplus());     f' = sigmoid(z), 1 above 20             */
} plexus_activation;

/* Losses; B = batch rows, O = outputs. */
typedef enum {
    PLEXUS_MSE = 0,                 /* (1/(B*O)) sum (a-y)^2, as PyTorch's MSELoss(); default  */
    PLEXUS_QUADRATIC = 1,           /* (1/(2B)) sum over samples of |a-y|^2 (Nielsen)          */
    PLEXUS_CROSS_ENTROPY = 2,       /* -(1/B) sum y*log softmax(z); softmax output layer only;
                                       targets are probability rows (one-hot or soft): each
                                       value >= 0, each row summing to 1 within 1e-3 (others
                                       refused with PLEXUS_ERR_ARGUMENT since 0.8.0)           */
    PLEXUS_BINARY_CROSS_ENTROPY = 3,/* (1/(B*O)) sum of -[y log a + (1-y) log(1-a)] computed from
                                       z without overflow; sigmoid output layer only; targets
                                       in [0, 1] (refused otherwise since 0.8.0)               */
    /* Since 0.4.0; both fit any output activation: */
    PLEXUS_L1 = 4,                  /* (1/(B*O)) sum |a-y|, as PyTorch's L1Loss(); dL/da =
                                       sign(a-y)/(B*O), 0 where a = y                         */
    PLEXUS_HUBER = 5                /* (1/(B*O)) sum h(a-y), h(d) = d^2/2 for |d| <= 1, else
                                       |d| - 1/2: PyTorch's HuberLoss() (delta 1, mean)        */
} plexus_loss;

/* Optimizer kinds, with the fields of plexus_optimizer_options each reads (every kind reads
   learning_rate and weight_decay). The hyperparameters are also listed in this order by the
   deprecated plexus_get_optimizer and plexus_get_hyperparameters (a flag is 1 or 0). */
typedef enum {
    PLEXUS_SGD = 0,     /* momentum */
    PLEXUS_ADAM = 1,    /* beta1, beta2, epsilon */
    PLEXUS_ADAMW = 2,   /* beta1, beta2, epsilon.  Since 0.4.0 */
    PLEXUS_RMSPROP = 3, /* alpha, epsilon, momentum, centered.  Since 0.6.0 */
    PLEXUS_RPROP = 4    /* eta_minus, eta_plus, step_min, step_max.  Since 0.11.0 */
} plexus_optimizer;

/* An optimizer and every hyperparameter of every kind: plexus_set_optimizer reads the fields of
   options->kind (the enum above says which) and ignores the others; plexus_get_optimizer_options
   writes the kind's fields and zeros the others. plexus_optimizer_defaults fills PyTorch's
   defaults for a kind, to change what differs. Each kind follows torch.optim exactly:
   - SGD (torch.optim.SGD, dampening 0, no Nesterov): the first step's buffer is the gradient,
     then buf = momentum*buf + g; param -= learning_rate*buf. Defaults 0.01 (torch has none), 0.
   - Adam (torch.optim.Adam, bias-corrected, no AMSGrad). Defaults 1e-3, 0.9, 0.999, 1e-8.
   - AdamW (torch.optim.AdamW): param *= 1 - learning_rate*weight_decay, then Adam. Defaults as
     Adam's, weight decay 0.01.
   - RMSprop (torch.optim.RMSprop): square_avg = alpha*square_avg + (1-alpha)*g^2; centered
     (nonzero), also grad_avg = alpha*grad_avg + (1-alpha)*g and the denominator uses
     square_avg - grad_avg^2; avg = sqrt(...) + epsilon; with momentum > 0, buf = momentum*buf +
     g/avg and param -= learning_rate*buf, else param -= learning_rate*g/avg. Defaults 1e-2, 0.99,
     1e-8, 0, 0.
   - RPROP (torch.optim.Rprop, iRPROP-): each parameter's step size starts at learning_rate, is
     multiplied by eta_plus while its gradient keeps its sign and by eta_minus when the sign flips,
     then clamped to [step_min, step_max]; param -= sign(g)*step, and after a flip the gradient is
     taken as 0 (no move). It uses the gradient's sign only: it is meant for full-batch training
     (batch = every row), as FANN's default. Defaults 0.01, 0.5, 1.2, 1e-6, 50.
   weight_decay is torch's: coupled (weight_decay*param added to each gradient) for SGD, Adam,
   RMSprop and RPROP (torch's Rprop has none: Plexus's extension), decoupled for AdamW; biases
   included (plexus_set_l2_penalty spares them). Default 0 but for AdamW.
   The first version (0.11.0) is the whole struct: PLEXUS_OPTIMIZER_OPTIONS_FIRST_SIZE.
   Since 0.11.0. */
typedef struct plexus_optimizer_options {
    size_t struct_size;       /* sizeof(plexus_optimizer_options), set by the caller */
    plexus_optimizer kind;
    float learning_rate;      /* > 0, finite */
    float weight_decay;       /* >= 0, finite */
    float momentum;           /* SGD, RMSprop: [0, 1) */
    float beta1;              /* Adam, AdamW: [0, 1) */
    float beta2;              /* Adam, AdamW: [0, 1) */
    float epsilon;            /* Adam, AdamW, RMSprop: > 0, finite */
    float alpha;              /* RMSprop's smoothing constant: [0, 1) */
    int centered;             /* RMSprop: 0 or 1 */
    float eta_minus;          /* RPROP: 0 < eta_minus < 1 < eta_plus */
    float eta_plus;
    float step_min;           /* RPROP: 0 < step_min <= step_max, finite */
    float step_max;
} plexus_optimizer_options;
/* The bytes of the first version (0.11.0's, ending with `step_max`).  Since 0.11.0. */
#define PLEXUS_OPTIMIZER_OPTIONS_FIRST_SIZE (offsetof(plexus_optimizer_options, step_max) + sizeof(float))

/* Learning-rate schedules of plexus_train_ex, stepped once per epoch as PyTorch's schedulers
   (epoch 0 uses the optimizer's rate).  Since 0.4.0. */
typedef enum {
    PLEXUS_LR_CONSTANT = 0, /* the optimizer's rate throughout */
    PLEXUS_LR_STEP = 1,     /* StepLR: rate *= gamma every step_size epochs */
    PLEXUS_LR_COSINE = 2    /* CosineAnnealingLR: from the rate to eta_min over t_max epochs along a
                               half cosine (torch's recursive formula, periodic beyond t_max) */
} plexus_lr_schedule;

/* plexus_create flag: layers have no bias vectors. */
#define PLEXUS_NO_BIAS 1u

/* Called by plexus_train after each epoch with its 0-based index and the mean loss over the
   epoch's samples. Return nonzero to stop training (plexus_train then returns PLEXUS_OK).
   What an epoch callback (this one, or plexus_train_ex's on_epoch) may do with the net being
   trained, between two epochs: read it (plexus_predict, plexus_get_*, plexus_layer_*,
   plexus_param_count), save or export it (plexus_save, plexus_save_buffer, plexus_export_onnx,
   plexus_export_c, plexus_quantize: a checkpoint each epoch), and set its optimizer
   (plexus_set_optimizer, or plexus_set_sgd, _adam, _adamw, _rmsprop: a learning rate per epoch
   by hand), weight decay,
   gradient clipping and parameters (plexus_set_weights, plexus_set_params). The calls that run
   passes of their own or change what the run set up and checked (plexus_train,
   plexus_train_ex, plexus_train_step, plexus_forward, plexus_backward, plexus_step,
   plexus_zero_grads, plexus_set_grads, plexus_set_loss, plexus_set_dropout) return
   PLEXUS_ERR_STATE and change nothing (since 0.8.0; earlier they were not refused): stop
   training first by returning nonzero. Calls on the net from other threads meanwhile return
   PLEXUS_ERR_BUSY (see Threads). If the callback frees the net, the run goes on (return nonzero
   to stop it) and the net's memory goes when the training call returns; the handle is then
   stale (since 0.10.0; before, freeing it here was undefined). Other nets are the callback's to
   use freely. */
typedef int (*plexus_epoch_fn)(size_t epoch, float mean_loss, void *user);

/* ---------------------------------------------------------------------------------------------
 * Creating and configuring
 * ------------------------------------------------------------------------------------------- */

/* Creates a network with n_sizes layers of sizes[0..n_sizes-1] neurons (sizes[0] = inputs) and
   activations[0..n_sizes-2], one per non-input layer (activations[l-1] belongs to layer l).
   flags: 0 or PLEXUS_NO_BIAS. Weights are drawn from `seed`, each layer's by its activation's
   rule, Glorot/Xavier or He/Kaiming uniform (docs/maths.md, "Initialisation"; biases 0): the
   same seed gives bitwise the same network. The net starts
   with the MSE loss and SGD (learning rate 0.01, no momentum).
   On success *out receives a net to release with plexus_free.
   Returns PLEXUS_ERR_ARGUMENT for NULL sizes/activations/out, n_sizes < 2, a size of 0 or above
   2147483647, an unknown activation or unknown flag bits; PLEXUS_ERR_MEMORY when the parameters
   cannot be allocated (including sizes whose product overflows).  Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_create(const uint32_t *sizes, const plexus_activation *activations,
                                            size_t n_sizes, uint32_t flags, uint64_t seed, plexus_net **out);

/* Layer kinds of plexus_create_layers (Swift's Layer, Python's plexus.layers).  Since 0.12.0. */
typedef enum {
    PLEXUS_LAYER_DENSE = 0,   /* units outputs: z = W x + b, then the activation (PyTorch's Linear
                                 followed by the activation); W [units][inputs], b [units] */
    PLEXUS_LAYER_DROPOUT = 1, /* while training, drops each input with probability rate and scales
                                 the kept ones by 1/(1 - rate) (torch.nn.Dropout); the identity in
                                 plexus_predict and every export. It follows a dense or layer-norm
                                 layer and is not the last layer */
    PLEXUS_LAYER_LAYER_NORM = 2 /* torch.nn.LayerNorm over the last dimension: each row's values
                                 (for a flat input) less their mean, times 1/sqrt(biased variance
                                 + eps), then times its weight and plus its bias [features] (ones
                                 and zeros at first; none with PLEXUS_NO_AFFINE). Its sums are
                                 float32 in ascending index, docs/layers.md. Not the last layer */
} plexus_layer_kind;

/* plexus_layer flag of a layer norm: no weight and bias (torch's elementwise_affine=False). */
#define PLEXUS_NO_AFFINE 2u

/* One layer of plexus_create_layers, and what plexus_get_layer reports. A struct that grows
   (see Structs that grow): zero it, set struct_size, kind and the kind's fields; the fields of
   other kinds stay 0. plexus_layer_defaults fills a kind's defaults.  Since 0.12.0. */
typedef struct plexus_layer {
    size_t struct_size;             /* sizeof(plexus_layer), set by the caller */
    plexus_layer_kind kind;
    uint32_t units;                 /* DENSE: outputs, 1 to 2147483647 */
    plexus_activation activation;   /* DENSE: default PLEXUS_IDENTITY */
    uint32_t flags;                 /* DENSE: 0, or PLEXUS_NO_BIAS for no bias vector;
                                       LAYER_NORM: 0, or PLEXUS_NO_AFFINE */
    float rate;                     /* DROPOUT: in [0, 1); default 0.5 (PyTorch's) */
    float eps;                      /* LAYER_NORM: finite and > 0; default 1e-5 (PyTorch's) */
} plexus_layer;
/* The bytes of the first version (0.12.0's, ending with `eps`).  Since 0.12.0. */
#define PLEXUS_LAYER_FIRST_SIZE (offsetof(plexus_layer, eps) + sizeof(float))

/* Creates a network from its layers: layers[0..count-1], in order, for input rows of shape
   input_shape[0..rank-1] (channels first, as PyTorch and ONNX; a row is the input flattened, so
   I is the product of the extents). `layers` is an array of count structs whose struct_size
   (each the same) is its element size, so a program built against an older header passes its
   own array. Layers are numbered 1..count in this order (see Layers); a dense layer's tensors
   are its W and b, in the flat order of the layers. Weights are drawn from `seed` as
   plexus_create does, layer by layer: plexus_create(sizes, activations, n, flags, seed) is
   this function with input_shape {sizes[0]} and one dense layer per further size, and gives
   bitwise the same net. The net starts with the MSE loss and SGD (learning rate 0.01).
   On success *out receives a net to release with plexus_free.
   Returns PLEXUS_ERR_ARGUMENT, naming the layer, for NULL input_shape/layers/out, a rank of 0
   or above 8, an extent of 0 or extents whose product is above 2147483647, count 0 or above
   4095, a struct_size the convention refuses or differing between elements, an unknown kind,
   activation or flag, a field out of range, a dense layer on an input of more than one
   dimension, a dropout layer that does not follow a dense or layer-norm layer or is last, or a
   last layer that is not dense; PLEXUS_ERR_MEMORY when the parameters cannot be allocated.
   Since 0.12.0. */
PLEXUS_MUST_USE plexus_status plexus_create_layers(const uint32_t *input_shape, size_t rank,
                                                   const plexus_layer *layers, size_t count,
                                                   uint64_t seed, plexus_net **out);

/* Fills *out (up to out->struct_size, which the caller sets) with `kind` and its defaults: a
   dense layer's activation PLEXUS_IDENTITY with a bias (its units, which have no default, 0);
   a dropout layer's rate 0.5; a layer norm's eps 1e-5 with its weight and bias.
   Returns PLEXUS_ERR_ARGUMENT for NULL out, a struct_size the convention refuses, or an unknown
   kind.  Since 0.12.0. */
PLEXUS_MUST_USE plexus_status plexus_layer_defaults(plexus_layer_kind kind, plexus_layer *out);

/* Releases a net and everything it owns. NULL is a no-op; a pointer that is not a live net does
   nothing and sets the message (see Handles). Calls that other threads are making on the net
   finish first: its memory goes when the last of them returns, and calls made after the free
   return PLEXUS_ERR_MISUSE.  Since 0.1.0. */
void plexus_free(plexus_net *net);

/* Chooses the loss that plexus_backward and plexus_train minimise.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, an unknown loss, or a loss that does not fit the
   output activation (CROSS_ENTROPY needs softmax, BINARY_CROSS_ENTROPY needs sigmoid).
   Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_set_loss(plexus_net *net, plexus_loss loss);

/* Chooses SGD with optional momentum, exactly torch.optim.SGD (dampening 0, no Nesterov): the
   first step's buffer is the gradient, then buf = momentum*buf + g; param -= learning_rate*buf.
   Changing hyperparameters keeps the momentum buffers and the weight decay; switching from
   another optimizer starts fresh (weight decay 0).
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, learning_rate not finite and > 0, or momentum not
   in [0, 1).  Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_set_sgd(plexus_net *net, float learning_rate, float momentum);

/* Chooses Adam, exactly torch.optim.Adam (bias-corrected, no AMSGrad; weight decay from
   plexus_set_weight_decay, 0 unless set); PyTorch's defaults are 1e-3, 0.9, 0.999, 1e-8.
   Changing hyperparameters keeps the moments, the step count and the weight decay; switching
   from another optimizer starts fresh (weight decay 0).
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, learning_rate or epsilon not finite and > 0, or a
   beta not in [0, 1).  Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_set_adam(plexus_net *net, float learning_rate, float beta1,
                                              float beta2, float epsilon);

/* Chooses AdamW, exactly torch.optim.AdamW: decoupled weight decay, param *= 1 - lr*weight_decay,
   then the Adam update; PyTorch's defaults are 1e-3, 0.9, 0.999, 1e-8, 0.01. Changing
   hyperparameters keeps the moments and the step count; switching from another optimizer starts
   fresh.
   Returns PLEXUS_ERR_ARGUMENT as plexus_set_adam, and for weight_decay negative or not finite.
   Since 0.4.0. */
PLEXUS_MUST_USE plexus_status plexus_set_adamw(plexus_net *net, float learning_rate, float beta1,
                                               float beta2, float epsilon, float weight_decay);

/* Chooses RMSprop, exactly torch.optim.RMSprop: square_avg = alpha*square_avg + (1-alpha)*g^2;
   centered (nonzero), also grad_avg = alpha*grad_avg + (1-alpha)*g and the denominator uses
   square_avg - grad_avg^2; avg = sqrt(...) + epsilon; with momentum > 0, buf = momentum*buf +
   g/avg and param -= learning_rate*buf, else param -= learning_rate*g/avg. Every buffer starts
   at zero; weight decay (plexus_set_weight_decay) is coupled. PyTorch's defaults are 1e-2, 0.99,
   1e-8, 0, 0. Changing hyperparameters keeps the state, the step count and the weight decay (a
   buffer a new setting needs starts at zero); switching from another optimizer starts fresh
   (weight decay 0).
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, learning_rate or epsilon not finite and > 0, or
   alpha or momentum not in [0, 1).  Since 0.6.0. */
PLEXUS_MUST_USE plexus_status plexus_set_rmsprop(plexus_net *net, float learning_rate, float alpha, float epsilon,
                                                 float momentum, int centered);

/* Chooses the optimizer and every hyperparameter, weight decay included, from *options (the
   fields of options->kind; see plexus_optimizer_options). Changing only hyperparameters of the
   same kind keeps the optimizer's state (moments, buffers, step count), as editing torch's
   param_groups does; another kind starts afresh.
   An epoch callback may call it, as it may the per-kind setters (a learning rate per epoch).
   Returns PLEXUS_ERR_ARGUMENT, changing nothing, for a NULL net or options, a struct_size the
   struct rules refuse, an unknown kind, or a hyperparameter outside its range (the message
   names it).  Since 0.11.0. */
PLEXUS_MUST_USE plexus_status plexus_set_optimizer(plexus_net *net, const plexus_optimizer_options *options);

/* Fills *out (up to out->struct_size, which the caller sets) with the net's optimizer: its
   kind, its hyperparameters and weight decay, zeros in the other kinds' fields.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or out, or a struct_size below the first version's.
   Since 0.11.0. */
PLEXUS_MUST_USE plexus_status plexus_get_optimizer_options(const plexus_net *net, plexus_optimizer_options *out);

/* Fills *out (up to out->struct_size) with PyTorch's defaults for `kind` (SGD's learning rate,
   which torch leaves to the caller: 0.01).
   Returns PLEXUS_ERR_ARGUMENT for NULL out, a struct_size below the first version's, or an
   unknown kind.  Since 0.11.0. */
PLEXUS_MUST_USE plexus_status plexus_optimizer_defaults(plexus_optimizer kind, plexus_optimizer_options *out);

/* Sets the current optimizer's weight decay, as torch's `weight_decay` argument: SGD, Adam and
   RMSprop add weight_decay*param to each gradient before the update (coupled); AdamW shrinks the parameters
   (decoupled). Biases are decayed too, as torch does for one parameter group. 0 turns it off.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or weight_decay negative or not finite (nothing
   changes).  Since 0.4.0. */
PLEXUS_MUST_USE plexus_status plexus_set_weight_decay(plexus_net *net, float weight_decay);

/* From now on plexus_step (and every training call) first scales the accumulated gradients by
   min(1, max_norm / (norm + 1e-6)), norm the L2 norm over all parameters' gradients together
   (torch.nn.utils.clip_grad_norm_). 0 turns clipping off (the default).
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or max_norm negative or not finite (nothing
   changes).  Since 0.4.0. */
PLEXUS_MUST_USE plexus_status plexus_set_grad_clip(plexus_net *net, float max_norm);

/* Adds the L2 penalty (lambda/2) * sum of every squared weight to what training minimises; the
   biases are spared (scikit-learn's and Keras's L2 regularisation; scikit-learn's alpha is
   lambda * batch size). Each step adds lambda * W to the weights' gradients, after clipping and
   beside any coupled weight decay, whatever the optimizer. The losses training reports are the
   data's alone. 0 removes it (the default). A net with a penalty is saved as format version 4.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or lambda negative or not finite, PLEXUS_ERR_STATE
   from an epoch callback (nothing changes).  Since 0.11.0. */
PLEXUS_MUST_USE plexus_status plexus_set_l2_penalty(plexus_net *net, float lambda);

/* Sets the rate of a dropout layer `layer` (PLEXUS_LAYER_DROPOUT), or puts inverted dropout on
   the outputs of a hidden dense layer `layer` that no dropout layer follows, in plexus_forward,
   plexus_train, plexus_train_step and plexus_train_ex, never in plexus_predict: each output is
   kept with probability 1-p and then scaled by 1/(1-p), else set to 0 (torch.nn.Dropout).
   Masks are drawn from the net's own generator (the one that drew its initial weights, saved
   in model files), so the same seed gives the same run. p = 0 turns it off for the layer.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, layer 0, the output layer or beyond, a dense layer
   whose outputs go to a dropout layer (set that layer's rate), or p not in [0, 1) (NaN
   included); nothing changes then.  Since 0.4.0 (dropout layers: 0.12.0). */
PLEXUS_MUST_USE plexus_status plexus_set_dropout(plexus_net *net, size_t layer, float p);

/* ---------------------------------------------------------------------------------------------
 * Training and inference
 * ------------------------------------------------------------------------------------------- */

/* Runs x ([batch][I]) forward and keeps every layer's activations for plexus_backward. Writes the
   outputs to y ([batch][O]) when y is not NULL (pass NULL when only training). Layers with
   dropout (plexus_set_dropout) drop units here, drawing new masks on every call.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or x, batch 0 or above 2147483647, or a non-finite
   input; PLEXUS_ERR_MEMORY when the batch's activations cannot be allocated. A failed call keeps
   the previous forward pass.  Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_forward(plexus_net *net, const float *x, size_t batch, float *y);

/* Computes the loss of the batch kept by the last plexus_forward against target ([batch][O]),
   ADDS its gradient to the net's gradient buffers, and stores the loss in *loss_out when
   loss_out is not NULL. Calling it again after the same forward adds the gradient again.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or target, batch 0, or a non-finite target;
   PLEXUS_ERR_STATE when no forward ran since the net was created or its parameters last changed
   (plexus_step, plexus_set_params, plexus_set_weights), or when batch differs from that forward's.
   Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_backward(plexus_net *net, const float *target, size_t batch, float *loss_out);

/* Applies the optimizer to the accumulated gradients, then zeroes them. The kept forward pass is
   dropped (the parameters changed).
   Returns PLEXUS_ERR_ARGUMENT for a NULL net; PLEXUS_ERR_NUMERIC when a gradient or any updated
   parameter or optimizer value would not be finite: then nothing changes (parameters, optimizer
   state and gradients stay as they were; call plexus_zero_grads to discard the gradients).
   Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_step(plexus_net *net);

/* Sets every accumulated gradient to 0.  Returns PLEXUS_ERR_ARGUMENT for a NULL net.
   Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_zero_grads(plexus_net *net);

/* Computes the outputs for x ([batch][I]) into y ([batch][O]) without changing the net. Safe on
   many threads at once on one net (see Threads above). Gives bitwise the outputs plexus_forward
   gives for the same batch.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, x or y, batch 0 or above 2147483647, or a
   non-finite input; PLEXUS_ERR_MEMORY when scratch memory cannot be allocated.  Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_predict(const plexus_net *net, const float *x, size_t batch, float *y);

/* Trains on n samples (x: [n][I], y: [n][O]) for `epochs` passes of shuffled mini-batches of
   batch_size rows (the last batch of an epoch may be smaller; batch_size > n means one batch),
   running forward, backward and step per batch. Gradients accumulated before the call are
   discarded. Each epoch visits the rows in a Fisher-Yates order drawn from shuffle_seed (docs/training.md):
   the same net, data and seeds give bitwise the same result. on_epoch may be NULL.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, x or y, n, epochs or batch_size of 0, or non-finite
   data; PLEXUS_ERR_MEMORY when batch buffers cannot be allocated; PLEXUS_ERR_NUMERIC when a step
   meets a non-finite gradient: the message names the epoch and batch, the net keeps its last
   finite parameters and its gradients are zeroed. A nonzero return from on_epoch stops training
   early with PLEXUS_OK.  Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_train(plexus_net *net, const float *x, const float *y, size_t n,
                                           size_t epochs, size_t batch_size, uint64_t shuffle_seed,
                                           plexus_epoch_fn on_epoch, void *user);

/* One update from one batch: plexus_forward (with dropout where set), plexus_backward, plexus_step,
   in one call (the online update of a game or a control loop). Gradients accumulated before the
   call are discarded. Stores the batch's loss before the update in *loss when loss is not NULL.
   Returns the statuses of those three calls; when the step is refused (PLEXUS_ERR_NUMERIC) the
   parameters are unchanged and the gradients zeroed.  Since 0.4.0. */
PLEXUS_MUST_USE plexus_status plexus_train_step(plexus_net *net, const float *x, const float *y, size_t batch,
                                                float *loss);

/* Called by plexus_train_ex after each epoch: its 0-based index, the (weighted) mean training
   loss of its batches, and on the validation rows the mean loss and the accuracy (the share of
   rows whose output argmax is the target's for a softmax output layer, of outputs on the target's
   side of 0.5 for sigmoid; NaN for other output layers), both NaN without validation rows.
   Return nonzero to stop (plexus_train_ex then returns PLEXUS_OK).  Since 0.4.0. */
typedef int (*plexus_epoch_report_fn)(size_t epoch, float train_loss, float val_loss, float val_accuracy, void *user);

/* The options of plexus_train_ex. Zero-initialise, set struct_size = sizeof(plexus_train_options),
   then the fields you need: new fields will be appended, and a zeroed field always means the
   behaviour of this version (see "Structs that grow" above; the first version, 0.4.0's, ends
   with `user`: 136 bytes on 64-bit targets).  Since 0.4.0. */
typedef struct plexus_train_options {
    size_t struct_size;
    size_t epochs;                 /* at least 1; SIZE_MAX: until on_epoch or patience stops it */
    size_t batch_size;             /* at least 1; n or more: one batch of every row */
    uint64_t shuffle_seed;         /* the Fisher-Yates orders of plexus_train */
    const float *val_x;            /* [val_n][I] validation inputs, or NULL for none */
    const float *val_y;            /* [val_n][O] validation targets */
    size_t val_n;
    size_t patience;               /* stop after this many epochs without a lower monitored loss
                                      (the validation loss, or the training loss without
                                      validation rows); 0 never stops early */
    int restore_best;              /* nonzero: end with the parameters of the best epoch (the
                                      optimizer state stays that of the last epoch) */
    const float *sample_weight;    /* n weights >= 0, or NULL for all 1: each batch minimises
                                      sum w_i loss_i / sum w_i; a batch of zero weights is skipped */
    plexus_lr_schedule lr_schedule;
    size_t step_size;              /* PLEXUS_LR_STEP: epochs between decays (at least 1) */
    float gamma;                   /* PLEXUS_LR_STEP: factor per decay (> 0) */
    size_t t_max;                  /* PLEXUS_LR_COSINE: epochs of the half cosine (at least 1) */
    float eta_min;                 /* PLEXUS_LR_COSINE: the lowest rate (>= 0) */
    plexus_epoch_report_fn on_epoch; /* may be NULL */
    void *user;                    /* passed to on_epoch */
    /* Since 0.8.0 (a 0.4.0 to 0.7.0 struct, without it, still works: see "Structs that grow"): */
    const volatile int *cancel;    /* NULL, or a flag another thread or a signal handler may set
                                      at any time: training then stops before the next batch
                                      (read once per batch), keeps the steps made so far, restores
                                      the best parameters if asked, and returns PLEXUS_OK with
                                      report->cancelled set; the interrupted epoch is not
                                      reported to on_epoch nor counted in epochs_run */
} plexus_train_options;
/* The bytes of the first version (0.4.0's, ending with `user`).  Since 0.11.0. */
#define PLEXUS_TRAIN_OPTIONS_FIRST_SIZE (offsetof(plexus_train_options, cancel))

/* What plexus_train_ex did. Set struct_size = sizeof(plexus_train_report) before the call (the
   first version, 0.4.0's, ends with stopped_early: 32 bytes on 64-bit targets).  Since 0.4.0. */
typedef struct plexus_train_report {
    size_t struct_size;
    size_t epochs_run;
    size_t best_epoch;             /* 0-based epoch of the lowest monitored loss (first on ties) */
    float best_val_loss;           /* the validation loss of best_epoch; NaN without validation */
    int stopped_early;             /* nonzero when patience ended the run */
    /* Since 0.8.0: */
    int cancelled;                 /* nonzero when options->cancel ended the run */
} plexus_train_report;
/* The bytes of the first version (0.4.0's, ending with `stopped_early`).  Since 0.11.0. */
#define PLEXUS_TRAIN_REPORT_FIRST_SIZE (offsetof(plexus_train_report, cancelled))

/* plexus_train with a validation set, early stopping, the best parameters restored, sample
   weights and a learning-rate schedule. With only epochs, batch_size and shuffle_seed set it
   trains bitwise as plexus_train. A schedule sets the optimizer's rate for each epoch and puts
   the base rate back at the end. report may be NULL.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, x, y or options, a struct_size the convention
   refuses, n, epochs or batch_size of 0, val_n
   of 0 or val_y NULL with val_x set, an unknown schedule or bad schedule settings, a weight
   negative or not finite, all weights 0, or non-finite data (nothing changes then); otherwise
   as plexus_train.  Since 0.4.0. */
PLEXUS_MUST_USE plexus_status plexus_train_ex(plexus_net *net, const float *x, const float *y, size_t n,
                                              const plexus_train_options *options, plexus_train_report *report);

/* The order in which plexus_train visits n samples in epoch `epoch` (0-based) with shuffle seed
   `seed`: writes a permutation of 0..n-1 to order[0..n-1]. Epoch e is a Fisher-Yates shuffle of
   the identity order (for i from n-1 down to 1, swap i with a draw below i+1), all epochs drawing
   in turn from one generator seeded with `seed` (xoshiro256** seeded through SplitMix64; a draw
   below m is Lemire's multiply-shift with rejection; docs/maths.md, "The generator"), so an epoch's
   order depends on the epochs before it. For data-parallel training, every rank calls it with
   the same arguments and takes its share of each batch. A call for the epoch after the previous
   call's (same seed and n, from any thread) costs n draws; any other epoch replays the epochs
   before it (epoch * n draws). Returns PLEXUS_ERR_ARGUMENT for a NULL order, n = 0, or more than
   2^34 draws to replay (call the epochs in turn instead).  Since 0.4.0. */
PLEXUS_MUST_USE plexus_status plexus_epoch_order(uint64_t seed, size_t epoch, size_t n, size_t *order);

/* ---------------------------------------------------------------------------------------------
 * Inspecting and exchanging parameters
 * ------------------------------------------------------------------------------------------- */

/* Number of layers including the input layer (L + 1), or 0 for NULL or a net that is not live
   (message set).  Since 0.1.0. */
size_t plexus_layer_count(const plexus_net *net);

/* Neurons in layer `layer` (0 = inputs, L = outputs), or 0 for NULL, a net that is not live or a
   layer out of range (message set).  Since 0.1.0. */
uint32_t plexus_layer_size(const plexus_net *net, size_t layer);

/* Number of floats in W1, b1, ..., WL, bL together, or 0 for NULL or a net that is not live
   (message set).  Since 0.1.0. */
size_t plexus_param_count(const plexus_net *net);

/* Stores the activation of dense layer `layer` (1..L) in *out.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or out, or a layer out of range or not dense.
   Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_layer_activation(const plexus_net *net, size_t layer, plexus_activation *out);

/* Stores the net's loss in *out.  Returns PLEXUS_ERR_ARGUMENT for a NULL net or out.
   Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_get_loss(const plexus_net *net, plexus_loss *out);

/* Deprecated since 0.11.0: plexus_get_optimizer_options holds every kind's hyperparameters.
   Stores the net's optimizer in *kind and its first four hyperparameters in hyper[0..3] (the
   order of plexus_optimizer; zeros after the last): SGD gives {learning rate, momentum, 0, 0},
   Adam and AdamW {learning rate, beta1, beta2, epsilon}, RMSprop {learning rate, alpha,
   epsilon, momentum}, RPROP {learning rate, eta_minus, eta_plus, step_min}.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, kind or hyper.  Since 0.2.0. */
PLEXUS_MUST_USE PLEXUS_DEPRECATED("use plexus_get_optimizer_options")
plexus_status plexus_get_optimizer(const plexus_net *net, plexus_optimizer *kind, float hyper[4]);

/* Deprecated since 0.11.0: plexus_get_optimizer_options, and this call's buffer protocol is not
   the header's (it returns PLEXUS_OK when the array is too short).
   Stores in *count how many hyperparameters the net's optimizer has (the weight decay aside) and
   in values[0..min(capacity, *count)-1] the first of them, in the order of plexus_optimizer: call
   it with NULL and 0 to learn the count, or with an array that is large enough; *count greater
   than capacity means the array was too short (what fitted was written).
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or count, or NULL values with a capacity above 0.
   Since 0.6.0. */
PLEXUS_MUST_USE PLEXUS_DEPRECATED("use plexus_get_optimizer_options")
plexus_status plexus_get_hyperparameters(const plexus_net *net, float *values, size_t capacity,
                                                         size_t *count);

/* Stores the current optimizer's weight decay, the clipping norm (0: off), or layer `layer`'s
   dropout probability (1..L; the output layer's is 0) in *out.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or out, or a layer out of range.  Since 0.4.0. */
PLEXUS_MUST_USE plexus_status plexus_get_weight_decay(const plexus_net *net, float *out);
PLEXUS_MUST_USE plexus_status plexus_get_grad_clip(const plexus_net *net, float *out);
PLEXUS_MUST_USE plexus_status plexus_get_dropout(const plexus_net *net, size_t layer, float *out);

/* Stores the L2 penalty on weights (plexus_set_l2_penalty; 0: none) in *out.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or out.  Since 0.11.0. */
PLEXUS_MUST_USE plexus_status plexus_get_l2_penalty(const plexus_net *net, float *out);

/* Describes layer `layer` (1..L) into *out (up to out->struct_size, which the caller sets), as
   plexus_create_layers takes it: its kind and its settings now (a dropout layer's rate as
   plexus_set_dropout last set it). A net made by plexus_create has dense layers only.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or out, a struct_size the convention refuses, or
   a layer out of range.  Since 0.12.0. */
PLEXUS_MUST_USE plexus_status plexus_get_layer(const plexus_net *net, size_t layer, plexus_layer *out);

/* The shape of layer `layer`'s output (0: the input shape), channels first: its rank extents go
   to shape[0..rank-1] (see Buffers: *needed, when not NULL, receives the rank; a NULL shape
   with capacity 0 only asks). plexus_layer_size is the product of the extents.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, a layer out of range, NULL shape with a capacity
   above 0, or a capacity below the rank.  Since 0.12.0. */
PLEXUS_MUST_USE plexus_status plexus_layer_shape(const plexus_net *net, size_t layer, uint32_t *shape,
                                                 size_t capacity, size_t *needed);

/* Stores the flags the net was created with (0 or PLEXUS_NO_BIAS) in *out: PLEXUS_NO_BIAS
   when some dense layer has no bias vector (plexus_get_layer tells each layer's).
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or out.  Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_get_flags(const plexus_net *net, uint32_t *out);

/* Copies layer `layer`'s (1..L) weights into w and, when b is not NULL, its biases into b: a dense
   layer's W ([sizes[l]][sizes[l-1]]) and b ([sizes[l]]; zeros for a layer made with
   PLEXUS_NO_BIAS), or a layer norm's weight and bias ([sizes[l]] each).
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or w, or a layer out of range or without weights
   (a dropout layer, a layer norm made with PLEXUS_NO_AFFINE).  Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_get_weights(const plexus_net *net, size_t layer, float *w, float *b);

/* Replaces layer `layer`'s (1..L) weights from w and, when b is not NULL, its biases from b
   (b == NULL keeps the biases). Drops the kept forward pass.
   Returns PLEXUS_ERR_ARGUMENT, changing nothing, for a NULL net or w, a layer out of range or
   without weights, a non-finite value, or b given to a layer made with PLEXUS_NO_BIAS.
   Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_set_weights(plexus_net *net, size_t layer, const float *w, const float *b);

/* Copies the parameter tensor called `name` into values[0..count-1], row-major in its shape (see
   Buffers: *needed, when not NULL, receives its float count; a NULL values with capacity 0 only
   asks). Names are PyTorch's state_dict names with the layer's number (1..L) for i:
   "layers.{i}.weight" and "layers.{i}.bias" of a dense layer ([sizes[i]][sizes[i-1]] and
   [sizes[i]]) or of a layer norm ([sizes[i]] each), as version 5 of the model file names them.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or name, a name no tensor has (the message lists
   the net's), NULL values with a capacity above 0, or a capacity below the count.
   Since 0.12.0. */
PLEXUS_MUST_USE plexus_status plexus_get_tensor(const plexus_net *net, const char *name, float *values,
                                                size_t capacity, size_t *needed);

/* Replaces the parameter tensor called `name` (see plexus_get_tensor) from values[0..count-1].
   Drops the kept forward pass.
   Returns PLEXUS_ERR_ARGUMENT, changing nothing, for a NULL net, name or values, an unknown
   name, a count other than the tensor's, or a non-finite value.  Since 0.12.0. */
PLEXUS_MUST_USE plexus_status plexus_set_tensor(plexus_net *net, const char *name, const float *values, size_t count);

/* Copies all plexus_param_count() parameters, in the flat order (W1, b1, W2, b2, ...), into out.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or out.  Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_get_params(const plexus_net *net, float *out);

/* Replaces all parameters from in (same order and count). Drops the kept forward pass.
   Returns PLEXUS_ERR_ARGUMENT, changing nothing, for a NULL net or in, or a non-finite value.
   Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_set_params(plexus_net *net, const float *in);

/* Copies all accumulated gradients (parameter order and count) into out.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or out.  Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_get_grads(const plexus_net *net, float *out);

/* Replaces all gradients from in (parameter order and count), for example with gradients reduced
   across processes; plexus_step then applies them.
   Returns PLEXUS_ERR_ARGUMENT, changing nothing, for a NULL net or in, or a non-finite value.
   Since 0.1.0. */
PLEXUS_MUST_USE plexus_status plexus_set_grads(plexus_net *net, const float *in);

/* ---------------------------------------------------------------------------------------------
 * Preprocessing the net carries (docs/training.md): an input transform applied to every row
 * before the first layer, x' = (x - shift) * scale per input, and an output transform applied
 * after the last, y = y' * scale + shift per output (a multiply, then an add: two roundings, in
 * the generated C and ONNX too). plexus_predict and plexus_forward take raw rows and return
 * outputs in real units; training (plexus_train, plexus_train_ex with its validation rows,
 * plexus_train_step) and plexus_backward map their targets by the inverse, (t - shift) / scale,
 * so the loss, and every loss reported, is measured in the transformed space. Both travel in model files (format version 3), ONNX and the generated C.
 * A raw value the transform maps to an infinity is refused as a non-finite input is.
 * Setting either from an epoch callback returns PLEXUS_ERR_STATE.
 * ------------------------------------------------------------------------------------------- */

/* Which transform a call means: the inputs' (applied before the first layer, width I) or the
   outputs' (applied after the last, width O).  Since 0.11.0. */
typedef enum {
    PLEXUS_INPUTS = 0,
    PLEXUS_OUTPUTS = 1
} plexus_side;

/* Sets the transform of `side` from shift[width] and scale[width] (width I or O); NULL and NULL
   removes it.
   Returns PLEXUS_ERR_ARGUMENT, changing nothing, for a NULL net, an unknown side, one of shift
   and scale NULL, a non-finite shift or scale, a scale of 0, or an output transform on a net
   whose output layer is not PLEXUS_IDENTITY (probabilities are not values to rescale).
   Since 0.11.0. */
PLEXUS_MUST_USE plexus_status plexus_set_transform(plexus_net *net, plexus_side side, const float *shift,
                                                   const float *scale);

/* Copies the transform of `side` to shift[width] and scale[width] (either may be NULL, to skip
   it) and sets *present (may be NULL) to 1; without a transform writes the identity (0 and 1)
   and *present 0.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or an unknown side.  Since 0.11.0. */
PLEXUS_MUST_USE plexus_status plexus_get_transform(const plexus_net *net, plexus_side side, float *shift, float *scale,
                                                   int *present);

/* Sets the transform of `side` that standardises the n rows of data: inputs x[n][I] or targets
   y[n][O]. For the inputs, shift = each column's mean and scale = 1 / its standard deviation
   (population, divisor n, as scikit-learn's StandardScaler), a constant column getting scale 1;
   for the outputs, shift = the mean and scale = the deviation (1 for a constant column), so the
   layers fit targets of mean 0 and deviation 1. Sums run in double, in row order.
   Returns PLEXUS_ERR_ARGUMENT, changing nothing, for a NULL net or data, an unknown side, n of 0,
   a non-finite value, or the outputs of a net whose output layer is not PLEXUS_IDENTITY.
   Since 0.11.0. */
PLEXUS_MUST_USE plexus_status plexus_fit_transform(plexus_net *net, plexus_side side, const float *data, size_t n);

/* Deprecated since 0.11.0 (see "Deprecated" at the end): the same calls with the side in their
   name. Beware the output ones' argument order, (scale, shift), which is why they go.
   Since 0.9.0. */
PLEXUS_MUST_USE PLEXUS_DEPRECATED("use plexus_set_transform(net, PLEXUS_INPUTS, shift, scale)")
plexus_status plexus_set_input_transform(plexus_net *net, const float *shift, const float *scale);
PLEXUS_MUST_USE PLEXUS_DEPRECATED("use plexus_set_transform(net, PLEXUS_OUTPUTS, shift, scale): note the order")
plexus_status plexus_set_output_transform(plexus_net *net, const float *scale, const float *shift);
PLEXUS_MUST_USE PLEXUS_DEPRECATED("use plexus_get_transform(net, PLEXUS_INPUTS, shift, scale, present)")
plexus_status plexus_get_input_transform(const plexus_net *net, float *shift, float *scale, int *present);
PLEXUS_MUST_USE PLEXUS_DEPRECATED("use plexus_get_transform(net, PLEXUS_OUTPUTS, shift, scale, present): note the order")
plexus_status plexus_get_output_transform(const plexus_net *net, float *scale, float *shift, int *present);
PLEXUS_MUST_USE PLEXUS_DEPRECATED("use plexus_fit_transform(net, PLEXUS_INPUTS, x, n)")
plexus_status plexus_fit_input_transform(plexus_net *net, const float *x, size_t n);
PLEXUS_MUST_USE PLEXUS_DEPRECATED("use plexus_fit_transform(net, PLEXUS_OUTPUTS, y, n)")
plexus_status plexus_fit_output_transform(plexus_net *net, const float *y, size_t n);

/* ---------------------------------------------------------------------------------------------
 * Metadata: the caller's own UTF-8 key-value strings (units, feature names, a dataset's
 * version), saved in the model file's header and listed in key order (bytewise). Limits: a key
 * of 1..256 bytes, a value of at most 65536 bytes, at most 256 entries and 1 MiB of keys and
 * values together. Keys beginning with "plexus." are reserved for the format, but for one:
 * "plexus.classes", the class name of each output as a JSON array of distinct strings (one per
 * output, or two for a single sigmoid output: the class of 0, then of 1), such as
 * ["setosa","versicolor","virginica"]. Python's fit sets it from string labels; a caller may
 * set it; plexus_set_metadata and plexus_load check it against the net (Since 0.11.0).
 * ------------------------------------------------------------------------------------------- */

/* Sets key to value, or removes key when value is NULL (removing an absent key is not an error).
   Returns PLEXUS_ERR_ARGUMENT, changing nothing, for a NULL net or key, a key or value that is not
   UTF-8, an empty or reserved key, a "plexus.classes" value that does not fit the net, or one
   past the limits.  Since 0.9.0. */
PLEXUS_MUST_USE plexus_status plexus_set_metadata(plexus_net *net, const char *key, const char *value);

/* Copies key's value with its terminating NUL into buffer[size] and sets *needed (may be NULL) to
   the bytes that takes. buffer NULL and size 0 only asks: *needed is set, nothing is written.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or key, a buffer NULL with size above 0, a key the
   net does not have, or a size smaller than needed: then nothing is written to buffer but
   *needed IS set (the one out-parameter a failed call writes), so the caller can retry.
   Since 0.9.0. */
PLEXUS_MUST_USE plexus_status plexus_get_metadata(const plexus_net *net, const char *key, char *buffer, size_t size,
                                                  size_t *needed);

/* Sets *count to the number of metadata entries.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or count.  Since 0.9.0. */
PLEXUS_MUST_USE plexus_status plexus_metadata_count(const plexus_net *net, size_t *count);

/* Copies the key at index (0 .. count - 1, in key order) as plexus_get_metadata copies a value.
   Returns PLEXUS_ERR_ARGUMENT as plexus_get_metadata, and for an index past the last entry.
   Since 0.9.0. */
PLEXUS_MUST_USE plexus_status plexus_metadata_key_at(const plexus_net *net, size_t index, char *buffer, size_t size,
                                                     size_t *needed);

/* ---------------------------------------------------------------------------------------------
 * Model files (safetensors; the format is specified in docs/model-format.md)
 * A file holds the architecture, the parameters, the loss, the optimizer with its
 * hyperparameters and state (momentum buffers, Adam moments, step count), the transforms and the
 * metadata. Gradients and the kept
 * forward pass are not saved: a loaded net starts with zero gradients. After loading, predict
 * gives bitwise the same outputs and training continues bitwise as if never interrupted.
 * ------------------------------------------------------------------------------------------- */

/* Saves the net to the file `path` (UTF-8) atomically: a temporary file in the same folder is
   written, flushed and fsynced, then renamed over `path`. On failure no temporary file is left
   and any earlier file at `path` is unchanged. An existing `path` that is not a regular file
   (a device, a folder) is never replaced. A symbolic link is followed: the file it names (at the
   end of a chain of links, created if missing) is replaced and the link stays a link. A file that
   is replaced keeps its mode and, where the system permits, its owner and group; a new file gets
   0666 less the umask. The rename gives `path` a new inode: its other hard links keep the old
   contents, and extended attributes and ACLs are not carried over (since 0.10.0). A process that
   does not ignore SIGXFSZ is killed by the kernel if the file exceeds its RLIMIT_FSIZE; with
   SIGXFSZ ignored the save returns PLEXUS_ERR_IO.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or path, an empty path or one that is not UTF-8;
   PLEXUS_ERR_IO naming the path and the system's reason (missing or read-only folder, full disk);
   PLEXUS_ERR_MEMORY.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_save(const plexus_net *net, const char *path);

/* The options of plexus_save_ex. Zero-initialise, set struct_size = sizeof(plexus_save_options),
   then the fields you need (see "Structs that grow").  Since 0.8.0. */
typedef struct plexus_save_options {
    size_t struct_size;
    int weights_only;              /* nonzero: leave the optimizer's state out (its moments and
                                      momentum buffers; the file says 0 steps taken). Such a file
                                      loads, predicts and exports bitwise as the full one, at
                                      about a third of its size with Adam; training it starts the
                                      optimizer afresh, with the same kind and hyperparameters */
} plexus_save_options;
/* The bytes of the first version (0.8.0's, ending with `weights_only`).  Since 0.11.0 (0.8.0 to
   0.10.0 took sizeof, tail padding included, as the first version's size). */
#define PLEXUS_SAVE_OPTIONS_FIRST_SIZE (offsetof(plexus_save_options, weights_only) + sizeof(int))

/* plexus_save with options; NULL options save as plexus_save does. Returns what plexus_save
   returns, and PLEXUS_ERR_ARGUMENT for a struct_size the convention refuses.  Since 0.8.0. */
PLEXUS_MUST_USE plexus_status plexus_save_ex(const plexus_net *net, const char *path, const plexus_save_options *options);

/* Loads the model file at `path` into a new net for *out (release it with plexus_free).
   Everything in the file is validated before the net is allocated. Only a regular file is read:
   a FIFO, socket, device or directory is refused without being opened or waited on. The 8-byte
   header length and the header are read and checked first, and the tensors only when the file's
   size is exactly what the header declares, so a file of junk is refused after a few bytes and no
   allocation exceeds the declared model (since 0.10.0).
   Returns PLEXUS_ERR_ARGUMENT for a NULL path or out; PLEXUS_ERR_IO for a missing or unreadable
   file, or one that is not a regular file (naming what it is); PLEXUS_ERR_FORMAT, with what is wrong, for a file that is not a valid model
   (truncated, damaged, wrong CRC-32, unknown version, inconsistent shapes or offsets, non-finite
   values); PLEXUS_ERR_MEMORY.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_load(const char *path, plexus_net **out);

/* Writes the model file's bytes to a new buffer: *data receives it and *size its length. Release
   the buffer with plexus_free_buffer.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, data or size; PLEXUS_ERR_MEMORY.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_save_buffer(const plexus_net *net, void **data, size_t *size);

/* Loads a net from `size` bytes of a model file at `data` (validated as plexus_load does) into
   *out. The bytes are not kept.
   Returns PLEXUS_ERR_ARGUMENT for a NULL data or out; PLEXUS_ERR_FORMAT; PLEXUS_ERR_MEMORY.
   Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_load_buffer(const void *data, size_t size, plexus_net **out);

/* Releases a buffer from plexus_save_buffer. NULL is a no-op.  Since 0.2.0. */
void plexus_free_buffer(void *data);

/* Writes the net as an ONNX model (IR version 8, opset 17) to `path`, atomically as plexus_save
   does: input "input" and output "output", both float [batch, width] with the symbolic batch
   dimension "batch"; per layer a Gemm (transB = 1) with initializers "layers.{i}.weight" [out, in]
   and "layers.{i}.bias", then Sigmoid, Tanh, Relu, LeakyRelu (alpha 0.01) or Softmax (axis -1);
   an input transform is a Sub and a Mul before the first Gemm, an output transform a Mul and an
   Add after the last layer (initializers "transform.input.shift" and so on), so the model takes
   raw rows as plexus_predict does (since 0.9.0).
   ONNX Runtime gives plexus_predict's outputs within float32 rounding. Only the inference graph
   is written (no loss, no optimizer state).
   Returns PLEXUS_ERR_ARGUMENT for a NULL net or path; PLEXUS_ERR_IO as plexus_save.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_export_onnx(const plexus_net *net, const char *path);

/* ---------------------------------------------------------------------------------------------
 * Code export (docs/deploying.md): the net as dependency-free C99 in
 * two files, NAME.h and NAME.c, that compile warning-free with -std=c99 -Wall -Wextra -pedantic
 * and need neither libplexus nor an allocator: float32 code (with <math.h>), or int8 code from a
 * post-training quantisation (no library at all). The generated functions return the values of
 * plexus_status (NAME_OK, NAME_ERR_ARGUMENT, ...).
 * ------------------------------------------------------------------------------------------- */

typedef struct plexus_quantized plexus_quantized; /* opaque: an int8 model of a net */

/* Quantises the net to int8 (after TFLite's int8 scheme) with ranges measured on `rows`
   calibration rows ([rows][inputs], typically a few hundred training rows): per-output-channel
   symmetric int8 weights, int32 biases and sums, int8 activations with a scale and zero point per
   layer (real = scale * (q - zero_point)), requantisation by an integer multiplier and shift with
   one rounding, ReLU as a clamp, the other elementwise activations as 256-entry tables, softmax
   through an integer exponential table (outputs scale 1/256, zero point -128). Release *out with
   plexus_quantized_free. The model is a copy: later changes to the net do not reach it. A net's
   transforms stay float32 around the int8 layers (the calibration rows are raw rows, as
   plexus_predict takes them; the ranges are measured after the input transform), and the
   generated NAME_predict applies them as plexus_predict does (since 0.9.0). Its int8 layers are
   the net's dense layers (plexus_quantized_layer_count counts them; dropout is the identity).
   Layer norms stay float32 between them, as the net computes them: the layer before is
   dequantised, normalised, and quantised at the next int8 layer's input scale and zero point,
   which calibration measures after the norms; norms on the inputs run before the inputs are
   quantised, as the input transform does (since 0.12.0).
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, calibration or out, rows of 0, a non-finite value,
   a layer of more than 32768 inputs, a softmax of more than 65535 outputs, or a layer whose
   outputs span a range 2^30 times narrower than its sums can reach (its requantisation factor
   would not fit the multiplier); PLEXUS_ERR_MEMORY.  Since 0.5.0. */
PLEXUS_MUST_USE plexus_status plexus_quantize(const plexus_net *net, const float *calibration, size_t rows,
                                              plexus_quantized **out);

/* Releases an int8 model. NULL is a no-op; a pointer that is not a live model does nothing and
   sets the message (see Handles).  Since 0.5.0. */
void plexus_quantized_free(plexus_quantized *q);

/* The number of layers with weights (the net's layer count minus 1); 0 for NULL or a pointer that
   is not a live model (with the message set).  Since 0.5.0. */
size_t plexus_quantized_layer_count(const plexus_quantized *q);

/* One layer of an int8 model, as plexus_quantized_layer_info fills it (set struct_size first).
   Layer l computes acc_o = bias_o + sum_i weights_oi * (x_i - input_zero_point) in int32, then
   q_o = clamp(floor((acc_o * multipliers_o + 2^(30 - shifts_o)) / 2^(31 - shifts_o))
               + requant_zero_point, clamp_min, clamp_max),
   then q_o = table[q_o + 128] when there is a table, or softmax when there is softmax_exp:
   e_k = softmax_exp[max_j q_j - q_k] (0 at or past softmax_exp_count),
   q_k = min(floor((256 e_k + floor(S/2)) / S), 255) - 128 with S = sum_k e_k.
   The pointers stay valid until plexus_quantized_free.  Since 0.5.0. */
typedef struct plexus_quantized_layer {
    size_t struct_size;
    size_t inputs;
    size_t outputs;
    plexus_activation activation;
    float input_scale;           /* the layer's int8 inputs */
    int32_t input_zero_point;
    float requant_scale;         /* what the sums are requantised to: the pre-activation for a
                                    table or softmax, the output otherwise */
    int32_t requant_zero_point;
    int32_t clamp_min;           /* the requantised sums are clamped to [clamp_min, clamp_max] */
    int32_t clamp_max;
    float output_scale;          /* the layer's int8 outputs */
    int32_t output_zero_point;
    const int8_t *weights;       /* [outputs][inputs] */
    const float *weight_scales;  /* [outputs]: weights_oi * weight_scales_o approximates W_oi */
    const int32_t *bias;         /* [outputs], scale input_scale * weight_scales_o; NULL without biases */
    const int32_t *multipliers;  /* [outputs], in [2^30, 2^31) or 0 */
    const int8_t *shifts;        /* [outputs], in -31..30 */
    const int8_t *table;         /* [256] or NULL */
    const uint16_t *softmax_exp; /* [softmax_exp_count] or NULL */
    size_t softmax_exp_count;
} plexus_quantized_layer;
/* The bytes of the first version (0.5.0's, ending with `softmax_exp_count`).  Since 0.11.0. */
#define PLEXUS_QUANTIZED_LAYER_FIRST_SIZE (offsetof(plexus_quantized_layer, softmax_exp_count) + sizeof(size_t))

/* Describes layer `layer` (1 to plexus_quantized_layer_count) of an int8 model into *out.
   Returns PLEXUS_ERR_ARGUMENT for a NULL q or out, a struct_size the convention refuses (the
   first version is the whole struct above), or a layer out of range.  Since 0.5.0. */
PLEXUS_MUST_USE plexus_status plexus_quantized_layer_info(const plexus_quantized *q, size_t layer,
                                                          plexus_quantized_layer *out);

/* The options of plexus_export_c. Zero-initialise, set struct_size = sizeof(plexus_export_options),
   then the fields you need; a zeroed field means the default.  Since 0.5.0. */
typedef struct plexus_export_options {
    size_t struct_size;
    const plexus_quantized *quantized; /* an int8 model of this net: write int8 code; NULL: float32 */
    int train_step;              /* nonzero (float32 only): also write NAME_train_step, forward,
                                    backward and plain SGD at batch 1 on static buffers, with
                                    NAME_get_params and NAME_set_params */
    size_t max_parameters;       /* refuse nets with more parameters; 0: 1,000,000 */
} plexus_export_options;
/* The bytes of the first version (0.5.0's, ending with `max_parameters`).  Since 0.11.0. */
#define PLEXUS_EXPORT_OPTIONS_FIRST_SIZE (offsetof(plexus_export_options, max_parameters) + sizeof(size_t))

/* Writes the net as C99 source: `dir`/NAME.h and `dir`/NAME.c (dir must exist). They declare
   int NAME_predict(const float *x, float *y) and
   int NAME_predict_batch(const float *x, float *y, size_t n), with NAME_INPUTS and NAME_OUTPUTS;
   weights are static const arrays, there is no allocation and no state that changes (but for
   train_step); x and y must not overlap. Float32 code sums in Plexus's one order (fmaf in the
   layers with inputs x outputs >= 512, a multiply then an add in smaller ones) and calls the same
   C library functions, so its outputs are bitwise plexus_predict's for every network; compile it
   without -ffast-math and without FMA contraction (gcc's -std=c99 default; with -std=gnu99 or
   clang add -ffp-contract=off), and link -lm. (0.5.0 and 0.6.0: bitwise only when every layer
   had inputs x outputs < 512.) Int8 code (options->quantized)
   adds int NAME_predict_int8(const int8_t *x, int8_t *y) and NAME_INPUT_SCALE,
   NAME_INPUT_ZERO_POINT, NAME_OUTPUT_SCALE, NAME_OUTPUT_ZERO_POINT; it is bit-identical on every
   target and to plexus.quantize.simulate. A net's transforms are written too (float32 arrays
   input_shift, input_scale, output_scale, output_shift, in Plexus's order of arithmetic): both
   forms take raw rows and NAME_train_step raw targets (since 0.9.0). Both files are written to temporaries first and renamed
   into place only when both are complete, as plexus_save does. options may be NULL.
   Returns PLEXUS_ERR_ARGUMENT for a NULL net, dir or name, a name that breaks the rule (a model
   name starts with a letter, goes on with letters, digits and _, has at most 17 characters and
   is not a C keyword), a struct_size the convention
   refuses (the first version is the whole struct), a net over the parameter limit, train_step with a quantized model, or a
   quantized model of a net of another shape; PLEXUS_ERR_IO naming the file and the system's
   reason (missing or read-only folder, full disk).  Since 0.5.0. */
PLEXUS_MUST_USE plexus_status plexus_export_c(const plexus_net *net, const char *dir, const char *name,
                                              const plexus_export_options *options);

/* ---------------------------------------------------------------------------------------------
 * Computational graphs (seed 002): build a computation from nodes once, then run forward and
 * backward as often as needed without allocating. Every node is a rows x cols float matrix
 * (a scalar is 1x1), row-major. A node can only use nodes created before it. Backward starts
 * from a 1x1 node and computes the gradient of every node: an addition passes the upstream
 * gradient on unchanged, a multiplication passes it times the other input (the chain rule).
 * Node ids count from 0 in creation order. The same status and message rules as above hold;
 * builders write *out only on success and leave the graph unchanged on failure.
 * Thread rule: as for a net (see Threads above): many readers or one writer, PLEXUS_ERR_BUSY for
 * a call that would break it (since 0.10.0); distinct graphs are independent.
 * ------------------------------------------------------------------------------------------- */

typedef struct plexus_graph plexus_graph; /* opaque */
typedef int32_t plexus_node;              /* a node id, from 0 */

/* Creates an empty graph (optimizer: SGD, learning rate 0.01) for *out; release it with
   plexus_graph_free. Returns PLEXUS_ERR_ARGUMENT for a NULL out.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_create(plexus_graph **out);

/* Releases a graph. NULL is a no-op; a pointer that is not a live graph does nothing and sets
   the message (see Handles).  Since 0.2.0. */
void plexus_graph_free(plexus_graph *graph);

/* Leaf nodes. An input is set with plexus_graph_set_value before forward (zeros until then); a
   constant keeps its values; a param is trained by plexus_graph_step. values: rows*cols floats.
   Returns PLEXUS_ERR_ARGUMENT for a NULL graph, values or out, a dimension of 0 or above
   2147483647, or a non-finite value; PLEXUS_ERR_MEMORY.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_input(plexus_graph *graph, uint32_t rows, uint32_t cols, plexus_node *out);
PLEXUS_MUST_USE plexus_status plexus_graph_constant(plexus_graph *graph, uint32_t rows, uint32_t cols,
                                                    const float *values, plexus_node *out);
PLEXUS_MUST_USE plexus_status plexus_graph_param(plexus_graph *graph, uint32_t rows, uint32_t cols,
                                                 const float *values, plexus_node *out);

/* Elementwise a+b, a-b, a*b, a/b: equal shapes, or one side 1x1 (broadcast; its gradient is
   summed). plexus_graph_matmul: the matrix product of an m x k and a k x n node.
   Returns PLEXUS_ERR_ARGUMENT for a NULL graph or out or an unknown node; PLEXUS_ERR_SHAPE for
   shapes that do not combine; PLEXUS_ERR_MEMORY.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_add(plexus_graph *graph, plexus_node a, plexus_node b, plexus_node *out);
PLEXUS_MUST_USE plexus_status plexus_graph_sub(plexus_graph *graph, plexus_node a, plexus_node b, plexus_node *out);
PLEXUS_MUST_USE plexus_status plexus_graph_mul(plexus_graph *graph, plexus_node a, plexus_node b, plexus_node *out);
PLEXUS_MUST_USE plexus_status plexus_graph_div(plexus_graph *graph, plexus_node a, plexus_node b, plexus_node *out);
PLEXUS_MUST_USE plexus_status plexus_graph_matmul(plexus_graph *graph, plexus_node a, plexus_node b, plexus_node *out);

/* sum and mean of all elements (1x1); square, exp and log elementwise. Statuses as above.
   Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_sum(plexus_graph *graph, plexus_node a, plexus_node *out);
PLEXUS_MUST_USE plexus_status plexus_graph_mean(plexus_graph *graph, plexus_node a, plexus_node *out);
PLEXUS_MUST_USE plexus_status plexus_graph_square(plexus_graph *graph, plexus_node a, plexus_node *out);
PLEXUS_MUST_USE plexus_status plexus_graph_exp(plexus_graph *graph, plexus_node a, plexus_node *out);
PLEXUS_MUST_USE plexus_status plexus_graph_log(plexus_graph *graph, plexus_node a, plexus_node *out);

/* f(a) with a dense layer's activation (softmax per row). PLEXUS_ERR_ARGUMENT also for an
   unknown activation.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_activation(plexus_graph *graph, plexus_activation f, plexus_node a,
                                                      plexus_node *out);

/* A 1x1 loss of prediction against target (same shape), with the dense network's definitions,
   except that PLEXUS_CROSS_ENTROPY and PLEXUS_BINARY_CROSS_ENTROPY take logits and apply softmax
   or sigmoid inside, stably (PyTorch's CrossEntropyLoss and BCEWithLogitsLoss). The target gets
   a gradient too. PLEXUS_ERR_ARGUMENT also for an unknown loss; PLEXUS_ERR_SHAPE for shapes that
   differ.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_loss(plexus_graph *graph, plexus_loss loss, plexus_node prediction,
                                                plexus_node target, plexus_node *out);

/* Computes every node's value. Returns PLEXUS_ERR_ARGUMENT for a NULL graph.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_forward(plexus_graph *graph);

/* Computes the gradient of the 1x1 node `root` with respect to every node (0 for nodes it does
   not depend on). Returns PLEXUS_ERR_ARGUMENT for a NULL graph or unknown node; PLEXUS_ERR_SHAPE
   when root is not 1x1; PLEXUS_ERR_STATE without a forward since the graph or a value changed.
   Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_backward(plexus_graph *graph, plexus_node root);

/* Stores a node's dimensions. PLEXUS_ERR_ARGUMENT for NULL pointers or an unknown node.
   Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_shape(const plexus_graph *graph, plexus_node node, uint32_t *rows,
                                                 uint32_t *cols);

/* Copies a node's value (rows*cols floats) into out. PLEXUS_ERR_STATE for a computed node when
   no forward ran since the graph or a value changed.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_value(const plexus_graph *graph, plexus_node node, float *out);

/* Copies a node's gradient from the last backward into out. PLEXUS_ERR_STATE without one.
   Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_grad(const plexus_graph *graph, plexus_node node, float *out);

/* Replaces the values of an input, constant or param node (rows*cols finite floats).
   PLEXUS_ERR_ARGUMENT for a computed node or a non-finite value (nothing changes).  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_set_value(plexus_graph *graph, plexus_node node, const float *values);

/* The optimizer for plexus_graph_step, every kind and hyperparameter, with the rules and
   statuses of plexus_set_optimizer and plexus_get_optimizer_options.  Since 0.11.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_set_optimizer(plexus_graph *graph, const plexus_optimizer_options *options);
PLEXUS_MUST_USE plexus_status plexus_graph_get_optimizer_options(const plexus_graph *graph, plexus_optimizer_options *out);

/* SGD and Adam for plexus_graph_step, with the rules and statuses of plexus_set_sgd and
   plexus_set_adam (wrappers of plexus_graph_set_optimizer, keeping the weight decay).
   Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_set_sgd(plexus_graph *graph, float learning_rate, float momentum);
PLEXUS_MUST_USE plexus_status plexus_graph_set_adam(plexus_graph *graph, float learning_rate, float beta1,
                                                    float beta2, float epsilon);

/* Updates every param node with its gradient from the last backward. PLEXUS_ERR_STATE without a
   backward; PLEXUS_ERR_NUMERIC when any update would not be finite: then no param and no
   optimizer state changes.  Since 0.2.0. */
PLEXUS_MUST_USE plexus_status plexus_graph_step(plexus_graph *graph);

/* ---------------------------------------------------------------------------------------------
 * Threads
 * ------------------------------------------------------------------------------------------- */

/* Sets how many threads Plexus may use for the work of every net: one pool for the process,
   the calling thread included. A call's work is cut into tasks by the shapes alone (blocks of 512
   rows for long batches, tiles of 128 columns inside the products of shorter ones, chunks of
   parameters in the optimizer step), and every matrix product inside a task is single-threaded,
   so results are bitwise the same for every thread count. Tiny nets never pay for threads: their
   passes stay on the calling thread. Idle threads sleep: between calls Plexus uses no CPU.
   Default: $PLEXUS_NUM_THREADS when it is a number from 1 to 1024 (any other value is ignored and
   said in plexus_gemm_info), else one per CPU this process may run on, at most 64 (0.4.0 to
   0.10.0 also read $OPENBLAS_NUM_THREADS, from the time Plexus used OpenBLAS). Safe to call at any time (a call running
   on the pool finishes first).
   Returns PLEXUS_ERR_ARGUMENT unless 1 <= threads <= 1024, PLEXUS_ERR_MEMORY when the system
   refuses to start a thread.  Since 0.3.0 (the pool and the bitwise rule since 0.4.0). */
PLEXUS_MUST_USE plexus_status plexus_set_threads(int threads);

/* The number of threads Plexus uses now (>= 1).  Since 0.3.0. */
int plexus_get_threads(void);

/* What runs the matrix products: Plexus's own GEMM, the kernel it chose for this CPU, and the
   thread count, such as "Plexus GEMM avx2-fma 6x16, 2 threads". The kernel is chosen at the first
   product, from the CPU, unless the environment variable PLEXUS_KERNEL names another that this
   CPU has (avx512, avx2, neon, portable). A setting the library ignored is said after it: a
   PLEXUS_KERNEL that names no kernel or one this CPU cannot run, a PLEXUS_NUM_THREADS outside
   1..1024 or not a number ("...; PLEXUS_KERNEL=x ignored: not a kernel (avx512, avx2, neon,
   portable)"; since 0.10.0). Never NULL; static text, valid for the life of the process (a later
   plexus_set_threads makes later calls return other text, it does not change this one).
   Since 0.11.0. */
const char *plexus_gemm_info(void);

/* Deprecated since 0.11.0: the same text as plexus_gemm_info (the name is from the time Plexus
   used OpenBLAS, before 0.7.0).  Since 0.4.0. */
PLEXUS_DEPRECATED("use plexus_gemm_info")
const char *plexus_blas_info(void);

/* ---------------------------------------------------------------------------------------------
 * Errors and version
 * ------------------------------------------------------------------------------------------- */

/* The message of this thread's most recent failed call ("" if none failed yet), such as
   "batch is 0; pass at least one row". Successful calls leave it unchanged. The text belongs to
   Plexus and stays valid until the next failing Plexus call on the same thread. It is never cut,
   however long (a path of any length keeps the system's reason after it; since 0.10.0), unless
   memory for it runs out, and then it ends with "[message cut: no memory for the rest]".
   Since 0.1.0. */
const char *plexus_last_error(void);

/* The names of enum values. Every one of these returns static text for any value, never NULL: a
   value that is not of the enum gets a name of its own that no value has, so a message built
   from one always prints.

   The enumerator's name ("PLEXUS_ERR_SHAPE"), or "PLEXUS_ERR_UNKNOWN" for a value that is not a
   status.  Since 0.1.0. */
const char *plexus_status_name(plexus_status status);

/* The name an activation, a loss or an optimizer has in model files and in Python ("leaky_relu",
   "mse", "adamw"), or "unknown" for a value that is none (0.4.0 to 0.7.0: NULL).  Since 0.4.0. */
const char *plexus_activation_name(plexus_activation activation);
const char *plexus_loss_name(plexus_loss loss);
const char *plexus_optimizer_name(plexus_optimizer optimizer);

/* The library's version as "MAJOR.MINOR.PATCH"; static text. Compare with the
   PLEXUS_VERSION_* macros to detect a header/library mismatch.  Since 0.1.0. */
const char *plexus_version(void);

/* The library's version as MAJOR * 1000000 + MINOR * 1000 + PATCH (PLEXUS_VERSION_NUMBER of the
   header it was built with): a program built against a newer header can refuse an older
   library at run time.  Since 0.11.0. */
int plexus_version_number(void);

/* ---------------------------------------------------------------------------------------------
 * Deprecated: each keeps working, and keeps its tests, until 1.0 removes it; calling it is a
 * compiler warning (PLEXUS_DEPRECATED) that names what replaces it.
 *
 *   deprecated                    since    use instead
 *   plexus_set_input_transform    0.11.0   plexus_set_transform(net, PLEXUS_INPUTS, shift, scale)
 *   plexus_set_output_transform   0.11.0   plexus_set_transform(net, PLEXUS_OUTPUTS, shift, scale)
 *                                          (the old one took scale first)
 *   plexus_get_input_transform    0.11.0   plexus_get_transform(net, PLEXUS_INPUTS, ...)
 *   plexus_get_output_transform   0.11.0   plexus_get_transform(net, PLEXUS_OUTPUTS, ...)
 *                                          (the old one took scale first)
 *   plexus_fit_input_transform    0.11.0   plexus_fit_transform(net, PLEXUS_INPUTS, x, n)
 *   plexus_fit_output_transform   0.11.0   plexus_fit_transform(net, PLEXUS_OUTPUTS, y, n)
 *   plexus_get_optimizer          0.11.0   plexus_get_optimizer_options (hyper[4] cannot hold
 *                                          RMSprop's or RPROP's five values)
 *   plexus_get_hyperparameters    0.11.0   plexus_get_optimizer_options (its short buffer
 *                                          returned PLEXUS_OK, against "Buffers")
 *   plexus_blas_info              0.11.0   plexus_gemm_info (no BLAS since 0.7.0)
 *
 * The per-kind setters (plexus_set_sgd, _adam, _adamw, _rmsprop, plexus_graph_set_sgd, _adam)
 * stay: they are plexus_set_optimizer with one kind's arguments, keeping the weight decay when
 * the kind stays and starting from 0 when it changes.
 * ------------------------------------------------------------------------------------------- */

#ifdef __cplusplus
}
#endif

#endif /* PLEXUS_H */
