"""A publication's overview at the top of its home page, and the facts of its PDF downloads.

Reads: the build's project (publication metadata, datasets, locales, which
translation files exist), the chapters' rendered HTML handed over by the
adapter, `overrides/partials/almanac/overview.html`, and, for `fill_pdf_facts`,
the PDFs in <site>/pdf/. Writes: nothing (returns HTML).

Everything shown comes from the metadata and the data: the organisation, kind,
period and date as publication.yml gives them; one line per chapter, its
`description` front matter or else the first sentence of its first paragraph
(never written here); the key figures are the indicators marked
`highlight: true`, formatted for the reader's language. Text that exists only
in the original language is shown in it and marked with its `lang`.

PDFs are rendered after the pages are written, so a download link carries an
empty placeholder (`pdf_placeholder`) that `fill_pdf_facts` replaces with the
page count and size once the PDFs exist. The placeholder holds no text, so the
search index never sees it; the filled text depends only on the PDF's bytes, so
a rebuild with the same PDFs writes the same page.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.numbers import format_decimal
from bs4 import BeautifulSoup
from markupsafe import Markup, escape

from . import templating, translations
from .indicators import BUILTIN_UNITS, Formatter
from .indicators import PLACEHOLDER as LABEL_PLACEHOLDER
from .locales import DEFAULT_LANGUAGE

log = logging.getLogger("mkdocs.hooks.almanac.overview")

# Blocks whose paragraphs are not the chapter's own opening text.
SKIPPED = (".almanac-notice", ".almanac-preview-warning", ".admonition", "details", "blockquote", "table",
           "figure", ".almanac-indicators", ".almanac-chart", ".almanac-overview", "nav", ".footnote", "li", "dd")
LINE_LENGTH = 220
PLACEHOLDER = re.compile(r'<span class="almanac-facts" data-almanac-pdf="(?P<name>(?:print/)?[a-z0-9-]+\.[a-z]{2,3})" '
                         r'data-almanac-lang="(?P<lang>[a-z]{2,3})"></span>')
MARKER = 'data-almanac-pdf="'
# The first sentence: at least 20 characters, so that an item number («1.») or an abbreviation does not end it.
_SENTENCE = re.compile(r"^(.{20,}?[.!?…])(?=\s+[\"«(\[A-ZА-ЯЁӘҒҚҢӨҰҮҺІ0-9])", re.S)


@dataclass
class ChapterInfo:
    """A chapter as the adapter found it in this language pass."""

    title: str
    href: str              # relative to the overview's page
    html: str              # the chapter's rendered content
    lang: str              # the language of its content (differs from the reader's on a fallback page)
    description: str | None = None


def translation_states(pub, docs_dir: Path, langs: list[str]) -> dict[str, str]:
    """Per language: 'original', 'translated', 'partial' (some chapters fall back) or 'fallback' (none translated)."""
    states = {}
    for lang in langs:
        if lang == DEFAULT_LANGUAGE:
            states[lang] = "original"
            continue
        done = sum(translations.localized(docs_dir, chapter, lang).is_file() for chapter in pub.chapters)
        states[lang] = "translated" if done == len(pub.chapters) else "partial" if done else "fallback"
    return states


def key_figures(dataset, lang: str, locales) -> list[dict]:
    """The indicators marked `highlight: true` with a value, formatted for `lang` where the data allows.

    A figure whose label or unit the data lacks in `lang` is shown whole in the default language, and
    marked so, rather than mixing languages within one figure or warning on every page."""
    figures = []
    if dataset is None:
        return figures
    for ind in dataset.indicators.values():
        if not ind.highlight or ind.value is None:
            continue
        shown_in = lang if _speaks(ind, dataset, lang) else DEFAULT_LANGUAGE
        fmt = Formatter(dataset, shown_in, locales, _never)
        figures.append({"id": ind.id, "lang": shown_in, **_figure(ind, fmt)})
    return figures


def _figure(ind, fmt: Formatter) -> dict:
    """{"value", "label"} of a key figure: the quantity standing alone with its bound and base («30 % ресурсов»),
    under its short label; else under its sentence without the number. A sentence that names the unit itself
    around a bare {number} («задокументировано случаев нарушений прав {number}») is shown under the bare number,
    so that neither the number nor the unit is said twice."""
    short = (ind.short or {}).get(fmt.lang)
    template = ind.label.get(fmt.lang, "")
    if short:
        return {"value": fmt.figure(ind), "label": short}
    label = " ".join(LABEL_PLACEHOLDER.sub("", template).split()).strip(" .,:;–—-")
    if "{number}" in template and "{value}" not in template:
        value = fmt.number(ind.value)
        where = f"{fmt.dataset.path}, line {ind.line}, indicator '{ind.id}'"
        if ind.qualifier:
            value = f"{fmt.text(ind.qualifier, where)} {value}"
        return {"value": value, "label": label}
    return {"value": fmt.figure(ind), "label": label}


def chapter_line(chapter: ChapterInfo) -> str | None:
    """The chapter's `description`, else the first sentence of its first paragraph, else its first subheading."""
    if chapter.description:
        return chapter.description.strip()
    text = first_paragraph(chapter.html)
    if text:
        match = _SENTENCE.match(text)
        return shorten(match[1] if match else text, LINE_LENGTH)
    soup = BeautifulSoup(chapter.html, "html.parser")
    heading = next((h for h in soup.select("h2, h3") if not _inside_skipped(h)), None)
    return _heading_text(heading) if heading else None


# Parsing a page is the costliest step of the readers' hook, and every page is parsed again on every rebuild
# under `almanac serve` although few changed: the answers are kept by the hash of the HTML (16 bytes a page).
_FIRST: dict[bytes, str | None] = {}


def first_paragraph(html: str) -> str | None:
    """The text of the first paragraph of the page's own content (notices, admonitions and quotes skipped)."""
    key = hashlib.blake2b(html.encode("utf-8"), digest_size=16).digest()
    if key not in _FIRST:
        _FIRST[key] = _first_paragraph(html)
    return _FIRST[key]


def _first_paragraph(html: str) -> str | None:
    # The opening paragraph is near the top: the page is read up to the end of its first few paragraphs
    # before all of it (a catalogue's home page is long). html.parser builds the tree in reading order, so a
    # paragraph found in such a beginning has the ancestors it has in the whole page, and it is complete.
    end = 0
    for _ in range(6):
        end = html.find("</p>", end)
        if end < 0:
            break
        end += len("</p>")
        found = _scan(html[:end])
        if found is not None:
            return found
    return _scan(html)


def _scan(html: str) -> str | None:
    soup = BeautifulSoup(html, "html.parser")
    for paragraph in soup.find_all("p"):
        if _inside_skipped(paragraph):
            continue
        text = " ".join(paragraph.get_text(" ", strip=True).split())
        # A paragraph of a list item («1.») or a stray number is not the chapter's opening text.
        if len(re.findall(r"\w", re.sub(r"\d", "", text))) >= 12:
            return text
    return None


def shorten(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—– ")
    return cut + "…"


def pdf_language(state: str, lang: str) -> str:
    """The language of an edition's PDF (its `hreflang`): the original's when no chapter is translated."""
    return DEFAULT_LANGUAGE if state == "fallback" else lang


def pdf_note(state: str, reader: str, locales) -> Markup | None:
    """What an edition's PDF holds when it is not wholly translated, in the reader's language:
    «the original, in Русский» (none translated) or «partly the original, in Русский»; else None."""
    if state not in ("fallback", "partial"):
        return None
    label = locales.get(reader, f"readers.pdf_{'original' if state == 'fallback' else 'partial'}",
                        language="{language}")
    name = Markup('<span lang="{}">{}</span>').format(DEFAULT_LANGUAGE, locales.get(DEFAULT_LANGUAGE, "language_name"))
    return escape(label).format(language=name)


def pdf_placeholder(name: str, lang: str) -> Markup:
    """An empty element that `fill_pdf_facts` fills with the page count and size of pdf/<name>.pdf."""
    return Markup('<span class="almanac-facts" data-almanac-pdf="{}" data-almanac-lang="{}"></span>').format(name, lang)


def fill_pdf_facts(html: str, pdf_dir: Path, locales, known: dict | None = None, memo: Path | None = None) -> str:
    """`html` with every placeholder whose PDF exists replaced by «34 страницы, 1,2 МБ»; others kept as they are.

    `known` keeps each PDF's page count across calls, so that a build reads each PDF once, not once per
    link; `memo` is a folder that keeps them across builds (see `pdf_pages`)."""
    known = {} if known is None else known

    def replace(match: re.Match) -> str:
        path = pdf_dir / f"{match['name']}.pdf"
        if not path.is_file():
            return match[0]
        if path not in known:
            known[path] = pdf_pages(path, memo)
        lang = match["lang"]
        facts = locales.get(lang, "readers.facts", pages=page_count(known[path], lang, locales),
                            size=file_size(path.stat().st_size, lang, locales))
        return f'<span class="almanac-facts">{escape(facts)}</span>'

    return PLACEHOLDER.sub(replace, html)


def fill_pages(pages: list[Path], pdf_dir: Path, locales, memo: Path | None = None) -> list[Path]:
    """Fill the PDF facts into written pages (see `fill_pdf_facts`); return the pages that changed."""
    known: dict = {}
    changed = []
    for path in dict.fromkeys(pages):
        text = path.read_text(encoding="utf-8")
        filled = fill_pdf_facts(text, pdf_dir, locales, known, memo)
        if filled != text:
            path.write_text(filled, encoding="utf-8")
            changed.append(path)
    return changed


def pdf_pages(path: Path, memo: Path | None = None) -> int:
    """The page count of the PDF at `path`.

    pypdf needs about a tenth of a second per tagged PDF to reach the page tree (it unpacks an object
    stream), and every language's build and the assembly ask again for every PDF of the library; so
    the count is kept in `memo`, under the hash of the file's bytes, which changes with any change."""
    from pypdf import PdfReader

    data = path.read_bytes()
    entry = memo / hashlib.sha256(data).hexdigest() if memo is not None else None
    if entry is not None and entry.is_file():
        return int(entry.read_text(encoding="ascii"))
    # The catalogue's page tree states the count; walking every page would cost far more on tagged PDFs.
    pages = int(PdfReader(io.BytesIO(data)).trailer["/Root"]["/Pages"]["/Count"])
    if memo is not None:
        remember_pages(data, pages, memo)
    return pages


def remember_pages(data: bytes, pages: int, memo: Path) -> None:
    """Keep the page count of the PDF whose bytes are `data` for `pdf_pages` (the renderer knows it)."""
    entry = memo / hashlib.sha256(data).hexdigest()
    memo.mkdir(parents=True, exist_ok=True)
    # Builds of several languages run at once: write beside, then rename, so no reader sees half a file.
    temp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    temp.write_text(str(pages), encoding="ascii")
    temp.replace(entry)


def page_count(pages: int, lang: str, locales) -> str:
    forms = locales.table(lang, "readers.pages") or locales.table(DEFAULT_LANGUAGE, "readers.pages")
    form = forms.get(Locale.parse(lang).plural_form(pages)) or forms["other"]
    return form.format(n=format_decimal(pages, locale=lang))


def file_size(size: int, lang: str, locales) -> str:
    """Kilobytes below one megabyte (1 KB = 1024 bytes), else megabytes with one decimal."""
    if size < 1024 * 1024:
        return locales.get(lang, "readers.kb", n=format_decimal(max(1, round(size / 1024)), locale=lang))
    return locales.get(lang, "readers.mb", n=format_decimal(round(size / 1024 / 1024, 1), format="#,##0.0",
                                                             locale=lang))


def html(project, pub, lang: str, chapters: list[ChapterInfo], links: dict[str, dict], data_links: dict | None,
         pdf: bool, print_downloads: bool = False) -> str:
    """The overview of `pub` for a reader of `lang`.

    A PDF that is not (wholly) translated says what it holds, in the reader's language (`pdf_note`).
    `links`: per language, {"page": href of the publication's home page, "pdf": href of its PDF, "print": href
    of its printer's edition, offered when `print_downloads`};
    `data_links`: {"csv", "json", "datapackage": href}, or None when the publication has no data."""
    loc = project.locales
    t = lambda key, **kw: loc.get(lang, f"readers.{key}", **kw)  # noqa: E731
    states = translation_states(pub, project.docs_dir, project.languages)
    meta = pub.meta
    facts = [(t("organisation"), _organisation(pub, lang)),
             (t("kind"), _text(loc.get(lang, f"kinds.{meta['kind']}"), lang)),
             (t("period"), _text(loc.get(lang, "period", start=pub.period[0], end=pub.period[1]), lang))]
    if meta["date_label"]:
        facts.append((t("date"), _localised(meta["date_label"], lang)))
    elif meta["date"]:
        from babel.dates import format_date

        facts.append((t("date"), _text(format_date(meta["date"], "long", locale=lang), lang)))
    languages = [{"lang": other, "name": loc.get(other, "language_name"), "state": t(f"states.{states[other]}"),
                  "fallback": states[other] in ("fallback", "partial"), "current": other == lang,
                  "page": links[other]["page"], "pdf": links[other]["pdf"] if pdf else None,
                  "pdf_lang": pdf_language(states[other], other), "pdf_note": pdf_note(states[other], lang, loc),
                  "facts": pdf_placeholder(f"{pub.slug}.{other}", lang),
                  "print": links[other]["print"] if pdf and print_downloads else None,
                  "print_facts": pdf_placeholder(f"print/{pub.slug}.{other}", lang)} for other in project.languages]
    rows = [{"title": ch.title, "href": ch.href, "line": chapter_line(ch), "lang": ch.lang} for ch in chapters]
    licence = pub.licence
    template = templating.environment(project.root / "overrides" / "partials" / "almanac").get_template("overview.html")
    return template.render(
        lang=lang, slug=pub.slug, t=_Labels(t), facts=facts, chapters=rows, languages=languages, data=data_links,
        figures=key_figures(project.datasets.get(pub.slug), lang, loc),
        licence=licence, subtitle=_localised(meta["subtitle"], lang) if meta["subtitle"] else None,
    )


class _Labels:
    """`t.key` in templates: the label readers.<key> in the reader's language."""

    def __init__(self, t):
        self._t = t

    def __getattr__(self, key):
        return self._t(key)

    def __call__(self, key, **kw):
        return self._t(key, **kw)


def _organisation(pub, lang: str) -> Markup:
    org = pub.organisation
    name = _localised(org.name, lang)
    acronym = _localised(org.acronym, lang)
    text = name if str(acronym) in str(name) else Markup("{} ({})").format(name, acronym)
    if org.url:
        return Markup('<a href="{}">{}</a>').format(org.url, text)
    return text


def _localised(mapping: dict, lang: str) -> Markup:
    """A metadata text in `lang`, or the default language's marked with its `lang` when `lang` has none."""
    if lang in mapping:
        return _text(mapping[lang], lang)
    original = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in mapping else next(iter(mapping))
    return Markup('<span lang="{}">{}</span>').format(original, mapping[original])


def _text(text: str, lang: str) -> Markup:
    return escape(text)


def _speaks(ind, dataset, lang: str) -> bool:
    label = ind.short or ind.label
    units = ind.unit in BUILTIN_UNITS + (None,) or bool(dataset.units.get(ind.unit, {}).get(lang))
    words = all(lang in mapping for mapping in (ind.base, ind.qualifier) if mapping)
    return lang in label and lang in ind.label and units and words


def _never(message: str) -> None:
    # Not reached: _speaks keeps out a figure whose label or unit the data lacks in the language shown.
    log.warning(message)


def _inside_skipped(node) -> bool:
    return any(parent.name and any(_matches(parent, sel) for sel in SKIPPED) for parent in node.parents)


def _matches(node, selector: str) -> bool:
    if selector.startswith("."):
        return selector[1:] in (node.get("class") or [])
    return node.name == selector


def _heading_text(heading) -> str:
    for link in heading.select("a.headerlink"):
        link.decompose()
    return " ".join(heading.get_text(" ", strip=True).split())


def has_placeholders(text: str) -> bool:
    return MARKER in text

