"""The suite's own rule, tests/conftest.py: a test that skips passes on a contributor's machine, with its reason, and
fails under CI."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.mark.parametrize("ci, code", [("", 0), ("true", 1)])
def test_a_skip_fails_only_under_ci(tmp_path, ci, code):
    shutil.copy(HERE / "conftest.py", tmp_path)
    (tmp_path / "test_skips.py").write_text("import pytest\n\ndef test_needs_a_browser():\n    pytest.skip('no browser here')\n")
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({"CI": ci} if ci else {})
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", "-o", "addopts=", "-rA",
                        str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.returncode == code, r.stdout[-2000:]
    assert "no browser here" in r.stdout  # the reason is said either way
    if ci: assert "CI must run every test" in r.stdout, r.stdout[-2000:]
