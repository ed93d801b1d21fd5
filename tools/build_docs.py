"""Build the documentation site into `_docs/` without Quarto: nbdev's notebook processing, then smalldocs.

    python tools/build_docs.py            # process nbs/ into _proc/, render it into _docs/
    python tools/build_docs.py --force    # reprocess every notebook, not only the changed ones

Where Quarto is installed, `nbdev-docs` builds the same site (the deploy workflow runs it). This script
does what `nbdev-docs` does before Quarto runs (nbdev.quarto._pre_docs: refresh nbs/nbdev.yml, process every
notebook into _proc/ with nbdev's processors, which add the show_doc API tables, hide `#| hide` and export
cells and turn each notebook's title and `> summary` into front matter), but skips its `_ensure_quarto` step,
which would try to download and install Quarto. Then smalldocs, a pure-Python renderer of Quarto website
projects, renders _proc/ (its _quarto.yml, nbdev.yml, styles.css and the processed notebooks with their saved
outputs) into _proc/_docs/, which moves to _docs/, as `nbdev-docs` does.

One Quarto option smalldocs does not read: the `output-file` that nbdev writes into every page's front
matter (00_data.ipynb -> data.html, as nbdev's links to symbols expect). The site built here honours it, so
its pages have the same addresses as the Quarto site.
"""
from __future__ import annotations

import argparse
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


# nbdev's _quarto.yml also asks Quarto for a Markdown copy of each page (for readers and LLMs); smalldocs makes
# HTML only, and says so
QUARTO_ONLY = {"unknown key format-links", "format commonmark is not built: smalldocs makes only html",
               "format.html.keep-md is ignored",
               "format.html.grid is ignored"}  # Quarto's page widths; styles.css gives smalldocs the same ones


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


def process(force: bool = False, n_workers: int = 2) -> Path:
    "Run nbdev's docs preprocessing (what `nbdev-proc-nbs` does, less installing Quarto); return the _proc folder"
    cfg = get_config()
    os.chdir(cfg.config_path)
    refresh_quarto_yml()        # nbs/nbdev.yml from pyproject.toml (written only when it changes)
    nbdev_sidebar.__wrapped__() # a no-op here: custom_sidebar = true, the sidebar is in nbs/_quarto.yml
    # reuters_nb/_modidx.py (the index that turns `names` into links) is nbdev-export's job, checked by the tests
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
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # the processing workers import TensorFlow
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
