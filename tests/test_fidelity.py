"""Every publication's built text keeps the source's words and word order.

Compares the text of each publication's built pages (all chapters except the
editorial notes; tables, charts and footnotes count as page text) with its
extracted source, after normalising hyphenation, punctuation and case.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests import fidelity

ROOT = Path(__file__).resolve().parents[1]


def built_text(site: Path, pub) -> str:
    parts = []
    for chapter in pub.text_chapters:
        path = site / chapter[: -len(".md")].replace("/index", "") / "index.html"
        if chapter.endswith("/index.md"):
            path = site / chapter.split("/")[0] / "index.html"
        article = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").select_one("article.md-content__inner")
        for noise in article.select(".headerlink, .almanac-actions"):
            noise.decompose()
        parts.append(fidelity.html_text(str(article)))
    return "\n".join(parts)


@pytest.mark.parametrize("slug", ["runpud-2021-2024", "enpud-2022-2024", "inpud-2025-2029", "inpud-2021-2024", "kibhr-2015-2018"])
def test_built_pages_keep_the_source_text(built_site, publications, slug, capsys):
    pub = next(p for p in publications if p.slug == slug)
    source = (ROOT / pub.meta["source"]).read_text(encoding="utf-8")
    words, grams = fidelity.measure(source, built_text(built_site, pub))
    with capsys.disabled():
        print(f"\n  fidelity {slug}: words {words:.4f} (min {fidelity.WORD_MIN}), 5-grams {grams:.4f} (min {fidelity.GRAM_MIN})")
    assert words >= fidelity.WORD_MIN
    assert grams >= fidelity.GRAM_MIN


def test_measure_detects_dropped_and_reworded_text():
    source = " ".join(f"слово{i} текст{i % 7} фраза{i % 5}" for i in range(300))
    assert fidelity.measure(source, source) == (1.0, 1.0)
    dropped = " ".join(source.split()[:800])
    assert fidelity.measure(source, dropped)[0] < 0.99
    shuffled = " ".join(sorted(source.split()))
    words, grams = fidelity.measure(source, shuffled)
    assert words == 1.0 and grams < 0.5


def test_source_normalisation_joins_hyphenated_line_breaks():
    assert fidelity.source_words("стре-\n\nмится упо-\nтребляющих <p>сетям-чле-\n\nнам</p>") == [
        "стремится", "употребляющих", "сетям", "членам"]
