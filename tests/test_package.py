"""What `pip install` gives a user: a package whose modules need only the declared runtime dependencies, and a README
(the package's page on PyPI and GitHub) that is the site's front page, nbs/index.ipynb, rendered by tools/build_readme.py."""
import ast
import json
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import build_readme  # noqa: E402

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
_name = lambda requirement: re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")
RUNTIME = {_name(r) for r in PROJECT["dependencies"]}


def imported(source: str) -> set[str]:
    "The top-level names a module imports, anywhere in it (inside functions too: they run when called)"
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import): names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module: names.add(node.module.split(".")[0])
    return names


def undeclared(source: str) -> dict[str, list[str]]:
    "Each third-party import of `source` that no runtime dependency provides, with the distributions that would"
    provides = packages_distributions()
    out = {}
    for name in sorted(imported(source) - set(sys.stdlib_module_names) - {"reuters_nb", "__future__"}):
        dists = sorted({_name(d) for d in provides.get(name, [])})
        if not RUNTIME & set(dists): out[name] = dists or ["(not installed)"]
    return out


def test_every_module_imports_only_runtime_dependencies():
    modules = sorted((ROOT / "reuters_nb").glob("*.py"))
    assert len(modules) >= 10, modules
    found = {m.name: undeclared(m.read_text(encoding="utf-8")) for m in modules}
    bad = {m: u for m, u in found.items() if u}
    assert not bad, f"these modules import what `pip install reuters-nb` does not install; declare it in [project] dependencies or import it elsewhere: {bad}"


def test_the_import_check_catches_a_dev_only_import():
    "The planted case: IPython (a JupyterLab dependency, not a runtime one), imported inside a function as sweep_table once did"
    planted = "import numpy as np\nfrom .helpers import say\ndef show(x):\n    from IPython.display import Markdown\n    return Markdown(x)\n"
    assert set(undeclared(planted)) == {"IPython"}
    assert undeclared("import keras, numpy\nfrom tqdm.auto import tqdm\nimport json, os.path\n") == {}
    assert "ipython" not in RUNTIME and {"tensorflow", "keras", "numpy", "matplotlib", "tqdm"} <= RUNTIME


def test_the_readme_is_the_front_page():
    assert (ROOT / "README.md").read_text(encoding="utf-8") == build_readme.build(), \
        "README.md is not what nbs/index.ipynb renders to: run `python tools/build_readme.py` and commit README.md"


def test_the_readme_links_work_off_the_site():
    "On PyPI and GitHub only absolute links work: every link of the README is a full address or an anchor"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    assert len(targets) >= 10, targets
    site = build_readme.site_url()
    relative = [t for t in targets if not re.match(r"^(https?://|#)", t)]
    assert not relative, relative
    assert not [t for t in targets if t.startswith(site) and not t.endswith(".html") and "#" not in t and t != site], targets
    assert f"]({site}data.html)" in text and f"]({site}ko/index.html)" in text


def test_the_readme_says_the_set_up_in_order():
    "Install, the data (offline: REUTERS_NB_DATA), the first check, the main job, then the tests"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    steps = ["pip install \"git+", "pip install -e \".[dev]\"", "export REUTERS_NB_DATA=", "reuters-nb info",
             "chapter_protocol(x_train", "reuters-nb train -o runs/latest", "\n## Tests\n\n```sh\npytest\n```"]
    where = [text.find(s) for s in steps]
    assert -1 not in where and where == sorted(where), dict(zip(steps, where))
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "\npytest\n" in ci  # the README's test command is what CI runs


def test_the_render_follows_the_notebook():
    "A planted edit of the notebook changes the render; nbdev's directives decide what a reader of the README sees"
    nb = json.loads((ROOT / "nbs" / "index.ipynb").read_text(encoding="utf-8"))
    site = "https://example.org/site/"
    cell = lambda kind, source, outputs=(): dict(cell_type=kind, source=source, metadata={}, outputs=list(outputs))
    plain = lambda text: dict(output_type="execute_result", data={"text/plain": text})
    nb["cells"] = [cell("markdown", "# T\n\n> d"), cell("markdown", "See [data](data.html), [it](ko/00_data.ipynb#x) and [out](https://a.b/c)."),
                   cell("code", "#| hide\nsecret = 1"), cell("code", "#| echo: false\nx = 2", [plain("2")]),
                   cell("code", "y = 3\ny", [plain("3")]), cell("code", "#| output: false\nz = 4", [plain("4")]),
                   cell("code", "plot()", [dict(output_type="display_data", data={"image/png": "iVBOR", "text/plain": "<Figure>"})]),
                   cell("code", "md()", [dict(output_type="display_data", data={"text/markdown": "**bold**", "text/plain": "x"})])]
    got = build_readme.render(nb, site)
    assert got == (build_readme.HEADER + "# T\n\n> d\n\nSee [data](https://example.org/site/data.html), "
                   "[it](https://example.org/site/ko/data.html#x) and [out](https://a.b/c).\n\n```\n2\n```\n\n"
                   "```python\ny = 3\ny\n```\n\n```\n3\n```\n\n```python\nz = 4\n```\n\n```python\nplot()\n```\n\n"
                   "```python\nmd()\n```\n\n**bold**\n"), got
    nb["cells"][1]["source"] = "See nothing."
    assert build_readme.render(nb, site) != got


def test_build_readme_check_fails_on_a_stale_readme(tmp_path, monkeypatch):
    for name in ("pyproject.toml", "README.md"): (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / "nbs").mkdir()
    (tmp_path / "nbs" / "index.ipynb").write_bytes((ROOT / "nbs" / "index.ipynb").read_bytes())
    monkeypatch.setattr(build_readme, "ROOT", tmp_path)
    assert build_readme.main(["--check"]) == 0
    (tmp_path / "README.md").write_text((ROOT / "README.md").read_text(encoding="utf-8").replace("pytest", "pytest -x", 1), encoding="utf-8")
    assert build_readme.main(["--check"]) == 1
    assert build_readme.main([]) == 0 and build_readme.main(["--check"]) == 0  # rebuilt
    assert not list(tmp_path.glob(".README*"))  # no temporary file left
