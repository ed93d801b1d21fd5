"""Every notebook is a test, once: the English pages through nbdev-test (what nbdev's CI runs), and the Korean twins of
the four pages that train no network (data, model, run folders, performance) in a real Jupyter kernel (what a reader runs in
JupyterLab). A Korean page's code cells are the English page's, character for character (tests/test_korean.py checks it),
and every `say(en, ko)` evaluates both sentences whichever language is set, so running a page a second time in Korean runs
the same code on the same data again: the other twins are checked for code, prose and Korean tables instead
(tests/test_korean.py), not run. Four pages are enough for the kernel route, which is the same for every page; each
further one costs a new kernel, TensorFlow's 8 s start and its page's training. nbdev-test must say that it ran the page
(it also says "Success." for a page it skipped) and leave out no code cell. Plus: the committed package is exactly what
the notebooks export."""
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from run_nbs import notebooks, run_notebook  # noqa: E402

# Longest first, so the two xdist workers finish together instead of waiting on one slow notebook at the end.
SLOW = ["05_experiments", "09_pipeline", "06_tfidf", "07_wires", "04_analysis", "10_cli", "03_train", "index"]
NOTEBOOKS = sorted(notebooks(), key=lambda p: SLOW.index(p.stem) if p.stem in SLOW else len(SLOW))
ENGLISH = [p for p in NOTEBOOKS if p.parent.name != "ko"]
KOREAN = [p for p in NOTEBOOKS if p.parent.name == "ko"]
# The pages that train no network: their Korean twins run in a kernel, the others' are not run again.
IN_KERNEL_PAGES = {"00_data", "02_model", "08_store", "11_performance"}
IN_KERNEL = [p for p in KOREAN if p.stem in IN_KERNEL_PAGES]
_ids = lambda nbs: [str(p.relative_to(ROOT / "nbs")) for p in nbs]


def test_both_languages_are_run():
    assert len(ENGLISH) == len(KOREAN) >= 9, (_ids(ENGLISH), _ids(KOREAN))
    assert sorted(p.name for p in ENGLISH) == sorted(p.name for p in KOREAN)
    assert len(IN_KERNEL) == len(IN_KERNEL_PAGES), _ids(IN_KERNEL)  # a renamed page is not silently dropped from the kernel route


@pytest.mark.parametrize("nb", ENGLISH, ids=_ids(ENGLISH))
def test_nbdev_test(nb):
    r = subprocess.run(["nbdev-test", "--do-print", str(nb)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, f"nbdev-test failed on {nb.name}:\n{r.stderr[-6000:]}"
    said = r.stdout + r.stderr  # nbdev-test also says "Success." when it ran nothing: no eligible file, or `skip_exec: true`
    completed = any(line.startswith("- Completed ") and line.endswith(f"/{nb.name}") for line in r.stdout.splitlines())  # --do-print
    assert "Success." in said and completed, f"nbdev-test did not run {nb.name}:\n{said[-2000:]}"


def test_nbdev_test_runs_every_code_cell():
    "nbdev-test leaves out, and still passes, a page whose front matter says `skip_exec` and cells with `eval: false` or a flag of `tst_flags`; none may"
    from nbdev.config import get_config
    from nbdev.test import nb_test_cells  # nbdev's own answer: the cells its test run executes
    import nbformat
    flags = get_config(ROOT).tst_flags.split()
    left_out = {}
    for nb in NOTEBOOKS:
        code, run = sum(c.cell_type == "code" for c in nbformat.read(nb, as_version=4).cells), len(nb_test_cells(nb, flags))
        if run != code: left_out[str(nb.relative_to(ROOT))] = code - run
    assert not left_out, f"code cells nbdev-test would not run, by notebook: {left_out}"


@pytest.mark.parametrize("nb", IN_KERNEL, ids=_ids(IN_KERNEL))
def test_runs_in_jupyter_kernel(nb):
    run_notebook(nb)


def _snapshot(root):
    "Contents of every file under reuters_nb/ and nbs/ of `root`, by path relative to it"
    return {str(p.relative_to(root)): p.read_bytes() for d in ("reuters_nb", "nbs") for p in (root / d).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts}


def test_export_and_clean_change_nothing(tmp_path):
    "On a copy of the project: a failure must not rewrite the working tree (the next run would pass), nor race nbdev-test"
    import shutil
    copy = tmp_path / "project"
    for d in ("reuters_nb", "nbs"): shutil.copytree(ROOT / d, copy / d, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copy(ROOT / "pyproject.toml", copy)
    before = _snapshot(copy)
    for cmd in (["nbdev-export"], ["nbdev-clean"]):
        subprocess.run(cmd, cwd=copy, check=True, capture_output=True)
    after = _snapshot(copy)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    assert not changed, f"run nbdev-export and nbdev-clean, then commit; they changed: {changed}"


def test_imports_stand_alone():
    "nbdev's docs build runs every cell that imports something; a cell mixing imports with other code would run there too"
    import ast
    import nbformat
    bad = []
    for nb in NOTEBOOKS:
        for i, cell in enumerate(nbformat.read(nb, as_version=4).cells):
            if cell.cell_type != "code" or any(d in cell.source for d in ("#| export", "#| exec_doc")): continue
            body = "\n".join(l for l in cell.source.splitlines() if not l.lstrip().startswith(("#|", "%", "!")))
            nodes = ast.parse(body).body
            if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in nodes) and \
               not all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in nodes):
                bad.append(f"{nb.relative_to(ROOT)} cell {i}")
    assert not bad, f"put these cells' imports into a cell of their own (see nbdev's FAQ): {bad}"


MACHINE_PATH = re.compile(r"(?<![\w.:/~\\-])/(?:[A-Za-z0-9_.-]+/)+[A-Za-z0-9_.-]+|\b[A-Za-z]:\\{1,2}[^\s'\",;)]+")


def machine_paths(text: str) -> list[str]:
    "Absolute paths in `text` (POSIX with at least two parts, or Windows): a place on the machine that ran a page"
    return MACHINE_PATH.findall(text)


def test_machine_paths_are_found():
    "The planted cases: what a saved output must not show, and what it may (URLs, Keras's '16/16' steps, fractions)"
    assert machine_paths("Data: /home/ada/datasets (from $REUTERS_NB_DATA)") == ["/home/ada/datasets"]
    assert machine_paths("/usr/lib/python3/site-packages/keras/x.py:869: UserWarning") == ["/usr/lib/python3/site-packages/keras/x.py"]
    assert machine_paths(r"saved to C:\Users\ada\run, or C:\\Users as repr shows it") == [r"C:\Users\ada\run", r"C:\\Users"]
    assert machine_paths("see https://keras.io/api/models/ and 16/16 - 1s - 84ms/step; 1/2; runs/latest/model.keras") == []


def test_no_saved_output_carries_a_machine_path():
    "A saved output shows what a reader should read: never the folder a page was built in, nor an interpreter's path"
    import nbformat
    found = []
    for nb in NOTEBOOKS:
        for cell in nbformat.read(nb, as_version=4).cells:
            for out in cell.get("outputs", []):
                text = str(out.get("text", "")) + "".join(str(v) for k, v in out.get("data", {}).items() if k.startswith("text"))
                found += [f"{nb.relative_to(ROOT)} cell {cell.get('id')}: {p}" for p in machine_paths(text)]
    assert not found, found


INSTALL_CELL = '''#| hide
# Where the package is missing, as in Colab, install it; where it is installed, as here, this does nothing.
if __import__("importlib.util").util.find_spec("reuters_nb") is None:
    get_ipython().run_line_magic("pip", 'install -q "git+https://github.com/reuters-nb/reuters_nb"')'''


def test_every_page_installs_itself_in_colab():
    "Each page but the front page opens with the install cell (after `default_exp`), which does nothing where the package is installed"
    import importlib.util
    import nbformat
    for nb in NOTEBOOKS:
        if nb.stem == "index": continue
        code = [c.source for c in nbformat.read(nb, as_version=4).cells if c.cell_type == "code" and not c.source.startswith("#| default_exp")]
        assert code and code[0] == INSTALL_CELL, f"{nb.relative_to(ROOT)}: its first code cell is not the install cell"
    assert importlib.util.find_spec("reuters_nb") is not None  # so the cell's condition is false here: nothing is installed
    condition = INSTALL_CELL.splitlines()[2].removeprefix("if ").removesuffix(":")
    assert eval(condition) is False
