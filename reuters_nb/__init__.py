__version__ = "0.1.0"

import os as _os
# Keep TensorFlow's C++ start-up chatter (CUDA probes, CPU feature notes) out of notebooks and the CLI.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
