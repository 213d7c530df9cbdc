"""`plexus.Network`: a dense network held by the C library, driven with numpy arrays."""
from __future__ import annotations

import json
import os
import re
import threading
from typing import Any, Callable, Mapping, NamedTuple, Optional, Sequence, Union, cast

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _capi
from ._capi import lib, prepared_predict
from ._tables import ACTIVATIONS, LOSSES, LR_SCHEDULES, NO_BIAS, SIDES
from ._checks import SIZE_MAX, UINT64_MAX, integer
from .errors import ArgumentError, ShapeError, check
from .handle import OwnedHandle
from .history import History
from .layers import Dense, Layer, LayerNorm as LayerNormLayer, from_fields as layer_from_fields
from .metadata import Metadata
from .optimizers import OptimizerMethods
from .progress import make_progress
from .quantize import QuantizedModel, quantized_handle

__all__ = ["Network", "Transform", "ACTIVATIONS", "LOSSES"]

_INPUTS, _OUTPUTS = SIDES.index("inputs"), SIDES.index("outputs")   # plexus_side
_NO_BUFFERS = threading.local()   # a closed network's per-thread buffers: none (see Network.close)


def _floats(values: ArrayLike, name: str) -> NDArray[np.float32]:
    """`values` as a C-contiguous float32 array, copied only when it is not one already."""
    try:
        array = np.ascontiguousarray(values, dtype=np.float32)
    except (TypeError, ValueError) as error:
        raise ArgumentError(f"{name} cannot be read as an array of numbers: {error}") from None
    return array


def tensor_array(value: Any) -> NDArray[np.float32]:
    """A torch tensor (without importing torch) or any array-like, as contiguous float32."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    return np.ascontiguousarray(value, dtype=np.float32)


def _index(name: str, value: str, choices: Sequence[str]) -> int:
    if value not in choices:
        raise ArgumentError(f"{name} {value!r} is not one of {', '.join(choices)}")
    return choices.index(value)


def _schedule_fields(lr_schedule: Any) -> dict[str, Any]:
    """plexus_train_options fields for None, ("step", step_size, gamma) or ("cosine", t_max, eta_min)."""
    if lr_schedule is None:
        return {}
    try:
        name, first, second = lr_schedule
    except (TypeError, ValueError):
        raise ArgumentError(f"lr_schedule is {lr_schedule!r}; pass None, ('step', step_size, gamma) "
                            "or ('cosine', t_max, eta_min)") from None
    code = _index("lr_schedule", name, LR_SCHEDULES)
    if name == "step":
        return {"lr_schedule": code, "step_size": integer("lr_schedule's step_size", first), "gamma": float(second)}
    if name == "cosine":
        return {"lr_schedule": code, "t_max": integer("lr_schedule's t_max", first), "eta_min": float(second)}
    return {}


def labels_like(values: np.ndarray) -> bool:
    """Whether a 1-D array reads as class labels rather than one row of target values."""
    return values.dtype.kind in "iubUSO"


def _class_names(classes: Any) -> list[str]:
    """A classes= argument as a list of names: a sequence of str (numpy strings included)."""
    if isinstance(classes, (str, bytes)) or not hasattr(classes, "__iter__"):
        raise TypeError(f"classes must be a sequence of str, one per output, not {type(classes).__name__}")
    names = list(classes)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"classes must be str, one per output; got {name!r} ({type(name).__name__}). "
                            "Integer labels need no classes: they are the output's index")
    return [str(name) for name in names]


class Transform(NamedTuple):
    """A per-column affine map the network carries: as its input transform, x' = (x - shift) * scale;
    as its output transform, y = y' * scale + shift."""
    shift: NDArray[np.float32]
    scale: NDArray[np.float32]


class Network(OptimizerMethods, OwnedHandle):
    """A feed-forward network trained by backpropagation, computed by libplexus, built in one of
    two forms that give bitwise the same network for the same seed:

    - by layers: ``Network([Dense(64, "relu"), Dropout(0.2), Dense(10, "softmax")],
      input_shape=64, loss=..., seed=...)`` with the classes of ``plexus.layers``; no
      ``activations`` or ``bias`` argument, and ``input_shape`` (an int or a tuple) is required;
    - by sizes: ``Network([64, 64, 10], ["relu", "softmax"])``, dense layers only.

    ``sizes`` lists the layer widths, inputs first; ``activations`` names one activation per
    non-input layer (``identity``, ``sigmoid``, ``tanh``, ``relu``, ``leaky_relu``, ``softmax``,
    ``gelu``, ``elu``, ``silu``, ``softplus``). ``loss`` is ``mse`` (default), ``quadratic``,
    ``l1``, ``huber``, ``cross_entropy`` (softmax outputs) or ``binary_cross_entropy`` (sigmoid
    outputs). ``bias=False`` makes layers without bias vectors. The same ``seed`` gives bitwise the
    same network (the weights, and the dropout masks drawn later).

    Layers are numbered as in the C API: 0 is the input, 1..L in the order built; a dense layer l
    carries weights ``W`` of shape ``(sizes[l], sizes[l-1])`` and biases ``b`` of shape
    ``(sizes[l],)``, where ``sizes[l]`` is layer l's output width.

    Thread rule: ``predict`` may run on many threads at once (the GIL is released during the
    call); every other method needs the network to itself.
    """

    _kind = "network"
    _release = staticmethod(lib.plexus_free)
    _optimizer_setter = staticmethod(lib.plexus_set_optimizer)
    _optimizer_getter = staticmethod(lib.plexus_get_optimizer_options)

    def __init__(self, sizes: Sequence[int] | Sequence[Layer], activations: Sequence[str] | str | None = None,
                 loss: str = "mse", bias: bool = True, seed: int = 0, *,
                 input_shape: int | Sequence[int] | None = None):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise TypeError(f"sizes must be a sequence of integers or of plexus.layers, not {type(sizes).__name__}")
        items = list(sizes)
        seed = integer("seed", seed, 0, UINT64_MAX)
        layer_list = [item for item in items if isinstance(item, Layer)]
        if items and len(layer_list) == len(items):
            if activations is not None:
                raise ArgumentError("a network built from layers takes no activations: give each Dense layer its own")
            if bias is not True:
                raise ArgumentError("a network built from layers takes no bias argument: give a Dense layer bias=False")
            if input_shape is None:
                raise ArgumentError("a network built from layers needs input_shape, such as input_shape=64")
            shape = [integer("input_shape", input_shape, 1, 2**31 - 1)] if not hasattr(input_shape, "__iter__") else \
                [integer(f"input_shape[{i}]", extent, 1, 2**31 - 1) for i, extent in enumerate(input_shape)]
            status, handle = _capi.create_layers(shape, [layer._to_fields() for layer in layer_list], seed)
        else:
            if layer_list:
                raise TypeError("sizes mixes plexus.layers objects and integers; give a list of layers or of sizes")
            if input_shape is not None:
                raise ArgumentError("input_shape belongs to the layers form; the sizes form takes the inputs as sizes[0]")
            if activations is None:
                raise TypeError("the sizes form needs activations, one per non-input layer (or one name for all)")
            widths = [integer(f"sizes[{i}]", s, 1, 2**31 - 1) for i, s in enumerate(items)]
            if isinstance(activations, str):
                activations = [activations] * (len(widths) - 1)
            activations = list(activations)
            if len(widths) < 2:
                raise ArgumentError(f"sizes {widths} needs at least 2 layers (inputs and outputs)")
            if len(activations) != len(widths) - 1:
                raise ArgumentError(f"{len(widths)} layer sizes need {len(widths) - 1} activations, got {len(activations)}")
            codes = [_index("activation", a, ACTIVATIONS) for a in activations]
            status, handle = _capi.create(widths, codes, 0 if bias else NO_BIAS, seed)
        check(status)
        self._adopt(handle)
        try:
            self.loss = loss
        except BaseException:
            self.close()
            raise

    def _adopt(self, handle: int) -> None:
        """Takes ownership of a C handle and caches the immutable architecture."""
        self._handle = handle
        self._scratch = threading.local()   # per-thread one-sample buffers for predict's fast path
        count = lib.plexus_layer_count(handle)
        shapes = []
        for layer in range(count):
            status, shape = _capi.layer_shape(handle, layer)
            check(status)
            shapes.append(shape)
        self._shapes = shapes
        self._sizes = [int(lib.plexus_layer_size(handle, i)) for i in range(count)]
        self._kinds: list[Layer] = []
        for layer in range(1, count):
            status, fields = _capi.get_layer(handle, layer)
            check(status)
            self._kinds.append(layer_from_fields(fields))
        self._activations: list[str | None] = [getattr(layer, "activation", None) for layer in self._kinds]
        status, flags = _capi.get_flags(handle)
        check(status)
        self._bias = flags & NO_BIAS == 0
        self._param_count = int(lib.plexus_param_count(handle))

    @classmethod
    def _from_handle(cls, handle: int) -> "Network":
        net = cls.__new__(cls)
        net._adopt(handle)
        return net

    # ----- architecture and settings ----------------------------------------------------------
    @property
    def sizes(self) -> list[int]:
        """Layer widths, inputs first."""
        return list(self._sizes)

    @property
    def activations(self) -> list[str | None]:
        """One activation name per non-input layer (None for a layer of a kind without one, such
        as Dropout)."""
        return list(self._activations)

    @property
    def bias(self) -> bool:
        """Whether every dense layer has biases (``layers`` tells each one's)."""
        return self._bias

    @property
    def input_shape(self) -> tuple[int, ...]:
        """The shape of one input row, channels first (a row is it flattened: ``sizes[0]`` floats)."""
        return self._shapes[0]

    @property
    def layers(self) -> list[Layer]:
        """The layers in order (``plexus.layers`` objects with their current settings), each with
        its ``number`` (1..L), ``input_shape``, ``output_shape`` and ``param_count``: the list
        ``Network(net.layers, input_shape=net.input_shape)`` builds this architecture from. A
        network made from sizes has Dense layers only."""
        layers = []
        for number in range(1, len(self._shapes)):
            status, fields = _capi.get_layer(self.handle, number)
            check(status)
            layer = layer_from_fields(fields)
            layer.number, layer.input_shape, layer.output_shape = number, self._shapes[number - 1], self._shapes[number]
            layers.append(layer)
        return layers

    def summary(self) -> None:
        """Prints a table of the layers (number and kind, output shape, parameters) and the total
        parameter count, as Keras's ``model.summary()`` does."""
        rows = [("Layer", "Output shape", "Param #"), ("0 Input", str(self.input_shape), "0")]
        rows += [(f"{layer.number} {layer!r}", str(layer.output_shape), f"{layer.param_count:,}") for layer in self.layers]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        rule = "-" * (sum(widths) + 4)
        lines = [rule, f"{rows[0][0]:<{widths[0]}}  {rows[0][1]:<{widths[1]}}  {rows[0][2]:>{widths[2]}}", rule]
        lines += [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}" for a, b, c in rows[1:]]
        lines += [rule, f"Total params: {self._param_count:,}", rule]
        print("\n".join(lines))

    @property
    def loss(self) -> str:
        status, code = _capi.get_loss(self.handle)
        check(status)
        return LOSSES[code]

    @loss.setter
    def loss(self, name: str) -> None:
        check(lib.plexus_set_loss(self.handle, _index("loss", name, LOSSES)))

    @property
    def grad_clip(self) -> float:
        """The global-norm bound gradients are clipped to before each step; 0: off."""
        status, value = _capi.float_out(lib.plexus_get_grad_clip, self.handle)
        check(status)
        return value

    def set_grad_clip(self, max_norm: float) -> "Network":
        """Clips the gradients to global L2 norm ``max_norm`` before each step
        (torch.nn.utils.clip_grad_norm_); 0 turns clipping off. Returns the network."""
        check(lib.plexus_set_grad_clip(self.handle, float(max_norm)))
        return self

    @property
    def l2_penalty(self) -> float:
        """The L2 penalty on weights (``set_l2_penalty``); 0: none."""
        status, value = _capi.float_out(lib.plexus_get_l2_penalty, self.handle)
        check(status)
        return value

    def set_l2_penalty(self, lam: float) -> "Network":
        """Adds the penalty (lam/2)·Σ‖W‖² on the weights, never the biases, to what training
        minimises: each step adds lam·W to the weights' gradients, whatever the optimizer
        (scikit-learn's ``alpha`` is lam × batch size; Keras's ``kernel_regularizer=l2(lam/2)``).
        The losses training reports stay the data's alone. 0 removes it. Returns the network."""
        check(lib.plexus_set_l2_penalty(self.handle, float(lam)))
        return self

    @property
    def dropout(self) -> list[float]:
        """The dropout probability of each non-input layer (the output layer's is 0)."""
        values = []
        for layer in range(1, len(self._sizes)):
            status, p = _capi.float_out(lib.plexus_get_dropout, self.handle, layer)
            check(status)
            values.append(p)
        return values

    def set_dropout(self, layer: int, p: float) -> "Network":
        """Inverted dropout with probability ``p`` on hidden layer ``layer`` (1..L-1) in forward,
        train_step and fit, never in predict (torch.nn.Dropout). Returns the network."""
        check(lib.plexus_set_dropout(self.handle, integer("layer", layer), float(p)))
        return self

    @property
    def param_count(self) -> int:
        return self._param_count

    def __repr__(self) -> str:
        if self._handle is None:
            return f"<plexus.Network {'-'.join(map(str, self._sizes))} (closed)>"
        opt = self.optimizer
        settings = ", ".join(f"{k}={v}" if isinstance(v, bool) else f"{k}={v:.6g}" for k, v in opt.items() if k != "name")
        carried = [name for name, transform in (("input", self.input_transform), ("output", self.output_transform))
                   if transform is not None]
        transforms = f", {' and '.join(carried)} transform{'s' if len(carried) > 1 else ''}" if carried else ""
        if not all(isinstance(layer, Dense) for layer in self._kinds) or len({l.bias for l in self._kinds}) > 1:   # type: ignore[attr-defined]
            return (f"plexus.Network({self.layers!r}, input_shape={self.input_shape}, loss={self.loss!r}) with "
                    f"{self._param_count} parameters, optimizer {opt['name']}({settings}){transforms}")
        return (f"plexus.Network(sizes={self._sizes}, activations={self._activations}, loss={self.loss!r}, "
                f"bias={self._bias}) with {self._param_count} parameters, optimizer {opt['name']}({settings}){transforms}")

    # ----- arrays in, arrays out ---------------------------------------------------------------
    def _rows(self, values: ArrayLike, width: int, name: str) -> tuple[NDArray[np.float32], bool]:
        """(C-contiguous float32 2-D array, whether the input was one 1-D sample)."""
        array = _floats(values, name)
        single = array.ndim == 1
        if single:
            array = array.reshape(1, -1)
        if array.ndim != 2 or array.shape[1] != width:
            expected = f"({width},) or (batch, {width})"
            raise ShapeError(f"{name} has shape {np.shape(values)}; this network expects {expected}")
        if array.shape[0] == 0:
            raise ShapeError(f"{name} has shape {np.shape(values)}: no rows; pass at least one sample")
        return array, single

    # ----- class labels --------------------------------------------------------------------------
    @property
    def classes(self) -> NDArray[np.str_] | None:
        """The class name of each output, as a 1-D array of str, or None. Fixed once: by the first
        fit, train_step or backward given string labels (their names, sorted), by fit's
        ``classes=``, or by setting it; every later call maps string labels through it, and a
        label outside it raises ArgumentError. It is saved in the model file (metadata
        ``plexus.classes``), so save/load, to_bytes, pickle and deepcopy keep it. A single sigmoid
        output under binary cross-entropy has two: the class of 0, then the class of 1. Integer
        labels are always the output's index, with or without classes."""
        metadata = self.metadata
        if "plexus.classes" not in metadata:
            return None
        return np.array(json.loads(metadata["plexus.classes"]), dtype=str)

    @classes.setter
    def classes(self, names: Sequence[str] | None) -> None:
        metadata = self.metadata
        if names is None:
            metadata.pop("plexus.classes", None)
        else:
            metadata["plexus.classes"] = json.dumps(_class_names(names), ensure_ascii=False)

    def _label_mode(self) -> str | None:
        """How one label per row becomes a target: "onehot" for softmax outputs under
        cross-entropy, "binary" for one sigmoid output under binary cross-entropy, else None."""
        outputs, loss = self._sizes[-1], self.loss
        if loss == "cross_entropy" and outputs > 1:
            return "onehot"
        if loss == "binary_cross_entropy" and outputs == 1:
            return "binary"
        return None

    def _targets(self, values: ArrayLike, rows: int, name: str = "y",
                 pending: list[str] | None = None) -> tuple[NDArray[np.float32], list[str] | None]:
        """(targets as (rows, outputs) float32, the class names these labels fix or None), from
        what people pass: rows of targets; for a one-output network one value per row (1-D); for
        cross-entropy class labels, one per row (1-D or a column), as integers (the output's
        index), integral floats or strings (mapped through ``classes``; ``pending``, names that
        are about to be fixed, stands for them), which become one-hot rows; for one sigmoid
        output under binary cross-entropy, two class names. The caller fixes the returned names
        (``_fix_classes``) once its call has gone through."""
        outputs = self._sizes[-1]
        try:
            raw = np.asarray(values)
        except (TypeError, ValueError) as error:
            raise ArgumentError(f"{name} cannot be read as an array: {error}") from None
        mode = self._label_mode()
        if raw.ndim == 2 and raw.shape[1] == 1 and (mode == "onehot" or raw.dtype.kind in "USO"):
            raw = raw[:, 0]   # a column of labels
        if raw.ndim == 1 and raw.dtype.kind in "USO" and mode is None:
            raise ArgumentError(self._labels_refused(name))
        if raw.ndim == 1 and (outputs == 1 or mode == "onehot") and not (rows == 1 and raw.shape[0] == outputs and not labels_like(raw)):
            if raw.shape[0] != rows:
                raise ShapeError(f"{name} has {raw.shape[0]} rows but x has {rows}; pass one target per sample")
            if mode == "binary" and raw.dtype.kind in "USO":
                index, fixed = self._class_index(raw, 2, name, pending)
                return np.ascontiguousarray(index.astype(np.float32).reshape(rows, 1)), fixed
            if outputs == 1:
                return np.ascontiguousarray(_floats(raw, name).reshape(rows, 1)), None
            return self._one_hot(raw, rows, outputs, name, pending)
        if raw.ndim == 1 and raw.shape[0] == rows and outputs > 1 and labels_like(raw) and rows != outputs:
            raise ArgumentError(self._labels_refused(name))
        array, _ = self._rows(raw, outputs, name)
        if array.shape[0] != rows:
            raise ShapeError(f"{name} has {array.shape[0]} rows but x has {rows}; pass one target row per sample")
        return array, None

    def _labels_refused(self, name: str) -> str:
        """Why one label per row does not fit this network's outputs and loss, and what does."""
        outputs, loss, last = self._sizes[-1], self.loss, self._activations[-1]
        if last == "softmax":
            return (f"{name} holds one class label per row, but the loss is {loss!r}; a softmax output learns labels with "
                    f"cross-entropy: pass loss=\"cross_entropy\" (or set net.loss = \"cross_entropy\"), or pass rows of "
                    f"{outputs} targets")
        if last == "sigmoid" and outputs == 1:
            return (f"{name} holds class labels, but the loss is {loss!r}; one sigmoid output learns two classes with "
                    f"binary cross-entropy: pass loss=\"binary_cross_entropy\", or pass 0/1 targets")
        if last == "sigmoid":
            return (f"{name} holds one label per row, but {outputs} sigmoid outputs learn several labels per row: pass rows of "
                    f"{outputs} values 0 or 1 (a multi-label indicator matrix), or use a softmax output with cross-entropy")
        return (f"{name} holds one class label per row, but the output layer is {last} under {loss!r}; class labels "
                f"need a softmax output layer with loss=\"cross_entropy\" (or pass rows of {outputs} targets)")

    def _class_index(self, labels: np.ndarray, count: int, name: str,
                     pending: list[str] | None) -> tuple[NDArray[np.int64], list[str] | None]:
        """(each string label's index in the classes, the names this call fixes or None)."""
        text = labels.astype(str)
        known = self.classes
        fixed = None
        if known is None:
            if pending is not None:
                known, fixed = np.array(pending, dtype=str), list(pending)
            else:
                names = np.unique(text)
                if names.shape[0] != count:
                    shown = ", ".join(repr(str(n)) for n in names[:8]) + (", ..." if names.shape[0] > 8 else "")
                    raise ArgumentError(f"{name} names {names.shape[0]} classes ({shown}) but the network has {count} "
                                        f"{'classes for its sigmoid output' if count == 2 and self._sizes[-1] == 1 else 'outputs'}; "
                                        f"pass classes=[...] to fit, naming one class per output in output order, or set net.classes")
                known, fixed = names, [str(n) for n in names]
        position = {str(c): i for i, c in enumerate(known)}
        unknown = [str(label) for label in np.unique(text) if str(label) not in position]
        if unknown:
            raise ArgumentError(f"{name} holds the label {unknown[0]!r}, which is not one of the network's classes "
                                f"{[str(c) for c in known]}; the classes are fixed once (set net.classes to change them)")
        return np.fromiter((position[label] for label in text), dtype=np.int64, count=text.shape[0]), fixed

    def _pending_classes(self, classes: Sequence[str] | None) -> list[str] | None:
        """fit's ``classes=`` as names about to be fixed (None when absent or already fixed):
        refused when the network's classes differ, or when the count does not fit the outputs."""
        if classes is None:
            return None
        names = _class_names(classes)
        current = self.classes
        if current is not None:
            if [str(c) for c in current] != names:
                raise ArgumentError(f"classes {names} differ from the network's classes {[str(c) for c in current]}; "
                                    "they are fixed once: set net.classes to change them")
            return None
        outputs = self._sizes[-1]
        binary = outputs == 1 and self._activations[-1] == "sigmoid"
        if not (len(names) == outputs or (binary and len(names) == 2)):
            raise ArgumentError(f"classes names {len(names)} classes but the network has {outputs} output"
                                f"{'' if outputs == 1 else 's'}; pass one name per output"
                                f"{' (or two for its sigmoid output)' if binary else ''}")
        return names

    def _fix_classes(self, names: list[str] | None) -> None:
        """Stores the class names a call's labels fixed (nothing when they were fixed before)."""
        if names is not None and self.classes is None:
            self.classes = names

    def _one_hot(self, labels: np.ndarray, rows: int, outputs: int, name: str,
                 pending: list[str] | None) -> tuple[NDArray[np.float32], list[str] | None]:
        fixed = None
        if labels.dtype.kind in "USO":
            index, fixed = self._class_index(labels, outputs, name, pending)
        else:
            if labels.dtype.kind == "f":
                if not np.all(np.isfinite(labels)) or not np.array_equal(labels, np.round(labels)):
                    raise ArgumentError(f"{name} holds class labels that are not whole numbers; pass integers 0..{outputs - 1} "
                                        f"or rows of {outputs} probabilities")
            elif labels.dtype.kind not in "iub":
                raise ArgumentError(f"{name} has dtype {labels.dtype}; pass class labels (integers or strings) or rows of targets")
            index = labels.astype(np.int64)
            if index.size and (index.min() < 0 or index.max() >= outputs):
                raise ArgumentError(f"{name} holds class labels outside 0..{outputs - 1}")
        onehot = np.zeros((rows, outputs), np.float32)
        onehot[np.arange(rows), index] = 1.0
        return onehot, fixed

    def forward(self, x: ArrayLike) -> NDArray[np.float32]:
        """Runs x forward, keeping the activations backward() needs; returns the outputs."""
        x, single = self._rows(x, self._sizes[0], "x")
        y = np.empty((x.shape[0], self._sizes[-1]), np.float32)
        check(lib.plexus_forward(self.handle, x.ctypes.data, x.shape[0], y.ctypes.data))
        self._forward_rows = x.shape[0]
        return y[0] if single else y

    def backward(self, y: ArrayLike) -> float:
        """Adds the gradient of the last forward batch's loss against targets y; returns the loss."""
        rows = getattr(self, "_forward_rows", None)
        y, fixed = self._targets(y, rows if rows is not None else np.atleast_2d(np.asarray(y)).shape[0])
        status, loss = _capi.backward(self.handle, y.ctypes.data, y.shape[0])
        check(status)
        self._fix_classes(fixed)
        return float(loss)

    def step(self) -> None:
        """Applies the optimizer to the accumulated gradients, then zeroes them."""
        check(lib.plexus_step(self.handle))

    def zero_grads(self) -> None:
        check(lib.plexus_zero_grads(self.handle))

    def predict(self, x: ArrayLike) -> NDArray[np.float32]:
        """Outputs for x without changing the network (1-D in, 1-D out); releases the GIL."""
        # One sample runs through this thread's buffers and a prepared call (_one_sample).
        # Assigning x to the row's memoryview succeeds only for a 1-D float32 buffer of the input
        # width (any other dtype, shape or length raises), so it is also the type check: numpy's
        # own checks and conversion cost more than the C call for a tiny net.
        one = getattr(self._scratch, "one", None)
        if one is not None:
            row, out, function, arguments = one
            try:
                row[:] = x
            except Exception:
                pass        # not a float32 row of the input width: the general path below
            else:
                status = function(*arguments)
                if status:
                    check(status)
                result: NDArray[np.float32] = out.copy()
                return result
        try:
            one_row = np.ndim(x) == 1
        except ValueError as error:   # a ragged list
            raise ArgumentError(f"x cannot be read as an array of numbers: {error}") from None
        if one_row:
            return self._predict_converted(x)
        x, single = self._rows(x, self._sizes[0], "x")
        y = np.empty((x.shape[0], self._sizes[-1]), np.float32)
        check(lib.plexus_predict(self.handle, x.ctypes.data, x.shape[0], y.ctypes.data))
        return y[0] if single else y

    __call__ = predict

    def _one_sample(self) -> tuple[memoryview, NDArray[np.float32], Any, tuple[Any, ...]]:
        """This thread's (row memoryview, output array, function, arguments) for one-sample
        predict: function(*arguments) is plexus_predict on those buffers (_capi.prepared_predict).
        Reading an array's address through ctypes costs about 1.5 µs and converting arguments
        0.3 µs, so both are done once per thread. close() drops every thread's buffers."""
        one = getattr(self._scratch, "one", None)
        if one is None:
            row, out = np.empty(self._sizes[0], np.float32), np.empty(self._sizes[-1], np.float32)
            function, arguments = prepared_predict(self.handle, row.ctypes.data, out.ctypes.data)
            one = self._scratch.one = (row.data, out, function, arguments)   # row.data: its memoryview
        return one

    def _predict_converted(self, x: ArrayLike) -> NDArray[np.float32]:
        """One 1-D sample that is not a float32 row (a list, float64, ...): converted by numpy."""
        row, out, function, arguments = self._one_sample()
        try:
            cast(NDArray[np.float32], row.obj)[:] = x
        except (ValueError, TypeError):
            raise ShapeError(f"x has shape {np.shape(x)}; this network expects ({self._sizes[0]},) "
                             f"or (batch, {self._sizes[0]})") from None
        check(function(*arguments))
        return out.copy()

    def close(self) -> None:
        # The prepared calls hold the handle's address: a closed network must not reach them.
        # (A shared empty object, not a new threading.local: close also runs from __del__ at
        # interpreter exit, when modules may already be torn down.)
        self._scratch = _NO_BUFFERS
        super().close()

    def train_step(self, x: ArrayLike, y: ArrayLike) -> float:
        """One update from the batch ``x`` (rows of inputs) and ``y`` (targets, or class labels
        for cross-entropy): forward with dropout, backward and step in one call. Returns the
        batch's loss before the update."""
        x, _ = self._rows(x, self._sizes[0], "x")
        y, fixed = self._targets(y, x.shape[0])
        status, loss = _capi.train_step(self.handle, x.ctypes.data, y.ctypes.data, x.shape[0])
        check(status)
        self._fix_classes(fixed)
        return float(loss)

    def fit(self, x: ArrayLike, y: ArrayLike, epochs: int, batch_size: int = 32, shuffle_seed: int = 0, progress: bool = True,
            callback: Callable[[int, float], object] | None = None, *, validation_data: Any = None,
            validation_split: float = 0.0, early_stopping: int = 0, restore_best: bool = True,
            sample_weight: ArrayLike | None = None, lr_schedule: Any = None, tol: float = 0.0,
            standardize: bool = False, classes: Sequence[str] | None = None) -> History:
        """Trains on ``x`` (rows of inputs) and ``y`` (targets; integer class labels become one-hot
        rows for cross-entropy) with the library's own loop: up to ``epochs`` passes of shuffled
        mini-batches of ``batch_size`` rows (forward, backward, step), the order drawn from
        ``shuffle_seed``; ``progress`` shows a bar (tqdm's when installed).

        ``validation_data=(x_val, y_val)``, or ``validation_split`` (the last fraction of the rows,
        taken before shuffling, as Keras does), is measured after every epoch.
        ``early_stopping=n`` stops once the validation loss (the training loss without validation
        data) has not improved for n epochs, an improvement being a fall of more than ``tol``
        below the best so far (scikit-learn's ``tol``, Keras's ``min_delta``; 0: any fall); ``restore_best`` then, and whenever validation data
        is given, ends with the parameters of the best epoch. ``sample_weight`` (one weight >= 0
        per row) makes each batch minimise the weighted mean loss. ``lr_schedule`` is None,
        ``("step", step_size, gamma)`` (torch StepLR) or ``("cosine", t_max, eta_min)`` (torch
        CosineAnnealingLR), stepped once per epoch.

        ``standardize=True`` first fits the input transform to the training rows (each column's
        mean and deviation, as StandardScaler) and, for an identity output layer, the output
        transform to the targets, replacing earlier ones: the network then takes raw rows and
        answers in the targets' units wherever it is saved or exported, and the losses reported
        are those of the standardised targets. Pass it on the first fit; a later fit that
        continues training should keep the transforms (standardize=False).

        String labels are mapped through ``classes``: the first fit fixes them (``classes=``, when
        given, else the training labels' names, sorted) and the validation labels and every later
        call use the same mapping; a label outside it raises ArgumentError. ``classes=`` on a
        network whose classes are already fixed must name the same ones.

        ``callback(epoch, mean_loss)`` runs after each epoch (epoch counts from 0), on the thread
        that runs the library's loop (not the caller's: the caller's thread waits, so that Ctrl-C
        reaches it); a truthy return value stops training early. An exception raised by the
        callback stops training and is re-raised here. Ctrl-C stops training before the next
        batch and raises KeyboardInterrupt here, the network holding the steps made so far (the
        best epoch's parameters when ``restore_best`` applies) and the exception's ``history``
        the epochs that ran to their end. Returns a History: a list of each epoch's mean training loss, with
        ``val_loss``, ``val_accuracy``, ``lr``, ``best_epoch`` and ``stopped_early`` beside it.
        """
        epochs = integer("epochs", epochs, 1)
        batch_size = integer("batch_size", batch_size, 1)
        shuffle_seed = integer("shuffle_seed", shuffle_seed, 0, UINT64_MAX)
        patience = integer("early_stopping", early_stopping, 0)
        pending = self._pending_classes(classes)
        x, _ = self._rows(x, self._sizes[0], "x")
        y, fixed = self._targets(y, x.shape[0], pending=pending)
        fixed = fixed or pending
        if validation_data is not None and validation_split:
            raise ArgumentError("pass validation_data or validation_split, not both")
        if not 0.0 <= float(validation_split) < 1.0:
            raise ArgumentError(f"validation_split is {validation_split}; pass a fraction in [0, 1)")
        weights = None
        if sample_weight is not None:
            weights = _floats(sample_weight, "sample_weight").reshape(-1)
            if weights.shape[0] != x.shape[0]:
                raise ShapeError(f"sample_weight has {weights.shape[0]} values but x has {x.shape[0]} rows")
        validation = None
        if validation_split:
            split = int(x.shape[0] * (1.0 - float(validation_split)))
            if split < 1 or split == x.shape[0]:
                raise ArgumentError(f"validation_split {validation_split} of {x.shape[0]} rows leaves no training or no validation rows")
            validation = (x[split:], y[split:])
            x, y = x[:split], y[:split]
            weights = None if weights is None else weights[:split]
        elif validation_data is not None:
            try:
                xv, yv = validation_data
            except (TypeError, ValueError):
                raise ArgumentError("validation_data is (x_val, y_val)") from None
            xv, _ = self._rows(xv, self._sizes[0], "validation x")
            validation = (xv, self._targets(yv, xv.shape[0], "validation y", pending=fixed)[0])
        schedule = _schedule_fields(lr_schedule)
        tolerance = float(tol)
        if not (np.isfinite(tolerance) and tolerance >= 0):
            raise ArgumentError(f"tol is {tol}; pass a finite number >= 0")
        # After every check of the arguments: a refused fit changes nothing.
        self._fix_classes(fixed)
        if standardize:
            self.fit_input_transform(x)
            if self._activations[-1] == "identity":
                self.fit_output_transform(y)
        # With a tolerance, this loop decides when to stop (the library counts any fall as an
        # improvement, so it would stop later, never earlier); it still keeps the best epoch.
        best = {"loss": np.inf, "epoch": -1, "stopped": False}
        history = History()
        failure: list[BaseException] = []
        bar = make_progress(epochs) if progress else None

        def on_epoch(epoch: int, loss: float, val_loss: float, val_accuracy: float) -> bool:
            try:
                history.append(float(loss))
                history.val_loss.append(float(val_loss))
                history.val_accuracy.append(float(val_accuracy))
                history.lr.append(self.optimizer["lr"])   # the epoch's rate: train_ex sets it per epoch
                if bar is not None:
                    bar.update(float(loss))
                if callback is not None and callback(int(epoch), float(loss)):
                    return True
                if tolerance > 0 and patience > 0:
                    monitored = float(val_loss) if validation is not None else float(loss)
                    if monitored < best["loss"] - tolerance:
                        best.update(loss=monitored, epoch=epoch)
                    elif epoch - best["epoch"] >= patience:
                        best["stopped"] = True
                        return True
                return False
            except BaseException as error:  # noqa: BLE001 - re-raised after the C loop returns
                failure.append(error)
                return True

        fields = dict(epochs=epochs, batch_size=batch_size, shuffle_seed=shuffle_seed,
                      patience=patience, restore_best=int(bool(restore_best) and (validation is not None or patience > 0)),
                      **schedule)
        if weights is not None:
            fields["sample_weight"] = weights.ctypes.data
        if validation is not None:
            fields.update(val_x=validation[0].ctypes.data, val_y=validation[1].ctypes.data, val_n=validation[0].shape[0])
        # The library's loop runs on a worker thread while this one waits, because Python
        # delivers Ctrl-C (SIGINT) to the main thread only, and only between bytecodes: a
        # KeyboardInterrupt here sets the run's cancel flag, the library stops before its next
        # batch, and the interrupt is raised once the run has ended cleanly.
        cancel = _capi.CancelFlag()
        fields["cancel"] = cancel.address
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                status, outcome["report"] = _capi.train_ex(self.handle, x.ctypes.data, y.ctypes.data, x.shape[0], on_epoch,
                                                           **fields)
                check(status)   # here: the library's message is this thread's
            except BaseException as error:  # noqa: BLE001 - re-raised on the calling thread
                outcome["error"] = error
            finally:
                done.set()

        # (An Event, not Thread.join: a join that a KeyboardInterrupt breaks can leave is_alive()
        # False while the thread still runs, in the CPython versions this supports.)
        # Any exception that reaches this thread while it waits (KeyboardInterrupt, or SystemExit
        # from a signal handler) stops the run the same way, and is raised once the worker is done:
        # the network is never left training behind the caller's back.
        interrupt: BaseException | None = None
        worker = threading.Thread(target=run, name="plexus-fit", daemon=True)
        try:
            worker.start()
            while not done.is_set():
                try:
                    while not done.wait(0.05):
                        pass
                except BaseException as error:  # noqa: BLE001 - raised below, after the run ends
                    interrupt = interrupt or error
                    cancel.set()
        finally:
            if bar is not None:
                bar.close()
        report = outcome.get("report")
        if report is not None:
            history.best_epoch = int(report["best_epoch"])
            history.stopped_early = bool(report["stopped_early"]) or bool(best["stopped"])
        if interrupt is not None:
            interrupt.history = history  # type: ignore[attr-defined]
            raise interrupt
        if "error" in outcome:
            raise outcome["error"]
        if failure:
            raise failure[0]
        return history

    # ----- parameters -------------------------------------------------------------------------
    def _check_layer(self, layer: int) -> int:
        layer = integer("layer", layer)
        if not 1 <= layer < len(self._sizes):
            raise ArgumentError(f"layer {layer} does not exist; weight layers are 1..{len(self._sizes) - 1} (0 is the input)")
        return layer

    def _weight_shapes(self, layer: int) -> tuple[tuple[int, ...], tuple[int, ...] | None]:
        """The shapes of layer ``layer``'s weight and bias (None without a bias): a Dense layer's W
        (sizes[l], sizes[l-1]) and b, a LayerNorm's weight and bias (its features,)."""
        kind = self._kinds[layer - 1]
        if isinstance(kind, LayerNormLayer):
            width = (self._shapes[layer][-1],)
            return width, (width if kind.elementwise_affine else None)
        shape = (self._sizes[layer], self._sizes[layer - 1])
        return shape, ((shape[0],) if getattr(kind, "bias", False) else None)

    def get_weights(self, layer: int) -> tuple[NDArray[np.float32], NDArray[np.float32] | None]:
        """(W, b) of layer 1..L: a Dense layer's W of shape (sizes[l], sizes[l-1]) and b (None
        without biases), or a LayerNorm's weight and bias, each of shape (features,)."""
        layer = self._check_layer(layer)
        w_shape, b_shape = self._weight_shapes(layer)
        w = np.empty(w_shape, np.float32)
        b = np.empty(b_shape, np.float32) if b_shape is not None else None
        check(lib.plexus_get_weights(self.handle, layer, w.ctypes.data, None if b is None else b.ctypes.data))
        return w, b

    def set_weights(self, layer: int, w: ArrayLike, b: ArrayLike | None = None) -> None:
        """Replaces layer ``layer``'s weights ``w`` and, when ``b`` is given, its biases: a Dense
        layer's W of shape (sizes[l], sizes[l-1]) and b (sizes[l],), or a LayerNorm's weight and
        bias, each (features,)."""
        layer = self._check_layer(layer)
        shape, b_shape = self._weight_shapes(layer)
        w_array = _floats(w, "w")
        if w_array.shape != shape:
            raise ShapeError(f"w has shape {w_array.shape}; layer {layer} needs {shape}")
        b_address = None
        if b is not None:
            b_array = _floats(b, "b")
            if b_array.shape != (shape[0],):
                raise ShapeError(f"b has shape {b_array.shape}; layer {layer} needs ({shape[0]},)")
            b_address = b_array.ctypes.data
        check(lib.plexus_set_weights(self.handle, layer, w_array.ctypes.data, b_address))

    def _tensor_shapes(self) -> dict[str, tuple[int, ...]]:
        """Each parameter tensor's name and shape, in parameter order (plexus_get_tensor's names)."""
        shapes: dict[str, tuple[int, ...]] = {}
        for number in range(1, len(self._shapes)):
            kind = self._kinds[number - 1]
            if isinstance(kind, (Dense, LayerNormLayer)):
                weight, bias = self._weight_shapes(number)
                if isinstance(kind, LayerNormLayer) and not kind.elementwise_affine:
                    continue
                shapes[f"layers.{number}.weight"] = weight
                if bias is not None:
                    shapes[f"layers.{number}.bias"] = bias
        return shapes

    def state_dict(self) -> dict[str, NDArray[np.float32]]:
        """Every parameter tensor by name, as PyTorch's ``state_dict`` (copies): "layers.{i}.weight"
        and "layers.{i}.bias" with i the layer's number, a Dense layer's weight of shape
        (units, inputs), a LayerNorm's weight and bias of shape (features,)."""
        return {name: self.get_tensor(name) for name in self._tensor_shapes()}

    def load_state_dict(self, state: Mapping[str, ArrayLike]) -> None:
        """Replaces the tensors of ``state`` (names and shapes as ``state_dict`` gives them), every
        one of this network's and no other; nothing changes when one is refused."""
        shapes = self._tensor_shapes()
        missing, unknown = sorted(set(shapes) - set(state)), sorted(set(state) - set(shapes))
        if missing or unknown:
            raise ArgumentError(f"state has {len(unknown)} unknown tensor(s) {unknown[:4]} and lacks {missing[:4]}; "
                                f"this network's are {list(shapes)[:6]}")
        arrays = {name: _floats(values, name) for name, values in state.items()}
        for name, array in arrays.items():
            if array.shape != shapes[name]:
                raise ShapeError(f"{name} has shape {array.shape}; this network's is {shapes[name]}")
            if not np.isfinite(array).all():
                raise ArgumentError(f"{name} holds a value that is not finite")
        for name, array in arrays.items():
            self.set_tensor(name, array)

    def get_tensor(self, name: str) -> NDArray[np.float32]:
        """The parameter tensor ``name`` (see ``state_dict``), a copy in its shape."""
        status, count = _capi.tensor_count(self.handle, str(name).encode())
        check(status)
        shape = self._tensor_shapes().get(name, (count,))
        out = np.empty(shape, np.float32)
        check(lib.plexus_get_tensor(self.handle, name.encode(), out.ctypes.data, out.size, None))
        return out

    def set_tensor(self, name: str, values: ArrayLike) -> None:
        """Replaces the parameter tensor ``name`` from ``values``, of its shape (see ``state_dict``)."""
        array = _floats(values, "values")
        shape = self._tensor_shapes().get(name)
        if shape is not None and array.shape != shape:
            raise ShapeError(f"values have shape {array.shape}; {name} has shape {shape}")
        check(lib.plexus_set_tensor(self.handle, str(name).encode(), array.ctypes.data, array.size))

    def _flat(self, getter: _capi.CFunction) -> NDArray[np.float32]:
        out = np.empty(self._param_count, np.float32)
        check(getter(self.handle, out.ctypes.data))
        return out

    def _set_flat(self, setter: _capi.CFunction, values: ArrayLike, name: str) -> None:
        array = _floats(values, name).reshape(-1) if np.ndim(values) <= 1 else None
        if array is None or array.shape[0] != self._param_count:
            raise ShapeError(f"{name} has shape {np.shape(values)}; this network needs ({self._param_count},)")
        check(setter(self.handle, array.ctypes.data))

    @property
    def params(self) -> NDArray[np.float32]:
        """Every parameter as one flat float32 copy, in the order W1, b1, W2, b2, …"""
        return self._flat(lib.plexus_get_params)

    @params.setter
    def params(self, values: ArrayLike) -> None:
        self._set_flat(lib.plexus_set_params, values, "params")

    @property
    def grads(self) -> NDArray[np.float32]:
        """Every accumulated gradient, flat, in parameter order."""
        return self._flat(lib.plexus_get_grads)

    @grads.setter
    def grads(self, values: ArrayLike) -> None:
        self._set_flat(lib.plexus_set_grads, values, "grads")

    # ----- preprocessing and metadata ---------------------------------------------------------
    def _transform(self, side: int) -> Transform | None:
        width = self._sizes[0] if side == _INPUTS else self._sizes[-1]
        shift, scale, present = np.empty(width, np.float32), np.empty(width, np.float32), np.zeros(1, np.intc)
        check(lib.plexus_get_transform(self.handle, side, shift.ctypes.data, scale.ctypes.data, present.ctypes.data))
        return Transform(shift=shift, scale=scale) if present[0] else None

    def _set_transform(self, side: int, shift: ArrayLike | None, scale: ArrayLike | None) -> "Network":
        """plexus_set_transform from ``shift`` and ``scale`` (one each per input or output); both
        None removes the transform."""
        which, width = ("input", self._sizes[0]) if side == _INPUTS else ("output", self._sizes[-1])
        if shift is None and scale is None:
            check(lib.plexus_set_transform(self.handle, side, None, None))
            return self
        if shift is None or scale is None:
            raise ArgumentError(f"pass both shift and scale to set the {which} transform, or neither to remove it")
        arrays = []
        for name, values in (("shift", shift), ("scale", scale)):
            array = _floats(values, name).reshape(-1) if np.ndim(values) <= 1 else None
            if array is None or array.shape[0] != width:
                raise ShapeError(f"{name} has shape {np.shape(values)}; the {which} transform needs ({width},), one per {which}")
            arrays.append(array)
        check(lib.plexus_set_transform(self.handle, side, arrays[0].ctypes.data, arrays[1].ctypes.data))
        return self

    @property
    def input_transform(self) -> Transform | None:
        """The map every input row goes through before the first layer, ``x' = (x - shift) * scale``,
        as a ``Transform(shift, scale)`` of copies; None without one. It is saved with the model
        and applied by predict, the C library, ONNX and the generated C alike."""
        return self._transform(_INPUTS)

    def set_input_transform(self, *, shift: ArrayLike | None, scale: ArrayLike | None) -> "Network":
        """Sets the input transform from ``shift`` and ``scale`` (keywords; one of each per input,
        every scale finite and non-zero); ``shift=None, scale=None`` removes it. Returns the
        network."""
        return self._set_transform(_INPUTS, shift, scale)

    @property
    def output_transform(self) -> Transform | None:
        """The map applied to the outputs, ``y = y' * scale + shift`` (training maps its targets
        by the inverse, so losses are measured in the transformed space); None without one."""
        return self._transform(_OUTPUTS)

    def set_output_transform(self, *, shift: ArrayLike | None, scale: ArrayLike | None) -> "Network":
        """Sets the output transform from ``shift`` and ``scale`` (keywords, as for the inputs: one
        of each per output; identity output layers only); ``shift=None, scale=None`` removes it.
        Returns the network. (Before 0.11.0 it took (scale, shift) by position, which now fails
        loudly instead of mis-scaling.)"""
        return self._set_transform(_OUTPUTS, shift, scale)

    def fit_input_transform(self, x: ArrayLike) -> "Network":
        """Sets the input transform that standardises ``x``: each column's mean and 1 / its
        standard deviation (population, as StandardScaler; 1 for a constant column)."""
        x, _ = self._rows(x, self._sizes[0], "x")
        check(lib.plexus_fit_transform(self.handle, _INPUTS, x.ctypes.data, x.shape[0]))
        return self

    def fit_output_transform(self, y: ArrayLike) -> "Network":
        """Sets the output transform that standardises the targets ``y`` (identity output layers
        only): the network then fits targets of mean 0 and deviation 1 and answers in y's units."""
        raw = np.asarray(y)
        rows = raw.shape[0] if raw.ndim >= 1 else 1
        y, _ = self._targets(y, rows)
        check(lib.plexus_fit_transform(self.handle, _OUTPUTS, y.ctypes.data, y.shape[0]))
        return self

    @property
    def metadata(self) -> Metadata:
        """The model's own key-value strings, saved in its file: ``net.metadata["units"] = "kPa"``."""
        return Metadata(self)

    # ----- model files ------------------------------------------------------------------------
    def save(self, path: Union[str, "os.PathLike[str]"], weights_only: bool = False) -> None:
        """Saves the network, loss, optimizer state and training settings to the model file at
        ``path``, atomically. ``weights_only=True`` leaves the optimizer's state out: the file
        predicts and exports as the full one (bitwise), is about a third of its size with Adam,
        and training it starts the optimizer afresh."""
        if weights_only:
            check(_capi.save_ex(self.handle, os.fsencode(path), True))
        else:
            check(lib.plexus_save(self.handle, os.fsencode(path)))

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"]) -> "Network":
        """Loads a model file written by Plexus from any language (or in the documented format)."""
        status, handle = _capi.load(os.fsencode(path))
        check(status)
        return cls._from_handle(handle)

    @classmethod
    def from_state_dict(cls, sizes: Sequence[int], activations: Sequence[str] | str, state_dict: Mapping[str, Any],
                        loss: str = "mse") -> "Network":
        """A network from weights named as an `nn.Sequential` names them (`0.weight`, `0.bias`,
        `2.weight`, …: the module index, in order), as numpy arrays or torch tensors (for example
        from `safetensors.numpy.load_file` on a file PyTorch saved). Shapes must agree with `sizes`."""
        indexes = sorted({int(m.group(1)) for key in state_dict if (m := re.fullmatch(r"(\d+)\.weight", key))})
        layers = len(sizes) - 1
        if len(indexes) != layers:
            raise ShapeError(f"the state dict has {len(indexes)} weight tensors ({', '.join(f'{i}.weight' for i in indexes)}) "
                             f"but sizes {list(sizes)} need {layers}")
        has_bias = {f"{i}.bias" in state_dict for i in indexes}
        if len(has_bias) != 1:
            raise ArgumentError("either every layer has a bias in the state dict or none does")
        known = {f"{i}.{kind}" for i in indexes for kind in ("weight", "bias")}
        unknown = sorted(set(state_dict) - known)
        if unknown:
            raise ArgumentError(f"the state dict holds tensors that are not Linear weights or biases: {', '.join(unknown)}")
        net = cls(sizes, activations, loss=loss, bias=has_bias.pop(), seed=0)
        for layer, index in enumerate(indexes, start=1):
            w = tensor_array(state_dict[f"{index}.weight"])
            b = tensor_array(state_dict[f"{index}.bias"]) if net.bias else None
            if w.shape != (sizes[layer], sizes[layer - 1]):
                raise ShapeError(f"{index}.weight has shape {w.shape}; layer {layer} needs ({sizes[layer]}, {sizes[layer - 1]})")
            net.set_weights(layer, w, b)
        return net

    def export_onnx(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes the network to ``path`` as an ONNX model (input "input", output "output", dynamic
        batch)."""
        check(lib.plexus_export_onnx(self.handle, os.fsencode(path)))

    def export_c(self, directory: Union[str, "os.PathLike[str]"], name: str, quantize: Optional[str] = None,
                 calibration: Optional[ArrayLike] = None, train_step: bool = False,
                 max_parameters: int = 0) -> Optional[QuantizedModel]:
        """Writes the network as dependency-free C99, ``directory/NAME.h`` and ``directory/NAME.c``
        (``int NAME_predict(const float *x, float *y)`` and ``NAME_predict_batch``; docs/deploying.md).

        Parameters:
            directory: an existing folder; both files are replaced atomically.
            name: a C identifier of at most 17 characters that prefixes every generated symbol.
            quantize: None for float32 code (bitwise ``predict`` for one row of a network whose
                layers all have inputs·outputs < 512), or "int8" for integer code (needs calibration).
            calibration: (rows, inputs) representative inputs for "int8", such as 500 training rows.
            train_step: float32 only; also write ``NAME_train_step(x, y, lr)``, plain SGD at batch 1.
            max_parameters: refuse networks with more parameters; 0 means 1,000,000.

        Returns the int8 model (for ``plexus.quantize.simulate``) with quantize="int8", else None.
        Raises ArgumentError for a bad name, option or network size; FileError when the folder
        cannot be written.
        """
        if quantize not in (None, "int8"):
            raise ArgumentError(f"quantize is {quantize!r}; pass None for float32 code or \"int8\"")
        if quantize is not None and calibration is None:
            raise ArgumentError("quantize=\"int8\" needs calibration rows: pass calibration=x_train[:500]")
        if quantize is None and calibration is not None:
            raise ArgumentError("calibration is only used with quantize=\"int8\"; drop it or pass quantize=\"int8\"")
        max_parameters = integer("max_parameters", max_parameters)
        folder, c_name = os.fsencode(directory), os.fsencode(name)
        if quantize is None:
            check(_capi.export_c(self.handle, folder, c_name, 0, train_step, max_parameters))
            return None
        with quantized_handle(self, cast(ArrayLike, calibration)) as (q, model):
            check(_capi.export_c(self.handle, folder, c_name, q, train_step, max_parameters))
        return model

    def to_bytes(self) -> bytes:
        """The model file's bytes."""
        status, data = _capi.save_buffer(self.handle)
        check(status)
        return data

    @classmethod
    def from_bytes(cls, data: bytes) -> "Network":
        """A network from a model file's bytes."""
        status, handle = _capi.load_buffer(bytes(data))
        check(status)
        return cls._from_handle(handle)

    def __getstate__(self) -> dict[str, bytes]:
        return {"model": self.to_bytes()}

    def __setstate__(self, state: dict[str, bytes]) -> None:
        status, handle = _capi.load_buffer(bytes(state["model"]))
        check(status)
        self._adopt(handle)
