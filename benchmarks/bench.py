"""Benchmark reuters_nb against the chapter's own code, on the real data, on this machine, in one run.

    python benchmarks/bench.py                 # 3 alternating runs of each approach (about 4 minutes on 2 cores)
    python benchmarks/bench.py --repeats 5 --out benchmarks/results

Each run is a fresh Python process (`--worker chapter` or `--worker ours`), so start-up, first-touch memory
and peak resident memory are measured as a user would meet them. The approaches alternate
(chapter, ours, chapter, ours, ...) so that a slow phase of the machine hits both. Reported: medians over
the runs, and the ratio chapter / ours (above 1: ours is faster or lighter).

"chapter" is the book's code: a Python loop writing the multi-hot matrix into float64, one-hot labels by
loop into float64, the same Dense(64)-Dense(64)-Dense(46) model fed those float64 arrays, a 20-epoch
validation run, a 9-epoch retrain and a test evaluation. "ours" is the same protocol through the package:
`load_data`, `vectorize_sequences` (no Python loop, stored as uint8: Keras casts each batch of 512 rows to
float32 as it trains, so the values the model sees are the same), `to_one_hot`, `split_validation`, `fit_model`
(the 9-epoch retrain skips the validation pass that the chapter's code computes and never uses).

Each worker also times its phases: start-up (Python and the imports), loading, vectorizing (both splits and
the labels), the 20-epoch validation fit, the 9-epoch final fit, the test evaluation and one prediction pass over
the test wires. A regression then shows where it is.

Before it writes, the benchmark compares itself with the last saved result (`latest.json` in --out, or
--against FILE): a measure "moved" when its median changed by more than the run-to-run spread (the larger of
the two results' ranges over their alternating runs), and the report says in which direction. When the
chapter's side moved too, the machine did.

Writes `latest.json` and `latest.md` into --out (atomically: temporary file, then rename).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from reuters_nb.helpers import write_atomically

HERE = Path(__file__).resolve().parent
METRICS = [  # key, label, unit, better ("lower"/"higher")
    ("vectorize_s", "Vectorize the training set", "s", "lower"),
    ("vectorize_mb", "Memory to vectorize the training set", "MB", "lower"),
    ("run_s", "Whole chapter run (load → vectorize → 20 + 9 epochs → test)", "s", "lower"),
    ("process_s", "Whole process, including Python and TensorFlow start-up", "s", "lower"),
    ("peak_rss_mb", "Peak resident memory of the process", "MB", "lower"),
    ("epoch_s", "Training time per epoch (median of the 20)", "s", "lower"),
    ("predict_wps", "Prediction from raw index sequences", "wires/s", "higher"),
    ("test_accuracy", "Test accuracy after 9 epochs", "", "higher"),
]
PHASES = [  # key, label: the parts of one worker's process, in order (seconds)
    ("startup", "Start-up: Python and the imports (NumPy, Keras, TensorFlow)"),
    ("load", "Load the data (`load_data`)"),
    ("vectorize", "Vectorize both splits and one-hot the labels"),
    ("validation_fit", "Validation fit: 20 epochs, validation every epoch"),
    ("final_fit", "Final fit: 9 epochs afresh"),
    ("evaluate", "Test evaluation"),
    ("predict", "Predict the 2,246 test wires from index sequences"),
]
ACCURACY = (0.76, 0.81)  # the chapter's 9-epoch test accuracy lies here on every run seen; outside it, something is wrong


# --------------------------------------------------------------------------- the two workers

def _epoch_timer(keras):
    class EpochTimer(keras.callbacks.Callback):
        def on_train_begin(self, logs=None): self.times = []
        def on_epoch_begin(self, epoch, logs=None): self._t = time.perf_counter()
        def on_epoch_end(self, epoch, logs=None): self.times.append(time.perf_counter() - self._t)
    return EpochTimer()


def _measure_memory(fn, *args):
    "Peak bytes NumPy allocated while running fn(*args) (tracemalloc sees NumPy's buffers)"
    import tracemalloc
    tracemalloc.start()
    out = fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del out
    return peak


def _throughput(predict_raw, seqs, repeats=5):
    "Wires per second, and the median seconds of one pass over `seqs`"
    predict_raw(seqs[:64])  # warm-up: builds the predict function
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        predict_raw(seqs)
        times.append(time.perf_counter() - t)
    return len(seqs) / statistics.median(times), statistics.median(times)


class _Clock:
    "Seconds of each phase, in order: `clock.lap('load')` ends the phase that started at the previous lap"
    def __init__(self): self.phases, self._t = {}, time.perf_counter()
    def lap(self, name):
        now = time.perf_counter()
        self.phases[name], self._t = now - self._t, now


def _started() -> float:
    "Seconds from the driver starting this process to now: Python's start-up and the imports done so far"
    return time.time() - float(os.environ.get("BENCH_SPAWNED", time.time()))


def worker_chapter():
    "The chapter's code, as printed in the book (Keras 3 spellings where the old ones are gone)"
    import numpy as np
    import keras
    from reuters_nb.data import load_data  # element for element what keras.datasets.reuters.load_data returns
    startup = _started()
    clock = _Clock()
    t_start = time.perf_counter()
    (train_data, train_labels), (test_data, test_labels) = load_data(num_words=10000)
    clock.lap("load")

    def vectorize_sequences(sequences, dimension=10000):
        results = np.zeros((len(sequences), dimension))
        for i, sequence in enumerate(sequences):
            results[i, sequence] = 1.
        return results

    def to_one_hot(labels, dimension=46):
        results = np.zeros((len(labels), dimension))
        for i, label in enumerate(labels):
            results[i, label] = 1.
        return results

    t = time.perf_counter()
    x_train = vectorize_sequences(train_data)
    vectorize_s = time.perf_counter() - t
    x_test = vectorize_sequences(test_data)
    one_hot_train_labels, one_hot_test_labels = to_one_hot(train_labels), to_one_hot(test_labels)
    clock.lap("vectorize")

    def make_model():
        model = keras.Sequential([keras.Input(shape=(10000,)),
                                  keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(64, activation="relu"),
                                  keras.layers.Dense(46, activation="softmax")])
        model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])
        return model

    x_val, partial_x_train = x_train[:1000], x_train[1000:]
    y_val, partial_y_train = one_hot_train_labels[:1000], one_hot_train_labels[1000:]
    keras.utils.set_random_seed(0)
    timer = _epoch_timer(keras)
    make_model().fit(partial_x_train, partial_y_train, epochs=20, batch_size=512,
                     validation_data=(x_val, y_val), verbose=0, callbacks=[timer])
    clock.lap("validation_fit")
    keras.utils.set_random_seed(0)
    model = make_model()
    model.fit(partial_x_train, partial_y_train, epochs=9, batch_size=512, validation_data=(x_val, y_val), verbose=0)
    clock.lap("final_fit")
    test_loss, test_accuracy = model.evaluate(x_test, one_hot_test_labels, verbose=0)
    clock.lap("evaluate")
    run_s = time.perf_counter() - t_start
    predict_wps, predict_s = _throughput(lambda s: model.predict(vectorize_sequences(s), verbose=0), test_data)
    return dict(vectorize_s=vectorize_s, vectorize_mb=_measure_memory(vectorize_sequences, train_data) / 1e6,
                run_s=run_s, epoch_s=statistics.median(timer.times), predict_wps=predict_wps,
                test_accuracy=float(test_accuracy), phases=dict(startup=startup, **clock.phases, predict=predict_s))


def worker_ours():
    "The same protocol through reuters_nb"
    from functools import partial
    import keras
    import numpy as np
    from reuters_nb.analysis import predict
    from reuters_nb.data import load_data
    from reuters_nb.train import fit_model, split_validation
    from reuters_nb.vectorize import to_one_hot, vectorize_sequences
    startup = _started()
    clock = _Clock()
    t_start = time.perf_counter()
    (train_data, train_labels), (test_data, test_labels) = load_data(num_words=10_000)
    clock.lap("load")
    multi_hot = partial(vectorize_sequences, dtype=np.uint8)  # 1 byte a cell; Keras casts each batch to float32
    t = time.perf_counter()
    x_train = multi_hot(train_data)
    vectorize_s = time.perf_counter() - t
    x_test = multi_hot(test_data)
    y_train, y_test = to_one_hot(train_labels), to_one_hot(test_labels)
    clock.lap("vectorize")
    (x_part, y_part), validation = split_validation(x_train, y_train)
    timer = _epoch_timer(keras)
    fit_model(x_part, y_part, epochs=20, validation_data=validation, verbose=0, callbacks=[timer])
    clock.lap("validation_fit")
    model, _ = fit_model(x_part, y_part, epochs=9, verbose=0)
    clock.lap("final_fit")
    test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
    clock.lap("evaluate")
    run_s = time.perf_counter() - t_start
    predict_wps, predict_s = _throughput(lambda s: predict(model, multi_hot(s)), test_data)
    return dict(vectorize_s=vectorize_s, vectorize_mb=_measure_memory(multi_hot, train_data) / 1e6,
                run_s=run_s, epoch_s=statistics.median(timer.times), predict_wps=predict_wps,
                test_accuracy=float(test_accuracy), phases=dict(startup=startup, **clock.phases, predict=predict_s))


WORKERS = {"chapter": worker_chapter, "ours": worker_ours}


# --------------------------------------------------------------------------- the driver

def run_worker(name: str) -> dict:
    "Run one worker in a fresh process; return its measurements"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "BENCH_SPAWNED": repr(time.time())}
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, __file__, "--worker", name], capture_output=True, text=True, env=env)
    process_s = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"bench: the {name} worker failed:\n{proc.stderr[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {**result, "process_s": process_s}


def machine_info() -> dict:
    import keras, numpy, tensorflow  # noqa: E401
    import reuters_nb
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(), "memory_gib": round(mem, 1),
            "os": platform.platform(), "python": platform.python_version(), "numpy": numpy.__version__,
            "tensorflow": tensorflow.__version__, "keras": keras.__version__, "reuters_nb": reuters_nb.__version__}


def _row(label, unit, better, chapter_runs, ours_runs) -> dict:
    "Medians of both sides, their ratio (above 1: ours faster or lighter), and the ratio of each alternation"
    med = {"chapter": statistics.median(chapter_runs), "ours": statistics.median(ours_runs)}
    ratio_of = (lambda c, o: c / o) if better == "lower" else (lambda c, o: o / c)
    return {"label": label, "unit": unit, "better": better, **med,
            "ratio": None if unit == "" else ratio_of(med["chapter"], med["ours"]),
            "chapter_runs": chapter_runs, "ours_runs": ours_runs,
            "ratio_runs": None if unit == "" else [ratio_of(c, o) for c, o in zip(chapter_runs, ours_runs)]}


def summarize(runs: dict) -> tuple[dict, dict]:
    "The measures and the phases, each a row of `_row`"
    results = {key: _row(label, unit, better, [r[key] for r in runs["chapter"]], [r[key] for r in runs["ours"]])
               for key, label, unit, better in METRICS}
    phases = {key: _row(label, "s", "lower", [r["phases"][key] for r in runs["chapter"]],
                        [r["phases"][key] for r in runs["ours"]]) for key, label in PHASES}
    return results, phases


def _fmt(v, unit):
    if unit == "": return f"{v:.3f}"
    if unit == "wires/s": return f"{v:,.0f} {unit}"
    if unit == "MB": return f"{v:,.0f} {unit}"
    if unit == "×": return f"{v:.2f}×"
    return f"{v:.2f} {unit}" if v >= 0.1 else f"{v * 1000:.1f} ms"


def compare(new: dict, old: dict) -> list[dict]:
    """Each measure, phase and ratio of `new` whose median moved by more than the run-to-run spread since `old`.

    The spread of a measure is the larger of its two ranges (max - min over the alternating runs of each result):
    a move within what the runs of one result already span is not told apart from noise."""
    moved = []
    for section in ("results", "phases"):
        for key, row in new.get(section, {}).items():
            before = old.get(section, {}).get(key)
            if not before: continue  # a measure the old result did not have
            sides = [("chapter", "chapter's code"), ("ours", "reuters_nb")]
            if row["ratio_runs"]: sides.append(("ratio", "ratio"))
            for side, who in sides:
                if side == "ratio":
                    old_runs = before.get("ratio_runs") or [(c / o if row["better"] == "lower" else o / c)
                                                            for c, o in zip(before["chapter_runs"], before["ours_runs"])]
                    new_runs, unit, better = row["ratio_runs"], "×", "higher"
                else:
                    old_runs, new_runs, unit, better = before[f"{side}_runs"], row[f"{side}_runs"], row["unit"], row["better"]
                a, b = statistics.median(old_runs), statistics.median(new_runs)
                spread = max(max(old_runs) - min(old_runs), max(new_runs) - min(new_runs))
                if abs(b - a) <= spread: continue
                good = (b < a) == (better == "lower")
                word = {"s": ("faster", "slower"), "MB": ("lighter", "heavier"), "wires/s": ("faster", "slower"),
                        "×": ("better", "worse"), "": ("higher", "lower")}[unit][0 if good else 1]
                moved.append({"section": section, "key": key, "side": side, "label": row["label"], "who": who,
                              "before": a, "after": b, "spread": spread, "unit": unit, "direction": word, "better": good})
    return moved


def comparison_text(report: dict) -> list[str]:
    "The comparison with the previous saved result, as Markdown lines"
    prev = report.get("previous")
    if not prev: return ["No earlier saved result to compare with."]
    lines = [f"Compared with the saved result of {prev['date']} ({prev['repeats']} runs each): a measure moved when its "
             "median changed by more than the run-to-run spread (the larger range of the two results' runs)."]
    changed = [f"{k} {prev['machine'].get(k)} → {v}" for k, v in report["machine"].items() if prev["machine"].get(k) != v]
    if changed: lines.append(f"The machine or the versions differ: {'; '.join(changed)}.")
    moved = report["moved"]
    if not moved: return lines + ["", "Nothing moved by more than the spread."]
    lines += ["", "| Measure | Side | Before | Now | Spread | Moved |", "|:---|:---|---:|---:|---:|:---|"]
    for m in moved:
        lines.append(f"| {m['label']} | {m['who']} | {_fmt(m['before'], m['unit'])} | {_fmt(m['after'], m['unit'])} | "
                     f"{_fmt(m['spread'], m['unit'])} | {m['direction']} |")
    both = {(m["section"], m["key"]) for m in moved if m["side"] == "chapter"} & \
           {(m["section"], m["key"]) for m in moved if m["side"] == "ours"}
    if both: lines += ["", "Where the chapter's code moved too, the machine (or the libraries) moved: the ratio says "
                           "whether the package moved more."]
    return lines


def to_markdown(report: dict) -> str:
    m = report["machine"]
    lines = ["| Measure | Chapter's code | reuters_nb | Ratio |", "|:---|---:|---:|---:|"]
    for key, row in report["results"].items():
        ratio = "" if row["ratio"] is None else f"{row['ratio']:.1f}×"
        lines.append(f"| {row['label']} | {_fmt(row['chapter'], row['unit'])} | {_fmt(row['ours'], row['unit'])} | {ratio} |")
    lines += ["", f"Medians of {report['repeats']} alternating runs of each, {report['date']}, on {m['cores']} cores "
              f"({m['cpu']}), {m['memory_gib']} GiB; Python {m['python']}, NumPy {m['numpy']}, TensorFlow {m['tensorflow']}, "
              f"Keras {m['keras']}, reuters_nb {m['reuters_nb']}. Ratio = chapter / ours (for throughput: ours / chapter); "
              "above 1, ours is faster or lighter.", "", "## Phases", "",
              "| Phase | Chapter's code | reuters_nb | Ratio |", "|:---|---:|---:|---:|"]
    for key, row in report["phases"].items():
        lines.append(f"| {row['label']} | {_fmt(row['chapter'], 's')} | {_fmt(row['ours'], 's')} | {row['ratio']:.1f}× |")
    lines += ["", "Start-up runs from the driver starting the process to the end of the worker's imports; the whole "
              "run covers load to test evaluation; prediction is timed after it.", "",
              "## Compared with the previous result", "", *comparison_text(report)]
    return "\n".join(lines) + "\n"


def _read_previous(path: Path) -> dict | None:
    "The saved result at `path`, without its own previous one; None if there is none"
    if not path.is_file(): return None
    old = json.loads(path.read_text(encoding="utf-8"))
    old.pop("previous", None), old.pop("moved", None)
    return old


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=3, help="runs of each approach (default 3)")
    p.add_argument("--out", type=Path, default=HERE / "results", help="folder for latest.json and latest.md")
    p.add_argument("--against", type=Path, help="a saved latest.json to compare with (default: the one in --out)")
    p.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        result = WORKERS[args.worker]()
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        print(json.dumps(result))
        return
    if args.repeats < 1: p.error("--repeats must be at least 1")
    against = args.against or args.out / "latest.json"
    if args.against and not against.is_file(): p.error(f"--against: no saved result at {against}")
    previous = _read_previous(against)  # read before anything is written
    args.out.mkdir(parents=True, exist_ok=True)
    runs = {"chapter": [], "ours": []}
    for i in range(args.repeats):
        for name in ("chapter", "ours") if i % 2 == 0 else ("ours", "chapter"):
            print(f"run {i + 1}/{args.repeats}: {name} ...", end=" ", flush=True)
            r = run_worker(name)
            runs[name].append(r)
            print(f"{r['run_s']:.1f} s, peak {r['peak_rss_mb']:,.0f} MB, test accuracy {r['test_accuracy']:.3f}", flush=True)
    results, phases = summarize(runs)
    report = {"date": time.strftime("%Y-%m-%d"), "repeats": args.repeats, "machine": machine_info(),
              "results": results, "phases": phases}
    report["previous"] = previous
    report["moved"] = compare(report, previous) if previous else []
    write_atomically(args.out / "latest.json", json.dumps(report, indent=2) + "\n")
    write_atomically(args.out / "latest.md", to_markdown(report))
    print()
    print(to_markdown(report))
    low, high = ACCURACY
    off = [a for rs in runs.values() for a in (r["test_accuracy"] for r in rs) if not low <= a <= high]
    if off: raise SystemExit(f"bench: test accuracy {off} outside {low}..{high}: the two sides do not train the chapter's model.")


if __name__ == "__main__":
    main()
