"""The optimizers from Python: RMSprop (issue 26's proof that an optimizer has one home) saved and
resumed bitwise, its settings reported and refused, and every optimizer reachable by name from the
tables, the Network methods and the scikit-learn estimators. The numbers themselves are checked
against numpy in test_numpy_reference.py and against PyTorch in test_interop.py."""
import re

import numpy as np
import pytest

import plexus
from plexus import _tables

SIZES, ACTS = [4, 6, 3], ["tanh", "identity"]


def data(n, seed):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, 4)).astype(np.float32), rng.uniform(-1, 1, (n, 3)).astype(np.float32)


@pytest.mark.parametrize("settings", [
    {}, {"momentum": 0.9}, {"centered": True}, {"momentum": 0.5, "centered": True, "weight_decay": 1e-3},
])
def test_rmsprop_resumes_bitwise_from_a_file(tmp_path, settings):
    x, y = data(40, 1)

    def configured():
        return plexus.Network(SIZES, ACTS, seed=4).rmsprop(0.01, alpha=0.95, **settings)

    straight = configured()
    straight.fit(x, y, 3, batch_size=8, shuffle_seed=1, progress=False)
    straight.fit(x, y, 2, batch_size=8, shuffle_seed=2, progress=False)
    halfway = configured()
    halfway.fit(x, y, 3, batch_size=8, shuffle_seed=1, progress=False)
    halfway.save(tmp_path / "m.safetensors")
    resumed = plexus.Network.load(tmp_path / "m.safetensors")
    assert resumed.optimizer == halfway.optimizer
    resumed.fit(x, y, 2, batch_size=8, shuffle_seed=2, progress=False)
    assert resumed.params.tobytes() == straight.params.tobytes()
    assert not np.array_equal(straight.params, configured().params)


def test_rmsprop_state_tensors_follow_torchs_names_and_the_settings(tmp_path):
    """square_avg after any step; momentum_buffer and grad_avg only once a step ran with them. A
    setting turned on later starts its buffer at zero, and the file still resumes bitwise."""
    from safetensors.numpy import load_file
    x, y = data(16, 2)
    net = plexus.Network(SIZES, ACTS, seed=5).rmsprop(0.01)
    net.save(tmp_path / "fresh.safetensors")
    assert not [k for k in load_file(str(tmp_path / "fresh.safetensors")) if k.startswith("optimizer.")]
    net.train_step(x, y)
    net.save(tmp_path / "plain.safetensors")
    names = {k.rsplit(".", 1)[-1] for k in load_file(str(tmp_path / "plain.safetensors")) if k.startswith("optimizer.")}
    assert names == {"square_avg"}
    net.rmsprop(0.01, momentum=0.9, centered=True)          # same kind: the state is kept
    twin = plexus.Network.from_bytes(net.to_bytes())
    for model in (net, twin):
        model.train_step(x, y)
    assert twin.params.tobytes() == net.params.tobytes()
    net.save(tmp_path / "all.safetensors")
    names = {k.rsplit(".", 1)[-1] for k in load_file(str(tmp_path / "all.safetensors")) if k.startswith("optimizer.")}
    assert names == {"square_avg", "momentum_buffer", "grad_avg"}


def test_rmsprop_reports_its_settings_and_keeps_state_across_changes():
    net = plexus.Network(SIZES, ACTS).rmsprop(0.02, alpha=0.9, eps=1e-6, momentum=0.3, centered=True, weight_decay=0.1)
    opt = net.optimizer
    assert opt["name"] == "rmsprop" and opt["centered"] is True
    for key, value in {"lr": 0.02, "alpha": 0.9, "eps": 1e-6, "momentum": 0.3, "weight_decay": 0.1}.items():
        assert opt[key] == pytest.approx(value, rel=1e-7), key
    assert list(opt) == ["name", *_tables.OPTIMIZER_HYPERPARAMETERS["rmsprop"], "weight_decay"]
    assert "rmsprop(lr=0.02, alpha=0.9, eps=1e-06, momentum=0.3, centered=True, weight_decay=0.1)" in repr(net)


@pytest.mark.parametrize("arguments,message", [
    ({"lr": 0.0}, "learning rate is 0"),
    ({"lr": float("nan")}, "learning rate is nan"),
    ({"alpha": 1.0}, "alpha is 1.0; pass a value in [0, 1)"),
    ({"alpha": -0.1}, "alpha is -0.1"),
    ({"eps": 0.0}, "epsilon is 0.0; pass a finite value > 0"),
    ({"eps": float("inf")}, "epsilon is inf"),
    ({"momentum": 1.0}, "momentum is 1.0; pass a value in [0, 1)"),
    ({"momentum": -1.0}, "momentum is -1.0"),
    ({"weight_decay": -1.0}, "weight decay is -1.0"),
])
def test_bad_rmsprop_settings_are_refused_and_change_nothing(arguments, message):
    net = plexus.Network(SIZES, ACTS).adam(0.005)
    before = net.optimizer
    with pytest.raises(plexus.ArgumentError, match=re.escape(message)):
        net.rmsprop(**arguments)
    assert net.optimizer == before


def test_every_optimizer_is_reachable_by_its_name():
    """The tables, the Network methods and the estimators agree on the optimizers."""
    x, y = data(30, 3)
    for name in plexus.OPTIMIZERS:
        net = getattr(plexus.Network(SIZES, ACTS, seed=1), name)(0.01)
        assert net.optimizer["name"] == name
        assert list(net.optimizer)[1:-1] == list(_tables.OPTIMIZER_HYPERPARAMETERS[name])
        net.fit(x, y, 2, progress=False)
    pytest.importorskip("sklearn")
    from plexus.sklearn import PlexusRegressor
    for name in plexus.OPTIMIZERS:
        model = PlexusRegressor((8,), solver=name, max_iter=5, random_state=0).fit(x, y)
        assert model.network_.optimizer["name"] == name


def test_the_rmsprop_estimator_reads_rho_and_epsilon():
    pytest.importorskip("sklearn")
    from plexus.sklearn import PlexusClassifier
    x, _ = data(40, 4)
    labels = (x[:, 0] > 0).astype(int)
    model = PlexusClassifier((8,), solver="rmsprop", rho=0.9, epsilon=1e-6, alpha=1e-3, learning_rate_init=0.01,
                             max_iter=30, random_state=0).fit(x, labels)
    opt = model.network_.optimizer
    assert (opt["alpha"], opt["eps"], opt["weight_decay"]) == pytest.approx((0.9, 1e-6, 0.0), rel=1e-6)
    # alpha is scikit-learn's L2 penalty: alpha / batch size ("auto": all 40 rows) on the weights.
    assert model.network_.l2_penalty == pytest.approx(1e-3 / 40, rel=1e-6)
    assert opt["momentum"] == 0 and opt["centered"] is False
    assert model.score(x, labels) > 0.8
