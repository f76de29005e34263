"""What readers get: each publication's overview, the home page's catalogue, sharing tags and open data.

Everything is read from the session's built site (`built_site`); the numbers it
shows are checked against the data files, the PDFs (pypdf) and the data package
(frictionless), not against the code that wrote them.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.conftest import LANGUAGES, ROOT

SITE_URL = "https://almanac.example.org/"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def prefix(lang: str) -> str:
    return "" if lang == "ru" else f"{lang}/"


def home_of(site: Path, pub, lang: str) -> Path:
    return site / prefix(lang) / pub.slug / "index.html"


def target(site: Path, page: Path, href: str) -> Path:
    """The file a relative link on `page` leads to."""
    url = urljoin("/" + page.relative_to(site).as_posix(), href)
    path = site / unquote(urlsplit(url).path).lstrip("/")
    return path / "index.html" if url.endswith("/") else path


@pytest.fixture(scope="module")
def project():
    from almanac.project import Project

    return Project.load(ROOT, ROOT / "content", LANGUAGES, {})


@pytest.fixture(scope="module")
def locales(project):
    return project.locales


def _figure_language(ind, dataset, lang: str) -> str:
    # The documented rule: a figure is shown in the reader's language when the data has its label and unit
    # forms there, else whole in the original (ru), marked with lang="ru".
    units = ind.unit in ("percent", "none", None) or lang in dataset.units.get(ind.unit, {})
    words = all(lang in mapping for mapping in (ind.base, ind.qualifier) if mapping)
    return lang if lang in ind.label and lang in (ind.short or ind.label) and units and words else "ru"


# --- A publication's home page ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_publication_home_opens_with_its_overview(built_site, project, lang):
    loc = project.locales
    for pub in project.publications:
        page = home_of(built_site, pub, lang)
        article = soup(page).select_one("article")
        overview = article.select_one("section.almanac-overview")
        assert overview is not None, f"{page}: no overview"
        assert overview.get("lang") == lang
        # Right after the page's title, before the publication's own text.
        assert article.select_one("h1").find_next_sibling() is overview, f"{page}: the overview does not open the page"
        text = overview.get_text(" ", strip=True)
        assert loc.get(lang, f"kinds.{pub.meta['kind']}") in text
        assert loc.get(lang, "period", start=pub.period[0], end=pub.period[1]) in text
        assert pub.organisation.name_in(lang) in text
        if pub.meta["date_label"]:
            assert " ".join(pub.meta["date_label"].get(lang, pub.meta["date_label"]["ru"]).split()) in text
        chapters = overview.select("ol.almanac-chapters > li > a")
        assert len(chapters) == len(pub.chapters) - 1, f"{page}: not one line per chapter"
        for link in chapters:
            assert target(built_site, page, link["href"]).is_file(), f"{page}: broken chapter link {link['href']}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_key_figures_are_the_highlighted_values_formatted_for_the_language(built_site, project, lang):
    from almanac.indicators import Formatter

    highlighted = {slug: [i for i in data.indicators.values() if i.highlight and i.value is not None]
                   for slug, data in project.datasets.items()}
    if not any(highlighted.values()):
        pytest.skip("no indicator is marked highlight: true in data/indicators/ yet")
    for pub in project.publications:
        dataset = project.datasets.get(pub.slug)
        page = home_of(built_site, pub, lang)
        shown = soup(page).select("section.almanac-overview li.almanac-figure")
        expected = highlighted.get(pub.slug, [])
        assert [li["data-indicator"] for li in shown] == [i.id for i in expected], f"{page}: key figures"
        for li, ind in zip(shown, expected):
            in_lang = _figure_language(ind, dataset, lang)
            fmt = Formatter(dataset, in_lang, project.locales, pytest.fail)
            value = li.select_one(".almanac-figure__value").get_text()
            assert li.get("lang", lang) == in_lang
            # Every figure is labelled, and its number is said once, in the value.
            label = li.select_one(".almanac-figure__label").get_text()
            assert label.strip() and fmt.number(ind.value) not in label, f"{page}: {ind.id} {label!r}"
            if ind.short and in_lang in ind.short:
                assert (value, label) == (fmt.figure(ind), ind.short[in_lang]), f"{page}: {ind.id}"
            else:   # the sentence names the unit around a bare number: the number alone stands above it
                assert value.endswith(fmt.number(ind.value)) and label in fmt.label_text(ind), f"{page}: {ind.id}"


def _facts_numbers(text: str) -> tuple[int, float, str]:
    """(pages, size, unit) from «34 страницы, 1,2 МБ» / "34 pages, 1.2 MB"."""
    match = re.fullmatch(r"(\d[\d\u00a0\u202f ]*)\D+?,\s*(\d[\d\u00a0\u202f ]*(?:[.,]\d)?)\s*(КБ|МБ|KB|MB)", text)
    assert match, f"cannot read the PDF facts {text!r}"
    pages = int(re.sub(r"\D", "", match[1]))
    size = float(re.sub(r"[\u00a0\u202f ]", "", match[2]).replace(",", "."))
    return pages, size, match[3]


def _pdf_links(site: Path, page: Path):
    for link in soup(page).select('article a.almanac-download[type="application/pdf"]'):
        yield link, target(site, page, link["href"])


@functools.lru_cache(maxsize=None)
def _page_count(pdf: Path) -> int:
    """A PDF's pages, read once per run: every language's cards link every edition."""
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_pdf_link_states_the_real_page_count_and_size(built_site, project, lang):

    pages = [home_of(built_site, pub, lang) for pub in project.publications]
    pages.append(built_site / prefix(lang) / "index.html")
    if not project.settings["pdf"] or not (built_site / "pdf").is_dir():
        pytest.skip("the site was built without PDFs")
    counted = 0
    for page in pages:
        for link, pdf in _pdf_links(built_site, page):
            assert pdf.is_file(), f"{page}: {link['href']} does not exist"
            facts = link.find_next_sibling("span", class_="almanac-facts")
            assert facts is not None and not facts.has_attr("data-almanac-pdf"), f"{page}: {link['href']} unfilled"
            count, size, unit = _facts_numbers(facts.get_text())
            assert count == _page_count(pdf), f"{page}: wrong page count for {pdf.name}"
            real = pdf.stat().st_size
            expected = round(real / 1024 / 1024, 1) if unit in ("МБ", "MB") else round(real / 1024)
            assert size == expected, f"{page}: wrong size for {pdf.name}: {size} {unit}, file has {real} bytes"
            counted += 1
    # A PDF link per language on each overview and card, and the printer's edition's when `almanac build` made it.
    links = 2 + (built_site / "pdf" / "print").is_dir()
    assert counted == len(project.publications) * len(LANGUAGES) * links, "a PDF link missing or too many"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_edition_is_linked_and_fallbacks_are_marked(built_site, project, lang):
    from almanac.translations import localized

    for pub in project.publications:
        page = home_of(built_site, pub, lang)
        rows = soup(page).select("section.almanac-overview .almanac-editions tbody tr")
        assert [row.select_one("a")["hreflang"] for row in rows] == LANGUAGES
        for row, other in zip(rows, LANGUAGES):
            assert target(built_site, page, row.select_one("a")["href"]) == home_of(built_site, pub, other)
            translated = all(localized(project.docs_dir, ch, other).is_file() for ch in pub.chapters)
            marked = "almanac-editions__fallback" in (row.select_one("td").get("class") or [])
            assert marked == (not translated), f"{page}: {other} edition marked wrongly"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_data_links_lead_to_files_that_exist(built_site, project, lang):
    for pub in project.publications:
        page = home_of(built_site, pub, lang)
        links = soup(page).select("section.almanac-overview .almanac-data a")
        if pub.slug not in project.datasets:
            assert links == [], f"{page}: data links for a publication without data"
            continue
        hrefs = [link["href"] for link in links]
        assert [h.rsplit("/", 1)[-1] for h in hrefs] == ["indicators.csv", "indicators.json", "datapackage.json"]
        for href in hrefs:
            assert target(built_site, page, href).is_file(), f"{page}: {href} does not exist"
    # The per-group CSV downloads beside each table are still written.
    group_csv = list((built_site / prefix(lang) / "assets" / "data").glob("*.csv"))
    assert group_csv, "the per-table CSV downloads are gone"


# --- The site's home page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home_page_has_one_card_per_publication_and_labelled_filters(built_site, project, lang):
    page = built_site / prefix(lang) / "index.html"
    html = soup(page)
    cards = html.select("article li.almanac-card")
    assert sorted(card.select_one("h3")["id"].removeprefix("almanac-card-") for card in cards) == \
        sorted(pub.slug for pub in project.publications)
    for card in cards:
        pub = project.by_slug[card.select_one("h3")["id"].removeprefix("almanac-card-")]
        text = card.get_text(" ", strip=True)
        assert pub.title(lang) in text and pub.organisation.name_in(lang) in text
        assert project.locales.get(lang, "period", start=pub.period[0], end=pub.period[1]) in text
        assert card["data-organisation"] == pub.organisation.key and card["data-kind"] == pub.meta["kind"]
        assert card["data-years"].split() == [str(y) for y in range(pub.period[0], pub.period[1] + 1)]
        assert [a["hreflang"] for a in card.select(".almanac-card__languages a")] == LANGUAGES
        for link in card.select("a[href]"):
            assert target(built_site, page, link["href"]).exists(), f"{page}: {link['href']} does not exist"
    form = html.select_one("form.almanac-filters")
    # In the page from the first paint (a form shown by the script pushed the cards down: layout shift).
    assert form is not None and not form.has_attr("hidden") and form.find_parent("details") is not None
    selects = form.select("select")
    # A filter with a single choice is left out: every publication today is a strategic plan.
    choices = {"organisation": {p.organisation.key for p in project.publications},
               "kind": {p.meta["kind"] for p in project.publications},
               "year": {y for p in project.publications for y in range(p.period[0], p.period[1] + 1)}}
    assert [s["name"] for s in selects] == [name for name, values in choices.items() if len(values) > 1]
    for select in selects:
        assert form.select_one(f'label[for="{select["id"]}"]'), f"the {select['name']} filter has no label"
        assert len(select.select("option")) == len(choices[select["name"]]) + 1
    assert form.select_one('button[type="submit"]'), "a form without a submit button (pa11y, H32)"
    scripts = [s["src"] for s in html.select("script[src]") if "catalogue" in s["src"]]
    assert len(scripts) == 1 and target(built_site, page, scripts[0]).is_file()


def test_the_filters_show_only_matching_cards(built_site, project):
    from playwright.sync_api import sync_playwright

    from tests.test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto((built_site / "en" / "index.html").as_uri())
            assert page.is_visible("form.almanac-filters")
            visible = lambda: page.eval_on_selector_all(  # noqa: E731
                "li.almanac-card", "cards => cards.filter(c => !c.hidden).map(c => c.dataset.organisation)")
            assert len(visible()) == len(project.publications)
            page.select_option("#almanac-filter-organisation", "inpud")
            assert visible() == ["inpud"] * sum(p.organisation.key == "inpud" for p in project.publications)
            page.select_option("#almanac-filter-organisation", "")
            page.select_option("#almanac-filter-year", "2016")
            assert len(visible()) == sum(p.period[0] <= 2016 <= p.period[1] for p in project.publications)
            assert "of" in page.inner_text(".almanac-filters__count")
        finally:
            browser.close()


# --- Sharing ------------------------------------------------------------------------------------------------


def test_every_page_has_sharing_tags(built_site):
    pages = [p for p in built_site.rglob("index.html") if "assets" not in p.parts]
    assert len(pages) > 50
    for page in pages:
        # Only the <head> is read: the pages' bodies (tables, inline SVG) are large.
        head = BeautifulSoup(page.read_text(encoding="utf-8").split("</head>", 1)[0] + "</head>", "html.parser").head
        tags = {m["property"]: m["content"] for m in head.select("meta[property]")}
        for name in ("og:title", "og:description", "og:locale", "og:type", "og:url"):
            assert tags.get(name, "").strip(), f"{page}: no {name}"
        assert tags["og:url"].startswith(SITE_URL)
        assert re.fullmatch(r"[a-z]{2,3}_[A-Z]{2}", tags["og:locale"])
        assert head.select_one('meta[name="twitter:card"]')["content"] == "summary"
    ru_home = {m["property"]: m["content"] for m in soup(built_site / "index.html").select("meta[property]")}
    assert ru_home["og:locale"] == "ru_RU" and ru_home["og:type"] == "website"
    assert ru_home["og:url"] == SITE_URL


# --- Open data ----------------------------------------------------------------------------------------------


def test_every_datapackage_validates_and_its_csv_reads_back_with_its_types(built_site, project):
    from frictionless import Package, validate

    assert project.datasets, "no data files"
    for slug, dataset in project.datasets.items():
        descriptor = built_site / "data" / slug / "datapackage.json"
        report = validate(str(descriptor))
        assert report.valid, f"{descriptor}: {report.flatten(['type', 'note'])[:5]}"
        package = Package(str(descriptor))
        licence = project.by_slug[slug].licence
        assert package.licenses[0]["name"] == (licence["id"] if licence else "notspecified")
        rows = {row["id"]: row for row in package.get_resource("indicators").read_rows()}
        assert list(rows) == list(dataset.indicators)
        for ind in dataset.indicators.values():
            row = rows[ind.id]
            low, high = ind.bounds if ind.value is not None else (None, None)
            assert (row["target_low"], row["target_high"]) == (low, high), f"{slug} {ind.id}: target"
            assert row["key_figure"] is ind.highlight and row["section"] == ind.section
            assert row["deadline"] == (ind.deadline[1] if ind.deadline else None)
            for year, value in ind.actuals.items():
                assert row[f"actual_{year}"] == value
        as_json = json.loads((built_site / "data" / slug / "indicators.json").read_text(encoding="utf-8"))
        assert [record["id"] for record in as_json] == list(rows)
        assert package.get_resource("indicators-json").read_rows()[0]["id"] == next(iter(rows))
