"""Multilingual behaviour on top of mkdocs-static-i18n.

Events:
- on_config: choose the search language of the language being built
  (lunr has no Kazakh stemmer; kk uses the Russian one) and read the
  `translations` setting.
- on_page_markdown: expand `{{ translation_status() }}`.
- on_page_content: on a fallback page (the original shown because no
  translation exists), add a notice in the reader's language and mark the
  content with the original's language.
- on_post_page: move hreflang alternates out of the page and into the
  sitemap, point a fallback page's canonical link at the original, and give
  each language its own search index (the rewrites of Material's markup are
  in hooks/material_markup.py).
- on_post_build: keep this language's search entries (fallback pages out);
  after the last language, write one search index per language and a
  sitemap with alternates for real translations only, and warn about
  stale and missing translations.

Reads: content/** (to know which translations exist), locales/*.yml.
Writes: <site>/search/search_index.json, <site>/<lang>/search/search_index.json,
<site>/sitemap.xml(.gz).
"""

from __future__ import annotations

import gzip
import json
import logging
from html import escape
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.plugins import event_priority

import engine
import material_markup as material
from almanac import context, locales, translations

log = logging.getLogger("mkdocs.hooks.i18n")

SEARCH_LANGUAGE = {"kk": "ru"}   # lunr.js has no kk stemmer; its ru trimmer covers Kazakh letters
STATUS_MARKER = "{{ translation_status() }}"


class _State:
    def __init__(self):
        self.command = "build"
        self.reset()

    def reset(self):
        self.pages: dict[str, dict[str, dict]] = {}      # language-free src -> lang -> {url, fallback}
        self.matrix: list | None = None                  # translation states, computed once per build


state = _State()


def on_startup(command, dirty):
    state.command = command


@event_priority(-110)
@engine.reports_errors
def on_config(config):
    lang = engine.build_language(config)
    if engine.first_pass(config):
        state.reset()
    search = config.plugins.get("search") or config.plugins.get("material/search")
    if search is not None:
        search.config.lang = [SEARCH_LANGUAGE.get(lang, lang)]
    return config


def on_page_markdown(markdown, page, config, files):
    if STATUS_MARKER in markdown:
        markdown = markdown.replace(STATUS_MARKER, _status_markdown(config))
    return markdown


def on_page_content(html, page, config, files):
    lang = engine.build_language(config)
    content_lang = engine.page_language(page, config)
    src = context.language_free(page.file.src_uri)
    state.pages.setdefault(src, {})[lang] = {"url": page.url, "fallback": content_lang != lang}
    loc = engine.project(config).locales
    if state.command == "serve":
        html = _preview_banner(config, loc, src, lang) + html
    if content_lang == lang:
        return html
    original = loc.get(content_lang, "language_name")
    notice = (
        f'<div class="almanac-notice" role="note" lang="{lang}"><p><strong>{escape(loc.get(lang, "i18n.fallback_title"))}</strong></p>'
        f'<p>{escape(loc.get(lang, "i18n.fallback_body", language=original))}</p></div>'
    )
    return f'{notice}\n<div lang="{content_lang}" class="almanac-original">\n{html}\n</div>'


@event_priority(-50)
@engine.reports_errors
def on_post_page(output, page, config):
    lang = engine.build_language(config)
    src = context.language_free(page.file.src_uri)
    shown = f"{engine.project(config).docs_name}/{page.file.src_uri}"
    output = material.drop_alternate_links(output, shown, len(engine.languages(config)))
    if state.pages.get(src, {}).get(lang, {}).get("fallback"):
        # The default language is built first, so its page (the original) is already recorded.
        original = state.pages[src][locales.DEFAULT_LANGUAGE]["url"]
        output = material.point_canonical(output, shown, urljoin(config.site_url or "/", original))
    if lang != locales.DEFAULT_LANGUAGE:
        output = material.search_base(output, shown, engine.site_prefix(lang))
    return output


# After static-i18n's on_post_build (-100): in the outermost build, every language is done.
@event_priority(-200)
def on_post_build(config):
    if engine.nested(config):
        return
    site = Path(config.site_dir)
    langs = engine.languages(config)
    index_path = site / "search" / "search_index.json"
    if index_path.exists():
        merged = json.loads(index_path.read_text(encoding="utf-8"))
        for lang in langs:
            target = site / ("" if lang == locales.DEFAULT_LANGUAGE else lang) / "search" / "search_index.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(_language_index(merged, lang, langs), ensure_ascii=False,
                                         separators=(",", ":")), encoding="utf-8")
    _write_sitemap(config, site, langs)
    _warn_translations(config)


def _language_index(index: dict, lang: str, langs: list[str]) -> dict:
    """This language's documents only, fallback pages left out, locations relative to its root."""
    others = tuple(f"{other}/" for other in langs if other != locales.DEFAULT_LANGUAGE)
    prefix = "" if lang == locales.DEFAULT_LANGUAGE else f"{lang}/"
    fallbacks = {by_lang[lang]["url"] for by_lang in state.pages.values()
                 if lang in by_lang and by_lang[lang]["fallback"]}
    docs = []
    for doc in index.get("docs", []):
        location = doc["location"]
        mine = location.startswith(prefix) if prefix else not location.startswith(others)
        if not mine or location.split("#", 1)[0] in fallbacks:
            continue
        docs.append({**doc, "location": location[len(prefix):]})
    config = {**index.get("config", {}), "lang": [SEARCH_LANGUAGE.get(lang, lang)]}
    return {"config": config, "docs": docs}


def _write_sitemap(config, site: Path, langs: list[str]) -> None:
    """A sitemap of real pages only, each with xhtml:link alternates to its real translations."""
    site_url = config.site_url or "/"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">']
    for src in sorted(state.pages):
        real = {lang: rec["url"] for lang, rec in state.pages[src].items() if not rec["fallback"]}
        for lang in langs:
            if lang not in real:
                continue
            lines.append(f"  <url><loc>{escape(urljoin(site_url, real[lang]))}</loc>")
            if len(real) > 1:
                for alt in langs:
                    if alt in real:
                        lines.append(f'    <xhtml:link rel="alternate" hreflang="{alt}" href="{escape(urljoin(site_url, real[alt]))}"/>')
            lines.append("  </url>")
    lines.append("</urlset>\n")
    xml = "\n".join(lines)
    (site / "sitemap.xml").write_text(xml, encoding="utf-8")
    with gzip.GzipFile(site / "sitemap.xml.gz", "wb", mtime=0) as handle:
        handle.write(xml.encode("utf-8"))
    for lang in langs:
        # static-i18n writes a per-language copy that advertises fallbacks; one sitemap is the truth.
        for name in ("sitemap.xml", "sitemap.xml.gz"):
            stray = site / lang / name
            if lang != locales.DEFAULT_LANGUAGE and stray.exists():
                stray.unlink()


def _preview_banner(config, loc, src: str, lang: str) -> str:
    """In the preview, a stale or missing translation is said on the page itself, not only in the terminal."""
    entry = next((e for e in _matrix(config) if e.chapter == src and e.lang == lang), None)
    if entry is None or entry.state not in ("stale", "missing"):
        return ""
    docs = engine.project(config).docs_name
    file = translations.localized(Path(docs), src, lang).as_posix()
    message = loc.get(lang, f"i18n.preview_{entry.state}", file=file, source=f"{docs}/{src}")
    return f'<div class="almanac-preview-warning" role="alert" lang="{lang}"><p>{escape(message)}</p></div>\n'


def _warn_translations(config) -> None:
    root = engine.project(config).root
    for entry in _matrix(config):
        shown = entry.path.relative_to(root).as_posix()
        if entry.state == "stale":
            log.warning(f"{shown}: stale translation: its source content/{entry.chapter} changed "
                        f"after it was translated (update the text, then run 'make stamp FILES={shown}').")
        elif entry.state == "missing":
            log.warning(f"{shown}: missing: the '{entry.lang}' translation of content/{entry.chapter} "
                        f"is required by extra.almanac.translations in mkdocs.yml.")


def _status_markdown(config) -> str:
    project = engine.project(config)
    lang = engine.build_language(config)
    loc = project.locales
    pubs = project.publications
    langs = project.languages
    table = translations.summary(_matrix(config))
    head = "| " + " | ".join([loc.get(lang, "catalogue.publication")] + [loc.get(l, "language_name") for l in langs]) + " |"
    lines = [f'<div class="almanac-status" markdown>', "", head, "|" + "---|" * (len(langs) + 1)]
    for pub in pubs:
        cells = []
        for l in langs:
            cell = table[(pub.slug, l)]
            state_label = loc.get(lang, f"i18n.states.{cell['state']}")
            cells.append(f"{state_label} ({cell['words']:,} {loc.get(lang, 'i18n.words')})".replace(",", "\u00a0"))
        lines.append(f"| {escape(pub.title(lang), quote=False).replace('|', '&#124;')} | " + " | ".join(cells) + " |")
    return "\n".join(lines + ["", "</div>"])


def _matrix(config) -> list:
    """Every chapter's translation state; hashing every file once per build, not once per language pass."""
    if state.matrix is None:
        project = engine.project(config)
        state.matrix = translations.matrix(project.publications, project.docs_dir, project.languages,
                                           project.settings["translations"])
    return state.matrix
