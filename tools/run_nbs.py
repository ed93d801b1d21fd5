"""Run notebooks top to bottom in a Jupyter kernel, as JupyterLab does, and optionally save their outputs.

    python tools/run_nbs.py                 # run every notebook under nbs/, save nothing (a check)
    python tools/run_nbs.py --save          # run them and write the outputs into the notebooks
    python tools/run_nbs.py --save nbs/03_train.ipynb

Saving writes each notebook to a temporary file and renames it over the original only after the whole
notebook ran without error, then cleans it with nbdev-clean, so a failed run never leaves a half-written
notebook. Each kernel first starts TensorFlow the project's one quiet way, `reuters_nb.cli.start_tensorflow()`
(a cell of its own, run before the notebook's first cell and never saved), so TensorFlow's C++ notes reach no
output; everything a cell prints is kept.
"""
from __future__ import annotations

import argparse
import subprocess
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from reuters_nb.helpers import write_atomically

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
QUIET_START = "from reuters_nb.cli import start_tensorflow\nstart_tensorflow()"  # the kernel's first cell, not saved


def notebooks(paths=()) -> list[Path]:
    "The notebooks to run: the given ones, else every notebook under nbs/ (not those in hidden or _ folders)"
    if paths: return [Path(p).resolve() for p in paths]
    return sorted(p for p in NBS.rglob("*.ipynb")
                  if not any(part.startswith((".", "_")) for part in p.relative_to(NBS).parts))


def run_notebook(path: Path, save: bool = False, timeout: int = 900) -> None:
    "Execute `path` in a fresh python3 kernel from its own folder; raise on the first failing cell"
    before = path.read_bytes()
    nb = nbformat.reads(before.decode("utf-8"), as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(QUIET_START))  # TensorFlow started quietly, before any cell imports it
    try: NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=False,  # no widget state: a bar saves as its text
                                resources={"metadata": {"path": str(path.parent)}}).execute()
    finally: del nb.cells[0]
    if not save: return
    if path.read_bytes() != before:  # edited while it ran: saving would overwrite the edit with the old cells
        raise RuntimeError(f"{path} changed while it ran, so its outputs were not saved: run it again.")
    write_atomically(path, nbformat.writes(nb) + "\n")  # keeps the notebook's own mode
    subprocess.run(["nbdev-clean", "--fname", str(path)], check=True, cwd=ROOT)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="*", help="notebooks to run (default: all under nbs/)")
    p.add_argument("--save", action="store_true", help="write the outputs into the notebooks")
    args = p.parse_args(argv)
    for path in notebooks(args.paths):
        print(f"running {path.relative_to(ROOT)}", flush=True)
        run_notebook(path, save=args.save)
    print("done")


if __name__ == "__main__":
    main()
