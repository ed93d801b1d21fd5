"""Prediction throughput and memory of a trained model, at the batch sizes a server meets: 1, 32 and 1,024 wires.

    reuters-nb train --out runs/latest                  # a model to measure, if there is none yet
    python benchmarks/bench_predict.py                  # runs/latest, 5 timed runs per measure
    python benchmarks/bench_predict.py runs/x --repeats 7 --out benchmarks/results

Four ways of turning the 2,246 test wires into topics, each at each batch size, each in a fresh process:

- **end to end**, from raw text: `reuters_nb.pipeline.predict_texts`, the saved model's own `WireVectorizer`
  layer in TensorFlow (lower-casing, splitting, looking the words up, writing the rows) and its classifier, then
  the top 3 topics; what `reuters-nb predict` does after start-up;
- **SavedModel**: the run exported with `export_model` and loaded with `tf.saved_model.load` in a process that never
  imports `reuters_nb`, its `serving_default` signature called with one batch of strings at a time, as TensorFlow
  Serving calls it;
- **through NumPy**, for comparison: `encode_text` (Python's `re`, a dict look-up per word) and
  `vectorize_sequences`, then the model's classifier, then the top 3 topics: the path the package took before its
  models carried their text processing;
- **from index sequences**: `WireVectorizer.from_sequences` and the classifier, as `evaluate_model` does.

Batch 1 is the latency one request sees; it is timed on the first 256 wires (2,246 calls of a few milliseconds each
would take minutes), batch 32 on 1,024 wires, batch 1,024 on all of them. Memory is the growth of the process's
resident memory while predicting, the warm-up included (its peak, reset once the model and the wires are loaded,
less what it held then).
Loading TensorFlow and the model (a few seconds, once per command) is not included. A few test wires made only of
rare words decode to no word at all; they are left out of the text paths.

Writes `predict.json` and `predict.md` into --out when --out is given (temporary file, then rename).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from reuters_nb.helpers import write_atomically

PATHS = {  # key: label
    "end_to_end": "End to end from raw text (`predict_texts`)",
    "saved_model": "SavedModel `serving_default`, raw text",
    "numpy": "Raw text through NumPy (`encode_text`)",
    "indices": "From index sequences (`from_sequences`)",
}
BATCHES = (1, 32, 1_024)
WIRES = {1: 256, 32: 1_024, 1_024: None}  # wires timed at each batch size (None: all)
GOAL = 2.0  # end to end, batch 1,024: at least this many times the NumPy path


def _rss_mb() -> float:
    with open("/proc/self/statm") as f: return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1e3  # kB


def _reset_peak():
    "Start the peak resident memory (VmHWM) again from the current one (Linux 4.0+)"
    with open("/proc/self/clear_refs", "w") as f: f.write("5")


def _texts_and_sequences(num_words: int):
    "The test wires as text (those with a word) and as index sequences; `reuters_nb` imported only here"
    from reuters_nb.data import decode_wire, load_data
    from reuters_nb.vectorize import tokenize
    (_, _), (test_data, _) = load_data(num_words=num_words)
    return [t for t in map(decode_wire, test_data) if tokenize(t)], list(test_data)


def worker(path: str, batch: int, model_path: str, saved: str, repeats: int) -> dict:
    "Time one way at one batch size, in this process: wires/s of the median run, and the memory it grew by"
    if path == "saved_model":  # TensorFlow alone, as a server has it: the texts come from a file the driver wrote
        import tensorflow as tf
        texts = json.loads(Path(saved, "texts.json").read_text(encoding="utf-8"))
        serve = tf.saved_model.load(str(Path(saved, "1"))).signatures["serving_default"]
        items = texts[:WIRES[batch]]

        def run(part): return serve(text=tf.constant(part))["probabilities"].numpy()
        assert "reuters_nb" not in sys.modules
    else:
        from reuters_nb.analysis import top_topics
        from reuters_nb.model import text_model_parts
        from reuters_nb.pipeline import load_trained_model, predict_texts
        from reuters_nb.vectorize import encode_text
        model = load_trained_model(model_path)
        vectorizer, classifier = text_model_parts(model)
        texts, sequences = _texts_and_sequences(vectorizer.num_words)
        items = (sequences if path == "indices" else texts)[:WIRES[batch]]
        if path == "end_to_end":
            def run(part): return predict_texts(model, part, k=3, batch_size=batch)
        elif path == "numpy":
            def run(part):
                rows = vectorizer.from_sequences([encode_text(t, vectorizer.num_words) for t in part])
                return top_topics(classifier.predict(rows, batch_size=batch, verbose=0), 3)
        else:
            def run(part): return classifier.predict(vectorizer.from_sequences(part), batch_size=batch, verbose=0)

    def one_pass():  # every wire once, `batch` at a time, as a server would get them
        for i in range(0, len(items), batch): run(items[i:i + batch])

    before = _rss_mb()  # the model and the wires are loaded; what predicting adds is counted from here
    _reset_peak()
    run(items[:batch])  # warm-up, untimed: builds the functions TensorFlow traces on first use
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        one_pass()
        times.append(time.perf_counter() - t)
    return {"wires": len(items), "wps": len(items) / statistics.median(times),
            "wps_runs": [len(items) / t for t in times], "memory_mb": max(0.0, _peak_mb() - before),
            "peak_rss_mb": _peak_mb()}


def run_worker(path: str, batch: int, model_path: Path, saved: Path, repeats: int) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    proc = subprocess.run([sys.executable, __file__, "--worker", path, "--batch", str(batch), "--repeats", str(repeats),
                           "--saved", str(saved), str(model_path)], capture_output=True, text=True, env=env)
    if proc.returncode != 0: raise SystemExit(f"bench_predict: the {path} worker (batch {batch}) failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def to_markdown(report: dict) -> str:
    lines = ["| Path | " + " | ".join(f"batch {b:,}" for b in BATCHES) + " |", "|:---|" + "---:|" * len(BATCHES)]
    for key, label in PATHS.items():
        cells = [report["results"][key][str(b)] for b in BATCHES]
        lines.append(f"| {label} | " + " | ".join(f"{c['wps']:,.0f} wires/s, +{c['memory_mb']:,.0f} MB" for c in cells) + " |")
    r = report["end_to_end_over_numpy"]
    lines += ["", f"Median of {report['repeats']} timed runs after a warm-up, each way and batch size in a fresh process, "
              f"{report['date']}, {report['cores']} cores; memory is what the process grew by while predicting. "
              f"End to end over the NumPy path at batch 1,024: {r:.2f}× (goal {GOAL:.0f}×)."]
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("model", nargs="?", default="runs/latest", help="a run folder or its model.keras (default: runs/latest)")
    p.add_argument("--repeats", type=int, default=5, help="timed runs per measure (default: 5)")
    p.add_argument("--out", type=Path, help="folder to write predict.json and predict.md into")
    p.add_argument("--worker", choices=sorted(PATHS), help=argparse.SUPPRESS)
    p.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    p.add_argument("--saved", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.repeats < 1: p.error("--repeats must be at least 1")
    if args.worker:
        print(json.dumps(worker(args.worker, args.batch, args.model, args.saved, args.repeats)))
        return 0
    model_path = Path(args.model)
    if not (model_path / "model.keras").is_file() and not model_path.is_file():
        p.error(f"no model at {args.model}: train one first with `reuters-nb train --out {args.model}`")

    from reuters_nb.model import text_model_parts
    from reuters_nb.pipeline import export_model, load_trained_model
    with tempfile.TemporaryDirectory(prefix="bench-predict-") as saved:
        model = load_trained_model(model_path)
        export_model(model, saved)  # version 1 in `saved`
        texts, _ = _texts_and_sequences(text_model_parts(model)[0].num_words)
        Path(saved, "texts.json").write_text(json.dumps(texts), encoding="utf-8")
        del model
        results = {key: {} for key in PATHS}
        for b in BATCHES:
            for key in PATHS:
                r = run_worker(key, b, model_path, Path(saved), args.repeats)
                results[key][str(b)] = r
                print(f"batch {b:>5,}  {PATHS[key]:<45} {r['wps']:>9,.0f} wires/s  +{r['memory_mb']:>5,.0f} MB "
                      f"({r['wires']:,} wires)", flush=True)
    ratio = results["end_to_end"]["1024"]["wps"] / results["numpy"]["1024"]["wps"]
    report = {"date": time.strftime("%Y-%m-%d"), "repeats": args.repeats, "cores": os.cpu_count(),
              "results": results, "end_to_end_over_numpy": ratio}
    print()
    print(to_markdown(report))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        write_atomically(args.out / "predict.json", json.dumps(report, indent=2) + "\n")
        write_atomically(args.out / "predict.md", to_markdown(report))
    return 0 if ratio >= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
