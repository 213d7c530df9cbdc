"""Bringing PyTorch MLPs into Plexus: `from_torch(module)`, and `from_state_dict` (the same as
`Network.from_state_dict`, which needs only numpy arrays).

torch is imported only when `from_torch` is called."""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from .errors import ArgumentError, ShapeError
from .layers import Dense, Dropout, Layer
from .network import Network, tensor_array

__all__ = ["from_torch", "from_state_dict"]


def _torch_activation(layer: Any, index: int) -> str:
    """The Plexus activation that equals torch module `layer`, or ArgumentError saying why none does."""
    import torch.nn as nn  # type: ignore[import-not-found,unused-ignore]

    # torch module → (Plexus name, whether its settings are the ones Plexus computes)
    supported: dict[Any, tuple[str, Callable[[Any], bool]]] = {
        nn.Sigmoid: ("sigmoid", lambda m: True),
        nn.Tanh: ("tanh", lambda m: True),
        nn.ReLU: ("relu", lambda m: True),
        nn.LeakyReLU: ("leaky_relu", lambda m: abs(m.negative_slope - 0.01) <= 1e-12),
        nn.Softmax: ("softmax", lambda m: m.dim in (-1, 1)),
        nn.GELU: ("gelu", lambda m: m.approximate == "none"),
        nn.ELU: ("elu", lambda m: m.alpha == 1.0),
        nn.SiLU: ("silu", lambda m: True),
        nn.Softplus: ("softplus", lambda m: m.beta == 1.0 and m.threshold == 20.0),
    }
    entry = supported.get(type(layer))
    if entry is None:
        raise ArgumentError(f"module {index} ({layer!r}) is not supported; use Linear, Identity, Sigmoid, Tanh, "
                            "ReLU, LeakyReLU(0.01), Softmax(dim=-1), GELU(), ELU(), SiLU() or Softplus()")
    name, settings_match = entry
    if not settings_match(layer):
        raise ArgumentError(f"module {index} ({layer!r}): Plexus's {name} has torch's default settings only "
                            "(LeakyReLU slope 0.01, Softmax on the last dimension, exact GELU, ELU alpha 1, "
                            "Softplus beta 1 and threshold 20)")
    return str(name)


def from_torch(module: Any) -> Network:
    """A Network with the same layers, weights and activations as an `nn.Sequential` of `Linear`
    layers (with or without biases, each its own), `Dropout`, `Flatten` of a flat input (a no-op
    there) and `Sigmoid`, `Tanh`, `ReLU`, `LeakyReLU(0.01)`, `Softmax(dim=-1 or 1)`, `GELU()`,
    `ELU()`, `SiLU()`, `Softplus()` or `Identity` modules. Anything else raises ArgumentError
    naming the module. The network is built by layers (`plexus.layers`): a `Linear` and the
    activation after it become one `Dense`, a `Dropout` a `Dropout`."""
    import torch.nn as nn  # type: ignore[import-not-found,unused-ignore]

    linears: list[Any] = []
    activations: list[str] = []
    dropouts: dict[int, float] = {}      # the Linear (by index) whose outputs a Dropout drops
    for index, layer in enumerate(module.children() if isinstance(module, nn.Sequential) else [module]):
        if isinstance(layer, nn.Linear):
            if len(activations) < len(linears):
                activations.append("identity")     # two Linear layers in a row
            linears.append(layer)
            continue
        if isinstance(layer, (nn.Identity, nn.Flatten)):
            if isinstance(layer, nn.Flatten) and layer.start_dim not in (1, -1):
                raise ArgumentError(f"module {index} ({layer!r}) flattens the batch dimension; Plexus takes rows")
            continue
        if isinstance(layer, nn.Dropout):
            if not linears or len(linears) - 1 in dropouts:
                raise ArgumentError(f"module {index} ({layer!r}) does not follow a Linear layer (and its activation)")
            if len(activations) < len(linears):
                activations.append("identity")
            dropouts[len(linears) - 1] = float(layer.p)
            continue
        kind = _torch_activation(layer, index)
        if not linears or len(activations) == len(linears):
            raise ArgumentError(f"module {index} ({layer!r}) does not follow a Linear layer")
        activations.append(kind)
    if not linears:
        raise ArgumentError("the module has no Linear layer")
    if len(activations) < len(linears):
        activations.append("identity")
    if len(linears) - 1 in dropouts:
        raise ArgumentError("the module ends with Dropout; Plexus's last layer gives the outputs (drop the Dropout)")
    for i, (a, b) in enumerate(zip(linears, linears[1:])):
        if a.out_features != b.in_features:
            raise ShapeError(f"Linear layer {i} gives {a.out_features} features but the next takes {b.in_features}")
    layers: list[Layer] = []
    for i, (linear, activation) in enumerate(zip(linears, activations)):
        layers.append(Dense(linear.out_features, activation, bias=linear.bias is not None))
        if i in dropouts:
            layers.append(Dropout(dropouts[i]))
    net = Network(layers, input_shape=linears[0].in_features, seed=0)
    numbers = [layer.number for layer in net.layers if isinstance(layer, Dense)]
    for number, linear in zip(numbers, linears):
        net.set_weights(number, tensor_array(linear.weight), None if linear.bias is None else tensor_array(linear.bias))
    return net


def from_state_dict(sizes: Sequence[int], activations: Sequence[str] | str, state_dict: Mapping[str, Any],
                    loss: str = "mse") -> Network:
    """`Network.from_state_dict`: a Network from weights named as an `nn.Sequential` names them."""
    return Network.from_state_dict(sizes, activations, state_dict, loss)
