"""Languages: switcher, per-language search, honest fallbacks, hreflang/sitemap, translation status."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import pytest
from bs4 import BeautifulSoup

from tests.conftest import LANGUAGES, ROOT

SITE_URL = "https://almanac.example.org/"
CYRILLIC = re.compile(r"[\u0400-\u04FF]+")


def html_pages(site: Path, lang: str) -> list[Path]:
    others = [l for l in LANGUAGES if l != "ru"]
    if lang == "ru":
        return [p for p in site.rglob("index.html") if p.relative_to(site).parts[0] not in others]
    return list((site / lang).rglob("index.html"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_switcher_keeps_the_reader_on_the_same_page(built_site):
    for lang in LANGUAGES:
        for page in html_pages(built_site, lang):
            rel = page.relative_to(built_site).as_posix()
            links = soup(page).select(".md-select__list a.md-select__link[hreflang]")
            assert {a["hreflang"] for a in links} == set(LANGUAGES), rel
            for a in links:
                target = urlsplit(urljoin("/" + rel, a["href"])).path.lstrip("/")
                path = built_site / target
                path = path / "index.html" if path.is_dir() or target.endswith("/") or not target else path
                assert path.exists(), f"{rel}: switcher target {a['href']} is missing"
                stripped = re.sub(r"^(en|kk)/", "", target)
                assert stripped == re.sub(r"^(en|kk)/", "", rel).removesuffix("index.html"), f"{rel} -> {target}"


def test_each_language_has_its_own_search_indexes(built_site):
    """Each language's library index and publication indexes: its own pages only, fallbacks out, its stemmer."""
    for lang in LANGUAGES:
        root = built_site / ("" if lang == "ru" else lang)
        scopes = [root / "search" / "search_index.json"] + [
            path for path in sorted(root.glob("*/search/search_index.json")) if path.parent.parent.name not in LANGUAGES]
        assert len(scopes) > 5, lang
        for path in scopes:
            index = json.loads(path.read_text(encoding="utf-8"))
            assert index["config"]["lang"] == [lang]
            assert index["docs"], path
            folder = path.parent.parent
            for doc in index["docs"]:
                assert not doc["location"].startswith(("en/", "kk/", "../en/", "../kk/")), (path, doc["location"])
                page = folder / doc["location"].split("#")[0] / "index.html"
                assert page.exists(), (path, doc["location"])
                assert not soup(page).select(".almanac-notice"), f"fallback page {doc['location']} in {path}"
    en = json.loads((built_site / "en" / "search" / "search_index.json").read_text(encoding="utf-8"))
    titles = " ".join(doc["title"] for doc in en["docs"])
    assert "Strategic Plan" in titles and not CYRILLIC.search(titles.replace("ЕСЛУН", ""))


def test_pages_point_search_at_their_language_and_publication(built_site):
    # As Material does in the browser: base = new URL(config.base, location);
    # index = new URL("search/search_index.json", base). urljoin follows the same RFC 3986 rules.
    host = "http://reader.example/"
    for lang in LANGUAGES:
        prefix = "" if lang == "ru" else f"{lang}/"
        for url, scope in ((prefix, prefix), (prefix + "translation-status/", prefix),
                           (prefix + "runpud-2021-2024/", prefix + "runpud-2021-2024/"),
                           (prefix + "runpud-2021-2024/04-indicators/", prefix + "runpud-2021-2024/")):
            page = (built_site / url / "index.html").read_text(encoding="utf-8")
            config = json.loads(re.search(r'<script id="__config" type="application/json">(.*?)</script>',
                                          page, re.S).group(1))
            index = urljoin(urljoin(host + url, config["base"]), "search/search_index.json")
            assert index == f"{host}{scope}search/search_index.json", f"{url}: search reads {index}"


def fallback_page(site: Path) -> Path:
    return site / "kk" / "inpud-2021-2024" / "01-introduction" / "index.html"


def test_fallback_page_is_marked_honestly(built_site):
    page = soup(fallback_page(built_site))
    notice = page.select_one(".almanac-notice")
    assert notice is not None and notice["lang"] == "kk"
    assert "аударылған жоқ" in notice.get_text()
    original = page.select_one(".almanac-original")
    assert original["lang"] == "ru"
    canonical = page.find("link", rel="canonical")["href"]
    assert canonical == SITE_URL + "inpud-2021-2024/01-introduction/"


def sitemap_alternates(site: Path) -> dict[str, dict[str, str]]:
    """Each page URL in the sitemap, with its hreflang alternates."""
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ElementTree.parse(site / "sitemap.xml").getroot()
    return {url.find("s:loc", ns).text: {link.get("hreflang"): link.get("href") for link in url.findall("x:link", ns)}
            for url in root.findall("s:url", ns)}


def test_translated_pages_advertise_real_alternates_only(built_site):
    alternates = sitemap_alternates(built_site)
    intro = "inpud-2021-2024/01-introduction/"
    assert alternates[SITE_URL + "en/" + intro] == {"ru": SITE_URL + intro, "en": SITE_URL + "en/" + intro}
    assert SITE_URL + "kk/" + intro not in alternates, "a fallback page is not a translation"
    assert set(alternates[SITE_URL + "kk/runpud-2021-2024/"]) == set(LANGUAGES)


def test_pages_make_no_alternate_links_for_material_to_fetch(built_site):
    # Material requests "sitemap.xml" beside every <link rel=alternate>: from a preview or a mirror,
    # a request to the public host. The alternates live in the sitemap instead.
    for path in (built_site / "en" / "inpud-2021-2024" / "01-introduction" / "index.html",
                 built_site / "kk" / "runpud-2021-2024" / "index.html", built_site / "index.html"):
        assert soup(path).find("link", rel="alternate") is None, path


def test_sitemap_lists_real_translations_only(built_site):
    sitemap = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    assert SITE_URL + "kk/runpud-2021-2024/" in sitemap
    assert SITE_URL + "kk/inpud-2021-2024/01-introduction/" not in sitemap
    assert 'hreflang="en" href="' + SITE_URL + 'en/inpud-2021-2024/01-introduction/"' in sitemap
    assert not (built_site / "en" / "sitemap.xml").exists()


ALLOWED_CYRILLIC = {"ЕСЛУН", "КМБПЧ", "ВЕЦА"}


def test_english_pages_have_no_cyrillic_outside_names_and_quotations(built_site, publications):
    for pub in publications:
        for chapter in pub.text_chapters:
            path = built_site / "en" / chapter[: -len(".md")].replace("/index", "")
            page = soup(path / "index.html" if path.is_dir() else built_site / "en" / pub.slug / "index.html")
            article = page.select_one("article")
            for quoted in article.select("q, blockquote"):
                quoted.decompose()
            # Text marked as another language (the names of the other editions, «Русский») is not English.
            for other in [e for e in article.select("[lang]") if not e["lang"].startswith("en")]:
                other.decompose()
            words = set(CYRILLIC.findall(article.get_text(" "))) - ALLOWED_CYRILLIC
            assert not words, f"{chapter} (en): {sorted(words)[:10]}"
    interface = soup(built_site / "en" / "index.html").select_one("header").get_text(" ")
    assert not CYRILLIC.search(interface.replace("Русский", "").replace("Қазақша", ""))


def test_status_report_finds_stale_and_missing_translations(tmp_path):
    from almanac import publications as pubs
    from almanac import translations

    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini-content", project / "content")
    (project / "data").mkdir()
    shutil.copy(ROOT / "data" / "organisations.yml", project / "data" / "organisations.yml")
    docs = project / "content"
    meta = docs / "demo-report-2023" / "publication.yml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("  - index.md", "  - index.md\n  - 01-more.md"), encoding="utf-8")
    (docs / "demo-report-2023" / "01-more.md").write_text("# Ещё\n\nТекст.\n", encoding="utf-8")
    translations.stamp(docs / "demo-report-2023" / "index.en.md", docs)
    listed = pubs.load_all(project, docs)
    settings = {"en": "*"}
    states = {(e.chapter, e.lang): e.state for e in translations.matrix(listed, docs, ["ru", "en", "kk"], settings)}
    assert states[("demo-report-2023/index.md", "en")] == "current"
    assert states[("demo-report-2023/01-more.md", "en")] == "missing"
    assert states[("demo-report-2023/index.md", "kk")] == "fallback"
    (docs / "demo-report-2023" / "index.md").write_text("# Годовой отчёт\n\nИзменённый текст.\n", encoding="utf-8")
    states = {(e.chapter, e.lang): e.state for e in translations.matrix(listed, docs, ["ru", "en", "kk"], settings)}
    assert states[("demo-report-2023/index.md", "en")] == "stale"


@pytest.mark.slow
def test_stale_and_missing_translations_fail_a_strict_build(mini_project):
    from tests.conftest import run_mkdocs

    config = mini_project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("en: []", 'en: "*"'), encoding="utf-8")
    pub = mini_project / "content" / "demo-report-2023"
    meta = pub / "publication.yml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("  - index.md", "  - index.md\n  - 01-more.md"), encoding="utf-8")
    (pub / "01-more.md").write_text("# Ещё\n\nТекст.\n", encoding="utf-8")
    (pub / "index.md").write_text((pub / "index.md").read_text(encoding="utf-8") + "\nНовый абзац.\n", encoding="utf-8")
    result = run_mkdocs(mini_project, mini_project / "site")
    assert result.returncode != 0
    assert "content/demo-report-2023/index.en.md: stale translation" in result.stderr
    assert "content/demo-report-2023/01-more.en.md: missing" in result.stderr
    assert "Traceback" not in result.stderr


def test_status_page_shows_the_matrix(built_site):
    page = soup(built_site / "translation-status" / "index.html")
    table = page.select_one(".almanac-status table")
    assert table is not None
    text = table.get_text(" ")
    assert "оригинал" in text and "актуален" in text
