"""The built Russian site: navigation, anchors, catalogue, self-hosted fonts.

That nothing is loaded from another host is checked in tests/test_validity.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def page_path(site: Path, url: str) -> Path:
    path = site / urlsplit(url).path.lstrip("/")
    return path / "index.html" if url.endswith("/") or path.is_dir() else path


def nav_links(site: Path, page_url: str = "/") -> set[str]:
    """The URL paths the primary navigation of one built page links to."""
    page = soup(page_path(site, page_url))
    return {urlsplit(urljoin(page_url, a["href"])).path for a in page.select("nav.md-nav--primary a.md-nav__link[href]")}


def chapter_url(chapter: str) -> str:
    return "/" + chapter[: -len(".md")].replace("/index", "") + "/"


def test_every_publication_is_reached_from_the_home_page_and_lists_its_chapters(built_site, publications):
    # The home page's catalogue leads to every publication; a publication's navigation lists its chapters.
    home = soup(built_site / "index.html")
    cards = {urlsplit(urljoin("/", a["href"])).path for a in home.select("article a[href]")}
    for pub in publications:
        first = chapter_url(pub.chapters[0])
        assert first in cards, f"{pub.slug} is not reachable from the home page"
        for chapter in pub.chapters:
            url = chapter_url(chapter)
            assert url in nav_links(built_site, first), f"{chapter} is not in its publication's navigation"
            assert page_path(built_site, url).exists()


def test_a_page_carries_only_its_own_publications_chapters_and_leads_up_to_the_library(built_site, publications):
    # Each publication is built as a unit (almanac.units): its navigation does not grow with the library.
    first, other = publications[0], publications[1]
    page = chapter_url(first.chapters[1])
    links = nav_links(built_site, page)
    assert chapter_url(first.chapters[2]) in links
    assert not [link for pub in publications[1:] for link in links if link.startswith(f"/{pub.slug}/")]
    assert chapter_url(other.chapters[0]) not in links
    logo = soup(page_path(built_site, page)).select_one("a.md-header__button.md-logo")
    assert urlsplit(urljoin(page, logo["href"])).path == "/"
    english = soup(page_path(built_site, "/en" + page)).select_one("a.md-header__button.md-logo")
    assert urlsplit(urljoin("/en" + page, english["href"])).path == "/en/"


def test_publication_sections_are_titled_from_metadata(built_site, publications):
    for pub in publications:
        for lang, prefix in (("ru", ""), ("en", "/en")):
            page = soup(page_path(built_site, prefix + chapter_url(pub.chapters[1])))
            labels = " ".join(label.get_text(" ", strip=True) for label in page.select("nav.md-nav--primary label"))
            assert pub.title(lang) in labels, (pub.slug, lang)


def test_heading_anchors_are_readable_cyrillic(built_site, publications):
    for pub in publications:
        for chapter in pub.chapters:
            page = soup(page_path(built_site, "/" + chapter[:-3].replace("/index", "") + "/"))
            ids = [h.get("id", "") for h in page.select("article h2, article h3")]
            for anchor in ids:
                assert not re.fullmatch(r"_\d+", anchor), f"{chapter}: unreadable anchor {anchor!r}"
            assert all(anchor for anchor in ids)
    page = soup(built_site / "runpud-2021-2024" / "02-mission" / "index.html")
    assert page.find(id="наша-миссия") is not None


def test_fonts_are_self_hosted_with_full_cyrillic(built_site):
    css = (built_site / "assets" / "stylesheets" / "almanac.css").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in css and "fonts.gstatic" not in css
    for name in re.findall(r'url\("\.\./fonts/([^"]+)"\)', css):
        assert (built_site / "assets" / "fonts" / name).exists()
    from fontTools.ttLib import TTFont

    cmap = TTFont(built_site / "assets" / "fonts" / "pt-sans-regular.woff2").getBestCmap()
    needed = "АБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯабвгдеёжзийклмнопрстуфхцчшщъыьэюяӘәҒғҚқҢңӨөҰұҮүҺһІі«»–—№"
    assert [c for c in needed if ord(c) not in cmap] == []
    page = (built_site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in page


def test_russian_search_index_stems_russian(built_site):
    import json

    index = json.loads((built_site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["ru"] and "stemmer" in index["config"]["pipeline"]
    assert any("RuNPUD" in doc["title"] for doc in index["docs"])


def test_the_brochure_stylesheet_is_not_published(built_site):
    # overrides/ holds both the theme and the print templates; only the theme belongs on the website.
    assert not (built_site / "print").exists()
    assert (built_site / "assets" / "stylesheets" / "almanac.css").exists()
