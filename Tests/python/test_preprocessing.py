"""The model carries its preprocessing (issue 29): input and output transforms, fitted or set,
applied by predict and training, saved in format version 3, and kept by C, ONNX, the generated
float C and the int8 C; the user's metadata; scikit-learn's scalers folded into network_."""
import ctypes
import json
import struct
import subprocess

import numpy as np
import pytest
from sklearn.datasets import load_diabetes, load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import plexus
from plexus import quantize as pq
from test_binding import model_tool
from test_code_export import bits, c_predict, c_predict_batch, compile_model


def f32(a):
    return np.ascontiguousarray(a, dtype=np.float32)


def header_metadata(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(length))


# ----- the datasets of the acceptance: raw rows in, real units out --------------------------------

def wine():
    x, y = load_wine(return_X_y=True)
    return train_test_split(f32(x), y, test_size=0.3, random_state=0, stratify=y)


def diabetes():
    x, y = load_diabetes(return_X_y=True, scaled=False)    # raw units: age in years, blood pressure in mm Hg
    return train_test_split(f32(x), f32(y), test_size=0.3, random_state=0)


def wine_net(seed):
    return plexus.Network([13, 32, 3], ["relu", "softmax"], loss="cross_entropy", seed=seed).adam(0.01)


def diabetes_net(seed):
    return plexus.Network([10, 8, 1], ["relu", "identity"], seed=seed).adam(0.003)


def accuracy(net, x, y):
    return float(np.mean(net.predict(x).argmax(axis=1) == y))


def r2(net, x, y):
    p = net.predict(x)[:, 0].astype(np.float64)
    return 1 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2)


def test_standardize_on_raw_wine_matches_training_on_prescaled_rows():
    x_train, x_test, y_train, y_test = wine()
    scaler = StandardScaler().fit(x_train)
    raw, scaled = [], []
    for seed in range(3):
        net = wine_net(seed)
        net.fit(x_train, y_train, epochs=60, batch_size=16, progress=False, standardize=True)
        raw.append(accuracy(net, x_test, y_test))
        reference = wine_net(seed)
        reference.fit(f32(scaler.transform(x_train)), y_train, epochs=60, batch_size=16, progress=False)
        scaled.append(accuracy(reference, f32(scaler.transform(x_test)), y_test))
    unscaled = wine_net(0)
    unscaled.fit(x_train, y_train, epochs=60, batch_size=16, progress=False)
    assert min(raw) >= 0.9 and abs(np.mean(raw) - np.mean(scaled)) <= 0.04, (raw, scaled)
    assert accuracy(unscaled, x_test, y_test) < min(raw), "the raw columns (proline in the 1000s) need the transform"


def test_standardize_on_raw_diabetes_matches_training_on_prescaled_rows():
    x_train, x_test, y_train, y_test = diabetes()
    xs, ys = StandardScaler().fit(x_train), StandardScaler().fit(y_train.reshape(-1, 1))
    raw, scaled = [], []
    for seed in range(3):
        net = diabetes_net(seed)
        net.fit(x_train, y_train, epochs=40, batch_size=16, progress=False, standardize=True)
        raw.append(r2(net, x_test, y_test))
        reference = diabetes_net(seed)
        reference.fit(f32(xs.transform(x_train)), f32(ys.transform(y_train.reshape(-1, 1))), epochs=40, batch_size=16,
                      progress=False)
        p = ys.inverse_transform(reference.predict(f32(xs.transform(x_test))))[:, 0]
        scaled.append(1 - np.sum((y_test - p) ** 2) / np.sum((y_test - y_test.mean()) ** 2))
    assert min(raw) >= 0.25 and abs(np.mean(raw) - np.mean(scaled)) <= 0.05, (raw, scaled)
    # Outputs come back in the targets' units (disease progression, 25 to 346), not standardised.
    assert 100 < float(np.mean(net.predict(x_test))) < 200


@pytest.fixture(scope="module")
def trained_diabetes():
    x_train, x_test, y_train, _ = diabetes()
    net = plexus.Network([10, 64, 32, 1], ["tanh", "relu", "identity"], seed=3).adam(0.01)   # 640 weights: a GEMM layer
    net.fit(x_train, y_train, epochs=40, batch_size=16, progress=False, standardize=True)
    net.metadata["units"] = "disease progression after one year"
    return net, x_test, x_train


def test_a_raw_row_model_predicts_bitwise_in_c(tmp_path, trained_diabetes):
    net, x, _ = trained_diabetes
    net.save(tmp_path / "diabetes.safetensors")
    x.tofile(tmp_path / "x.f32")
    subprocess.run([model_tool(), "predict", str(tmp_path / "diabetes.safetensors"), str(tmp_path / "x.f32"),
                    str(x.shape[0]), str(tmp_path / "y.f32")], check=True)
    from_c = np.fromfile(tmp_path / "y.f32", np.float32).reshape(-1, 1)
    assert from_c.tobytes() == net.predict(x).tobytes()
    loaded = plexus.Network.load(tmp_path / "diabetes.safetensors")
    assert loaded.predict(x).tobytes() == net.predict(x).tobytes()
    assert dict(loaded.metadata) == {"units": "disease progression after one year"}


def test_onnx_runtime_on_raw_rows_is_within_1e_5_of_predict(tmp_path, trained_diabetes):
    ort = pytest.importorskip("onnxruntime")
    net, x, _ = trained_diabetes
    net.export_onnx(tmp_path / "d.onnx")
    session = ort.InferenceSession(str(tmp_path / "d.onnx"), providers=["CPUExecutionProvider"])
    onnx = session.run(None, {"input": x})[0]
    expected = net.predict(x)
    # Relative: the outputs are in the hundreds, where one float32 ulp is 1.5e-5.
    np.testing.assert_allclose(onnx, expected, rtol=1e-5, atol=0)
    graph = (tmp_path / "d.onnx").read_bytes()
    for name in (b"transform.input.sub", b"transform.input.mul", b"transform.output.mul", b"transform.output.add"):
        assert name in graph


def test_onnx_with_an_input_transform_only(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    x_train, x_test, y_train, _ = wine()
    net = wine_net(1)
    net.fit(x_train, y_train, epochs=5, progress=False, standardize=True)
    assert net.output_transform is None      # softmax outputs take no output transform
    net.export_onnx(tmp_path / "w.onnx")
    onnx = ort.InferenceSession(str(tmp_path / "w.onnx"), providers=["CPUExecutionProvider"]).run(None, {"input": x_test})[0]
    np.testing.assert_allclose(onnx, net.predict(x_test), rtol=1e-5, atol=1e-6)


def test_generated_float_c_on_raw_rows_is_bitwise_predict(tmp_path, trained_diabetes):
    net, x, _ = trained_diabetes
    net.export_c(tmp_path, "diabetes")
    library = compile_model(tmp_path, "diabetes")
    expected = bits(net.predict(x))
    assert (bits(c_predict(library, "diabetes", x, 1)) == expected).all()
    assert (bits(c_predict_batch(library, "diabetes", x, 1)) == expected).all()
    source = (tmp_path / "diabetes.c").read_text()
    assert "input_shift" in source and "output_scale" in source


def test_int8_c_on_raw_rows_is_bit_exact_to_the_simulator(tmp_path, trained_diabetes):
    net, x, x_train = trained_diabetes
    model = net.export_c(tmp_path, "diabetes8", quantize="int8", calibration=x_train[:200])
    assert model.input_transform is not None and model.output_transform is not None
    library = compile_model(tmp_path, "diabetes8")
    from_c = c_predict(library, "diabetes8", x, 1)
    assert (bits(from_c) == bits(pq.simulate(model, x))).all()
    # The int8 model answers in real units too: close to the float network.
    assert np.median(np.abs(from_c - net.predict(x))) < 0.1 * float(np.std(net.predict(x)))


def test_generated_train_step_takes_raw_rows_and_targets_as_the_library_does(tmp_path):
    rng = np.random.default_rng(4)
    x = f32(rng.normal(50, 20, (12, 3)))
    y = f32(rng.normal(300, 40, (12, 2)))
    net = plexus.Network([3, 5, 2], ["tanh", "identity"], seed=2).sgd(0.01)
    net.fit_input_transform(x).fit_output_transform(y)
    net.export_c(tmp_path, "step", train_step=True)
    library = compile_model(tmp_path, "step")
    pointer = np.ctypeslib.ndpointer(np.float32, flags="C_CONTIGUOUS")
    library.step_train_step.argtypes = [pointer, pointer, ctypes.c_float]
    for r in range(12):
        assert library.step_train_step(x[r], y[r], 0.01) == 0
        net.train_step(x[r:r + 1], y[r:r + 1])
    params = np.zeros(net.param_count, np.float32)
    library.step_get_params.argtypes = [pointer]
    library.step_get_params(params)
    assert params.tobytes() == net.params.tobytes()


def test_python_command_line_predicts_raw_rows_and_shows_the_transforms(tmp_path, trained_diabetes):
    import io
    from plexus.cli import main
    net, x, _ = trained_diabetes
    net.save(tmp_path / "d.safetensors")
    np.save(tmp_path / "x.npy", x[:5])
    out = io.StringIO()
    assert main(["predict", str(tmp_path / "d.safetensors"), str(tmp_path / "x.npy")], out=out) == 0
    printed = np.array([[float(v) for v in line.split(",")] for line in out.getvalue().splitlines()], np.float32)
    assert printed.tobytes() == net.predict(x[:5]).tobytes()
    out = io.StringIO()
    assert main(["info", str(tmp_path / "d.safetensors")], out=out) == 0
    text = out.getvalue()
    assert "format:     version 3" in text
    assert "input transform: x' = (x - shift) * scale" in text and "output transform: y = y' * scale + shift" in text
    assert "units = disease progression after one year" in text


# ----- what the transforms are ------------------------------------------------------------------

def test_fit_input_transform_is_standardscaler_and_a_constant_column_keeps_scale_1():
    rng = np.random.default_rng(0)
    x = f32(rng.normal(3, 7, (200, 4)))
    x[:, 2] = 5.0
    net = plexus.Network([4, 3, 1], ["relu", "identity"])
    net.fit_input_transform(x)
    scaler = StandardScaler().fit(x.astype(np.float64))
    shift, scale = net.input_transform
    assert shift.tobytes() == f32(scaler.mean_).tobytes()
    np.testing.assert_allclose(scale, 1 / scaler.scale_, rtol=1e-6)
    assert scale[2] == 1.0


def test_predict_applies_the_maps_in_their_documented_order():
    rng = np.random.default_rng(1)
    net = plexus.Network([3, 4, 2], ["tanh", "identity"], seed=5)
    x = f32(rng.normal(size=(9, 3)) * 10)
    shift, scale = f32([1.5, -2.0, 0.25]), f32([0.5, 3.0, -1.25])
    out_scale, out_shift = f32([10.0, -0.5]), f32([100.0, 7.0])
    untransformed = net.predict(x)
    plain = net.predict((x - shift) * scale)          # float32: (x - shift) * scale, two roundings
    net.set_input_transform(shift=shift, scale=scale)
    assert net.predict(x).tobytes() == plain.tobytes()
    net.set_output_transform(shift=out_shift, scale=out_scale)
    assert net.predict(x).tobytes() == (plain * out_scale + out_shift).tobytes()
    assert net.forward(x).tobytes() == net.predict(x).tobytes()
    net.set_input_transform(shift=None, scale=None).set_output_transform(shift=None, scale=None)
    assert net.input_transform is None and net.output_transform is None
    assert net.predict(x).tobytes() == untransformed.tobytes(), "removing the transforms restores raw predict"


def test_training_with_transforms_is_bitwise_training_on_mapped_data():
    """Targets are mapped by the inverse before the loss: the same steps, bit for bit, as a net
    without transforms trained on rows and targets mapped by hand (in float32, the same order)."""
    rng = np.random.default_rng(2)
    x, y = f32(rng.normal(20, 5, (64, 3))), f32(rng.normal(-40, 9, (64, 2)))
    shift, scale, out_scale, out_shift = f32([20, 19, 21]), f32([0.2, 0.25, 0.1]), f32([9, 8]), f32([-40, -41])
    with_transforms = plexus.Network([3, 6, 2], ["gelu", "identity"], seed=9).adam(0.01)
    with_transforms.set_input_transform(shift=shift, scale=scale).set_output_transform(shift=out_shift, scale=out_scale)
    by_hand = plexus.Network([3, 6, 2], ["gelu", "identity"], seed=9).adam(0.01)
    mx, my = (x - shift) * scale, (y - out_shift) / out_scale
    a = with_transforms.fit(x, y, epochs=3, batch_size=8, progress=False, validation_data=(x[:10], y[:10]))
    b = by_hand.fit(mx, my, epochs=3, batch_size=8, progress=False, validation_data=(mx[:10], my[:10]))
    assert with_transforms.params.tobytes() == by_hand.params.tobytes()
    assert list(a) == list(b) and a.val_loss == b.val_loss      # losses are those of the transformed space
    assert with_transforms.train_step(x[:5], y[:5]) == by_hand.train_step(mx[:5], my[:5])
    with_transforms.forward(x[:4])
    by_hand.forward(mx[:4])
    assert with_transforms.backward(y[:4]) == by_hand.backward(my[:4])
    assert with_transforms.grads.tobytes() == by_hand.grads.tobytes()


def test_a_loaded_version_3_file_keeps_the_transforms_and_earlier_versions_still_load(tmp_path):
    net = plexus.Network([2, 3, 1], ["relu", "identity"], seed=1)
    net.save(tmp_path / "plain.safetensors")
    assert header_metadata(tmp_path / "plain.safetensors")["__metadata__"]["plexus.format_version"] == "2"
    net.set_input_transform(shift=[1, 2], scale=[3, 4]).set_output_transform(shift=[6], scale=[5])
    net.save(tmp_path / "t.safetensors")
    header = header_metadata(tmp_path / "t.safetensors")
    assert header["__metadata__"]["plexus.format_version"] == "3"
    assert header["transform.input.shift"]["shape"] == [2] and header["transform.output.scale"]["shape"] == [1]
    loaded = plexus.Network.load(tmp_path / "t.safetensors")
    assert loaded.input_transform.shift.tolist() == [1, 2] and loaded.input_transform.scale.tolist() == [3, 4]
    assert loaded.output_transform.scale.tolist() == [5] and loaded.output_transform.shift.tolist() == [6]
    assert plexus.Network.load(tmp_path / "plain.safetensors").input_transform is None
    weights_only = tmp_path / "w.safetensors"
    net.save(weights_only, weights_only=True)
    assert plexus.Network.load(weights_only).input_transform.shift.tolist() == [1, 2]


# ----- refusals: a message, the network unchanged ------------------------------------------------

BAD_VALUES = [
    (np.nan, 1.0, "shift\\[0\\] is nan; shifts must be finite"),
    (np.inf, 1.0, "shift\\[0\\] is inf; shifts must be finite"),
    (0.0, -np.inf, "scale\\[0\\] is -inf; scales must be finite and non-zero"),
    (0.0, np.nan, "scale\\[0\\] is nan; scales must be finite and non-zero"),
    (0.0, 0.0, "scale\\[0\\] is 0.0; scales must be finite and non-zero"),
]


@pytest.mark.parametrize("shift,scale,message", BAD_VALUES)
def test_bad_transform_values_are_refused_and_change_nothing(shift, scale, message):
    net = plexus.Network([2, 3, 1], ["relu", "identity"]).set_input_transform(shift=[1, 1], scale=[2, 2]).set_output_transform(shift=[4], scale=[3])
    before = net.predict([[1, 2]])
    with pytest.raises(plexus.ArgumentError, match=message):
        net.set_input_transform(shift=[shift, 0], scale=[scale, 1])
    with pytest.raises(plexus.ArgumentError, match=message):
        net.set_output_transform(shift=[shift], scale=[scale])
    assert net.input_transform.shift.tolist() == [1, 1] and net.input_transform.scale.tolist() == [2, 2]
    assert net.output_transform.scale.tolist() == [3] and net.output_transform.shift.tolist() == [4]
    assert net.predict([[1, 2]]).tobytes() == before.tobytes()


def test_wrong_lengths_and_half_a_transform_are_refused_in_python():
    net = plexus.Network([3, 2], ["identity"])
    with pytest.raises(plexus.ShapeError, match="shift has shape \\(2,\\); the input transform needs \\(3,\\)"):
        net.set_input_transform(shift=[0, 0], scale=[1, 1, 1])
    with pytest.raises(plexus.ShapeError, match="scale has shape \\(3,\\); the output transform needs \\(2,\\)"):
        net.set_output_transform(shift=[0, 0], scale=[1, 1, 1])
    with pytest.raises(plexus.ArgumentError, match="pass both shift and scale"):
        net.set_input_transform(shift=[0, 0, 0], scale=None)
    with pytest.raises(plexus.ShapeError):
        net.fit_input_transform(np.zeros((4, 2)))
    assert net.input_transform is None and net.output_transform is None


def test_an_output_transform_needs_identity_outputs():
    net = plexus.Network([2, 3], ["softmax"], loss="cross_entropy")
    with pytest.raises(plexus.ArgumentError, match="needs an identity output layer, and this one is softmax"):
        net.set_output_transform(shift=[0, 0, 0], scale=[1, 1, 1])
    with pytest.raises(plexus.ArgumentError, match="identity output layer"):
        net.fit_output_transform(np.eye(3, dtype=np.float32))
    assert net.output_transform is None
    net.fit(np.zeros((3, 2)), [0, 1, 2], epochs=1, progress=False, standardize=True)   # inputs only
    assert net.input_transform is not None and net.output_transform is None


def test_raw_values_the_transform_would_overflow_are_refused():
    net = plexus.Network([1, 1], ["identity"]).set_input_transform(shift=[0], scale=[1e30])
    with pytest.raises(plexus.ArgumentError, match="which the input transform maps to inf"):
        net.predict([[1e10]])
    with pytest.raises(plexus.ArgumentError, match="maps to inf"):
        net.fit([[1e10]], [[0]], epochs=1, progress=False)
    net.set_input_transform(shift=None, scale=None).set_output_transform(shift=[0], scale=[1e-30])
    with pytest.raises(plexus.ArgumentError, match="which the output transform maps to inf"):
        net.train_step([[1]], [[1e10]])


def test_standardize_on_a_refused_fit_changes_nothing():
    net = plexus.Network([2, 1], ["identity"])
    with pytest.raises(plexus.ArgumentError):
        net.fit(np.ones((4, 2)), np.ones(4), epochs=1, progress=False, standardize=True, tol=-1)
    assert net.input_transform is None and net.output_transform is None


# ----- metadata ----------------------------------------------------------------------------------

def test_metadata_is_a_dict_like_view_that_travels_in_the_file(tmp_path):
    net = plexus.Network([2, 1], ["identity"])
    meta = net.metadata
    assert len(meta) == 0 and dict(meta) == {}
    meta["units"] = "kPa"
    meta["features"] = "température,pression"
    meta["empty"] = ""
    assert list(meta) == ["empty", "features", "units"]            # key order, bytewise
    assert meta["features"] == "température,pression" and "units" in meta and "x" not in meta
    meta["units"] = "bar"
    del meta["empty"]
    with pytest.raises(KeyError):
        del meta["empty"]
    with pytest.raises(KeyError):
        meta["missing"]
    net.save(tmp_path / "m.safetensors")
    assert header_metadata(tmp_path / "m.safetensors")["__metadata__"]["units"] == "bar"
    assert dict(plexus.Network.load(tmp_path / "m.safetensors").metadata) == {"features": "température,pression", "units": "bar"}
    assert dict(plexus.Network.from_bytes(net.to_bytes()).metadata) == dict(meta)


@pytest.mark.parametrize("key,value,error,message", [
    ("plexus.sizes", "1", plexus.ArgumentError, "reserved"),
    ("", "v", plexus.ArgumentError, "empty"),
    ("k" * 257, "v", plexus.ArgumentError, "257 bytes; at most 256"),
    ("big", "v" * 65537, plexus.ArgumentError, "65537 bytes; at most 65536"),
    ("nul", "a\0b", plexus.ArgumentError, "NUL"),
    ("surrogate", "\ud800", plexus.ArgumentError, "not valid Unicode"),
    (3, "v", plexus.ArgumentError, "keys are str"),
])
def test_metadata_over_the_limits_or_reserved_is_refused_and_changes_nothing(key, value, error, message):
    net = plexus.Network([2, 1], ["identity"])
    net.metadata["kept"] = "yes"
    with pytest.raises(error, match=message):
        net.metadata[key] = value
    assert dict(net.metadata) == {"kept": "yes"}


def test_metadata_entry_and_total_limits():
    net = plexus.Network([2, 1], ["identity"])
    for i in range(256):
        net.metadata[f"k{i:03d}"] = "v"
    with pytest.raises(plexus.ArgumentError, match="already has 256 metadata entries"):
        net.metadata["one more"] = "v"
    net.metadata["k000"] = "replacing an entry is fine at the limit"
    for i in range(256):
        del net.metadata[f"k{i:03d}"]
    for i in range(15):
        net.metadata[f"big{i}"] = "x" * 65536
    with pytest.raises(plexus.ArgumentError, match="at most 1048576 are allowed"):
        net.metadata["big15"] = "x" * 65536
    assert len(net.metadata) == 15


# ----- scikit-learn ------------------------------------------------------------------------------

def test_a_pipelines_standardscaler_folds_into_network_(tmp_path):
    from sklearn.pipeline import make_pipeline
    from plexus.sklearn import PlexusClassifier, fold_pipeline
    x_train, x_test, y_train, y_test = wine()
    pipeline = make_pipeline(StandardScaler(), PlexusClassifier((32,), max_iter=80, random_state=0)).fit(x_train, y_train)
    folded = fold_pipeline(pipeline)
    assert (folded.predict(x_test) == pipeline.predict(x_test)).all()
    np.testing.assert_allclose(folded.predict_proba(x_test), pipeline.predict_proba(x_test), atol=1e-5)
    folded.network_.save(tmp_path / "wine.safetensors")
    loaded = plexus.Network.load(tmp_path / "wine.safetensors")
    np.testing.assert_allclose(loaded.predict(x_test), pipeline.predict_proba(x_test), atol=1e-5)
    assert pipeline[-1].network_.input_transform is None, "the pipeline itself is left as it was"


def test_a_target_scaler_folds_into_the_output_transform():
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MinMaxScaler
    from plexus.sklearn import PlexusRegressor, fold_pipeline
    x_train, x_test, y_train, _ = diabetes()
    regressor = TransformedTargetRegressor(PlexusRegressor((32,), max_iter=60, random_state=0), transformer=StandardScaler())
    pipeline = make_pipeline(MinMaxScaler(), StandardScaler(), regressor).fit(x_train, y_train)
    folded = fold_pipeline(pipeline)
    np.testing.assert_allclose(folded.predict(x_test), pipeline.predict(x_test), rtol=1e-5)
    with pytest.raises(ValueError, match="PCA.*cannot be folded"):
        fold_pipeline(make_pipeline(PCA(3), PlexusRegressor((4,), max_iter=2)).fit(x_train, y_train))


def test_estimators_standardize_raw_rows_themselves():
    from plexus.sklearn import PlexusRegressor
    x_train, x_test, y_train, y_test = diabetes()
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    standardized = PlexusRegressor((32,), max_iter=150, random_state=0, standardize=True).fit(x_train, y_train)
    plain = PlexusRegressor((32,), max_iter=150, random_state=0).fit(x_train, y_train)
    # What a scikit-learn user writes for the same thing: scalers around the inputs and the target.
    theirs = TransformedTargetRegressor(make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(32,), max_iter=150,
                                                                                    random_state=0)),
                                        transformer=StandardScaler()).fit(x_train, y_train)
    ours = standardized.score(x_test, y_test)
    assert ours > plain.score(x_test, y_test) + 0.05
    assert abs(ours - theirs.score(x_test, y_test)) < 0.02
    assert standardized.network_.input_transform is not None and standardized.network_.output_transform is not None


def test_weights_from_pytorch_come_without_transforms_and_take_one_like_any_network():
    """from_torch / from_state_dict are unaffected: the weights arrive as they were trained (on
    whatever rows PyTorch saw), with no transform, until the caller adds the scaler it used."""
    rng = np.random.default_rng(5)
    state = {"0.weight": rng.normal(size=(4, 3)).astype(np.float32), "0.bias": np.zeros(4, np.float32),
             "2.weight": rng.normal(size=(1, 4)).astype(np.float32), "2.bias": np.zeros(1, np.float32)}
    net = plexus.from_state_dict([3, 4, 1], ["tanh", "identity"], state)
    assert net.input_transform is None and net.output_transform is None
    x = f32(rng.normal(10, 3, (6, 3)))
    mean, deviation = x.mean(axis=0), x.std(axis=0)
    scaled = net.predict((x - mean) * (1 / deviation))
    net.set_input_transform(shift=mean, scale=1 / deviation)
    assert net.predict(x).tobytes() == scaled.tobytes()
