"""The multilingual site: which page is a real translation, per-language search, the sitemap, and what
editors are told about translations.

Reads: the pages recorded during a build (their URLs as the site engine gave
them, and whether each is a fallback), the search index the engine wrote, the
translation matrix (`translations.matrix`), locales. Writes: nothing; the
adapter writes what these functions return.

Fallback pages (the original shown because no translation exists) are marked
in the original's language, left out of that language's search index, and
left out of the sitemap, whose hreflang alternates name real translations only.

A partial translation (see almanac.translations) is a real translation whose untranslated
segments are still in the original: each is wrapped, before the Markdown is rendered, in a
`<span class="almanac-untranslated" lang="ru">` (`mark_untranslated`); once rendered, a span
that is the whole of a paragraph, heading, list item or table cell gives that block the
attributes instead (`lift_untranslated`), and a notice in the reader's language says how many
segments are translated (`partial_notice`).
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path
from urllib.parse import urljoin

from .locales import DEFAULT_LANGUAGE, Locales
from . import search, segments, translations
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


UNTRANSLATED_CLASS = "almanac-untranslated"
_WRAP = f'<span class="{UNTRANSLATED_CLASS}" lang="{{lang}}">'
# A trailing attribute list ({: #id }, { #id } or {: lang=en }) belongs to the block, outside the span.
_TRAILING_ATTRS = re.compile(r"\s*(?:\{:[^{}\n]*\}|\{[ \t]*[#.][^{}\n]*\})[ \t]*$")
_BLOCK_OPEN = re.compile(r"<(p|h[1-6]|li|td|th)((?:\s[^<>]*)?)>$")
_SPAN_TAG = re.compile(r"<span\b[^>]*>|</span>")
# What may follow the span inside its block: a heading's permalink, a footnote's back link, a nested list.
_BLOCK_REST = re.compile(r'(?:&#160;)?(?:<a class="(?:headerlink|footnote-backref)"[^>]*>[^<]*</a>)?\s*(?:</(\w+)>|<[ou]l\b)')


def mark_untranslated(markdown: str, keys: set[str], original: str = DEFAULT_LANGUAGE) -> tuple[str, int, int]:
    """A partial translation's Markdown (as the engine hands it over, after the front matter) with each
    segment whose `segments.text_key` is in `keys` wrapped in a span in the `original` language; and
    (translated, all) segments. The Markdown is returned as it was if the segments do not rebuild it."""
    doc = segments.parse(markdown)
    texts = [segment.text for segment in doc.segments]
    if doc.render(texts) != markdown:
        return markdown, len(texts), len(texts)
    left = 0
    for number, text in enumerate(texts):
        if segments.text_key(text) not in keys:
            continue
        left += 1
        attrs = _TRAILING_ATTRS.search(text)
        body, tail = (text[:attrs.start()], text[attrs.start():]) if attrs else (text, "")
        texts[number] = _WRAP.format(lang=original) + body + "</span>" + tail
    return doc.render(texts), len(texts) - left, len(texts)


def lift_untranslated(html: str, original: str = DEFAULT_LANGUAGE) -> str:
    """Rendered HTML with each untranslated span that is the whole of its block replaced by the block's own
    `lang` and class (see `mark_untranslated`); other spans, e.g. one line of a quote, stay as they are."""
    opening = _WRAP.format(lang=original)
    position = len(html)
    while (start := html.rfind(opening, 0, position)) >= 0:
        position = start
        block = _BLOCK_OPEN.search(html[max(0, start - 300):start])
        end = _closing_span(html, start + len(opening))
        rest = _BLOCK_REST.match(html, end + len("</span>")) if end is not None else None
        if not block or rest is None or (rest.group(1) and rest.group(1) != block.group(1)):
            continue
        tag, attributes = block.group(1), block.group(2)
        if "lang=" in attributes:
            continue
        if 'class="' in attributes:
            attributes = attributes.replace('class="', f'class="{UNTRANSLATED_CLASS} ', 1)
        else:
            attributes += f' class="{UNTRANSLATED_CLASS}"'
        tag_start = start - len(block.group(0))
        html = (html[:tag_start] + f'<{tag}{attributes} lang="{original}">' + html[start + len(opening):end]
                + html[end + len("</span>"):])
    return html


def _closing_span(html: str, position: int) -> int | None:
    depth = 1
    for tag in _SPAN_TAG.finditer(html, position):
        depth += -1 if tag.group(0) == "</span>" else 1
        if depth == 0:
            return tag.start()
    return None


def partial_notice(loc: Locales, lang: str, translated: int, total: int, html: str,
                   original: str = DEFAULT_LANGUAGE) -> str:
    """A partial translation's content: a notice in the reader's language, then the page."""
    notice = (f'<div class="almanac-notice almanac-partial" role="note" lang="{lang}"><p><strong>'
              f'{escape(loc.get(lang, "i18n.partial_title"))}</strong></p><p>'
              f'{escape(loc.get(lang, "i18n.partial_body", n=translated, total=total, language=loc.get(original, "language_name")))}'
              f'</p></div>')
    return f"{notice}\n{html}"


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
        elif entry.state == "partial" and entry.required:
            translated, total = entry.segments
            messages.append(f"{shown}: partial translation: {translated} of {total} segments translated, "
                            f"{total - translated} still in the original; '{entry.lang}' is required for "
                            f"{entry.publication} by extra.almanac.translations in mkdocs.yml (translate the rest, "
                            f"e.g. with 'almanac export' and 'almanac import').")
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
            # Partial chapters: how far their translation has come, in segments.
            done = (loc.get(lang, "i18n.segments", n=cell["segments"][0], total=cell["segments"][1]) + ", "
                    if cell["segments"] else "")
            words = f"{cell['words']:,}".replace(",", "\u00a0")
            cells.append(f"{label} ({done}{words} {loc.get(lang, 'i18n.words')})")
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
