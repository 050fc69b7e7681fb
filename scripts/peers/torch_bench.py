"""PyTorch peer of `stepwise bench`: the same models, data, batch sizes, optimizer and measurements.

    python3 scripts/peers/torch_bench.py --model m1 --images 12000 --threads 2 --data /path/to/mnist --json
"""
import time

import numpy as np
import torch
from torch import nn

from mnist_idx import load_train, normalized, parse_args, report


def build(name):
    if name == "m1":
        layers = [nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
                  nn.Dropout(0.25), nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5),
                  nn.Linear(128, 10)]
        return nn.Sequential(*layers), 64
    layers = [nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
              nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10)]
    return nn.Sequential(*layers), 128


def forward_flops(model):
    flops, shape = 0, (1, 28, 28)
    x = torch.zeros(1, *shape)
    for layer in model:
        y = layer(x)
        if isinstance(layer, nn.Conv2d):
            flops += 2 * y.numel() * layer.in_channels * layer.kernel_size[0] * layer.kernel_size[1]
        elif isinstance(layer, nn.Linear):
            flops += 2 * layer.in_features * layer.out_features
        x = y
    return flops


def main():
    args = parse_args("PyTorch peer of `stepwise bench`.")

    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    images, labels = load_train(args.data, args.images)
    x_all = torch.from_numpy(normalized(images)[:, None, :, :])
    y_all = torch.from_numpy(labels.astype(np.int64))
    model, batch = build(args.model)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss()

    start = time.perf_counter()
    model.train()
    for _ in range(args.epochs):
        order = torch.randperm(len(y_all))
        for i in range(0, len(order), batch):
            idx = order[i:i + batch]
            optimizer.zero_grad()
            loss = loss_fn(model(x_all[idx]), y_all[idx])
            loss.backward()
            optimizer.step()
    train_rate = len(y_all) * args.epochs / (time.perf_counter() - start)

    model.eval()
    with torch.no_grad():
        sample = x_all[:5000]
        start = time.perf_counter()
        for i in range(0, len(sample), 1000):
            model(sample[i:i + 1000])
        batch_rate = len(sample) / (time.perf_counter() - start)
        singles = x_all[:500]
        start = time.perf_counter()
        for i in range(len(singles)):
            model(singles[i:i + 1])
        single_rate = len(singles) / (time.perf_counter() - start)

    report(args, len(y_all), train_rate, forward_flops(model), batch_rate, single_rate, torch=torch.__version__)


if __name__ == "__main__":
    main()
