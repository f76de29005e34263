"""Numbered items read in the source's order, in every publication and language.

Reads: the built site (the `built_site` fixture). A list such as ЕСЛУН's 1.1.1 …
1.1.5 must not be broken up by a table holding some of its items: the first
time each item number («1.1.3.») appears on a page, in headings, paragraphs,
list items or table cells, it comes after every lower number. A summary table
may repeat numbers after the list; a repeated number is not a first appearance.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import ROOT

ITEM = re.compile(r"^(\d+(?:\.\d+)+)\.?(?=\s|$)")
LANGUAGES = {"ru": "", "en": "en/", "kk": "kk/"}


def item_numbers(html: str) -> list[tuple[str, tuple[int, ...]]]:
    """(text, number) for the first appearance of each dotted item number, in page order."""
    article = BeautifulSoup(html, "html.parser").select_one("article.md-content__inner")
    seen, order = set(), []
    for element in article.find_all(["h1", "h2", "h3", "h4", "p", "li", "th", "td"]):
        if element.name in ("p", "li", "th", "td") and element.find_parent(["li", "th", "td"]) is not None \
                and element.name != "li":
            continue
        match = ITEM.match(element.get_text(" ", strip=True))
        if match and match[1] not in seen:
            seen.add(match[1])
            order.append((element.get_text(" ", strip=True)[:80], tuple(int(p) for p in match[1].split("."))))
    return order


def out_of_order(order):
    return [(before[0], after[0]) for before, after in zip(order, order[1:]) if after[1] < before[1]]


def chapter_pages(site: Path, lang: str) -> list[Path]:
    pages = []
    for pub in sorted(p.name for p in (ROOT / "content").iterdir() if (p / "publication.yml").exists()):
        folder = site / LANGUAGES[lang] / pub
        pages += [p for p in sorted(folder.rglob("index.html")) if "editorial-notes" not in str(p)]
    return pages


@pytest.mark.parametrize("lang", LANGUAGES)
def test_numbered_items_appear_in_ascending_order(built_site, lang):
    pages = chapter_pages(built_site, lang)
    assert pages, f"no chapter pages found for {lang}"
    numbered = 0
    problems = []
    for page in pages:
        order = item_numbers(page.read_text(encoding="utf-8"))
        numbered += len(order)
        problems += [f"{page.relative_to(built_site)}: «{b}» comes after «{a}»" for a, b in out_of_order(order)]
    assert numbered > 50, "the check found almost no numbered items: is the page structure still as expected?"
    assert not problems, "\n".join(problems)


def test_the_order_check_catches_a_list_broken_by_a_table():
    html = ('<article class="md-content__inner"><h2>1.1. Рост</h2><ul><li>1.1.1. Первое</li><li>1.1.2. Второе</li>'
            '<li>1.1.4. Четвёртое</li></ul><table><tr><th>1.1.3. Третье</th></tr></table>'
            '<p>1.1.5. Пятое</p><table><tr><th>1.1.1. Первое снова</th></tr></table></article>')
    order = item_numbers(html)
    assert [n for _, n in order] == [(1, 1), (1, 1, 1), (1, 1, 2), (1, 1, 4), (1, 1, 3), (1, 1, 5)]
    assert out_of_order(order) == [("1.1.4. Четвёртое", "1.1.3. Третье")]
