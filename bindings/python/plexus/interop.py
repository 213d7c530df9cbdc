"""Bringing PyTorch MLPs into Plexus: `from_torch(module)`, and `from_state_dict` (the same as
`Network.from_state_dict`, which needs only numpy arrays).

torch is imported only when `from_torch` is called."""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from .errors import ArgumentError, ShapeError
from .layers import Dense, Dropout, Layer, LayerNorm
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
    layers (each with or without a bias), `LayerNorm` over the features (with or without its
    weight and bias), `Dropout`, `Flatten` of a flat input (a no-op there) and `Sigmoid`, `Tanh`,
    `ReLU`, `LeakyReLU(0.01)`, `Softmax(dim=-1 or 1)`, `GELU()`, `ELU()`, `SiLU()`, `Softplus()`
    or `Identity` modules. Anything else raises ArgumentError naming the module. The network is
    built by layers (`plexus.layers`): a `Linear` and the activation after it become one `Dense`."""
    import torch.nn as nn  # type: ignore[import-not-found,unused-ignore]

    modules = list(module.children()) if isinstance(module, nn.Sequential) else [module]
    layers: list[Layer] = []
    sources: list[Any] = []              # the torch module whose tensors each layer takes (None: none)
    width: int | None = None
    pending: Any = None                  # a Linear whose activation may follow

    def flush(activation: str = "identity") -> None:
        nonlocal pending
        if pending is not None:
            layers.append(Dense(pending.out_features, activation, bias=pending.bias is not None))
            sources.append(pending)
            pending = None

    for index, layer in enumerate(modules):
        if isinstance(layer, nn.Linear):
            flush()
            if width is not None and layer.in_features != width:
                raise ShapeError(f"module {index} ({layer!r}) takes {layer.in_features} features but gets {width}")
            width = width if width is not None else layer.in_features
            pending, width = layer, layer.out_features
        elif isinstance(layer, nn.Identity):
            continue
        elif isinstance(layer, nn.Flatten):
            if layer.start_dim not in (1, -1):
                raise ArgumentError(f"module {index} ({layer!r}) flattens the batch dimension; Plexus takes rows")
        elif isinstance(layer, nn.Dropout):
            flush()
            if not layers:
                raise ArgumentError(f"module {index} ({layer!r}) does not follow a Linear or LayerNorm layer")
            layers.append(Dropout(float(layer.p)))
            sources.append(None)
        elif isinstance(layer, nn.LayerNorm):
            flush()
            features = tuple(layer.normalized_shape)
            if len(features) != 1 or (width is not None and features[0] != width):
                raise ArgumentError(f"module {index} ({layer!r}) normalises over {features}; Plexus's LayerNorm "
                                    f"normalises each row's {width if width is not None else 'features'} features")
            affine = layer.weight is not None
            if affine and layer.bias is None:
                raise ArgumentError(f"module {index} ({layer!r}) has a weight but no bias; Plexus's LayerNorm has both "
                                    "or neither")
            width = features[0]
            layers.append(LayerNorm(float(layer.eps), elementwise_affine=affine))
            sources.append(layer if affine else None)
        else:
            kind = _torch_activation(layer, index)
            if pending is None:
                raise ArgumentError(f"module {index} ({layer!r}) does not follow a Linear layer")
            flush(kind)
    flush()
    if not any(isinstance(layer, Dense) for layer in layers):
        raise ArgumentError("the module has no Linear layer")
    if not isinstance(layers[-1], Dense):
        raise ArgumentError(f"the module ends with {type(modules[-1]).__name__}; Plexus's last layer is a Linear "
                            "(and its activation), which gives the outputs")
    first = next(m for m in modules if isinstance(m, (nn.Linear, nn.LayerNorm)))
    inputs = first.in_features if isinstance(first, nn.Linear) else tuple(first.normalized_shape)[0]
    net = Network(layers, input_shape=inputs, seed=0)
    for number, source in enumerate(sources, start=1):
        if source is not None:
            net.set_weights(number, tensor_array(source.weight), None if source.bias is None else tensor_array(source.bias))
    return net


def from_state_dict(sizes: Sequence[int], activations: Sequence[str] | str, state_dict: Mapping[str, Any],
                    loss: str = "mse") -> Network:
    """`Network.from_state_dict`: a Network from weights named as an `nn.Sequential` names them."""
    return Network.from_state_dict(sizes, activations, state_dict, loss)
