"""Write README.md from nbs/index.ipynb, the site's front page, without Quarto.

nbdev's convention is one source for the front page: `readme_nb = "index.ipynb"` in `[tool.nbdev]`, rendered into
README.md by `nbdev-readme`, which needs Quarto. This script renders the same notebook into GitHub-flavoured Markdown
from its saved outputs (it runs nothing), so the README can be rebuilt and checked anywhere:

- markdown cells as they are, with the links that only work on the site (`data.html`, `00_data.ipynb`, `ko/…`) made
  absolute, to the published site, since the README is also the package's page on PyPI and GitHub;
- code cells as ```python blocks, and their text and Markdown outputs, honouring nbdev's `#| hide`, `#| echo: false`,
  `#| output: false` and `#| include: false`; pictures are left out (the site shows them).

    python tools/build_readme.py           # writes README.md
    python tools/build_readme.py --check   # exits 1 and says so when README.md is not what index.ipynb renders to
"""
import argparse
import json
import re
import sys
import tomllib
from pathlib import Path

from reuters_nb.helpers import write_atomically

ROOT = Path(__file__).resolve().parent.parent
HEADER = "<!-- Written by tools/build_readme.py from nbs/index.ipynb: edit the notebook, then run the script. -->\n\n"
LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def site_url(root: Path | None = None) -> str:
    "The published site's address, from `[project.urls] Documentation` in pyproject.toml, ending with /"
    urls = tomllib.loads(((root or ROOT) / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]
    return urls["Documentation"].rstrip("/") + "/"


def directives(source: str) -> dict[str, str]:
    "nbdev's `#| name: value` (or `#| name`) lines at the top of a cell"
    found = {}
    for line in source.splitlines():
        if not line.startswith("#|"): break
        name, _, value = line[2:].strip().partition(":")
        found[name.strip()] = value.strip() or "true"
    return found


def page_url(target: str, site: str) -> str:
    "`target` of a link on the front page, as an absolute address; absolute ones and anchors unchanged"
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("#"): return target
    path, _, anchor = target.partition("#")
    parts = path.split("/")
    if parts[-1].endswith(".ipynb"):  # nbdev names a page after its notebook, without the number: 00_data.ipynb → data.html
        stem = re.sub(r"^\d+_", "", parts[-1][:-len(".ipynb")])
        parts[-1] = f"{stem}.html"
    return site + "/".join(parts) + (f"#{anchor}" if anchor else "")


def _fence(text: str, lang: str = "") -> str:
    ticks = "````" if "```" in text else "```"
    return f"{ticks}{lang}\n{text.rstrip()}\n{ticks}"


def _outputs(cell) -> list[str]:
    blocks = []
    for out in cell.get("outputs", []):
        kind = out["output_type"]
        if kind == "stream" and out.get("name") == "stdout": blocks.append(_fence("".join(out["text"])))
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            if "text/markdown" in data: blocks.append("".join(data["text/markdown"]).strip())
            elif any(k.startswith("image/") for k in data): continue  # a picture: the site shows it
            elif "text/plain" in data: blocks.append(_fence("".join(data["text/plain"])))
    return blocks


def render(nb: dict, site: str) -> str:
    "The README for the notebook `nb` (parsed JSON)"
    blocks = []
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            blocks.append(LINK.sub(lambda m: m[1] + page_url(m[2], site) + m[3], source.strip()))
            continue
        if cell["cell_type"] != "code": continue
        d = directives(source)
        if "hide" in d or d.get("include") == "false" or "export" in d: continue
        code = "\n".join(line for line in source.splitlines() if not line.startswith("#|")).strip()
        if d.get("echo") != "false" and code: blocks.append(_fence(code, "python"))
        if d.get("output") != "false": blocks.extend(_outputs(cell))
    return HEADER + "\n\n".join(b for b in blocks if b) + "\n"


def build(root: Path | None = None) -> str:
    "The README that `root`'s nbs/index.ipynb renders to (default: this project)"
    root = root or ROOT
    return render(json.loads((root / "nbs" / "index.ipynb").read_text(encoding="utf-8")), site_url(root))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="do not write; exit 1 if README.md differs from the render")
    args = p.parse_args(argv)
    readme, text = ROOT / "README.md", build()
    if args.check:
        if readme.read_text(encoding="utf-8") == text: return 0
        print("README.md is not what nbs/index.ipynb renders to: run `python tools/build_readme.py`.", file=sys.stderr)
        return 1
    write_atomically(readme, text)  # never a half-written README
    return 0


if __name__ == "__main__":
    sys.exit(main())
