"""Loading a saved model. `load_trained_model` of reuters_nb.pipeline is the package's way, and it checks the file;
Keras's own `keras.models.load_model` works once `reuters_nb.vectorize` is imported, whose decorator registers the text
layer with Keras. `import reuters_nb` alone imports no Keras and changes no import machinery, so `reuters-nb --help` is fast.
Each check runs in a fresh Python process, where nothing was imported before."""
import json
import subprocess
import sys

import numpy as np
import pytest

COCOA = "Cocoa prices fell in London as Ivory Coast reported larger mid-crop arrivals."


def fresh(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    "An end-to-end model of the package, as Keras saves it, and its probabilities for one wire; untrained: its weights do not matter here"
    import keras
    from reuters_nb.model import build_model, end_to_end
    from reuters_nb.vectorize import make_vectorizer
    keras.utils.set_random_seed(0)
    model = end_to_end(make_vectorizer(), build_model())
    path = tmp_path_factory.mktemp("loading") / "model.keras"
    model.save(path)
    return path, model.predict(keras.ops.convert_to_tensor([COCOA]), verbose=0)


def test_importing_the_package_imports_no_keras_and_installs_no_hook():
    r = fresh("import sys; before = list(sys.meta_path); import reuters_nb\n"
              "print(sys.meta_path == before, [m for m in ('keras', 'tensorflow', 'reuters_nb.vectorize') if m in sys.modules])")
    assert r.stdout.split() == ["True", "[]"], (r.stdout, r.stderr)


def test_keras_loads_a_saved_model_once_the_layer_module_is_imported(saved):
    path, expected = saved
    r = fresh(f"import json, keras, reuters_nb.vectorize\nmodel = keras.models.load_model({str(path)!r})\n"
              f"print(json.dumps(model.predict(keras.ops.convert_to_tensor([{COCOA!r}]), verbose=0).tolist()))")
    assert r.returncode == 0, r.stderr[-3000:]
    np.testing.assert_allclose(json.loads(r.stdout), expected, atol=1e-6)


def test_load_trained_model_is_the_package_s_way(saved):
    path, expected = saved
    r = fresh(f"import json\nfrom reuters_nb.pipeline import load_trained_model, predict_texts\n"
              f"model = load_trained_model({str(path)!r})\nprint(json.dumps(predict_texts(model, [{COCOA!r}], k=46)))")
    assert r.returncode == 0, r.stderr[-3000:]
    (topics,) = json.loads(r.stdout)
    from reuters_nb.data import LABEL_NAMES
    np.testing.assert_allclose([p for _, p in topics], expected[0][[LABEL_NAMES.index(name) for name, _ in topics]], atol=1e-6)
