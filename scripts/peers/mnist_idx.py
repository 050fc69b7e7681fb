"""What the peer scripts share: a minimal MNIST IDX reader (gzip or raw, magic numbers checked), their
options, the input normalisation and the report of their measurements."""
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


def parse_args(description):
    """The options every peer script takes, the same as `stepwise bench`."""
    import argparse
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", choices=["m1", "m2"], default="m1")
    parser.add_argument("--images", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", required=True)
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


def normalized(images):
    """Pixels as Stepwise's default input normalisation gives them: (pixel / 255 - 0.1307) / 0.3081."""
    return (images.astype(np.float32) / 255.0 - 0.1307) / 0.3081


def report(args, count, train_rate, forward_flops, batch_rate, single_rate, **extra):
    """Prints the fields `stepwise bench` prints, as JSON or a table."""
    import json
    import resource
    results = {
        "model": args.model, "images": count, "epochs": args.epochs, "threads": args.threads,
        "train_images_per_second": round(train_rate, 2),
        "seconds_per_epoch": round(60000 / train_rate, 2),
        "gflops": round(train_rate * forward_flops * 3 / 1e9, 2),
        "infer_images_per_second_batch1000": round(batch_rate, 2),
        "infer_images_per_second_batch1": round(single_rate, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 2),
        **extra,
    }
    if args.json:
        print(json.dumps(results))
    else:
        for key, value in results.items():
            print(f"{key:36s}{value}")
