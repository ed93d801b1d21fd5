"""Prediction throughput of a saved model, in wires per second, once the model is loaded.

    reuters-nb train --out runs/latest                      # a model to measure, if there is none yet
    python benchmarks/bench_predict.py                      # runs/latest/model.keras, 7 runs
    python benchmarks/bench_predict.py runs/x/model.keras --repeats 11

Measured on the 2,246 test wires, median of the runs after one warm-up run:

- from raw index sequences (the target, at least 5,000 wires/s): `model_inputs` (uint8 multi-hot for the chapter's
  model, log-counts for `--model tfidf-svm`), then the batched `analysis.predict`, as `reuters_nb.cli.predict_texts`
  does once the text is encoded;
- from raw text, for reference: `predict_texts` on the same wires decoded back to words (tokenizing, looking
  the words up, vectorizing, predicting, naming the top 3 topics), the whole of `reuters-nb predict` after start-up
  (the few test wires made only of rare words decode to no word at all and are left out).

Loading TensorFlow and the model (a few seconds, once per command) is not included.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

TARGET = 5_000  # wires per second, from raw index sequences


def median_rate(fn, n: int, repeats: int) -> tuple[float, list[float]]:
    "Median wires/s of `fn()` over `repeats` timed runs, after one untimed warm-up run"
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return n / statistics.median(times), [n / t for t in times]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", default="runs/latest/model.keras", help="a .keras model (default: runs/latest/model.keras)")
    p.add_argument("--repeats", type=int, default=7, help="timed runs (default: 7)")
    args = p.parse_args(argv)
    if args.repeats < 1: p.error("--repeats must be at least 1")
    if not Path(args.model).is_file():
        p.error(f"no model at {args.model}: train one first with `reuters-nb train --out {Path(args.model).parent}`")

    from reuters_nb.cli import load_trained_model, model_inputs, predict_texts
    from reuters_nb.data import decode_wire, load_data
    from reuters_nb.analysis import predict
    from reuters_nb.vectorize import tokenize

    model = load_trained_model(args.model)
    (_, _), (test_data, _) = load_data(num_words=model.input_shape[-1])
    texts = [t for t in map(decode_wire, test_data) if tokenize(t)]  # a wire of only rare words decodes to '? ? ?'
    n = len(test_data)

    from_indices, runs = median_rate(lambda: predict(model, model_inputs(model, test_data)), n, args.repeats)
    from_text, _ = median_rate(lambda: predict_texts(model, texts, k=3), len(texts), args.repeats)
    print(f"{args.model}: {n:,} test wires, median of {args.repeats} runs, {os.cpu_count()} cores")
    print(f"  from index sequences (vectorize + predict): {from_indices:>9,.0f} wires/s "
          f"(runs {min(runs):,.0f} to {max(runs):,.0f}; target {TARGET:,}: {'met' if from_indices >= TARGET else 'MISSED'})")
    print(f"  from raw text (predict_texts, top 3):       {from_text:>9,.0f} wires/s ({len(texts):,} wires with words)")
    return 0 if from_indices >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
