#!/usr/bin/env python3
"""Writes one MNIST test image as a 28x28 grey PNG, in MNIST's own form (python3 standard library only).

    mnist-png.py MNIST_DIR INDEX OUT.png     # MNIST_DIR holds t10k-images-idx3-ubyte(.gz)
"""
import gzip
import os
import struct
import sys
import zlib


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    folder, index, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    path = os.path.join(folder, "t10k-images-idx3-ubyte")
    raw = gzip.open(path + ".gz").read() if os.path.exists(path + ".gz") else open(path, "rb").read()
    magic, count, rows, cols = struct.unpack(">IIII", raw[:16])
    if magic != 2051 or (rows, cols) != (28, 28):
        sys.exit(f"{path}: not an MNIST image file (magic {magic}, {rows}x{cols})")
    if not 0 <= index < count:
        sys.exit(f"index {index} is outside 0..{count - 1}")
    pixels = raw[16 + index * 784:16 + (index + 1) * 784]
    scanlines = b"".join(b"\x00" + pixels[r * 28:(r + 1) * 28] for r in range(28))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    with open(out, "wb") as handle:
        handle.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(scanlines)) + chunk(b"IEND", b""))


if __name__ == "__main__":
    main()
