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
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from tensorflow import keras

from mnist_idx import load_train, normalized, parse_args, report


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
    args = parse_args("TensorFlow peer of `stepwise bench`.")

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    keras.utils.set_random_seed(42)
    images, labels = load_train(args.data, args.images)
    x_all = tf.constant(normalized(images)[:, :, :, None])
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
    for i in range(0, len(sample), 1000):
        model(sample[i:i + 1000], training=False).numpy()
    batch_rate = len(sample) / (time.perf_counter() - start)
    singles = min(500, count)
    start = time.perf_counter()
    for i in range(singles):
        model(x_all[i:i + 1], training=False).numpy()
    single_rate = singles / (time.perf_counter() - start)

    report(args, count, train_rate, forward_flops(model), batch_rate, single_rate,
           first_step_seconds=round(first_step, 2), tensorflow=tf.__version__, keras=keras.__version__)


if __name__ == "__main__":
    main()
