"""scikit-learn estimators backed by Plexus: `PlexusClassifier` and `PlexusRegressor`.

They follow the estimator API of `sklearn.neural_network.MLPClassifier`/`MLPRegressor` (same
parameter names where the meaning is the same) and pass scikit-learn's own
`check_estimator`, so they drop into `Pipeline`, `GridSearchCV` and `cross_val_score`. The fitted
estimator keeps its `plexus.Network` as `network_`: `est.network_.save("model.safetensors")`
hands the model to C. scikit-learn is needed only by this module (`pip install scikit-learn`).
"""
from __future__ import annotations

import copy
import types
import warnings
from typing import Any, Optional, Sequence, Union, cast

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin  # type: ignore[import-untyped]
from sklearn.compose import TransformedTargetRegressor  # type: ignore[import-untyped]
from sklearn.exceptions import ConvergenceWarning  # type: ignore[import-untyped]
from sklearn.metrics import accuracy_score, r2_score  # type: ignore[import-untyped]
from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler  # type: ignore[import-untyped]
from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]
from sklearn.utils import check_random_state  # type: ignore[import-untyped]
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels  # type: ignore[import-untyped]
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data  # type: ignore[import-untyped]

from ._checks import integer
from ._tables import ACTIVATIONS, OPTIMIZERS
from .distributed import epoch_orders
from .network import Network

__all__ = ["PlexusClassifier", "PlexusRegressor", "fold_pipeline"]

# scikit-learn's names that differ from Plexus's.
_ACTIVATION_ALIASES = {"logistic": "sigmoid"}
_SOLVERS = OPTIMIZERS
# The estimator parameters each solver reads, by the keyword of the Network method that takes
# them (the learning rate goes to every solver; alpha is the L2 penalty, or AdamW's decay).
_SOLVER_PARAMETERS = {
    "sgd": {"momentum": "momentum"},
    "adam": {"beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon"},
    "adamw": {"beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon"},
    "rmsprop": {"alpha": "rho", "eps": "epsilon"},
    "rprop": {},
}


class _Targets:
    """How an estimator's targets meet the network: the output layer and loss, and the two
    factors that put Plexus's loss on scikit-learn's scale.

    ``loss_scale``: scikit-learn's reported data loss over Plexus's (its squared loss is half the
    mean over every value, Plexus's quadratic loss half the sum over a row's outputs; its
    multi-label log-loss sums the outputs, Plexus's binary cross-entropy averages them).
    ``gradient_scale``: scikit-learn's data gradient over Plexus's (1 but for multi-label, whose
    outputs Plexus averages). The L2 penalty and SGD's learning rate are divided and multiplied
    by it, so that every step is scikit-learn's."""

    def __init__(self, activation: str, loss: str, outputs: int, loss_scale: float = 1.0, gradient_scale: float = 1.0):
        self.activation, self.loss, self.outputs = activation, loss, outputs
        self.loss_scale, self.gradient_scale = loss_scale, gradient_scale


class _PlexusEstimator(BaseEstimator):  # type: ignore[misc]
    """What the classifier and the regressor share: parameters, validation, the network and the
    training loop with scikit-learn's stopping rules. Subclasses say how targets become output
    rows and back, and how a validation set is scored."""

    def __init__(self, hidden_layer_sizes: Sequence[int] = (100,), activation: str = "relu", *,
                 solver: str = "adam", alpha: float = 0.0001, batch_size: Union[int, str] = "auto",
                 learning_rate_init: float = 0.001, max_iter: int = 200, shuffle: bool = True,
                 random_state: Any = None, momentum: float = 0.9, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, rho: float = 0.99, early_stopping: bool = False, validation_fraction: float = 0.1,
                 n_iter_no_change: int = 10, tol: float = 1e-4, warm_start: bool = False, verbose: bool = False,
                 standardize: bool = False) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.momentum = momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.rho = rho
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.verbose = verbose
        self.standardize = standardize

    # ----- what subclasses provide ----------------------------------------------------------------
    def _prepare_targets(self, y: Any, first: bool, classes: Any = None) -> NDArray[np.float32]:
        """y as rows of output targets; on the first fit also decides ``_targets_``."""
        raise NotImplementedError

    def _score_rows(self, x: NDArray[np.float32], targets: NDArray[np.float32], weights: Any) -> float:
        """The validation score early stopping watches (accuracy, R²), from prepared targets."""
        raise NotImplementedError

    def _class_names(self) -> Optional[list[str]]:
        """The names saved in the network as its classes (None for a regressor)."""
        return None

    # ----- checks --------------------------------------------------------------------------------
    def _hidden(self) -> list[int]:
        raw: Any = self.hidden_layer_sizes
        sizes: list[Any] = [raw] if np.isscalar(raw) else list(raw)
        return [integer(f"hidden_layer_sizes[{i}]", s, 1, 2**31 - 1) for i, s in enumerate(sizes)]

    def _activation(self) -> str:
        name = _ACTIVATION_ALIASES.get(self.activation, self.activation)
        if name not in ACTIVATIONS or name == "softmax":
            known = sorted(set(ACTIVATIONS) - {"softmax"} | set(_ACTIVATION_ALIASES))
            raise ValueError(f"activation {self.activation!r} is not supported; use one of {', '.join(known)}")
        return str(name)

    def _check_parameters(self) -> None:
        if self.solver not in _SOLVERS:
            raise ValueError(f"solver {self.solver!r} is not supported; use one of {', '.join(_SOLVERS)}")
        for name in ("alpha", "learning_rate_init", "epsilon", "tol"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float, np.number)) and np.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        if self.learning_rate_init <= 0:
            raise ValueError(f"learning_rate_init must be > 0, got {self.learning_rate_init!r}")
        integer("max_iter", self.max_iter, 1)
        integer("n_iter_no_change", self.n_iter_no_change, 1)
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}")
        if not (isinstance(self.batch_size, str) and self.batch_size == "auto"):
            integer("batch_size", self.batch_size, 1)
        self._hidden()

    # ----- the network ---------------------------------------------------------------------------
    def _new_network(self, n_features: int, rng: np.random.RandomState) -> Network:
        """The network, its weights drawn as scikit-learn's MLP draws them from the same
        random_state (Glorot-uniform, bound sqrt(6 / (fan_in + fan_out)), 2 for logistic hidden
        layers, biases from the same bound; layer by layer, weights then biases), so both start
        from the same numbers (in float32)."""
        targets: _Targets = self._targets_
        sizes = [n_features, *self._hidden(), targets.outputs]
        hidden = self._activation()
        factor = 2.0 if hidden == "sigmoid" else 6.0
        drawn = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            bound = np.sqrt(factor / (fan_in + fan_out))
            drawn.append((rng.uniform(-bound, bound, (fan_in, fan_out)), rng.uniform(-bound, bound, fan_out)))
        activations = [hidden] * (len(sizes) - 2) + [targets.activation]
        net = Network(sizes, activations, loss=targets.loss, seed=int(rng.randint(0, 2**31 - 1)))
        for layer, (coef, intercept) in enumerate(drawn, start=1):
            net.set_weights(layer, coef.T.astype(np.float32), intercept.astype(np.float32))
        net.classes = self._class_names()
        return net

    def _configure(self, net: Network, batch: int) -> None:
        """The solver, and alpha as scikit-learn's L2 penalty: (alpha / (2·batch))·Σ‖W‖² on the
        weights (not the biases), i.e. alpha/batch·W joins each weight's gradient. For AdamW,
        alpha is its decoupled weight decay instead (scikit-learn has no AdamW)."""
        settings = {keyword: float(getattr(self, parameter)) for keyword, parameter in _SOLVER_PARAMETERS[self.solver].items()}
        scale = self._targets_.gradient_scale
        lr = float(self.learning_rate_init) * (scale if self.solver == "sgd" else 1.0)
        if self.solver == "adamw":
            net.adamw(lr, weight_decay=float(self.alpha), **settings)
            net.set_l2_penalty(0.0)
        else:
            getattr(net, self.solver)(lr, **settings)
            net.set_l2_penalty(float(self.alpha) / (batch * scale))

    def _penalty(self, net: Network, batches: int, rows: int) -> float:
        """The L2 term scikit-learn adds to an epoch's loss: each batch adds (alpha/2)·Σ‖W‖²
        over its rows, so the epoch's mean gains (alpha/2)·Σ‖W‖²·batches/rows (W measured at
        the end of the epoch, where scikit-learn takes each batch's own)."""
        if self.solver == "adamw" or not self.alpha:
            return 0.0
        squares = sum(float(np.dot(w.ravel().astype(np.float64), w.ravel())) for w in
                      (net.get_weights(layer)[0] for layer in range(1, len(net.sizes))))
        return 0.5 * float(self.alpha) * squares * batches / rows

    def _fit(self, X: Any, y: Any, *, incremental: bool, sample_weight: Any = None, classes: Any = None) -> "_PlexusEstimator":
        self._check_parameters()
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        continuing = (incremental or self.warm_start) and hasattr(self, "network_")
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        x, y = validate_data(self, X, y, reset=not continuing, dtype=np.float32, multi_output=True,
                             y_numeric=isinstance(self, RegressorMixin))
        weights = None
        if sample_weight is not None:
            weights = _check_sample_weight(sample_weight, x, dtype=np.float32)
            total = float(weights.sum(dtype=np.float64))
            if not total > 0:
                raise ValueError("sample_weight sums to 0; give at least one row a positive weight")
            # Mean 1: each batch's weighted mean loss is then close to scikit-learn's Σw·l/Σw.
            weights = (weights * np.float32(len(weights) / total)).astype(np.float32)
        targets = self._prepare_targets(y, first=not continuing, classes=classes)
        rng = check_random_state(self.random_state)
        early = bool(self.early_stopping)
        if not continuing:
            self.network_ = self._new_network(x.shape[1], rng)
            self.loss_curve_: list[float] = []
            self.n_iter_ = 0
            self._no_improvement_count = 0
            self.best_loss_: Optional[float] = None if early else np.inf
            self.validation_scores_: Optional[list[float]] = [] if early else None
            self.best_validation_score_: Optional[float] = -np.inf if early else None
        net: Network = self.network_
        seed, shuffle_seed = (int(v) for v in rng.randint(0, 2**31 - 1, size=2))
        validation = None
        if early:
            stratify = targets.argmax(axis=1) if self._targets_.loss == "cross_entropy" else (
                targets[:, 0] if self._targets_.outputs == 1 and self._targets_.activation == "sigmoid" else None)
            parts = [x, targets] + ([] if weights is None else [weights])
            try:
                split = train_test_split(*parts, test_size=self.validation_fraction, random_state=seed, stratify=stratify)
            except ValueError:   # too few rows of a class to stratify
                split = train_test_split(*parts, test_size=self.validation_fraction, random_state=seed)
            x, x_val, targets, y_val = split[:4]
            weights, w_val = (split[4], split[5]) if weights is not None else (None, None)
            if x_val.shape[0] < 2:
                raise ValueError("The validation set is too small. Increase 'validation_fraction' or the size of your dataset.")
            validation = (x_val, y_val, w_val)
        rows = len(x)
        batch = min(200, rows) if self.batch_size == "auto" else min(int(self.batch_size), rows)
        batches = -(-rows // batch)
        self._configure(net, batch)
        epochs = 1 if incremental else int(self.max_iter)
        best_params: list[Any] = []
        state = {"stopped": False}

        def on_epoch(epoch: int, loss: float) -> bool:
            current = float(loss) * self._targets_.loss_scale + self._penalty(net, batches, rows)
            self.loss_curve_.append(current)
            self.loss_ = current
            self.n_iter_ += 1
            tol = float(self.tol)
            if validation is not None:   # scikit-learn's rule: the validation score, not the loss
                score = self._score_rows(*validation)
                scores = cast(list[float], self.validation_scores_)
                scores.append(score)
                best = cast(float, self.best_validation_score_)
                self._no_improvement_count = self._no_improvement_count + 1 if score < best + tol else 0
                if score > best:
                    self.best_validation_score_ = score
                    best_params[:] = [net.params]
            else:
                best = cast(float, self.best_loss_)
                self._no_improvement_count = self._no_improvement_count + 1 if current > best - tol else 0
                if current < best:
                    self.best_loss_ = current
            if self._no_improvement_count > int(self.n_iter_no_change):
                state["stopped"] = True
                return True
            return False

        def run(x: NDArray[np.float32], targets: NDArray[np.float32], weights: Any, epochs: int, first: bool) -> None:
            net.fit(x, targets, epochs, batch_size=batch, shuffle_seed=shuffle_seed, progress=bool(self.verbose),
                    callback=on_epoch, sample_weight=weights, restore_best=False,
                    standardize=bool(self.standardize) and not continuing and first)

        try:
            if self.shuffle:
                run(x, targets, weights, epochs, True)
            else:
                # The library always shuffles; rows placed where its first epoch's order looks for
                # them come out in their own order, epoch after epoch, one epoch per call.
                order = next(epoch_orders(len(x), 1, shuffle_seed)).astype(np.intp)
                placed_x, placed_targets = np.empty_like(x), np.empty_like(targets)
                placed_x[order], placed_targets[order] = x, targets
                placed_weights = None
                if weights is not None:
                    placed_weights = np.empty_like(weights)
                    placed_weights[order] = weights
                for epoch in range(epochs):
                    run(placed_x, placed_targets, placed_weights, 1, epoch == 0)
                    if state["stopped"]:
                        break
        finally:   # after Ctrl-C too: n_iter_ and loss_curve_ hold the epochs that ran
            if best_params:
                net.params = best_params[0]
        if not incremental and not state["stopped"]:
            warnings.warn(f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the optimization "
                          "hasn't converged yet.", ConvergenceWarning)
        return self

    def _outputs(self, X: Any) -> NDArray[np.float64]:
        """The network's outputs for X, as float64 (what scikit-learn's estimators return)."""
        check_is_fitted(self, "network_")
        x = validate_data(self, X, reset=False, dtype=np.float32)
        return np.asarray(self.network_.predict(x), dtype=np.float64)

    # ----- scikit-learn's views of the network ---------------------------------------------------
    @property
    def coefs_(self) -> list[NDArray[np.float32]]:
        """Each layer's weights as scikit-learn shapes them: (inputs, outputs), copies."""
        check_is_fitted(self, "network_")
        net: Network = self.network_
        return [np.ascontiguousarray(net.get_weights(layer)[0].T) for layer in range(1, len(net.sizes))]

    @property
    def intercepts_(self) -> list[NDArray[np.float32]]:
        """Each layer's biases, (outputs,), copies."""
        check_is_fitted(self, "network_")
        net: Network = self.network_
        return [cast(NDArray[np.float32], net.get_weights(layer)[1]) for layer in range(1, len(net.sizes))]

    @property
    def n_layers_(self) -> int:
        check_is_fitted(self, "network_")
        return len(self.network_.sizes)

    @property
    def n_outputs_(self) -> int:
        check_is_fitted(self, "network_")
        return int(self.network_.sizes[-1])

    @property
    def out_activation_(self) -> str:
        """scikit-learn's name of the output activation: "softmax", "logistic" or "identity"."""
        check_is_fitted(self, "network_")
        name = str(self.network_.activations[-1])        # the last layer is dense
        return "logistic" if name == "sigmoid" else name


class PlexusClassifier(ClassifierMixin, _PlexusEstimator):  # type: ignore[misc]
    """A classifier on a Plexus network, scikit-learn's `MLPClassifier` in meaning: hidden layers
    of `activation`; for more than two classes a softmax output layer and cross-entropy, for two
    classes one sigmoid output and binary cross-entropy, for a multi-label indicator matrix one
    sigmoid output per label; `alpha` is the L2 penalty on the weights, divided by the batch size.
    Labels may be any values scikit-learn accepts (integers, strings); `classes_` lists them in
    sorted order, and the network saves them as its classes.

    Every parameter, with its scikit-learn meaning and where Plexus differs: docs/python.md.

    Attributes: network_ (the plexus.Network), classes_, n_features_in_, loss_curve_ and loss_
    (on scikit-learn's scale, the penalty included), best_loss_ (None with early stopping),
    validation_scores_ and best_validation_score_ (None without), n_iter_, coefs_, intercepts_,
    n_layers_, n_outputs_, out_activation_.
    """

    classes_: NDArray[Any]

    def _prepare_targets(self, y: Any, first: bool, classes: Any = None) -> NDArray[np.float32]:
        y = np.asarray(y)
        if first:
            self._multilabel = type_of_target(y) == "multilabel-indicator"
        if self._multilabel:
            if y.ndim != 2 or (not first and y.shape[1] != len(self.classes_)):
                raise ValueError(f"y has shape {y.shape}; this classifier was fitted on {len(self.classes_)} labels")
            if first:
                self.classes_ = np.arange(y.shape[1])
                self._targets_ = _Targets("sigmoid", "binary_cross_entropy", y.shape[1], loss_scale=y.shape[1],
                                          gradient_scale=y.shape[1])
            return np.ascontiguousarray(y, dtype=np.float32)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.ndim != 1:
            raise ValueError(f"{type(self).__name__} takes one label per row or a multi-label indicator matrix; "
                             f"y has shape {y.shape}")
        check_classification_targets(y)
        if first:
            self.classes_ = unique_labels(y) if classes is None else np.asarray(unique_labels(classes))
            many = len(self.classes_) > 2
            self._targets_ = _Targets("softmax", "cross_entropy", len(self.classes_)) if many else \
                _Targets("sigmoid", "binary_cross_entropy", 1)
        unknown = np.setdiff1d(unique_labels(y), self.classes_)
        if unknown.size:
            raise ValueError(f"y holds labels {unknown.tolist()} that are not in classes_ {self.classes_.tolist()}")
        index = np.searchsorted(self.classes_, y)
        if self._targets_.outputs == 1:   # two classes (or one): the sigmoid gives P(classes_[1])
            return np.ascontiguousarray((index == 1).astype(np.float32).reshape(-1, 1))
        onehot = np.zeros((len(y), len(self.classes_)), np.float32)
        onehot[np.arange(len(y)), index] = 1
        return onehot

    def _class_names(self) -> Optional[list[str]]:
        return [str(c) for c in self.classes_]

    def _decide(self, outputs: NDArray[np.float64]) -> NDArray[Any]:
        """Predicted labels from the network's outputs, as scikit-learn decides them."""
        if self._multilabel:
            return (outputs > 0.5).astype(int)
        if outputs.shape[1] == 1:
            return np.asarray(self.classes_[(outputs[:, 0] > 0.5).astype(int) if len(self.classes_) > 1 else 0])
        return np.asarray(self.classes_[outputs.argmax(axis=1)])

    def _score_rows(self, x: NDArray[np.float32], targets: NDArray[np.float32], weights: Any) -> float:
        outputs = np.asarray(self.network_.predict(x), dtype=np.float64)
        if self._multilabel:
            return float(accuracy_score(targets.astype(int), self._decide(outputs), sample_weight=weights))
        truth = targets[:, 0] > 0.5 if targets.shape[1] == 1 else targets.argmax(axis=1)
        guess = outputs[:, 0] > 0.5 if outputs.shape[1] == 1 else outputs.argmax(axis=1)
        return float(accuracy_score(truth, guess, sample_weight=weights))

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "PlexusClassifier":
        """Trains for up to max_iter epochs (warm_start: continues the fitted network).
        ``sample_weight``: one weight >= 0 per row (normalised to mean 1)."""
        self._fit(X, y, incremental=False, sample_weight=sample_weight)
        return self

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None, classes: Any = None) -> "PlexusClassifier":
        """One epoch over X, y, continuing the fitted network; the first call needs `classes`."""
        if not hasattr(self, "network_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        self._fit(X, y, incremental=True, sample_weight=sample_weight, classes=classes)
        return self

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """One column per class of classes_ (per label for multi-label y)."""
        outputs = self._outputs(X)      # first: it raises NotFittedError before fit
        if not self._multilabel and outputs.shape[1] == 1 and len(self.classes_) > 1:
            return np.column_stack([1.0 - outputs[:, 0], outputs[:, 0]])
        return outputs

    def predict(self, X: Any) -> NDArray[Any]:
        """The labels, or the indicator matrix for multi-label y."""
        return self._decide(self._outputs(X))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class PlexusRegressor(RegressorMixin, _PlexusEstimator):  # type: ignore[misc]
    """A regressor on a Plexus network, scikit-learn's `MLPRegressor` in meaning: hidden layers of
    `activation`, an identity output layer (one unit per target column), the squared error
    (Plexus's quadratic loss, whose gradient is scikit-learn's). Parameters and attributes as
    PlexusClassifier's (without classes_); the early-stopping score is R²."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    def _prepare_targets(self, y: Any, first: bool, classes: Any = None) -> NDArray[np.float32]:
        rows: NDArray[np.float32] = np.asarray(y, dtype=np.float32)
        if first:
            self._one_column = rows.ndim == 1
            outputs = 1 if rows.ndim == 1 else rows.shape[1]
            self._targets_ = _Targets("identity", "quadratic", outputs, loss_scale=1.0 / outputs)
        return rows.reshape(len(rows), -1)

    def _score_rows(self, x: NDArray[np.float32], targets: NDArray[np.float32], weights: Any) -> float:
        return float(r2_score(targets, np.asarray(self.network_.predict(x), dtype=np.float64), sample_weight=weights))

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "PlexusRegressor":
        """Trains for up to max_iter epochs (warm_start: continues the fitted network).
        ``sample_weight``: one weight >= 0 per row (normalised to mean 1)."""
        self._fit(X, y, incremental=False, sample_weight=sample_weight)
        return self

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> "PlexusRegressor":
        """One epoch over X, y, continuing the fitted network."""
        self._fit(X, y, incremental=True, sample_weight=sample_weight)
        return self

    def predict(self, X: Any) -> NDArray[np.float64]:
        out = self._outputs(X)
        return np.ravel(out) if self._one_column else out


# ----- folding a fitted Pipeline's scalers into the network ----------------------------------------

_Affine = tuple[NDArray[np.float64], NDArray[np.float64]]   # (shift, scale): v -> (v - shift) * scale


def _scaler_affine(name: str, step: Any, width: int) -> _Affine:
    """A fitted per-column scaler as (shift, scale) with out = (x - shift) * scale, in float64."""
    zeros, ones = np.zeros(width), np.ones(width)
    check_is_fitted(step)
    if isinstance(step, StandardScaler):
        mean = zeros if step.mean_ is None else np.asarray(step.mean_, np.float64)
        deviation = ones if step.scale_ is None else np.asarray(step.scale_, np.float64)
        return mean, 1.0 / deviation
    if isinstance(step, RobustScaler):
        center = zeros if step.center_ is None else np.asarray(step.center_, np.float64)
        spread = ones if step.scale_ is None else np.asarray(step.scale_, np.float64)
        return center, 1.0 / spread
    if isinstance(step, MaxAbsScaler):
        return zeros, 1.0 / np.asarray(step.scale_, np.float64)
    if isinstance(step, MinMaxScaler):
        if step.clip:
            raise ValueError(f"step {name!r} is a MinMaxScaler with clip=True, which is not a per-column affine map")
        scale = np.asarray(step.scale_, np.float64)
        return -np.asarray(step.min_, np.float64) / scale, scale
    raise ValueError(f"step {name!r} ({type(step).__name__}) cannot be folded into a network: only the per-column "
                     "affine scalers (StandardScaler, RobustScaler, MaxAbsScaler, MinMaxScaler) can")


def _then(first: _Affine, second: _Affine) -> _Affine:
    """(x - a1) * b1, then (. - a2) * b2, as one map: (x - (a1 + a2 / b1)) * (b1 * b2)."""
    (a1, b1), (a2, b2) = first, second
    return a1 + a2 / b1, b1 * b2


def fold_pipeline(pipeline: Any) -> "_PlexusEstimator":
    """One fitted Plexus estimator equivalent to a fitted ``pipeline``: zero or more per-column
    scalers (StandardScaler, RobustScaler, MaxAbsScaler, MinMaxScaler; "passthrough" steps are
    skipped) followed by a PlexusClassifier or PlexusRegressor, or by a TransformedTargetRegressor
    of a PlexusRegressor whose transformer is one of those scalers.

    The scalers are composed (in float64, then stored as float32) with the network's own input
    transform, and a target scaler with its output transform, in a copy of the estimator: its
    ``predict`` takes raw rows and gives the pipeline's predictions (to float32 rounding), and its
    ``network_.save`` writes a model file that does the same from C, ONNX or the generated C.
    The pipeline itself is left as it was. Raises ValueError for a step that is not a per-column
    affine scaler, or an unfitted pipeline."""
    steps = list(pipeline.steps) if isinstance(pipeline, Pipeline) else [("estimator", pipeline)]
    if not steps:
        raise ValueError("the pipeline has no steps")
    final_name, final = steps[-1]
    target: Optional[tuple[str, Any]] = None
    if isinstance(final, TransformedTargetRegressor):
        check_is_fitted(final)
        if final.func is not None or final.inverse_func is not None:
            raise ValueError(f"step {final_name!r} transforms targets with functions; only a scaler can be folded")
        if final.transformer is not None:   # None: the identity
            target = (f"{final_name}.transformer", final.transformer_)
        final = final.regressor_
    if not isinstance(final, _PlexusEstimator):
        raise ValueError(f"the last step, {final_name!r}, is a {type(final).__name__}, not a PlexusClassifier or PlexusRegressor")
    check_is_fitted(final, "network_")
    folded = copy.deepcopy(final)
    net: Network = folded.network_
    width = net.sizes[0]
    inputs: _Affine = (np.zeros(width), np.ones(width))
    for name, step in steps[:-1]:
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        inputs = _then(inputs, _scaler_affine(name, step, width))
    if net.input_transform is not None:
        inputs = _then(inputs, (net.input_transform.shift.astype(np.float64), net.input_transform.scale.astype(np.float64)))
    net.set_input_transform(shift=inputs[0].astype(np.float32), scale=inputs[1].astype(np.float32))
    if target is not None:
        outputs = net.sizes[-1]
        shift, scale = _scaler_affine(target[0], target[1], outputs)   # y' = (y - shift) * scale
        # The regressor predicts y' (after its own output transform, if any): y = y' / scale + shift.
        own = net.output_transform
        k = np.ones(outputs) if own is None else own.scale.astype(np.float64)
        s = np.zeros(outputs) if own is None else own.shift.astype(np.float64)
        net.set_output_transform(shift=(s / scale + shift).astype(np.float32), scale=(k / scale).astype(np.float32))
    first = steps[0][1]
    if hasattr(first, "feature_names_in_"):
        folded.feature_names_in_ = first.feature_names_in_
    return folded


def _own_init(estimator: type) -> None:
    """Gives an estimator a copy of the shared __init__ under its own name, so that an unknown
    parameter fails as scikit-learn's own estimators do: "PlexusClassifier.__init__() got an
    unexpected keyword argument 'tolerance'", not naming a private base class."""
    shared = _PlexusEstimator.__init__
    name = f"{estimator.__name__}.__init__"
    code = shared.__code__.replace(co_qualname=name) if hasattr(shared.__code__, "co_qualname") else shared.__code__
    init = types.FunctionType(code, shared.__globals__, "__init__", shared.__defaults__, shared.__closure__)
    init.__kwdefaults__ = dict(shared.__kwdefaults__ or {})
    init.__qualname__ = name
    init.__annotations__ = dict(shared.__annotations__)
    init.__module__ = estimator.__module__
    estimator.__init__ = init  # type: ignore[misc]


for _estimator in (PlexusClassifier, PlexusRegressor):
    _own_init(_estimator)
