"""The documentation site, as a reader's browser shows it.

Builds the site with the README's command (`python tools/build_docs.py`, into _docs/; with REUTERS_NB_SITE_BUILT
set, it tests the _docs/ already there, as the deploy workflow does after Quarto built it), serves _docs/ on
127.0.0.1 and opens every page in headless Chromium. It fails on: a page that does not load, a console
or script error, a request that fails or leaves the site, a broken link inside the site (its #fragment too),
a picture that does not render, a notebook in nbs/ or nbs/ko/ without its page or its sidebar entry, a page
without the link to its twin in the other language, a Korean page without Korean text or without a Korean
font to show it, and a search that finds nothing. A full-page screenshot of each page goes to _screenshots/.

The site is built once per run, even when pytest-xdist spreads the tests over workers (`build_site_once`). The tests
after the first read every page again in Chromium (`site_pages`): previous/next links, each language's sidebar, the
Korean pages' chrome and links, alt text.
"""
import functools
import http.server
import os
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


def find_browser() -> str | None:
    """Debian's chromium (what .ci/run installs here), or Google Chrome; on GitHub's runners (GITHUB_ACTIONS=true) Google
    Chrome first, which they have: their `apt-get install chromium` is a snap stub that fails in the runners' sandbox
    (actions/runner-images#12096), so .ci/run installs no chromium there"""
    chrome, chromium = (shutil.which("google-chrome"), "/usr/bin/google-chrome"), (shutil.which("chromium"), "/usr/bin/chromium")
    order = chrome + chromium if os.environ.get("GITHUB_ACTIONS") == "true" else chromium + chrome
    return next((p for p in order if p and Path(p).is_file() and os.access(p, os.X_OK)), None)


CHROMIUM = find_browser()
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


def build_site_once() -> None:
    """Build the site once for the whole run: under pytest-xdist (which sets PYTEST_XDIST_TESTRUNUID for the run), the first
    worker to come here builds it while the others wait, then find the run's id written and serve what it built"""
    if os.environ.get("REUTERS_NB_SITE_BUILT"): return  # the deploy workflow built _docs/ with Quarto (`nbdev-docs`): test that
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run: return build_site()
    import fcntl, hashlib, tempfile
    lock = Path(tempfile.gettempdir()) / f"reuters_nb-site-{hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]}.lock"
    with open(lock, "a+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        if f.read().strip() == run: return
        build_site()
        f.seek(0); f.truncate(); f.write(run); f.flush()


def test_the_browser_is_the_one_the_machine_can_run(tmp_path, monkeypatch):
    "Debian's chromium first; on GitHub's runners Google Chrome, even with a `chromium` (their snap stub) on PATH"
    for name in ("chromium", "google-chrome"):
        (tmp_path / name).write_text("#!/bin/sh\n")
        (tmp_path / name).chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert find_browser() == str(tmp_path / "google-chrome")
    monkeypatch.delenv("GITHUB_ACTIONS")
    assert find_browser() == str(tmp_path / "chromium")

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass


@pytest.fixture(scope="module")
def served_site():
    missing = "Chromium is not installed (.ci/run installs it: apt-get install chromium fonts-noto-cjk)" if CHROMIUM is None else ""
    try: import playwright  # noqa: F401
    except ImportError: missing = "playwright is not installed: it is in the dev extra, pip install -e '.[dev]'"
    if missing: pytest.skip(missing)  # on a contributor's machine the test says why it did not run; under CI a skip fails (conftest.py)
    build_site_once()
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
    bars: Array.from(main.querySelectorAll(".cell-output")).flatMap(e => e.textContent.split("\n"))
               .map(l => l.match(/^(.+?): *\d+%\|[^|]*\| (\d+)\/(\d+) \[/)).filter(m => m)
               .map(m => ({line: m[0], n: Number(m[2]), total: Number(m[3])})),
    controls: Array.from(main.querySelectorAll(".cell-output")).map(e => e.textContent)
                   .filter(t => /[\u001b\r\b]/.test(t)).map(t => t.slice(0, 80)),
    images: Array.from(document.images).map(i => ({src: i.src.slice(0, 80), ok: i.complete && i.naturalWidth > 0})),
    sidebar: side ? Array.from(side.querySelectorAll(".sidebar-item-section a.sidebar-link[href]"))
                        .map(a => ({href: a.href, text: a.textContent.trim(), section: section(a)})) : [],
  };
}"""


# Long cells show a tqdm bar (`progress=True`, reuters_nb.train.progress_bar): a widget in JupyterLab, saved as its finished
# line of text (`validation run: 100%|██████████| 9/9 [...]`), not as a widget the site cannot show (its first state,
# 0%, would be all a page shows) nor as a terminal's control characters
PROGRESS_BARS = {"experiments.html": 1, "tfidf.html": 4}  # the sweep; the two runs of each TF-IDF model


# The chapter's own code, which the pages that retell its steps show as source (`#| exports`), in both languages
CHAPTER_CODE = {
    "vectorize.html": ["def vectorize_sequences(", "out.reshape(-1)[cells] = 1", "def to_one_hot("],
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
            bars = info["bars"]
            if len(bars) != PROGRESS_BARS.get(path.removeprefix("ko/"), 0):
                problems.append(f"{path}: {len(bars)} progress bars, expected {PROGRESS_BARS.get(path.removeprefix('ko/'), 0)}")
            problems += [f"{path}: a progress bar saved unfinished ({b['n']} of {b['total']}): {b['line']!r}" for b in bars if b["n"] != b["total"]]
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

    # the sidebars: chapter order, the English one on English pages, the Korean one on Korean pages (test_sidebar_of_each_language
    # checks every page), each entry titled like its page
    if "index.html" in seen and "ko/index.html" in seen:
        bar = seen["index.html"]["sidebar"] + seen["ko/index.html"]["sidebar"]
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


# --- every page again, for navigation, the Korean pages' chrome and links, and alt text (issue 24, §1 and §7) --------

# What the tests below read from each page: previous/next, the sidebar, the chrome's words, the package's links, pictures
READ_NAVIGATION = r"""() => {
  const main = document.querySelector("main") || document.body;
  const pn = document.querySelector("nav.page-navigation");
  const side = (cls) => { const a = pn && pn.querySelector(`.nav-page-${cls} a[href]`); return a ? a.href : null; };
  // the chrome: every text outside the page's content (navbar, sidebar, breadcrumbs, table of contents' title, repo
  // links, previous/next) and every title, aria-label and placeholder outside its cells' outputs
  const content = (n) => { const e = n.nodeType === 1 ? n : n.parentElement;
    return !!e.closest("script, style, .cell-output, #TOC ul") || (main.contains(e) && !e.closest("nav.page-navigation")); };
  const words = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) if (n.textContent.trim() && !content(n)) words.push(n.textContent.trim());
  document.querySelectorAll("[title], [aria-label], [placeholder]").forEach((e) => {
    if (e.closest(".cell-output")) return;
    for (const a of ["title", "aria-label", "placeholder"]) if (e.getAttribute(a)) words.push(`${a}=${e.getAttribute(a)}`);
  });
  return {
    previous: side("previous"), next: side("next"), hasNavigation: !!pn,
    sidebar: Array.from(document.querySelectorAll("#quarto-sidebar a.sidebar-link[href]")).map((a) => a.href),
    chrome: words,
    packageLinks: Array.from(main.querySelectorAll("a[href]")).filter((a) => a.querySelector("code") && a.textContent.trim() === a.querySelector("code").textContent.trim())
                       .map((a) => ({href: a.href, text: a.textContent.trim()})),
    images: Array.from(document.images).map((i) => { const cell = i.closest(".cell"); const code = cell && cell.querySelector("pre code");
      return {alt: (i.getAttribute("alt") || "").trim(), code: code ? code.textContent.trim().split("\n")[0].slice(0, 60) : ""}; }),
    outputs: Array.from(main.querySelectorAll(".cell-output")).map((e) => e.innerText).join("\n"),
  };
}"""


@pytest.fixture(scope="module")
def site_pages(served_site):
    "Every page of the built site, read in Chromium: {path: what READ_NAVIGATION returns}, and the address it is served at"
    from playwright.sync_api import sync_playwright
    pages = sorted(str(p.relative_to(DOCS).as_posix()) for p in DOCS.rglob("*.html"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(viewport={"width": 1280, "height": 900})
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(served_site) else
                  r.fulfill(status=200, content_type="text/css", body=""))
        tab = ctx.new_page()
        read = {}
        for path in pages:
            tab.goto(served_site + path, wait_until="load")
            read[path] = tab.evaluate(READ_NAVIGATION)
        browser.close()
    return served_site, read


def _path(href: str | None, base: str) -> str | None:
    "A link's page, relative to the site's root (`ko/data.html`), or the link itself when it leaves the site"
    if href is None: return None
    return unquote(urlsplit(href).path).lstrip("/") if href.startswith(base) else href


def _languages() -> dict[str, list[str]]:
    "Each language's pages in the chapter's order, as nbs/ and nbs/ko/ have them"
    return {"English": chapter_order([nb for nb in notebooks() if nb.parent.name != "ko"]),
            "한국어": chapter_order([nb for nb in notebooks() if nb.parent.name == "ko"])}


def test_no_page_shows_a_machine_path(site_pages):
    """The outputs a reader sees (every cell's output as Chromium shows it) name no place on the machine that ran the
    pages (the prose and the code may show an example such as `/path/to/that/folder`), and no built file, whatever its
    part, holds this checkout's folder, the data folder, the home folder or the interpreter's"""
    from test_notebooks import machine_paths
    base, read = site_pages
    problems = [f"{path}: {found}" for path, info in read.items() for found in machine_paths(info["outputs"])]
    places = {str(ROOT), str(Path.home()), sys.prefix, os.environ.get("REUTERS_NB_DATA") or str(ROOT)}
    for f in sorted(DOCS.rglob("*")):
        if f.is_file() and f.suffix in {".html", ".md", ".json", ".js", ".txt", ".xml"}:
            text = f.read_text(encoding="utf-8", errors="replace")
            problems += [f"{f.relative_to(DOCS)}: holds {place}" for place in sorted(places) if len(Path(place).parts) > 2 and place in text]
    assert not problems, "machine paths on the site:\n" + "\n".join(problems)


def test_previous_and_next_links(site_pages):
    "At the foot of every page: the previous and next pages of the chapter, in the page's own language, in sidebar order"
    base, read = site_pages
    problems = []
    for language, order in _languages().items():
        for k, path in enumerate(order):
            if path not in read: continue  # test_site_in_browser says the page is missing
            info = read[path]
            if not info["hasNavigation"]: problems.append(f"{path}: no previous/next links at the foot of the page")
            want = {"previous": order[k - 1] if k else None, "next": order[k + 1] if k + 1 < len(order) else None}
            for side, page in want.items():
                got = _path(info[side], base)
                if got != page: problems.append(f"{path} ({language}): {side} link goes to {got}, expected {page}")
    assert not problems, "\n".join(problems)


def test_sidebar_of_each_language(site_pages):
    "Every page shows its own language's sidebar: the Korean pages list the Korean pages, the English pages the English ones"
    base, read = site_pages
    problems = []
    for language, order in _languages().items():
        for path in order:
            if path not in read: continue
            got = [_path(h, base) for h in read[path]["sidebar"]]
            if got != order: problems.append(f"{path}: the sidebar lists {got}, expected the {language} pages {order}")
    assert not problems, "\n".join(problems)


SITE_TITLE = "reuters_nb"  # nbs/nbdev.yml's website title, the navbar's brand
# English on a Korean page that is not chrome to translate: the site's name, the link to the English pages, and
# the label smalldocs.js (as Quarto's anchor.js) gives the link beside each heading, which Quarto's languages lack too
NOT_TO_TRANSLATE = {SITE_TITLE, "English", "aria-label=Anchor"}
LATIN, HANGUL_ANY = re.compile("[A-Za-z]"), re.compile("[\uac00-\ud7a3]")


def test_korean_pages_chrome_is_korean(site_pages):
    "On a Korean page the words of the page around the content are Korean (Quarto's Korean words, as Quarto writes them)"
    base, read = site_pages
    problems = [f"{path}: English in the page's chrome: {word!r}"
                for path, info in read.items() if path.startswith("ko/")
                for word in dict.fromkeys(info["chrome"])
                if word not in NOT_TO_TRANSLATE and LATIN.search(word) and not HANGUL_ANY.search(word)]
    # ...and the words smalldocs.js writes as the reader uses the page: a search that finds nothing, a copied block of code
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context()
        ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base.rstrip("/"))
        tab = ctx.new_page()
        tab.goto(base + "ko/model.html", wait_until="load")
        tab.fill("#quarto-search input", "qqzzxxqqzz")
        none = tab.wait_for_selector("#quarto-search .search-none", timeout=10_000).text_content()
        if none != "일치 없음": problems.append(f"ko/model.html: a search that finds nothing says {none!r}")
        tab.click(".code-copy-button")
        tab.wait_for_function("document.querySelector('.code-copy-button.code-copy-button-checked')")
        if (title := tab.get_attribute(".code-copy-button", "title")) != "복사완료!":
            problems.append(f"ko/model.html: a copy button, clicked, says {title!r}")
        tab.wait_for_function("!document.querySelector('.code-copy-button.code-copy-button-checked')", timeout=5_000)
        if (title := tab.get_attribute(".code-copy-button", "title")) != "클립보드 복사":
            problems.append(f"ko/model.html: a copy button, after a copy, says {title!r}")
        browser.close()
    assert not problems, "\n".join(problems)


def test_korean_pages_link_the_package_to_korean_pages(site_pages):
    "On a Korean page a `name` of the package links to the Korean page that documents it, not to the English site"
    base, read = site_pages
    published = site_url()
    problems = []
    for path, info in read.items():
        if not path.startswith("ko/"): continue
        for link in info["packageLinks"]:
            href = link["href"]
            target = href[len(published):] if published and href.startswith(published) else _path(href, base)
            if target.startswith(("http:", "https:")): continue  # another library's docs
            page = urlsplit(target).path
            if not page.startswith("ko/") and "ko/" + page in read:  # the English page of a page that has a Korean twin
                problems.append(f"{path}: `{link['text']}` links to the English page {href[:90]}, not to ko/{page}")
    assert not problems, "\n".join(problems)


def test_every_picture_has_alt_text(site_pages):
    "Every picture on every page says what it shows (a figure's `#| fig-alt:`, in its page's language)"
    base, read = site_pages
    problems = [f"{path}: picture {k + 1} (cell `{i['code']}`) has no alt text: give its cell a `#| fig-alt:` line"
                for path, info in sorted(read.items()) for k, i in enumerate(info["images"]) if not i["alt"]]
    problems += [f"{path}: picture {k + 1} (cell `{i['code']}`): the alt text of a Korean page is English: {i['alt'][:60]!r}"
                 for path, info in sorted(read.items()) if path.startswith("ko/")
                 for k, i in enumerate(info["images"]) if i["alt"] and not HANGUL_ANY.search(i["alt"])]
    assert not problems, f"{len(problems)} picture(s) without alt text in their language:\n" + "\n".join(problems)


def _pictures(page: Path) -> list[bytes]:
    "The bytes of every picture of a built page: inlined (`data:` addresses, as smalldocs writes them) or files (Quarto's)"
    import base64
    out = []
    for src in re.findall(r'<img\b[^>]*?\bsrc="([^"]+)"', page.read_text(encoding="utf-8")):
        if src.startswith("data:"): out.append(base64.b64decode(src.split(",", 1)[1]))
        elif not re.match(r"^[a-z]+:", src) and (page.parent / unquote(src)).is_file(): out.append((page.parent / unquote(src)).read_bytes())
    return out


def test_korean_figures_are_drawn_in_korean(served_site):
    "No picture on a Korean page is byte for byte a picture of its English twin: figures are drawn again, labels in Korean"
    problems = []
    for path in _languages()["한국어"]:
        english, korean = DOCS / path.removeprefix("ko/"), DOCS / path
        if not (english.is_file() and korean.is_file()): continue  # test_site_in_browser says the page is missing
        same = set(_pictures(english)) & set(_pictures(korean))
        if same: problems.append(f"{path}: {len(same)} of its {len(_pictures(korean))} pictures are the English page's, byte for byte")
    assert not problems, "\n".join(problems)


BOOK_LINES = {  # the chapter's own Keras lines, as the model and training pages show them before the package's versions
    "model.html": ['keras.layers.Dense(64, activation="relu")', 'keras.layers.Dense(46, activation="softmax")',
                   'model.compile(optimizer="rmsprop", loss="categorical_crossentropy", metrics=["accuracy"])'],
    "train.html": ["model.fit(partial_x_train, partial_y_train, epochs=20, batch_size=512, validation_data=(x_val, y_val)"],
}


def test_the_books_keras_code_is_on_the_model_and_training_pages(served_site):
    "Both languages' model and training pages show the book's Keras lines themselves, not only the package's wrappers"
    import html as html_lib
    problems = []
    for name, lines in BOOK_LINES.items():
        for page in (DOCS / name, DOCS / "ko" / name):
            code = " ".join(re.findall(r"<pre\b.*?</pre>", page.read_text(encoding="utf-8"), re.S))
            code = re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", "", code)))  # the code as a reader copies it
            code = re.sub(r"([(\[]) ", r"\1", re.sub(r" ([)\]])", r"\1", code))  # a call cut over two lines reads as one
            problems += [f"{page.relative_to(DOCS)}: no `{line}`" for line in lines if line not in code]
    assert not problems, "\n".join(problems)
