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
from typing import Any, Optional, Sequence, Union

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin  # type: ignore[import-untyped]
from sklearn.compose import TransformedTargetRegressor  # type: ignore[import-untyped]
from sklearn.pipeline import Pipeline  # type: ignore[import-untyped]
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, RobustScaler, StandardScaler  # type: ignore[import-untyped]
from sklearn.model_selection import train_test_split  # type: ignore[import-untyped]
from sklearn.utils import check_random_state  # type: ignore[import-untyped]
from sklearn.utils.multiclass import check_classification_targets, unique_labels  # type: ignore[import-untyped]
from sklearn.utils.validation import check_is_fitted, validate_data  # type: ignore[import-untyped]

from ._tables import ACTIVATIONS, OPTIMIZERS
from .history import History
from .network import Network

__all__ = ["PlexusClassifier", "PlexusRegressor", "fold_pipeline"]

# scikit-learn's names that differ from Plexus's.
_ACTIVATION_ALIASES = {"logistic": "sigmoid"}
_SOLVERS = OPTIMIZERS
# The estimator parameters each solver reads, by the keyword of the Network method that takes
# them (the learning rate and the weight decay, `alpha`, go to every solver).
_SOLVER_PARAMETERS = {
    "sgd": {"momentum": "momentum"},
    "adam": {"beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon"},
    "adamw": {"beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon"},
    "rmsprop": {"alpha": "rho", "eps": "epsilon"},
}


class _PlexusEstimator(BaseEstimator):  # type: ignore[misc]
    """What the classifier and the regressor share: parameters, validation, the network and the
    training loop. Subclasses say how targets become output rows and back."""

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
    _output_activation = "identity"
    _loss = "mse"

    def _prepare_targets(self, y: Any, first: bool, classes: Any = None) -> NDArray[Any]:
        raise NotImplementedError

    # ----- checks --------------------------------------------------------------------------------
    def _hidden(self) -> list[int]:
        raw: Any = self.hidden_layer_sizes
        sizes: list[Any] = [raw] if np.isscalar(raw) else list(raw)
        if not all(isinstance(s, (int, np.integer)) and s >= 1 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be positive integers, got {self.hidden_layer_sizes!r}")
        return [int(s) for s in sizes]

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
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 1):
            raise ValueError(f"max_iter must be a positive integer, got {self.max_iter!r}")
        if not (isinstance(self.n_iter_no_change, (int, np.integer)) and self.n_iter_no_change >= 1):
            raise ValueError(f"n_iter_no_change must be a positive integer, got {self.n_iter_no_change!r}")
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1), got {self.validation_fraction!r}")
        if self.batch_size != "auto" and not (isinstance(self.batch_size, (int, np.integer)) and self.batch_size >= 1):
            raise ValueError(f"batch_size must be 'auto' or a positive integer, got {self.batch_size!r}")

    # ----- the network ---------------------------------------------------------------------------
    def _new_network(self, n_features: int, n_outputs: int, seed: int) -> Network:
        sizes = [n_features, *self._hidden(), n_outputs]
        activations = [self._activation()] * (len(sizes) - 2) + [self._output_activation]
        return Network(sizes, activations, loss=self._loss, seed=seed)

    def _configure(self, net: Network) -> None:
        settings = {keyword: float(getattr(self, parameter)) for keyword, parameter in _SOLVER_PARAMETERS[self.solver].items()}
        getattr(net, self.solver)(float(self.learning_rate_init), weight_decay=float(self.alpha), **settings)

    def _fit(self, X: Any, y: Any, *, epochs: int, incremental: bool, classes: Any = None) -> "_PlexusEstimator":
        self._check_parameters()
        continuing = (incremental or self.warm_start) and hasattr(self, "network_")
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None")
        x, y = validate_data(self, X, y, reset=not continuing, dtype=np.float32, multi_output=True,
                             y_numeric=self._loss == "mse")
        targets = self._prepare_targets(y, first=not continuing, classes=classes)
        rng = check_random_state(self.random_state)
        seed, shuffle_seed = (int(v) for v in rng.randint(0, 2**31 - 1, size=2))
        if not continuing:
            self.network_ = self._new_network(x.shape[1], targets.shape[1], seed)
            self.loss_curve_: list[float] = []
            self.n_iter_ = 0
        net: Network = self.network_
        self._configure(net)
        batch = min(200, len(x)) if self.batch_size == "auto" else min(int(self.batch_size), len(x))
        validation = None
        early = bool(self.early_stopping) and not incremental
        if early:
            stratify = targets.argmax(axis=1) if self._loss == "cross_entropy" else None
            try:
                x, x_val, targets, y_val = train_test_split(x, targets, test_size=self.validation_fraction,
                                                            random_state=seed, stratify=stratify)
            except ValueError:   # too few rows of a class to stratify
                x, x_val, targets, y_val = train_test_split(x, targets, test_size=self.validation_fraction,
                                                            random_state=seed)
            validation = (x_val, y_val)
        if not self.shuffle:
            shuffle_seed = 0
        history: History = net.fit(x, targets, epochs, batch_size=batch, shuffle_seed=shuffle_seed,
                                   progress=bool(self.verbose), validation_data=validation,
                                   early_stopping=0 if incremental else int(self.n_iter_no_change),
                                   restore_best=early, tol=float(self.tol),
                                   standardize=bool(self.standardize) and not continuing)
        self.loss_curve_ = [*self.loss_curve_, *history]
        self.n_iter_ = self.n_iter_ + len(history)
        self.best_loss_: Optional[float] = None if early else float(min(self.loss_curve_))
        self.validation_loss_ = list(history.val_loss) if early else []
        return self

    def _outputs(self, X: Any) -> NDArray[np.float64]:
        """The network's outputs for X, as float64 (what scikit-learn's estimators return)."""
        check_is_fitted(self, "network_")
        x = validate_data(self, X, reset=False, dtype=np.float32)
        return np.asarray(self.network_.predict(x), dtype=np.float64)


class PlexusClassifier(ClassifierMixin, _PlexusEstimator):  # type: ignore[misc]
    """A classifier on a Plexus network: hidden layers of `activation`, a softmax output layer,
    cross-entropy, the chosen solver (`alpha` is its weight decay). Labels may be any values
    scikit-learn accepts (integers, strings); `classes_` lists them in sorted order.

    Parameters follow `sklearn.neural_network.MLPClassifier`: hidden_layer_sizes, activation
    (any of Plexus's hidden activations, or "logistic"), solver ("sgd", "adam", "adamw",
    "rmsprop"), alpha, batch_size ("auto": min(200, n_samples)), learning_rate_init, max_iter
    (epochs), shuffle, random_state, momentum (sgd), beta_1, beta_2 (adam, adamw), epsilon (adam,
    adamw, rmsprop), rho (rmsprop's smoothing constant, torch's `alpha`), early_stopping (hold out
    validation_fraction of the rows, stratified, stop after n_iter_no_change epochs without a lower
    validation loss and keep the best epoch's weights), warm_start, verbose (a progress bar).
    Without early stopping, training stops after n_iter_no_change epochs without a lower training
    loss; tol (1e-4, as scikit-learn's) is how much lower a loss must be to count. standardize
    (False) fits the network's input transform to the training rows on the first fit (and, for
    the regressor, its output transform to the targets; losses are then those of the standardised
    targets), so that network_ takes raw rows wherever it is saved or exported, with no
    StandardScaler to carry beside it. A fitted Pipeline of scalers and this estimator folds into
    one estimator with fold_pipeline.

    Attributes: network_ (the plexus.Network), classes_, n_features_in_, loss_curve_,
    best_loss_ (None with early stopping), validation_loss_, n_iter_.
    """

    _output_activation = "softmax"
    _loss = "cross_entropy"

    def _prepare_targets(self, y: Any, first: bool, classes: Any = None) -> NDArray[Any]:
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            from sklearn.utils.validation import column_or_1d
            y = column_or_1d(y, warn=True)
        if y.ndim != 1:
            raise ValueError(f"{type(self).__name__} takes one label per row; y has shape {y.shape}")
        check_classification_targets(y)
        if first:
            self.classes_ = unique_labels(y) if classes is None else np.asarray(unique_labels(classes))
        unknown = np.setdiff1d(unique_labels(y), self.classes_)
        if unknown.size:
            raise ValueError(f"y holds labels {unknown.tolist()} that are not in classes_ {self.classes_.tolist()}")
        onehot = np.zeros((len(y), len(self.classes_)), np.float32)
        onehot[np.arange(len(y)), np.searchsorted(self.classes_, y)] = 1
        return onehot

    def fit(self, X: Any, y: Any) -> "PlexusClassifier":
        """Trains for up to max_iter epochs (warm_start: continues the fitted network)."""
        self._fit(X, y, epochs=int(self.max_iter), incremental=False)
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> "PlexusClassifier":
        """One epoch over X, y, continuing the fitted network; the first call needs `classes`."""
        if not hasattr(self, "network_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit")
        self._fit(X, y, epochs=1, incremental=True, classes=classes)
        return self

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """The softmax outputs: one column per class of classes_."""
        return self._outputs(X)

    def predict(self, X: Any) -> NDArray[Any]:
        best = self._outputs(X).argmax(axis=1)      # first: it raises NotFittedError before fit
        return np.asarray(self.classes_[best])


class PlexusRegressor(RegressorMixin, _PlexusEstimator):  # type: ignore[misc]
    """A regressor on a Plexus network: hidden layers of `activation`, an identity output layer
    (one unit per target column: multi-output targets are supported), mean squared error.
    Parameters and attributes as PlexusClassifier's (without classes_)."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags

    def _prepare_targets(self, y: Any, first: bool, classes: Any = None) -> NDArray[Any]:
        rows: NDArray[np.float32] = np.asarray(y, dtype=np.float32)
        if first:
            self._one_column = rows.ndim == 1
        return rows.reshape(len(rows), -1)

    def fit(self, X: Any, y: Any) -> "PlexusRegressor":
        """Trains for up to max_iter epochs (warm_start: continues the fitted network)."""
        self._fit(X, y, epochs=int(self.max_iter), incremental=False)
        return self

    def partial_fit(self, X: Any, y: Any) -> "PlexusRegressor":
        """One epoch over X, y, continuing the fitted network."""
        self._fit(X, y, epochs=1, incremental=True)
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
    net.set_input_transform(inputs[0].astype(np.float32), inputs[1].astype(np.float32))
    if target is not None:
        outputs = net.sizes[-1]
        shift, scale = _scaler_affine(target[0], target[1], outputs)   # y' = (y - shift) * scale
        # The regressor predicts y' (after its own output transform, if any): y = y' / scale + shift.
        own = net.output_transform
        k = np.ones(outputs) if own is None else own.scale.astype(np.float64)
        s = np.zeros(outputs) if own is None else own.shift.astype(np.float64)
        net.set_output_transform((k / scale).astype(np.float32), (s / scale + shift).astype(np.float32))
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
