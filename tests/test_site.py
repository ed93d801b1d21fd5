"""The documentation site, as a reader's browser shows it.

Builds the site with the README's command (`python tools/build_docs.py`, into _docs/), serves _docs/ on
127.0.0.1 and opens every page in headless Chromium. It fails on: a page that does not load, a console
or script error, a request that fails or leaves the site, a broken link inside the site (its #fragment too),
a picture that does not render, a notebook in nbs/ or nbs/ko/ without its page or its sidebar entry, a page
without the link to its twin in the other language, a Korean page without Korean text or without a Korean
font to show it, and a search that finds nothing. A full-page screenshot of each page goes to _screenshots/.

One test function, so the site is built once even when pytest-xdist spreads the tests over workers.
"""
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
NBS, DOCS, SHOTS = ROOT / "nbs", ROOT / "_docs", ROOT / "_screenshots"
# Debian's chromium (what .ci/run installs); Google Chrome, which GitHub's Ubuntu runners have, will do too
CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("google-chrome")) if p and Path(p).exists()), None)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
HANGUL = re.compile("[\uac00-\ud7a3]")
KOREAN_FONT = re.compile(r"Noto Sans (Mono )?CJK|Noto Sans KR|Nanum|Malgun|Apple SD Gothic", re.I)
# Requests that may leave the site: the cosmo theme (nbdev's default) imports its Latin web font from Google
# Fonts. Offline, the test answers them with an empty stylesheet; any other outside request is a failure.
ALLOWED_OUTSIDE = re.compile(r"^https://fonts\.(googleapis|gstatic)\.com/")


def site_url() -> str:
    "The published site's address (nbs/nbdev.yml, from pyproject.toml): nbdev links `names` to their docs there"
    url = (yaml.safe_load((NBS / "nbdev.yml").read_text(encoding="utf-8")) or {}).get("website", {}).get("site-url") or ""
    return url.rstrip("/") + "/" if url else ""


def notebooks() -> list[PurePosixPath]:
    "Every notebook the site is made of, relative to nbs/ (not in hidden or _ folders)"
    return sorted(PurePosixPath(p.relative_to(NBS).as_posix()) for p in NBS.rglob("*.ipynb")
                  if not any(part.startswith((".", "_")) for part in p.relative_to(NBS).parts))


def page_of(nb: PurePosixPath) -> str:
    "The page nbdev renders a notebook to: its `output-file`, the name without its number (ko/00_data.ipynb -> ko/data.html)"
    return str(nb.with_name(re.sub(r"^\d+[a-zA-Z0-9]*_", "", nb.name.lower())).with_suffix(".html"))


def chapter_order(nbs: list[PurePosixPath]) -> list[str]:
    "Pages in the chapter's order: the index page, then the notebooks by number"
    return [page_of(nb) for nb in sorted(nbs, key=lambda nb: (nb.stem != "index", nb.name))]


def build_site() -> str:
    "Run the documented build command; once more if it fails (a notebook being rewritten by a parallel test)"
    cmd = [sys.executable, "tools/build_docs.py", "--quiet"]
    for attempt in (1, 2):
        t0 = time.time()
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=1200)
        if r.returncode == 0: return f"built in {time.time() - t0:.0f} s"
        if attempt == 2: pytest.fail(f"`{' '.join(cmd[1:])}` failed:\n{r.stdout[-3000:]}\n{r.stderr[-6000:]}")
        time.sleep(5)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass


@pytest.fixture(scope="module")
def served_site():
    missing = "Chromium is not installed (.ci/run installs it: apt-get install chromium fonts-noto-cjk)" if CHROMIUM is None else ""
    try: import playwright  # noqa: F401
    except ImportError: missing = "playwright is not installed: it is in the dev extra, pip install -e '.[dev]'"
    if missing: pytest.skip(missing)  # on a contributor's machine the test says why it did not run; under CI a skip fails (conftest.py)
    build_site()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(DOCS)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try: yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally: server.shutdown(); server.server_close()


# What the test reads from each page, in the page
READ_PAGE = r"""() => {
  const main = document.querySelector("main") || document.body;
  const prose = main.cloneNode(true);
  prose.querySelectorAll("pre, code, .cell-output, nav, .page-navigation, script, style").forEach(e => e.remove());
  const side = document.querySelector("#quarto-sidebar");
  const section = a => { const s = a.closest(".sidebar-item-section"); return s ? s.querySelector(".menu-text").textContent.trim() : ""; };
  return {
    lang: document.documentElement.lang,
    title: (main.querySelector("h1") || {textContent: ""}).textContent.trim(),
    prose: prose.textContent,
    ids: Array.from(document.querySelectorAll("[id], a[name]")).map(e => e.id || e.name),
    links: Array.from(document.querySelectorAll("a[href]")).map(a => ({href: a.href, text: a.textContent.trim(),
                                                                       inMain: main.contains(a)})),
    code: Array.from(main.querySelectorAll("div.sourceCode pre, pre.sourceCode")).map(e => e.textContent),
    cut: Array.from(main.querySelectorAll("pre")).map(p => ({line: p.textContent.split("\n").reduce((a, b) => b.length > a.length ? b : a, ""),
                                                             over: p.scrollWidth - p.clientWidth}))
                  .filter(p => p.line.length <= 100 && p.over > 1).map(p => p.line.slice(0, 60)),
    progress: Array.from(main.querySelectorAll("progress")).map(p => ({value: p.value, max: p.max})),
    controls: Array.from(main.querySelectorAll(".cell-output")).map(e => e.textContent)
                   .filter(t => /[\u001b\r\u2588]/.test(t)).map(t => t.slice(0, 80)),
    images: Array.from(document.images).map(i => ({src: i.src.slice(0, 80), ok: i.complete && i.naturalWidth > 0})),
    sidebar: side ? Array.from(side.querySelectorAll(".sidebar-item-section a.sidebar-link[href]"))
                        .map(a => ({href: a.href, text: a.textContent.trim(), section: section(a)})) : [],
  };
}"""


# Long cells show a fastprogress bar (`progress=True`); saved, each is a finished bar, not a terminal's control characters
PROGRESS_BARS = {"experiments.html": 1, "tfidf.html": 4}  # the sweep; the two runs of each TF-IDF model


# The chapter's own code, which the pages that retell its steps show as source (`#| exports`), in both languages
CHAPTER_CODE = {
    "vectorize.html": ["def vectorize_sequences(", "out[np.repeat(np.arange(len(sequences)), lengths), cols] = 1", "def to_one_hot("],
    "model.html": ["keras.layers.Dense(units, activation=activation)", 'keras.layers.Dense(num_classes, activation="softmax")',
                   "model.compile(optimizer=optimizer, loss=loss"],
    "train.html": ["return (x[n_val:], y[n_val:]), (x[:n_val], y[:n_val])", "model.fit(x, y, epochs=epochs, batch_size=batch_size",
                   "def plot_history(", "def chapter_protocol("],
    "analysis.html": ["def random_baseline(", "def predict("],
}


def _font_of_first_hangul(cdp, page) -> str:
    "The font Chromium really draws the first Korean paragraph of `page` with"
    page.evaluate("""() => { const p = Array.from(document.querySelectorAll("main p, main h1, main li"))
                                      .find(e => /[\\uac00-\\ud7a3]/.test(e.textContent));
                             if (p) p.setAttribute("data-hangul-probe", ""); }""")
    doc = cdp.send("DOM.getDocument", {"depth": 0})
    node = cdp.send("DOM.querySelector", {"nodeId": doc["root"]["nodeId"], "selector": "[data-hangul-probe]"})["nodeId"]
    if not node: return ""
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    return ", ".join(f["familyName"] for f in sorted(fonts, key=lambda f: -f["glyphCount"]))


def test_site_in_browser(served_site):
    from playwright.sync_api import sync_playwright
    base = served_site
    problems: list[str] = []
    expected = {page_of(nb) for nb in notebooks()}
    pages = sorted(str(p.relative_to(DOCS).as_posix()) for p in DOCS.rglob("*.html"))
    problems += [f"{p}: no page for this notebook (every notebook in nbs/ and nbs/ko/ becomes a page)"
                 for p in sorted(expected - set(pages))]
    shutil.rmtree(SHOTS, ignore_errors=True)
    seen: dict[str, dict] = {}

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        current = {"page": ""}

        def route(r):
            url = r.request.url
            if url.startswith(base): return r.continue_()
            if ALLOWED_OUTSIDE.match(url): return r.fulfill(status=200, content_type="text/css", body="")
            problems.append(f"{current['page']}: request outside the site: {url[:120]}")
            r.abort()
        ctx.route("**/*", route)
        tab = ctx.new_page()
        tab.on("console", lambda m: m.type == "error" and problems.append(f"{current['page']}: console error: {m.text[:300]}"))
        tab.on("pageerror", lambda e: problems.append(f"{current['page']}: script error: {e}"))
        tab.on("requestfailed", lambda r: r.url.startswith(base) and
               problems.append(f"{current['page']}: request failed: {r.url} ({r.failure})"))
        tab.on("response", lambda r: r.status >= 400 and
               problems.append(f"{current['page']}: HTTP {r.status} for {r.url}"))
        cdp = ctx.new_cdp_session(tab)
        cdp.send("DOM.enable"); cdp.send("CSS.enable")

        for path in pages:
            current["page"] = path
            resp = tab.goto(base + path, wait_until="load")
            if resp is None or resp.status != 200:
                problems.append(f"{path}: HTTP {resp.status if resp else 'no response'}")
                continue
            tab.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=15_000)
            info = tab.evaluate(READ_PAGE)
            seen[path] = info
            problems += [f"{path}: picture does not render: {i['src']}…" for i in info["images"] if not i["ok"]]
            # the page is wide enough: at 1280 px a line of up to 100 characters of code or output is not cut off
            problems += [f"{path}: a line of code is cut off at 1280 px (wider than its box): {line!r}…" for line in info["cut"]]
            bars = info["progress"]
            if len(bars) != PROGRESS_BARS.get(path.removeprefix("ko/"), 0):
                problems.append(f"{path}: {len(bars)} progress bars, expected {PROGRESS_BARS.get(path.removeprefix('ko/'), 0)}")
            problems += [f"{path}: a progress bar saved unfinished ({b['value']} of {b['max']})" for b in bars if b["value"] != b["max"]]
            problems += [f"{path}: control characters in an output (a terminal's progress bar?): {t!r}" for t in info["controls"]]
            mixed = tab.evaluate("() => [...document.querySelectorAll('pre code span, code span')].filter(s => "
                                 "getComputedStyle(s).fontFamily !== getComputedStyle(s.closest('code')).fontFamily).length")
            if mixed: problems.append(f"{path}: {mixed} highlighted parts of code are set in another font than their code")
            for snippet in CHAPTER_CODE.get(path.removeprefix("ko/"), []):
                if not any(snippet in block for block in info["code"]):
                    problems.append(f"{path}: the chapter's code `{snippet}` is not shown as source on the page")
            if path.startswith("ko/"):
                if not HANGUL.search(info["prose"]): problems.append(f"{path}: no Korean text in the page's content")
                if info["lang"] != "ko": problems.append(f'{path}: <html lang="{info["lang"]}">, expected "ko"')
                font = _font_of_first_hangul(cdp, tab)
                if not KOREAN_FONT.search(font):
                    problems.append(f"{path}: Korean text is drawn with {font!r}, not a Korean font (install fonts-noto-cjk)")
            shot = SHOTS / Path(path).with_suffix(".png")
            shot.parent.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(shot), full_page=True)

        # search: an English word finds English pages, a word of a Korean title finds Korean pages
        queries = [("validation", "")]
        ko_titles = [seen[p]["title"] for p in sorted(seen) if p.startswith("ko/") and HANGUL.search(seen[p]["title"])]
        if ko_titles: queries.append((max(re.findall("[\uac00-\ud7a3]{2,}", ko_titles[0]), key=len), "ko/"))
        current["page"] = "index.html (search)"
        for q, prefix in queries:
            tab.goto(base + "index.html", wait_until="load")
            tab.fill("#quarto-search input", q)
            try: tab.wait_for_selector("#quarto-search .search-result", timeout=10_000)
            except Exception: problems.append(f"search for {q!r}: no results"); continue
            hrefs = tab.eval_on_selector_all("#quarto-search .search-result", "els => els.map(a => a.href)")
            paths = [urlsplit(h).path.lstrip("/") for h in hrefs]
            if not any(p.startswith(prefix) and p in seen for p in paths):
                problems.append(f"search for {q!r}: no result on a {'Korean' if prefix else ''} page: {paths[:5]}")
        browser.close()

    # links inside the site, and their #fragments; a link to the published site is checked here too
    published = site_url()
    for path, info in seen.items():
        for link in info["links"]:
            href = link["href"]
            if published and href.startswith(published): href = base + href[len(published):]
            if not href.startswith(base): continue
            u = urlsplit(href)
            target = unquote(u.path).lstrip("/") or "index.html"
            if target.endswith("/"): target += "index.html"
            if not (DOCS / target).is_file():
                problems.append(f"{path}: broken link {href[len(base):]} ({link['text'][:40]!r})")
            elif u.fragment and target in seen and re.fullmatch(r"[\w\-.:]+", unquote(u.fragment)) \
                    and unquote(u.fragment) not in seen[target]["ids"]:
                problems.append(f"{path}: link to a missing #{u.fragment} in {target}")

    # the twin in the other language: English page X links to ko/X ("한국어"), Korean ko/X back to X ("English")
    for path, info in seen.items():
        if path not in expected: continue
        twin, text = (path[3:], "English") if path.startswith("ko/") else ("ko/" + path, "한국어")
        if not any(l["inMain"] and l["text"] == text and urlsplit(l["href"]).path.lstrip("/") == twin for l in info["links"]):
            problems.append(f"{path}: no {text!r} link to its twin {twin}")

    # every page but the front page: run it yourself, in Colab or downloaded, the notebook of this very page
    import tomllib
    repo = tomllib.loads((NBS.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]["Repository"]
    owner_name = repo.removeprefix("https://github.com/")
    for nb in notebooks():
        path = page_of(nb)
        if nb.stem == "index" or path not in seen: continue
        hrefs = {l["href"] for l in seen[path]["links"] if l["inMain"]}
        for what, url in (("Open in Colab", f"https://colab.research.google.com/github/{owner_name}/blob/main/nbs/{nb}"),
                          ("download", f"https://raw.githubusercontent.com/{owner_name}/main/nbs/{nb}")):
            if url not in hrefs: problems.append(f"{path}: no {what} link to its notebook ({url})")

    # the sidebar: chapter order, English then Korean, each entry titled like its page
    if "index.html" in seen:
        bar = seen["index.html"]["sidebar"]
        got = {sec: [urlsplit(e["href"]).path.lstrip("/") for e in bar if e["section"] == sec] for sec in ("English", "한국어")}
        want = {"English": chapter_order([nb for nb in notebooks() if nb.parent.name != "ko"]),
                "한국어": chapter_order([nb for nb in notebooks() if nb.parent.name == "ko"])}
        for sec in want:
            if got[sec] != want[sec]: problems.append(f"sidebar section {sec}: {got[sec]}, expected {want[sec]}")
        for e in bar:
            p = urlsplit(e["href"]).path.lstrip("/")
            if p in seen and e["text"] != seen[p]["title"]:
                problems.append(f"sidebar entry {e['text']!r} for {p}: the page's title is {seen[p]['title']!r}")

    problems = list(dict.fromkeys(problems))  # a failed request can be reported again as the screenshot redraws the page
    assert not problems, f"{len(problems)} problem(s) on the site ({len(seen)} pages opened):\n" + "\n".join(problems)
