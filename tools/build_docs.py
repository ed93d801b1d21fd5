"""Build the documentation site into `_docs/` without Quarto: nbdev's notebook processing, then smalldocs.

    python tools/build_docs.py            # process nbs/ into _proc/, render it into _docs/
    python tools/build_docs.py --force    # reprocess every notebook, not only the changed ones

Where Quarto is installed, `nbdev-docs` builds the same site from the same files. This script
does what `nbdev-docs` does before Quarto runs (nbdev.quarto._pre_docs: refresh nbs/nbdev.yml, process every
notebook into _proc/ with nbdev's processors, which add the show_doc API tables, hide `#| hide` and export
cells and turn each notebook's title and `> summary` into front matter), but skips its `_ensure_quarto` step,
which would try to download and install Quarto. Then smalldocs, a pure-Python renderer of Quarto website
projects, renders _proc/ (its _quarto.yml, nbdev.yml, styles.css and the processed notebooks with their saved
outputs) into _proc/_docs/, which moves to _docs/, as `nbdev-docs` does.

One Quarto option smalldocs does not read: the `output-file` that nbdev writes into every page's front
matter (00_data.ipynb -> data.html, as nbdev's links to symbols expect). The site built here honours it, so
its pages have the same addresses as the Quarto site.

The project's own doc processor, tools/nbdev_procs.py (pyproject.toml's `doc_procs`: on Korean pages, `names` link
to the Korean page), runs in both builds; this script makes it importable. And one thing Quarto does by itself
that smalldocs does not: the words of the page's chrome (search box, copy buttons, "Report an issue", ...) in the
page's language. Quarto takes them from its language files by the page's `lang` (nbs/ko/_metadata.yml sets `ko`);
here `QuartoSite.build` writes Quarto's own Korean words (`UI_WORDS`) into the Korean pages it wrote.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path, PurePosixPath

from nbdev.config import get_config
from nbdev.quarto import nbdev_sidebar, refresh_quarto_yml
from nbdev.serve import proc_nbs
from smalldocs.config import load
from smalldocs.site import Site

ROOT = Path(__file__).resolve().parent.parent
# pyproject.toml's doc_procs, tools.nbdev_procs, imports from the repository: here, and in nbdev's processing workers,
# which start with this process's sys.path (and import this script again, below)
if str(ROOT) not in sys.path: sys.path.insert(0, str(ROOT))
PROCS = ROOT / "tools" / "nbdev_procs.py"

# nbdev processes the notebooks in worker processes that it spawns, and each of them first imports this script, as
# `__mp_main__`: there TensorFlow starts the project's one quiet way, before the cells of a notebook import it
if __name__ == "__mp_main__":
    from reuters_nb.cli import start_tensorflow
    start_tensorflow()


# nbdev's _quarto.yml also asks Quarto for a Markdown copy of each page (for readers and LLMs); smalldocs makes
# HTML only, and says so
QUARTO_ONLY = {"unknown key format-links", "format commonmark is not built: smalldocs makes only html",
               "format.html.keep-md is ignored",
               "format.html.grid is ignored"}  # Quarto's page widths; styles.css gives smalldocs the same ones


# Quarto's words for its page chrome, by language: its keys and its Korean (quarto-cli's
# src/resources/language/_language-ko.yml). Quarto puts them in a page of that `lang` itself; smalldocs writes English.
UI_WORDS = {"ko": {
    "copy-button-tooltip": "클립보드 복사", "copy-button-tooltip-success": "복사완료!",
    "repo-action-links-edit": "편집", "repo-action-links-source": "소스코드 보기", "repo-action-links-issue": "이슈 보고",
    "search-label": "검색", "search-no-results-text": "일치 없음", "back-to-top": "맨 위로", "toc-title-website": "목차",
    "toggle-section": "토글 섹션", "toggle-sidebar": "사이드바 전환", "toggle-navigation": "탐색 전환",
    "toggle-dark-mode": "다크 모드 전환", "navigation-breadcrumbs-label": "사이트 이동 경로",
}}
# Where smalldocs writes each of these words: (its markup, the English words in it, Quarto's key). Only that markup
# changes, so a page's content that happens to hold the same words stays as it is.
CHROME = [
    ('<button title="Copy to Clipboard" class="code-copy-button">', "Copy to Clipboard", "copy-button-tooltip"),
    ('placeholder="Search" aria-label="Search" autocomplete="off">', "Search", "search-label"),
    ('aria-label="Search" aria-expanded="false">', "Search", "search-label"),  # the search button of `type: overlay`
    ('aria-label="Toggle sidebar navigation">', "Toggle sidebar navigation", "toggle-sidebar"),
    ('aria-label="Toggle section">', "Toggle section", "toggle-section"),
    ('aria-label="Toggle navigation">', "Toggle navigation", "toggle-navigation"),
    ('title="Toggle dark mode"', "Toggle dark mode", "toggle-dark-mode"),
    ('aria-label="breadcrumb">', "breadcrumb", "navigation-breadcrumbs-label"),
    ('<i class="bi bi-pencil"></i> Edit this page</a>', "Edit this page", "repo-action-links-edit"),
    ('<i class="bi bi-code"></i> View source</a>', "View source", "repo-action-links-source"),
    ('<i class="bi bi-chat-right"></i> Report an issue</a>', "Report an issue", "repo-action-links-issue"),
    ('<i class="bi bi-arrow-up"></i> Back to top</a>', "Back to top", "back-to-top"),
    ('<h2 id="toc-title">On this page</h2>', "On this page", "toc-title-website"),
]
# ...and the words smalldocs.js writes as the reader uses the page (its code, the same with a look-up in the page's
# language, by Quarto's key)
CHROME_JS = [
    ('btn.title = "Copied!"', 'btn.title = smalldocsWord("Copied!", "copy-button-tooltip-success")'),
    ('btn.title = "Copy to Clipboard"', 'btn.title = smalldocsWord("Copy to Clipboard", "copy-button-tooltip")'),
    ("""show('<div class="search-none">No results</div>')""",
     """show('<div class="search-none">' + smalldocsWord("No results", "search-no-results-text") + '</div>')"""),
]


class QuartoSite(Site):
    "A smalldocs site that writes each page where its front matter's `output-file` says, as Quarto does"

    def read(self, src):
        page = super().read(src)
        name = page.front.get("output-file")
        if name: page.out = PurePosixPath(src).parent / str(name)
        return page

    def find_page(self, target):
        "A link may name a page by its source (00_data.ipynb) or, as with Quarto, by its output (data.html)"
        found = super().find_page(target)
        if found is None and target.suffix == ".html":
            found = next((p for p in self.pages.values() if p.out == target), None)
        return found

    def build(self):
        "Build the site, then put the chrome of each page whose `lang` Quarto has words for in that language"
        n = super().build()
        pages = [p for p in self.pages.values() if str(p.meta.get("lang", "")) in UI_WORDS]
        for page in pages:  # (a smalldocs that wrote its chrome differently would leave it English: tests/test_site.py)
            dest = self.out / page.out
            text = dest.read_text(encoding="utf-8")
            words = UI_WORDS[str(page.meta["lang"])]
            for markup, english, key in CHROME:
                text = text.replace(markup, markup.replace(english, words[key]))
            dest.write_text(text, encoding="utf-8")
        if pages: self.translate_script()
        return n

    def translate_script(self):
        "Make smalldocs.js, which all pages share, write its words (copy buttons, search) in the page's language"
        js = self.out / "site_libs" / "smalldocs.js"
        text = js.read_text(encoding="utf-8")
        for code, translated in CHROME_JS:
            if code not in text:
                self.warn(f"site_libs/smalldocs.js no longer has {code!r}: its words stay in English")
            text = text.replace(code, translated)
        head = ("// tools/build_docs.py: smalldocs' words in the page's language (<html lang>), Quarto's words, by Quarto's key\n"
                f"const smalldocsWords = {json.dumps(UI_WORDS, ensure_ascii=False)};\n"
                "const smalldocsWord = (english, key) => "
                "(smalldocsWords[document.documentElement.lang] || {})[key] || english;\n")
        js.write_text(head + text, encoding="utf-8")


def process(force: bool = False, n_workers: int = 2) -> Path:
    "Run nbdev's docs preprocessing (what `nbdev-proc-nbs` does, less installing Quarto); return the _proc folder"
    cfg = get_config()
    os.chdir(cfg.config_path)
    refresh_quarto_yml()        # nbs/nbdev.yml from pyproject.toml (written only when it changes)
    nbdev_sidebar.__wrapped__() # a no-op here: custom_sidebar = true, the sidebar is in nbs/_quarto.yml
    # reuters_nb/_modidx.py (the index that turns `names` into links) is nbdev-export's job, checked by the tests
    # nbdev reprocesses everything when pyproject.toml or nbdev changed, not when our own doc processor did
    cache = cfg.config_path / "_proc"
    force = force or (cache.exists() and PROCS.stat().st_mtime > cache.stat().st_mtime)
    return proc_nbs(cfg.nbs_path, n_workers=n_workers, force=force)


def render(proc: Path, quiet: bool = False) -> QuartoSite:
    "Render the processed project with smalldocs into its output-dir (_proc/_docs), then move it to _docs/"
    cfg = get_config()
    site = QuartoSite(load(proc), quiet=quiet)
    n = site.build()
    shutil.rmtree(cfg.doc_path, ignore_errors=True)
    shutil.move(str(site.out), str(cfg.doc_path))
    if not quiet: print(f"wrote {n} pages to {cfg.doc_path}", file=sys.stderr)
    return site


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--force", action="store_true", help="reprocess every notebook, ignoring _proc/'s cache")
    p.add_argument("--workers", type=int, default=2, help="parallel notebook processors (default 2)")
    p.add_argument("--quiet", "-q", action="store_true", help="print only warnings")
    p.add_argument("--strict", action="store_true", help="exit 1 when a page has a broken link")
    args = p.parse_args(argv)
    if args.quiet: os.environ["PYTHONWARNINGS"] = "ignore::UserWarning"  # nbdev's advice on notebook cells, in the workers
    t0 = time.time()
    site = render(process(args.force, args.workers), args.quiet)
    warnings = [w for w in site.warnings if not w.endswith("output-file is not read by smalldocs")]  # it is, above
    quarto_only = [w for w in warnings if w in QUARTO_ONLY]
    for w in warnings:
        if w not in QUARTO_ONLY: print(f"warning: {w}", file=sys.stderr)
    if quarto_only and not args.quiet:
        print("note: only Quarto makes the Markdown copy of each page (" + "; ".join(quarto_only) + ")", file=sys.stderr)
    print(f"built {get_config().doc_path} in {time.time() - t0:.0f} s", file=sys.stderr)
    return 1 if args.strict and any("broken link" in w for w in warnings) else 0


if __name__ == "__main__":
    sys.exit(main())
