"""`plexus.Graph`: computational graphs whose nodes combine with Python operators.

>>> import plexus
>>> g = plexus.Graph()
>>> price, count, tax = g.param(100), g.param(2), g.param(1.1)
>>> total = price * count * tax
>>> g.forward(); g.backward(total)
>>> [round(x, 3) for x in (total.item(), price.grad.item(), count.grad.item(), tax.grad.item())]
[220.0, 2.2, 110.0, 200.0]
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _capi
from ._capi import lib
from ._checks import integer
from ._tables import ACTIVATIONS, LOSSES
from .errors import ArgumentError, ShapeError, check
from .handle import OwnedHandle
from .optimizers import OptimizerMethods

__all__ = ["Graph", "Node"]


def _matrix(values: ArrayLike) -> NDArray[np.float32]:
    """values as a C-contiguous float32 matrix; scalars become 1x1 and vectors one row."""
    array = np.ascontiguousarray(values, dtype=np.float32)
    if array.ndim == 0:
        return array.reshape(1, 1)
    if array.ndim == 1:
        return array.reshape(1, -1)
    if array.ndim != 2:
        raise ShapeError(f"graph values are at most 2-D; got shape {array.shape}")
    return array


class Node:
    """A node of a Graph. Combine nodes with + - * / @ (numbers become constants), ** 2, and the
    graph's functions; read ``value`` after ``forward`` and ``grad`` after ``backward``."""

    __slots__ = ("graph", "id")

    def __init__(self, graph: "Graph", node_id: int) -> None:
        self.graph, self.id = graph, node_id

    @property
    def shape(self) -> tuple[int, int]:
        status, shape = _capi.graph_shape(self.graph.handle, self.id)
        check(status)
        return shape

    def _read(self, function: _capi.CFunction) -> NDArray[np.float32]:
        out = np.empty(self.shape, np.float32)
        check(function(self.graph.handle, self.id, out.ctypes.data))
        return out

    @property
    def value(self) -> NDArray[np.float32]:
        return self._read(lib.plexus_graph_value)

    @value.setter
    def value(self, values: ArrayLike) -> None:
        self.set(values)

    @property
    def grad(self) -> NDArray[np.float32]:
        return self._read(lib.plexus_graph_grad)

    def item(self) -> float:
        """The value of a 1x1 node as a Python float."""
        return float(self.value.item())

    def set(self, values: ArrayLike) -> "Node":
        """Sets an input, constant or parameter node; returns the node."""
        array = _matrix(values)
        if array.shape != self.shape:
            raise ShapeError(f"node {self.id} is {self.shape[0]}x{self.shape[1]}; values have shape {array.shape}")
        check(lib.plexus_graph_set_value(self.graph.handle, self.id, array.ctypes.data))
        return self

    def _other(self, other: "Node | ArrayLike") -> "Node":
        if isinstance(other, Node):
            if other.graph is not self.graph:
                raise ArgumentError("nodes of two different graphs cannot be combined")
            return other
        return self.graph.constant(other)

    def _binary(self, function: _capi.CFunction, other: "Node | ArrayLike", reverse: bool = False) -> "Node":
        other = self._other(other)
        a, b = (other, self) if reverse else (self, other)
        return self.graph._build(function, a.id, b.id)

    def __add__(self, other: Any) -> "Node": return self._binary(lib.plexus_graph_add, other)
    def __radd__(self, other: Any) -> "Node": return self._binary(lib.plexus_graph_add, other, True)
    def __sub__(self, other: Any) -> "Node": return self._binary(lib.plexus_graph_sub, other)
    def __rsub__(self, other: Any) -> "Node": return self._binary(lib.plexus_graph_sub, other, True)
    def __mul__(self, other: Any) -> "Node": return self._binary(lib.plexus_graph_mul, other)
    def __rmul__(self, other: Any) -> "Node": return self._binary(lib.plexus_graph_mul, other, True)
    def __truediv__(self, other: Any) -> "Node": return self._binary(lib.plexus_graph_div, other)
    def __rtruediv__(self, other: Any) -> "Node": return self._binary(lib.plexus_graph_div, other, True)
    def __matmul__(self, other: Any) -> "Node": return self._binary(lib.plexus_graph_matmul, other)
    def __rmatmul__(self, other: Any) -> "Node": return self._binary(lib.plexus_graph_matmul, other, True)
    def __neg__(self) -> "Node": return self._binary(lib.plexus_graph_mul, -1.0)

    def __pow__(self, exponent: Any) -> "Node":
        if exponent != 2:
            raise ArgumentError(f"only ** 2 is supported (square); got ** {exponent!r}")
        return self.graph._build(lib.plexus_graph_square, self.id)

    def __repr__(self) -> str:
        return f"<plexus.Node {self.id} of shape {self.shape[0]}x{self.shape[1]}>"


class Graph(OptimizerMethods, OwnedHandle):
    """A static computational graph: build nodes once, then ``forward()`` and ``backward(node)``
    as often as needed. See include/plexus.h for the operations' exact rules."""

    _kind = "graph"
    _release = staticmethod(lib.plexus_graph_free)
    _optimizer_setter = staticmethod(lib.plexus_graph_set_optimizer)
    _optimizer_getter = staticmethod(lib.plexus_graph_get_optimizer_options)

    def __init__(self) -> None:
        status, handle = _capi.graph_create()
        check(status)
        self._handle = handle

    def _build(self, function: _capi.CFunction, *args: Any) -> Node:
        status, node = _capi.graph_node(function, self.handle, *args)
        check(status)
        return Node(self, node)

    # leaves
    def input(self, rows: int, cols: int = 1) -> Node:
        """A ``rows`` x ``cols`` value set with ``node.set(...)`` before each forward."""
        return self._build(lib.plexus_graph_input, integer("rows", rows, 1), integer("cols", cols, 1))

    def constant(self, values: ArrayLike) -> Node:
        """A fixed value: ``values`` (a number, a vector as one row, or a matrix)."""
        array = _matrix(values)
        return self._build(lib.plexus_graph_constant, array.shape[0], array.shape[1], array.ctypes.data)

    def param(self, values: ArrayLike) -> Node:
        """A trainable value starting at ``values``: ``step()`` updates it."""
        array = _matrix(values)
        return self._build(lib.plexus_graph_param, array.shape[0], array.shape[1], array.ctypes.data)

    # operations that are not operators
    def sum(self, node: Node) -> Node:
        """The 1x1 sum of ``node``'s values."""
        return self._build(lib.plexus_graph_sum, node.id)

    def mean(self, node: Node) -> Node:
        """The 1x1 mean of ``node``'s values."""
        return self._build(lib.plexus_graph_mean, node.id)

    def exp(self, node: Node) -> Node:
        """e to the power of each of ``node``'s values."""
        return self._build(lib.plexus_graph_exp, node.id)

    def log(self, node: Node) -> Node:
        """The natural logarithm of each of ``node``'s values."""
        return self._build(lib.plexus_graph_log, node.id)

    def square(self, node: Node) -> Node:
        """Each of ``node``'s values squared (also ``node ** 2``)."""
        return self._build(lib.plexus_graph_square, node.id)

    def activation(self, name: str, node: Node) -> Node:
        """The activation ``name`` (one of plexus.ACTIVATIONS) applied to ``node``."""
        if name not in ACTIVATIONS:
            raise ArgumentError(f"activation {name!r} is not one of {', '.join(ACTIVATIONS)}")
        return self._build(lib.plexus_graph_activation, ACTIVATIONS.index(name), node.id)

    def loss(self, name: str, prediction: Node, target: Node) -> Node:
        """The 1x1 loss ``name`` (one of plexus.LOSSES) of ``prediction`` against ``target``;
        cross_entropy and binary_cross_entropy take logits."""
        if name not in LOSSES:
            raise ArgumentError(f"loss {name!r} is not one of {', '.join(LOSSES)}")
        return self._build(lib.plexus_graph_loss, LOSSES.index(name), prediction.id, target.id)

    # passes and training
    def forward(self) -> None:
        check(lib.plexus_graph_forward(self.handle))

    def backward(self, root: Node) -> None:
        """Gradients of the 1x1 node root with respect to every node."""
        check(lib.plexus_graph_backward(self.handle, root.id))

    def step(self) -> None:
        """Updates every param node from the last backward's gradients."""
        check(lib.plexus_graph_step(self.handle))
