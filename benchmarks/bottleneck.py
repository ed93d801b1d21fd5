"""The chapter's information bottleneck over many seeds: why one run gives 62 % and the book 71 %.

    python benchmarks/bottleneck.py                  # 20 seeds at batch 128, 10 at batch 512, 10 with Keras 2's rmsprop
    python benchmarks/bottleneck.py --seeds 5 --out /tmp/study

The network is the chapter's: Dense(64, relu) -> Dense(4, relu) -> Dense(46, softmax), rmsprop, 20 epochs, validated
on the first 1,000 training wires, each run trained by `reuters_nb.train.fit_model` (seeded before the model is built
and again before it is fitted, as every page does), so seed 0 at batch 128 is the run of the page *Predictions,
baselines and bottlenecks*. Each run records its best and last validation accuracy, its test accuracy after the 20
epochs, and how many of the 4 units are dead at the end (`reuters_nb.analysis.dead_units` on the training wires).

Settings: "batch-128" (the chapter's), "batch-512" (the package's default batch), "keras2-rmsprop" (batch 128 with the
update rule of Keras 2.0, the first edition's Keras: epsilon added after the square root, where Keras 3 adds it under
it). Writes `bottleneck.json` into --out (temporary file, then rename). About 25 s a run on 2 cores.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from reuters_nb.helpers import write_atomically

HERE = Path(__file__).resolve().parent


def keras2_rmsprop():
    "rmsprop as Keras 2.0 updated a weight: p -= lr * g / (sqrt(v) + epsilon), epsilon 1e-8"
    import keras
    from keras import ops

    class Keras2RMSprop(keras.optimizers.RMSprop):
        def update_step(self, gradient, variable, learning_rate):
            lr, gradient = ops.cast(learning_rate, variable.dtype), ops.cast(gradient, variable.dtype)
            v = self._velocities[self._get_variable_index(variable)]
            self.assign(v, ops.add(ops.multiply(self.rho, v), ops.multiply(1 - self.rho, ops.square(gradient))))
            self.assign_sub(variable, ops.divide(ops.multiply(lr, gradient), ops.add(ops.sqrt(v), self.epsilon)))

    return Keras2RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-8)


SETTINGS = {  # name: (batch size, optimizer factory or None for the package's "rmsprop")
    "batch-128": (128, None),
    "batch-512": (512, None),
    "keras2-rmsprop": (128, keras2_rmsprop),
}


def run(settings: dict, seeds: dict) -> dict:
    import keras
    import numpy as np
    from reuters_nb.analysis import dead_units
    from reuters_nb.data import load_data
    from reuters_nb.train import fit_model, split_validation
    from reuters_nb.vectorize import to_one_hot, vectorize_sequences
    (train_data, train_labels), (test_data, test_labels) = load_data(num_words=10_000)
    x_train, x_test = vectorize_sequences(train_data, dtype=np.uint8), vectorize_sequences(test_data, dtype=np.uint8)
    y_train, y_test = to_one_hot(train_labels), to_one_hot(test_labels)
    (x_part, y_part), validation = split_validation(x_train, y_train)
    runs = {}
    for name, (batch_size, optimizer) in settings.items():
        runs[name] = []
        for seed in range(seeds[name]):
            t = time.perf_counter()
            kwargs = {} if optimizer is None else {"optimizer": optimizer()}  # a fresh optimizer per run
            model, history = fit_model(x_part, y_part, epochs=20, batch_size=batch_size, validation_data=validation,
                                       seed=seed, verbose=0, hidden=(64, 4), **kwargs)
            val = history.history["val_accuracy"]
            row = {"seed": seed, "best_val_accuracy": max(val), "best_epoch": int(np.argmax(val)) + 1,
                   "last_val_accuracy": val[-1], "test_accuracy": float(model.evaluate(x_test, y_test, verbose=0)[1]),
                   "dead_units": dead_units(model, x_part, layer=1), "seconds": round(time.perf_counter() - t, 1)}
            runs[name].append(row)
            print(f"{name} seed {seed}: best validation {row['best_val_accuracy']:.3f} (epoch {row['best_epoch']}), "
                  f"test {row['test_accuracy']:.3f}, {row['dead_units']} dead, {row['seconds']} s", flush=True)
            keras.backend.clear_session()
    return runs


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=20, help="seeds at batch 128; the other settings take half (default 20)")
    p.add_argument("--out", type=Path, default=HERE / "results", help="folder for bottleneck.json")
    args = p.parse_args(argv)
    if args.seeds < 2: p.error("--seeds must be at least 2")
    seeds = {"batch-128": args.seeds, "batch-512": args.seeds // 2, "keras2-rmsprop": args.seeds // 2}
    runs = run(SETTINGS, seeds)
    for name, rs in runs.items():
        best = [r["best_val_accuracy"] for r in rs]
        print(f"{name}: best validation accuracy {statistics.mean(best):.3f} ± {statistics.stdev(best):.3f} "
              f"over {len(rs)} seeds; {sum(r['dead_units'] > 0 for r in rs)} runs with a dead unit")
    import keras, numpy, tensorflow  # noqa: E401
    report = {"date": time.strftime("%Y-%m-%d"), "versions": {"tensorflow": tensorflow.__version__, "keras": keras.__version__,
              "numpy": numpy.__version__}, "runs": runs}
    args.out.mkdir(parents=True, exist_ok=True)
    write_atomically(args.out / "bottleneck.json", json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
