"""Prediction throughput of a saved model, in wires per second, once the model is loaded.

    reuters-nb train --out runs/latest                      # a model to measure, if there is none yet
    python benchmarks/bench_predict.py                      # runs/latest/model.keras, 7 runs
    python benchmarks/bench_predict.py runs/x/model.keras --repeats 11

Measured on the 2,246 test wires, median of the runs after one warm-up run, three ways:

- end to end, from raw text (the target, at least 6,665 wires/s, the NumPy path's rate before the model carried its
  text processing): `reuters_nb.pipeline.predict_texts`, the saved model's own `WireVectorizer` layer in TensorFlow
  (lower-casing, splitting, looking the words up, writing the rows) and its classifier, then the top 3 topics; what
  `reuters-nb predict` does after start-up;
- from raw text through NumPy, for comparison: `encode_text` (Python's `re`, a dict look-up per word) and
  `vectorize_sequences`, then the model's classifier, then the top 3 topics: the path the package took before;
- from index sequences: `WireVectorizer.from_sequences` (uint8 multi-hot, or log-counts) and the classifier, as
  `evaluate_model` does.

The few test wires made only of rare words decode to no word at all and are left out of the text paths.
Loading TensorFlow and the model (a few seconds, once per command) is not included.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

TARGET = 6_665  # wires per second, end to end from raw text


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

    from reuters_nb.analysis import top_topics
    from reuters_nb.data import decode_wire, load_data
    from reuters_nb.model import text_model_parts
    from reuters_nb.pipeline import load_trained_model, predict_texts
    from reuters_nb.vectorize import encode_text, tokenize

    model = load_trained_model(args.model)
    vectorizer, classifier = text_model_parts(model)
    (_, _), (test_data, _) = load_data(num_words=vectorizer.num_words)
    texts = [t for t in map(decode_wire, test_data) if tokenize(t)]  # a wire of only rare words decodes to '? ? ?'
    n = len(test_data)

    def numpy_path():
        rows = vectorizer.from_sequences([encode_text(t, vectorizer.num_words) for t in texts])
        return top_topics(classifier.predict(rows, batch_size=1_024, verbose=0), 3)

    end_to_end, runs = median_rate(lambda: predict_texts(model, texts, k=3), len(texts), args.repeats)
    by_numpy, _ = median_rate(numpy_path, len(texts), args.repeats)
    from_indices, _ = median_rate(lambda: classifier.predict(vectorizer.from_sequences(test_data), batch_size=1_024, verbose=0),
                                  n, args.repeats)
    print(f"{args.model}: {n:,} test wires ({len(texts):,} with words), median of {args.repeats} runs, {os.cpu_count()} cores")
    print(f"  end to end from raw text (predict_texts, top 3):  {end_to_end:>9,.0f} wires/s "
          f"(runs {min(runs):,.0f} to {max(runs):,.0f}; target {TARGET:,}: {'met' if end_to_end >= TARGET else 'MISSED'})")
    print(f"  raw text through NumPy (encode_text, top 3):      {by_numpy:>9,.0f} wires/s "
          f"(end to end is {end_to_end / by_numpy:.2f}x that)")
    print(f"  from index sequences (from_sequences + predict):  {from_indices:>9,.0f} wires/s")
    return 0 if end_to_end >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
