"""Minimal MNIST IDX reader shared by the peer scripts (gzip or raw files, magic numbers checked)."""
import gzip
import os
import struct

import numpy as np


def _open(path):
    for candidate in (path + ".gz", path):
        if os.path.exists(candidate):
            return gzip.open(candidate, "rb") if candidate.endswith(".gz") else open(candidate, "rb")
    raise FileNotFoundError(f"{path}(.gz) not found")


def load_train(directory, limit=None):
    with _open(os.path.join(directory, "train-images-idx3-ubyte")) as f:
        magic, n, rows, cols = struct.unpack(">IIII", f.read(16))
        if magic != 0x803:
            raise ValueError(f"bad image magic {magic:#x}")
        images = np.frombuffer(f.read(), dtype=np.uint8).reshape(n, rows, cols)
    with _open(os.path.join(directory, "train-labels-idx1-ubyte")) as f:
        magic, n = struct.unpack(">II", f.read(8))
        if magic != 0x801:
            raise ValueError(f"bad label magic {magic:#x}")
        labels = np.frombuffer(f.read(), dtype=np.uint8)
    if limit is not None:
        images, labels = images[:limit], labels[:limit]
    return images, labels
