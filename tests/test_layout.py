"""The built site's layout as a reader's browser draws it: no jump at load, nothing wider than a phone, targets big enough.

Debian's Chromium, driven by Playwright as in tests/test_browser.py, loads:
- the home page (every language) on a 360 px phone and a 1400 px screen, and sums the layout shifts that a
  PerformanceObserver reports ('layout-shift' entries without recent input: cumulative layout shift);
- every publication home and every page with a table, at 360 px, and looks for any element of the article
  that reaches past the viewport or past its own scroll container (a table cut off, a caption pushed out),
  and for download links or buttons less than 24 CSS px tall (WCAG 2.5.8 without its spacing exception);
- the same pages at 1400 px, where each indicator table spans its column.
The catalogue's markup is checked in the built HTML: filters and cards, a submit button, no lone choice.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.test_browser import CHROMIUM, CHROMIUM_ARGS, LANGUAGES, _serving

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1400, "height": 900}
MAX_SHIFT = 0.05

# Every layout shift of the document, from before its first paint (buffered) to the moment it is read.
SHIFTS = """
window.__almanacShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.__almanacShifts.push({value: entry.value,
      sources: entry.sources.map((s) => s.node ? (s.node.className || s.node.nodeName) : "?")});
  }
}).observe({type: "layout-shift", buffered: true});
"""

# Elements of the article wider than what holds them: the viewport, or the nearest ancestor that scrolls or
# clips. Visually hidden elements (a 1 px clip, as a stacked table's header row) are skipped. A box that
# scrolls with a visible cue (a shadow gradient: the prose tables of editorial notes) may hold wider content,
# but must itself fit; the indicator and editions tables have no such box on a phone: their rows are stacked.
OVERFLOWS = """() => {
  const found = [];
  const view = {left: 0, right: document.documentElement.clientWidth};
  const describe = (e) => e.tagName.toLowerCase() + (e.className && typeof e.className === "string" ? "." +
    e.className.trim().split(/\\s+/).join(".") : "") + " «" + (e.textContent || "").trim().slice(0, 40) + "»";
  for (const element of document.querySelectorAll(".md-content *")) {
    const rect = element.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1 || element.closest("svg, .md-nav, [hidden], details:not([open]) > :not(summary)")) continue;
    let box = view;
    for (let parent = element.parentElement; parent; parent = parent.parentElement) {
      const style = getComputedStyle(parent);
      if (["auto", "scroll", "hidden", "clip"].includes(style.overflowX)) {
        const r = parent.getBoundingClientRect();
        // A box that scrolls and shows that it does (a shadow where the content goes on) may hold more than its width.
        const cued = ["auto", "scroll"].includes(style.overflowX) && style.backgroundImage.includes("gradient");
        box = r.width <= 1 || cued ? null : {left: r.left, right: r.right};
        if (cued && (r.right > view.right + 1 || r.left < view.left - 1)) {
          found.push(`${describe(parent)}: a scrolling box ${Math.round(r.left)}–${Math.round(r.right)} px wide`);
        }
        break;
      }
    }
    if (box && (rect.right > box.right + 1 || rect.left < box.left - 1)) {
      found.push(`${describe(element)}: ${Math.round(rect.left)}–${Math.round(rect.right)} px in ` +
                 `${Math.round(box.left)}–${Math.round(box.right)}`);
    }
  }
  if (document.documentElement.scrollWidth > view.right + 1) {
    found.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide`);
  }
  return found;
}"""

TARGETS = """() => [...document.querySelectorAll(
    ".md-content a[download], .md-content a.almanac-download, .md-content .md-button, .md-content a.almanac-indicators__csv")]
  .filter((e) => e.getClientRects().length > 0)
  .map((e) => [(e.textContent.trim() || e.getAttribute("aria-label") || e.href).slice(0, 40), e.getBoundingClientRect().height])"""

SPANS = """() => [...document.querySelectorAll(".almanac-indicators")].map((block) => {
  const table = block.querySelector("table"), caption = block.querySelector("caption");
  return [caption ? caption.textContent.trim().slice(0, 50) : "?", table.getBoundingClientRect().width,
          block.getBoundingClientRect().width];
})"""


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


def publication_homes(site: Path) -> list[str]:
    """Every publication's home page in every language (the pages with the overview)."""
    return sorted(str(p.parent.relative_to(site)) + "/" for p in site.rglob("index.html")
                  if 'class="almanac-overview"' in p.read_text(encoding="utf-8"))


def table_pages(site: Path) -> list[str]:
    """Every page whose article holds a table (indicator tables, chart data, the editions table)."""
    return sorted(str(p.parent.relative_to(site)) + "/" for p in site.rglob("index.html")
                  if "<table" in p.read_text(encoding="utf-8").split('<article', 1)[-1])


def _load(page, url: str) -> None:
    page.goto(url, wait_until="load")
    # Fonts and Material's own set-up (which wraps tables) are done one animation frame after both.
    page.evaluate("() => document.fonts.ready.then(() => new Promise(requestAnimationFrame))")
    page.wait_for_timeout(300)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_home_page_does_not_shift_while_it_loads(server, browser, viewport, quality):
    shifts = {}
    for prefix in ("", "en/", "kk/"):
        context = browser.new_context(viewport=viewport)
        context.add_init_script(SHIFTS)
        page = context.new_page()
        _load(page, server + prefix)
        page.wait_for_timeout(700)   # late work: the catalogue's script, Material's search set-up
        entries = page.evaluate("window.__almanacShifts")
        shifts[prefix or "/"] = (sum(e["value"] for e in entries), entries)
        context.close()
    for path, (total, _) in shifts.items():
        quality.record("layout-shift", page=path, width=viewport["width"], cls=round(total, 4))
    moved = {path: (round(total, 4), entries[:5]) for path, (total, entries) in shifts.items() if total >= MAX_SHIFT}
    assert moved == {}, f"cumulative layout shift of {MAX_SHIFT} or more at {viewport['width']} px: {moved}"


@pytest.mark.slow
def test_the_phone_layout_has_no_overflow_and_big_enough_targets(server, browser, built_site):
    pages = sorted(set(publication_homes(built_site)) | set(table_pages(built_site)))
    assert len(publication_homes(built_site)) >= 5 * len(LANGUAGES) - 4, publication_homes(built_site)
    assert any("indicators" in p for p in pages), pages
    page = browser.new_page(viewport=PHONE)
    overflows, small, measured = {}, [], 0
    for path in pages:
        _load(page, server + path)
        found = page.evaluate(OVERFLOWS)
        if found:
            overflows[f"/{path}"] = found[:5]
        targets = page.evaluate(TARGETS)
        measured += len(targets)
        small += [f"/{path}: «{name}» is {height:.1f} px tall" for name, height in targets if height < 24 - 0.01]
    page.close()
    assert measured > len(pages), "no download links or buttons were measured: the selector finds nothing"
    assert overflows == {}, f"{len(overflows)} pages overflow at 360 px: {overflows}"
    assert small == [], small[:20]


@pytest.mark.slow
def test_indicator_tables_span_the_column(server, browser, built_site):
    pages = [p for p in table_pages(built_site) if "almanac-indicators" in (built_site / p / "index.html").read_text()]
    assert pages, "no page with indicator tables"
    page = browser.new_page(viewport=DESKTOP)
    narrow, seen = [], 0
    for path in pages:
        _load(page, server + path)
        for caption, table, column in page.evaluate(SPANS):
            seen += 1
            if table < column - 2:
                narrow.append(f"/{path}: «{caption}» is {table:.0f} px in a {column:.0f} px column")
    page.close()
    assert seen > 0
    assert narrow == [], narrow[:10]


# -- The catalogue's markup ------------------------------------------------------------------------------


def _home(site: Path, prefix: str) -> str:
    return (site / prefix / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("prefix", ["", "en/", "kk/"])
def test_the_catalogue_filters_are_there_from_the_start_with_a_submit_button(built_site, prefix):
    html = _home(built_site, prefix)
    form = re.search(r'<form class="almanac-filters"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no filter form"
    assert " hidden" not in form.group(0)[:80], "the form is hidden until a script shows it: the cards jump"
    assert '<details class="almanac-filters-fold">' in html and "<summary>" in html
    assert re.search(r'<button type="submit"', form.group(1)), "a form without a submit button (pa11y H32)"
    for select in re.findall(r"<select .*?</select>", form.group(1), re.S):
        assert select.count("<option") > 2, f"a filter with a single choice: {select[:120]}"
    assert re.search(r'role="status"[^>]*>[^<]+<', form.group(1)), "the count is empty until the script fills it"
    assert 'noscript><link rel="stylesheet"' in html


@pytest.mark.parametrize("prefix", ["", "en/", "kk/"])
def test_each_card_offers_an_abstract_and_reading_online_and_the_page_has_no_next_link(built_site, prefix):
    html = _home(built_site, prefix)
    cards = re.findall(r'<li class="almanac-card".*?</article>', html, re.S)
    assert len(cards) == 5
    for card in cards:
        assert re.search(r'<p class="almanac-card__abstract"[^>]*>[^<]{30,}</p>', card), card[:200]
        assert re.search(r'<a class="md-button md-button--primary" href="[^"]+"', card), card[:200]
    # Material writes the footer's links and hides them with `hide: footer` (the page's front matter).
    footer = re.search(r'<nav class="md-footer__inner[^>]*>', html)
    assert footer is None or " hidden" in footer.group(0), f"the catalogue page shows a Next/Previous footer: {footer}"


def test_cards_carry_a_cover_of_known_size_exactly_when_pdfs_are_published(built_site):
    html = _home(built_site, "en/")
    covers = re.findall(r'<img class="almanac-card__cover" src="([^"]+)" width="(\d+)" height="(\d+)" alt="([^"]+)"', html)
    if not (built_site / "pdf").is_dir():
        assert covers == [] and not (built_site / "covers").exists()
        assert "almanac-card__cover" not in html
        return
    assert len(covers) == 5
    for src, width, height, alt in covers:
        image = (built_site / "en" / src).resolve()
        assert image.is_file(), src
        assert image.read_bytes()[8:12] == b"WEBP"
        assert (int(width), int(height)) == (120, 170) and alt.startswith("Cover of the PDF edition:")


def test_the_filters_fold_on_a_phone_and_are_left_out_without_javascript(server, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    _load(page, server + "en/")
    assert page.is_visible(".almanac-filters-fold > summary") and not page.is_visible("form.almanac-filters")
    page.click(".almanac-filters-fold > summary")
    assert page.is_visible("form.almanac-filters")
    context.close()
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    _load(page, server + "en/")
    assert page.is_visible("form.almanac-filters") and not page.is_visible(".almanac-filters-fold > summary")
    context.close()
    # Without scripts the selects could not filter: the control is not shown, and every card is.
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "en/", wait_until="load")
    assert not page.is_visible(".almanac-filters-fold")
    assert page.locator("li.almanac-card:visible").count() == 5
    context.close()
