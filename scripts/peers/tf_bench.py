"""TensorFlow peer of `stepwise bench`: the same models, data, batch sizes, optimizer and measurements.

    python3 scripts/peers/tf_bench.py --model m1 --images 12000 --threads 2 --data /path/to/mnist --json

Training is one `tf.GradientTape` step compiled by `tf.function` (graph mode, no XLA), the usual fast path for
a custom loop; its batch dimension is left open so the last, smaller batch does not trace a second graph. The
first step, which traces and optimizes the graph, is inside the timed epoch as PyTorch's first step is, and is
also reported alone as `first_step_seconds`. Inference calls the model eagerly, as the PyTorch peer does: with
TensorFlow 2.21 and Keras 3.15, a `tf.function` inference graph traced after the training graph fails inside
the second convolution ("input depth must be evenly divisible by filter depth: 1 vs 32").
Images are NHWC, TensorFlow's native CPU layout.
"""
import argparse
import json
import os
import resource
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from tensorflow import keras

from mnist_idx import load_train


def build(name):
    layers = keras.layers
    if name == "m1":
        stack = [keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                 layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Dropout(0.25),
                 layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dropout(0.5), layers.Dense(10)]
        return keras.Sequential(stack), 64
    stack = [keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
             layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
             layers.Dropout(0.5), layers.Dense(10)]
    return keras.Sequential(stack), 128


def forward_flops(model):
    flops = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kh, kw, cin, _ = layer.kernel.shape
            flops += 2 * int(np.prod(layer.output.shape[1:])) * cin * kh * kw
        elif isinstance(layer, keras.layers.Dense):
            cin, cout = layer.kernel.shape
            flops += 2 * cin * cout
    return flops


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", choices=["m1", "m2"], default="m1")
    parser.add_argument("--images", type=int, default=12000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--data", required=True)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(42)
    images, labels = load_train(args.data, args.images)
    x_all = tf.constant(((images.astype(np.float32) / 255.0 - 0.1307) / 0.3081)[:, :, :, None])
    y_all = tf.constant(labels.astype(np.int64))
    model, batch = build(args.model)
    # PyTorch's Adam defaults (epsilon 1e-8; Keras would use 1e-7).
    optimizer = keras.optimizers.Adam(learning_rate=0.001, epsilon=1e-8)
    optimizer.build(model.trainable_variables)
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function(input_signature=[tf.TensorSpec([None], tf.int32)])
    def train_step(idx):
        x, y = tf.gather(x_all, idx), tf.gather(y_all, idx)
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    count = int(y_all.shape[0])
    first_step = None
    start = time.perf_counter()
    for _ in range(args.epochs):
        order = tf.random.shuffle(tf.range(count, dtype=tf.int32))
        for i in range(0, count, batch):
            loss = train_step(order[i:i + batch])
            if first_step is None:
                loss.numpy()
                first_step = time.perf_counter() - start
    loss.numpy()
    train_rate = count * args.epochs / (time.perf_counter() - start)

    sample = x_all[:5000]
    start = time.perf_counter()
    for i in range(0, 5000, 1000):
        model(sample[i:i + 1000], training=False).numpy()
    batch_rate = 5000 / (time.perf_counter() - start)
    start = time.perf_counter()
    for i in range(500):
        model(x_all[i:i + 1], training=False).numpy()
    single_rate = 500 / (time.perf_counter() - start)

    results = {
        "model": args.model, "images": count, "epochs": args.epochs, "threads": args.threads,
        "train_images_per_second": round(train_rate, 2),
        "seconds_per_epoch": round(60000 / train_rate, 2),
        "gflops": round(train_rate * forward_flops(model) * 3 / 1e9, 2),
        "infer_images_per_second_batch1000": round(batch_rate, 2),
        "infer_images_per_second_batch1": round(single_rate, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 2),
        "first_step_seconds": round(first_step, 2),
        "tensorflow": tf.__version__, "keras": keras.__version__,
    }
    if args.json:
        print(json.dumps(results))
    else:
        for key, value in results.items():
            print(f"{key:36s}{value}")


if __name__ == "__main__":
    main()
