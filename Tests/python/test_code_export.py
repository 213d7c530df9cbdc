"""The code export (plexus_export_c, Network.export_c, plexus.quantize): the generated C compiled
with gcc -std=c99 -Wall -Wextra -pedantic -Werror and compared with the library bit for bit.

- float32: bitwise plexus_predict, every activation, with and without biases, and every network
  size (layers in the GEMM's fmaf order included, digits 64-64-10 among them, with gcc and clang);
  the training step bitwise plexus_train_step with SGD at batch 1 for every loss and layer size;
- int8: the C bit-identical to plexus.quantize.simulate; on scikit-learn's digits the int8 model
  loses at most 1 point of accuracy and its constant data is at most 30% of the float model file;
- hostile inputs: bad names, oversized networks, unwritable folders, half-written files.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

import plexus
import reference as ref
from plexus import quantize as pq

# The flags, and the stricter ones embedded projects use (-Wdouble-promotion matters on an
# FPU without doubles, such as the Cortex-M4's).
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-Wshadow", "-Wdouble-promotion", "-Wconversion",
          "-Wsign-conversion", "-Wcast-qual", "-Wstrict-prototypes", "-Wmissing-prototypes", "-Wundef",
          "-O2", "-fPIC", "-shared"]
ELEMENTWISE = [a for a in plexus.ACTIVATIONS if a != "softmax"]
F32P = ctypes.POINTER(ctypes.c_float)
I8P = ctypes.POINTER(ctypes.c_int8)


def compile_model(folder: Path, name: str, compiler: str = "gcc") -> ctypes.CDLL:
    """NAME.c compiled warning-free into a shared library, loaded."""
    out = folder / f"lib{name}.so"
    result = subprocess.run([compiler, *CFLAGS, "-o", str(out), str(folder / f"{name}.c"), "-lm"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return ctypes.CDLL(str(out))


def f32(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.float32)


def c_predict(lib: ctypes.CDLL, name: str, x: np.ndarray, outputs: int) -> np.ndarray:
    """NAME_predict row by row."""
    x = f32(x)
    y = np.zeros((x.shape[0], outputs), np.float32)
    fn = getattr(lib, f"{name}_predict")
    for r in range(x.shape[0]):
        assert fn(x[r].ctypes.data_as(F32P), y[r].ctypes.data_as(F32P)) == 0
    return y


def c_predict_batch(lib: ctypes.CDLL, name: str, x: np.ndarray, outputs: int) -> np.ndarray:
    x = f32(x)
    y = np.zeros((x.shape[0], outputs), np.float32)
    assert getattr(lib, f"{name}_predict_batch")(x.ctypes.data_as(F32P), y.ctypes.data_as(F32P),
                                                  ctypes.c_size_t(x.shape[0])) == 0
    return y


def rows_predict(net: plexus.Network, x: np.ndarray) -> np.ndarray:
    """plexus_predict one row at a time (the row passes)."""
    return np.stack([net.predict(row) for row in f32(x)])


def bits(a: np.ndarray) -> np.ndarray:
    return f32(a).view(np.uint32)


def inputs(rows: int, width: int, seed: int) -> np.ndarray:
    """Values around 0 and far out (sigmoid's two branches, softplus past its threshold)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1.5, (rows, width))
    x[: rows // 4] *= 12
    return f32(x)


# ----- float32 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("activation", plexus.ACTIVATIONS)
def test_float_code_is_bitwise_plexus_predict(tmp_path, activation, bias):
    hidden = "tanh" if activation == "softmax" else activation
    net = plexus.Network([5, 12, 7, 3], [hidden, hidden, activation], bias=bias, seed=3)
    net.params = net.params * 2.5          # larger sums reach every branch
    net.export_c(tmp_path, "model")
    lib = compile_model(tmp_path, "model")
    x = inputs(200, 5, 1)
    expected = rows_predict(net, x)
    np.testing.assert_array_equal(bits(c_predict(lib, "model", x, 3)), bits(expected))
    np.testing.assert_array_equal(bits(c_predict_batch(lib, "model", x, 3)), bits(expected))


@pytest.mark.skipif(shutil.which("clang") is None, reason="no clang here (the wheel's test hides the Swift toolchain)")
def test_float_code_compiles_with_clang(tmp_path):
    net = plexus.Network([4, 6, 3], ["silu", "softmax"], seed=2)
    net.export_c(tmp_path, "both")
    lib = compile_model(tmp_path, "both", compiler="clang")
    x = inputs(50, 4, 2)
    np.testing.assert_array_equal(bits(c_predict(lib, "both", x, 3)), bits(rows_predict(net, x)))


def test_generated_headers_compile_as_cplusplus(tmp_path):
    net = plexus.Network([4, 6, 3], ["silu", "softmax"], seed=2)
    net.export_c(tmp_path, "both", train_step=True)
    net.export_c(tmp_path, "both8", quantize="int8", calibration=inputs(50, 4, 2))
    main = tmp_path / "main.cpp"
    main.write_text('#include "both.h"\n#include "both8.h"\nint main() { float x[BOTH_INPUTS] = {0}, y[BOTH_OUTPUTS]; '
                    'return both_predict(x, y) + both8_predict(x, y); }\n')
    result = subprocess.run(["g++", "-Wall", "-Wextra", "-Werror", "-pedantic", "-c", str(main), "-o",
                             str(tmp_path / "main.o")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def exact_outputs(net: plexus.Network, x: np.ndarray) -> np.ndarray:
    """The outputs in float64 from the float32 weights, by the tests' independent numpy reference."""
    layers = [tuple(None if a is None else a.astype(np.float64) for a in net.get_weights(l)) for l in range(1, len(net.sizes))]
    return ref.forward(layers, net.activations, x.astype(np.float64))[1][-1]


@pytest.mark.parametrize("sizes,activations", [
    ([64, 64, 10], ["relu", "softmax"]),                 # the digits net: 64*64 in the GEMM, 64*10 in loops
    ([64, 48, 32, 10], ["relu", "tanh", "softmax"]),
    ([200, 100, 30], ["gelu", "identity"]),              # every layer in the GEMM
])
def test_float_code_of_any_size_is_bitwise_plexus_predict(tmp_path, sizes, activations):
    """One order of arithmetic: the generated code sums large layers with fmaf, as Plexus's GEMM
    does, and small ones with a multiply then an add, as Plexus's loops do; so its outputs are
    plexus_predict's, bit for bit, one row at a time and in a batch of 300, with gcc and clang."""
    net = plexus.Network(sizes, activations, seed=5)
    net.export_c(tmp_path, "wide")
    x = f32(np.random.default_rng(0).uniform(-2, 16, (300, sizes[0])))
    want = net.predict(x)
    for compiler in ["gcc"] + (["clang"] if shutil.which("clang") else []):
        lib = compile_model(tmp_path, "wide", compiler)
        np.testing.assert_array_equal(bits(c_predict(lib, "wide", x, sizes[-1])), bits(want), err_msg=compiler)
        np.testing.assert_array_equal(bits(c_predict_batch(lib, "wide", x, sizes[-1])), bits(want), err_msg=compiler)
    assert "fmaf(" in (tmp_path / "wide.c").read_text()
    np.testing.assert_allclose(want, exact_outputs(net, x), rtol=1e-5, atol=3e-5)   # and right: float32 sums of 200 terms


def test_float_code_keeps_its_bits_under_every_compilers_defaults(tmp_path):
    """No compiler may contract a multiply and an add into one fma where Plexus rounds twice: gcc's
    default dialect (gnu, -ffp-contract=fast) and clang, at -O2 and -O3, with -std=c99 or none,
    for x86-64-v3 (FMA) and this CPU, all give plexus_predict's bits for a net with a 784-wide
    layer (fmaf sums), small layers (multiply then add) and an output transform (y*scale + shift)."""
    net = plexus.Network([784, 24, 16, 10], ["relu", "tanh", "identity"], seed=8)
    net.set_output_transform(shift=np.linspace(-3, 3, 10), scale=np.linspace(0.5, 7, 10))
    net.export_c(tmp_path, "mnist")
    x = f32(np.random.default_rng(2).uniform(0, 1, (200, 784)))
    want = bits(net.predict(x))
    compilers = ["gcc"] + (["clang"] if shutil.which("clang") else [])
    checked = 0
    for compiler in compilers:
        for optimization in ["-O2", "-O3"]:
            for dialect in [[], ["-std=c99"]]:
                for arch in ["-march=x86-64-v3", "-march=native"]:
                    flags = [*dialect, optimization, arch, "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared"]
                    out = tmp_path / f"lib{compiler}{optimization}{len(dialect)}{arch[7:]}.so"
                    result = subprocess.run([compiler, *flags, "-o", str(out), str(tmp_path / "mnist.c"), "-lm"],
                                            capture_output=True, text=True)
                    assert result.returncode == 0, (compiler, flags, result.stderr)
                    lib = ctypes.CDLL(str(out))
                    got = bits(c_predict_batch(lib, "mnist", x, 10))
                    differing = int((got != want).sum())
                    assert differing == 0, f"{compiler} {' '.join(flags)}: {differing} of {want.size} floats differ"
                    checked += 1
    assert checked == 8 * len(compilers)


def test_predict_refuses_null_and_non_finite_inputs_and_writes_nothing(tmp_path):
    net = plexus.Network([3, 4, 2], ["relu", "identity"], seed=1)
    net.export_c(tmp_path, "guard")
    lib = compile_model(tmp_path, "guard")
    y = np.full((2, 2), 7.0, np.float32)
    for bad in (np.nan, np.inf, -np.inf):
        x = f32([[1, 2, 3], [1, bad, 3]])
        assert lib.guard_predict(x[1].ctypes.data_as(F32P), y.ctypes.data_as(F32P)) == 1
        assert lib.guard_predict_batch(x.ctypes.data_as(F32P), y.ctypes.data_as(F32P), ctypes.c_size_t(2)) == 1
    assert np.all(y == 7.0)
    assert lib.guard_predict(None, y.ctypes.data_as(F32P)) == 1
    assert lib.guard_predict(f32([1, 2, 3]).ctypes.data_as(F32P), None) == 1


def test_the_generated_files_say_what_they_are(tmp_path):
    net = plexus.Network([2, 2, 1], ["sigmoid", "sigmoid"], seed=1)
    net.export_c(tmp_path, "xor")
    header, source = (tmp_path / "xor.h").read_text(), (tmp_path / "xor.c").read_text()
    assert "generated by Plexus " + plexus.version() in header and "2-2-1" in header
    for text in ("#define XOR_INPUTS 2", "#define XOR_OUTPUTS 1", "int xor_predict(const float *x, float *y);",
                 "int xor_predict_batch(const float *x, float *y, size_t n);", 'extern "C"'):
        assert text in header
    assert "static const float layer1_weights[4]" in source and "malloc" not in source
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xor.c", "xor.h"]


# ----- the training step -------------------------------------------------------------------------

TRAINING_CASES = [
    ("mse", ["tanh", "sigmoid"]), ("quadratic", ["gelu", "identity"]), ("l1", ["elu", "tanh"]),
    ("huber", ["leaky_relu", "identity"]), ("cross_entropy", ["silu", "softmax"]),
    ("binary_cross_entropy", ["softplus", "sigmoid"]), ("mse", ["relu", "softmax"]),
]


@pytest.mark.parametrize("sizes", [[4, 9, 3], [40, 30, 20]], ids=["small layers", "GEMM layers"])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("loss,activations", TRAINING_CASES)
def test_train_step_is_bitwise_plexus_train_step_with_sgd(tmp_path, loss, activations, bias, sizes):
    lr = 0.1 if sizes[0] < 10 else 0.01      # the wide net's quadratic loss sums 20 outputs
    net = plexus.Network(sizes, activations, loss=loss, bias=bias, seed=11).sgd(lr)
    net.export_c(tmp_path, "learner", train_step=True)
    lib = compile_model(tmp_path, "learner")
    rng = np.random.default_rng(4)
    inputs, outputs = sizes[0], sizes[-1]
    x = f32(rng.normal(0, 1, (60, inputs)))
    if loss == "cross_entropy":
        y = f32(np.eye(outputs)[rng.integers(0, outputs, 60)])
    elif activations[-1] in ("sigmoid", "softmax"):
        y = f32(rng.uniform(0, 1, (60, outputs)))
    else:
        y = f32(rng.normal(0, 1, (60, outputs)))
    for r in range(60):
        assert lib.learner_train_step(x[r].ctypes.data_as(F32P), y[r].ctypes.data_as(F32P), ctypes.c_float(lr)) == 0
        net.train_step(x[r:r + 1], y[r:r + 1])
    params = np.zeros(net.param_count, np.float32)
    lib.learner_get_params(params.ctypes.data_as(F32P))
    np.testing.assert_array_equal(bits(params), bits(net.params))
    # Predictions after training read the trained parameters.
    np.testing.assert_array_equal(bits(c_predict(lib, "learner", x[:10], outputs)), bits(rows_predict(net, x[:10])))


def test_train_step_refuses_what_plexus_refuses_and_changes_nothing(tmp_path):
    net = plexus.Network([2, 3, 1], ["tanh", "identity"], seed=1).sgd(0.1)
    net.export_c(tmp_path, "careful", train_step=True)
    lib = compile_model(tmp_path, "careful")
    before = np.zeros(net.param_count, np.float32)
    lib.careful_get_params(before.ctypes.data_as(F32P))
    x, y = f32([1e30, -1e30]), f32([1e30])
    assert lib.careful_train_step(x.ctypes.data_as(F32P), y.ctypes.data_as(F32P), ctypes.c_float(1e30)) == 7
    with pytest.raises(plexus.NumericError):
        net.sgd(1e30).train_step(x[None], y[None])
    for lr in (0.0, -1.0, float("nan"), float("inf")):
        assert lib.careful_train_step(x.ctypes.data_as(F32P), y.ctypes.data_as(F32P), ctypes.c_float(lr)) == 1
    assert lib.careful_train_step(f32([np.nan, 0]).ctypes.data_as(F32P), y.ctypes.data_as(F32P), ctypes.c_float(0.1)) == 1
    after = np.zeros(net.param_count, np.float32)
    lib.careful_get_params(after.ctypes.data_as(F32P))
    np.testing.assert_array_equal(bits(after), bits(before))
    np.testing.assert_array_equal(bits(after), bits(net.params))
    # set_params: the same order as Plexus's parameters; non-finite refused.
    new = f32(np.arange(net.param_count) / 10)
    assert lib.careful_set_params(new.ctypes.data_as(F32P)) == 0
    lib.careful_get_params(after.ctypes.data_as(F32P))
    np.testing.assert_array_equal(after, new)
    assert lib.careful_set_params(f32([np.inf] * net.param_count).ctypes.data_as(F32P)) == 1


# ----- int8 ----------------------------------------------------------------------------------------

def c_predict_int8(lib: ctypes.CDLL, name: str, q: np.ndarray, outputs: int) -> np.ndarray:
    q = np.ascontiguousarray(q, np.int8)
    y = np.zeros((q.shape[0], outputs), np.int8)
    fn = getattr(lib, f"{name}_predict_int8")
    for r in range(q.shape[0]):
        assert fn(q[r].ctypes.data_as(I8P), y[r].ctypes.data_as(I8P)) == 0
    return y


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("activation", plexus.ACTIVATIONS)
def test_int8_code_is_bit_identical_to_the_simulator(tmp_path, activation, bias):
    hidden = "relu" if activation == "softmax" else activation
    net = plexus.Network([6, 16, 8, 4], [hidden, "tanh", activation], bias=bias, seed=7)
    x = inputs(400, 6, 3)
    q = net.export_c(tmp_path, "tiny8", quantize="int8", calibration=x[:200])
    assert isinstance(q, pq.QuantizedModel)
    lib = compile_model(tmp_path, "tiny8")
    qx = pq.quantize_input(q, x)
    np.testing.assert_array_equal(c_predict_int8(lib, "tiny8", qx, 4), pq.simulate_int8(q, qx))
    np.testing.assert_array_equal(bits(c_predict(lib, "tiny8", x, 4)), bits(pq.simulate(q, x)))
    np.testing.assert_array_equal(bits(c_predict_batch(lib, "tiny8", x, 4)), bits(pq.simulate(q, x)))
    # Every int8 value is reachable: random int8 inputs (saturating sums included) agree too.
    wild = np.random.default_rng(0).integers(-128, 128, (300, 6)).astype(np.int8)
    np.testing.assert_array_equal(c_predict_int8(lib, "tiny8", wild, 4), pq.simulate_int8(q, wild))
    # Calibrated on rows like the ones it meets, the int8 model follows the float one.
    typical = f32(np.random.default_rng(5).normal(0, 1, (400, 6)))
    q = pq.quantize(net, typical[:200])
    float_out = net.predict(typical[200:])
    error = np.mean(np.abs(pq.simulate(q, typical[200:]) - float_out))
    assert error < 0.05 * (np.mean(np.abs(float_out)) + 0.05), error


def test_int8_code_needs_no_library(tmp_path):
    net = plexus.Network([4, 8, 3], ["sigmoid", "softmax"], seed=1)
    net.export_c(tmp_path, "bare", quantize="int8", calibration=inputs(100, 4, 1))
    source = (tmp_path / "bare.c").read_text() + (tmp_path / "bare.h").read_text()
    includes = {line.split()[1] for line in source.splitlines() if line.startswith("#include")}
    assert includes == {'"bare.h"', "<stddef.h>", "<stdint.h>"}     # freestanding headers only
    obj = tmp_path / "bare.o"
    result = subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-ffreestanding", "-c",
                             str(tmp_path / "bare.c"), "-o", str(obj)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    undefined = subprocess.run(["nm", "-u", str(obj)], capture_output=True, text=True).stdout.split()
    assert undefined == [], undefined


def test_quantized_model_fields_follow_the_scheme():
    net = plexus.Network([3, 5, 2], ["relu", "sigmoid"], seed=2)
    x = inputs(100, 3, 5)
    q = pq.quantize(net, x)
    assert q.sizes == (3, 5, 2) and q.activations == ("relu", "sigmoid")
    first, second = q.layers
    weights = net.get_weights(1)[0]
    # Symmetric per output channel: the largest weight of each row is ±127.
    np.testing.assert_array_equal(np.abs(first.weights).max(axis=1), 127)
    np.testing.assert_allclose(first.weights * first.weight_scales[:, None], weights, atol=first.weight_scales.max() / 2 + 1e-7)
    assert np.all((first.multipliers >= 2**30) | (first.multipliers == 0))
    assert first.table is None and first.clamp_min == first.output_zero_point      # ReLU: a clamp at real 0
    assert second.table is not None and second.table.shape == (256,) and second.softmax_exp is None
    assert np.all(np.diff(second.table.astype(int)) >= 0)                            # sigmoid rises
    assert first.input_scale == pytest.approx((x.max() - x.min()) / 255, rel=1e-6)
    with pytest.raises(plexus.ArgumentError, match="non-finite|finite"):
        pq.quantize(net, f32([[0, np.nan, 0]]))


def test_a_row_of_zero_weights_sums_its_bias_alone(tmp_path):
    """A dead unit (zero weights) under huge inputs: its requantisation factor is 1, not refused."""
    net = plexus.Network([2, 3, 1], ["identity", "identity"], seed=1)
    w, b = net.get_weights(1)
    w[1] = 0
    net.set_weights(1, w, f32([0.5, -2.0, 1.0]))
    x = f32(np.random.default_rng(0).normal(0, 1e6, (50, 2)))
    q = net.export_c(tmp_path, "dead", quantize="int8", calibration=x)
    assert q is not None
    first = q.layers[0]
    assert abs(int(first.multipliers[1]) - 2**30) < 2**30 * 1e-6 and first.shifts[1] == 1   # a factor of 1
    assert np.all(first.weights[1] == 0)
    lib = compile_model(tmp_path, "dead")
    np.testing.assert_array_equal(bits(c_predict(lib, "dead", x, 1)), bits(pq.simulate(q, x)))


def digits_data():
    from sklearn.datasets import load_digits
    x, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))
    x, y = f32(x[order]), y[order]
    return x[:1400], y[:1400], x[1400:], y[1400:]


def test_int8_digits_loses_at_most_one_point_and_stores_under_30_percent(tmp_path, capsys):
    x_train, y_train, x_test, y_test = digits_data()
    net = plexus.Network([64, 32, 10], ["relu", "softmax"], loss="cross_entropy", seed=1).adam(0.01)
    net.fit(x_train, y_train, epochs=30, batch_size=32, progress=False)
    q = net.export_c(tmp_path, "digits8", quantize="int8", calibration=x_train[:500])
    float_accuracy = np.mean(net.predict(x_test).argmax(1) == y_test)
    int8_accuracy = np.mean(pq.simulate(q, x_test).argmax(1) == y_test)
    lib = compile_model(tmp_path, "digits8")
    np.testing.assert_array_equal(bits(c_predict_batch(lib, "digits8", x_test, 10)), bits(pq.simulate(q, x_test)))
    net.save(tmp_path / "digits.safetensors")
    float_file = (tmp_path / "digits.safetensors").stat().st_size      # with Adam's moments
    float_weights = 4 * net.param_count                                  # the float32 C's constants
    with capsys.disabled():
        print(f"\n[code export] digits 64-32-10 on {len(x_test)} test rows: float32 {float_accuracy:.4f}, "
              f"int8 {int8_accuracy:.4f}; int8 constants {q.nbytes} B = {q.nbytes / float_weights:.1%} of the "
              f"{float_weights} B of float32 parameters ({q.nbytes / float_file:.1%} of the {float_file} B model file)")
    assert float_accuracy > 0.95
    assert int8_accuracy >= float_accuracy - 0.01
    assert q.nbytes <= 0.30 * float_weights <= 0.30 * float_file


# ----- hostile inputs ----------------------------------------------------------------------------

RULE = ("a model name starts with a letter, goes on with letters, digits and _, has at most 17 characters "
        "and is not a C keyword")


@pytest.mark.parametrize("name,reason", [
    ("", "empty"), ("1model", "does not start with a letter"), ("my-model", "other than letters"),
    ("model.x", "other than letters"), ("_model", "does not start with a letter"), ("_x", "does not start with a letter"),
    ("int", "keyword"), ("static", "keyword"), ("a" * 18, "has 18 characters"), ("café", "other than letters"),
    ("a/b", "other than letters"), ("../evil", "does not start with a letter"),
])
def test_bad_names_are_refused_and_nothing_is_written(tmp_path, name, reason):
    """Every refusal names its reason and states the one rule in the same words."""
    net = plexus.Network([2, 2, 1], ["tanh", "identity"], seed=1)
    with pytest.raises(plexus.ArgumentError, match=reason) as refused:
        net.export_c(tmp_path, name)
    assert RULE in str(refused.value)
    assert list(tmp_path.iterdir()) == []


def test_a_million_wide_layer_is_refused_unless_allowed(tmp_path):
    net = plexus.Network([1, 1_000_000, 1], ["relu", "identity"], seed=1)
    with pytest.raises(plexus.ArgumentError, match="3000001 parameters.*max_parameters"):
        net.export_c(tmp_path, "huge")
    assert list(tmp_path.iterdir()) == []
    small = plexus.Network([4, 8, 2], ["relu", "identity"], seed=1)   # 58 parameters
    with pytest.raises(plexus.ArgumentError, match="58 parameters"):
        small.export_c(tmp_path, "small", max_parameters=57)
    small.export_c(tmp_path, "small", max_parameters=58)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.c", "small.h"]


def test_unwritable_folders_give_file_errors_and_leave_nothing(tmp_path):
    net = plexus.Network([2, 3, 1], ["tanh", "identity"], seed=1)
    with pytest.raises(plexus.FileError, match="missing"):
        net.export_c(tmp_path / "missing", "model")
    with pytest.raises(plexus.FileError):
        net.export_c("/proc/self", "model")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(plexus.FileError):
        net.export_c(blocker, "model")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_failed_second_file_leaves_the_first_unchanged_and_no_temporaries(tmp_path):
    net = plexus.Network([2, 3, 1], ["tanh", "identity"], seed=1)
    (tmp_path / "model.h").write_text("old header")
    (tmp_path / "model.c").mkdir()                     # NAME.c cannot be replaced: it is a folder
    with pytest.raises(plexus.FileError, match="not a regular file"):
        net.export_c(tmp_path, "model")
    assert (tmp_path / "model.h").read_text() == "old header"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.c", "model.h"]


def test_python_arguments_are_checked(tmp_path):
    net = plexus.Network([2, 3, 1], ["tanh", "identity"], seed=1)
    with pytest.raises(plexus.ArgumentError, match="int8"):
        net.export_c(tmp_path, "m", quantize="int4")
    with pytest.raises(plexus.ArgumentError, match="calibration"):
        net.export_c(tmp_path, "m", quantize="int8")
    with pytest.raises(plexus.ArgumentError, match="only used"):
        net.export_c(tmp_path, "m", calibration=np.zeros((2, 2)))
    with pytest.raises(plexus.ArgumentError, match="training step"):
        net.export_c(tmp_path, "m", quantize="int8", calibration=np.zeros((2, 2)), train_step=True)
    with pytest.raises(plexus.ShapeError):
        net.export_c(tmp_path, "m", quantize="int8", calibration=np.zeros((2, 5)))
    assert list(tmp_path.iterdir()) == []


def test_command_line_export_c(tmp_path):
    net = plexus.Network([3, 4, 2], ["relu", "softmax"], seed=1)
    model = tmp_path / "net.safetensors"
    net.save(model)
    out = tmp_path / "gen"
    out.mkdir()
    from plexus.cli import main
    assert main(["export-c", str(model), str(out), "cli_net"]) == 0
    lib = compile_model(out, "cli_net")
    x = inputs(20, 3, 1)
    np.testing.assert_array_equal(bits(c_predict(lib, "cli_net", x, 2)), bits(rows_predict(net, x)))
    np.save(tmp_path / "calibration.npy", x)
    assert main(["export-c", str(model), str(out), "cli_int8", "--int8", str(tmp_path / "calibration.npy")]) == 0
    assert (out / "cli_int8.c").exists()
    assert main(["export-c", str(model), str(out), "bad-name"]) == 1


# ----- property: any small network, any scale --------------------------------------------------

from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sizes=st.lists(st.integers(1, 9), min_size=2, max_size=4),
       activations=st.data(), bias=st.booleans(), weight_scale=st.sampled_from([1e-3, 0.1, 1.0, 30.0, 1e3]),
       input_scale=st.sampled_from([1e-2, 1.0, 100.0]), seed=st.integers(0, 2**32 - 1))
def test_any_int8_model_is_bit_identical_to_the_simulator(tmp_path, sizes, activations, bias, weight_scale, input_scale, seed):
    chosen = [activations.draw(st.sampled_from(plexus.ACTIVATIONS)) for _ in sizes[1:]]
    net = plexus.Network(sizes, chosen, bias=bias, seed=seed % 1000)
    rng = np.random.default_rng(seed)
    net.params = f32(rng.normal(0, weight_scale, net.param_count))
    x = f32(rng.normal(0, input_scale, (64, sizes[0])))
    folder = Path(tempfile.mkdtemp(dir=tmp_path))     # one per example: ctypes caches libraries by path
    try:
        q = net.export_c(folder, "prop", quantize="int8", calibration=x[:32])
    except plexus.ArgumentError as error:          # a range too narrow to requantise is refused, by name
        assert "requantisation factor" in str(error)
        return
    assert q is not None
    lib = compile_model(folder, "prop")
    wild = rng.integers(-128, 128, (40, sizes[0])).astype(np.int8)
    np.testing.assert_array_equal(c_predict_int8(lib, "prop", wild, sizes[-1]), pq.simulate_int8(q, wild))
    far = f32(x * rng.choice([1.0, 1e3], size=x.shape))           # inputs past the calibrated range saturate
    np.testing.assert_array_equal(bits(c_predict(lib, "prop", far, sizes[-1])), bits(pq.simulate(q, far)))
