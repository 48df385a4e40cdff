"""The same models as Atelier's presets, trained by Keras on the same images with the same batch
size, timed the same way: training images per second of the last epoch, the validation pass not
counted (a GPU is synchronised first, as Atelier's epoch reads its loss back).

    python bench/harness/keras_bench.py --model baseline --limit 12500 --batch-size 32
prints one JSON object. Keras 3 runs on whichever backend KERAS_BACKEND names: TensorFlow CPU in
bench/harness/native.sh; PyTorch on the device machine's GPU in bench/device/run.sh, which also
points FASHION_MNIST at its own copy of the IDX files.
"""
import argparse
import gzip
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

DATA = os.environ.get("FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
BACKEND = keras.backend.backend()


def backend_description():
    """The backend, its version and where it runs, e.g. 'torch 2.11.0 on NVIDIA H200'."""
    if BACKEND == "torch":
        import torch

        where = torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu"
        return f"torch {torch.__version__} on {where}"
    if BACKEND == "tensorflow":
        import tensorflow as tf

        return f"tensorflow {tf.__version__}"
    return BACKEND


def wait_for_device():
    """Waits for queued GPU work, so that an epoch's time is its work's, not its launches'."""
    if BACKEND == "torch":
        import torch

        if torch.cuda.is_available():
            torch.cuda.synchronize()


def idx(name, header):
    with gzip.open(os.path.join(DATA, name)) as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=header)


def load(limit):
    x = idx("train-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28, 1)[:limit]
    y = idx("train-labels-idx1-ubyte.gz", 8)[:limit]
    return x.astype("float32") / 255.0, y


def model(name):
    if name == "baseline":  # the notebook's model
        stack = [
            layers.Conv2D(10, 3, activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    elif name == "default":  # Atelier's default preset
        stack = [
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(2),
            layers.Conv2D(64, 3, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(2),
            layers.Conv2D(128, 3, padding="same", activation="relu"),
            layers.BatchNormalization(),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dropout(0.3),
            layers.Dense(128, activation="relu"),
            layers.Dropout(0.3),
            layers.Dense(10, activation="softmax"),
        ]
    else:
        raise SystemExit(f"unknown model {name}")
    m = keras.Sequential([keras.Input((28, 28, 1))] + stack)
    m.compile(
        optimizer=keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return m


class TrainingTimer(keras.callbacks.Callback):
    """Seconds of each epoch's training part (until validation starts)."""

    def __init__(self):
        super().__init__()
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_test_begin(self, logs=None):
        wait_for_device()
        self.seconds.append(time.perf_counter() - self.start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="baseline")
    parser.add_argument("--limit", type=int, default=12500)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2)
    args = parser.parse_args()

    x, y = load(args.limit)
    split = int(round(len(x) * 0.8))
    keras.utils.set_random_seed(12345)
    m = model(args.model)
    timer = TrainingTimer()
    history = m.fit(
        x[:split], y[:split],
        validation_data=(x[split:], y[split:]),
        epochs=args.epochs,
        batch_size=args.batch_size,
        callbacks=[timer],
        verbose=0,
    )
    print(json.dumps({
        "framework": f"keras {keras.__version__} / {backend_description()}",
        "model": args.model,
        "parameters": m.count_params(),
        "train_images": split,
        "batch_size": args.batch_size,
        "epoch_seconds": timer.seconds,
        "images_per_second": split / timer.seconds[-1],
        "val_accuracy": history.history["val_accuracy"][-1],
        "epochs": [
            {"epoch": i + 1, "seconds": seconds, "images_per_second": split / seconds,
             "val_loss": history.history["val_loss"][i]}
            for i, seconds in enumerate(timer.seconds)
        ],
    }))


if __name__ == "__main__":
    main()
