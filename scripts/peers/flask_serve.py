"""Flask + PyTorch peer of `stepwise serve`'s `POST /api/predict`, set up the way the original digit-classifier
projects ran theirs: Flask's own threaded server, the model in PyTorch, the image decoded with Pillow.

It loads the same safetensors model file Stepwise serves (the module built from `__metadata__["stepwise.layers"]`
as check_torch_load.py builds it, strict load_state_dict), and answers `POST /api/predict` with a PNG (or JPEG)
body: Pillow decodes it, converts to grayscale and resizes to 28x28, the pixels are normalised as Stepwise does
(`stepwise.input`: x * scale, then (x - mean) / std), and the softmax of one forward pass comes back as JSON:
label, confidence, the ten probabilities and the top 3. Bad input gets a JSON error (415 not an image).

    .build-venv/serve-peer/bin/python scripts/peers/flask_serve.py --model Outputs/models/cnn.safetensors \
        [--host 127.0.0.1] [--port 8090] [--threads N]

scripts/bench-serve.sh creates that venv (the PyTorch wheel in /opt/wheels, Flask, Pillow and safetensors from
PyPI) and measures this server against `stepwise serve`.
"""
import argparse
import io
import json
import logging
import os
import sys

import numpy as np
import torch
from flask import Flask, jsonify, request
from PIL import Image, UnidentifiedImageError
from safetensors import safe_open
from safetensors.torch import load_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_torch_load import Net  # noqa: E402  (the module from the file's layer list)


def load_model(path):
    with safe_open(path, framework="pt") as f:
        meta = f.metadata()
    net = Net(json.loads(meta["stepwise.layers"]))
    net.load_state_dict(load_file(path), strict=True)
    net.eval()
    return net, json.loads(meta["stepwise.input"])


def create_app(model_path):
    net, norm = load_model(model_path)
    scale, mean, std = float(norm["scale"]), float(norm["mean"]), float(norm["std"])
    app = Flask("stepwise-peer")
    app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024

    @app.post("/api/predict")
    def predict():
        try:
            image = Image.open(io.BytesIO(request.get_data())).convert("L")
        except (UnidentifiedImageError, OSError) as error:
            return jsonify(error=f"not a readable image: {error}"), 415
        if image.size != (28, 28):
            image = image.resize((28, 28), Image.BILINEAR)
        x = (np.asarray(image, dtype=np.float32) * scale - mean) / std
        with torch.no_grad():
            probabilities = torch.softmax(net(torch.from_numpy(x)[None, None, :, :]), dim=1)[0].tolist()
        order = sorted(range(10), key=lambda i: -probabilities[i])
        return jsonify(label=order[0], confidence=probabilities[order[0]], probabilities=probabilities,
                       top3=[{"label": i, "probability": probabilities[i]} for i in order[:3]])

    @app.get("/healthz")
    def health():
        return jsonify(status="ok")

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: PyTorch's own choice)")
    parser.add_argument("--quiet", action="store_true", help="no line per request (werkzeug's request log)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.quiet:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_app(args.model)
    print(f"flask peer: torch {torch.__version__}, {torch.get_num_threads()} intra-op threads, "
          f"listening on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
