"""Issue 19's rules against PyTorch itself: 20 steps of SGD and Adam with weight decay, AdamW,
RMSprop and clipping give the same weights within 1e-5; the new activations and losses give torch's values
and gradients; StepLR and CosineAnnealingLR give torch's rate every epoch. Runs when torch is
installed (`pip install torch`); test_training_real_data.py checks the same rules against numpy
on every run."""
import numpy as np
import pytest

import plexus

torch = pytest.importorskip("torch", reason="PyTorch is not installed: `pip install torch` to run the PyTorch parity tests")
nn = torch.nn


def batches(count, rows, inputs, outputs, seed):
    rng = np.random.default_rng(seed)
    return [(rng.uniform(-1, 1, (rows, inputs)).astype(np.float32), rng.uniform(-1, 1, (rows, outputs)).astype(np.float32))
            for _ in range(count)]


def torch_params(model) -> np.ndarray:
    return np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])


OPTIMIZERS = [
    ("sgd+decay", lambda n: n.sgd(0.1, weight_decay=0.05), lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.05), 0),
    ("momentum+decay", lambda n: n.sgd(0.05, momentum=0.9, weight_decay=0.01),
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.01), 0),
    ("adam+decay", lambda n: n.adam(0.01, weight_decay=0.1), lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1), 0),
    ("adamw", lambda n: n.adamw(0.01, weight_decay=0.1), lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1), 0),
    ("adamw defaults", lambda n: n.adamw(), lambda p: torch.optim.AdamW(p), 0),
    ("sgd+clip", lambda n: n.sgd(0.2), lambda p: torch.optim.SGD(p, lr=0.2), 0.05),
    ("adam+decay+clip", lambda n: n.adam(0.01, weight_decay=0.01), lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.01), 0.1),
    ("rmsprop", lambda n: n.rmsprop(0.01), lambda p: torch.optim.RMSprop(p, lr=0.01), 0),
    ("rmsprop momentum centered decay", lambda n: n.rmsprop(0.005, alpha=0.9, momentum=0.8, centered=True, weight_decay=0.01),
     lambda p: torch.optim.RMSprop(p, lr=0.005, alpha=0.9, momentum=0.8, centered=True, weight_decay=0.01), 0),
]


@pytest.mark.parametrize("name,configure,make_optimizer,clip", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
def test_twenty_steps_match_torch(name, configure, make_optimizer, clip):
    torch.manual_seed(3)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 6), nn.GELU(), nn.Linear(6, 3))
    net = configure(plexus.from_torch(model))
    if clip:
        net.set_grad_clip(clip)
    optimizer = make_optimizer(model.parameters())
    for x, y in batches(20, 5, 4, 3, seed=1):
        optimizer.zero_grad()
        nn.MSELoss()(model(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        if clip:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        net.train_step(x, y)
    assert np.abs(torch_params(model) - net.params).max() < 1e-5


NEW_ACTIVATIONS = [("gelu", nn.GELU), ("elu", nn.ELU), ("silu", nn.SiLU), ("softplus", nn.Softplus)]
LOSSES = [("mse", nn.MSELoss), ("l1", nn.L1Loss), ("huber", nn.HuberLoss)]


@pytest.mark.parametrize("activation,module", NEW_ACTIVATIONS, ids=[a for a, _ in NEW_ACTIVATIONS])
@pytest.mark.parametrize("loss,criterion", LOSSES, ids=[l for l, _ in LOSSES])
def test_new_activations_and_losses_give_torchs_values_and_gradients(activation, module, loss, criterion):
    torch.manual_seed(7)
    model = nn.Sequential(nn.Linear(3, 6), module(), nn.Linear(6, 4), module())
    net = plexus.from_torch(model)
    net.loss = loss
    rng = np.random.default_rng(2)
    x = rng.uniform(-3, 3, (9, 3)).astype(np.float32)
    y = rng.uniform(-2, 2, (9, 4)).astype(np.float32)
    value = criterion()(model(torch.from_numpy(x)), torch.from_numpy(y))
    value.backward()
    np.testing.assert_allclose(net.forward(x), model(torch.from_numpy(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    assert net.backward(y) == pytest.approx(value.item(), rel=1e-5, abs=1e-7)
    expected = np.concatenate([p.grad.numpy().ravel() for p in model.parameters()])
    np.testing.assert_allclose(net.grads, expected, rtol=1e-4, atol=1e-6)


def test_softplus_threshold_and_elu_below_zero_are_torchs():
    z = torch.tensor([[-30.0, -3.0, -1e-3, 0.0, 1e-3, 3.0, 19.9, 20.0, 20.1, 40.0]])
    for activation, module in NEW_ACTIVATIONS:
        net = plexus.Network([10, 10], activation, bias=False)
        net.set_weights(1, np.eye(10, dtype=np.float32))
        # atol 1e-6: torch's float GELU computes 1 + erf(z/sqrt2), which cancels for negative z
        # (5e-7 off at z = -3); Plexus uses erfc there and agrees with the double-precision value.
        np.testing.assert_allclose(net.predict(z.numpy()), module()(z).numpy(), rtol=1e-6, atol=1e-6, err_msg=activation)



@pytest.mark.parametrize("schedule", [("step", 3, 0.5), ("step", 1, 0.9), ("cosine", 10, 0.001), ("cosine", 4, 0.0)])
def test_schedules_give_torchs_rate_every_epoch(schedule):
    kind, first, second = schedule
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    scheduler = (torch.optim.lr_scheduler.StepLR(optimizer, step_size=first, gamma=second) if kind == "step"
                 else torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=first, eta_min=second))
    rates = []
    for _ in range(12):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    x, y = batches(1, 8, 4, 3, seed=0)[0]
    history = plexus.Network([4, 5, 3], ["tanh", "identity"]).sgd(0.1).fit(x, y, 12, progress=False, lr_schedule=schedule)
    np.testing.assert_allclose(history.lr, np.array(rates, np.float32), rtol=1e-6, atol=1e-9)
