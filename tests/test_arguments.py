"""Every public function refuses bad arguments the same way, before any work: with `check_int` (or a check of its
own kind), as a `TypeError` or `ValueError` whose message names the argument and what is allowed. One table, one
row per case; each case was once accepted silently, or failed deep inside NumPy or TensorFlow."""
import numpy as np
import pytest

from reuters_nb.data import decode_wire, load_data
from reuters_nb.model import build_model
from reuters_nb.train import best_epoch, chapter_protocol, fit_model, split_validation
from reuters_nb.vectorize import encode_text, to_one_hot, vectorize_sequences

X = np.zeros((4, 10_000), np.float32)
Y = to_one_hot([0, 1, 2, 3])
Y10 = to_one_hot([0, 1, 2, 3], num_classes=10)

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
    ("vectorize 1.5", vectorize_sequences, ([[1, 1.5]],), {}, TypeError, "whole numbers, found 1.5"),
    ("vectorize text", vectorize_sequences, (["some text"],), {}, TypeError, "encode_text"),
    ("decode bytes", decode_wire, (b"abc",), {}, TypeError, "got bytes"),
    ("decode floats", decode_wire, ([1.5, 2.0],), {}, TypeError, "integer word indices"),
    ("encode start_char='a'", encode_text, ("wheat",), dict(start_char="a"), TypeError, "start_char must be an integer or None"),
    ("encode oov_char=-1", encode_text, ("wheat",), dict(oov_char=-1), ValueError, "oov_char must be at least 0"),
    ("encode empty", encode_text, ("  ...  ",), {}, ValueError, "empty"),
    ("one-hot floats", to_one_hot, ([0.5],), {}, ValueError, "integers"),
    ("build hidden=0", build_model, (), dict(hidden=(64, 0)), ValueError, "at least 1"),
    ("build too big", build_model, (), dict(hidden=100_000), ValueError, "limit is 50,000,000"),
]


@pytest.mark.parametrize("func, args, kwargs, error, fragment", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_argument_is_refused_clearly(func, args, kwargs, error, fragment):
    with pytest.raises(error) as e: func(*args, **kwargs)
    assert fragment in str(e.value), str(e.value)
    assert type(e.value) is error  # not a subclass from deep inside TensorFlow
