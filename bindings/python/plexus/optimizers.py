"""The optimizer methods a Network and a Graph share: one C call each (plexus_set_optimizer or its
graph form) with every hyperparameter and the weight decay, so a refused setting changes nothing.
An optimizer is a row in _tables.OPTIMIZER_HYPERPARAMETERS and a method here."""
from __future__ import annotations

from typing import Any

from . import _capi
from ._tables import OPTIMIZER_FLAGS, OPTIMIZER_HYPERPARAMETERS, OPTIMIZERS, optimizer_field
from .errors import check

__all__ = ["OptimizerMethods"]


class OptimizerMethods:
    """Mixed into an object with a C handle (``handle``) and the two C functions that set and
    read its optimizer (``_optimizer_setter``, ``_optimizer_getter``)."""

    _optimizer_setter: Any
    _optimizer_getter: Any
    handle: Any

    @property
    def optimizer(self) -> dict[str, Any]:
        """The optimizer and its hyperparameters, named as torch.optim names them, e.g.
        ``{"name": "sgd", "lr": 0.01, "momentum": 0.0, "weight_decay": 0.0}``."""
        status, fields = _capi.optimizer_options(self._optimizer_getter, self.handle)
        check(status)
        name = OPTIMIZERS[int(fields["kind"])]
        settings: dict[str, Any] = {}
        for key in OPTIMIZER_HYPERPARAMETERS[name]:
            value = fields[optimizer_field(key)]
            settings[key] = bool(value) if key in OPTIMIZER_FLAGS else float(value)
        return {"name": name, **settings, "weight_decay": float(fields["weight_decay"])}

    def _choose(self, name: str, **settings: float) -> Any:
        fields = {optimizer_field(key): value for key, value in settings.items()}
        check(_capi.set_optimizer(self._optimizer_setter, self.handle, OPTIMIZERS.index(name), fields))
        return self

    def sgd(self, lr: float, momentum: float = 0.0, weight_decay: float = 0.0) -> Any:
        """Chooses SGD as torch.optim.SGD: learning rate ``lr``, ``momentum`` (0: none), and
        ``weight_decay`` coupled (weight_decay·θ added to each gradient). Returns the object."""
        return self._choose("sgd", lr=lr, momentum=momentum, weight_decay=weight_decay)

    def adam(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
             weight_decay: float = 0.0) -> Any:
        """Chooses Adam as torch.optim.Adam: learning rate ``lr``, ``beta1``, ``beta2``, ``eps``,
        and ``weight_decay`` coupled (added to each gradient). Returns the object."""
        return self._choose("adam", lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)

    def adamw(self, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8,
              weight_decay: float = 0.01) -> Any:
        """Chooses AdamW as torch.optim.AdamW: learning rate ``lr``, ``beta1``, ``beta2``, ``eps``,
        and ``weight_decay`` decoupled (θ shrinks by lr·weight_decay each step). Returns the object."""
        return self._choose("adamw", lr=lr, beta1=beta1, beta2=beta2, eps=eps, weight_decay=weight_decay)

    def rmsprop(self, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8, momentum: float = 0.0,
                centered: bool = False, weight_decay: float = 0.0) -> Any:
        """Chooses RMSprop as torch.optim.RMSprop: learning rate ``lr``, smoothing constant
        ``alpha``, ``eps``, ``momentum`` (0: none), ``centered`` (normalise by the variance of the
        gradient rather than its second moment), and ``weight_decay`` coupled (added to each
        gradient). Returns the object."""
        return self._choose("rmsprop", lr=lr, alpha=alpha, eps=eps, momentum=momentum, centered=1 if centered else 0,
                            weight_decay=weight_decay)

    def rprop(self, lr: float = 0.01, etas: tuple[float, float] = (0.5, 1.2),
              step_sizes: tuple[float, float] = (1e-6, 50.0), weight_decay: float = 0.0) -> Any:
        """Chooses RPROP as torch.optim.Rprop (iRPROP-): every parameter's step size starts at
        ``lr``, grows by ``etas[1]`` while its gradient keeps its sign and shrinks by ``etas[0]``
        when it flips, within ``step_sizes`` (min, max); each step moves by the step size against
        the gradient's sign. It reads only signs, so train full-batch (``batch_size`` = every row),
        as FANN does by default. ``weight_decay`` is coupled (torch's Rprop has none). Returns the
        object."""
        eta_minus, eta_plus = etas
        step_min, step_max = step_sizes
        return self._choose("rprop", lr=lr, eta_minus=eta_minus, eta_plus=eta_plus, step_min=step_min,
                            step_max=step_max, weight_decay=weight_decay)
