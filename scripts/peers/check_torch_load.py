"""Loads a Stepwise model file into torch.nn.Sequential with load_state_dict and compares its probabilities
with the ones Stepwise computed (from `stepwise bench --export DIR`).

Every layer type of a model file has its PyTorch module here: the CNN's are torch.nn's; the Vision Transformer's
(PatchEmbed, ClassToken, PosEmbed, Attention, Block, ClsHead) follow timm's VisionTransformer, with its
parameter names (`proj.weight`, `cls_token`, `pos_embed`, `norm1.weight`, `attn.qkv.weight`, `mlp.fc1.weight`).

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


class PatchEmbed(nn.Module):
    """timm's PatchEmbed: a stride-P convolution, then the grid as tokens [B, T, D]."""

    def __init__(self, in_channels, embed_dim, patch_size):
        super().__init__()
        self.proj = nn.Conv2d(in_channels, embed_dim, patch_size, stride=patch_size)

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


class ClassToken(nn.Module):
    def __init__(self, embed_dim):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))

    def forward(self, x):
        return torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1)


class PosEmbed(nn.Module):
    def __init__(self, num_tokens, embed_dim):
        super().__init__()
        self.pos_embed = nn.Parameter(torch.zeros(1, num_tokens, embed_dim))

    def forward(self, x):
        return x + self.pos_embed


class Attention(nn.Module):
    """timm's Attention: fused qkv [3D, D], heads of D/H columns, scaled dot product, proj [D, D]."""

    def __init__(self, embed_dim, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(embed_dim, 3 * embed_dim)
        self.proj = nn.Linear(embed_dim, embed_dim)

    def forward(self, x):
        b, t, d = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.num_heads, d // self.num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv.unbind(0)
        attn = (q @ k.transpose(-2, -1)) * (d // self.num_heads) ** -0.5
        x = attn.softmax(dim=-1) @ v
        return self.proj(x.transpose(1, 2).reshape(b, t, d))


class Mlp(nn.Module):
    def __init__(self, embed_dim, hidden, drop):
        super().__init__()
        self.fc1 = nn.Linear(embed_dim, hidden)
        self.act = nn.GELU()
        self.drop1 = nn.Dropout(drop)
        self.fc2 = nn.Linear(hidden, embed_dim)
        self.drop2 = nn.Dropout(drop)

    def forward(self, x):
        return self.drop2(self.fc2(self.drop1(self.act(self.fc1(x)))))


class Block(nn.Module):
    """timm's ViT Block, pre-norm (LayerNorm eps 1e-6)."""

    def __init__(self, embed_dim, num_heads, mlp_hidden_dim, drop):
        super().__init__()
        self.norm1 = nn.LayerNorm(embed_dim, eps=1e-6)
        self.attn = Attention(embed_dim, num_heads)
        self.drop = nn.Dropout(drop)
        self.norm2 = nn.LayerNorm(embed_dim, eps=1e-6)
        self.mlp = Mlp(embed_dim, mlp_hidden_dim, drop)

    def forward(self, x):
        x = x + self.drop(self.attn(self.norm1(x)))
        return x + self.mlp(self.norm2(x))


class ClsHead(nn.Module):
    """The classification head on the class token (timm's global_pool='token', then head)."""

    def __init__(self, in_features, out_features):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(out_features, in_features))
        self.bias = nn.Parameter(torch.zeros(out_features))

    def forward(self, x):
        return nn.functional.linear(x[:, 0], self.weight, self.bias)


def layer(spec):
    kind = spec["type"]
    if kind == "patch_embed":
        return PatchEmbed(spec["in_channels"], spec["embed_dim"], spec["patch_size"])
    if kind == "cls_token":
        return ClassToken(spec["embed_dim"])
    if kind == "pos_embed":
        return PosEmbed(spec["num_tokens"], spec["embed_dim"])
    if kind == "layernorm":
        return nn.LayerNorm(spec["normalized_shape"], eps=spec["eps"])
    if kind == "attention":
        return Attention(spec["embed_dim"], spec["num_heads"])
    if kind == "encoder_block":
        return Block(spec["embed_dim"], spec["num_heads"], spec["mlp_hidden_dim"], spec["drop"])
    if kind == "cls_head":
        return ClsHead(spec["in_features"], spec["out_features"])
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
    if kind in ("dense", "linear"):
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
