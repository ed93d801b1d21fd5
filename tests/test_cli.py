"""The `reuters-nb` command run as a user runs it, in a subprocess: exit codes, what it prints, what it writes.

Refusals (a bad model file, an empty text, an --out that cannot be written) and the contents of the results (predict's
and evaluate's JSON and tables, the short options, the TF-IDF model's answers) are checked through `main(argv)` in the
test's own process (`call`): the same code from the parsed arguments to the exit code and what is printed, without paying
8 s for a new Python and TensorFlow each time. What only a real process shows (TensorFlow's start-up notes held back,
signals, pipes, bytes that are not UTF-8, the console script, `-f -`) and a refusal of each command stay in subprocesses (`run`).

One small model (one epoch) is trained once per test session and shared; its accuracy is not the point here
(nbs/03_train.ipynb checks the chapter's accuracy). Timings are measured by benchmarks/bench_predict.py, not here."""
import io
import json
import os
import re
import shutil
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path
from unittest.mock import patch

import pytest

CLI = [sys.executable, "-m", "reuters_nb.cli"]
RUN_FILES = ["accuracy.png", "loss.png", "metrics.json", "model.keras"]
WRITTEN = sorted(RUN_FILES + ["manifest.json"])  # what a run folder holds: its files and their manifest
COCOA = ("Cocoa prices fell in London as Ivory Coast and Ghana reported larger than expected mid-crop cocoa "
         "bean arrivals, dealers said.")
EARN = "The company said first quarter net profit rose to 12.5 mln dlrs, or 45 cts per share, from 9.8 mln dlrs."


def run(*args, stdin=None, env=None, cwd=None, unset=()):
    "Run `python -m reuters_nb.cli ARGS`; standard input is `stdin`, or empty; `env` added to the environment, `unset` removed"
    environment = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in unset}
    return subprocess.run([*CLI, *map(str, args)], input=stdin or "", capture_output=True, text=True,
                          env=environment, cwd=cwd, timeout=600)


def call(*args, stdin=""):
    "`reuters_nb.cli.main(ARGS)` in this process, with `stdin` as standard input; returns what `run` returns"
    from reuters_nb.cli import main
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), patch("sys.stdin", io.TextIOWrapper(io.BytesIO(stdin.encode()))):
        code = main([str(a) for a in args])
    return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())


STATUS = "reuters-nb: training the "  # the line `train` writes on stderr before it starts


def keras_scores(model_file):
    "Test loss and accuracy of a saved run by Keras's own loss and metric, on its classifier's probabilities: the oracle"
    import keras
    from reuters_nb.data import load_data
    from reuters_nb.vectorize import to_one_hot
    model = keras.models.load_model(model_file, compile=False)
    vectorizer, classifier = model.layers[-2:]  # what `end_to_end` builds: the text layer, then the classifier
    _, (test_data, test_labels) = load_data(num_words=vectorizer.num_words)
    probs = classifier.predict(vectorizer.from_sequences(test_data), batch_size=1_024, verbose=0)
    y = to_one_hot(test_labels)
    loss = float(keras.ops.mean(keras.losses.categorical_crossentropy(y, probs)))
    return loss, float(keras.ops.mean(keras.metrics.categorical_accuracy(y, probs)))


def assert_error(r, code, *fragments):
    "A refused command: exit `code`, exactly one line on stderr, `reuters-nb: error: …`, no traceback (after train's status line)"
    assert r.returncode == code, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    lines = r.stderr.strip().splitlines()
    if lines and lines[0].startswith(STATUS): lines = lines[1:]
    assert len(lines) == 1 and lines[0].startswith("reuters-nb: error: "), r.stderr
    for fragment in fragments: assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def _library_notes(stderr: str) -> list[str]:
    "The lines of TensorFlow's and absl's start-up notes (`I0000 00:00:… port.cc:153] oneDNN…`, `WARNING: All log messages…`)"
    return [line for line in stderr.splitlines() if re.match(r"[IWEF]\d{4} \d\d:\d\d:|WARNING: All log messages|To enable the following", line)]


def all_files(folder: Path):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def _mount_tmpfs(folder: Path, size: str, *options: str) -> bool:
    "Mount a tmpfs of `size` on `folder` (as root, or with sudo -n); False where that is not allowed"
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    r = subprocess.run([*sudo, "mount", "-t", "tmpfs", "-o", ",".join([f"size={size}", *options]), "tmpfs", str(folder)],
                       capture_output=True)
    return r.returncode == 0


def _umount(folder: Path):
    subprocess.run([*([] if os.geteuid() == 0 else ["sudo", "-n"]), "umount", str(folder)], check=True)


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    "A run folder written by `reuters-nb train --epochs 1` (Keras's progress bar and all)"
    out = tmp_path_factory.mktemp("cli") / "run"
    r = run("train", "--epochs", "1", "--out", out)
    assert r.returncode == 0, r.stderr[-4000:]
    return out, r


# ------------------------------------------------------------------ train

def test_train_writes_the_run(trained):
    out, r = trained
    assert all_files(out) == WRITTEN  # no temporary file left behind
    results = r.stdout.splitlines()  # only results on stdout; Keras's progress bar went to stderr
    assert len(results) == 2 and results[0].startswith("Test accuracy") and results[1].endswith(f"to {out}"), r.stdout
    assert results[0].endswith(": 1 epoch (given by --epochs) on 7,982 wires."), results[0]  # one epoch, not "1 epochs"
    status = r.stderr.splitlines()[0]  # said before the data loads and TensorFlow starts
    assert status == f"{STATUS}chapter model into {out}: reading the data and starting TensorFlow…", r.stderr[:500]
    assert "/step" in r.stderr and not _library_notes(r.stderr), r.stderr[-3000:]  # TensorFlow's start-up notes held back
    assert "16/16 - " in r.stderr and "\r" not in r.stderr and "\x1b[" not in r.stderr, r.stderr[-2000:]  # not a terminal: a line per epoch
    m = json.loads((out / "metrics.json").read_text())
    assert (m["epochs"], m["hidden"], m["seed"]) == (1, [64, 64], 0)
    assert 0 < m["test_accuracy"] < 1 and m["test_loss"] > 0
    assert (m["train_wires"], m["validation_wires"], m["test_wires"]) == (7_982, 1_000, 2_246)
    assert set(m["versions"]) == {"python", "numpy", "tensorflow", "keras", "reuters_nb"}
    from reuters_nb.data import SHA256
    assert m["data_sha256"] == SHA256 and "/" not in (out / "metrics.json").read_text()  # the data by content; no machine path
    assert datetime.fromisoformat(m["timestamp"]).tzinfo is not None
    assert len(m["history"]["val_accuracy"]) == 1
    for png in ("loss.png", "accuracy.png"): assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_train_keeps_an_existing_model(trained):
    out, _ = trained
    before = {f: (out / f).read_bytes() for f in RUN_FILES}
    assert_error(run("train", "--epochs", "1", "--out", out), 1, "already holds a run", "pass --force")
    assert {f: (out / f).read_bytes() for f in RUN_FILES} == before


def test_train_force_overwrites(trained, tmp_path):
    shutil.copytree(trained[0], tmp_path / "run")
    (tmp_path / "run" / "notes.txt").write_text("the user's own notes")
    r = run("train", "--epochs", "1", "--hidden", "8", "--out", tmp_path / "run", "--force", "--progress", "none")
    assert r.returncode == 0, r.stderr
    tmp_path = tmp_path / "run"
    assert all_files(tmp_path) == sorted(WRITTEN + ["notes.txt"])  # the run's files replaced, the user's left alone
    assert (tmp_path / "notes.txt").read_text() == "the user's own notes"
    assert json.loads((tmp_path / "metrics.json").read_text())["hidden"] == [8]
    assert (tmp_path / "model.keras").read_bytes()[:2] == b"PK"  # a .keras file is a zip archive



def test_train_the_tfidf_svm(tmp_path):
    "`--model tfidf-svm`: the stronger model of the experiments page, used by predict and evaluate like the chapter's"
    out = tmp_path / "svm"
    r = run("train", "--model", "tfidf-svm", "--epochs", "3", "--out", out, "--progress", "none")
    assert r.returncode == 0, r.stderr[-4000:]
    r_train = r.stdout
    # retrained on all 8,982 wires for the epochs given: no validation run, so no curves to plot
    assert all_files(out) == ["manifest.json", "metrics.json", "model.keras"]
    assert r.stdout.splitlines()[-1] == f"Wrote model.keras, metrics.json and manifest.json to {out}"
    m = json.loads((out / "metrics.json").read_text())
    assert (m["model"], m["loss"], m["num_words"], m["epochs"], m["hidden"], m["batch_size"], m["train_wires"]) == \
           ("tfidf-svm", "squared_hinge", 20_000, 3, [], 64, 8_982)
    assert (m["best_epoch"], m["history"]) == (None, {})
    assert m["test_accuracy"] > 0.78, m["test_accuracy"]  # already level with the chapter's model after 3 epochs
    r = call("predict", out / "model.keras", COCOA, EARN, "--json", "--top-k", "1")  # in this process: the processes are tested on the chapter's model
    assert r.returncode == 0, r.stderr
    answers = json.loads(r.stdout)
    assert [a["topics"][0]["topic"] for a in answers] == ["cocoa", "earn"]
    assert all(0 < a["topics"][0]["probability"] <= 1 for a in answers)
    e = json.loads(call("evaluate", out / "model.keras", "--json").stdout)  # one model, one test loss, whoever reports it
    assert abs(e["test_loss"] - m["test_loss"]) < 1e-4 and abs(e["test_accuracy"] - m["test_accuracy"]) < 1e-6, (e, m)
    loss, accuracy = keras_scores(out / "model.keras")  # and it is the cross-entropy of the probabilities, not the hinge
    assert abs(e["test_loss"] - loss) < 1e-4 and abs(e["test_accuracy"] - accuracy) < 1e-6, (e, loss, accuracy)
    assert f"test loss {m['test_loss']:.3f}" in r_train, r_train
    # its probabilities mean what they say: scores divided by the temperature fitted on the validation wires, then a softmax
    assert 0 < m["temperature"] < 1 and m["test_loss"] < 1.2, m  # not the 2.4 of softmaxed raw scores
    assert min(a["topics"][0]["probability"] for a in answers) > 0.3, answers  # a clear wire's topic, not 7 %
    import keras
    from reuters_nb.data import load_data
    from reuters_nb.tfidf import calibration_error
    vectorizer, classifier = keras.models.load_model(out / "model.keras", compile=False).layers[-2:]
    _, (test_data, test_labels) = load_data(num_words=vectorizer.num_words)
    probs = classifier.predict(vectorizer.from_sequences(test_data), batch_size=1_024, verbose=0)
    assert calibration_error(probs, test_labels) < 0.1, calibration_error(probs, test_labels)  # raw scores softmaxed: about 0.7
    r = call("evaluate", out / "model.keras")
    assert r.returncode == 0 and f"accuracy {m['test_accuracy']:.4f}" in r.stdout.splitlines()[0], (r.stdout, r.stderr)
    # real wires from the collection, as Reuters wrote them (headline, then body), predicted as one file of blank-line-separated wires
    from reuters_nb.data import LABEL_NAMES
    from reuters_nb.wires import load_wires, wire_texts
    chosen = [w for w in load_wires()[1] if w.body and not re.search(r"\n\s*\n", w.body)][:20]  # no blank line inside a wire
    (tmp_path / "real.txt").write_text("\n\n".join(wire_texts(chosen)) + "\n")
    answers = json.loads(call("predict", out, "--file", tmp_path / "real.txt", "--json", "--top-k", "1").stdout)
    assert len(answers) == len(chosen) and answers[0]["text"].startswith(chosen[0].title)
    right = [a["topics"][0]["topic"] == LABEL_NAMES[w.label] for a, w in zip(answers, chosen)]
    assert sum(right) >= 16, (sum(right), [(w.title, LABEL_NAMES[w.label], a["topics"][0]["topic"]) for a, w in zip(answers, chosen)])
    assert_error(run("train", "--model", "svm", "--out", tmp_path / "other"), 2, "argument --model: invalid choice")

@pytest.mark.parametrize("args, fragment", [
    (["--epochs", "-1"], "argument --epochs: must be at least 1, got -1"),
    (["--epochs", "0"], "must be at least 1"),
    (["--epochs", "nine"], "expected a whole number"),
    (["--hidden", "64", "0"], "argument --hidden: must be at least 1"),
    (["--seed", "-2"], "argument --seed"),
    (["--progress", "2"], "argument --progress: invalid choice: '2'"),  # Keras's numbers are not its values
    (["--bogus"], "unrecognized arguments: --bogus"),
])
def test_train_usage_errors(tmp_path, args, fragment):
    assert_error(run("train", *args, cwd=tmp_path), 2, fragment, "--help")
    assert all_files(tmp_path) == []  # nothing written, not even runs/latest


def test_train_unwritable_out(tmp_path):
    (tmp_path / "a_file").write_text("")
    assert_error(call("train", "--out", tmp_path / "a_file" / "run"), 1, "Cannot write to", "is a file")
    assert_error(call("train", "--out", tmp_path / "a_file"), 1, "is a file")
    assert all_files(tmp_path) == ["a_file"]
    locked = tmp_path / "locked"  # a folder no one can write into, as root too: a read-only file system
    locked.mkdir()
    if not _mount_tmpfs(locked, "1m", "ro"):
        if os.geteuid() == 0: pytest.skip("cannot mount a read-only tmpfs here")  # under CI a skip fails (conftest.py)
        locked.chmod(0o555)  # without root, permissions do it
    try:
        assert_error(call("train", "--out", locked / "run"), 1, "Cannot write into", "read-only file system" if os.path.ismount(locked) else "may not write")
        assert all_files(locked) == []
    finally:
        if os.path.ismount(locked): _umount(locked)


def test_data_not_found_gives_the_library_message(tmp_path, monkeypatch):
    nowhere = tmp_path / "no_data_here"
    monkeypatch.setenv("REUTERS_NB_DATA", str(nowhere))
    from reuters_nb.data import find_data_file
    with pytest.raises(FileNotFoundError) as e: find_data_file("reuters.npz")
    for args in (["info"], ["train", "--out", tmp_path / "run"]):
        line = assert_error(call(*args), 1)  # $REUTERS_NB_DATA names `nowhere` in this process too
        assert line == f"reuters-nb: error: {' '.join(str(e.value).split())} On the command line, --data-dir DIR names that folder."
        assert "--data-dir" not in str(e.value)  # the library speaks of data_dir=; the command line adds its option
    assert all_files(tmp_path) == []


# ------------------------------------------------------------------ predict

def test_predict_texts(trained):
    model = trained[0] / "model.keras"
    r = run("predict", model, COCOA, EARN)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    blocks = r.stdout.strip().split("\n\n")
    assert len(blocks) == 2 and blocks[0].startswith("1. Cocoa") and blocks[1].startswith("2. The company")
    assert all(len(b.splitlines()) == 1 + 3 and b.count("%") == 3 for b in blocks), r.stdout


def test_predict_json_from_file_and_stdin(trained, tmp_path):
    model = trained[0] / "model.keras"
    earn_on_two_lines = EARN.replace(" net ", "\nnet ", 1)
    wires = f"{COCOA}\n\n\n{earn_on_two_lines}\n \n\nTin prices rose.\n"
    (tmp_path / "wires.txt").write_text(wires)
    answers = []
    for r in (call("predict", model, "--file", tmp_path / "wires.txt", "--json", "--top-k", "5"),
              call("predict", model, "--json", "--top-k", "5", stdin=wires)):  # no TEXT, no --file: standard input
        assert r.returncode == 0, r.stderr
        answers.append(json.loads(r.stdout))
    assert answers[0] == answers[1]
    assert [a["text"] for a in answers[0]] == [COCOA, EARN, "Tin prices rose."]
    for a in answers[0]:
        probs = [t["probability"] for t in a["topics"]]
        assert len(probs) == 5 and probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1 + 1e-6
        assert a["known_words"] > 0


def test_predict_empty_text(trained, tmp_path):
    model = trained[0] / "model.keras"
    assert_error(run("predict", model, ""), 1, "Text 1 of 1", "empty")  # once as a user meets it, then in this process
    assert_error(call("predict", model, COCOA, "--- ... ---"), 1, "Text 2 of 2", "empty")
    (tmp_path / "blank.txt").write_text("\n \n\n")
    assert_error(call("predict", model, "--file", tmp_path / "blank.txt"), 1, "No text to classify")
    assert_error(call("predict", model, stdin="\n \n"), 1, "No text to classify")
    assert_error(call("predict", model, "--file", tmp_path / "missing.txt"), 1, "Cannot read --file")


def test_predict_text_outside_the_vocabulary(trained):
    r = run("predict", trained[0] / "model.keras", "Zyxwv qwertyuiop blorft.", EARN)
    assert r.returncode == 0 and r.stdout.count("%") == 6, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("reuters-nb: warning: text 1 ") and "class prior" in lines[0], r.stderr


@pytest.mark.parametrize("top_k", ["0", "47", "x"])
def test_predict_bad_top_k(trained, top_k):
    assert_error(run("predict", trained[0] / "model.keras", COCOA, "--top-k", top_k), 2, "argument -k/--top-k")


# ------------------------------------------------------------------ bad models

@pytest.fixture(scope="module")
def bad_models(tmp_path_factory):
    "Model files the command must refuse: Keras models of the wrong shape, a file that is no model"
    import keras
    from reuters_nb.model import build_model, end_to_end
    from reuters_nb.vectorize import make_vectorizer
    folder = tmp_path_factory.mktemp("bad_models")
    build_model().save(folder / "multi_hot_only.keras")
    end_to_end(make_vectorizer(), build_model(num_classes=10)).save(folder / "ten_topics.keras")
    linear = build_model()
    linear.layers[-1].activation = keras.activations.linear
    end_to_end(make_vectorizer(), linear).save(folder / "scores.keras")
    (folder / "broken.keras").write_bytes(b"not a zip file")
    import zipfile
    with zipfile.ZipFile(folder / "other_zip.keras", "w") as z: z.writestr("notes.txt", "a zip, but not a Keras model")
    with zipfile.ZipFile(folder / "odd_zip.keras", "w") as z: z.writestr("config.json", '{"class_name": "Nothing", "config": {}}')
    return folder


@pytest.mark.parametrize("command, name, fragment", [
    ("predict", "missing.keras", "No model at"),
    ("evaluate", "missing.keras", "No model at"),
    ("predict", ".", "holds no run: it has no manifest.json"),
    ("predict", "broken.keras", "is not a .keras file: a .keras file is a zip archive"),
    ("predict", "other_zip.keras", "is not a .keras file: it has no readable config.json"),
    ("predict", "odd_zip.keras", "could not be loaded as a Keras model"),
    ("predict", "scores.keras", "does not output probabilities"),
    ("predict", "multi_hot_only.keras", "is not a model from raw text"),
    ("evaluate", "multi_hot_only.keras", "not a WireVectorizer followed by a classifier"),
    ("evaluate", "ten_topics.keras", "outputs of shape (None, 10)"),
    ("export", "ten_topics.keras", "46 topic probabilities"),
])
def test_bad_model(bad_models, command, name, fragment):
    args = [command, bad_models / name] + ([COCOA] if command == "predict" else ["--out", bad_models / "x"] if command == "export" else [])
    in_a_process = (command, name) in {("evaluate", "ten_topics.keras"), ("export", "ten_topics.keras")}  # after Keras loaded it
    assert_error((run if in_a_process else call)(*args), 1, fragment)
    assert not (bad_models / "x").exists()


# ------------------------------------------------------------------ evaluate, info, help

def test_evaluate(trained):
    out, _ = trained
    r = run("evaluate", out / "model.keras")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    accuracy = json.loads((out / "metrics.json").read_text())["test_accuracy"]
    assert f"accuracy {accuracy:.4f}" in r.stdout.splitlines()[0], r.stdout
    best, worst = r.stdout.split("Best topics by recall:")[1].split("Worst topics by recall:")
    for table in (best, worst):
        rows = table.strip().splitlines()[1:]
        assert len(rows) == 5 and all(row.split()[-1].replace(",", "").isdigit() for row in rows), table
        assert all(row.split()[-2].endswith("%") for row in rows), table


def test_export(trained, tmp_path):
    "`export`: numbered versions in TensorFlow Serving's layout, each written whole, none replaced"
    out, _ = trained
    target = tmp_path / "served"
    r = run("export", out, "--out", target)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.startswith(f"Wrote version 1 of the model to {target / '1'}"), r.stdout
    assert sorted(p.name for p in (target / "1").iterdir()) == ["assets", "fingerprint.pb", "manifest.json", "saved_model.pb", "variables"]
    assert os.listdir(tmp_path) == ["served"] and os.listdir(target) == ["1"]  # no staging folder or journal left
    before = {f: (target / "1" / f).read_bytes() for f in ("saved_model.pb", "manifest.json")}
    r = call("export", out / "model.keras", "--out", target)
    assert r.returncode == 0 and f"Wrote version 2 of the model to {target / '2'}" in r.stdout, (r.stdout, r.stderr)
    assert sorted(os.listdir(target)) == ["1", "2"] and {f: (target / "1" / f).read_bytes() for f in before} == before
    assert_error(call("export", out, "--out", ""), 1, "empty string")
    assert_error(call("export", out, "--out", out), 1, "holds a run", "versions go into a folder of their own")
    assert_error(run("export", out), 2, "--out")


def test_evaluate_on_the_original_wires(trained, tmp_path):
    "`evaluate --original`: the test wires as Reuters wrote them (Reuters-21578); --no-titles: the texts the dataset was made from"
    written = json.loads(call("evaluate", trained[0], "--original", "--json").stdout)
    bodies = json.loads(call("evaluate", trained[0], "--original", "--no-titles", "--json").stdout)
    index = json.loads(call("evaluate", trained[0], "--json").stdout)
    assert (written["text"], bodies["text"], index["text"]) == ("original wires, titles and bodies", "original wires, bodies", "decoded index sequences")
    assert written["test_wires"] == bodies["test_wires"] == 2_246
    assert abs(bodies["test_accuracy"] - index["test_accuracy"]) <= 2 / 2_246  # two wires of the rebuild differ (see Real wires)
    r = call("evaluate", trained[0], "--original")
    assert r.returncode == 0 and r.stdout.startswith("Test set, 2,246 wires (original wires, titles and bodies): loss"), r.stdout
    assert_error(call("evaluate", trained[0], "--original", "--sgml-dir", tmp_path), 1, "lacks 22 of the 22 files of Reuters-21578")


def test_json_from_train_and_export(trained, tmp_path):
    "Scripts read train's and export's results from standard output, as they read evaluate's, not from metrics.json"
    r = call("train", "--epochs", "1", "--hidden", "8", "--progress", "none", "--out", tmp_path / "run", "--json")
    assert r.returncode == 0, r.stderr
    t = json.loads(r.stdout)
    m = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert (t["out"], t["files"], t["epochs"], t["hidden"]) == (str(tmp_path / "run"), ["model.keras", "metrics.json", "loss.png", "accuracy.png", "manifest.json"], 1, [8])
    assert (t["test_accuracy"], t["test_loss"]) == (m["test_accuracy"], m["test_loss"])
    x = json.loads(call("export", tmp_path / "run", "--out", tmp_path / "served", "--json").stdout)
    assert x == dict(version=1, path=str(tmp_path / "served" / "1"), signature="serving_default", input="text", output="probabilities")


@pytest.mark.parametrize("args, fragment", [
    (["train", "--epoch", "3"], "unrecognized arguments: --epoch 3 (see `reuters-nb train --help`)"),  # no abbreviations
    (["train", "--jsn"], "unrecognized arguments: --jsn (see `reuters-nb train --help`)"),
    (["evaluate", "runs/latest", "--orig"], "(see `reuters-nb evaluate --help`)"),
])
def test_usage_errors_name_the_commands_help(args, fragment):
    assert_error(call(*args), 2, fragment)


def test_info():
    r = run("info")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    topics = [line for line in r.stdout.splitlines() if line[:5].strip().isdigit()]
    assert len(topics) == 46 and topics[0].split()[:4] == ["3", "earn", "3,159", "813"], topics[:2]
    assert "8,982 training" in r.stdout and "2,246 test" in r.stdout
    if os.environ.get("REUTERS_NB_DATA"): assert os.environ["REUTERS_NB_DATA"] in r.stdout


@pytest.mark.parametrize("command", [[], ["train"], ["evaluate"], ["predict"], ["export"], ["info"]])
def test_help_on_every_command(command):
    r = run(*command, "--help")
    assert r.returncode == 0 and r.stdout.startswith(f"usage: reuters-nb {' '.join(command)}".rstrip()), r.stdout


def test_no_command():
    assert_error(run(), 2, "required: COMMAND")
    assert_error(run("fit"), 2, "invalid choice: 'fit'")


def test_console_script():
    "`pip install` puts a `reuters-nb` script next to the interpreter (pyproject.toml, [project.scripts])"
    script = shutil.which("reuters-nb", path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    assert script, "no reuters-nb script: reinstall with `pip install -e .`"
    r = subprocess.run([script, "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("reuters-nb "), (r.stdout, r.stderr)


# ------------------------------------------------------------------ faults: kills, races, a full disk, bad bytes

SLOW_SAVE = """import sys, time
import reuters_nb.store as store
from reuters_nb.cli import main
create = store._create
def slow(path, data):  # writes part of model.keras, says so, then hangs: a save cut short
    if ".model.keras." in str(path):
        create(path, data[:1000])
        print("SAVING", file=sys.__stdout__, flush=True)  # train's own stdout is on stderr meanwhile (Keras's progress)
        time.sleep(600)
    return create(path, data)
store._create = slow
sys.exit(main(sys.argv[1:]))
"""


def start_slow_train(out, *args):
    "`reuters-nb train --epochs 1 --out OUT` that hangs in the middle of writing model.keras; returns once it is there"
    p = subprocess.Popen([sys.executable, "-c", SLOW_SAVE, "train", "--epochs", "1", "--progress", "none", "--out", str(out), *args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    assert line.strip() == "SAVING", (line, p.stderr.read() if p.poll() is not None else "")
    return p


def leftovers(folder: Path):
    "Hidden files and folders: staging folders, locks, temporaries"
    return sorted(p.name for p in folder.rglob(".*"))


@pytest.mark.parametrize("signal_name, code", [("SIGKILL", -9), ("SIGTERM", 143)])
def test_a_killed_run_leaves_the_previous_run_whole(trained, tmp_path, signal_name, code):
    import signal
    out = tmp_path / "run"
    shutil.copytree(trained[0], out)
    before = {f: (out / f).read_bytes() for f in RUN_FILES}
    p = start_slow_train(out, "--force", "--hidden", "8")
    p.send_signal(getattr(signal, signal_name))
    assert p.wait(timeout=60) == code, p.stderr.read()
    assert {f: (out / f).read_bytes() for f in RUN_FILES} == before  # not a new model beside old metrics
    if signal_name == "SIGTERM": assert leftovers(tmp_path) == []  # cleaned up before it ended
    else:  # SIGKILL: no chance to clean up; what it left is on record in its journal
        left = leftovers(tmp_path)
        assert ".reuters-nb-writing.json" in left and [n for n in left if n.startswith(".model.keras.")], left
    r = run("train", "--epochs", "1", "--hidden", "8", "--progress", "none", "--out", out, "--force")
    assert r.returncode == 0, r.stderr
    assert leftovers(tmp_path) == []  # the next run swept what the killed one left
    assert json.loads((out / "metrics.json").read_text())["hidden"] == [8]


def test_a_second_run_into_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "run"
    first = start_slow_train(out)  # holds the folder, in the middle of its save
    try:
        assert_error(run("train", "--epochs", "1", "--out", out, "--force"), 1, f"Another process is writing into {out}")
    finally:
        first.terminate()
        first.wait(timeout=60)
    assert not out.exists() and leftovers(tmp_path) == []  # the first never finished: no run, nothing left


def test_a_full_disk_names_the_file_and_leaves_nothing(tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    if not _mount_tmpfs(small, "1m"):  # the model file is 2.7 MB
        pytest.skip("cannot mount a tmpfs here (needs root or sudo -n)")  # under CI a skip fails (conftest.py)
    try:
        temp = tmp_path / "tmp"
        temp.mkdir()
        line = assert_error(run("train", "--epochs", "1", "--progress", "none", "--out", small / "run", env={"TMPDIR": str(temp)}), 1,
                            "model.keras", "no space left on the device", "the run was not saved")
        assert "Free some space" in line, line
        assert sorted(os.listdir(small)) == []  # no half-written model, no staging folder, no lock
        assert sorted(os.listdir(temp)) == []  # and no temporary folder of Keras's elsewhere
    finally:
        _umount(small)


def test_output_is_utf8_json_whatever_the_input_bytes(trained, tmp_path):
    out, _ = trained
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8:strict"}
    r = subprocess.run([*CLI, "predict", str(out / "model.keras"), b"Caf\xe9 prices rose", "--json"], capture_output=True, env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.decode("utf-8"))[0]["text"] == "Caf\ufffd prices rose"
    r = subprocess.run([*CLI, "predict", str(out / "model.keras"), "--json"], input=b"Caf\xe9 prices\n\nnet \xff profit\n",
                       capture_output=True, env=env)
    assert r.returncode == 0, r.stderr
    assert [a["text"] for a in json.loads(r.stdout.decode("utf-8"))] == ["Caf\ufffd prices", "net \ufffd profit"]


def test_a_byte_order_mark_is_not_a_word(trained, tmp_path):
    "Windows editors start UTF-8 files with a byte-order mark; the first wire keeps its first word"
    (tmp_path / "wires.txt").write_bytes("\ufeffCocoa prices fell.\n\nNet profit rose.\n".encode("utf-8"))
    for args, stdin in (([ "--file", tmp_path / "wires.txt"], ""), ([], "\ufeffCocoa prices fell.\n\nNet profit rose.\n")):
        r = call("predict", trained[0], *args, "--json", stdin=stdin)
        assert r.returncode == 0, r.stderr
        assert [a["text"] for a in json.loads(r.stdout)] == ["Cocoa prices fell.", "Net profit rose."]


def test_predict_streams_its_input(trained, tmp_path):
    "Wires are read and predicted a batch at a time: 2,500 wires give 2,500 answers in order; input that is not text is refused"
    wires = [f"{COCOA} ({i})" if i % 2 else f"{EARN} ({i})" for i in range(2_500)]  # more than two batches of 1,024
    (tmp_path / "many.txt").write_text("\n\n".join(wires) + "\n")
    r = call("predict", trained[0], "--file", tmp_path / "many.txt", "--json", "--top-k", "1")
    assert r.returncode == 0, r.stderr
    answers = json.loads(r.stdout)
    assert [a["text"] for a in answers] == wires
    (tmp_path / "zeros").write_bytes(b"\0" * 1_100_000)  # what `--file /dev/zero` reads: no line, no end
    assert_error(call("predict", trained[0], "--file", tmp_path / "zeros"), 1, "Wire 1 is longer than 1,000,000 characters")


def test_a_closed_pipe_ends_quietly(trained):
    out, _ = trained
    p = subprocess.Popen([*CLI, "predict", str(out / "model.keras"), *[COCOA] * 400, "--top-k", "46"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # about 1 MB of output: more than a pipe holds
    first = p.stdout.readline()
    p.stdout.close()  # `| head -1`
    assert p.wait(timeout=120) == 141
    assert first.startswith(b"1. Cocoa") and p.stderr.read() == b""


def test_data_dir_option(tmp_path):
    "`--data-dir` wins over $REUTERS_NB_DATA, on every command that reads the data"
    from reuters_nb.data import find_data_file
    real = find_data_file("reuters.npz").parent.resolve()
    nowhere = {"REUTERS_NB_DATA": str(tmp_path / "nowhere")}
    assert_error(run("info", env=nowhere), 1, "nowhere")
    r = run("info", "--data-dir", real, env=nowhere)
    assert r.returncode == 0 and f"Data: {real} (from --data-dir)" in r.stdout, (r.stdout, r.stderr)
    assert_error(call("train", "--epochs", "1", "--out", tmp_path / "run", "--data-dir", tmp_path / "empty"), 1, "empty")


def test_hidden_too_large_is_refused_before_loading(tmp_path):
    assert_error(call("train", "--hidden", "100000", "--out", tmp_path / "run"), 1, "1,004,700,046 weights", "limit is 50,000,000")
    assert all_files(tmp_path) == []


def test_python_dash_m_reuters_nb():
    "`python -m reuters_nb` is the command line too"
    r = subprocess.run([sys.executable, "-m", "reuters_nb", "--version"], capture_output=True, text=True)
    assert r.returncode == 0 and r.stdout.startswith("reuters-nb "), (r.stdout, r.stderr)


def test_importing_the_package_leaves_the_environment_alone():
    code = "import os, json; before = dict(os.environ); import reuters_nb, reuters_nb.data; print(json.dumps(dict(os.environ) == before))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "true", (r.stdout, r.stderr)


def test_ctrl_c_ends_with_130_and_keeps_the_previous_run(trained, tmp_path):
    import signal
    out = tmp_path / "run"
    shutil.copytree(trained[0], out)
    before = {f: (out / f).read_bytes() for f in RUN_FILES}
    p = start_slow_train(out, "--force")
    p.send_signal(signal.SIGINT)
    assert p.wait(timeout=60) == 130
    assert p.stderr.read().strip().splitlines()[-1] == "reuters-nb: interrupted"
    assert {f: (out / f).read_bytes() for f in RUN_FILES} == before and leftovers(tmp_path) == []


def test_file_dash_is_standard_input(trained):
    out, _ = trained
    r = run("predict", out / "model.keras", "--file", "-", "--json", "--top-k", "1", stdin=f"{COCOA}\n\n{EARN}\n")
    assert r.returncode == 0, r.stderr
    assert [a["text"] for a in json.loads(r.stdout)] == [COCOA, EARN]


def test_hidden_alone_trains_a_linear_model(tmp_path):
    r = run("train", "--epochs", "1", "--hidden", "--progress", "none", "--out", tmp_path / "run")
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["hidden"] == []


# ------------------------------------------------------------------ the user's default route, JSON, short options, notes

@pytest.fixture
def keras_cache(tmp_path):
    "What a user with internet has after the first run: no $REUTERS_NB_DATA, the two files in Keras's cache"
    from reuters_nb.data import SHA256, find_data_file
    cache = tmp_path / "keras" / "datasets"
    cache.mkdir(parents=True)
    for name in SHA256: shutil.copy(find_data_file(name), cache / name)
    return cache


def test_the_keras_cache_route(keras_cache, tmp_path):
    "Without $REUTERS_NB_DATA the data comes from Keras's cache, and every command prints only its own output"
    env, unset = {"KERAS_HOME": str(keras_cache.parent)}, ("REUTERS_NB_DATA",)
    r = run("info", env=env, unset=unset)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.startswith(f"Data: {keras_cache} (from Keras's cache): reuters.npz and reuters_word_index.json"), r.stdout[:300]
    r = run("train", "--epochs", "1", "--progress", "none", "-o", tmp_path / "run", env=env, unset=unset)
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stderr.splitlines() == [f"{STATUS}chapter model into {tmp_path / 'run'}: reading the data and starting TensorFlow…"], r.stderr
    assert str(keras_cache) not in (tmp_path / "run" / "metrics.json").read_text()  # no machine path in a saved output
    r = run("evaluate", tmp_path / "run" / "model.keras", "--json", env=env, unset=unset)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert json.loads(r.stdout)["test_wires"] == 2_246


def test_the_first_run_downloads_or_says_how_to_work_offline(tmp_path):
    "Nothing set, nothing cached: Keras downloads the files (online), or one error line says what to do (offline); no notes either way"
    from reuters_nb.data import _keras_cache_candidates
    home = tmp_path / "keras"
    cached = [p for name in ("reuters.npz", "reuters_word_index.json") for p in _keras_cache_candidates(name)
              if p.is_file() and not p.is_relative_to(home)]
    assert not cached, f"this test needs an empty Keras cache; remove {cached}"
    r = run("info", env={"KERAS_HOME": str(home)}, unset=("REUTERS_NB_DATA",))
    assert not _library_notes(r.stderr), r.stderr[-3000:]
    if r.returncode == 0:  # online: Keras downloaded the files into the cache; its notes went to stderr, not stdout
        assert r.stdout.startswith(f"Data: {home / 'datasets'} (from Keras's cache)"), r.stdout[:300]
    else:  # offline: Keras's "Downloading data from …" line, then one error line that says what to do
        *before, last = r.stderr.strip().splitlines()
        assert r.returncode == 1 and all(b.startswith("Downloading data from") for b in before), r.stderr
        assert last.startswith("reuters-nb: error: Could not find or download reuters.npz"), last
        assert "REUTERS_NB_DATA" in last and "--data-dir" in last, last
        assert r.stdout == ""


def test_info_does_not_start_tensorflow():
    code = ("import contextlib, io, sys\nfrom reuters_nb.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): code = main(['info'])\n"
            "print(code, [m for m in ('tensorflow', 'keras') if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.stdout.split() == ["0", "[]"], (r.stdout, r.stderr)


def test_info_json():
    import keras
    import hashlib
    r = run("info", "--json")
    assert r.returncode == 0 and r.stderr == "", r.stderr
    info = json.loads(r.stdout)
    assert set(info) == {"data_dir", "source", "files", "train_wires", "validation_wires", "test_wires", "num_words", "topics"}
    on_disk = {name: hashlib.sha256((Path(info["data_dir"]) / name).read_bytes()).hexdigest() for name in info["files"]}
    assert sorted(info["files"]) == ["reuters.npz", "reuters_word_index.json"] and info["files"] == on_disk, info["files"]
    assert (info["train_wires"], info["validation_wires"], info["test_wires"]) == (8_982, 1_000, 2_246)
    assert [t["label"] for t in info["topics"]] == list(range(46))
    assert tuple(t["topic"] for t in info["topics"]) == tuple(keras.datasets.reuters.get_label_names())
    assert info["topics"][3] == {"label": 3, "topic": "earn", "train": 3_159, "test": 813}  # the largest topic, by hand
    assert sum(t["train"] for t in info["topics"]) == 8_982 and sum(t["test"] for t in info["topics"]) == 2_246
    text = run("info").stdout  # the same counts as the table
    rows = {int(line.split()[0]): line.split()[1:] for line in text.splitlines() if line[:5].strip().isdigit()}
    assert all(rows[t["label"]] == [t["topic"], f"{t['train']:,}", f"{t['test']:,}"] for t in info["topics"])


def test_evaluate_json(trained):
    out, _ = trained
    r = call("evaluate", out / "model.keras", "--json")  # what reaches file descriptor 2 in a real process: test_verbose_lets_the_library_notes_through
    assert r.returncode == 0 and r.stderr == "", r.stderr
    e = json.loads(r.stdout)
    assert set(e) == {"model", "text", "test_wires", "test_loss", "test_accuracy", "best", "worst"}
    loss, accuracy = keras_scores(out / "model.keras")  # Keras's loss and metric on the same model
    assert abs(e["test_accuracy"] - accuracy) < 1e-6 and abs(e["test_loss"] - loss) < 1e-4, (e, loss, accuracy)
    m = json.loads((out / "metrics.json").read_text())  # and what training wrote
    assert abs(e["test_accuracy"] - m["test_accuracy"]) < 1e-6 and abs(e["test_loss"] - m["test_objective"]) < 1e-4, (e, m)
    assert abs(e["test_accuracy"] * 2_246 - round(e["test_accuracy"] * 2_246)) < 1e-3  # a count of wires over 2,246
    text = call("evaluate", out / "model.keras").stdout
    for rows in (e["best"], e["worst"]):
        assert len(rows) == 5 and all(set(row) == {"topic", "recall", "support"} for row in rows)
        for row in rows: assert f"  {row['topic']:<16}{row['recall']:>7.1%}{row['support']:>9,}" in text, (row, text)


def test_short_options(trained, tmp_path):
    model = trained[0] / "model.keras"
    (tmp_path / "wires.txt").write_text(f"{COCOA}\n\n{EARN}\n")
    short = call("predict", model, "-f", tmp_path / "wires.txt", "-k", "2", "--json")
    long = call("predict", model, "--file", tmp_path / "wires.txt", "--top-k", "2", "--json")
    assert short.returncode == 0 and short.stdout == long.stdout and len(json.loads(short.stdout)[0]["topics"]) == 2
    assert call("export", trained[0], "-o", tmp_path / "served").returncode == 0
    assert (tmp_path / "served" / "1" / "saved_model.pb").is_file()


def test_verbose_lets_the_library_notes_through(trained):
    "Held back by default, shown with `reuters-nb --verbose` or `-v`, before or after the command (TensorFlow writes them on every machine without a GPU)"
    model = trained[0] / "model.keras"
    assert run("evaluate", model).stderr == ""
    for args in (["--verbose", "evaluate", model], ["evaluate", model, "-v"]):
        r = run(*args)
        assert r.returncode == 0 and _library_notes(r.stderr), (args, r.stderr)


def test_verbose_and_progress_are_two_options():
    "`-v` is the libraries' notes, for every command and on either side of its name; `train --progress` is training's output"
    from reuters_nb.cli import build_parser
    parse = build_parser().parse_args
    assert [parse(["train", "-v"]).library_logs, parse(["-v", "train"]).library_logs, parse(["train"]).library_logs] == [True, True, False]
    args = parse(["train", "--verbose", "--progress", "epochs"])
    assert (args.library_logs, args.progress) == (True, "epochs")
    assert [parse([command, *rest, "-v"]).library_logs for command, *rest in
            (["evaluate", "run"], ["predict", "run", "text"], ["export", "run", "-o", "x"], ["info"])] == [True] * 4


def test_help_lists_the_presets_without_starting_tensorflow():
    "`train --help` offers every preset of `PRESETS` with its description, from a catalogue that imports no Keras"
    code = ("import contextlib, io, sys\nfrom reuters_nb.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out: code = main(['train', '--help'])\n"
            "print(code, [m for m in ('tensorflow', 'keras') if m in sys.modules])\nprint(out.getvalue())")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    first, help_text = r.stdout.split("\n", 1)
    assert first.split() == ["0", "[]"], (r.stdout, r.stderr)
    from reuters_nb.presets import PRESETS
    help_text = " ".join(help_text.split())  # argparse wraps the lines
    assert f"--model {{{','.join(PRESETS)}}}" in help_text, help_text
    for preset in PRESETS.values(): assert f"{preset.name}: {preset.description}" in help_text, (preset.name, help_text)


def test_a_new_model_is_one_preset(tmp_path, monkeypatch):
    "Adding a model is adding a `Preset`: the command offers it and trains it, and evaluate and predict use it, knowing it by its config"
    from reuters_nb.model import text_model_parts
    from reuters_nb.pipeline import load_trained_model
    from reuters_nb.presets import PRESETS, Preset
    monkeypatch.setitem(PRESETS, "counts", Preset("counts", "the chapter's network on log-counts", "로그 카운트를 읽는 이 장의 신경망", num_words="reuters_nb.data:NUM_WORDS",
                                                  rows="log_count", hidden=(16,), build="reuters_nb.model:build_model",
                                                  text_model="reuters_nb.model:end_to_end"))
    assert "counts: the chapter's network on log-counts" in " ".join(call("train", "--help").stdout.split())
    r = call("train", "--model", "counts", "--epochs", "1", "--progress", "none", "--out", tmp_path / "run", "--json")
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert (m["model"], m["hidden"], m["num_words"], m["temperature"]) == ("counts", [16], 10_000, None)
    assert text_model_parts(load_trained_model(tmp_path / "run"))[0].output_mode == "log_count"  # its config says what it reads
    e = json.loads(call("evaluate", tmp_path / "run", "--json").stdout)
    assert abs(e["test_accuracy"] - m["test_accuracy"]) < 1e-6 and abs(e["test_loss"] - m["test_loss"]) < 1e-4, (e, m)
    answers = json.loads(call("predict", tmp_path / "run", COCOA, "--json").stdout)
    assert answers[0]["known_words"] > 10
