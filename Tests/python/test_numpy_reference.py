"""Plexus through its C API against the independent numpy implementation in reference.py."""
import itertools
import zlib

import numpy as np
import pytest

import plexus
import reference as ref

ACTIVATIONS = list(plexus.ACTIVATIONS)
LOSSES = list(plexus.LOSSES)


def valid_pairs():
    for output, loss in itertools.product(ACTIVATIONS, LOSSES):
        if loss == "cross_entropy" and output != "softmax":
            continue
        if loss == "binary_cross_entropy" and output != "sigmoid":
            continue
        yield output, loss


def targets(loss, rows, cols, rng):
    if loss == "cross_entropy":
        raw = rng.uniform(0.1, 1.0, (rows, cols))
        return raw / raw.sum(axis=1, keepdims=True)
    if loss == "binary_cross_entropy":
        return rng.uniform(0, 1, (rows, cols))
    return rng.uniform(-1, 1, (rows, cols))


@pytest.mark.parametrize("hidden", ACTIVATIONS)
@pytest.mark.parametrize("output,loss", list(valid_pairs()))
@pytest.mark.parametrize("bias", [True, False])
def test_forward_loss_and_gradients_match_numpy(hidden, output, loss, bias):
    rng = np.random.default_rng(zlib.crc32(f"{hidden}/{output}/{loss}/{bias}".encode()))
    sizes = [4, 6, 5, 3]
    acts = [hidden, hidden, output]
    net = plexus.Network(sizes, acts, bias=bias, seed=3, loss=loss)
    x = rng.uniform(-2, 2, (7, 4)).astype(np.float32)
    y = targets(loss, 7, 3, rng).astype(np.float32)

    layers = ref.unflatten(net.params.astype(np.float64), sizes, bias)
    zs, a = ref.forward(layers, acts, x.astype(np.float64))
    out = net.forward(x)
    np.testing.assert_allclose(out, a[-1], rtol=1e-5, atol=1e-6)

    value, grads = ref.gradients(layers, acts, loss, x.astype(np.float64), y.astype(np.float64))
    assert net.backward(y) == pytest.approx(value, rel=1e-5, abs=1e-6)
    expected = ref.flatten(grads)
    assert np.abs(expected).max() > 1e-4, "a gradient of zeros proves nothing"
    np.testing.assert_allclose(net.grads, expected, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("make_optimizer,configure", [
    (lambda: ref.SGD(0.1), lambda n: n.sgd(0.1)),
    (lambda: ref.SGD(0.05, momentum=0.9), lambda n: n.sgd(0.05, 0.9)),
    (lambda: ref.Adam(0.01), lambda n: n.adam(0.01)),
    (lambda: ref.Adam(0.003, 0.8, 0.99, 1e-6), lambda n: n.adam(0.003, 0.8, 0.99, 1e-6)),
    (lambda: ref.RMSprop(0.01, momentum=0.9, centered=True), lambda n: n.rmsprop(0.01, momentum=0.9, centered=True)),
])
def test_optimizer_steps_match_numpy(make_optimizer, configure):
    rng = np.random.default_rng(5)
    sizes, acts = [3, 8, 2], ["tanh", "sigmoid"]
    net = plexus.Network(sizes, acts, seed=9)
    configure(net)
    optimizer = make_optimizer()
    theta = net.params.astype(np.float64)
    for _ in range(5):
        x = rng.uniform(-1, 1, (6, 3)).astype(np.float32)
        y = rng.uniform(0, 1, (6, 2)).astype(np.float32)
        net.params = theta.astype(np.float32)  # both sides continue from the same float32 point
        theta = net.params.astype(np.float64)
        _, grads = ref.gradients(ref.unflatten(theta, sizes, True), acts, "mse", x.astype(np.float64), y.astype(np.float64))
        theta = optimizer.step(theta, ref.flatten(grads))
        net.forward(x)
        net.backward(y)
        net.step()
        np.testing.assert_allclose(net.params, theta, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("momentum,centered,weight_decay", [
    (0.0, False, 0.0), (0.9, False, 0.0), (0.0, True, 0.0), (0.9, True, 0.0), (0.5, True, 1e-2),
])
def test_rmsprop_follows_torchs_rule_within_1e_5_over_20_steps(momentum, centered, weight_decay):
    """RMSprop against the numpy reference of torch's rule, fed the same gradients for 20 steps
    (the hyperparameters as the float32 values Plexus stores)."""
    rng = np.random.default_rng(11)
    net = plexus.Network([5, 7, 3], ["tanh", "identity"], seed=2)
    lr, alpha, eps = 0.01, 0.9, 1e-6
    net.rmsprop(lr, alpha=alpha, eps=eps, momentum=momentum, centered=centered, weight_decay=weight_decay)
    f32 = lambda v: float(np.float32(v))   # noqa: E731
    reference = ref.RMSprop(f32(lr), f32(alpha), f32(eps), f32(momentum), centered, f32(weight_decay))
    start = theta = net.params.astype(np.float64)
    for _ in range(20):
        g = rng.normal(0, 1, net.param_count).astype(np.float32)
        net.grads = g
        net.step()
        theta = reference.step(theta, g.astype(np.float64))
    assert np.median(np.abs(theta - start)) > 1e-2, "the parameters must have moved"
    np.testing.assert_allclose(net.params, theta, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("sizes,acts,bias,seed", [
    ([3, 5, 2], ["tanh", "softmax"], True, 0),
    ([4, 7, 7, 1], ["relu", "leaky_relu", "sigmoid"], False, 12345),
    ([2, 3], ["identity"], True, 2**64 - 1),
])
def test_initialisation_is_the_documented_generator(sizes, acts, bias, seed):
    net = plexus.Network(sizes, acts, bias=bias, seed=seed)
    expected = ref.initial_parameters(sizes, acts, bias, seed)
    assert net.params.tobytes() == expected.astype(np.float32).tobytes()


def test_train_is_documented_shuffled_minibatch_sgd():
    rng = np.random.default_rng(8)
    n, batch, epochs = 23, 5, 3
    x = rng.uniform(-1, 1, (n, 3)).astype(np.float32)
    y = rng.uniform(0, 1, (n, 2)).astype(np.float32)
    sizes, acts = [3, 6, 2], ["tanh", "sigmoid"]
    net = plexus.Network(sizes, acts, seed=4)
    net.sgd(0.2, 0.5)
    theta = net.params.astype(np.float64)
    optimizer = ref.SGD(0.2, momentum=0.5)
    expected_history = []
    for order in ref.epoch_orders(n, epochs, seed=99):
        total = 0.0
        for start in range(0, n, batch):
            rows = order[start:start + batch]
            value, grads = ref.gradients(ref.unflatten(theta, sizes, True), acts, "mse",
                                         x[rows].astype(np.float64), y[rows].astype(np.float64))
            theta = optimizer.step(theta, ref.flatten(grads))
            total += value * len(rows)
        expected_history.append(total / n)
    history = net.fit(x, y, epochs, batch_size=batch, shuffle_seed=99, progress=False)
    np.testing.assert_allclose(history, expected_history, rtol=1e-4)
    np.testing.assert_allclose(net.params, theta, rtol=1e-4, atol=1e-6)
