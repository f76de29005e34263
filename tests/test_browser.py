"""The built site in a real browser: Debian's Chromium driven by Playwright, as readers get it.

Some promises can only be checked where the JavaScript runs: Material resolves
the search index and fetches sitemaps in the browser, so a page that looks
right as HTML can still search the wrong language, call another host, or be
broken by its own Content-Security-Policy. `make test` installs Chromium with apt-get.

Every page of the site (every index.html, and 404.html) is visited once, in
one browser, by the module fixture `tour`; during that visit the page's
requests, console errors, page errors, policy violations and axe-core findings
are all collected, and the tests below judge them. The other tests drive the
pages as a reader does: keyboard, language switcher, search, downloads.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import http.server
import json
import re
import threading
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium calls Google's hosts at start-up (FIELD-NOTES).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LANGUAGES = ("ru", "en", "kk")
IMPACTS = ("minor", "moderate", "serious", "critical")
TOUR_TABS = 3                                      # pages loaded at once by the tour: enough to keep 2 cores busy
INDICATORS = "runpud-2021-2024/04-indicators/"   # has the PDF button, CSV links and charts, in every language

# Installed in every document before its own scripts run: keeps each policy violation for the test to read.
CSP_LISTENER = """
window.__almanacViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__almanacViolations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sample}) at ${e.sourceFile}:${e.lineNumber}`), true);
"""

# The page's policies as the browser sees them, and what (other than <meta charset>) comes before the first.
POLICY_PROBE = """() => {
  const metas = [...document.querySelectorAll('meta[http-equiv="Content-Security-Policy" i]')];
  const head = [...document.head.children];
  const first = metas.length ? head.indexOf(metas[0]) : head.length;
  const before = head.slice(0, first).filter((e) => !(e.tagName === "META" && e.hasAttribute("charset")));
  return {policies: metas.map((m) => m.content), before: before.map((e) => e.outerHTML.slice(0, 80))};
}"""

# Material swaps "Initializing search" for its placeholder once its worker has fetched and indexed the
# search index: waiting for it means every request the page makes on its own has been made.
SEARCH_READY = """() => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const meta = document.querySelector(".md-search-result__meta");
  return !meta || meta.textContent.trim() === config.translations["search.result.placeholder"];
}"""


@dataclass
class Visit:
    """What one page did while a reader's browser loaded it."""

    path: str                                   # relative to the site root: "", "en/x/", "404.html"
    lang: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)   # securitypolicyviolation events
    refused: list[str] = field(default_factory=list)      # what Chromium's console says a policy refused
    policies: list[str] = field(default_factory=list)
    before_policy: list[str] = field(default_factory=list)
    axe: list[dict] = field(default_factory=list)
    pdf_links: list[dict] = field(default_factory=list)


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site quietly; `overrides` maps URL paths to JSON bodies served instead of the file."""

    def __init__(self, *args, overrides: dict[str, bytes], **kwargs):
        self.overrides = overrides          # set first: the base class handles the request in __init__
        super().__init__(*args, **kwargs)

    def do_GET(self):
        body = self.overrides.get(urlsplit(self.path).path)
        if body is None:
            return super().do_GET()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

    def handle(self):
        # Leaving a page mid-download (a search index, a PDF) closes the connection: not an error here.
        try:
            super().handle()
        except (BrokenPipeError, ConnectionResetError):
            pass


@contextlib.contextmanager
def _serving(site: Path, overrides: dict[str, bytes] | None = None):
    handler = functools.partial(_SiteHandler, directory=str(site), overrides=overrides or {})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/"
    finally:
        httpd.shutdown()


@pytest.fixture(scope="module")
def server(built_site):
    with _serving(built_site) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Tour:
    origin: str                                 # the server the tour's pages came from
    visits: list[Visit]


@pytest.fixture(scope="module")
def tour(built_site) -> Tour:
    """Every page visited once, with everything the checks below need collected during that visit.

    Chromium runs the pages in TOUR_TABS tabs at once (each a context of its own, so that every
    request, those of the search worker included, is counted for the page that made it), driven by
    Playwright's async API in a thread of its own, beside the sync API of the other tests.
    """
    from axe_playwright_python.sync_playwright import Axe

    with _serving(built_site, _search_index_stubs(built_site)) as origin:
        job = _run_tour(origin, site_pages(built_site), Axe().axe_script)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            return Tour(origin, pool.submit(asyncio.run, job).result())


def _search_index_stubs(site: Path) -> dict[str, bytes]:
    """Every search index (each language's library and publication indexes) without its documents, by URL path.

    The tour's pages still request their index and start the search worker, which loads its
    stemmers, but no page indexes its publication again; search is tested below and in
    test_search.py with the real indexes.
    """
    stubs = {}
    for path in sorted(site.rglob("search/search_index.json")):
        index = json.loads(path.read_text(encoding="utf-8"))
        stubs["/" + path.relative_to(site).as_posix()] = json.dumps({**index, "docs": []}).encode()
    return stubs


async def _run_tour(origin: str, paths: list[str], axe_source: str) -> list[Visit]:
    from playwright.async_api import async_playwright

    visits = [Visit(path=path, lang=language_of(path)) for path in paths]
    todo = list(reversed(visits))
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)

        async def tab():
            context = await chromium.new_context()
            await context.add_init_script(CSP_LISTENER)
            page = await context.new_page()
            current: list[Visit] = []
            context.on("request", lambda request: current[-1].requests.append(request.url))
            page.on("console", lambda message: _console(current[-1], message))
            page.on("pageerror", lambda error: current[-1].errors.append(f"uncaught: {error}"))
            while todo:
                current.append(todo.pop())
                await _visit(page, origin + current[-1].path, current[-1], axe_source)
            await context.close()

        await asyncio.gather(*(tab() for _ in range(TOUR_TABS)))
        await chromium.close()
    return visits


async def _visit(page, url: str, visit: Visit, axe_source: str) -> None:
    await page.goto(url, wait_until="load")
    await page.evaluate(axe_source)
    results = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    await page.wait_for_function(SEARCH_READY, timeout=30_000)
    visit.axe = [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                  "nodes": [" ".join(map(str, node["target"])) for node in v["nodes"]]}
                 for v in results["violations"]]
    visit.violations += await page.evaluate("window.__almanacViolations")
    probe = await page.evaluate(POLICY_PROBE)
    visit.policies, visit.before_policy = probe["policies"], probe["before"]
    visit.pdf_links = await page.eval_on_selector_all(
        "a.almanac-pdf", "links => links.map(a => ({href: a.href, hreflang: a.hreflang, download: a.hasAttribute('download')}))")


def _console(visit: Visit, message) -> None:
    if message.type != "error":
        return
    if "Content Security Policy" in message.text:   # Chromium reports each violation here too
        visit.refused.append(message.text[:300])
    else:
        visit.errors.append(message.text)


def site_pages(site: Path) -> list[str]:
    """Every page of the built site, as paths relative to its root ("" is the home page)."""
    pages = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.rglob("index.html"))
    pages = ["" if p == "./" else p for p in pages]
    return pages + (["404.html"] if (site / "404.html").exists() else [])


def language_of(path: str) -> str:
    first = path.split("/", 1)[0]
    return first if first in LANGUAGES[1:] else LANGUAGES[0]


def _by_language(visits: list[Visit]) -> dict[str, list[Visit]]:
    return {lang: [v for v in visits if v.lang == lang] for lang in LANGUAGES}


def _foreign(url: str, server: str) -> bool:
    return not url.startswith((server, "data:", "blob:"))


# -- Private: nothing from another host ------------------------------------------------------------


@pytest.mark.slow
def test_the_tour_visits_every_page_in_every_language(tour, built_site):
    counts = Counter(visit.lang for visit in tour.visits)
    assert len(tour.visits) == len(list(built_site.rglob("index.html"))) + 1, "every index.html and 404.html"
    assert all(counts[lang] > 0 for lang in LANGUAGES), f"pages per language: {dict(counts)}"


@pytest.mark.slow
def test_no_page_requests_anything_from_another_host(tour, quality):
    for lang, visits in _by_language(tour.visits).items():
        quality.record("requests", language=lang, pages=len(visits),
                       foreign=sum(_foreign(url, tour.origin) for v in visits for url in v.requests))
    foreign = {v.path or "/": [url for url in v.requests if _foreign(url, tour.origin)] for v in tour.visits}
    foreign = {path: urls for path, urls in foreign.items() if urls}
    assert foreign == {}, f"pages that called (or tried to call) another host: {foreign}"
    # The page itself, and Material's search worker with its index: proof that requests were recorded.
    unrecorded = [v.path for v in tour.visits if not any(url.endswith("search_index.json") for url in v.requests)]
    assert unrecorded == [], f"no search index request recorded for {unrecorded}"


@pytest.mark.slow
def test_no_page_logs_an_error(tour):
    errors = {v.path or "/": v.errors for v in tour.visits if v.errors and v.path != "404.html"}
    assert errors == {}, f"console errors or uncaught exceptions: {errors}"


@pytest.mark.slow
def test_the_404_page_logs_no_error(tour):
    # 404.html is a template rendered in every language pass: hooks/i18n.py keeps the default language's at
    # the root, without the alternate links beside which Material would fetch sitemap.xml.
    errors = [v.errors for v in tour.visits if v.path == "404.html"]
    assert errors == [[]], f"console errors on 404.html: {errors}"


# -- Safe: a Content-Security-Policy on every page ---------------------------------------------------


def _directives(policy: str) -> dict[str, list[str]]:
    parts = (d.split() for d in policy.split(";") if d.strip())
    return {p[0].lower(): p[1:] for p in parts}


@pytest.mark.slow
def test_every_page_carries_a_policy_that_forbids_other_hosts_and_inline_code(tour):
    problems: dict[str, list[str]] = {}
    for visit in tour.visits:
        found = problems.setdefault(visit.path or "/", [])
        if len(visit.policies) != 1:
            found.append(f"{len(visit.policies)} Content-Security-Policy <meta> elements, expected 1")
            continue
        if visit.before_policy:
            found.append(f"the policy comes after {visit.before_policy}, which it therefore does not govern")
        directives = _directives(visit.policies[0])
        if directives.get("default-src") != ["'self'"] or directives.get("object-src") != ["'none'"]:
            found.append("expected default-src 'self' and object-src 'none'")
        for name in ("script-src", "style-src", "img-src", "font-src", "connect-src", "worker-src"):
            sources = directives.get(name, directives.get("default-src", []))
            loose = [s for s in sources if s in ("*", "'unsafe-inline'", "'unsafe-eval'", "http:", "https:")
                     or "://" in s or s.startswith("*.")]
            if loose:
                found.append(f"{name} allows {loose}")
    problems = {path: found for path, found in problems.items() if found}
    assert problems == {}, problems


@pytest.mark.slow
def test_no_page_breaks_its_own_policy(tour, quality):
    for lang, visits in _by_language(tour.visits).items():
        quality.record("csp", language=lang, pages=len(visits),
                       violations=sum(max(len(v.violations), len(v.refused)) for v in visits))
    violations = {v.path or "/": v.violations + v.refused for v in tour.visits if v.violations or v.refused}
    assert violations == {}, f"Content-Security-Policy violations: {violations}"


FILE_PAGES = ["index.html", "en/index.html", "kk/index.html", f"{INDICATORS}index.html",
              f"en/{INDICATORS}index.html", f"kk/{INDICATORS}index.html", "kk/inpud-2021-2024/01-introduction/index.html",
              "translation-status/index.html"]


def test_pages_opened_from_disk_break_no_policy(built_site, browser, quality):
    """A reader who opens site/index.html from disk: 'self' is then file:, and nothing may be refused."""
    context = browser.new_context()
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text[:300]) if "Content Security Policy" in m.text else None)
    refused, count = {}, 0
    for relative in FILE_PAGES:
        console.clear()
        page.goto((built_site / relative).as_uri(), wait_until="load")
        # Material sets itself up on DOMContentLoaded; one animation frame later its first work is done.
        page.evaluate("() => new Promise(requestAnimationFrame)")
        events = page.evaluate("window.__almanacViolations")
        assert page.locator("header.md-header").is_visible(), f"{relative} did not render from disk"
        count += max(len(events), len(console))     # Chromium reports each violation both ways
        if events or console:
            refused[relative] = events + console
    context.close()
    quality.record("csp", language="file", pages=len(FILE_PAGES), violations=count)
    assert refused == {}, f"policy violations on pages opened as file:// URLs: {refused}"


def test_charts_keep_their_colours_under_the_policy(server, browser):
    """The charts' colours are inline style attributes, allowed by hash: a missing hash turns them black."""
    page = browser.new_page()
    mismatched, checked = [], 0
    for prefix in ("", "en/", "kk/"):
        page.goto(server + prefix + INDICATORS, wait_until="load")
        found = page.eval_on_selector_all(".almanac-chart svg [style*='fill: #']", """els => els.map(e => [
            e.getAttribute('style').match(/fill: (#[0-9a-f]{6})/)[1], getComputedStyle(e).fill])""")
        checked += len(found)
        for declared, computed in found:
            rgb = "rgb({}, {}, {})".format(*(int(declared[i:i + 2], 16) for i in (1, 3, 5)))
            if computed != rgb:
                mismatched.append(f"/{prefix}{INDICATORS}: fill {declared} drawn as {computed}")
    page.close()
    assert checked > 0, f"no coloured chart shapes found on /{INDICATORS}"
    assert mismatched == [], mismatched[:10]


# -- Charts on a phone ------------------------------------------------------------------------------

PHONE = {"width": 360, "height": 780}
# Font size times the SVG's on-screen scale, for every chart text the reader can see.
CHART_TEXT_PX = """() => [...document.querySelectorAll('.almanac-chart svg text')]
    .filter(t => t.getClientRects().length > 0)
    .map(t => [t.textContent.trim(), parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a])"""


def chart_pages(site: Path) -> list[str]:
    return sorted(str(p.parent.relative_to(site)) + "/" for p in site.rglob("index.html")
                  if "almanac-chart" in p.read_text(encoding="utf-8"))


def test_chart_text_is_legible_at_360_pixels_with_a_table_of_the_same_numbers(server, browser, built_site):
    from axe_playwright_python.sync_playwright import Axe

    pages = chart_pages(built_site)
    assert len(pages) >= 6, f"expected charts in every language, found them on {pages}"
    page = browser.new_page(viewport=PHONE)
    small, missing, grave, measured = [], [], [], 0
    for path in pages:
        page.goto(server + path, wait_until="load")
        sizes = page.evaluate(CHART_TEXT_PX)
        measured += len(sizes)
        small += [f"/{path}: «{text}» at {px:.1f} px" for text, px in sizes if px < 12]
        for figure in page.query_selector_all(".almanac-chart"):
            shown = " ".join(t.text_content() for t in figure.query_selector_all("svg text")
                             if t.is_visible()).replace("\u00a0", " ")
            cells = [c.text_content().replace("\u00a0", " ")
                     for c in figure.query_selector_all(".almanac-chart__data td")]
            if not cells:
                missing.append(f"/{path}: a chart without its table")
            missing += [f"/{path}: table value «{c}» is not in the chart" for c in cells if c not in shown]
        page.evaluate(Axe().axe_script)
        results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        grave += [f"/{path}: {v['id']} ({v['impact']})" for v in results["violations"]
                  if v["impact"] in ("serious", "critical")]
    page.close()
    assert measured > 0, "no visible chart text at 360 px"
    assert small == [], small[:10]
    assert missing == [], missing[:10]
    assert grave == [], grave


# Each table wrapper Material made: does it scroll sideways, and what a keyboard and a screen reader get.
WRAPPERS = """() => [...document.querySelectorAll('.md-typeset__scrollwrap')].map(w => ({
  overflows: w.scrollWidth > w.clientWidth, tabindex: w.getAttribute('tabindex'), role: w.getAttribute('role'),
  name: (document.getElementById(w.getAttribute('aria-labelledby') || '') || {}).textContent || ''}))"""
EDITORIAL = "inpud-2021-2024/99-editorial-notes/"   # a four-column table of corrections in every language


@pytest.mark.parametrize("prefix", ["", "en/", "kk/"])
def test_a_table_wider_than_a_phone_scrolls_from_the_keyboard_and_one_that_fits_adds_no_tab_stop(
        server, browser, prefix):
    page = browser.new_page(viewport=PHONE)
    page.goto(server + prefix + EDITORIAL, wait_until="load")
    wide = [w for w in page.evaluate(WRAPPERS) if w["overflows"]]
    assert wide, f"/{prefix}{EDITORIAL}: expected its table of corrections to be wider than 360 px"
    unnamed = [w for w in wide if (w["tabindex"], w["role"]) != ("0", "region") or not w["name"].strip()]
    assert unnamed == [], f"/{prefix}{EDITORIAL}: wide tables without a named tab stop: {unnamed}"
    for _ in range(40):                              # from the top of the page to the table, as a reader tabs
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('md-typeset__scrollwrap')"):
            break
    else:
        pytest.fail(f"/{prefix}{EDITORIAL}: 40 presses of Tab never reached the wide table")
    page.keyboard.press("ArrowRight")
    # A function, not an expression: Playwright evaluates an expression with eval, which the policy forbids.
    page.wait_for_function("() => document.activeElement.scrollLeft > 0", timeout=5_000)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.wait_for_function("""() => [...document.querySelectorAll('.md-typeset__scrollwrap')]
        .every(w => w.scrollWidth > w.clientWidth || !w.hasAttribute('tabindex'))""", timeout=5_000)
    page.close()


# -- Accessible: axe-core on every page -------------------------------------------------------------


@pytest.mark.slow
def test_axe_finds_no_serious_or_critical_violation(tour, quality):
    for lang, visits in _by_language(tour.visits).items():
        impacts = Counter(v["impact"] for visit in visits for v in visit.axe)
        quality.record("accessibility", language=lang, pages=len(visits), **{i: impacts[i] for i in IMPACTS})
    grave = [f"/{visit.path}: {v['id']} ({v['impact']}: {v['help']}) at {v['nodes'][:3]}"
             for visit in tour.visits for v in visit.axe if v["impact"] in ("serious", "critical")]
    assert grave == [], "\n".join(grave)


# What a keyboard user must reach on the indicators page (besides every CSV link), as selectors.
KEY_TARGETS = {"language switcher": "a.md-select__link[hreflang]", "search": "input.md-search__input",
               "PDF button": "a.almanac-pdf"}

# The element Tab moved focus to (marked, so that coming round again ends the walk), and whether it shows
# focus: an outline or a box-shadow that is there and not transparent, while :focus-visible matches.
TAB_STOP = """targets => {
  const el = document.activeElement;
  if (!el || el === document.body || el.hasAttribute("data-tab-stop")) return null;
  el.setAttribute("data-tab-stop", "");
  const s = getComputedStyle(el);
  const opaque = (color) => !/transparent|rgba\\([^)]*,\\s*0\\)/.test(color);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 && opaque(s.outlineColor);
  const shadow = s.boxShadow !== "none" && opaque(s.boxShadow);
  return {href: el.href || null, reached: Object.keys(targets).filter((name) => el.matches(targets[name])),
          shown: (outline || shadow) && el.matches(":focus-visible"), what: el.outerHTML.slice(0, 100)};
}"""


@pytest.mark.parametrize("prefix", ["", "en/", "kk/"])
def test_the_keyboard_alone_reaches_every_control_with_a_visible_focus(server, browser, prefix):
    page = browser.new_page()
    page.goto(server + prefix + INDICATORS, wait_until="load")
    csv_links = page.eval_on_selector_all("a.almanac-indicators__csv", "els => els.map(e => e.href)")
    reached, unseen, stops = set(), [], 0
    for _ in range(400):
        page.keyboard.press("Tab")
        stop = page.evaluate(TAB_STOP, KEY_TARGETS)
        if stop is None:
            break                               # past the last control, or round to the first again
        stops += 1
        reached.update(stop["reached"], [stop["href"]])
        if not stop["shown"]:
            unseen.append(stop["what"])
    page.close()
    assert csv_links, f"/{prefix}{INDICATORS} should offer CSV downloads"
    missing = (set(KEY_TARGETS) | set(csv_links)) - reached
    assert not missing, f"Tab never reached {sorted(missing)} on /{prefix}{INDICATORS} ({stops} stops)"
    assert unseen == [], f"focused without a visible outline or shadow on /{prefix}{INDICATORS}: {unseen}"


# -- Multilingual: the switcher keeps the page, search keeps the language ----------------------------


def test_the_language_switcher_keeps_the_reader_on_the_same_page(server, browser):
    page = browser.new_page()
    chapter = "runpud-2021-2024/03-goals/"
    page.goto(server + chapter, wait_until="load")
    for lang, prefix in (("en", "en/"), ("ru", ""), ("kk", "kk/"), ("ru", "")):
        page.hover(".md-header .md-select")
        with page.expect_navigation():
            page.click(f".md-header a.md-select__link[hreflang='{lang}']")
        assert page.url == server + prefix + chapter, f"the {lang} switcher led to {page.url}"
        assert page.evaluate("document.documentElement.lang") == lang
    page.close()


def _search(page, server: str, prefix: str, query: str) -> list[str]:
    page.goto(server + prefix, wait_until="load")
    page.wait_for_function(SEARCH_READY, timeout=30_000)
    # Material reads the query on keyup, not on input events.
    page.fill("input.md-search__input", query)
    page.press("input.md-search__input", "End")
    page.locator(".md-search-result__item").first.wait_for(state="attached", timeout=30_000)
    return [link.get_attribute("href") for link in page.locator(".md-search-result__link").all()]


def _built_page(site: Path, href: str) -> str:
    path = urlsplit(href).path.lstrip("/")
    return (site / path / "index.html").read_text(encoding="utf-8")


# A publication's pages search that publication, and the library's titles and abstracts (almanac.search).
@pytest.mark.parametrize("prefix, scope, query, word", [
    ("", "inpud-2025-2029/", "наркополитики", "наркополитика"),   # another case of the word: the Russian stemmer
    ("", "runpud-2021-2024/", "миссия", "миссия"),
    ("en/", "inpud-2025-2029/", "strategies", "strategy"),         # likewise through the English stemmer
    ("en/", "inpud-2021-2024/", "mission", "mission"),
    ("kk/", "runpud-2021-2024/", "есірткі", "есірткі"),
    ("kk/", "runpud-2021-2024/", "миссиямыз", "миссиямыз"),
])
def test_search_finds_pages_in_the_readers_language(server, browser, built_site, prefix, scope, query, word):
    """With the real index (the tour serves a stub): results in the reader's language only, with the word."""
    page = browser.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    links = _search(page, server, prefix + scope, query)
    page.close()
    assert links, f"no results for {query!r} on /{prefix}{scope}"
    assert errors == [], f"errors while searching /{prefix}{scope}: {errors}"
    lang = language_of(prefix)
    for link in links:
        assert link.startswith(server + prefix), f"{query!r} on /{prefix}{scope} led to {link}"
        if not prefix:
            assert not link.startswith((server + "en/", server + "kk/")), link
    pages = {urlsplit(link).path: _built_page(built_site, link) for link in links}
    for path, text in pages.items():
        assert f'<html lang="{lang}"' in text, f"{query!r} on /{prefix}{scope} found {path}, which is not in {lang}"
        assert 'class="almanac-original"' not in text, f"{query!r} on /{prefix}{scope} found the untranslated {path}"
    with_word = [path for path, text in pages.items() if word in text.lower()]
    assert with_word, f"no result for {query!r} on /{prefix}{scope} contains {word!r}: {sorted(pages)}"


# -- PDFs in the reader's language -----------------------------------------------------------------


@pytest.mark.slow
def test_every_pdf_button_offers_a_pdf_in_the_pages_language(tour, server):
    links = {(link["href"][len(tour.origin):], visit.lang, link["hreflang"], link["download"])
             for visit in tour.visits for link in visit.pdf_links}
    assert {lang for _, lang, _, _ in links} == set(LANGUAGES), "a PDF button in every language"
    problems, fetched = [], {}
    for path, lang, hreflang, download in sorted(links):
        name = path.rsplit("/", 1)[-1]
        if not re.fullmatch(rf"[a-z0-9-]+\.{lang}\.pdf", name) or hreflang != lang or not download:
            problems.append(f"a {lang} page offers {name} (hreflang={hreflang!r}, download={download})")
        if path not in fetched:
            with urllib.request.urlopen(server + path) as response:
                fetched[path] = (response.status, response.headers.get_content_type(), response.read(5))
        status, kind, head = fetched[path]
        if (status, kind, head) != (200, "application/pdf", b"%PDF-"):
            problems.append(f"/{path}: HTTP {status}, {kind}, starts {head!r}")
    assert problems == [], problems


@pytest.mark.parametrize("lang, chapter", [("ru", "runpud-2021-2024/03-goals/"), ("en", "kibhr-2015-2018/03-challenges/"),
                                           ("kk", "runpud-2021-2024/03-goals/")])
def test_the_download_button_gives_the_brochure_in_the_readers_language(server, browser, lang, chapter):
    page = browser.new_page(accept_downloads=True)
    page.goto(server + ("" if lang == "ru" else f"{lang}/") + chapter, wait_until="load")
    with page.expect_download() as download_info:
        page.click("a.almanac-pdf")
    download = download_info.value
    head = Path(download.path()).read_bytes()[:5]  # read before the page's context deletes it
    page.close()
    assert download.suggested_filename == f"{chapter.split('/')[0]}.{lang}.pdf"
    assert head == b"%PDF-"
