"""Training for real data (issue 19) against the numpy reference in reference.py: weight decay,
AdamW, clipping, dropout, sample weights, schedules, validation, early stopping and the best
parameters restored, train_step, and the model file keeping every setting."""
import math

import numpy as np
import pytest

import plexus
import reference as ref

SIZES, ACTS = [4, 7, 5, 3], ["tanh", "gelu", "identity"]


def data(rows, seed):
    rng = np.random.default_rng(seed)
    return (rng.uniform(-1, 1, (rows, SIZES[0])).astype(np.float32),
            rng.uniform(-1, 1, (rows, SIZES[-1])).astype(np.float32))


def reference_steps(net, optimizer, steps, clip=0.0, loss="mse", batch=6, seed=5):
    """`steps` updates of the numpy reference from the net's parameters, no re-synchronisation."""
    theta = net.params.astype(np.float64)
    for k in range(steps):
        x, y = data(batch, seed + k)
        _, grads = ref.gradients(ref.unflatten(theta, SIZES, True), ACTS, loss, x.astype(np.float64), y.astype(np.float64))
        g = ref.flatten(grads)
        if clip:
            g = ref.clip_by_global_norm(g, clip)
        theta = optimizer.step(theta, g)
    return theta


@pytest.mark.parametrize("configure,optimizer,clip", [
    (lambda n: n.sgd(0.1, weight_decay=0.05), lambda: ref.SGD(0.1, weight_decay=0.05), 0.0),
    (lambda n: n.sgd(0.05, momentum=0.9, weight_decay=0.01), lambda: ref.SGD(0.05, 0.9, weight_decay=0.01), 0.0),
    (lambda n: n.adam(0.01, weight_decay=0.1), lambda: ref.Adam(0.01, weight_decay=0.1), 0.0),
    (lambda n: n.adamw(0.01, weight_decay=0.1), lambda: ref.Adam(0.01, weight_decay=0.1, decoupled=True), 0.0),
    (lambda n: n.adamw(), lambda: ref.Adam(1e-3, weight_decay=0.01, decoupled=True), 0.0),
    (lambda n: n.sgd(0.2).set_grad_clip(0.05), lambda: ref.SGD(0.2), 0.05),
    (lambda n: n.adam(0.01, weight_decay=0.01).set_grad_clip(0.1), lambda: ref.Adam(0.01, weight_decay=0.01), 0.1),
])
def test_twenty_steps_match_numpy(configure, optimizer, clip):
    net = plexus.Network(SIZES, ACTS, seed=11)
    configure(net)
    expected = reference_steps(net, optimizer(), 20, clip=clip)
    for k in range(20):
        x, y = data(6, 5 + k)
        net.train_step(x, y)
    assert np.abs(expected - net.params).max() < 1e-5
    assert np.abs(expected - ref.initial_parameters(SIZES, ACTS, True, 11)).max() > 1e-3, "the steps changed nothing"


def test_clipping_only_scales_when_the_norm_is_above_the_bound():
    net = plexus.Network(SIZES, ACTS, seed=2).sgd(0.1)
    twin = plexus.Network.from_bytes(net.to_bytes())
    twin.set_grad_clip(1e6)             # never reached: the same bits as no clipping
    x, y = data(8, 1)
    net.train_step(x, y)
    twin.train_step(x, y)
    assert net.params.tobytes() == twin.params.tobytes()
    assert twin.grad_clip == 1e6


def test_weight_decay_is_kept_by_a_new_learning_rate_and_dropped_by_a_new_kind():
    net = plexus.Network(SIZES, ACTS).sgd(0.1, weight_decay=0.01)
    from plexus._capi import lib
    assert lib.plexus_set_sgd(net.handle, 0.2, 0.0) == 0
    assert net.optimizer == {"name": "sgd", "lr": pytest.approx(0.2), "momentum": 0.0, "weight_decay": pytest.approx(0.01)}
    net.adam(0.001)
    assert net.optimizer["weight_decay"] == 0.0
    net.adamw(weight_decay=0.3)
    assert net.optimizer["name"] == "adamw" and net.optimizer["weight_decay"] == pytest.approx(0.3)


@pytest.mark.parametrize("p1,p2", [(0.5, 0.0), (0.25, 0.4)])
def test_dropout_forward_and_gradients_match_numpy(p1, p2):
    net = plexus.Network(SIZES, ACTS, seed=7)
    net.set_dropout(1, p1).set_dropout(2, p2)
    assert net.dropout == [pytest.approx(p1), pytest.approx(p2), 0.0]
    gen = ref.generator_after_init(SIZES, 7)
    layers = ref.unflatten(net.params.astype(np.float64), SIZES, True)
    for call in range(2):    # the second forward continues the generator
        x, y = data(5, call)
        masks = [ref.dropout_mask(gen, 5, SIZES[1], p1) if p1 else None,
                 ref.dropout_mask(gen, 5, SIZES[2], p2) if p2 else None, None]
        value, grads = ref.gradients(layers, ACTS, "mse", x.astype(np.float64), y.astype(np.float64), masks=masks)
        net.zero_grads()
        net.forward(x)
        assert net.backward(y) == pytest.approx(value, rel=1e-5)
        np.testing.assert_allclose(net.grads, ref.flatten(grads), rtol=1e-4, atol=1e-6)


def test_dropout_leaves_predict_alone_and_is_reproducible():
    x, y = data(64, 3)
    plain = plexus.Network(SIZES, ACTS, seed=4)
    before = plain.predict(x)
    plain.set_dropout(1, 0.5)
    assert plain.predict(x).tobytes() == before.tobytes()
    assert not np.array_equal(plain.forward(x), before), "forward drops units"
    runs = []
    for _ in range(2):
        net = plexus.Network(SIZES, ACTS, seed=4).adam(0.01)
        net.set_dropout(1, 0.3).set_dropout(2, 0.1)
        net.fit(x, y, epochs=3, batch_size=8, progress=False)
        runs.append(net.params.tobytes())
    assert runs[0] == runs[1]
    other = plexus.Network(SIZES, ACTS, seed=5).adam(0.01)
    assert other.params.tobytes() != runs[0]


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_keeps_one_minus_p_and_scales_by_its_inverse(p):
    # Hidden layer: 1000 identity units that each output 1; the output layer copies them (W = I),
    # so forward shows the mask itself: 100 rows x 1000 units = 100,000 draws.
    width, rows = 1000, 100
    net = plexus.Network([1, width, width], "identity", bias=False, seed=1)
    net.set_weights(1, np.ones((width, 1), np.float32))
    net.set_weights(2, np.eye(width, dtype=np.float32))
    net.set_dropout(1, p)
    out = net.forward(np.ones((rows, 1), np.float32))
    scale = np.float32(1 / (1 - np.float32(p)))
    assert set(np.unique(out)) <= {np.float32(0), scale}
    kept = np.count_nonzero(out)
    n = rows * width
    assert abs(kept - n * (1 - p)) <= 3 * math.sqrt(n * p * (1 - p)), f"kept {kept} of {n} at p={p}"


def test_dropout_refuses_bad_layers_and_probabilities():
    net = plexus.Network(SIZES, ACTS)
    for layer, p, text in [(0, 0.5, "does not exist"), (3, 0.5, "output layer"), (4, 0.5, "does not exist"),
                           (1, 1.0, "[0, 1)"), (1, -0.1, "[0, 1)"), (1, float("nan"), "[0, 1)")]:
        with pytest.raises(plexus.ArgumentError, match=text.replace("[", r"\[").replace(")", r"\)")):
            net.set_dropout(layer, p)
    assert net.dropout == [0.0, 0.0, 0.0]


def test_sample_weights_give_the_weighted_mean_loss():
    n, batch = 20, 7
    x, y = data(n, 9)
    w = np.random.default_rng(1).uniform(0, 3, n).astype(np.float32)
    w[3] = 0
    net = plexus.Network(SIZES, ACTS, seed=3).sgd(0.1)
    theta = net.params.astype(np.float64)
    optimizer = ref.SGD(0.1)
    losses, weights = [], []
    for order in ref.epoch_orders(n, 2, seed=6):
        total = weight = 0.0
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            bw = w[rows].astype(np.float64)
            value, grads = ref.gradients(ref.unflatten(theta, SIZES, True), ACTS, "mse", x[rows].astype(np.float64),
                                         y[rows].astype(np.float64), row_weights=bw * len(rows) / bw.sum())
            theta = optimizer.step(theta, ref.flatten(grads))
            total += value * bw.sum()
            weight += bw.sum()
        losses.append(total / weight)
    history = net.fit(x, y, 2, batch_size=batch, shuffle_seed=6, progress=False, sample_weight=w)
    np.testing.assert_allclose(history, losses, rtol=1e-5)
    np.testing.assert_allclose(net.params, theta, rtol=1e-4, atol=1e-6)
    ones = plexus.Network(SIZES, ACTS, seed=3).sgd(0.1)
    plain = plexus.Network(SIZES, ACTS, seed=3).sgd(0.1)
    ones.fit(x, y, 2, batch_size=batch, progress=False, sample_weight=np.ones(n))
    plain.fit(x, y, 2, batch_size=batch, progress=False)
    np.testing.assert_allclose(ones.params, plain.params, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("schedule,closed_form", [
    (("step", 3, 0.5), lambda base, e: ref.step_lr(base, e, 3, 0.5)),
    (("step", 1, 0.9), lambda base, e: ref.step_lr(base, e, 1, 0.9)),
    (("cosine", 10, 0.001), lambda base, e: ref.cosine_lr(base, e, 10, 0.001)),
    (("cosine", 4, 0.0), lambda base, e: ref.cosine_lr(base, e, 4, 0.0)),   # beyond t_max: periodic
])
def test_schedules_give_torchs_rate_each_epoch(schedule, closed_form):
    x, y = data(16, 2)
    net = plexus.Network(SIZES, ACTS).sgd(0.1)
    history = net.fit(x, y, 12, batch_size=16, progress=False, lr_schedule=schedule)
    base = float(np.float32(0.1))
    expected = [closed_form(base, e) for e in range(12)]
    np.testing.assert_allclose(history.lr, np.array(expected, np.float32), rtol=1e-6, atol=1e-9)
    assert net.optimizer["lr"] == pytest.approx(0.1), "the base rate is put back"


def test_a_schedule_trains_as_the_same_rates_set_by_hand():
    x, y = data(24, 4)
    scheduled = plexus.Network(SIZES, ACTS, seed=1).sgd(0.2, momentum=0.5)
    history = scheduled.fit(x, y, 5, batch_size=8, progress=False, lr_schedule=("step", 2, 0.3))
    by_hand = plexus.Network(SIZES, ACTS, seed=1).sgd(0.2, momentum=0.5)

    def set_rate(epoch, loss):
        if epoch + 1 < len(history.lr):
            by_hand.sgd(history.lr[epoch + 1], momentum=0.5)

    by_hand.fit(x, y, 5, batch_size=8, progress=False, callback=set_rate)
    assert scheduled.params.tobytes() == by_hand.params.tobytes()


def test_early_stopping_restores_the_best_epoch_bitwise():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (40, 4)).astype(np.float32)
    y = rng.uniform(-1, 1, (40, 3)).astype(np.float32)          # noise: validation loss soon rises
    xv = rng.uniform(-1, 1, (30, 4)).astype(np.float32)
    yv = rng.uniform(-1, 1, (30, 3)).astype(np.float32)
    net = plexus.Network([4, 32, 3], ["tanh", "identity"], seed=2).adam(0.05)
    snapshots = []
    history = net.fit(x, y, 200, batch_size=8, progress=False, validation_data=(xv, yv), early_stopping=5,
                      callback=lambda epoch, loss: snapshots.append(net.params))
    assert history.stopped_early and len(history) < 200
    best = int(np.nanargmin(history.val_loss))
    assert history.best_epoch == best and len(history) == best + 6
    assert net.params.tobytes() == snapshots[best].tobytes()
    np.testing.assert_allclose(np.mean((net.predict(xv) - yv) ** 2), history.val_loss[best], rtol=1e-5)


def test_validation_accuracy_is_argmax_for_softmax_and_threshold_for_sigmoid():
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (50, 4)).astype(np.float32)
    labels = rng.integers(0, 3, 50)
    net = plexus.Network([4, 8, 3], ["relu", "softmax"], loss="cross_entropy", seed=1).adam(0.01)
    seen = []
    history = net.fit(x, labels, 3, progress=False, validation_data=(x[:20], labels[:20]), restore_best=False,
                      callback=lambda e, l: seen.append(np.mean(net.predict(x[:20]).argmax(1) == labels[:20])))
    np.testing.assert_allclose(history.val_accuracy, seen, rtol=1e-6)
    binary = plexus.Network([4, 5, 2], ["tanh", "sigmoid"], loss="binary_cross_entropy", seed=1)
    targets = (rng.uniform(size=(50, 2)) > 0.5).astype(np.float32)
    seen = []
    history = binary.fit(x, targets, 2, progress=False, validation_split=0.2, restore_best=False,
                         callback=lambda e, l: seen.append(np.mean((binary.predict(x[40:]) > 0.5) == (targets[40:] > 0.5))))
    np.testing.assert_allclose(history.val_accuracy, seen, rtol=1e-6)
    regression = plexus.Network(SIZES, ACTS).fit(*data(10, 1), 1, progress=False, validation_split=0.3)
    assert math.isnan(regression.val_accuracy[0]) and not math.isnan(regression.val_loss[0])


def test_history_is_still_the_list_of_training_losses():
    x, y = data(10, 1)
    history = plexus.Network(SIZES, ACTS).fit(x, y, 3, progress=False)
    assert isinstance(history, list) and list(history) == history.loss and len(history) == 3
    assert all(math.isnan(v) for v in history.val_loss)


def test_train_step_is_forward_backward_step():
    x, y = data(5, 2)
    a = plexus.Network(SIZES, ACTS, seed=3).adam(0.01)
    b = plexus.Network(SIZES, ACTS, seed=3).adam(0.01)
    for _ in range(3):
        loss = a.train_step(x, y)
        b.forward(x)
        assert b.backward(y) == loss
        b.step()
    assert a.params.tobytes() == b.params.tobytes()


def test_every_new_setting_survives_a_file_and_resumes_bitwise(tmp_path):
    x, y = data(30, 8)

    def configured():
        net = plexus.Network(SIZES, ["silu", "elu", "identity"], loss="huber", seed=6)
        net.adamw(0.01, weight_decay=0.05).set_grad_clip(0.5).set_dropout(1, 0.2).set_dropout(2, 0.1)
        return net

    straight = configured()
    straight.fit(x, y, 4, batch_size=8, shuffle_seed=1, progress=False)
    straight.fit(x, y, 3, batch_size=8, shuffle_seed=2, progress=False)
    halfway = configured()
    halfway.fit(x, y, 4, batch_size=8, shuffle_seed=1, progress=False)
    halfway.save(tmp_path / "m.plexus")
    resumed = plexus.Network.load(tmp_path / "m.plexus")
    assert resumed.optimizer == halfway.optimizer and resumed.loss == "huber"
    assert resumed.grad_clip == 0.5 and resumed.dropout == halfway.dropout
    resumed.fit(x, y, 3, batch_size=8, shuffle_seed=2, progress=False)
    assert resumed.params.tobytes() == straight.params.tobytes()


def test_gelu_is_accurate_where_one_plus_erf_cancels():
    z = np.array([[-30.0, -6.0, -3.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 3.0, 40.0]], np.float32)
    exact = np.array([v * 0.5 * math.erfc(-v / math.sqrt(2)) for v in z.astype(np.float64)[0]])
    net = plexus.Network([10, 10], "gelu", bias=False)
    net.set_weights(1, np.eye(10, dtype=np.float32))
    # rtol: the float argument z/sqrt2 is rounded (6e-8) and erfc's relative slope at z = -6 is
    # about z^2 = 36; 1 + erf(z/sqrt2) in float would give 0 there, and 1e-4 off at z = -3.
    np.testing.assert_allclose(net.predict(z)[0], exact, rtol=4e-6, atol=1e-30)


def test_a_refused_train_step_changes_nothing_and_leaves_no_forward_to_backward_from():
    x, y = data(1, 3)
    net = plexus.Network(SIZES, ACTS, seed=1).sgd(3e38)      # the update overflows
    net.forward(x)                                             # a kept forward of one row
    before = net.params
    with pytest.raises(plexus.NumericError):
        net.train_step(x * 1e3, y * 1e3)
    assert net.params.tobytes() == before.tobytes()
    assert not net.grads.any(), "a refused train_step zeroes the gradients"
    with pytest.raises(plexus.StateError):
        net.backward(y)                                        # the forward kept before is gone
