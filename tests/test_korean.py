"""The Korean notebooks (nbs/ko/) against the English ones: the same code, prose in Korean, a link to the twin right
after each page's title, and nothing exported. The checks are those of `python tools/sync_ko.py --check`; the last
tests run the tool on scratch copies, to show that the check fails on English code that was not synced and passes
once the tool ran."""
import re
import shutil
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import sync_ko  # noqa: E402
from sync_ko import code_problems, link_problems, prose_problems, read_nb, sync, twin  # noqa: E402

PAGES = sync_ko.english_pages()
IDS = [p.stem for p in PAGES]


def _report(problems): return "\n" + "\n".join(problems)


@pytest.mark.parametrize("en", PAGES, ids=IDS)
def test_code_same_as_english(en):
    problems = code_problems(en)
    assert not problems, _report(problems)


@pytest.mark.parametrize("en", PAGES, ids=IDS)
def test_prose_is_korean(en):
    problems = prose_problems(twin(en))
    assert not problems, _report(problems)


@pytest.mark.parametrize("en", PAGES, ids=IDS)
def test_pages_link_to_their_twin(en):
    problems = link_problems(en)
    assert not problems, _report(problems)


@pytest.mark.parametrize("en", PAGES, ids=IDS)
def test_korean_page_exports_nothing(en, tmp_path):
    from nbdev.export import nb_export
    if not twin(en).exists(): pytest.skip(f"{sync_ko.rel(twin(en))} is missing (test_code_same_as_english says so)")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        nb_export(twin(en), lib_path=tmp_path)
    assert not list(tmp_path.iterdir()), f"{sync_ko.rel(twin(en))} exports code: it must not (see tools/sync_ko.py)"
    assert not caught, f"nbdev-export warns about {sync_ko.rel(twin(en))}: {[str(w.message) for w in caught]}"


def test_every_korean_page_has_an_english_page():
    problems = sync_ko.orphans()
    assert not problems, _report(problems)


# --- the tool, on scratch copies of a real pair ------------------------------------------------------------------

def _scratch(tmp_path, name="03_train.ipynb"):
    "Copies of an English page and its Korean twin in tmp_path/nbs/ and tmp_path/nbs/ko/"
    (tmp_path / "nbs" / "ko").mkdir(parents=True)
    en, ko = tmp_path / "nbs" / name, tmp_path / "nbs" / "ko" / name
    shutil.copy(ROOT / "nbs" / name, en)
    shutil.copy(ROOT / "nbs" / "ko" / name, ko)
    return en, ko


def _edit(path, change):
    nb = read_nb(path)
    change(nb["cells"])
    sync_ko.write_nb(nb, path)


def _index(path, start):
    "Index of the code cell of `path` whose source starts with `start`"
    return next(i for i, c in enumerate(read_nb(path)["cells"]) if c["cell_type"] == "code" and c["source"].startswith(start))


def _markdown(path): return [c["source"] for c in read_nb(path)["cells"] if c["cell_type"] == "markdown"]


def test_changed_english_code_fails_the_check_until_synced(tmp_path):
    en, ko = _scratch(tmp_path)
    assert not code_problems(en, ko)
    kept = {"name": "stdout", "output_type": "stream", "text": "saved output\n"}
    _edit(ko, lambda cells: [c.update(outputs=[kept]) for c in cells if c["cell_type"] == "code"])
    before = read_nb(ko)["cells"]
    i = _index(en, "best = best_epoch(history)")
    _edit(en, lambda cells: cells[i].update(source=cells[i]["source"] + "\nprint(best)"))

    problems = code_problems(en, ko)
    assert problems and "ko/03_train.ipynb: code cell" in problems[0] and "best = best_epoch(history)" in problems[0]
    assert "+print(best)" in problems[0] and "python tools/sync_ko.py" in problems[-1]

    report = sync(en, ko)
    assert "changed, outputs cleared" in report[0] and "python tools/run_nbs.py --save" in report[-1]
    assert not code_problems(en, ko)
    after = read_nb(ko)["cells"]
    # the same cells in the same places: Korean markdown untouched, only the changed cell's source and outputs differ
    assert [(c["cell_type"], c["id"]) for c in after] == [(c["cell_type"], c["id"]) for c in before]
    changed = [k for k, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(changed) == 1 and after[changed[0]]["source"].endswith("print(best)") and not after[changed[0]]["outputs"]
    assert all(["".join(o["text"]) for o in c["outputs"]] == [kept["text"]]
               for k, c in enumerate(after) if c["cell_type"] == "code" and k != changed[0]), "the other cells keep outputs"
    assert sync(en, ko) == [], "a second sync has nothing to do"


def test_markdown_stays_with_its_code_when_cells_come_and_go(tmp_path):
    en, ko = _scratch(tmp_path)
    korean_prose = _markdown(ko)
    new, gone = _index(en, "best = best_epoch(history)") + 1, _index(en, "test_eq(five.accuracy")

    def change(cells):  # a new code cell with an English sentence after it; the last code cell removed
        del cells[gone]
        cells[new:new] = [dict(cells[new - 1], id="newcode1", source="print(f'best epoch: {best}')", outputs=[]),
                          {"cell_type": "markdown", "id": "newtext1", "metadata": {}, "source": "We print it."}]
    _edit(en, change)
    problems = code_problems(en, ko)
    assert any("is missing" in p and "print(f'best epoch" in p for p in problems)
    assert any("is not in the English page" in p and "test_eq(five.accuracy" in p for p in problems)

    report = sync(en, ko)
    assert any("added" in r for r in report) and any("removed" in r for r in report)
    assert not code_problems(en, ko)
    cells = read_nb(ko)["cells"]
    k = next(k for k, c in enumerate(cells) if c["source"].startswith("print(f'best epoch"))
    assert cells[k - 1]["source"].startswith("best = best_epoch(history)")
    assert cells[k + 1]["source"].startswith("We print it.") and sync_ko.TODO in cells[k + 1]["source"]
    assert [m for m in _markdown(ko) if sync_ko.TODO not in m] == korean_prose, "Korean prose kept, in order"
    assert any(sync_ko.TODO in p for p in prose_problems(ko)), "the English sentence must be translated"


def test_new_english_page_gets_a_skeleton_that_fails_until_translated(tmp_path):
    (tmp_path / "nbs").mkdir()
    en = tmp_path / "nbs" / "02_model.ipynb"
    shutil.copy(ROOT / "nbs" / en.name, en)
    assert "is missing" in code_problems(en)[0]

    assert "created" in sync(en)[0]
    ko = twin(en)
    assert not code_problems(en) and not link_problems(en)
    problems = prose_problems(ko)
    english_prose = len(_markdown(en)) - 1  # all but the language link
    assert len([p for p in problems if sync_ko.TODO in p]) == english_prose, _report(problems)
    code = [c["source"] for c in read_nb(ko)["cells"] if c["cell_type"] == "code"]
    assert not any(re.search(r"^#\|\s*(export|default_exp)\b", s, re.M) for s in code)


def test_directive_mapping():
    assert sync_ko.ko_source("#| default_exp model") is None
    assert sync_ko.ko_source("#| export\ndef f(): pass") == "#| exec_doc\n#| echo: false\ndef f(): pass"
    assert sync_ko.ko_source("#| exporti\ndef _g(): pass") == "#| hide\ndef _g(): pass"
    for kept in ("#| hide\nfrom fastcore.test import *", "#| eval: false\nrun()", "x = 1  # not a #| export"):
        assert sync_ko.ko_source(kept) == kept


# --- the Korean tables: what the heavy pages' Korean twins would print, without training their networks again ----

def _saved_markdown(path):
    "Every Markdown output saved in the notebook at `path`"
    return ["".join(o.get("data", {}).get("text/markdown", "")) for c in read_nb(path)["cells"] if c["cell_type"] == "code"
            for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]


def _tables():
    "The package's three tables, each on a small hand-made case, as (page, Markdown) in the current language"
    import numpy as np
    from reuters_nb.analysis import topic_report
    from reuters_nb.data import topic_summary
    from reuters_nb.experiments import summarize_sweep, sweep_table
    cm = np.diag(np.arange(46) % 3 + 1)
    cm[3, 4] = 2  # two earn wires taken for acq
    runs = [dict(name="2 × 64", hidden=(64, 64), seed=s, epochs=9, val_accuracy=0.8, test_loss=1.0, test_accuracy=a)
            for s, a in enumerate((0.79, 0.80))]
    return [("00_data", topic_summary([3, 3, 4], [3])._repr_markdown_()),
            ("04_analysis", topic_report(cm)._repr_markdown_()),
            ("05_experiments", str(sweep_table(summarize_sweep(runs))))]


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_tables_in_each_language(lang):
    "Headers in the page's language, as many cells in every row as in the header, and the header its saved page shows"
    from reuters_nb.helpers import set_language
    previous = set_language(lang)
    try: tables = _tables()
    finally: set_language(previous)
    for page, table in tables:
        lines = table.splitlines()
        header = lines[0]
        assert (re.search("[가-힣]", header) is not None) == (lang == "ko"), (page, header)
        widths = {line.count("|") for line in lines}
        assert widths == {header.count("|")} and header.count("|") >= 5, (page, lines)
        saved = ROOT / "nbs" / ("ko" if lang == "ko" else "") / f"{page}.ipynb"
        assert any(md.splitlines()[:1] == [header] for md in _saved_markdown(saved)), \
            f"{sync_ko.rel(saved)} shows no table with the header {header!r}: re-run it (python tools/run_nbs.py --save)"


# --- figure text: a code cell's fig-alt and fig-cap are prose, each language's own ---------------------------------

def test_figure_text_belongs_to_each_language(tmp_path):
    en, ko = _scratch(tmp_path, "04_analysis.ipynb")
    assert not code_problems(en, ko) and not prose_problems(ko)
    figure = lambda path: next(i for i, c in enumerate(read_nb(path)["cells"])  # the confusion matrix's cell
                               if c["cell_type"] == "code" and sync_ko.code_of(c["source"]).startswith("plot_confusion_matrix(cm)"))
    e, k = figure(en), figure(ko)
    korean_alt = sync_ko.split_prose(read_nb(ko)["cells"][k]["source"])[1]["fig-alt"]
    assert re.search("[가-힣]", korean_alt), "the Korean page's alt text is Korean"
    outputs = read_nb(ko)["cells"][k]["outputs"]
    assert outputs, "the figure is saved in the Korean page"

    # the English alt text changes: no difference between the twins' code, nothing to sync
    _edit(en, lambda cells: cells[e].update(source=cells[e]["source"].replace("Heatmap", "A heatmap", 1)))
    assert not code_problems(en, ko) and sync(en, ko) == []

    # the Korean cell has no alt text: the check says so, the sync brings the English one marked TODO(번역), outputs kept
    _edit(ko, lambda cells: cells[k].update(source=sync_ko.code_of(cells[k]["source"])))
    assert any("has no fig-alt" in p for p in code_problems(en, ko))
    report = sync(en, ko)
    assert "fig-alt added" in report[0] and not any("run_nbs.py" in r for r in report), report
    cell = read_nb(ko)["cells"][k]
    assert cell["source"].startswith(f'#| fig-alt: "{sync_ko.TODO} A heatmap') and cell["outputs"] == outputs
    assert not code_problems(en, ko) and any(f"still has {sync_ko.TODO} in its fig-alt" in p for p in prose_problems(ko))
    _edit(ko, lambda cells: cells[k].update(source=cells[k]["source"].replace(f"{sync_ko.TODO} ", "")))
    assert any("English fig-alt" in p for p in prose_problems(ko)), "an English alt text on a Korean page is not prose"

    # translated; then the English code changes: the sync replaces the code and keeps the Korean alt text
    _edit(ko, lambda cells: cells[k].update(source=korean_alt + sync_ko.code_of(cells[k]["source"])))
    assert not code_problems(en, ko) and not prose_problems(ko)
    _edit(en, lambda cells: cells[e].update(source=cells[e]["source"] + "\nplt.show()"))
    assert any("differs from English" in p and "+plt.show()" in p for p in code_problems(en, ko))
    assert "changed, outputs cleared" in sync(en, ko)[0]
    cell = read_nb(ko)["cells"][k]
    assert cell["source"] == korean_alt + "plot_confusion_matrix(cm);\nplt.show()" and not cell["outputs"]
    assert not code_problems(en, ko) and not prose_problems(ko)


def test_figure_text_is_split_from_the_code():
    src = '#| hide\n#| fig-alt: "Bars: per topic"\n#| fig-cap: [a, b]\nplot()  # fig-alt: not a directive\n'
    code, prose = sync_ko.split_prose(src)
    assert code == "#| hide\nplot()  # fig-alt: not a directive\n" and list(prose) == ["fig-alt", "fig-cap"]
    assert sync_ko.prose_value(prose["fig-alt"]) == "Bars: per topic" and sync_ko.prose_value(prose["fig-cap"]) == "a b"
    assert sync_ko.todo_prose(prose["fig-cap"]) == f'#| fig-cap: ["{sync_ko.TODO} a", "{sync_ko.TODO} b"]\n'
    assert sync_ko.with_prose(code, prose) == '#| hide\n#| fig-alt: "Bars: per topic"\n#| fig-cap: [a, b]\nplot()  # fig-alt: not a directive\n'
    assert sync_ko.code_of('#| fig-alt: "한국어"\nplot()') == sync_ko.code_of('#| fig-alt: "English"\nplot()') == "plot()"
