__version__ = "0.1.0"

import importlib as _importlib
import importlib.abc as _abc
import importlib.util as _util
import sys as _sys

# Importing the package changes nothing in os.environ: TensorFlow's C++ start-up notes are held back where they
# would bury the output (the command line's `_quiet_stderr`, the saved notebook outputs of tools/run_nbs.py).


# Saved models carry a Keras layer of this package (`reuters_nb.vectorize.WireVectorizer`), so Keras can load them only
# once that class is registered with Keras. `import reuters_nb` must be enough for that, without importing Keras and
# TensorFlow (seconds) before they are needed: `reuters-nb --help` answers at once. Tested on the vectorizing page.
def _register_with_keras():
    "Register the package's Keras layers now if Keras is imported, else as soon as it is"
    if "keras" in _sys.modules: _importlib.import_module("reuters_nb.vectorize")
    elif not any(isinstance(f, _AfterKeras) for f in _sys.meta_path): _sys.meta_path.insert(0, _AfterKeras())

class _AfterKeras(_abc.MetaPathFinder):
    "Finds nothing itself: when Keras is imported, it hands Keras's own loader a last step, importing `reuters_nb.vectorize`"
    def find_spec(self, name, path=None, target=None):
        if name != "keras": return None
        _sys.meta_path.remove(self)  # once is enough
        spec = _util.find_spec(name)
        if spec is not None and spec.loader is not None: spec.loader = _ThenRegister(spec.loader)
        return spec

class _ThenRegister(_abc.Loader):
    "Keras's loader, then the import of the package's layers"
    def __init__(self, loader): self.loader = loader
    def __getattr__(self, name): return getattr(self.loader, name)
    def create_module(self, spec): return self.loader.create_module(spec)
    def exec_module(self, module):
        self.loader.exec_module(module)
        _importlib.import_module("reuters_nb.vectorize")

_register_with_keras()
