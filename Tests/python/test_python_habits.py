"""Python users' habits (issue 21): the command line, History.plot and the demo's loss curve, the
version, and docstrings that name every parameter."""
import inspect
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import plexus
from plexus import cli

REPOSITORY = Path(__file__).resolve().parents[2]


def run_cli(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "plexus", *map(str, args)], capture_output=True, text=True,
                          input=stdin)


@pytest.fixture
def model(tmp_path):
    net = plexus.Network([3, 5, 2], ["gelu", "softmax"], loss="cross_entropy", seed=4).adamw(0.01)
    net.set_dropout(1, 0.1).set_grad_clip(2.0)
    rng = np.random.default_rng(0)
    net.fit(rng.normal(size=(20, 3)), rng.integers(0, 2, 20), epochs=3, progress=False)
    path = tmp_path / "m.safetensors"
    net.save(path)
    return net, path


def test_info_describes_the_model(model):
    net, path = model
    result = run_cli("info", path)
    assert result.returncode == 0, result.stderr
    for text in ["3-5-2 (gelu, softmax)", f"parameters: {net.param_count}", "loss:       cross_entropy",
                 "optimizer:  adamw", "grad clip:  2", "layer 1: 0.1", "(matches the data)",
                 "plexus.format_version = 2"]:
        assert text in result.stdout, text


def test_predict_prints_a_row_per_line_and_names_bad_lines(model, tmp_path):
    net, path = model
    x = np.array([[0.1, -0.2, 0.3], [1.0, 2.0, -3.0]], np.float32)
    csv = tmp_path / "x.csv"
    csv.write_text("# inputs\n0.1,-0.2,0.3\n\n1,2,-3\n")
    result = run_cli("predict", path, csv)
    assert result.returncode == 0, result.stderr
    printed = np.array([[float(v) for v in line.split(",")] for line in result.stdout.splitlines()], np.float32)
    assert printed.tobytes() == net.predict(x).tobytes()
    assert run_cli("predict", path, "-", stdin="0.1,-0.2,0.3\n").stdout == result.stdout.splitlines()[0] + "\n"
    for text, message in [("1,2\n", "x.csv:1: 2 values, but the model takes 3 inputs"),
                          ("1,2,3\n4,five,6\n", "x.csv:2:2: 'five' is not a number"),
                          ("1,2,nan\n", "x.csv:1:3: 'nan': the inputs must be finite"), ("# nothing\n", "no rows"),
                          ("a,b,c\n", "no rows")]:
        csv.write_text(text)
        failed = run_cli("predict", path, csv)
        assert failed.returncode == 1 and message in failed.stderr, (text, failed.stderr)


def test_predict_reads_what_people_have(model, tmp_path):
    """A header row (detected or stated), an index column, .npy (by its bytes), standard input;
    every problem names the file, the line and the column, never a traceback."""
    net, path = model
    x = np.array([[0.1, -0.2, 0.3], [1.0, 2.0, -3.0]], np.float32)
    expected = "".join(",".join(f"{v:.9g}" for v in row) + "\n" for row in net.predict(x))
    csv = tmp_path / "x.csv"
    csv.write_text("p0,p1,p2\n0.1,-0.2,0.3\n1,2,-3\n")
    assert run_cli("predict", path, csv).stdout == expected
    assert run_cli("predict", path, csv, "--header").stdout == expected
    failed = run_cli("predict", path, csv, "--no-header")
    assert failed.returncode == 1 and "x.csv:1:1: 'p0' is not a number" in failed.stderr
    csv.write_text("0.1,-0.2,0.3\n1,2,-3\n")
    assert run_cli("predict", path, csv, "--header").stdout == expected.splitlines(keepends=True)[1]
    indexed = tmp_path / "indexed.csv"
    indexed.write_text(",p0,p1,p2\n0,0.1,-0.2,0.3\n1,1,2,-3\n")
    assert run_cli("predict", path, indexed, "--skip-columns", "1").stdout == expected
    failed = run_cli("predict", path, indexed)
    assert failed.returncode == 1 and "indexed.csv:2: 4 values, but the model takes 3 inputs" in failed.stderr
    array = tmp_path / "x.npy"
    np.save(array, x.astype(np.float64))
    assert run_cli("predict", path, array).stdout == expected
    named_oddly = tmp_path / "rows.data"
    named_oddly.write_bytes(array.read_bytes())
    assert run_cli("predict", path, named_oddly).stdout == expected
    piped = subprocess.run([sys.executable, "-m", "plexus", "predict", str(path), "-"], input=array.read_bytes(),
                           capture_output=True)
    assert piped.stdout.decode() == expected
    assert run_cli("predict", path, "-", stdin="p0,p1,p2\n0.1,-0.2,0.3\n1,2,-3\n").stdout == expected
    for content, message in [(b"\x00\xff\xfe binary", "byte 2 is not UTF-8 text"),
                             (b"\x93NUMPY broken", "not a readable .npy array")]:
        bad = tmp_path / "bad.bin"
        bad.write_bytes(content)
        failed = run_cli("predict", path, bad)
        assert failed.returncode == 1 and message in failed.stderr and "Traceback" not in failed.stderr, failed.stderr
    np.save(tmp_path / "wide.npy", np.zeros((2, 4)))
    failed = run_cli("predict", path, tmp_path / "wide.npy")
    assert failed.returncode == 1 and "rows of 4 values, but the model takes 3 inputs" in failed.stderr
    nan = np.array([[0.1, np.nan, 0.3]])
    np.save(tmp_path / "nan.npy", nan)
    failed = run_cli("predict", path, tmp_path / "nan.npy")
    assert failed.returncode == 1 and "row 1, column 2: nan is not a finite number" in failed.stderr
    failed = run_cli("predict", path, tmp_path / "missing.csv")
    assert failed.returncode == 1 and "missing.csv" in failed.stderr and "Traceback" not in failed.stderr


def test_export_c_int8_reads_calibration_rows_the_same_way(model, tmp_path):
    _, path = model
    calibration = tmp_path / "calibration.csv"
    calibration.write_text("id,a,b,c\n" + "".join(f"{i},{i * 0.1},{-i * 0.2},{i * 0.05}\n" for i in range(20)))
    result = run_cli("export-c", path, tmp_path, "m8", "--int8", calibration, "--skip-columns", "1")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "m8.c").exists()


def test_export_onnx_and_the_errors_of_a_bad_file(model, tmp_path):
    _, path = model
    result = run_cli("export-onnx", path, tmp_path / "m.onnx")
    assert result.returncode == 0 and (tmp_path / "m.onnx").stat().st_size > 100
    damaged = tmp_path / "bad.safetensors"
    damaged.write_bytes(path.read_bytes()[:-3])
    failed = run_cli("info", damaged)
    assert failed.returncode == 1 and "plexus info:" in failed.stderr
    assert run_cli("info", tmp_path / "missing").returncode == 1
    assert run_cli("nonsense").returncode == 2
    for command in ("info", "predict", "export-onnx"):
        shown = run_cli(command, "--help")
        assert shown.returncode == 0 and "usage: python -m plexus " + command in shown.stdout


def test_history_plot_draws_every_curve(tmp_path):
    pytest.importorskip("matplotlib")
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(60, 4)), rng.integers(0, 3, 60)
    net = plexus.Network([4, 8, 3], ["relu", "softmax"], loss="cross_entropy", seed=1).adam(0.01)
    history = net.fit(x, y, 15, batch_size=8, progress=False, validation_split=0.25)
    ax = history.plot(tmp_path / "h.png")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[:2] == ["training loss", "validation loss"] and labels[2] == f"best epoch ({history.best_epoch})"
    assert list(ax.get_lines()[2].get_xdata()) == [history.best_epoch] * 2   # the axis counts epochs as best_epoch does
    assert len(ax.figure.axes) == 2          # the accuracy axis
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), history)
    assert (tmp_path / "h.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def png_colours(path: Path) -> int:
    import matplotlib.image
    pixels = matplotlib.image.imread(str(path))
    return len(np.unique(pixels.reshape(-1, pixels.shape[-1]), axis=0))


@pytest.mark.slow
def test_the_demo_draws_a_real_loss_curve(tmp_path):
    """What `make demo` writes as build/digits-loss.png: a PNG of sensible size, more than two colours."""
    pytest.importorskip("matplotlib")
    png = tmp_path / "digits-loss.png"
    result = subprocess.run([sys.executable, str(REPOSITORY / "bindings/python/examples/digits.py"), str(tmp_path), str(png)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and 10_000 < len(data) < 2_000_000
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert 400 <= width <= 4000 and 250 <= height <= 4000
    assert png_colours(png) > 2


def test_version_is_the_librarys():
    assert plexus.__version__ == plexus.version() == re.search(r'version = "([^"]+)"',
                                                               (REPOSITORY / "bindings/python/pyproject.toml").read_text()).group(1)


PUBLIC = [plexus.Network, plexus.Graph, plexus.History]


@pytest.mark.parametrize("cls", PUBLIC, ids=lambda c: c.__name__)
def test_help_documents_every_parameter(cls):
    """Every parameter of every public method is named in its docstring (the class docstring for
    __init__), so help(plexus.Network) answers what each argument does."""
    missing = []
    for name, member in inspect.getmembers(cls, predicate=inspect.isfunction):
        if name.startswith("_") and name != "__init__":
            continue
        doc = (cls.__doc__ or "") if name == "__init__" else (member.__doc__ or "")
        for parameter in list(inspect.signature(member).parameters)[1:]:
            if parameter in ("args", "kwargs"):
                continue
            if not re.search(rf"\b{re.escape(parameter)}\b", doc):
                missing.append(f"{name}({parameter})")
    assert not missing, f"{cls.__name__}: parameters not in the docstrings: {missing}"


def test_quantize_functions_document_every_parameter():
    from plexus import quantize
    missing = [f"{name}({parameter})" for name in quantize.__all__
               if inspect.isfunction(function := getattr(quantize, name))
               for parameter in inspect.signature(function).parameters
               if not re.search(rf"\b{re.escape(parameter)}\b", function.__doc__ or "")]
    assert not missing, f"plexus.quantize: parameters not in the docstrings: {missing}"


def test_cli_main_is_importable_and_typed():
    assert callable(cli.main) and cli.main(["info", "/nonexistent/model"]) == 1


# ----- targets as people pass them (issue 28) -----------------------------------------------------
def _rows_for_targets(n=12, width=3):
    return np.random.default_rng(5).normal(size=(n, width)).astype(np.float32)


def test_one_output_net_takes_1d_targets_like_a_column():
    x = _rows_for_targets()
    a = plexus.Network([3, 4, 1], ["tanh", "identity"], seed=2)
    b = plexus.Network([3, 4, 1], ["tanh", "identity"], seed=2)
    a.fit(x, x[:, 0], epochs=3, batch_size=4, progress=False)
    b.fit(x, x[:, :1], epochs=3, batch_size=4, progress=False)
    assert np.array_equal(a.params, b.params)


def test_a_label_count_that_differs_from_the_rows_says_so():
    x = _rows_for_targets()
    net = plexus.Network([3, 4, 1], ["tanh", "identity"], seed=2)
    with pytest.raises(plexus.ShapeError, match=r"y has 11 rows but x has 12"):
        net.fit(x, x[:11, 0], epochs=1, progress=False)
    clf = plexus.Network([3, 4, 3], ["tanh", "softmax"], loss="cross_entropy", seed=2)
    with pytest.raises(plexus.ShapeError, match=r"y has 9 rows but x has 12"):
        clf.fit(x, np.arange(9) % 3, epochs=1, progress=False)


@pytest.mark.parametrize("labels", [
    np.arange(12) % 3,                                   # integers
    (np.arange(12) % 3).astype(np.float64),              # integral floats
    (np.arange(12) % 3).reshape(-1, 1),                  # a column
    np.array(["cat", "dog", "emu"] * 4),                 # strings, sorted: cat 0, dog 1, emu 2
    np.array(["cat", "dog", "emu"] * 4, dtype=object),
])
def test_softmax_net_takes_labels_in_every_usual_form(labels):
    x = _rows_for_targets()
    reference = plexus.Network([3, 4, 3], ["tanh", "softmax"], loss="cross_entropy", seed=2)
    reference.fit(x, np.eye(3, dtype=np.float32)[np.arange(12) % 3], epochs=2, batch_size=4, progress=False)
    net = plexus.Network([3, 4, 3], ["tanh", "softmax"], loss="cross_entropy", seed=2)
    net.fit(x, labels, epochs=2, batch_size=4, progress=False)
    assert np.array_equal(net.params, reference.params)
    if labels.dtype.kind in "UO":
        assert list(net.classes) == ["cat", "dog", "emu"]
    else:
        assert net.classes is None


def test_labels_that_are_not_classes_are_refused():
    x = _rows_for_targets()
    net = plexus.Network([3, 4, 3], ["tanh", "softmax"], loss="cross_entropy", seed=2)
    with pytest.raises(plexus.ArgumentError, match="not whole numbers"):
        net.fit(x, np.full(12, 0.5), epochs=1, progress=False)
    with pytest.raises(plexus.ArgumentError, match="outside 0..2"):
        net.fit(x, np.arange(12) % 4, epochs=1, progress=False)
    with pytest.raises(plexus.ArgumentError, match=r"names 4 classes \(.a., .b., .c., .d.\) but the network has 3 outputs"):
        net.fit(x, np.array(list("abcd") * 3), epochs=1, progress=False)
