"""The deployment check's Python side (Tests/deploy/test_deploy.sh).

    models.py make OUT     trains the digits net (64-32-10, relu and softmax, as the demo's), writes
                           float32 and int8 C (digits_f, digits_q), the test rows and what Plexus
                           and plexus.quantize.simulate give for them
    models.py check OUT    compares the runners' outputs (x86-64 and ARM under qemu) with those

Float32: Plexus sums in one order on every machine (the 64x32 layer with fmaf in its GEMM, the
32x10 layer with a multiply then an add), and so does the generated code: every target's outputs
bitwise plexus_predict's, and within float32 rounding of the exact outputs (float64 numpy from the
same weights). Int8: every target bit-identical to the simulator.
"""
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits

import plexus
from plexus import quantize as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
import reference  # noqa: E402  (Tests/python/reference.py: the tests' float64 numpy implementation)

ROWS = 300


def exact(net: plexus.Network, x: np.ndarray) -> np.ndarray:
    """The net's outputs in float64 from its float32 weights, by the tests' independent numpy reference."""
    layers = [tuple(None if a is None else a.astype(np.float64) for a in net.get_weights(l)) for l in range(1, len(net.sizes))]
    return reference.forward(layers, net.activations, x.astype(np.float64))[1][-1]


def make(out: Path) -> None:
    x, y = load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(x))
    x, y = x[order].astype(np.float32), y[order]
    train_x, train_y, test_x = x[:1400], y[:1400], x[1400:1400 + ROWS]
    net = plexus.Network([64, 32, 10], ["relu", "softmax"], loss="cross_entropy", seed=1).adam(0.01)
    net.fit(train_x, train_y, epochs=30, batch_size=32, progress=False)
    net.save(out / "digits.safetensors")
    net.export_c(out, "digits_f")
    q = net.export_c(out, "digits_q", quantize="int8", calibration=train_x[:500])
    assert q is not None
    test_x.tofile(out / "rows.bin")
    pq.quantize_input(q, test_x).tofile(out / "rows_q.bin")
    net.predict(test_x).tofile(out / "expected_float.bin")
    exact(net, test_x).tofile(out / "expected_exact.bin")
    pq.simulate_int8(q, pq.quantize_input(q, test_x)).tofile(out / "expected_int8.bin")
    pq.simulate(q, test_x).tofile(out / "expected_int8_float.bin")
    print(f"models: digits 64-32-10 trained; {ROWS} test rows; float accuracy "
          f"{np.mean(net.predict(test_x).argmax(1) == y[1400:1400 + ROWS]):.4f}, int8 accuracy "
          f"{np.mean(pq.simulate(q, test_x).argmax(1) == y[1400:1400 + ROWS]):.4f}")


def check(out: Path) -> None:
    plexus_float = np.fromfile(out / "expected_float.bin", np.float32)
    exact_float = np.fromfile(out / "expected_exact.bin", np.float64)
    expected_int8 = np.fromfile(out / "expected_int8.bin", np.int8)
    expected_int8_float = np.fromfile(out / "expected_int8_float.bin", np.float32)
    native = np.fromfile(out / "x86-64" / "float.bin", np.float32)
    print(f"deploy: plexus_predict is within {np.max(np.abs(plexus_float - exact_float)):.3g} of the exact outputs")
    failures = 0
    for target in ("x86-64", "armhf"):
        folder = out / target
        got_float = np.fromfile(folder / "float.bin", np.float32)
        got_int8 = np.fromfile(folder / "int8.bin", np.int8)
        got_int8_float = np.fromfile(folder / "int8_float.bin", np.float32)
        from_exact = float(np.max(np.abs(got_float - exact_float)))
        from_native = float(np.max(np.abs(got_float - native)))
        float_same = np.array_equal(got_float.view(np.uint32), plexus_float.view(np.uint32))
        int8_same = np.array_equal(got_int8, expected_int8)
        int8_float_same = np.array_equal(got_int8_float.view(np.uint32), expected_int8_float.view(np.uint32))
        ok = float_same and from_native == 0 and from_exact <= 1e-6 and int8_same and int8_float_same
        failures += not ok
        print(f"deploy {target}: float32 {'bitwise plexus_predict' if float_same else 'DIFFERENT from plexus_predict'} "
              f"(within {from_exact:.3g} of the exact outputs, {from_native:.3g} from x86-64's); int8 outputs "
              f"{'bit-identical' if int8_same else 'DIFFERENT'} to the simulator, its float wrapper "
              f"{'bit-identical' if int8_float_same else 'DIFFERENT'} -> {'ok' if ok else 'FAILED'}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    {"make": make, "check": check}[sys.argv[1]](Path(sys.argv[2]))
