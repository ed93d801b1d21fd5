"""The project's own nbdev doc processors, which run after nbdev's (pyproject.toml: `[tool.nbdev] doc_procs`).

`LanguageLinks`: nbdev's `add_links` turns a backticked name of the package in Markdown (`load_data`), and in Markdown
outputs, into a link to its API reference on the published site, on the English page
(https://reuters-nb.github.io/reuters_nb/data.html#load_data), on every page. On a page in another language (a
Korean page: `lang: ko` from nbs/ko/_metadata.yml, or from the page's front matter) this processor points such a
link at that language's page instead, relatively (`data.html#load_data` from ko/ is ko/data.html, whose API
reference shows the same names under the same anchors). A page that has no twin in that language keeps the English
link; links to other libraries' docs are left alone.

Both builds of the site run it, as they both process the notebooks with nbdev's `FilterDefaults`:
`python tools/build_docs.py` (smalldocs), which puts the repository on `sys.path`, and `nbdev-docs` or
`nbdev-preview` (Quarto), run from the repository with `PYTHONPATH=.` so that `tools.nbdev_procs` imports.
"""
from __future__ import annotations

import posixpath
import re
from pathlib import Path
from urllib.parse import urljoin

import yaml
from nbdev.config import get_config, nbpath2html
from nbdev.process import Processor


def published_url() -> str:
    "The address `add_links` gives the package's own pages, ending in /: nbdev's `doc_host` joined with `doc_baseurl`"
    cfg = get_config()
    return urljoin(cfg.doc_host + "/", cfg.doc_baseurl).rstrip("/") + "/"


def _yaml(path: Path) -> dict:
    try: data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError): return {}
    return data if isinstance(data, dict) else {}


def page_language(path: Path, front: dict, nbs: Path) -> tuple[str | None, Path]:
    """The language of the notebook at `path`, as Quarto reads it, and the folder of that language's pages: its own
    front matter's `lang`, else the nearest `_metadata.yml` at or above its folder (up to `nbs`), else `_quarto.yml`'s"""
    if front.get("lang"): return str(front["lang"]), path.parent
    folder = path.parent
    while True:
        meta = _yaml(folder / "_metadata.yml")
        if meta.get("lang"): return str(meta["lang"]), folder
        if folder == nbs or folder == folder.parent or nbs not in folder.parents: break
        folder = folder.parent
    return (str(_yaml(nbs / "_quarto.yml").get("lang") or "") or None), nbs


class LanguageLinks(Processor):
    "On a page whose language is not the site's own, link backticked names of the package to the pages of its language"

    target = None  # the folder of the page's language, when its links go there

    def begin(self):  # here, not in __init__: nbdev makes every processor before FrontmatterProc reads the front matter
        nb = self.nb
        path = Path(getattr(nb, "path_", "") or "")
        if not path.name: return
        nbs = Path(get_config().nbs_path).resolve()
        path = path.resolve()
        lang, folder = page_language(path, getattr(nb, "frontmatter_", {}) or {}, nbs)
        site_lang = _yaml(nbs / "_quarto.yml").get("lang") or "en"
        if not lang or lang == site_lang or folder == nbs or nbs not in folder.parents: return
        self.target, self.here = folder, path.parent
        # the pages of that language: data.html for ko/00_data.ipynb, as nbdev names them (`output-file`)
        self.pages = {nbpath2html(p).name for p in folder.glob("*.ipynb")}
        self.link = re.compile(r"(\[`[^`\n]+`\]\()" + re.escape(published_url()) + r"([^)\s#/]+\.html)(#[^)\s]*)?\)")

    def _local(self, m: re.Match) -> str:
        text, page, anchor = m.group(1), m.group(2), m.group(3) or ""
        if page not in self.pages: return m.group(0)  # no twin of that page in this language: the English page it is
        return f"{text}{posixpath.relpath((self.target / page).as_posix(), self.here.as_posix())}{anchor})"

    def relink(self, md: str) -> str:
        "`md` with the package's links to the published English pages turned to this language's pages"
        return self.link.sub(self._local, md)

    def cell(self, cell):
        if self.target is None: return
        if cell.cell_type == "markdown": cell.source = self.relink(cell.source)
        for o in cell.get("outputs", []):
            data = o.get("data") or {}
            if "text/markdown" in data:
                md = data["text/markdown"]
                data["text/markdown"] = self.relink("".join(md) if isinstance(md, list) else md)
