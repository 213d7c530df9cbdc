"""`python -m plexus`: look into a model file, train one on a table, predict from a CSV file,
export to ONNX or C.

    python -m plexus info MODEL            architecture, parameters, loss, optimizer, settings, the
                                           format version, the input and output transforms, the
                                           file's metadata and its CRC-32
    python -m plexus predict MODEL INPUTS  INPUTS: a CSV file (one row of comma-separated numbers per
                                           line; blank lines and # comments skipped; a header row
                                           detected, or --header / --no-header), a .npy array, or
                                           "-" for standard input (either); --skip-columns N drops
                                           an index column; prints one row of outputs per line
                                           (--labels: the class name alone; -o FILE: into FILE).
                                           Rows are raw: the model's transforms apply
    python -m plexus train DATA --target COLUMN [-o MODEL]
                                           trains a network on a CSV or .npy table (read as
                                           predict reads it): the target column by name or index,
                                           every other column an input; labels give a softmax
                                           classifier, numbers a regressor (train --help)
    python -m plexus export-onnx MODEL OUT an ONNX model for ONNX Runtime
    python -m plexus export-c MODEL DIR NAME [--int8 CALIBRATION] [--train-step]
                                           the model as dependency-free C99, DIR/NAME.h and
                                           DIR/NAME.c; --int8 quantises with the rows of a CSV or
                                           .npy file of inputs

Exit status: 0 on success, 1 when the model or the data cannot be used (the message names the
file, the line and the column), 2 for a wrong command line.
"""
from __future__ import annotations

import argparse
import io
import json
import struct
import sys
import warnings
from pathlib import Path
from typing import Any, Optional, Sequence, TextIO

import numpy as np

from ._tables import ACTIVATIONS, LOSSES, OPTIMIZERS
from .errors import PlexusError
from .network import Network
from .layers import Dense

FLOAT32_MAX = float(np.finfo(np.float32).max)

__all__ = ["main", "main_entry"]


class UsageError(Exception):
    """A problem with the command's input that is the user's to fix (exit status 1)."""


def file_metadata(path: Path) -> dict[str, str]:
    """The `__metadata__` of a safetensors file's header, read without loading the model."""
    with open(path, "rb") as f:
        prefix = f.read(8)
        if len(prefix) < 8:
            raise UsageError(f"{path}: {len(prefix)} bytes; a model file starts with an 8-byte header length")
        (length,) = struct.unpack("<Q", prefix)
        if length > 100 << 20:
            raise UsageError(f"{path}: the header length is {length} bytes, more than 100 MiB")
        header = json.loads(f.read(length))
    metadata = header.get("__metadata__", {}) if isinstance(header, dict) else {}
    return {str(k): str(v) for k, v in metadata.items()} if isinstance(metadata, dict) else {}


def info(model: Path, out: TextIO) -> None:
    net = Network.load(model)            # validates the whole file, its CRC-32 included
    metadata = file_metadata(model)
    optimizer = net.optimizer
    settings = ", ".join(f"{k} {v}" if isinstance(v, bool) else f"{k} {v:.6g}" for k, v in optimizer.items() if k != "name")
    print(f"model:      {model}", file=out)
    layers = net.layers
    kinds = [layer.activation if isinstance(layer, Dense) else layer.kind for layer in layers]
    print(f"layers:     {'-'.join(map(str, net.sizes))} ({', '.join(kinds)}), "
          f"{'with' if net.bias else 'no' if not any(getattr(l, 'bias', False) for l in layers) else 'some'} biases",
          file=out)
    width = max(len(repr(layer)) for layer in layers)
    print(f"  0 {'input':<{width}}  {net.input_shape}", file=out)
    for layer in layers:
        print(f"  {layer.number} {layer!r:<{width}}  {layer.output_shape}, {layer.param_count:,} parameters", file=out)
    print(f"parameters: {net.param_count:,}", file=out)
    print(f"loss:       {net.loss}", file=out)
    print(f"optimizer:  {optimizer['name']} ({settings}), {metadata.get('plexus.optimizer_steps', '0')} steps taken",
          file=out)
    print(f"grad clip:  {net.grad_clip:g}" + ("" if net.grad_clip else " (off)"), file=out)
    dropout = net.dropout[:-1]
    if dropout:
        print(f"dropout:    {', '.join(f'layer {i + 1}: {p:g}' for i, p in enumerate(dropout))}", file=out)
    print(f"format:     version {metadata.get('plexus.format_version', '?')}", file=out)
    for label, transform, formula in (("input", net.input_transform, "x' = (x - shift) * scale"),
                                      ("output", net.output_transform, "y = y' * scale + shift")):
        if transform is None:
            print(f"{label} transform: none ({'raw rows go straight to the first layer' if label == 'input' else 'outputs as the last layer gives them'})",
                  file=out)
        else:
            print(f"{label} transform: {formula}", file=out)
            print(f"  shift: {_values(transform.shift)}", file=out)
            print(f"  scale: {_values(transform.scale)}", file=out)
    crc = metadata.get("plexus.data_crc32")
    print(f"CRC-32:     {crc + ' (matches the data)' if crc else 'not recorded'}", file=out)
    print("metadata:", file=out)
    for key in sorted(metadata):
        print(f"  {key} = {metadata[key]}", file=out)


def _values(values: np.ndarray, shown: int = 8) -> str:
    """A few float32 values as the shortest decimals that read back the same, then how many more."""
    text = ", ".join(f"{float(v):.9g}" for v in values[:shown])
    return f"[{text}{f', ... ({len(values) - shown} more)' if len(values) > shown else ''}]"


NPY_MAGIC = b"\x93NUMPY"


def read_inputs(source: str, width: int, header: Optional[bool] = None, skip_columns: int = 0,
                columns: Optional[list[str]] = None) -> np.ndarray:
    """The rows of inputs in `source` (a path, or "-" for standard input) as float32, from a CSV
    file or a .npy array (told by its magic bytes, whatever the name). The first `skip_columns`
    columns (an index) are dropped. A CSV's first row is a header when `header` is True, or, when
    it is None, when one of its fields is not a number. With `columns` (the model's input names,
    as `train` records them) and a header that names them all, those columns are read, in that
    order, and the rest (the target, an index) ignored. Every problem is a UsageError that names
    the file, the line and the column."""
    name, data = _source_bytes(source, skip_columns)
    if data.startswith(NPY_MAGIC):
        return _npy_rows(data, width, skip_columns, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"{name}: byte {error.start + 1} is not UTF-8 text; pass a CSV file or a .npy array") from None
    return _csv_rows(text.splitlines(), width, header, skip_columns, name, columns)


def _source_bytes(source: str, skip_columns: int) -> tuple[str, bytes]:
    """(the name messages use, the bytes) of a path or "-" (standard input)."""
    name = "<stdin>" if source == "-" else source
    if skip_columns < 0:
        raise UsageError(f"--skip-columns is {skip_columns}; pass 0 or more")
    try:
        return name, sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as error:
        raise UsageError(f"{name}: {error.strerror or error}") from None


def _npy_array(data: bytes, name: str) -> np.ndarray:
    try:
        array: np.ndarray = np.load(io.BytesIO(data), allow_pickle=False)
        return array
    except (ValueError, OSError, EOFError) as error:
        raise UsageError(f"{name}: not a readable .npy array ({error})") from None


def _npy_rows(data: bytes, width: int, skip_columns: int, name: str) -> np.ndarray:
    array = _npy_array(data, name)
    if array.dtype.kind not in "biuf":
        raise UsageError(f"{name}: a .npy array of {array.dtype}; pass numbers")
    if array.ndim == 1:
        array = array.reshape(1, -1)
    if array.ndim != 2:
        raise UsageError(f"{name}: a .npy array of shape {array.shape}; pass rows of inputs (2-D)")
    array = array[:, skip_columns:]
    if array.shape[1] != width:
        raise UsageError(f"{name}: rows of {array.shape[1]} values" + (f" after skipping {skip_columns} columns" if skip_columns else "")
                         + f", but the model takes {width} inputs")
    if array.shape[0] == 0:
        raise UsageError(f"{name}: no rows of inputs")
    bad = np.argwhere(~np.isfinite(array))
    if bad.size:
        row, column = bad[0]
        raise UsageError(f"{name}: row {row + 1}, column {column + 1 + skip_columns}: {array[row, column]} is not a finite number")
    if array.dtype.kind == "f":
        large = np.argwhere(np.abs(array.astype(np.float64)) > FLOAT32_MAX)
        if large.size:
            row, column = large[0]
            raise UsageError(f"{name}: row {row + 1}, column {column + 1 + skip_columns}: {array[row, column]} is too large "
                             f"for float32 (at most {FLOAT32_MAX:.9g})")
    return np.ascontiguousarray(array, np.float32)


def _csv_table(lines: list[str], header: Optional[bool], skip_columns: int,
               name: str) -> tuple[Optional[list[str]], list[list[str]], list[str]]:
    """(the header's names or None, each data row's fields as text, where each row is: "FILE:LINE"):
    blank lines and # comments skipped, the first `skip_columns` fields of every line dropped, the
    first line a header when `header` says so or, when it is None, when a field is not a number."""
    names: Optional[list[str]] = None
    rows: list[list[str]] = []
    places: list[str] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        fields = [f.strip() for f in text.split(",")]
        kept = fields[skip_columns:]
        if names is None and not rows and (header or (header is None and not all(_is_number(f) for f in kept))):
            names = kept
            continue
        if not kept:
            raise UsageError(f"{name}:{number}: {len(fields)} columns, none left after skipping {skip_columns}")
        rows.append(kept)
        places.append(f"{name}:{number}")
    return names, rows, places


def _csv_rows(lines: list[str], width: int, header: Optional[bool], skip_columns: int, name: str,
              columns: Optional[list[str]] = None) -> np.ndarray:
    names, table, places = _csv_table(lines, header, skip_columns, name)
    # The header's positions of `columns` (the model's inputs), when it names them all.
    picked = [names.index(c) for c in columns] if names is not None and columns is not None and \
        all(c in names for c in columns) else None
    rows: list[list[float]] = []
    for fields, place in zip(table, places):
        kept = list(enumerate(fields, start=skip_columns + 1))
        if picked is not None:
            if len(kept) <= max(picked):
                raise UsageError(f"{place}: {len(kept)} values, but the header names {max(picked) + 1} or more")
            kept = [kept[p] for p in picked]
        values = []
        for column, field in kept:
            if not _is_number(field):
                raise UsageError(f"{place}:{column}: {field!r} is not a number")
            values.append(_finite(field, f"{place}:{column}"))
        if len(values) != width:
            raise UsageError(f"{place}: {len(values)} values" + (f" after skipping {skip_columns} columns" if skip_columns else "")
                             + f", but the model takes {width} inputs")
        rows.append(values)
    if not rows:
        raise UsageError(f"{name}: no rows of inputs")
    return np.asarray(rows, np.float32)


def _finite(field: str, where: str) -> float:
    """A CSV field as a number float32 can hold, or a UsageError saying where and why not."""
    value = float(field)
    if not np.isfinite(value):
        raise UsageError(f"{where}: {field!r}: the inputs must be finite numbers")
    if abs(value) > FLOAT32_MAX:
        raise UsageError(f"{where}: {field!r} is too large for float32 (at most {FLOAT32_MAX:.9g})")
    return value


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def predict(model: Path, source: str, header: Optional[bool], skip_columns: int, out: TextIO, labels: bool = False,
            target: Optional[Path] = None) -> None:
    net = Network.load(model)
    x = read_inputs(source, net.sizes[0], header, skip_columns, _feature_names(net))
    outputs = net.predict(x)
    if labels:
        classes = net.classes
        if classes is None:
            raise UsageError(f"{model}: the model names no classes (metadata plexus.classes); --labels needs a model "
                             "trained on labels, or one whose classes were set")
        if outputs.shape[1] > 1:
            chosen = classes[outputs.argmax(axis=1)]
        elif len(classes) == 2:   # one sigmoid output: the class of 1 above one half
            chosen = classes[(outputs[:, 0] > 0.5).astype(int)]
        else:
            chosen = np.repeat(classes[:1], outputs.shape[0])
        lines = [str(c) for c in chosen]
    else:
        lines = [",".join(f"{v:.9g}" for v in row) for row in outputs]
    if target is None:
        for line in lines:
            print(line, file=out)
        return
    target.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f"wrote {target} ({len(lines)} rows)", file=out)


def _feature_names(net: Network) -> Optional[list[str]]:
    """The input column names `train` saved in the model (metadata "features"), if any."""
    try:
        names = json.loads(net.metadata.get("features", "null"))
    except ValueError:
        return None
    return names if isinstance(names, list) and all(isinstance(n, str) for n in names) else None


# ----- train ------------------------------------------------------------------------------------

def read_table(source: str, header: Optional[bool], skip_columns: int) -> tuple[Optional[list[str]], list[list[str]], list[str]]:
    """(column names or None, rows of fields as text, where each row is: "FILE:LINE"), from a CSV
    file or a .npy array (its numbers written back as text), read as read_inputs reads them."""
    name, data = _source_bytes(source, skip_columns)
    if data.startswith(NPY_MAGIC):
        array = _npy_array(data, name)
        if array.ndim != 2 or array.dtype.kind not in "biuf":
            raise UsageError(f"{name}: a .npy array of {array.dtype} and shape {array.shape}; pass a 2-D table of numbers")
        rows = [[repr(v) for v in row[skip_columns:]] for row in array.tolist()]
        return None, rows, [f"{name}: row {i}" for i in range(1, len(rows) + 1)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"{name}: byte {error.start + 1} is not UTF-8 text; pass a CSV file or a .npy array") from None
    names, rows, places = _csv_table(text.splitlines(), header, skip_columns, name)
    width = len(names) if names is not None else len(rows[0]) if rows else 0
    for fields, place in zip(rows, places):
        if len(fields) != width:
            raise UsageError(f"{place}: {len(fields)} columns, but the table has {width}")
    if not rows:
        raise UsageError(f"{name}: no rows of data")
    return names, rows, places


def _target_column(target: str, names: Optional[list[str]], width: int) -> int:
    """--target as a column index: a name in the header, or an index (0-based; -1 the last)."""
    if names is not None and target in names:
        return names.index(target)
    try:
        index = int(target)
    except ValueError:
        known = f"the columns are {', '.join(names)}" if names is not None else "the table has no header row"
        raise UsageError(f"--target {target!r} is not a column name ({known}) or a column index") from None
    if not -width <= index < width:
        raise UsageError(f"--target {index} is not a column: the table has {width} columns (0..{width - 1}, or -1 for the last)")
    return index % width


def _class_order(labels: list[str]) -> list[str]:
    """The classes of a label column, sorted: numerically when every label is a number."""
    unique = sorted(set(labels))
    if all(_is_number(label) for label in unique):
        return sorted(unique, key=float)
    return unique


def train(source: str, arguments: argparse.Namespace, out: TextIO) -> None:
    names, rows, places = read_table(source, arguments.header, arguments.skip_columns)
    width = len(rows[0])
    if width < 2:
        raise UsageError(f"{places[0]}: {width} column; a table to train on needs the target and at least one input")
    column = _target_column(arguments.target, names, width)
    features = [c for c in range(width) if c != column]
    x = np.empty((len(rows), len(features)), np.float32)
    for r, (fields, place) in enumerate(zip(rows, places)):
        for k, c in enumerate(features):
            if not _is_number(fields[c]):
                raise UsageError(f"{place}:{c + 1 + arguments.skip_columns}: {fields[c]!r} is not a number; every column "
                                 "but the target is an input")
            x[r, k] = _finite(fields[c], f"{place}:{c + 1 + arguments.skip_columns}")
    column_text = [fields[column] for fields in rows]
    numeric = all(_is_number(v) for v in column_text)
    loss = arguments.loss or ("mse" if numeric else "cross_entropy")
    classes: Optional[list[str]] = None
    y: Any
    if loss == "cross_entropy" or (loss == "binary_cross_entropy" and not numeric):
        classes = _class_order(column_text)
        if loss == "binary_cross_entropy" and len(classes) != 2:
            raise UsageError(f"--loss binary_cross_entropy learns two classes; the target column has {len(classes)}")
        if loss == "cross_entropy" and len(classes) < 2:
            raise UsageError(f"the target column holds one class ({classes[0]!r}); a classifier needs at least two")
        outputs, last, y = (1, "sigmoid", np.array(column_text)) if loss == "binary_cross_entropy" else \
            (len(classes), "softmax", np.array(column_text))
    elif not numeric:
        bad = next(i for i, v in enumerate(column_text) if not _is_number(v))
        raise UsageError(f"{places[bad]}: the target {column_text[bad]!r} is not a number, but --loss {loss} fits numbers; "
                         "omit --loss (labels train a classifier) or pass --loss cross_entropy")
    else:
        y = np.array([_finite(v, place) for v, place in zip(column_text, places)], np.float32)
        outputs, last = 1, "sigmoid" if loss == "binary_cross_entropy" else "identity"
    hidden = _hidden_sizes(arguments.hidden)
    net = Network([x.shape[1], *hidden, outputs], [arguments.activation] * len(hidden) + [last], loss=loss,
                  seed=arguments.seed)
    lr = arguments.lr if arguments.lr is not None else {"sgd": 0.01, "rmsprop": 0.01}.get(arguments.optimizer, 1e-3)
    getattr(net, arguments.optimizer)(lr)
    if names is not None:
        net.metadata["features"] = json.dumps([names[c] for c in features], ensure_ascii=False)
        net.metadata["target"] = names[column]
    validation = None
    if arguments.validation_fraction:
        if not 0 < arguments.validation_fraction < 1:
            raise UsageError(f"--validation-fraction is {arguments.validation_fraction}; pass a fraction in (0, 1)")
        order = np.random.default_rng(arguments.seed).permutation(len(rows))
        cut = len(rows) - int(round(len(rows) * arguments.validation_fraction))
        if cut < 1 or cut == len(rows):
            raise UsageError(f"--validation-fraction {arguments.validation_fraction} of {len(rows)} rows leaves no training "
                             "or no validation rows")
        validation = (x[order[cut:]], y[order[cut:]])
        x, y = x[order[:cut]], y[order[:cut]]
    history = net.fit(x, y, arguments.epochs, batch_size=arguments.batch_size, shuffle_seed=arguments.seed,
                      progress=sys.stderr.isatty(), validation_data=validation, standardize=arguments.standardize,
                      classes=classes)
    net.save(arguments.output)
    kind = f"{len(classes)} classes" if classes is not None else "regression"
    print(f"trained {'-'.join(map(str, net.sizes))} ({kind}, loss {loss}) on {len(x)} rows for {len(history)} epochs; "
          f"final training loss {history[-1]:.6g}", file=out)
    if validation is not None:
        best = history.best_epoch
        metric = f", accuracy {history.val_accuracy[best]:.4f}" if classes is not None else ""
        print(f"validation ({len(validation[0])} rows): loss {history.val_loss[best]:.6g}{metric} at epoch {best + 1}, "
              "whose weights the model keeps", file=out)
    print(f"wrote {arguments.output}", file=out)


def _hidden_sizes(text: str) -> list[int]:
    if not text.strip():
        return []
    sizes = []
    for part in text.split(","):
        if not part.strip().isdigit() or int(part) < 1:
            raise UsageError(f"--hidden {text!r}: pass layer widths separated by commas, such as 64,32 (or \"\" for none)")
        sizes.append(int(part))
    return sizes


def export_onnx(model: Path, target: Path, out: TextIO) -> None:
    Network.load(model).export_onnx(target)
    print(f"wrote {target}", file=out)


def export_c(model: Path, folder: Path, name: str, calibration: Optional[str], train_step: bool, header: Optional[bool],
             skip_columns: int, out: TextIO) -> None:
    net = Network.load(model)
    rows = None
    if calibration is not None:
        rows = read_inputs(calibration, net.sizes[0], header, skip_columns)
    quantized = net.export_c(folder, name, quantize=None if rows is None else "int8", calibration=rows,
                             train_step=train_step)
    kind = "float32" if quantized is None else f"int8, {quantized.nbytes} bytes of constants"
    print(f"wrote {folder / (name + '.h')} and {folder / (name + '.c')} ({kind})", file=out)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m plexus", description="Inspect, run and convert Plexus model files.")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    show = commands.add_parser("info", help="describe a model file", description="Describe a model file: "
                               "architecture, parameter count, loss, optimizer, training settings, metadata, CRC-32.")
    show.add_argument("model", type=Path, help="a model file (.safetensors) written by Plexus")
    run = commands.add_parser("predict", help="predict the rows of a CSV file", description="Print one line of "
                              "comma-separated outputs per row of inputs in CSV (blank lines and # comments skipped).")
    run.add_argument("model", type=Path, help="a model file written by Plexus")
    run.add_argument("csv", help="a CSV file of inputs, one row per line, a .npy array, or - for standard input")
    run.add_argument("--labels", action="store_true", help="print each row's class name alone (the model's classes)")
    run.add_argument("-o", "--output", type=Path, help="write the predictions to this file instead of standard output")
    for command in (run,):
        add_input_options(command)
    learn = commands.add_parser("train", help="train a network on a CSV or .npy table",
                                description="Train a network on a table: the --target column is what it learns, every "
                                "other column an input. Labels (any column that is not all numbers) train a softmax "
                                "classifier with cross-entropy; numbers a regressor with MSE. Prints the final loss and "
                                "the validation metric, and writes the model file.")
    learn.add_argument("data", help="a CSV file (a header row detected), a .npy table, or - for standard input")
    learn.add_argument("--target", required=True, metavar="COLUMN",
                       help="the column to learn: its name in the header, or its index (0 first, -1 last)")
    learn.add_argument("--hidden", default="64", metavar="SIZES", help="hidden layer widths, e.g. 64,32 (default 64)")
    learn.add_argument("--activation", default="relu", choices=[a for a in ACTIVATIONS if a != "softmax"],
                       help="the hidden layers' activation (default relu)")
    learn.add_argument("--loss", choices=LOSSES, help="default: cross_entropy for labels, mse for numbers")
    learn.add_argument("--epochs", type=int, default=100, help="passes over the data (default 100)")
    learn.add_argument("--batch-size", type=int, default=32, help="rows per step (default 32)")
    learn.add_argument("--optimizer", default="adam", choices=OPTIMIZERS, help="default adam")
    learn.add_argument("--lr", type=float, help="learning rate (default 0.001 for adam and adamw, 0.01 for sgd and rmsprop)")
    learn.add_argument("--validation-fraction", type=float, default=0.0, metavar="F",
                       help="hold out this fraction of the rows, drawn at random with --seed, to measure after each "
                       "epoch; the model keeps the best epoch's weights")
    learn.add_argument("--standardize", action="store_true",
                       help="fit the model's input (and, for numbers, output) transform to the data: it then takes raw rows")
    learn.add_argument("--seed", type=int, default=0, help="the weights', the shuffling's and the split's seed (default 0)")
    learn.add_argument("-o", "--output", type=Path, default=Path("model.safetensors"),
                       help="the model file to write (default model.safetensors)")
    add_input_options(learn)
    convert = commands.add_parser("export-onnx", help="convert a model file to ONNX",
                                  description="Write the model as ONNX (opset 17) for ONNX Runtime.")
    convert.add_argument("model", type=Path, help="a model file written by Plexus")
    convert.add_argument("out", type=Path, help="the .onnx file to write")
    code = commands.add_parser("export-c", help="convert a model file to C99 source",
                               description="Write the model as dependency-free C99: DIR/NAME.h and DIR/NAME.c with "
                               "NAME_predict (float32, or int8 with --int8).")
    code.add_argument("model", type=Path, help="a model file written by Plexus")
    code.add_argument("dir", type=Path, help="an existing folder for NAME.h and NAME.c")
    code.add_argument("name", help="the model name: it starts with a letter, goes on with letters, digits and _, has at most 17 characters and is not a C keyword")
    code.add_argument("--int8", metavar="CALIBRATION", help="quantise to int8 with the rows of this CSV or .npy file")
    code.add_argument("--train-step", action="store_true", help="also write NAME_train_step (float32 only)")
    add_input_options(code)
    return top


def add_input_options(command: argparse.ArgumentParser) -> None:
    """How the rows of inputs are read, for every command that reads them."""
    header = command.add_mutually_exclusive_group()
    header.add_argument("--header", dest="header", action="store_const", const=True, default=None,
                        help="the CSV's first row is a header (default: detected: a header when a field is not a number)")
    header.add_argument("--no-header", dest="header", action="store_const", const=False,
                        help="the CSV's first row is data")
    command.add_argument("--skip-columns", type=int, default=0, metavar="N",
                         help="drop the first N columns of every row (an index column)")


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout) -> int:
    arguments = parser().parse_args(argv)
    # Every failure is one line on stderr, never a traceback or a Python warning: a warning
    # (numpy's overflow, say) is an error here, reported as such.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            run(arguments, out)
        except KeyboardInterrupt:
            print(f"plexus {arguments.command}: interrupted", file=sys.stderr)
            return 130
        except (UsageError, PlexusError, OSError, ValueError, TypeError, Warning) as error:
            print(f"plexus {arguments.command}: {error}", file=sys.stderr)
            return 1
        except Exception as error:  # noqa: BLE001 - a bug of ours, still one line, and named as such
            print(f"plexus {arguments.command}: internal error ({type(error).__name__}: {error}); please report it",
                  file=sys.stderr)
            return 1
    return 0


def run(arguments: argparse.Namespace, out: TextIO) -> None:
    if arguments.command == "info":
        info(arguments.model, out)
    elif arguments.command == "predict":
        predict(arguments.model, arguments.csv, arguments.header, arguments.skip_columns, out, arguments.labels,
                arguments.output)
    elif arguments.command == "train":
        train(arguments.data, arguments, out)
    elif arguments.command == "export-onnx":
        export_onnx(arguments.model, arguments.out, out)
    else:
        export_c(arguments.model, arguments.dir, arguments.name, arguments.int8, arguments.train_step, arguments.header,
                 arguments.skip_columns, out)


def main_entry() -> None:
    """The `plexus` console command that pip installs: `python -m plexus` by another name."""
    sys.exit(main())
