"""The one door to the C library and the only module that imports ctypes: it finds libplexus.so,
declares every C function of include/plexus.h once (argtypes and restype, the prototype quoted
above each), and turns out-parameters into Python values. The rest of the package calls the
declared functions through `lib` and these helpers; Tests/python/test_header_tables.py checks the
declarations against the header.

Pointers are passed as integer addresses (``c_void_p``), the cheapest way through ctypes
(``arr.ctypes.data``).
"""
from __future__ import annotations

import ctypes
import os
from ctypes import c_char_p, c_float, c_int, c_size_t, c_uint32, c_uint64, c_void_p
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

__all__ = ["lib", "library_path", "EPOCH_FN", "EPOCH_REPORT_FN", "TrainOptions", "TrainReport", "ExportOptions",
           "QuantizedLayer"]

_HERE = Path(__file__).resolve().parent


def _candidates() -> list[Path]:
    """Where libplexus.so may be, in order: $PLEXUS_LIBRARY, inside the package, a repo build."""
    paths = []
    if os.environ.get("PLEXUS_LIBRARY"):
        paths.append(Path(os.environ["PLEXUS_LIBRARY"]))
    paths.append(_HERE / "libplexus.so")
    for parent in _HERE.parents:
        if (parent / "Package.swift").exists():
            paths.append(parent / ".build" / "release" / "libplexus.so")
            break
    return paths


def _load() -> tuple[ctypes.CDLL, Path]:
    tried = []
    for path in _candidates():
        if path.is_file():
            return ctypes.CDLL(str(path)), path
        tried.append(str(path))
    raise OSError(
        "libplexus.so was not found; tried: " + ", ".join(tried)
        + ". Build it with `make lib` or set PLEXUS_LIBRARY=/path/to/libplexus.so."
    )


lib, library_path = _load()

# typedef int (*plexus_epoch_fn)(size_t epoch, float mean_loss, void *user);
EPOCH_FN = ctypes.CFUNCTYPE(c_int, c_size_t, c_float, c_void_p)

# typedef int (*plexus_epoch_report_fn)(size_t epoch, float train_loss, float val_loss, float val_accuracy,
#                                       void *user);
EPOCH_REPORT_FN = ctypes.CFUNCTYPE(c_int, c_size_t, c_float, c_float, c_float, c_void_p)


class TrainOptions(ctypes.Structure):
    """typedef struct plexus_train_options { ... } (test_header_tables checks the field order)."""
    _fields_ = [("struct_size", c_size_t), ("epochs", c_size_t), ("batch_size", c_size_t), ("shuffle_seed", c_uint64),
                ("val_x", c_void_p), ("val_y", c_void_p), ("val_n", c_size_t), ("patience", c_size_t),
                ("restore_best", c_int), ("sample_weight", c_void_p), ("lr_schedule", c_int),
                ("step_size", c_size_t), ("gamma", c_float), ("t_max", c_size_t), ("eta_min", c_float),
                ("on_epoch", EPOCH_REPORT_FN), ("user", c_void_p), ("cancel", c_void_p)]


class TrainReport(ctypes.Structure):
    """typedef struct plexus_train_report { ... }"""
    _fields_ = [("struct_size", c_size_t), ("epochs_run", c_size_t), ("best_epoch", c_size_t),
                ("best_val_loss", c_float), ("stopped_early", c_int), ("cancelled", c_int)]


class SaveOptions(ctypes.Structure):
    """typedef struct plexus_save_options { ... }"""
    _fields_ = [("struct_size", c_size_t), ("weights_only", c_int)]


class ExportOptions(ctypes.Structure):
    """typedef struct plexus_export_options { ... }"""
    _fields_ = [("struct_size", c_size_t), ("quantized", c_void_p), ("train_step", c_int), ("max_parameters", c_size_t)]


class QuantizedLayer(ctypes.Structure):
    """typedef struct plexus_quantized_layer { ... }"""
    _fields_ = [("struct_size", c_size_t), ("inputs", c_size_t), ("outputs", c_size_t), ("activation", c_int),
                ("input_scale", c_float), ("input_zero_point", ctypes.c_int32),
                ("requant_scale", c_float), ("requant_zero_point", ctypes.c_int32),
                ("clamp_min", ctypes.c_int32), ("clamp_max", ctypes.c_int32),
                ("output_scale", c_float), ("output_zero_point", ctypes.c_int32),
                ("weights", c_void_p), ("weight_scales", c_void_p), ("bias", c_void_p), ("multipliers", c_void_p),
                ("shifts", c_void_p), ("table", c_void_p), ("softmax_exp", c_void_p), ("softmax_exp_count", c_size_t)]


class OptimizerOptions(ctypes.Structure):
    """typedef struct plexus_optimizer_options { ... }"""
    _fields_ = [("struct_size", c_size_t), ("kind", c_int), ("learning_rate", c_float), ("weight_decay", c_float),
                ("momentum", c_float), ("beta1", c_float), ("beta2", c_float), ("epsilon", c_float), ("alpha", c_float),
                ("centered", c_int), ("eta_minus", c_float), ("eta_plus", c_float), ("step_min", c_float),
                ("step_max", c_float)]


class LayerFields(ctypes.Structure):
    """typedef struct plexus_layer { ... }"""
    _fields_ = [("struct_size", c_size_t), ("kind", c_int), ("units", c_uint32), ("activation", c_int),
                ("flags", c_uint32), ("rate", c_float), ("eps", c_float)]


def new_layer_fields(kind: int) -> LayerFields:
    """A zeroed plexus_layer of this version's size and of `kind`."""
    return LayerFields(struct_size=ctypes.sizeof(LayerFields), kind=kind)


def float32(value: float) -> float:
    """`value` as the library keeps it: rounded to float32."""
    return float(ctypes.c_float(value).value)


_P = c_void_p  # any pointer, passed as an address
_DECLARATIONS = {
    # plexus_status plexus_create(const uint32_t *sizes, const plexus_activation *activations,
    #                             size_t n_sizes, uint32_t flags, uint64_t seed, plexus_net **out);
    "plexus_create": (c_int, [_P, _P, c_size_t, c_uint32, c_uint64, _P]),
    # plexus_status plexus_create_layers(const uint32_t *input_shape, size_t rank, const plexus_layer *layers,
    #                                    size_t count, uint64_t seed, plexus_net **out);
    "plexus_create_layers": (c_int, [_P, c_size_t, _P, c_size_t, c_uint64, _P]),
    # plexus_status plexus_layer_defaults(plexus_layer_kind kind, plexus_layer *out);
    "plexus_layer_defaults": (c_int, [c_int, _P]),
    # plexus_status plexus_get_layer(const plexus_net *net, size_t layer, plexus_layer *out);
    "plexus_get_layer": (c_int, [_P, c_size_t, _P]),
    # plexus_status plexus_layer_shape(const plexus_net *net, size_t layer, uint32_t *shape, size_t capacity,
    #                                  size_t *needed);
    "plexus_layer_shape": (c_int, [_P, c_size_t, _P, c_size_t, _P]),
    # plexus_status plexus_get_tensor(const plexus_net *net, const char *name, float *values, size_t capacity,
    #                                 size_t *needed);
    "plexus_get_tensor": (c_int, [_P, ctypes.c_char_p, _P, c_size_t, _P]),
    # plexus_status plexus_set_tensor(plexus_net *net, const char *name, const float *values, size_t count);
    "plexus_set_tensor": (c_int, [_P, ctypes.c_char_p, _P, c_size_t]),
    # void plexus_free(plexus_net *net);
    "plexus_free": (None, [_P]),
    # plexus_status plexus_set_loss(plexus_net *net, plexus_loss loss);
    "plexus_set_loss": (c_int, [_P, c_int]),
    # plexus_status plexus_set_sgd(plexus_net *net, float learning_rate, float momentum);
    "plexus_set_sgd": (c_int, [_P, c_float, c_float]),
    # plexus_status plexus_set_adam(plexus_net *net, float learning_rate, float beta1, float beta2, float epsilon);
    "plexus_set_adam": (c_int, [_P, c_float, c_float, c_float, c_float]),
    # plexus_status plexus_set_adamw(plexus_net *net, float learning_rate, float beta1, float beta2, float epsilon,
    #                                float weight_decay);
    "plexus_set_adamw": (c_int, [_P, c_float, c_float, c_float, c_float, c_float]),
    # plexus_status plexus_set_rmsprop(plexus_net *net, float learning_rate, float alpha, float epsilon,
    #                                  float momentum, int centered);
    "plexus_set_rmsprop": (c_int, [_P, c_float, c_float, c_float, c_float, c_int]),
    # plexus_status plexus_set_weight_decay(plexus_net *net, float weight_decay);
    "plexus_set_weight_decay": (c_int, [_P, c_float]),
    # plexus_status plexus_set_grad_clip(plexus_net *net, float max_norm);
    "plexus_set_grad_clip": (c_int, [_P, c_float]),
    # plexus_status plexus_set_l2_penalty(plexus_net *net, float lambda);
    "plexus_set_l2_penalty": (c_int, [_P, c_float]),
    # plexus_status plexus_set_dropout(plexus_net *net, size_t layer, float p);
    "plexus_set_dropout": (c_int, [_P, c_size_t, c_float]),
    # plexus_status plexus_forward(plexus_net *net, const float *x, size_t batch, float *y);
    "plexus_forward": (c_int, [_P, _P, c_size_t, _P]),
    # plexus_status plexus_backward(plexus_net *net, const float *target, size_t batch, float *loss_out);
    "plexus_backward": (c_int, [_P, _P, c_size_t, _P]),
    # plexus_status plexus_step(plexus_net *net);
    "plexus_step": (c_int, [_P]),
    # plexus_status plexus_zero_grads(plexus_net *net);
    "plexus_zero_grads": (c_int, [_P]),
    # plexus_status plexus_predict(const plexus_net *net, const float *x, size_t batch, float *y);
    "plexus_predict": (c_int, [_P, _P, c_size_t, _P]),
    # plexus_status plexus_train(plexus_net *net, const float *x, const float *y, size_t n, size_t epochs,
    #                            size_t batch_size, uint64_t shuffle_seed, plexus_epoch_fn on_epoch, void *user);
    "plexus_train": (c_int, [_P, _P, _P, c_size_t, c_size_t, c_size_t, c_uint64, EPOCH_FN, _P]),
    # plexus_status plexus_train_step(plexus_net *net, const float *x, const float *y, size_t batch, float *loss);
    "plexus_train_step": (c_int, [_P, _P, _P, c_size_t, _P]),
    # plexus_status plexus_train_ex(plexus_net *net, const float *x, const float *y, size_t n,
    #                               const plexus_train_options *options, plexus_train_report *report);
    "plexus_train_ex": (c_int, [_P, _P, _P, c_size_t, _P, _P]),
    # plexus_status plexus_epoch_order(uint64_t seed, size_t epoch, size_t n, size_t *order);
    "plexus_epoch_order": (c_int, [c_uint64, c_size_t, c_size_t, _P]),
    # size_t plexus_layer_count(const plexus_net *net);
    "plexus_layer_count": (c_size_t, [_P]),
    # uint32_t plexus_layer_size(const plexus_net *net, size_t layer);
    "plexus_layer_size": (c_uint32, [_P, c_size_t]),
    # size_t plexus_param_count(const plexus_net *net);
    "plexus_param_count": (c_size_t, [_P]),
    # plexus_status plexus_layer_activation(const plexus_net *net, size_t layer, plexus_activation *out);
    "plexus_layer_activation": (c_int, [_P, c_size_t, _P]),
    # plexus_status plexus_get_loss(const plexus_net *net, plexus_loss *out);
    "plexus_get_loss": (c_int, [_P, _P]),
    # plexus_status plexus_set_optimizer(plexus_net *net, const plexus_optimizer_options *options);
    "plexus_set_optimizer": (c_int, [_P, _P]),
    # plexus_status plexus_get_optimizer_options(const plexus_net *net, plexus_optimizer_options *out);
    "plexus_get_optimizer_options": (c_int, [_P, _P]),
    # plexus_status plexus_optimizer_defaults(plexus_optimizer kind, plexus_optimizer_options *out);
    "plexus_optimizer_defaults": (c_int, [c_int, _P]),
    # plexus_status plexus_graph_set_optimizer(plexus_graph *graph, const plexus_optimizer_options *options);
    "plexus_graph_set_optimizer": (c_int, [_P, _P]),
    # plexus_status plexus_graph_get_optimizer_options(const plexus_graph *graph, plexus_optimizer_options *out);
    "plexus_graph_get_optimizer_options": (c_int, [_P, _P]),
    # plexus_status plexus_get_optimizer(const plexus_net *net, plexus_optimizer *kind, float hyper[4]);
    "plexus_get_optimizer": (c_int, [_P, _P, _P]),
    # plexus_status plexus_get_hyperparameters(const plexus_net *net, float *values, size_t capacity, size_t *count);
    "plexus_get_hyperparameters": (c_int, [_P, _P, c_size_t, _P]),
    # plexus_status plexus_get_weight_decay(const plexus_net *net, float *out);
    "plexus_get_weight_decay": (c_int, [_P, _P]),
    # plexus_status plexus_get_grad_clip(const plexus_net *net, float *out);
    "plexus_get_grad_clip": (c_int, [_P, _P]),
    # plexus_status plexus_get_l2_penalty(const plexus_net *net, float *out);
    "plexus_get_l2_penalty": (c_int, [_P, _P]),
    # plexus_status plexus_get_dropout(const plexus_net *net, size_t layer, float *out);
    "plexus_get_dropout": (c_int, [_P, c_size_t, _P]),
    # plexus_status plexus_get_flags(const plexus_net *net, uint32_t *out);
    "plexus_get_flags": (c_int, [_P, _P]),
    # plexus_status plexus_get_weights(const plexus_net *net, size_t layer, float *w, float *b);
    "plexus_get_weights": (c_int, [_P, c_size_t, _P, _P]),
    # plexus_status plexus_set_weights(plexus_net *net, size_t layer, const float *w, const float *b);
    "plexus_set_weights": (c_int, [_P, c_size_t, _P, _P]),
    # plexus_status plexus_get_params(const plexus_net *net, float *out);
    "plexus_get_params": (c_int, [_P, _P]),
    # plexus_status plexus_set_params(plexus_net *net, const float *in);
    "plexus_set_params": (c_int, [_P, _P]),
    # plexus_status plexus_get_grads(const plexus_net *net, float *out);
    "plexus_get_grads": (c_int, [_P, _P]),
    # plexus_status plexus_set_grads(plexus_net *net, const float *in);
    "plexus_set_grads": (c_int, [_P, _P]),
    # plexus_status plexus_set_transform(plexus_net *net, plexus_side side, const float *shift, const float *scale);
    "plexus_set_transform": (c_int, [_P, c_int, _P, _P]),
    # plexus_status plexus_get_transform(const plexus_net *net, plexus_side side, float *shift, float *scale, int *present);
    "plexus_get_transform": (c_int, [_P, c_int, _P, _P, _P]),
    # plexus_status plexus_fit_transform(plexus_net *net, plexus_side side, const float *data, size_t n);
    "plexus_fit_transform": (c_int, [_P, c_int, _P, c_size_t]),
    # plexus_status plexus_set_input_transform(plexus_net *net, const float *shift, const float *scale);
    "plexus_set_input_transform": (c_int, [_P, _P, _P]),
    # plexus_status plexus_set_output_transform(plexus_net *net, const float *scale, const float *shift);
    "plexus_set_output_transform": (c_int, [_P, _P, _P]),
    # plexus_status plexus_get_input_transform(const plexus_net *net, float *shift, float *scale, int *present);
    "plexus_get_input_transform": (c_int, [_P, _P, _P, _P]),
    # plexus_status plexus_get_output_transform(const plexus_net *net, float *scale, float *shift, int *present);
    "plexus_get_output_transform": (c_int, [_P, _P, _P, _P]),
    # plexus_status plexus_fit_input_transform(plexus_net *net, const float *x, size_t n);
    "plexus_fit_input_transform": (c_int, [_P, _P, c_size_t]),
    # plexus_status plexus_fit_output_transform(plexus_net *net, const float *y, size_t n);
    "plexus_fit_output_transform": (c_int, [_P, _P, c_size_t]),
    # plexus_status plexus_set_metadata(plexus_net *net, const char *key, const char *value);
    "plexus_set_metadata": (c_int, [_P, c_char_p, c_char_p]),
    # plexus_status plexus_get_metadata(const plexus_net *net, const char *key, char *buffer, size_t size,
    #                                   size_t *needed);
    "plexus_get_metadata": (c_int, [_P, c_char_p, _P, c_size_t, _P]),
    # plexus_status plexus_metadata_count(const plexus_net *net, size_t *count);
    "plexus_metadata_count": (c_int, [_P, _P]),
    # plexus_status plexus_metadata_key_at(const plexus_net *net, size_t index, char *buffer, size_t size,
    #                                      size_t *needed);
    "plexus_metadata_key_at": (c_int, [_P, c_size_t, _P, c_size_t, _P]),
    # plexus_status plexus_save(const plexus_net *net, const char *path);
    "plexus_save": (c_int, [_P, c_char_p]),
    # plexus_status plexus_save_ex(const plexus_net *net, const char *path, const plexus_save_options *options);
    "plexus_save_ex": (c_int, [_P, c_char_p, c_void_p]),
    # plexus_status plexus_load(const char *path, plexus_net **out);
    "plexus_load": (c_int, [c_char_p, _P]),
    # plexus_status plexus_save_buffer(const plexus_net *net, void **data, size_t *size);
    "plexus_save_buffer": (c_int, [_P, _P, _P]),
    # plexus_status plexus_load_buffer(const void *data, size_t size, plexus_net **out);
    "plexus_load_buffer": (c_int, [_P, c_size_t, _P]),
    # void plexus_free_buffer(void *data);
    "plexus_free_buffer": (None, [_P]),
    # plexus_status plexus_export_onnx(const plexus_net *net, const char *path);
    "plexus_export_onnx": (c_int, [_P, c_char_p]),
    # plexus_status plexus_quantize(const plexus_net *net, const float *calibration, size_t rows,
    #                               plexus_quantized **out);
    "plexus_quantize": (c_int, [_P, _P, c_size_t, _P]),
    # void plexus_quantized_free(plexus_quantized *q);
    "plexus_quantized_free": (None, [_P]),
    # size_t plexus_quantized_layer_count(const plexus_quantized *q);
    "plexus_quantized_layer_count": (c_size_t, [_P]),
    # plexus_status plexus_quantized_layer_info(const plexus_quantized *q, size_t layer,
    #                                           plexus_quantized_layer *out);
    "plexus_quantized_layer_info": (c_int, [_P, c_size_t, _P]),
    # plexus_status plexus_export_c(const plexus_net *net, const char *dir, const char *name,
    #                               const plexus_export_options *options);
    "plexus_export_c": (c_int, [_P, c_char_p, c_char_p, _P]),
    # plexus_status plexus_graph_create(plexus_graph **out);
    "plexus_graph_create": (c_int, [_P]),
    # void plexus_graph_free(plexus_graph *graph);
    "plexus_graph_free": (None, [_P]),
    # plexus_status plexus_graph_input(plexus_graph *graph, uint32_t rows, uint32_t cols, plexus_node *out);
    "plexus_graph_input": (c_int, [_P, c_uint32, c_uint32, _P]),
    # plexus_status plexus_graph_constant(plexus_graph *graph, uint32_t rows, uint32_t cols, const float *values, plexus_node *out);
    "plexus_graph_constant": (c_int, [_P, c_uint32, c_uint32, _P, _P]),
    # plexus_status plexus_graph_param(plexus_graph *graph, uint32_t rows, uint32_t cols, const float *values, plexus_node *out);
    "plexus_graph_param": (c_int, [_P, c_uint32, c_uint32, _P, _P]),
    # plexus_status plexus_graph_add / sub / mul / div / matmul(plexus_graph *graph, plexus_node a, plexus_node b, plexus_node *out);
    "plexus_graph_add": (c_int, [_P, ctypes.c_int32, ctypes.c_int32, _P]),
    "plexus_graph_sub": (c_int, [_P, ctypes.c_int32, ctypes.c_int32, _P]),
    "plexus_graph_mul": (c_int, [_P, ctypes.c_int32, ctypes.c_int32, _P]),
    "plexus_graph_div": (c_int, [_P, ctypes.c_int32, ctypes.c_int32, _P]),
    "plexus_graph_matmul": (c_int, [_P, ctypes.c_int32, ctypes.c_int32, _P]),
    # plexus_status plexus_graph_sum / mean / square / exp / log(plexus_graph *graph, plexus_node a, plexus_node *out);
    "plexus_graph_sum": (c_int, [_P, ctypes.c_int32, _P]),
    "plexus_graph_mean": (c_int, [_P, ctypes.c_int32, _P]),
    "plexus_graph_square": (c_int, [_P, ctypes.c_int32, _P]),
    "plexus_graph_exp": (c_int, [_P, ctypes.c_int32, _P]),
    "plexus_graph_log": (c_int, [_P, ctypes.c_int32, _P]),
    # plexus_status plexus_graph_activation(plexus_graph *graph, plexus_activation f, plexus_node a, plexus_node *out);
    "plexus_graph_activation": (c_int, [_P, c_int, ctypes.c_int32, _P]),
    # plexus_status plexus_graph_loss(plexus_graph *graph, plexus_loss loss, plexus_node prediction, plexus_node target, plexus_node *out);
    "plexus_graph_loss": (c_int, [_P, c_int, ctypes.c_int32, ctypes.c_int32, _P]),
    # plexus_status plexus_graph_forward(plexus_graph *graph);
    "plexus_graph_forward": (c_int, [_P]),
    # plexus_status plexus_graph_backward(plexus_graph *graph, plexus_node root);
    "plexus_graph_backward": (c_int, [_P, ctypes.c_int32]),
    # plexus_status plexus_graph_shape(const plexus_graph *graph, plexus_node node, uint32_t *rows, uint32_t *cols);
    "plexus_graph_shape": (c_int, [_P, ctypes.c_int32, _P, _P]),
    # plexus_status plexus_graph_value(const plexus_graph *graph, plexus_node node, float *out);
    "plexus_graph_value": (c_int, [_P, ctypes.c_int32, _P]),
    # plexus_status plexus_graph_grad(const plexus_graph *graph, plexus_node node, float *out);
    "plexus_graph_grad": (c_int, [_P, ctypes.c_int32, _P]),
    # plexus_status plexus_graph_set_value(plexus_graph *graph, plexus_node node, const float *values);
    "plexus_graph_set_value": (c_int, [_P, ctypes.c_int32, _P]),
    # plexus_status plexus_graph_set_sgd(plexus_graph *graph, float learning_rate, float momentum);
    "plexus_graph_set_sgd": (c_int, [_P, c_float, c_float]),
    # plexus_status plexus_graph_set_adam(plexus_graph *graph, float learning_rate, float beta1, float beta2, float epsilon);
    "plexus_graph_set_adam": (c_int, [_P, c_float, c_float, c_float, c_float]),
    # plexus_status plexus_graph_step(plexus_graph *graph);
    "plexus_graph_step": (c_int, [_P]),
    # plexus_status plexus_set_threads(int threads);
    "plexus_set_threads": (c_int, [c_int]),
    # int plexus_get_threads(void);
    "plexus_get_threads": (c_int, []),
    # const char *plexus_gemm_info(void);
    "plexus_gemm_info": (c_char_p, []),
    # int plexus_version_number(void);
    "plexus_version_number": (c_int, []),
    # const char *plexus_blas_info(void);
    "plexus_blas_info": (c_char_p, []),
    # const char *plexus_last_error(void);
    "plexus_last_error": (c_char_p, []),
    # const char *plexus_status_name(plexus_status status);
    "plexus_status_name": (c_char_p, [c_int]),
    # const char *plexus_activation_name(plexus_activation activation);  (and the loss's, the optimizer's)
    "plexus_activation_name": (c_char_p, [c_int]),
    "plexus_loss_name": (c_char_p, [c_int]),
    "plexus_optimizer_name": (c_char_p, [c_int]),
    # const char *plexus_version(void);
    "plexus_version": (c_char_p, []),
}

for _name, (_restype, _argtypes) in _DECLARATIONS.items():
    _function = getattr(lib, _name)
    _function.restype = _restype
    _function.argtypes = _argtypes


# ----- the one-sample predict fast path ----------------------------------------------------------
# A call through a function object without argtypes, given ready-made ctypes arguments, skips
# the per-call argument conversion: about 0.9 µs becomes 0.6 µs, which matters when the C work
# itself takes 0.1 µs (benchmarks/RESULTS.md, W5).
_predict_unconverted = lib["plexus_predict"]
_predict_unconverted.restype = c_int
ONE_ROW = c_size_t(1)


def prepared_predict(handle: int, x_address: int, y_address: int) -> tuple[Any, tuple[Any, ...]]:
    """(function, arguments): function(*arguments) runs plexus_predict(handle, x, 1, y) and
    returns its status."""
    return _predict_unconverted, (c_void_p(handle), c_void_p(x_address), ONE_ROW, c_void_p(y_address))


# ----- out-parameters as Python values: the rest of the package never touches ctypes ----------------
# Each helper returns (status, value); callers pass the status to errors.check. A C function is
# typed `Any` here: ctypes gives its attributes no static type.
CFunction = Any

def create(sizes: Sequence[int], activations: Sequence[int], flags: int, seed: int) -> tuple[int, int]:
    c_sizes = (ctypes.c_uint32 * len(sizes))(*sizes)
    c_acts = (ctypes.c_int * len(activations))(*activations)
    handle = c_void_p()
    status = lib.plexus_create(ctypes.addressof(c_sizes), ctypes.addressof(c_acts), len(sizes), flags, seed,
                               ctypes.addressof(handle))
    return int(status), handle.value or 0


def create_layers(input_shape: Sequence[int], layers: Sequence[LayerFields], seed: int) -> tuple[int, int]:
    c_shape = (ctypes.c_uint32 * len(input_shape))(*input_shape)
    c_layers = (LayerFields * len(layers))(*layers)
    handle = c_void_p()
    status = lib.plexus_create_layers(ctypes.addressof(c_shape), len(input_shape), ctypes.addressof(c_layers),
                                      len(layers), seed, ctypes.addressof(handle))
    return int(status), handle.value or 0


def get_layer(handle: int, layer: int) -> tuple[int, LayerFields]:
    fields = LayerFields(struct_size=ctypes.sizeof(LayerFields))
    return int(lib.plexus_get_layer(handle, layer, ctypes.addressof(fields))), fields


def tensor_count(handle: int, name: bytes) -> tuple[int, int]:
    """(status, float count) of the tensor `name`: plexus_get_tensor asked for its size."""
    needed = c_size_t()
    status = int(lib.plexus_get_tensor(handle, name, None, 0, ctypes.addressof(needed)))
    return status, needed.value


def layer_shape(handle: int, layer: int) -> tuple[int, tuple[int, ...]]:
    """(status, shape) of plexus_layer_shape: asks for the rank, then fills the extents."""
    needed = c_size_t()
    status = int(lib.plexus_layer_shape(handle, layer, None, 0, ctypes.addressof(needed)))
    if status:
        return status, ()
    extents = (ctypes.c_uint32 * max(needed.value, 1))()
    status = int(lib.plexus_layer_shape(handle, layer, ctypes.addressof(extents), needed.value, None))
    return status, tuple(int(e) for e in extents[:needed.value])


def load(path: bytes) -> tuple[int, int]:
    handle = c_void_p()
    return int(lib.plexus_load(path, ctypes.addressof(handle))), handle.value or 0


def load_buffer(data: bytes) -> tuple[int, int]:
    handle = c_void_p()
    return int(lib.plexus_load_buffer(data, len(data), ctypes.addressof(handle))), handle.value or 0


def save_buffer(handle: int) -> tuple[int, bytes]:
    data, size = c_void_p(), c_size_t()
    status = lib.plexus_save_buffer(handle, ctypes.addressof(data), ctypes.addressof(size))
    if status or data.value is None:
        return int(status), b""
    try:
        return 0, ctypes.string_at(data.value, size.value)
    finally:
        lib.plexus_free_buffer(data.value)


def metadata_text(function: CFunction, handle: int, selector: Any) -> tuple[int, str]:
    """(status, text) from plexus_get_metadata or plexus_metadata_key_at: asks the size, then reads."""
    needed = c_size_t(0)
    status = int(function(handle, selector, None, 0, ctypes.byref(needed)))
    if status != 0:
        return status, ""
    buffer = ctypes.create_string_buffer(needed.value)
    status = int(function(handle, selector, buffer, needed.value, ctypes.byref(needed)))
    return status, buffer.raw[:needed.value - 1].decode("utf-8") if status == 0 else ""


def metadata_count(handle: int) -> tuple[int, int]:
    count = c_size_t(0)
    status = int(lib.plexus_metadata_count(handle, ctypes.byref(count)))
    return status, count.value


def save_ex(handle: int, path: bytes, weights_only: bool) -> int:
    """plexus_save_ex with a plexus_save_options of `weights_only`."""
    options = SaveOptions(struct_size=ctypes.sizeof(SaveOptions), weights_only=int(weights_only))
    return int(lib.plexus_save_ex(handle, path, ctypes.addressof(options)))


def export_c(handle: int, folder: bytes, name: bytes, quantized: int, train_step: bool,
             max_parameters: int) -> int:
    options = ExportOptions(struct_size=ctypes.sizeof(ExportOptions), quantized=quantized or None,
                            train_step=int(train_step), max_parameters=max_parameters)
    return int(lib.plexus_export_c(handle, folder, name, ctypes.addressof(options)))


def quantize(handle: int, x_address: int, rows: int) -> tuple[int, int]:
    q = c_void_p()
    return int(lib.plexus_quantize(handle, x_address, rows, ctypes.addressof(q))), q.value or 0


def quantized_layers(q: int) -> tuple[int, list[dict[str, Any]]]:
    """Every layer of an int8 model as a dict of its fields, the arrays copied out as bytes."""
    layers = []
    for layer in range(1, int(lib.plexus_quantized_layer_count(q)) + 1):
        info = QuantizedLayer(struct_size=ctypes.sizeof(QuantizedLayer))
        status = lib.plexus_quantized_layer_info(q, layer, ctypes.addressof(info))
        if status:
            return int(status), []
        fields: dict[str, Any] = {field[0]: getattr(info, field[0]) for field in QuantizedLayer._fields_}
        n_in, n_out = info.inputs, info.outputs
        sizes = {"weights": n_in * n_out, "weight_scales": 4 * n_out, "bias": 4 * n_out, "multipliers": 4 * n_out,
                 "shifts": n_out, "table": 256, "softmax_exp": 2 * info.softmax_exp_count}
        for name, size in sizes.items():
            fields[name] = ctypes.string_at(fields[name], size) if fields[name] else None
        layers.append(fields)
    return 0, layers


def _int_out(function: CFunction, *args: Any) -> tuple[int, int]:
    """(status, value) of a call whose last argument is an int *out (a C enum or a uint32_t)."""
    value = c_uint32()
    status = function(*args, ctypes.addressof(value))
    return int(status), int(value.value)


def layer_activation(handle: int, layer: int) -> tuple[int, int]:
    return _int_out(lib.plexus_layer_activation, handle, layer)


def get_loss(handle: int) -> tuple[int, int]:
    return _int_out(lib.plexus_get_loss, handle)


def get_flags(handle: int) -> tuple[int, int]:
    return _int_out(lib.plexus_get_flags, handle)


def optimizer_options(function: CFunction, handle: int) -> tuple[int, dict[str, float]]:
    """(status, {field: value}) of plexus_get_optimizer_options or its graph form; "kind" an int."""
    options = OptimizerOptions(struct_size=ctypes.sizeof(OptimizerOptions))
    status = int(function(handle, ctypes.addressof(options)))
    return status, {field[0]: getattr(options, field[0]) for field in OptimizerOptions._fields_[1:]}


def set_optimizer(function: CFunction, handle: int, kind: int, fields: dict[str, float]) -> int:
    """plexus_set_optimizer (or its graph form) with `kind`, its defaults, then `fields`."""
    options = OptimizerOptions(struct_size=ctypes.sizeof(OptimizerOptions))
    status = int(lib.plexus_optimizer_defaults(kind, ctypes.addressof(options)))
    if status != 0:
        return status
    for name, value in fields.items():
        setattr(options, name, int(value) if name == "centered" else float(value))
    return int(function(handle, ctypes.addressof(options)))


def backward(handle: int, target_address: int, rows: int) -> tuple[int, float]:
    loss = c_float()
    return int(lib.plexus_backward(handle, target_address, rows, ctypes.addressof(loss))), float(loss.value)


def train(handle: int, x_address: int, y_address: int, n: int, epochs: int, batch_size: int, seed: int,
          on_epoch: Callable[[int, float], bool]) -> int:
    """plexus_train with `on_epoch(epoch, mean_loss) -> bool` (True stops) as the C callback."""
    callback = EPOCH_FN(lambda epoch, loss, user: 1 if on_epoch(epoch, loss) else 0)
    return int(lib.plexus_train(handle, x_address, y_address, n, epochs, batch_size, seed, callback, None))


def float_out(function: CFunction, *args: Any) -> tuple[int, float]:
    """(status, value) of a call whose last argument is a float *out."""
    value = c_float()
    status = function(*args, ctypes.addressof(value))
    return int(status), float(value.value)


def train_step(handle: int, x_address: int, y_address: int, rows: int) -> tuple[int, float]:
    loss = c_float()
    return int(lib.plexus_train_step(handle, x_address, y_address, rows, ctypes.addressof(loss))), float(loss.value)


class CancelFlag:
    """The int that plexus_train_options.cancel points at: `set()` (from any thread) asks a run to
    stop before its next batch."""

    def __init__(self) -> None:
        self._value = ctypes.c_int(0)
        self.address = ctypes.addressof(self._value)

    def set(self) -> None:
        self._value.value = 1


def train_ex(handle: int, x_address: int, y_address: int, n: int,
             on_epoch: Callable[[int, float, float, float], bool], **fields: Any) -> tuple[int, dict[str, Any]]:
    """plexus_train_ex with `fields` set on a zeroed plexus_train_options and
    `on_epoch(epoch, train_loss, val_loss, val_accuracy) -> bool` (True stops) as the callback.
    Returns (status, report as a dict)."""
    options = TrainOptions(struct_size=ctypes.sizeof(TrainOptions), **fields)
    options.on_epoch = EPOCH_REPORT_FN(lambda epoch, loss, val_loss, val_accuracy, user:
                                       1 if on_epoch(epoch, loss, val_loss, val_accuracy) else 0)
    report = TrainReport(struct_size=ctypes.sizeof(TrainReport))
    status = lib.plexus_train_ex(handle, x_address, y_address, n, ctypes.addressof(options), ctypes.addressof(report))
    return int(status), {field[0]: getattr(report, field[0]) for field in TrainReport._fields_ if field[0] != "struct_size"}


def graph_create() -> tuple[int, int]:
    handle = c_void_p()
    return int(lib.plexus_graph_create(ctypes.addressof(handle))), handle.value or 0


def graph_node(function: CFunction, *args: Any) -> tuple[int, int]:
    """Calls a plexus_graph_* builder; returns (status, node id)."""
    node = ctypes.c_int32()
    return int(function(*args, ctypes.addressof(node))), int(node.value)


def graph_shape(handle: int, node: int) -> tuple[int, tuple[int, int]]:
    rows, cols = c_uint32(), c_uint32()
    status = lib.plexus_graph_shape(handle, node, ctypes.addressof(rows), ctypes.addressof(cols))
    return int(status), (int(rows.value), int(cols.value))
