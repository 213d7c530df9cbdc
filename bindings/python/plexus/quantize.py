"""`plexus.quantize`: int8 models of a network, and a numpy simulator bit-exact to the generated C.

>>> q = plexus.quantize.quantize(net, x_train[:500])       # post-training quantisation
>>> y = plexus.quantize.simulate(q, x_test)                  # what NAME_predict gives on the device
>>> net.export_c("out", "digits", quantize="int8", calibration=x_train[:500])

The library decides every number of the model (scales, zero points, int8 weights, int32 biases,
multipliers and shifts, activation tables: include/plexus.h, plexus_quantize). This module only
does the integer arithmetic, exactly as the generated C does it, so accuracy measured here is the
accuracy on the device; Tests/python/test_code_export.py compiles the C and compares bit for bit.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, Iterator, Optional, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _capi
from ._capi import lib
from ._tables import ACTIVATIONS
from .errors import ArgumentError, ShapeError, check



class _Network(Protocol):
    """What this module reads of a plexus.Network (which imports this module, not the reverse)."""
    @property
    def handle(self) -> int: ...
    @property
    def sizes(self) -> list[int]: ...
    @property
    def activations(self) -> list[str | None]: ...
    @property
    def input_transform(self) -> Any: ...
    @property
    def output_transform(self) -> Any: ...
    @property
    def layers(self) -> list[Any]: ...
    def get_weights(self, layer: int) -> tuple[NDArray[np.float32], Optional[NDArray[np.float32]]]: ...
    def _rows(self, values: ArrayLike, width: int, name: str) -> tuple[NDArray[np.float32], bool]: ...

__all__ = ["QuantizedNorm", "QuantizedLayer", "QuantizedModel", "quantize", "quantized_handle", "simulate", "simulate_int8",
           "quantize_input", "dequantize_output"]


@dataclass(frozen=True)
class QuantizedNorm:
    """A layer norm of an int8 model, computed in float32 between the int8 layers (the network's
    own weight and bias; None without affine)."""
    width: int
    groups: int
    eps: float
    weight: Optional[NDArray[np.float32]]
    bias: Optional[NDArray[np.float32]]


@dataclass(frozen=True)
class QuantizedLayer:
    """One int8 layer (the fields of plexus_quantized_layer): acc = bias + weights·(x − input_zero_point)
    in int32, requantised by multipliers and shifts to requant_zero_point, clamped to
    [clamp_min, clamp_max], then the table or softmax."""
    inputs: int
    outputs: int
    activation: str
    input_scale: float
    input_zero_point: int
    requant_scale: float
    requant_zero_point: int
    clamp_min: int
    clamp_max: int
    output_scale: float
    output_zero_point: int
    weights: NDArray[np.int8]            # (outputs, inputs)
    weight_scales: NDArray[np.float32]   # (outputs,)
    bias: Optional[NDArray[np.int32]]    # (outputs,) or None
    multipliers: NDArray[np.int32]
    shifts: NDArray[np.int8]
    table: Optional[NDArray[np.int8]]    # (256,) for q = -128..127, or None
    softmax_exp: Optional[NDArray[np.uint16]]
    #: The layer norms before this layer, in float32: on the inputs (before quantize_input) for the
    #: first layer, else on the dequantised outputs of the layer before, quantised again at this
    #: layer's input scale and zero point.
    norms: tuple[QuantizedNorm, ...] = ()

    @property
    def nbytes(self) -> int:
        """The bytes of constant data the generated C stores for this layer."""
        arrays = [self.weights, self.bias, self.multipliers, self.shifts, self.table, self.softmax_exp]
        return sum(a.nbytes for a in arrays if a is not None)


@dataclass(frozen=True)
class QuantizedModel:
    """An int8 model of a network: its layers, and the scale and zero point of its inputs and
    outputs (real = scale · (q − zero_point))."""
    sizes: tuple[int, ...]
    activations: tuple[str, ...]
    layers: tuple[QuantizedLayer, ...]
    #: The network's transforms as (shift, scale) pairs (plexus.Transform), None without one: the
    #: input transform runs in float32 before quantize_input, the output transform after
    #: dequantize_output, as in the generated NAME_predict.
    input_transform: Any = None
    output_transform: Any = None

    @property
    def input_scale(self) -> float:
        return self.layers[0].input_scale

    @property
    def input_zero_point(self) -> int:
        return self.layers[0].input_zero_point

    @property
    def output_scale(self) -> float:
        return self.layers[-1].output_scale

    @property
    def output_zero_point(self) -> int:
        return self.layers[-1].output_zero_point

    @property
    def nbytes(self) -> int:
        """The bytes of constant data (weights, biases, multipliers, shifts, tables) in the C."""
        return sum(layer.nbytes for layer in self.layers)


def _layer(fields: dict[str, Any]) -> QuantizedLayer:
    """A layer from _capi.quantized_layers' fields (the arrays as bytes, None for NULL)."""
    n_in, n_out = int(fields["inputs"]), int(fields["outputs"])

    def array(name: str, dtype: Any, shape: tuple[int, ...]) -> Any:
        data = fields[name]
        return None if data is None else np.frombuffer(data, dtype=dtype).reshape(shape).copy()

    return QuantizedLayer(
        inputs=n_in, outputs=n_out, activation=ACTIVATIONS[int(fields["activation"])],
        input_scale=float(fields["input_scale"]), input_zero_point=int(fields["input_zero_point"]),
        requant_scale=float(fields["requant_scale"]), requant_zero_point=int(fields["requant_zero_point"]),
        clamp_min=int(fields["clamp_min"]), clamp_max=int(fields["clamp_max"]),
        output_scale=float(fields["output_scale"]), output_zero_point=int(fields["output_zero_point"]),
        weights=array("weights", np.int8, (n_out, n_in)), weight_scales=array("weight_scales", np.float32, (n_out,)),
        bias=array("bias", np.int32, (n_out,)), multipliers=array("multipliers", np.int32, (n_out,)),
        shifts=array("shifts", np.int8, (n_out,)), table=array("table", np.int8, (256,)),
        softmax_exp=array("softmax_exp", np.uint16, (int(fields["softmax_exp_count"]),)),
    )


@contextmanager
def quantized_handle(net: _Network, calibration: ArrayLike) -> Iterator[tuple[int, QuantizedModel]]:
    """(the C library's plexus_quantized handle, the model read from it) for ``net`` quantised with the
    ``calibration`` rows; the handle is freed on exit (Network.export_c passes it to plexus_export_c)."""
    x, _ = net._rows(calibration, net.sizes[0], "calibration")
    status, q = _capi.quantize(net.handle, x.ctypes.data, x.shape[0])
    check(status)
    try:
        status, fields = _capi.quantized_layers(q)
        check(status)
        # The int8 model holds the dense layers alone (dropout is the identity in inference), the
        # layer norms before each in float, from the network.
        dense = [(size, activation) for size, activation in zip(net.sizes[1:], net.activations) if activation is not None]
        norms: list[list[QuantizedNorm]] = [[] for _ in fields]
        position = 0
        for layer in net.layers:
            if layer.kind == "dense":
                position += 1
            elif layer.kind == "layer_norm":
                weight, bias = net.get_weights(layer.number) if layer.elementwise_affine else (None, None)
                width = int(layer.output_shape[-1])
                norms[position].append(QuantizedNorm(width, int(np.prod(layer.output_shape)) // width,
                                                     float(layer.eps), weight, bias))
        yield q, QuantizedModel(sizes=(net.sizes[0], *(size for size, _ in dense)),
                                activations=tuple(activation for _, activation in dense),
                                layers=tuple(replace(_layer(f), norms=tuple(n)) for f, n in zip(fields, norms)),
                                input_transform=net.input_transform, output_transform=net.output_transform)
    finally:
        lib.plexus_quantized_free(q)


def quantize(net: _Network, calibration: ArrayLike) -> QuantizedModel:
    """The int8 model of ``net`` with ranges measured on ``calibration`` ((rows, inputs), a few
    hundred representative training rows). Raises ArgumentError for no rows or non-finite values."""
    with quantized_handle(net, calibration) as (_, model):
        return model


def _int8_rows(values: ArrayLike, width: int, name: str) -> NDArray[np.int8]:
    array = np.asarray(values)
    if array.dtype != np.int8:
        raise ShapeError(f"{name} has dtype {array.dtype}; pass int8 values (quantize_input makes them)")
    array = array.reshape(1, -1) if array.ndim == 1 else array
    if array.ndim != 2 or array.shape[1] != width:
        raise ShapeError(f"{name} has shape {np.shape(values)}; this model expects ({width},) or (rows, {width})")
    return array


def quantize_input(model: QuantizedModel, x: ArrayLike) -> NDArray[np.int8]:
    """x as the int8 inputs the generated NAME_predict of ``model`` makes of it: round(x / scale) half away from
    zero, plus the zero point, saturating (the same float32 operations as the C). With layer norms on
    the inputs, x is what they give (``simulate`` runs them first)."""
    return _quantize(np.asarray(x, dtype=np.float32), model.input_scale, model.input_zero_point)


def _quantize(x: NDArray[np.float32], scale: float, zero_point: int) -> NDArray[np.int8]:
    v = x / np.float32(scale)
    v = np.clip(v, np.float32(-512), np.float32(512))
    t = v.astype(np.int32)                                   # toward zero, as C's conversion
    r = v - t.astype(np.float32)                             # exact: the fraction of v
    t = t + (r >= np.float32(0.5)) - (r <= np.float32(-0.5))
    q: NDArray[np.int8] = np.clip(t + zero_point, -128, 127).astype(np.int8)
    return q


def _layer_norm(x: NDArray[np.float32], norm: QuantizedNorm) -> NDArray[np.float32]:
    """The generated C's layer_norm in float32, the same operations in the same order: sums from
    0 in ascending index (one column at a time over all rows, never pairwise), a multiply then an
    add, IEEE division and square root."""
    rows = x.reshape(-1, norm.width).astype(np.float32)
    n = np.float32(norm.width)
    total = np.zeros(rows.shape[0], np.float32)
    for i in range(norm.width):
        total = total + rows[:, i]
    mean = total / n
    squares = np.zeros(rows.shape[0], np.float32)
    for i in range(norm.width):
        d = rows[:, i] - mean
        squares = squares + d * d
    r = np.float32(1) / np.sqrt(squares / n + np.float32(norm.eps))
    hat = (rows - mean[:, None]) * r[:, None]
    y = hat if norm.weight is None or norm.bias is None else norm.weight * hat + norm.bias
    out: NDArray[np.float32] = y.astype(np.float32).reshape(x.shape)
    return out


def dequantize_output(model: QuantizedModel, q: ArrayLike) -> NDArray[np.float32]:
    """The int8 outputs q of ``model`` as floats, (q − zero point) · scale in float32, as the
    generated NAME_predict writes them."""
    return (np.asarray(q).astype(np.int32) - model.output_zero_point).astype(np.float32) * np.float32(model.output_scale)


def _floor_shift(v: NDArray[np.int64], s: NDArray[np.int64]) -> NDArray[np.int64]:
    return np.right_shift(v, s)                              # arithmetic on int64: floor(v / 2**s)


def _requantize(acc: NDArray[np.int64], layer: QuantizedLayer) -> NDArray[np.int64]:
    total = 31 - layer.shifts.astype(np.int64)
    v = acc * layer.multipliers.astype(np.int64) + np.left_shift(np.int64(1), total - 1)
    v = _floor_shift(v, total) + layer.requant_zero_point
    return np.clip(v, layer.clamp_min, layer.clamp_max)


def _softmax(q: NDArray[np.int64], exps: NDArray[np.uint16]) -> NDArray[np.int64]:
    d = q.max(axis=1, keepdims=True) - q
    table = exps.astype(np.int64)
    e = np.where(d < len(table), table[np.minimum(d, len(table) - 1)], 0)
    total = e.sum(axis=1, keepdims=True)
    p = (e * 256 + total // 2) // total
    return np.where(p > 255, 127, p - 128)


def simulate_int8(model: QuantizedModel, x: ArrayLike) -> NDArray[np.int8]:
    """The int8 outputs of ``model``'s generated NAME_predict_int8 for int8 inputs x ((inputs,) or
    (rows, inputs)): the same integer operations as the C."""
    single = np.ndim(x) == 1
    q = _int8_rows(x, model.sizes[0], "x").astype(np.int64)
    before: Optional[QuantizedLayer] = None
    for layer in model.layers:
        if before is not None and layer.norms:
            v = (q - before.output_zero_point).astype(np.float32) * np.float32(before.output_scale)
            for norm in layer.norms:
                v = _layer_norm(v, norm)
            q = _quantize(v, layer.input_scale, layer.input_zero_point).astype(np.int64)
        before = layer
        acc = (q - layer.input_zero_point) @ layer.weights.astype(np.int64).T
        if layer.bias is not None:
            acc = acc + layer.bias.astype(np.int64)
        q = _requantize(acc, layer)
        if layer.table is not None:
            q = layer.table.astype(np.int64)[q + 128]
        if layer.softmax_exp is not None:
            q = _softmax(q, layer.softmax_exp)
    out: NDArray[np.int8] = q.astype(np.int8)
    return out[0] if single else out


def simulate(model: QuantizedModel, x: ArrayLike) -> NDArray[np.float32]:
    """The float outputs of ``model``'s generated int8 NAME_predict for float inputs x, bit for
    bit: the input transform, quantize_input, simulate_int8, dequantize_output, the output transform.
    Raises ArgumentError for non-finite x."""
    array = np.asarray(x, dtype=np.float32)
    if not np.all(np.isfinite(array)):
        raise ArgumentError("x has non-finite values; the generated code refuses them (NAME_ERR_ARGUMENT)")
    if model.input_transform is not None:
        shift, scale = model.input_transform
        array = (array - shift) * scale                  # float32: the C's two roundings
        if not np.all(np.isfinite(array)):
            raise ArgumentError("x has values the input transform maps to infinities; the generated code refuses them")
    for norm in model.layers[0].norms:
        array = _layer_norm(array, norm)
    y = dequantize_output(model, simulate_int8(model, quantize_input(model, array)))
    if model.output_transform is not None:
        shift, scale = model.output_transform
        y = y * scale + shift                            # a multiply, then an add, each rounded
    return y
