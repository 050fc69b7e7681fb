"""Loads a Stepwise model file into torch.nn.Sequential with load_state_dict and compares its probabilities
with the ones Stepwise computed (from `stepwise bench --export DIR`).

    python3 scripts/peers/check_torch_load.py DIR --data /path/to/mnist [--tolerance 1e-4]
Exit status 0 when every probability agrees within the tolerance.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn

from mnist_idx import load_train


def layer(spec):
    kind = spec["type"]
    if kind == "conv2d":
        return nn.Conv2d(spec["in_channels"], spec["out_channels"], spec["kernel_size"],
                         stride=spec.get("stride", 1), padding=spec.get("padding", 0))
    if kind == "relu":
        return nn.ReLU()
    if kind == "gelu":
        return nn.GELU()
    if kind == "maxpool2d":
        return nn.MaxPool2d(spec["kernel_size"], stride=spec.get("stride"))
    if kind == "dropout":
        return nn.Dropout(spec["p"])
    if kind == "flatten":
        return nn.Flatten()
    if kind == "dense":
        return nn.Linear(spec["in_features"], spec["out_features"])
    if kind == "batchnorm1d":
        return nn.BatchNorm1d(spec["num_features"], eps=spec["eps"], momentum=spec["momentum"])
    if kind == "batchnorm2d":
        return nn.BatchNorm2d(spec["num_features"], eps=spec["eps"], momentum=spec["momentum"])
    raise ValueError(f"unknown layer type {kind}")


class Net(nn.Module):
    def __init__(self, specs):
        super().__init__()
        self.layers = nn.Sequential(*[layer(s) for s in specs])

    def forward(self, x):
        return self.layers(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--data", required=True)
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()

    path = os.path.join(args.folder, "model.safetensors")
    with safe_open(path, framework="pt") as f:
        meta = f.metadata()
    specs = json.loads(meta["stepwise.layers"])
    norm = json.loads(meta["stepwise.input"])
    net = Net(specs)
    net.load_state_dict(load_file(path), strict=True)
    net.eval()

    with open(os.path.join(args.folder, "probabilities.json")) as f:
        expected = json.load(f)
    count = expected["first_train_images"]
    images, _ = load_train(args.data, count)
    x = (images.astype(np.float32) * norm["scale"] - norm["mean"]) / norm["std"]
    with torch.no_grad():
        probs = torch.softmax(net(torch.from_numpy(x[:, None, :, :])), dim=1).numpy()
    diff = float(np.abs(probs - np.array(expected["probabilities"], dtype=np.float32)).max())
    agree = int((probs.argmax(1) == np.array(expected["probabilities"]).argmax(1)).sum())
    print(f"load_state_dict(strict=True): ok; {count} images; max |p_torch - p_stepwise| = {diff:.3g}; "
          f"argmax agrees on {agree}/{count}")
    sys.exit(0 if diff <= args.tolerance else 1)


if __name__ == "__main__":
    main()
