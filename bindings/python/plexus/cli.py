"""`python -m plexus`: look into a model file, predict from a CSV file, export to ONNX or C.

    python -m plexus info MODEL            architecture, parameters, loss, optimizer, settings,
                                           the file's metadata and its CRC-32
    python -m plexus predict MODEL CSV     one row of inputs per line (comma-separated numbers;
                                           blank lines and lines starting with # are skipped; CSV
                                           "-" reads standard input); one row of outputs per line
    python -m plexus export-onnx MODEL OUT an ONNX model for ONNX Runtime
    python -m plexus export-c MODEL DIR NAME [--int8 CALIBRATION] [--train-step]
                                           the model as dependency-free C99, DIR/NAME.h and
                                           DIR/NAME.c; --int8 quantises with the rows of a CSV or
                                           .npy file of inputs

Exit status: 0 on success, 1 when the model or the data cannot be used (the message says which
line of the CSV), 2 for a wrong command line.
"""
from __future__ import annotations

import argparse
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
    crc = metadata.get("plexus.data_crc32")
    print(f"CRC-32:     {crc + ' (matches the data)' if crc else 'not recorded'}", file=out)
    print("metadata:", file=out)
    for key in sorted(metadata):
        print(f"  {key} = {metadata[key]}", file=out)


def read_rows(source: TextIO, width: int, name: str) -> np.ndarray:
    """The CSV's rows as a float32 array; a malformed line raises UsageError naming it."""
    rows: list[list[float]] = []
    for number, line in enumerate(source, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        fields = [f.strip() for f in text.split(",")]
        try:
            values = [float(f) for f in fields]
        except ValueError:
            bad = next(f for f in fields if not _is_number(f))
            raise UsageError(f"{name}:{number}: {bad!r} is not a number") from None
        if len(values) != width:
            raise UsageError(f"{name}:{number}: {len(values)} values, but the model takes {width} inputs")
        if not all(np.isfinite(values)):
            raise UsageError(f"{name}:{number}: the inputs must be finite numbers")
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


def predict(model: Path, csv: str, out: TextIO) -> None:
    net = Network.load(model)
    if csv == "-":
        x = read_rows(sys.stdin, net.sizes[0], "<stdin>")
    else:
        with open(csv, encoding="utf-8") as source:
            x = read_rows(source, net.sizes[0], csv)
    for row in net.predict(x):
        print(",".join(f"{v:.9g}" for v in row), file=out)


def export_onnx(model: Path, target: Path, out: TextIO) -> None:
    Network.load(model).export_onnx(target)
    print(f"wrote {target}", file=out)


def export_c(model: Path, folder: Path, name: str, calibration: Optional[str], train_step: bool, out: TextIO) -> None:
    net = Network.load(model)
    rows = None
    if calibration is not None:
        if calibration.endswith(".npy"):
            rows = np.load(calibration, allow_pickle=False)
        else:
            with open(calibration, encoding="utf-8") as source:
                rows = read_rows(source, net.sizes[0], calibration)
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
    run.add_argument("csv", help="a CSV file of inputs, one row per line, or - for standard input")
    convert = commands.add_parser("export-onnx", help="convert a model file to ONNX",
                                  description="Write the model as ONNX (opset 17) for ONNX Runtime.")
    convert.add_argument("model", type=Path, help="a model file written by Plexus")
    convert.add_argument("out", type=Path, help="the .onnx file to write")
    code = commands.add_parser("export-c", help="convert a model file to C99 source",
                               description="Write the model as dependency-free C99: DIR/NAME.h and DIR/NAME.c with "
                               "NAME_predict (float32, or int8 with --int8).")
    code.add_argument("model", type=Path, help="a model file written by Plexus")
    code.add_argument("dir", type=Path, help="an existing folder for NAME.h and NAME.c")
    code.add_argument("name", help="a C identifier of at most 17 characters that prefixes every symbol")
    code.add_argument("--int8", metavar="CALIBRATION", help="quantise to int8 with the rows of this CSV or .npy file")
    code.add_argument("--train-step", action="store_true", help="also write NAME_train_step (float32 only)")
    return top


def main(argv: Optional[Sequence[str]] = None, out: TextIO = sys.stdout) -> int:
    arguments = parser().parse_args(argv)
    try:
        if arguments.command == "info":
            info(arguments.model, out)
        elif arguments.command == "predict":
            predict(arguments.model, arguments.csv, out)
        elif arguments.command == "export-onnx":
            export_onnx(arguments.model, arguments.out, out)
        else:
            export_c(arguments.model, arguments.dir, arguments.name, arguments.int8, arguments.train_step, out)
    except (UsageError, PlexusError, OSError, ValueError) as error:
        print(f"plexus {arguments.command}: {error}", file=sys.stderr)
        return 1
    return 0


def main_entry() -> None:
    """The `plexus` console command that pip installs: `python -m plexus` by another name."""
    sys.exit(main())
