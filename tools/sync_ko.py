"""Keep the Korean notebooks in nbs/ko/ in step with the English ones: the same code, prose in Korean.

    python tools/sync_ko.py                        # update every Korean twin, or create it
    python tools/sync_ko.py nbs/03_train.ipynb     # only this page
    python tools/sync_ko.py --check                # change nothing; list what differs, exit 1 if anything does

Code flows from English to Korean; prose is written by hand. The twin of nbs/X.ipynb is nbs/ko/X.ipynb. It holds
the English code cells in the same order, with the nbdev directives mapped by `ko_source` (the Korean page exports
nothing, yet shows the same API reference), and its own markdown.

Alignment: code cells are matched by their text (difflib over the two lists of code cells), and each Korean
markdown cell belongs to the code cell it follows and moves with it. A code cell that changed in English replaces
its Korean counterpart, outputs cleared; a new English code cell comes in with the English markdown that follows
it, marked TODO(번역); the Korean markdown after a removed code cell stays, after the code cell before it.
Unchanged code cells keep their outputs. A new English page gets a skeleton: its code, and all its markdown
marked TODO(번역).

Figure text is prose too: a code cell's `#| fig-alt: ...` and `#| fig-cap: ...` lines (Quarto's alt text and caption
of the cell's figure) belong to each language. Code cells are compared without them; a sync keeps the Korean cell's
own when the code around them changes, and brings a fig-alt or fig-cap that only the English cell has in English,
marked TODO(번역), to be translated like new markdown. After a sync that touched code, refresh the outputs with
`python tools/run_nbs.py --save nbs/ko/X.ipynb`. Notebooks are cleaned as nbdev-clean does and written atomically.

`--check`, and tests/test_korean.py with the same functions, fail when a Korean twin is missing (or its English
page is), a code cell differs, a Korean page's prose (figure text included) is not mostly Korean or still has a
TODO(번역), an English figure's fig-alt or fig-cap has none in the Korean cell, or the link to the twin is missing at
the top of either page.
"""
from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from pathlib import Path

import yaml

from fastcore.nbio import nb2str
from fastcore.xtras import rtoken_hex
from nbdev.clean import clean_nb

from reuters_nb.helpers import write_atomically

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
TODO = "TODO(번역)"
TODO_NOTE = f"**{TODO}** 위 영어 글을 한국어로 옮긴 다음 이 줄을 지우세요."
MIN_PAGE_SHARE = 0.5  # Hangul among the letters of a Korean page's prose...
MIN_PARAGRAPH_SHARE = 0.2  # ...and of each paragraph with at least MIN_PARAGRAPH_LETTERS letters (an English one has ~0)
MIN_PARAGRAPH_LETTERS = 30

_DIRECTIVE = re.compile(r"^\s*#\s*\|\s*([^\s:]+)")  # nbdev's `#| name ...` comment directives
# English directive -> its Korean lines. `export`: the English page shows the API (show_doc) and hides the source,
# so the Korean cell runs for the docs (nbdev adds show_doc after `exec_doc` cells) with its source hidden;
# `exports` shows the source too; `exporti` (private, no docs) becomes hidden; `default_exp` goes. Others stay.
DIRECTIVES = {"export": ["#| exec_doc", "#| echo: false"], "exports": ["#| exec_doc"], "exporti": ["#| hide"],
              "default_exp": []}


# English line -> its Korean line: the one line of code that differs between twins, choosing the language of the
# tables the package prints (`reuters_nb.helpers.set_language`); every other line of code is the same in both
LINES = {'set_language("en")': 'set_language("ko")'}


# Quarto cell options that are text for the reader, in the page's language: a figure's alt text and caption. Each is
# one `#| name: value` line among the directives at the top of a cell (value in YAML: quote one that holds ": ")
PROSE_OPTIONS = ("fig-alt", "fig-cap")


def split_prose(src: str) -> tuple[str, dict[str, str]]:
    "`src` without its `PROSE_OPTIONS` lines, and those lines by option name"
    lines, prose, at = src.splitlines(keepends=True), {}, set()
    for i, line in enumerate(lines):
        m = _DIRECTIVE.match(line)
        if not m:
            if line.strip(): break  # the code starts: directives come first in a cell
            continue
        if m.group(1) in PROSE_OPTIONS:
            prose[m.group(1)] = line
            at.add(i)
    return "".join(l for i, l in enumerate(lines) if i not in at), prose


def code_of(src: str) -> str:
    "A code cell's source as the twins compare it: without its figure text (`PROSE_OPTIONS`)"
    return split_prose(src)[0]


def prose_value(line: str) -> str:
    "The text of a `#| fig-alt: ...` line (a fig-cap list's items joined); the line itself when it is not valid YAML"
    try: value = (yaml.safe_load(re.sub(r"^\s*#\s*\|\s*", "", line)) or {})
    except yaml.YAMLError: return line
    value = next(iter(value.values()), "") if isinstance(value, dict) else value
    return " ".join(map(str, value)) if isinstance(value, list) else str(value or "")


def with_prose(src: str, prose: dict[str, str]) -> str:
    "`src` (without figure text) with the lines of `prose` after its other directives, before its code"
    if not prose: return src
    lines = src.splitlines(keepends=True)
    at = next((i for i, l in enumerate(lines) if l.strip() and not _DIRECTIVE.match(l)), len(lines))
    add = [l if l.endswith("\n") else l + "\n" for l in prose.values()]
    if at == len(lines) and lines and not lines[-1].endswith("\n"): lines[-1] += "\n"
    return "".join(lines[:at] + add + lines[at:])


def todo_prose(line: str) -> str:
    "An English fig-alt or fig-cap line for the Korean cell: its text marked TODO(번역), still valid YAML"
    m = _DIRECTIVE.match(line)
    try: value = yaml.safe_load(re.sub(r"^\s*#\s*\|\s*", "", line))[m.group(1)]
    except (yaml.YAMLError, TypeError, KeyError): value = prose_value(line)
    marked = [f"{TODO} {v}" for v in value] if isinstance(value, list) else f"{TODO} {value}"
    return f"#| {m.group(1)}: {json.dumps(marked, ensure_ascii=False)}\n"


def ko_source(src: str) -> str | None:
    "An English code cell's source as its Korean twin has it: directives and `LINES` mapped; None for a cell left empty"
    lines = [LINES[l.rstrip("\n")] + ("\n" if l.endswith("\n") else "") if l.rstrip("\n") in LINES else l
             for l in src.splitlines(keepends=True)]
    out, mapped = [], False
    for i, line in enumerate(lines):
        m = _DIRECTIVE.match(line)
        if not m and line.strip():  # the code starts: directives come first in a cell
            out += lines[i:]
            break
        if m and m.group(1) in DIRECTIVES:
            mapped = True
            out += [d + "\n" for d in DIRECTIVES[m.group(1)]]
        else: out.append(line)
    if mapped and not "".join(out).strip(): return None
    return "".join(out)


# --- notebooks, as plain JSON ----------------------------------------------------------------------------------

def src(cell: dict) -> str:
    s = cell["source"]
    return s if isinstance(s, str) else "".join(s)


def read_nb(path: Path) -> dict:
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for c in nb["cells"]: c["source"] = src(c)
    return nb


def write_nb(nb: dict, path: Path) -> bool:
    "Clean `nb` as nbdev-clean does, write it to `path` through a temporary file; False if that changed nothing"
    clean_nb(nb)
    text = nb2str(nb)
    if path.exists() and path.read_text(encoding="utf-8") == text: return False
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text)
    return True


def rel(path: Path) -> str:
    path = Path(path)
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def english_pages(nbs: Path = NBS) -> list[Path]:
    "The English notebooks: nbs/*.ipynb, not those starting with `_` or `.`"
    return sorted(p for p in Path(nbs).glob("*.ipynb") if not p.name.startswith(("_", ".")))


def twin(en: Path) -> Path: return en.parent / "ko" / en.name


def _first_line(code: str) -> str:
    line = next((l for l in code.splitlines() if l.strip() and not _DIRECTIVE.match(l)), "")
    return f"`{line.strip()[:60]}`"


def _english_cells(en_nb: dict) -> list[dict]:
    "The English notebook's cells, each code cell's source mapped by `ko_source` (cells it empties left out)"
    cells = []
    for c in en_nb["cells"]:
        if c["cell_type"] == "code":
            s = ko_source(src(c))
            if s is None: continue
            c = {"cell_type": "code", "execution_count": None, "id": c.get("id") or rtoken_hex(4), "metadata": {},
                 "outputs": [], "source": s}
        cells.append(c)
    return cells


def _sections(cells: list[dict]) -> list[tuple[dict | None, list[dict]]]:
    "`cells` as `(code cell, the cells after it up to the next code cell)`; the first has no code: the cells before any"
    out = [(None, [])]
    for c in cells:
        if c["cell_type"] == "code": out.append((c, []))
        else: out[-1][1].append(c)
    return out


def _pairs(ko_code: list[str], en_code: list[str]):
    "`(tag, Korean index or None, English index or None)` for each code cell, from difflib's alignment of the two lists"
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, ko_code, en_code, autojunk=False).get_opcodes():
        for n in range(max(i2 - i1, j2 - j1)):
            yield tag, (i1 + n if i1 + n < i2 else None), (j1 + n if j1 + n < j2 else None)


def _language_link(name: str, korean: bool) -> str:
    return f"[English](../{name})" if korean else f"[한국어](ko/{name})"


def _todo(cell: dict, name: str) -> dict:
    "English markdown carried into the Korean notebook: the language link swapped, anything else marked TODO(번역)"
    text = src(cell).strip()
    return {**cell, "id": rtoken_hex(4),
            "source": _language_link(name, True) if text == _language_link(name, False) else f"{text}\n\n{TODO_NOTE}"}


def _todo_code(cell: dict, keep: dict[str, str] | None = None) -> dict:
    "An English code cell for the Korean notebook: the figure text of `keep` (the Korean cell's), else English marked TODO"
    code, prose = split_prose(src(cell))
    prose = {k: (keep or {}).get(k) or todo_prose(v) for k, v in prose.items()} | (keep or {})
    return {**cell, "source": with_prose(code, prose)}


# --- the checks ------------------------------------------------------------------------------------------------

def code_problems(en: Path, ko: Path | None = None) -> list[str]:
    "Where the Korean twin's code cells differ from the English ones (after `ko_source`); empty when they agree"
    ko = ko or twin(en)
    if not ko.exists(): return [f"{rel(ko)} is missing: create it with `python tools/sync_ko.py {rel(en)}`"]
    en_src = [src(c) for c, _ in _sections(_english_cells(read_nb(en)))[1:]]
    ko_src = [src(c) for c, _ in _sections(read_nb(ko)["cells"])[1:]]
    en_code, ko_code = [code_of(s) for s in en_src], [code_of(s) for s in ko_src]
    out, text = [], []
    for tag, i, j in _pairs(ko_code, en_code):
        if tag == "equal":
            for name in sorted(split_prose(en_src[j])[1].keys() - split_prose(ko_src[i])[1].keys()):
                text.append(f"{rel(ko)}: code cell {i + 1} ({_first_line(ko_code[i])}) has no {name} of its own, "
                            f"English code cell {j + 1} has one: `python tools/sync_ko.py {rel(en)}` brings it, "
                            f"marked {TODO}, to translate")
            continue
        if i is not None and j is not None:
            diff = [l for l in difflib.unified_diff(ko_code[i].splitlines(), en_code[j].splitlines(), lineterm="", n=0)
                    if l[:1] in "+-" and l[:3] not in ("+++", "---")]
            out.append(f"{rel(ko)}: code cell {i + 1} ({_first_line(ko_code[i])}) differs from English code cell {j + 1}: "
                       + " | ".join(diff[:4]))
        elif j is not None: out.append(f"{rel(ko)}: English code cell {j + 1} ({_first_line(en_code[j])}) is missing")
        else: out.append(f"{rel(ko)}: code cell {i + 1} ({_first_line(ko_code[i])}) is not in the English page")
    if out: out.append(f"{rel(ko)}: run `python tools/sync_ko.py {rel(en)}`, then `python tools/run_nbs.py --save {rel(ko)}`")
    return text + out


_CODE = re.compile(r"```.*?```|~~~.*?~~~|`[^`\n]*`", re.S)  # fenced blocks and code spans
_NOT_PROSE = re.compile(r"\]\([^)]*\)|<[^>\n]*>|https?://\S+")  # link targets, HTML tags and comments, URLs
_HANGUL, _LATIN = re.compile("[\uac00-\ud7a3]"), re.compile("[A-Za-z]")


def prose(markdown: str) -> str:
    "The text of `markdown` without code, URLs, link targets and HTML"
    return _NOT_PROSE.sub(" ", _CODE.sub(" ", markdown))


def letters(text: str) -> tuple[int, int]:
    "`(Hangul syllables, all letters)` in `text`"
    hangul = len(_HANGUL.findall(text))
    return hangul, hangul + len(_LATIN.findall(text))


def prose_problems(ko: Path) -> list[str]:
    "Markdown of the Korean page `ko` still marked TODO(번역), or not Korean enough (per paragraph and per page)"
    if not ko.exists(): return []
    md = [(i, src(c)) for i, c in enumerate(read_nb(ko)["cells"])
          if c["cell_type"] == "markdown" and src(c).strip() != _language_link(ko.name, True)]
    out, hangul, total = [], 0, 0
    for i, s in md:
        h, n = letters(prose(s))
        hangul, total = hangul + h, total + n
        if TODO in s:
            out.append(f"{rel(ko)}: cell {i} still has {TODO}: translate it, then delete that line")
            continue
        for paragraph in re.split(r"\n\s*\n", prose(s)):
            h, n = letters(paragraph)
            if n >= MIN_PARAGRAPH_LETTERS and h / n < MIN_PARAGRAPH_SHARE:
                out.append(f"{rel(ko)}: cell {i} has English prose (Hangul {h / n:.0%} of its letters): "
                           f"{' '.join(paragraph.split())[:70]!r}")
    for i, c in enumerate(read_nb(ko)["cells"]):  # figure text: a code cell's fig-alt and fig-cap
        if c["cell_type"] != "code": continue
        for name, line in split_prose(src(c))[1].items():
            h, n = letters(prose_value(line))
            if TODO in line: out.append(f"{rel(ko)}: cell {i} still has {TODO} in its {name}: translate it, then delete {TODO}")
            elif n >= MIN_PARAGRAPH_LETTERS and h / n < MIN_PARAGRAPH_SHARE:
                out.append(f"{rel(ko)}: cell {i} has an English {name} (Hangul {h / n:.0%} of its letters): "
                           f"{prose_value(line)[:70]!r}")
    if total and hangul / total < MIN_PAGE_SHARE:
        out.append(f"{rel(ko)}: its prose is {hangul / total:.0%} Hangul, expected at least {MIN_PAGE_SHARE:.0%}")
    return out


def link_problems(en: Path, ko: Path | None = None) -> list[str]:
    "Pages (English `en`, its Korean twin) whose cell right after the title (`# ` heading) is not the link to the twin"
    out = []
    for path, korean in ((en, False), (ko or twin(en), True)):
        if not path.exists(): continue
        cells = read_nb(path)["cells"]
        title = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and src(c).startswith("# ")), None)
        link = _language_link(path.name, korean)
        if title is None: out.append(f"{rel(path)}: no title cell (a markdown cell starting with `# `)")
        elif title + 1 >= len(cells) or src(cells[title + 1]).strip() != link:
            out.append(f"{rel(path)}: the cell right after the title must be the link to its twin: {link}")
    return out


def orphans(nbs: Path = NBS) -> list[str]:
    "Korean notebooks without an English page"
    english = {p.name for p in english_pages(nbs)}
    return [f"{rel(p)}: there is no English page {p.name} in {rel(nbs)}; delete it, or rename it with its English page"
            for p in sorted((Path(nbs) / "ko").glob("*.ipynb")) if p.name not in english]


def check(pages: list[Path], nbs: Path = NBS) -> list[str]:
    "Every problem of the English `pages` and their Korean twins, and Korean notebooks without an English page"
    return [*(p for en in pages for p in [*code_problems(en), *prose_problems(twin(en)), *link_problems(en)]),
            *orphans(nbs)]


# --- the sync --------------------------------------------------------------------------------------------------

def sync(en: Path, ko: Path | None = None) -> list[str]:
    "Bring the Korean twin of `en` up to date, or create it; returns what changed and what to do next"
    ko = ko or twin(en)
    en_nb = read_nb(en)
    english = _sections(_english_cells(en_nb))
    if not ko.exists():
        write_nb({**en_nb, "cells": [_todo(c, en.name) if c["cell_type"] == "markdown" else _todo_code(c)
                                     for c in _english_cells(en_nb)]}, ko)
        return [f"{rel(ko)}: created with {len(english) - 1} code cells; translate the cells marked {TODO}, "
                f"then run `python tools/run_nbs.py --save {rel(ko)}`"]
    nb = read_nb(ko)
    korean = _sections(nb["cells"])
    used = {c.get("id") for c in nb["cells"]}

    def new_code(cell, id=None):  # the English cell (no outputs) under `id`, else under an id not used yet
        cell = {**cell, "id": id or (cell["id"] if cell["id"] not in used else rtoken_hex(4))}
        used.add(cell["id"])
        return cell

    cells, notes, last, code_changed = list(korean[0][1]), [], 0, False
    ko_code, en_code = [code_of(src(c)) for c, _ in korean[1:]], [code_of(src(c)) for c, _ in english[1:]]
    for tag, i, j in _pairs(ko_code, en_code):
        ko_cell, ko_md = korean[i + 1] if i is not None else (None, [])
        en_cell, en_md = english[j + 1] if j is not None else (None, [])
        if tag == "equal":
            ko_prose, en_prose = split_prose(src(ko_cell))[1], split_prose(src(en_cell))[1]
            new = {k: todo_prose(v) for k, v in en_prose.items() if k not in ko_prose}
            if new:  # figure text only the English cell has: in English, to translate; the outputs stay
                ko_cell = {**ko_cell, "source": with_prose(src(ko_cell), new)}
                notes.append(f"code cell {j + 1} ({_first_line(en_code[j])}): its English {' and '.join(new)} added, "
                             f"marked {TODO}: translate it")
            cells += [ko_cell, *ko_md]
            last = j + 1
            continue
        code_changed = True
        if en_cell is None:
            cells += ko_md
            notes.append(f"code cell {i + 1} ({_first_line(ko_code[i])}) removed, as in English"
                         + (f"; check the Korean markdown that followed it, now after code cell {last}" if ko_md else ""))
        elif ko_cell is None:
            cells += [new_code(_todo_code(en_cell)), *(_todo(c, en.name) for c in en_md)]
            notes.append(f"code cell {j + 1} ({_first_line(en_code[j])}) added" +
                         (f", with the English markdown after it to translate ({TODO})" if en_md else
                          "; explain it in Korean if the English page does so in the markdown before it"))
        else:  # the English code, with the Korean cell's own figure text
            cells += [new_code(_todo_code(en_cell, split_prose(src(ko_cell))[1]), ko_cell.get("id")), *ko_md]
            notes.append(f"code cell {j + 1} ({_first_line(en_code[j])}) changed, outputs cleared; "
                         "check that the Korean prose around it still fits")
        if j is not None: last = j + 1
    if not notes: return []
    nb["cells"] = cells
    write_nb(nb, ko)
    return [f"{rel(ko)}: {note}" for note in notes] + [
        f"{rel(ko)}: run `python tools/run_nbs.py --save {rel(ko)}` to refresh its outputs"][:code_changed]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("paths", nargs="*", help="English notebooks (or their Korean twins); default: every page in nbs/")
    p.add_argument("--check", action="store_true", help="change nothing; list the problems, exit 1 if there are any")
    args = p.parse_args(argv)
    pages = [Path(x).resolve() for x in args.paths] or english_pages()
    pages = [x.parent.parent / x.name if x.parent.name == "ko" else x for x in pages]
    if missing := [rel(x) for x in pages if not x.exists()]: p.error(f"no such English notebook: {', '.join(missing)}")
    if args.check:
        problems = check(pages)
        print("\n".join(problems) or f"{len(pages)} Korean notebook(s) in step with their English pages")
        return 1 if problems else 0
    report = [line for en in pages for line in sync(en)]
    todo = [line for en in pages for line in [*prose_problems(twin(en)), *link_problems(en)]]
    print("\n".join(report) or "nothing to sync: the Korean code cells match the English ones")
    if todo: print("\nstill to do by hand:\n" + "\n".join(todo))
    return 0


if __name__ == "__main__":
    sys.exit(main())
