"""The C API's enumerations as Python names, in one place: a tuple's index is the C value.

Tests/python/test_header_tables.py parses include/plexus.h and fails when a table here (or a
function declared in _capi.py) disagrees with it, so adding an activation, a loss or an optimizer
to the header means adding its name here and nowhere else in the package.
"""
from __future__ import annotations

__all__ = ["ACTIVATIONS", "LAYER_KINDS", "LOSSES", "OPTIMIZERS", "OPTIMIZER_HYPERPARAMETERS", "OPTIMIZER_FLAGS", "LR_SCHEDULES",
           "STATUS_NAMES", "NO_BIAS", "NO_AFFINE", "SIDES", "optimizer_field"]

# plexus_activation: PLEXUS_IDENTITY = 0, ...
ACTIVATIONS = ("identity", "sigmoid", "tanh", "relu", "leaky_relu", "softmax", "gelu", "elu", "silu", "softplus")
# plexus_layer_kind: PLEXUS_LAYER_DENSE = 0, ... (each kind's class is in plexus/layers.py)
LAYER_KINDS = ("dense", "dropout", "layer_norm")
# plexus_loss: PLEXUS_MSE = 0, ...
LOSSES = ("mse", "quadratic", "cross_entropy", "binary_cross_entropy", "l1", "huber")
# plexus_optimizer: PLEXUS_SGD = 0, ...
OPTIMIZERS = ("sgd", "adam", "adamw", "rmsprop", "rprop")
# Each optimizer's hyperparameters (the weight decay aside), learning rate first, then the fields
# of plexus_optimizer_options the header's enum lists for it, named as torch.optim names them
# (Network.rprop takes its four as the pairs etas and step_sizes, as torch does).
OPTIMIZER_HYPERPARAMETERS = {
    "sgd": ("lr", "momentum"),
    "adam": ("lr", "beta1", "beta2", "eps"),
    "adamw": ("lr", "beta1", "beta2", "eps"),
    "rmsprop": ("lr", "alpha", "eps", "momentum", "centered"),
    "rprop": ("lr", "eta_minus", "eta_plus", "step_min", "step_max"),
}


def optimizer_field(name: str) -> str:
    """The plexus_optimizer_options field of a hyperparameter's Python name."""
    return {"lr": "learning_rate", "eps": "epsilon"}.get(name, name)

# The hyperparameters that are flags: 0 or 1 in C, bool in Python.
OPTIMIZER_FLAGS = frozenset({"centered"})
# plexus_side: PLEXUS_INPUTS = 0, ...
SIDES = ("inputs", "outputs")
# plexus_lr_schedule: PLEXUS_LR_CONSTANT = 0, ...
LR_SCHEDULES = ("constant", "step", "cosine")
# plexus_status: PLEXUS_OK = 0, ...
STATUS_NAMES = ("PLEXUS_OK", "PLEXUS_ERR_ARGUMENT", "PLEXUS_ERR_SHAPE", "PLEXUS_ERR_STATE", "PLEXUS_ERR_IO",
                "PLEXUS_ERR_FORMAT", "PLEXUS_ERR_MEMORY", "PLEXUS_ERR_NUMERIC", "PLEXUS_ERR_BUSY", "PLEXUS_ERR_MISUSE")
# The flag of plexus_create (and of a dense plexus_layer) for no biases.
NO_BIAS = 1
# The flag of a layer-norm plexus_layer for no weight and bias.
NO_AFFINE = 2
