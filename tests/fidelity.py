"""Fidelity of a publication's text to its extracted source.

Reads: `sources/<seed>.txt` and either the built site's HTML (in the tests)
or the publication's Markdown (from the command line). Writes: nothing.

Both sides are normalised the same way (case, «ё», punctuation, HTML,
hyphenated line breaks of the extraction). Two figures are measured:

- word recall: the share of the source's words found in the page text,
  counted as a multiset, so dropped sentences lower it;
- 5-gram recall: the share of the source's word 5-grams found, so reworded
  or shuffled text lowers it even when the words survive.

Usage, for editors and converters: ``python -m tests.fidelity <slug>``.
"""

from __future__ import annotations

import html
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORD_MIN, GRAM_MIN = 0.99, 0.93
HYPHEN_BREAK = re.compile(r"(\w)[-\u00ad]\s*\n\s*(?=\w)")
TAG = re.compile(r"<[^>]+>")
WORD = re.compile(r"[^\W_]+")


def source_words(raw: str) -> list[str]:
    """Words of an extracted source: hyphenated line breaks joined, HTML removed."""
    text = HYPHEN_BREAK.sub(r"\1", raw)
    return words(TAG.sub(" ", text))


def words(text: str) -> list[str]:
    text = html.unescape(text).lower().replace("ё", "е").replace("\u00ad", "")
    return WORD.findall(text)


def grams(tokens: list[str], n: int = 5) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def recall(source: Counter, built: Counter) -> float:
    total = sum(source.values())
    return sum((source & built).values()) / total if total else 1.0


def measure(source_raw: str, built_text: str) -> tuple[float, float]:
    src, out = source_words(source_raw), words(built_text)
    return recall(Counter(src), Counter(out)), recall(grams(src), grams(out))


def missing_passages(source_raw: str, built_text: str, limit: int = 40) -> list[str]:
    """Runs of source words whose 5-grams are absent from the built text."""
    src, out = source_words(source_raw), words(built_text)
    available = grams(out)
    runs, current = [], []
    for i in range(len(src) - 4):
        gram = tuple(src[i:i + 5])
        if available[gram] > 0:
            available[gram] -= 1
            if current:
                runs.append(current)
                current = []
        else:
            current.append(i)
    if current:
        runs.append(current)
    passages = [" ".join(src[r[0]:r[-1] + 5]) for r in runs]
    return passages[:limit]


def html_text(html_source: str) -> str:
    """Visible text of HTML, with the numbers of ordered lists, which readers see, counted as text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html_source, "html.parser")
    for listing in soup.find_all("ol"):
        start = int(listing.get("start") or 1)
        for offset, item in enumerate(listing.find_all("li", recursive=False)):
            item.insert(0, f"{start + offset}. ")
    return soup.get_text(" ")


def _markdown_text(slug: str) -> str:
    """The publication's Russian page text, rendered from Markdown with markers expanded."""
    import logging

    import markdown
    from almanac import indicators, locales, markers, publications

    pub = publications.load_one(ROOT, ROOT / "content", slug)
    datasets = {}
    data_file = ROOT / "data" / "indicators" / f"{slug}.yml"
    if data_file.is_file():
        datasets[slug] = indicators.load_dataset(data_file, ROOT, {slug})
    renderer = markers.Renderer(datasets, locales.load(ROOT), "ru", ROOT / "overrides" / "partials" / "almanac",
                                None, logging.getLogger("mkdocs.fidelity").warning)
    parts = []
    for chapter in pub.text_chapters:
        text = (ROOT / "content" / chapter).read_text(encoding="utf-8")
        expanded = renderer.expand(text, f"content/{chapter}").markdown
        parts.append(markdown.markdown(expanded, extensions=[
            "footnotes", "tables", "admonition", "attr_list", "md_in_html", "def_list"]))
    return html_text("\n".join(parts)), pub


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.fidelity <publication-slug>", file=sys.stderr)
        return 2
    from almanac.errors import AlmanacError

    try:
        built, pub = _markdown_text(argv[0])
    except AlmanacError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    source_raw = (ROOT / pub.meta["source"]).read_text(encoding="utf-8")
    word_share, gram_share = measure(source_raw, built)
    for passage in missing_passages(source_raw, built):
        print(f"  missing 5-grams: {passage}")
    print(f"{pub.slug}: words {word_share:.4f} (min {WORD_MIN}), 5-grams {gram_share:.4f} (min {GRAM_MIN})")
    return 0 if word_share >= WORD_MIN and gram_share >= GRAM_MIN else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
