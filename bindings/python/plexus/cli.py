"""`python -m plexus`: look into a model file, predict from a CSV file, export to ONNX or C.

    python -m plexus info MODEL            architecture, parameters, loss, optimizer, settings, the
                                           format version, the input and output transforms, the
                                           file's metadata and its CRC-32
    python -m plexus predict MODEL INPUTS  INPUTS: a CSV file (one row of comma-separated numbers per
                                           line; blank lines and # comments skipped; a header row
                                           detected, or --header / --no-header), a .npy array, or
                                           "-" for standard input (either); --skip-columns N drops
                                           an index column; prints one row of outputs per line.
                                           Rows are raw: the model's transforms apply
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
from pathlib import Path
from typing import Optional, Sequence, TextIO

import numpy as np

from .errors import PlexusError
from .network import Network

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
    print(f"layers:     {'-'.join(map(str, net.sizes))} ({', '.join(net.activations)}), "
          f"{'with' if net.bias else 'no'} biases", file=out)
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


def read_inputs(source: str, width: int, header: Optional[bool] = None, skip_columns: int = 0) -> np.ndarray:
    """The rows of inputs in `source` (a path, or "-" for standard input) as float32, from a CSV
    file or a .npy array (told by its magic bytes, whatever the name). The first `skip_columns`
    columns (an index) are dropped. A CSV's first row is a header when `header` is True, or, when
    it is None, when one of its fields is not a number. Every problem is a UsageError that names
    the file, the line and the column."""
    name = "<stdin>" if source == "-" else source
    if skip_columns < 0:
        raise UsageError(f"--skip-columns is {skip_columns}; pass 0 or more")
    try:
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
    except OSError as error:
        raise UsageError(f"{name}: {error.strerror or error}") from None
    if data.startswith(NPY_MAGIC):
        return _npy_rows(data, width, skip_columns, name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"{name}: byte {error.start + 1} is not UTF-8 text; pass a CSV file or a .npy array") from None
    return _csv_rows(text.splitlines(), width, header, skip_columns, name)


def _npy_rows(data: bytes, width: int, skip_columns: int, name: str) -> np.ndarray:
    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as error:
        raise UsageError(f"{name}: not a readable .npy array ({error})") from None
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
    return np.ascontiguousarray(array, np.float32)


def _csv_rows(lines: list[str], width: int, header: Optional[bool], skip_columns: int, name: str) -> np.ndarray:
    rows: list[list[float]] = []
    first = True
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        fields = [f.strip() for f in text.split(",")]
        if first:
            first = False
            if header or (header is None and not all(_is_number(f) for f in fields[skip_columns:])):
                continue
        if len(fields) <= skip_columns:
            raise UsageError(f"{name}:{number}: {len(fields)} columns, none left after skipping {skip_columns}")
        values = []
        for column, field in enumerate(fields[skip_columns:], start=skip_columns + 1):
            if not _is_number(field):
                raise UsageError(f"{name}:{number}:{column}: {field!r} is not a number")
            value = float(field)
            if not np.isfinite(value):
                raise UsageError(f"{name}:{number}:{column}: {field!r}: the inputs must be finite numbers")
            values.append(value)
        if len(values) != width:
            raise UsageError(f"{name}:{number}: {len(values)} values" + (f" after skipping {skip_columns} columns" if skip_columns else "")
                             + f", but the model takes {width} inputs")
        rows.append(values)
    if not rows:
        raise UsageError(f"{name}: no rows of inputs")
    return np.asarray(rows, np.float32)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def predict(model: Path, source: str, header: Optional[bool], skip_columns: int, out: TextIO) -> None:
    net = Network.load(model)
    x = read_inputs(source, net.sizes[0], header, skip_columns)
    for row in net.predict(x):
        print(",".join(f"{v:.9g}" for v in row), file=out)


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
    for command in (run,):
        add_input_options(command)
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
    try:
        if arguments.command == "info":
            info(arguments.model, out)
        elif arguments.command == "predict":
            predict(arguments.model, arguments.csv, arguments.header, arguments.skip_columns, out)
        elif arguments.command == "export-onnx":
            export_onnx(arguments.model, arguments.out, out)
        else:
            export_c(arguments.model, arguments.dir, arguments.name, arguments.int8, arguments.train_step, arguments.header,
                     arguments.skip_columns, out)
    except (UsageError, PlexusError, OSError, ValueError) as error:
        print(f"plexus {arguments.command}: {error}", file=sys.stderr)
        return 1
    return 0


def main_entry() -> None:
    """The `plexus` console command that pip installs: `python -m plexus` by another name."""
    sys.exit(main())
