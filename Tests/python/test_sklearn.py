"""plexus.sklearn against scikit-learn's own estimator checks, and in the tools Python users reach
for: Pipeline, GridSearchCV, cross_val_score, pickle, DataFrames; the fitted network loads in C."""
import pickle
import subprocess

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_digits, make_regression  # noqa: E402
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from sklearn.neural_network import MLPClassifier  # noqa: E402

from plexus.sklearn import PlexusClassifier, PlexusRegressor  # noqa: E402
from test_binding import model_tool  # noqa: E402

# Every check passes, check_methods_subset_invariance included: Plexus sums each output in one
# order whatever the batch (include/plexus.h, "One order of arithmetic"), so a subset's outputs are
# bitwise those of the same rows in a larger batch.
# One check is expected to fail, as it does for scikit-learn's own MLP with its stochastic
# solvers (its test suite runs it with lbfgs only): a weight of 2 and a repeated row fall into
# different mini-batches, so the two fits cannot give the same network.
_MINI_BATCH = {"check_sample_weight_equivalence_on_dense_data":
               "mini-batch training: weighted rows and repeated rows fall into different batches"}


@parametrize_with_checks([PlexusClassifier(random_state=0), PlexusRegressor(random_state=0)],
                         expected_failed_checks=lambda estimator: _MINI_BATCH)
def test_scikit_learns_estimator_checks(estimator, check):
    check(estimator)


def test_a_subsets_outputs_are_bitwise_the_full_batchs():
    """What check_methods_subset_invariance sees, exactly: with layers in the GEMM (20·100 weights)."""
    x, y = make_regression(300, 20, random_state=0)
    est = PlexusRegressor((100,), random_state=0, max_iter=20).fit(x, y)
    full = est.predict(x)
    for n in (1, 7, 64, 299):
        assert est.predict(x[:n]).tobytes() == full[:n].tobytes(), n


def digits_split():
    digits = load_digits()
    return train_test_split(digits.data, digits.target, test_size=0.25, random_state=0, stratify=digits.target)


@pytest.mark.slow
def test_pipeline_in_grid_search_on_digits():
    x_train, x_test, y_train, y_test = digits_split()
    net = PlexusClassifier(random_state=0, max_iter=100, batch_size=32, solver="adamw", alpha=0.01)
    pipeline = Pipeline([("scale", StandardScaler()), ("net", net)])
    search = GridSearchCV(pipeline, {"net__hidden_layer_sizes": [(64,), (128,)], "net__solver": ["adam", "adamw"]},
                          cv=3)
    search.fit(x_train, y_train)
    accuracy = search.score(x_test, y_test)
    assert accuracy >= 0.97, (accuracy, search.best_params_)


def test_cross_val_score_and_early_stopping():
    digits = load_digits()
    scores = cross_val_score(PlexusClassifier(random_state=1, max_iter=50), digits.data / 16, digits.target, cv=3)
    assert len(scores) == 3 and scores.min() > 0.9
    est = PlexusClassifier(random_state=2, early_stopping=True, n_iter_no_change=5, max_iter=500)
    est.fit(digits.data / 16, digits.target)
    assert est.n_iter_ < 500 and est.best_loss_ is None and len(est.validation_scores_) == est.n_iter_
    assert len(est.loss_curve_) == est.n_iter_ and est.best_validation_score_ == max(est.validation_scores_)
    # scikit-learn's rule: stop once more than n_iter_no_change epochs have not beaten the best
    # score by tol; the network holds the best epoch's weights.
    best = int(np.argmax(est.validation_scores_))
    assert est.n_iter_ - 1 - best >= 6
    assert est.score(digits.data / 16, digits.target) > 0.9


def test_string_labels_proba_and_a_pickled_estimator_whose_network_loads_in_c(tmp_path):
    x_train, x_test, y_train, y_test = digits_split()
    names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"])
    est = PlexusClassifier(hidden_layer_sizes=(48,), random_state=0, max_iter=60, batch_size=32).fit(x_train / 16, names[y_train])
    assert list(est.classes_) == sorted(names)
    proba = est.predict_proba(x_test / 16)
    assert proba.shape == (len(x_test), 10) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert (est.predict(x_test / 16) == names[y_test]).mean() > 0.95
    clone = pickle.loads(pickle.dumps(est))
    assert (clone.predict(x_test / 16) == est.predict(x_test / 16)).all()
    est.network_.save(tmp_path / "digits.safetensors")
    rows = (x_test[:40] / 16).astype(np.float32)
    rows.tofile(tmp_path / "x.f32")
    subprocess.run([model_tool(), "predict", str(tmp_path / "digits.safetensors"), str(tmp_path / "x.f32"), "40",
                    str(tmp_path / "y.f32")], check=True)
    from_c = np.fromfile(tmp_path / "y.f32", np.float32).reshape(40, 10)
    assert from_c.tobytes() == est.network_.predict(rows).tobytes()
    assert (est.classes_[from_c.argmax(axis=1)] == est.predict(rows)).all()


def test_regressor_multi_output_dataframes_partial_fit_and_warm_start():
    pd = pytest.importorskip("pandas")
    x, y = make_regression(400, 6, n_targets=3, noise=0.1, random_state=0)
    y = y / y.std(axis=0)
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(6)])
    est = PlexusRegressor(hidden_layer_sizes=(32,), random_state=0, max_iter=150, learning_rate_init=0.01).fit(frame, y)
    assert list(est.feature_names_in_) == list(frame.columns) and est.n_features_in_ == 6
    assert est.predict(frame).shape == (400, 3) and est.score(frame, y) > 0.95
    single = PlexusRegressor(hidden_layer_sizes=(16,), random_state=0, max_iter=5).fit(x, y[:, 0])
    assert single.predict(x).shape == (400,)
    first = PlexusRegressor(hidden_layer_sizes=(16,), random_state=0)
    for _ in range(3):
        first.partial_fit(x, y[:, 0])
    assert first.n_iter_ == 3 and len(first.loss_curve_) == 3 and first.loss_curve_[2] < first.loss_curve_[0]
    warm = PlexusRegressor(hidden_layer_sizes=(16,), random_state=0, max_iter=5, warm_start=True, n_iter_no_change=50)
    warm.fit(x, y[:, 0])
    network = warm.network_
    warm.fit(x, y[:, 0])
    assert warm.network_ is network and warm.n_iter_ == 10


def test_classifier_partial_fit_needs_classes_first():
    x, y = load_digits(return_X_y=True)
    est = PlexusClassifier(random_state=0)
    with pytest.raises(ValueError, match="classes must be passed"):
        est.partial_fit(x[:50], y[:50])
    est.partial_fit(x[:50] / 16, y[:50], classes=np.arange(10))
    est.partial_fit(x[50:100] / 16, y[50:100])
    assert est.n_iter_ == 2 and list(est.classes_) == list(range(10))


def test_parameters_are_checked_at_fit():
    x, y = load_digits(return_X_y=True)
    for bad in [dict(solver="lbfgs"), dict(activation="softmax"), dict(hidden_layer_sizes=(0,)), dict(alpha=-1),
                dict(batch_size=0), dict(max_iter=0), dict(validation_fraction=1.0)]:
        with pytest.raises(ValueError):
            PlexusClassifier(**bad).fit(x[:20], y[:20])


def test_tol_has_scikit_learns_meaning_and_is_checked():
    """An epoch counts as an improvement only when the loss falls by more than tol, and training
    stops when more than n_iter_no_change epochs in a row did not: with a huge tol that is epoch
    n_iter_no_change + 2, as scikit-learn's MLP counts; with 0 it runs to max_iter here and says so."""
    x = np.random.default_rng(0).normal(size=(60, 3))
    y = (x[:, 0] > 0).astype(int)
    quick = PlexusClassifier(hidden_layer_sizes=(4,), max_iter=200, tol=1e9, n_iter_no_change=3, random_state=0).fit(x, y)
    theirs = MLPClassifier(hidden_layer_sizes=(4,), max_iter=200, tol=1e9, n_iter_no_change=3, random_state=0).fit(x, y)
    assert quick.n_iter_ == theirs.n_iter_ == 5
    with pytest.warns(sklearn.exceptions.ConvergenceWarning, match=r"Maximum iterations \(30\) reached"):
        patient = PlexusClassifier(hidden_layer_sizes=(4,), max_iter=30, tol=0.0, n_iter_no_change=3, random_state=0).fit(x, y)
    assert patient.n_iter_ == 30
    assert PlexusClassifier().get_params()["tol"] == 1e-4 == MLPClassifier().get_params()["tol"]
    for bad in (-1.0, float("nan"), "x"):
        with pytest.raises(ValueError, match="tol must be a finite number >= 0"):
            PlexusClassifier(tol=bad).fit(x, y)


@pytest.mark.parametrize("estimator", [PlexusClassifier, PlexusRegressor])
def test_an_unknown_parameter_fails_as_scikit_learns_own(estimator):
    with pytest.raises(TypeError, match=rf"^{estimator.__name__}\.__init__\(\) got an unexpected keyword argument 'tolerance'$"):
        estimator(tolerance=1e-3)
    with pytest.raises(TypeError, match=r"^MLPClassifier\.__init__\(\) got an unexpected keyword argument 'tolerance'$"):
        MLPClassifier(tolerance=1e-3)


# ----- scikit-learn's meanings (issue 35) ----------------------------------------------------------

@pytest.mark.parametrize("alpha", [1e-2, 1.0])
def test_alpha_is_scikit_learns_l2_penalty_on_digits(alpha):
    """alpha is the L2 penalty on the weights divided by the batch size: at alpha = 1 a network
    that took it as weight decay scored 0.096 here. docs/python.md has the table for four alphas."""
    import warnings
    x_train, x_test, y_train, y_test = digits_split()
    settings = dict(hidden_layer_sizes=(64,), solver="adam", batch_size=32, max_iter=50, alpha=alpha, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        theirs = MLPClassifier(**settings).fit(x_train / 16, y_train).score(x_test / 16, y_test)
        ours = PlexusClassifier(**settings).fit(x_train / 16, y_train)
    assert abs(ours.score(x_test / 16, y_test) - theirs) <= 0.03
    assert ours.network_.l2_penalty == pytest.approx(alpha / 32) and ours.network_.optimizer["weight_decay"] == 0


def test_the_regressor_follows_scikit_learns_steps_and_loss_scale():
    """Same random_state, shuffle=False: the same initial weights (scikit-learn's Glorot draw), the
    same batches, the same gradient (squared error, the penalty over the batch) and Adam step, so
    the same weights to float32 rounding after 15 epochs; loss_curve_ on its scale, the penalty
    included (measured with each epoch's last weights where scikit-learn takes each batch's)."""
    from sklearn.neural_network import MLPRegressor
    x, y = make_regression(320, 8, n_targets=2, noise=1.0, random_state=0)   # whole batches of 32
    y = y / y.std(axis=0)
    settings = dict(hidden_layer_sizes=(16,), batch_size=32, max_iter=15, alpha=0.1, random_state=0, shuffle=False)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        theirs = MLPRegressor(**settings).fit(x, y)
        ours = PlexusRegressor(**settings).fit(x, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-3)
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    for mine, reference in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        np.testing.assert_allclose(mine, reference, atol=1e-5)
    assert ours.best_loss_ == min(ours.loss_curve_) and ours.validation_scores_ is None
    assert ours.best_validation_score_ is None and ours.out_activation_ == "identity" and ours.n_layers_ == 3


def test_classifier_shapes_binary_and_multilabel_as_scikit_learn():
    from sklearn.datasets import make_multilabel_classification
    x_train, _, y_train, _ = digits_split()
    for labels in (y_train, (y_train > 4).astype(int)):
        ours = PlexusClassifier((12,), max_iter=3, random_state=0).fit(x_train / 16, labels)
        theirs = MLPClassifier((12,), max_iter=3, random_state=0).fit(x_train / 16, labels)
        assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
        assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
        assert ours.out_activation_ == theirs.out_activation_ and ours.predict_proba(x_train[:5] / 16).shape == \
            theirs.predict_proba(x_train[:5] / 16).shape
        assert list(ours.network_.classes) == [str(c) for c in ours.classes_]
        w, b = ours.network_.get_weights(1)
        assert ours.coefs_[0].tobytes() == np.ascontiguousarray(w.T).tobytes() and ours.intercepts_[0].tobytes() == b.tobytes()
    x, y = make_multilabel_classification(400, 10, n_classes=4, random_state=0)
    ours = PlexusClassifier((32,), max_iter=60, random_state=0).fit(x[:300], y[:300])
    theirs = MLPClassifier((32,), max_iter=60, random_state=0).fit(x[:300], y[:300])
    guess = ours.predict(x[300:])
    assert guess.shape == (100, 4) and set(np.unique(guess)) <= {0, 1} and ours.out_activation_ == "logistic"
    assert ours.network_.loss == "binary_cross_entropy" and list(ours.classes_) == [0, 1, 2, 3]
    assert ours.score(x[300:], y[300:]) >= theirs.score(x[300:], y[300:]) - 0.1
    assert ours.loss_curve_[-1] == pytest.approx(theirs.loss_curve_[-1], rel=0.3)


def test_sample_weight_reaches_the_loss():
    """Rows whose labels were corrupted, weighted 0, no longer teach the network."""
    x_train, x_test, y_train, y_test = digits_split()
    corrupted = y_train.copy()
    bad = np.random.default_rng(0).random(len(y_train)) < 0.4
    corrupted[bad] = (corrupted[bad] + 1) % 10
    settings = dict(hidden_layer_sizes=(32,), max_iter=30, batch_size=32, random_state=0)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sklearn.exceptions.ConvergenceWarning)
        trusting = PlexusClassifier(**settings).fit(x_train / 16, corrupted)
        weighted = PlexusClassifier(**settings).fit(x_train / 16, corrupted, sample_weight=(~bad).astype(float))
    assert weighted.score(x_test / 16, y_test) > trusting.score(x_test / 16, y_test) + 0.05
    with pytest.raises(ValueError, match="non-zero|sums to 0"):
        PlexusClassifier(**settings).fit(x_train / 16, y_train, sample_weight=np.zeros(len(y_train)))


def test_ctrl_c_keeps_the_epochs_that_ran_and_partial_fit_refuses_early_stopping():
    import _thread
    import threading
    x, y = load_digits(return_X_y=True)
    est = PlexusClassifier((256,), max_iter=100000, batch_size=16, random_state=0)
    timer = threading.Timer(1.0, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        est.fit(x / 16, y)
    timer.cancel()
    assert est.n_iter_ >= 1 and len(est.loss_curve_) == est.n_iter_ and est.score(x / 16, y) > 0.5
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        PlexusClassifier(early_stopping=True).partial_fit(x[:20], y[:20], classes=np.arange(10))
