"""Every public function refuses bad arguments the same way, before any work: with `check_int` (or a check of its
own kind), as a `TypeError` or `ValueError` whose message names the argument and what is allowed. One table, one
row per case; each case was once accepted silently, or failed deep inside NumPy or TensorFlow."""
import tracemalloc

import numpy as np
import pytest

from reuters_nb.analysis import majority_baseline, random_baseline, top_topics
from reuters_nb.data import SIZES, decode_wire, load_data, read_data_file
from reuters_nb.model import build_model
from reuters_nb.train import best_epoch, chapter_protocol, fit_model, split_validation
from reuters_nb.vectorize import encode_text, log_counts, to_one_hot, vectorize_sequences

X = np.zeros((4, 10_000), np.float32)
Y = to_one_hot([0, 1, 2, 3])
Y10 = to_one_hot([0, 1, 2, 3], num_classes=10)
XNAN, XINF = X.copy(), X.copy()
XNAN[2, 5], XINF[3, 0] = np.nan, -np.inf
P = np.full((2, 46), 1 / 46)
PNAN = P.copy()
PNAN[1, 3] = np.nan
NAN = float("nan")

CASES = [
    # (id, function, args, kwargs, exception, fragment of the message)
    ("fit epochs=0", fit_model, (X, Y), dict(epochs=0), ValueError, "epochs must be at least 1"),
    ("fit epochs=-1", fit_model, (X, Y), dict(epochs=-1), ValueError, "epochs must be at least 1"),
    ("fit epochs='3'", fit_model, (X, Y), dict(epochs="3"), TypeError, "epochs must be an integer, got '3'"),
    ("fit batch_size=0", fit_model, (X, Y), dict(batch_size=0), ValueError, "batch_size must be at least 1"),
    ("fit batch_size=-1", fit_model, (X, Y), dict(batch_size=-1), ValueError, "batch_size must be at least 1"),
    ("fit seed=-1", fit_model, (X, Y), dict(seed=-1), ValueError, "seed must be at least 0"),
    ("fit seed=2**32", fit_model, (X, Y), dict(seed=2**32), ValueError, "seed must be at most 4,294,967,295"),
    ("fit 10 classes", fit_model, (X, Y10), {}, ValueError, "one-hot labels of 46 columns"),
    ("fit validation_data=(x,)", fit_model, (X, Y), dict(validation_data=(X,)), ValueError, "must be a pair (x_val, y_val)"),
    ("fit wrong width", fit_model, (X[:, :100], Y), {}, ValueError, "10000 columns"),
    ("fit NaN in x", fit_model, (XNAN, Y), {}, ValueError, "x holds NaN or infinite values (the first in row 2)"),
    ("fit -inf in x", fit_model, (XINF, Y), {}, ValueError, "x holds NaN or infinite values (the first in row 3)"),
    ("fit NaN in x_val", fit_model, (X, Y), dict(validation_data=(XNAN, Y)), ValueError, "x_val holds NaN or infinite"),
    ("fit soft labels", fit_model, (X, Y * 0.5), {}, ValueError, "each row zeros and a single 1"),
    ("fit two topics a row", fit_model, (X, Y + Y[::-1]), {}, ValueError, "each row zeros and a single 1"),
    ("fit NaN label", fit_model, (X, np.where(Y == 1, NAN, 0)), {}, ValueError, "each row zeros and a single 1"),
    ("fit no wires", fit_model, (X[:0], Y[:0]), {}, ValueError, "hold no wires"),
    ("fit integer label 46", fit_model, (X, np.array([0, 1, 2, 46])), dict(loss="sparse_categorical_crossentropy"),
     ValueError, "integer topics in 0..45, got y with values 0..46"),
    ("fit float integer labels", fit_model, (X, np.array([0.0, 1.5, 2.0, 3.0])), dict(loss="sparse_categorical_crossentropy"),
     ValueError, "got y with dtype float64"),
    ("protocol seed too big", chapter_protocol, (X, Y, X, Y), dict(seeds=(2**40,)), ValueError, "each seed must be at most"),
    ("protocol no seeds", chapter_protocol, (X, Y, X, Y), dict(seeds=()), ValueError, "at least one seed"),
    ("protocol epochs=0", chapter_protocol, (X, Y, X, Y), dict(epochs=0), ValueError, "epochs must be at least 1"),  # not "choose"
    ("protocol n_val=4", chapter_protocol, (X, Y, X, Y), dict(n_val=4), ValueError, "n_val must be between 1 and 3"),
    ("split n_val=0", split_validation, (X, Y), dict(n_val=0), ValueError, "n_val must be at least 1"),
    ("split n_val=n", split_validation, (X, Y), dict(n_val=4), ValueError, "n_val must be between 1 and 3"),
    ("load test_split=True", load_data, (), dict(test_split=True), ValueError, "test_split must be a fraction"),
    ("load seed=-1", load_data, (), dict(seed=-1), ValueError, "seed must be at least 0"),
    ("load seed='x'", load_data, (), dict(seed="x"), TypeError, "seed must be an integer"),
    ("load num_words=0", load_data, (), dict(num_words=0), ValueError, "num_words must be at least 1"),
    ("best_epoch empty", best_epoch, ({"val_loss": []},), {}, ValueError, "is empty"),
    ("best_epoch no validation", best_epoch, ({"loss": [1.0]},), {}, ValueError, "fit with validation_data"),
    ("best_epoch all NaN", best_epoch, ({"val_loss": [NAN, NAN]},), {}, ValueError, "no finite value in its 2 epochs"),
    ("best_epoch accuracy all NaN", best_epoch, ({"val_accuracy": [NAN]},), dict(monitor="val_accuracy"), ValueError,
     "no finite value"),
    ("vectorize 1.5", vectorize_sequences, ([[1, 1.5]],), {}, TypeError, "whole numbers, found 1.5"),
    ("vectorize text", vectorize_sequences, (["some text"],), {}, TypeError, "encode_text"),
    ("vectorize None", vectorize_sequences, ([[1, None]],), {}, TypeError, "whole numbers, found None"),
    ("vectorize nested", vectorize_sequences, ([[1, [2, 3]]],), {}, TypeError, "whole numbers, found [2, 3]"),
    ("vectorize NaN", vectorize_sequences, ([[1, NAN]],), {}, TypeError, "whole numbers, found nan"),
    ("log_counts 1.7", log_counts, ([[1.7, 3.2]], 10), {}, TypeError, "whole numbers, found 1.7"),
    ("log_counts text", log_counts, ("some text", 10), {}, TypeError, "log_counts takes sequences of word indices"),
    ("log_counts one wire", log_counts, ([1, 5, 7], 10), {}, TypeError, "for one wire pass `[seq]`"),
    ("decode bytes", decode_wire, (b"abc",), {}, TypeError, "got bytes"),
    ("decode floats", decode_wire, ([1.5, 2.0],), {}, TypeError, "integer word indices"),
    ("encode start_char='a'", encode_text, ("wheat",), dict(start_char="a"), TypeError, "start_char must be an integer or None"),
    ("encode oov_char=-1", encode_text, ("wheat",), dict(oov_char=-1), ValueError, "oov_char must be at least 0"),
    ("encode empty", encode_text, ("  ...  ",), {}, ValueError, "empty"),
    ("one-hot floats", to_one_hot, ([0.5],), {}, ValueError, "integers"),
    ("build hidden=0", build_model, (), dict(hidden=(64, 0)), ValueError, "at least 1"),
    ("build too big", build_model, (), dict(hidden=100_000), ValueError, "limit is 50,000,000"),
    ("build 2,000 layers", build_model, (), dict(hidden=(8,) * 2_000), ValueError, "2,000 hidden layers; the limit is 16"),
    ("top_topics k=True", top_topics, (P,), dict(k=True), TypeError, "k must be an integer, got True (bool)"),
    ("top_topics k=2.5", top_topics, (P,), dict(k=2.5), TypeError, "k must be an integer, got 2.5 (float)"),
    ("top_topics k=47", top_topics, (P,), dict(k=47), ValueError, "k must be at most 46"),
    ("top_topics NaN", top_topics, (PNAN,), {}, ValueError, "row 1 holds NaN or infinite values"),
    ("top_topics inf", top_topics, (P * np.inf,), {}, ValueError, "row 0 holds NaN or infinite values"),
    ("top_topics text", top_topics, (np.full((1, 46), "a"),), {}, TypeError, "probs must be numbers"),
    ("random_baseline trials=0", random_baseline, ([0, 1],), dict(trials=0), ValueError, "trials must be at least 1"),
    ("random_baseline trials=2.0", random_baseline, ([0, 1],), dict(trials=2.0), TypeError, "trials must be an integer"),
    ("majority no training labels", majority_baseline, ([], [0]), {}, ValueError, "y_train must be a non-empty 1-D array"),
    ("majority no test labels", majority_baseline, ([0], []), {}, ValueError, "y_test must be a non-empty 1-D array"),
    ("majority one-hot labels", majority_baseline, (Y, [0]), {}, ValueError, "y_train must be a non-empty 1-D array"),
]


@pytest.mark.parametrize("func, args, kwargs, error, fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_argument_is_refused_clearly(func, args, kwargs, error, fragment):
    with pytest.raises(error) as e: func(*args, **kwargs)
    assert fragment in str(e.value), str(e.value)
    assert type(e.value) is error  # not a subclass from deep inside TensorFlow


@pytest.mark.parametrize("size", [3 << 30, 40 << 30], ids=["3 GiB", "40 GiB"])
def test_data_file_of_the_wrong_size_is_refused_unread(tmp_path, size):
    "A huge reuters.npz (a sparse file: no disk space used) is refused from its size, without being read into memory"
    huge = tmp_path / "reuters.npz"
    with open(huge, "wb") as f: f.truncate(size)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as e: read_data_file("reuters.npz", tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally: tracemalloc.stop()
    assert f"{huge} is not the official reuters.npz: it is {size:,} bytes, expected {SIZES['reuters.npz']:,}" in str(e.value)
    assert "Delete it and copy it again" in str(e.value)
    assert peak < 1 << 20, f"{peak:,} bytes allocated to refuse it"
