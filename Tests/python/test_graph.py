"""plexus.Graph: seed 002's numbers, operators, finite differences against numpy, training."""
import numpy as np
import pytest

import plexus


def test_seed002_apples():
    g = plexus.Graph()
    price, count, tax = g.param(10), g.param(2), g.param(1.1)
    total = price * count * tax
    g.forward()
    g.backward(total)
    assert total.item() == pytest.approx(22, abs=1e-5)
    assert [price.grad.item(), count.grad.item(), tax.grad.item()] == pytest.approx([2.2, 11, 20], abs=1e-5)


def test_seed002_apples_and_oranges():
    g = plexus.Graph()
    ap, ac, op, oc, tax = g.param(10), g.param(2), g.param(15), g.param(3), g.param(1.1)
    total = (ap * ac + op * oc) * tax
    g.forward()
    g.backward(total)
    assert total.item() == pytest.approx(71.5, abs=1e-5)
    grads = [n.grad.item() for n in (ap, ac, op, oc, tax)]
    assert grads == pytest.approx([2.2, 11, 3.3, 16.5, 65], abs=1e-5)


def test_operators_numbers_and_shapes_against_numpy():
    rng = np.random.default_rng(0)
    a_val, b_val, w_val = rng.uniform(0.5, 2, (3, 4)), rng.uniform(0.5, 2, (3, 4)), rng.uniform(-1, 1, (4, 2))
    g = plexus.Graph()
    a, b, w = g.param(a_val), g.param(b_val), g.param(w_val)
    expr = g.mean(g.activation("tanh", ((a - b) * 2 + 1 / b) @ w) ** 2) + g.sum(g.log(a) + g.exp(-b)) / 10
    g.forward()
    inner = np.tanh(((a_val - b_val) * 2 + 1 / b_val) @ w_val)
    expected = np.mean(inner ** 2) + np.sum(np.log(a_val) + np.exp(-b_val)) / 10
    assert expr.item() == pytest.approx(expected, rel=1e-5)
    g.backward(expr)
    # central differences in float64 through numpy, independent of Plexus
    def f(av):
        return np.mean(np.tanh(((av - b_val) * 2 + 1 / b_val) @ w_val) ** 2) + np.sum(np.log(av) + np.exp(-b_val)) / 10
    numeric = np.zeros_like(a_val)
    for index in np.ndindex(*a_val.shape):
        plus, minus = a_val.copy(), a_val.copy()
        plus[index] += 1e-6
        minus[index] -= 1e-6
        numeric[index] = (f(plus) - f(minus)) / 2e-6
    np.testing.assert_allclose(a.grad, numeric, rtol=1e-3, atol=1e-5)


def test_training_a_parameter():
    g = plexus.Graph().adam(0.1)
    x = g.constant(np.linspace(-1, 1, 20).reshape(-1, 1))
    w, bias = g.param(0.0), g.param(0.0)
    loss = g.loss("mse", x * w + bias, g.constant(np.linspace(-1, 1, 20).reshape(-1, 1) * 2 + 0.5))
    for _ in range(300):
        g.forward()
        g.backward(loss)
        g.step()
    assert w.item() == pytest.approx(2, abs=0.01) and bias.item() == pytest.approx(0.5, abs=0.01)


def test_errors_are_plexus_errors():
    g = plexus.Graph()
    a, b = g.input(2, 3), g.input(3, 2)
    with pytest.raises(plexus.ShapeError, match="cannot combine"):
        a + b
    with pytest.raises(plexus.ShapeError, match="inner dimensions"):
        a @ a
    with pytest.raises(plexus.StateError, match="forward"):
        (a @ b).value
    with pytest.raises(plexus.ArgumentError, match="only \\*\\* 2"):
        a ** 3
    with pytest.raises(plexus.ArgumentError, match="different graphs"):
        a + plexus.Graph().input(2, 3)
    with pytest.raises(plexus.ArgumentError, match="finite"):
        a.set(np.full((2, 3), np.nan))


def test_shopping_example_prints_the_seed_numbers():
    import subprocess
    import sys
    from pathlib import Path
    script = Path(__file__).resolve().parents[2] / "examples" / "python" / "shopping.py"
    out = subprocess.run([sys.executable, str(script)], check=True, capture_output=True, text=True).stdout
    assert "amount to pay: 71.5" in out
    for line in ("apple price  =   2.2", "apple count  =  11.0", "orange price =   3.3", "orange count =  16.5", "tax          =  65.0"):
        assert line in out
