"""Loads any Stepwise model file (CNN or Vision Transformer) into the PyTorch modules of check_torch_load.py and
compares its probabilities with `stepwise predict`'s on the 28x28 images the model saw.

    stepwise predict --model M.safetensors --json --explain SEEN IMAGES... > predictions.jsonl
    python3 scripts/peers/check_torch_predict.py M.safetensors predictions.jsonl SEEN [--tolerance 1e-4]
Exit status 0 when every probability agrees within the tolerance.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from PIL import Image
from safetensors import safe_open
from safetensors.torch import load_file

from check_torch_load import Net


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("predictions")
    parser.add_argument("seen", help="the folder `stepwise predict --explain` wrote")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    with safe_open(args.model, framework="pt") as f:
        meta = f.metadata()
    net = Net(json.loads(meta["stepwise.layers"]))
    state = {k: v for k, v in load_file(args.model).items()}
    net.load_state_dict(state, strict=True)
    net.eval()
    norm = json.loads(meta["stepwise.input"])

    rows = [json.loads(line) for line in open(args.predictions) if line.strip()]
    images, expected = [], []
    for row in rows:
        name = os.path.splitext(os.path.basename(row["file"]))[0] + ".png"
        images.append(np.asarray(Image.open(os.path.join(args.seen, name)).convert("L"), dtype=np.float32))
        expected.append(row["probabilities"])
    x = (np.stack(images) * norm["scale"] - norm["mean"]) / norm["std"]
    with torch.no_grad():
        probs = torch.softmax(net(torch.from_numpy(x[:, None, :, :].astype(np.float32))), dim=1).numpy()
    expected = np.array(expected, dtype=np.float32)
    diff = float(np.abs(probs - expected).max())
    agree = int((probs.argmax(1) == expected.argmax(1)).sum())
    print(f"load_state_dict(strict=True): ok; {len(rows)} images; max |p_torch - p_stepwise| = {diff:.3g}; "
          f"argmax agrees on {agree}/{len(rows)}")
    sys.exit(0 if diff <= args.tolerance else 1)


if __name__ == "__main__":
    main()
