"""Writes scikit-learn's bundled digits (8×8 images, 10 classes; no download) as a simple binary
file for examples/c/digits.c, shuffled with a fixed seed:

    bytes 0-3   "PXDG"
    bytes 4-15  n, features, classes: uint32 little-endian
    then        n × features float32 little-endian (pixels scaled to 0..1), row-major
    then        n uint8 labels

Run: python3 examples/c/prepare_digits.py build/digits.bin
"""
import struct
import sys

import numpy as np
from sklearn.datasets import load_digits


def main(path: str) -> None:
    digits = load_digits()
    order = np.random.default_rng(0).permutation(len(digits.target))
    x = (digits.data[order] / 16.0).astype("<f4")
    y = digits.target[order].astype(np.uint8)
    with open(path, "wb") as out:
        out.write(b"PXDG" + struct.pack("<III", x.shape[0], x.shape[1], 10))
        out.write(x.tobytes())
        out.write(y.tobytes())
    print(f"wrote {path}: {x.shape[0]} images of {x.shape[1]} pixels, 10 classes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "build/digits.bin")
