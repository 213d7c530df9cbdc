"""The layers a network is built from, one class per kind of the C API's ``plexus_layer_kind``:

>>> import plexus
>>> from plexus.layers import Dense, Dropout
>>> net = plexus.Network([Dense(64, "relu"), Dropout(0.2), Dense(10, "softmax")], input_shape=64,
...                      loss="cross_entropy", seed=1)
>>> [layer.output_shape for layer in net.layers]
[(64,), (64,), (10,)]

A layer object holds its settings; the ones ``Network.layers`` returns also hold their place in
the network: ``number`` (1..L), ``input_shape``, ``output_shape`` and ``param_count``. Shapes are
channels-first, as in PyTorch and ONNX, and a row of a batch is the input flattened.

Each class owns its kind: its settings, their checks, and how they travel in a ``plexus_layer``
struct (``_to_fields`` / ``_from_fields``); ``_KINDS`` maps the C kinds to the classes.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar

from . import _capi
from ._checks import integer
from ._tables import ACTIVATIONS, LAYER_KINDS, NO_AFFINE, NO_BIAS
from .errors import ArgumentError

__all__ = ["Layer", "Dense", "Dropout", "LayerNorm"]


class Layer:
    """What every kind shares: the C kind, equality by settings, and the place in a network."""

    kind: ClassVar[str]
    #: Set on the layers ``Network.layers`` returns (None on a layer not yet in a network).
    number: int | None = None
    input_shape: tuple[int, ...] | None = None
    output_shape: tuple[int, ...] | None = None

    def _settings(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def _fill(self, fields: _capi.LayerFields) -> None:
        raise NotImplementedError

    @classmethod
    def _from_fields(cls, fields: _capi.LayerFields) -> "Layer":
        raise NotImplementedError

    @property
    def param_count(self) -> int:
        """The floats of this layer's tensors (0 for a kind that holds none)."""
        return 0

    def _to_fields(self) -> _capi.LayerFields:
        fields = _capi.new_layer_fields(LAYER_KINDS.index(self.kind))
        self._fill(fields)
        return fields

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Layer) and type(other) is type(self) and self._settings() == other._settings()

    def __hash__(self) -> int:
        return hash((type(self), self._settings()))


class Dense(Layer):
    """A fully-connected layer of ``units`` outputs: z = W·x + b, then ``activation`` (one of
    ``plexus.ACTIVATIONS``), computed together. W has shape (units, inputs), as PyTorch's
    ``Linear.weight``; ``bias=False`` leaves out b. It takes a flat input."""

    kind = "dense"

    def __init__(self, units: int, activation: str = "identity", bias: bool = True):
        self.units = integer("units", units, 1, 2**31 - 1)
        if activation not in ACTIVATIONS:
            raise ArgumentError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}")
        if not isinstance(bias, bool):
            raise TypeError(f"bias must be True or False, not {type(bias).__name__}")
        self.activation = activation
        self.bias = bias

    def _settings(self) -> tuple[Any, ...]:
        return (self.units, self.activation, self.bias)

    def _fill(self, fields: _capi.LayerFields) -> None:
        fields.units = self.units
        fields.activation = ACTIVATIONS.index(self.activation)
        fields.flags = 0 if self.bias else NO_BIAS

    @classmethod
    def _from_fields(cls, fields: _capi.LayerFields) -> "Dense":
        return cls(int(fields.units), ACTIVATIONS[fields.activation], fields.flags & NO_BIAS == 0)

    @property
    def param_count(self) -> int:
        if self.input_shape is None:
            return 0
        return self.units * math.prod(self.input_shape) + (self.units if self.bias else 0)

    def __repr__(self) -> str:
        return f"Dense({self.units}, {self.activation!r}{'' if self.bias else ', bias=False'})"


class Dropout(Layer):
    """Drops each input with probability ``rate`` while training and scales the kept ones by
    1/(1 - rate) (``torch.nn.Dropout``); the identity in ``predict`` and every export. It follows
    a dense layer and is not the last layer."""

    kind = "dropout"

    def __init__(self, rate: float = 0.5):
        if isinstance(rate, bool) or not isinstance(rate, (int, float)):
            raise TypeError(f"rate must be a number, not {type(rate).__name__}")
        if not 0 <= rate < 1:
            raise ArgumentError(f"rate is {rate}; pass a value in [0, 1), such as 0.2")
        self.rate = _capi.float32(rate)     # what the library keeps

    def _settings(self) -> tuple[Any, ...]:
        return (self.rate,)

    def _fill(self, fields: _capi.LayerFields) -> None:
        fields.rate = self.rate

    @classmethod
    def _from_fields(cls, fields: _capi.LayerFields) -> "Dropout":
        return cls(float(fields.rate))

    def __repr__(self) -> str:
        return f"Dropout({self.rate:.6g})"


class LayerNorm(Layer):
    """``torch.nn.LayerNorm`` over the last dimension (a row's features, for a flat input): the
    values less their mean, divided by sqrt(biased variance + ``eps``), then times a weight and
    plus a bias of that size (ones and zeros at first) when ``elementwise_affine``. Not the last
    layer. Its sums are float32 in ascending order (docs/layers.md)."""

    kind = "layer_norm"

    def __init__(self, eps: float = 1e-5, elementwise_affine: bool = True):
        if isinstance(eps, bool) or not isinstance(eps, (int, float)):
            raise TypeError(f"eps must be a number, not {type(eps).__name__}")
        if not (math.isfinite(eps) and eps > 0):
            raise ArgumentError(f"eps is {eps}; pass a small positive number, such as 1e-5")
        if not isinstance(elementwise_affine, bool):
            raise TypeError(f"elementwise_affine must be True or False, not {type(elementwise_affine).__name__}")
        self.eps = _capi.float32(eps)     # what the library keeps
        self.elementwise_affine = elementwise_affine

    def _settings(self) -> tuple[Any, ...]:
        return (self.eps, self.elementwise_affine)

    def _fill(self, fields: _capi.LayerFields) -> None:
        fields.eps = self.eps
        fields.flags = 0 if self.elementwise_affine else NO_AFFINE

    @classmethod
    def _from_fields(cls, fields: _capi.LayerFields) -> "LayerNorm":
        return cls(float(fields.eps), fields.flags & NO_AFFINE == 0)

    @property
    def param_count(self) -> int:
        if self.input_shape is None or not self.elementwise_affine:
            return 0
        return 2 * self.input_shape[-1]

    def __repr__(self) -> str:
        return f"LayerNorm(eps={self.eps:.6g}{'' if self.elementwise_affine else ', elementwise_affine=False'})"


#: The class of each C layer kind, in the order of ``plexus_layer_kind``.
_KINDS: tuple[type[Layer], ...] = (Dense, Dropout, LayerNorm)
assert tuple(kind.kind for kind in _KINDS) == LAYER_KINDS


def from_fields(fields: _capi.LayerFields) -> Layer:
    """The layer a ``plexus_layer`` struct describes."""
    layer: Layer = _KINDS[fields.kind]._from_fields(fields)
    return layer
