"""The multilingual site: which page is a real translation, per-language search, the sitemap, and what
editors are told about translations.

Reads: the pages recorded during a build (their URLs as the site engine gave
them, and whether each is a fallback), the search index the engine wrote, the
translation matrix (`translations.matrix`), locales. Writes: nothing; the
adapter writes what these functions return.

Fallback pages (the original shown because no translation exists) are marked
in the original's language, left out of that language's search index, and
left out of the sitemap, whose hreflang alternates name real translations only.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from urllib.parse import urljoin

from .locales import DEFAULT_LANGUAGE, Locales
from . import search, translations
from .translations import Entry, localized, summary

SEARCH_LANGUAGE: dict[str, str] = {}   # a language whose lunr stemmer is another's (none: kk has its own, lunr.kk)


def search_language(lang: str) -> str:
    return SEARCH_LANGUAGE.get(lang, lang)


class Pages:
    """Every built page, by language-free source path and language: its URL and whether it is a fallback."""

    def __init__(self):
        self.by_source: dict[str, dict[str, dict]] = {}

    def record(self, src: str, lang: str, url: str, fallback: bool) -> None:
        self.by_source.setdefault(src, {})[lang] = {"url": url, "fallback": fallback}

    def is_fallback(self, src: str, lang: str) -> bool:
        return self.by_source.get(src, {}).get(lang, {}).get("fallback", False)

    def original_url(self, src: str) -> str:
        # The default language is built first, so the original is recorded before any fallback.
        return self.by_source[src][DEFAULT_LANGUAGE]["url"]

    def fallback_urls(self, lang: str) -> set[str]:
        return {by_lang[lang]["url"] for by_lang in self.by_source.values()
                if lang in by_lang and by_lang[lang]["fallback"]}


def fallback_notice(loc: Locales, lang: str, content_lang: str, html: str) -> str:
    """A fallback page's content: a notice in the reader's language, then the original, marked with its language."""
    original = loc.get(content_lang, "language_name")
    notice = (f'<div class="almanac-notice" role="note" lang="{lang}"><p><strong>'
              f'{escape(loc.get(lang, "i18n.fallback_title"))}</strong></p>'
              f'<p>{escape(loc.get(lang, "i18n.fallback_body", language=original))}</p></div>')
    return f'{notice}\n<div lang="{content_lang}" class="almanac-original">\n{html}\n</div>'


def language_index(index: dict, lang: str, langs: list[str], pages: Pages) -> dict:
    """This language's documents of a merged search index: fallback pages left out, locations relative
    to the language's root (the default language at the site root, the others under <lang>/)."""
    others = tuple(f"{other}/" for other in langs if other != DEFAULT_LANGUAGE)
    prefix = "" if lang == DEFAULT_LANGUAGE else f"{lang}/"
    fallbacks = pages.fallback_urls(lang)
    docs = []
    for doc in index.get("docs", []):
        location = doc["location"]
        mine = location.startswith(prefix) if prefix else not location.startswith(others)
        if not mine or location.split("#", 1)[0] in fallbacks:
            continue
        docs.append({**doc, "location": location[len(prefix):]})
    return {"config": search.index_config(search_language(lang), index.get("config", {})), "docs": docs}


def sitemap_xml(pages: Pages, langs: list[str], site_url: str) -> str:
    """A sitemap of real pages only, each with xhtml:link alternates to its real translations."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for src in sorted(pages.by_source):
        real = {lang: rec["url"] for lang, rec in pages.by_source[src].items() if not rec["fallback"]}
        for lang in [lang for lang in langs if lang in real]:
            lines.append(f"  <url><loc>{escape(urljoin(site_url, real[lang]))}</loc>")
            if len(real) > 1:
                for alt in [alt for alt in langs if alt in real]:
                    lines.append(f'    <xhtml:link rel="alternate" hreflang="{alt}" '
                                 f'href="{escape(urljoin(site_url, real[alt]))}"/>')
            lines.append("  </url>")
    lines.append("</urlset>\n")
    return "\n".join(lines)


def problems(matrix: list[Entry], root: Path) -> list[str]:
    """One warning per stale or missing translation, naming the file and what to do."""
    messages = []
    for entry in matrix:
        shown = entry.path.relative_to(root).as_posix()
        if entry.state == "stale" and translations.recorded_hash(entry.path) is None:
            messages.append(f"{shown}: never stamped: it has no source_hash in its front matter; once it "
                            f"translates content/{entry.chapter}, run 'make stamp FILES={shown}'.")
        elif entry.state == "stale":
            messages.append(f"{shown}: stale translation: its source content/{entry.chapter} changed "
                            f"after it was translated (update the text, then run 'make stamp FILES={shown}').")
        elif entry.state == "missing":
            messages.append(f"{shown}: missing: the '{entry.lang}' translation of content/{entry.chapter} "
                            f"is required by extra.almanac.translations in mkdocs.yml.")
    return messages


def preview_banner(matrix: list[Entry], loc: Locales, docs_name: str, src: str, lang: str) -> str:
    """In the preview, a stale or missing translation is said on the page itself, not only in the terminal."""
    entry = next((e for e in matrix if e.chapter == src and e.lang == lang), None)
    if entry is None or entry.state not in ("stale", "missing"):
        return ""
    file = localized(Path(docs_name), src, lang).as_posix()
    message = loc.get(lang, f"i18n.preview_{entry.state}", file=file, source=f"{docs_name}/{src}")
    return f'<div class="almanac-preview-warning" role="alert" lang="{lang}"><p>{escape(message)}</p></div>\n'


def status_markdown(matrix: list[Entry], publications: list, langs: list[str], loc: Locales, lang: str) -> str:
    """The translation-status page's table, in the reader's language."""
    table = summary(matrix)
    head = "| " + " | ".join([loc.get(lang, "catalogue.publication")]
                             + [loc.get(other, "language_name") for other in langs]) + " |"
    lines = ['<div class="almanac-status" markdown>', "", head, "|" + "---|" * (len(langs) + 1)]
    for pub in publications:
        cells = []
        for other in langs:
            cell = table[(pub.slug, other)]
            label = loc.get(lang, f"i18n.states.{cell['state']}")
            cells.append(f"{label} ({cell['words']:,} {loc.get(lang, 'i18n.words')})".replace(",", "\u00a0"))
        title = escape(pub.title(lang), quote=False).replace("|", "&#124;")
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    # What changed in a stale translation's source: the command that shows it, in any language.
    stale = [e for e in matrix if e.state == "stale"]
    if stale:
        lines.append("")
    for entry in stale:
        shown = f"{entry.path.parents[1].name}/{localized(Path(''), entry.chapter, entry.lang).as_posix()}"
        lines.append(f"- {loc.get(lang, 'i18n.states.stale')}: `{shown}`: `almanac diff {shown}`")
    return "\n".join(lines + ["", "</div>"])
