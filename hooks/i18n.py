"""Multilingual behaviour on top of mkdocs-static-i18n.

Events:
- on_config: choose the search language of the language being built
  (kk uses Almanac's own lunr stemmer, see almanac.search) and read the
  `translations` setting.
- on_page_markdown: expand `{{ translation_status() }}`; on a partial
  translation, wrap each segment still in the original in a span in the
  original's language (before the indicators hook expands markers).
- on_page_content: on a fallback page (the original shown because no
  translation exists), add a notice in the reader's language and mark the
  content with the original's language; on a partial translation, give the
  untranslated blocks the original's language and add a notice saying how
  many segments are translated.
- on_post_page: move hreflang alternates out of the page and into the
  sitemap, point a fallback page's canonical link at the original, point
  the page's search at its scope's index (its language, and its publication)
  and at Almanac's search worker (the rewrites of Material's markup are in
  hooks/material_markup.py).
- on_post_template: keep the default language's 404.html at the site root
  and write each other language's under /<lang>/; its search too reads its
  language's library index through Almanac's worker.
- on_post_build: keep this language's search entries (fallback pages out);
  after the last language, write each language's search indexes (a library
  index and one per publication, almanac.search.scopes) and a
  sitemap with alternates for real translations only, and warn about
  stale and missing translations. A shard build (one language, see
  engine.shard) writes its language's index, warns about its language only,
  and records its pages in <site>/.almanac-shard/pages.json: the sitemap is
  written when the shards are assembled (almanac.shards).

Reads: the build's project, the pages MkDocs built, the merged search index.
The decisions (what is a fallback, which documents each language's search
index keeps, the sitemap, what editors are told) are in almanac.multilingual.
Writes: <site>/[<lang>/]search/search_index.json, <site>/[<lang>/]<slug>/search/search_index.json,
<site>/sitemap.xml(.gz); in a shard build <site>/.almanac-shard/pages.json instead of the sitemap.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

import engine
import material_markup as material
from almanac import content, context, locales, multilingual, search, shards, translations
from almanac.errors import AlmanacError

log = logging.getLogger("mkdocs.hooks.i18n")

STATUS_MARKER = "{{ translation_status() }}"


class _State:
    """This build's pages and translation states, shared by its language passes (engine.state)."""

    def __init__(self):
        self.pages = multilingual.Pages()
        self.matrix: list | None = None                  # translation states, computed once per build
        self.not_found = ""                              # the default language's 404 page, for the later passes
        self.partial: dict[str, tuple[int, int]] = {}    # partial translations of this pass: (translated, all)
        self.editorial: set[str] = set()                  # the translation status's location in each language


def on_startup(command, dirty):
    engine.started(command)


# Before static-i18n's on_config (-100), which configures the pass for the language that begin_pass chose.
@event_priority(-90)
@engine.reports_errors
def on_config(config):
    engine.begin_pass(config)
    lang = engine.build_language(config)
    search = config.plugins.get("search") or config.plugins.get("material/search")
    if search is not None:
        search.config.lang = [multilingual.search_language(lang)]
    return config


# Before static-i18n's on_nav (-100), which looks for the home page and warns when there is none.
@event_priority(-90)
def on_nav(nav, config, files):
    """A publication's unit has no library home page: its first chapter stands in for static-i18n, and the logo
    and the site's name lead one level up, to the library's home page in the language of the pass."""
    unit = engine.unit(config)
    if unit is None or unit.library:
        return nav
    home = engine.project(config).by_slug[unit.slug].chapters[0]
    nav.homepage = next((page for page in nav.pages if context.language_free(page.file.src_uri) == home),
                        nav.homepage)
    config.extra["homepage"] = engine.site_prefix(engine.build_language(config)) or "./"
    return nav


# Before the indicators hook (0) expands markers into HTML: segments are found in the page as written.
@event_priority(10)
@engine.reports_errors
def on_page_markdown(markdown, page, config, files):
    lang = engine.build_language(config)
    if "untranslated" in page.meta and lang != locales.DEFAULT_LANGUAGE and engine.page_language(page, config) == lang:
        shown = f"{engine.project(config).docs_name}/{page.file.src_uri}"
        markdown, _, _ = multilingual.mark_untranslated(markdown, content.untranslated_keys(page.meta, shown))
        # Counted over the whole file, as `almanac status` counts (a front matter title is a segment too).
        counted = translations.progress(Path(page.file.abs_src_path), shown)
        if counted and counted[0] < counted[1]:
            _state(config).partial[page.file.src_uri] = counted
    if STATUS_MARKER in markdown:
        # Its location in the language's index, which search.scopes keeps out of the publications' indexes.
        _state(config).editorial.add(page.url[len(engine.site_prefix(lang)):])
        project = engine.project(config)
        table = multilingual.status_markdown(_matrix(config), project.publications, project.languages,
                                             project.locales, engine.build_language(config))
        markdown = markdown.replace(STATUS_MARKER, table)
    return markdown


def on_page_content(html, page, config, files):
    state = _state(config)
    lang = engine.build_language(config)
    content_lang = engine.page_language(page, config)
    src = context.language_free(page.file.src_uri)
    state.pages.record(src, lang, page.url, content_lang != lang)
    if content_lang != lang and engine.shard():
        # A shard builds no other language: the original's URL, for the canonical link, is the engine's.
        state.pages.record(src, content_lang, engine.default_url(page), False)
    project = engine.project(config)
    if engine.serving():
        html = multilingual.preview_banner(_matrix(config), project.locales, project.docs_name, src, lang) + html
    if page.file.src_uri in state.partial:
        translated, total = state.partial.pop(page.file.src_uri)
        return multilingual.partial_notice(project.locales, lang, translated, total,
                                           multilingual.lift_untranslated(html))
    if content_lang == lang:
        return html
    return multilingual.fallback_notice(project.locales, lang, content_lang, html)


@event_priority(-50)
@engine.reports_errors
def on_post_page(output, page, config):
    state = _state(config)
    lang = engine.build_language(config)
    src = context.language_free(page.file.src_uri)
    shown = f"{engine.project(config).docs_name}/{page.file.src_uri}"
    output = material.drop_alternate_links(output, shown, len(engine.languages(config)))
    if state.pages.is_fallback(src, lang):
        output = material.point_canonical(output, shown, urljoin(config.site_url or "/", state.pages.original_url(src)))
    where = search.scope(engine.site_prefix(lang), search.publication_of(src, engine.project(config).by_slug))
    if where:
        output = material.search_base(output, shown, where)
    return material.search_worker(output, shown)


# Last of all template rewrites (the Content-Security-Policy included): every language pass writes
# 404.html at the site root, so without this the root's "page not found" is the last language's.
@event_priority(-2000)
@engine.reports_errors
def on_post_template(output, template_name, config):
    if template_name != "404.html":
        return output
    state = _state(config)
    lang = engine.build_language(config)
    output = material.drop_alternate_links(output, template_name, 1)
    output = material.search_worker(output, template_name)
    if lang == locales.DEFAULT_LANGUAGE:
        state.not_found = output
        return output
    output = material.search_base(output, template_name, engine.site_prefix(lang))
    target = Path(config.site_dir) / engine.site_prefix(lang) / "404.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(output, encoding="utf-8")
    return state.not_found or output


# After static-i18n's on_post_build (-100): in the outermost build, every language is done.
@event_priority(-200)
def on_post_build(config):
    if engine.nested(config):
        return
    state = _state(config)
    site = Path(config.site_dir)
    langs = engine.languages(config)
    built = [engine.shard()] if engine.shard() else langs
    index_path = site / "search" / "search_index.json"
    unit = engine.unit(config)
    if unit is not None:
        # A unit's pages and search entries, for the assembly: the scopes span units (almanac.assembly).
        if index_path.exists():
            merged = json.loads(index_path.read_text(encoding="utf-8"))
            shards.write_part(site, "search", {lang: multilingual.language_index(merged, lang, langs, state.pages)
                                               for lang in langs}, sort_keys=False)
            shards.write_part(site, "editorial", {"locations": sorted(state.editorial)})
        shards.write_part(site, "pages", {"site_url": config.site_url or "/", "pages": state.pages.by_source})
        if not unit.library:   # the library's matrix is every publication's: each unit warns of its own
            for message in multilingual.problems(_matrix(config), engine.project(config).root):
                log.warning(message)
        return
    if index_path.exists():
        merged = json.loads(index_path.read_text(encoding="utf-8"))
        slugs = list(engine.project(config).by_slug)
        for lang in built:
            index = multilingual.language_index(merged, lang, langs, state.pages)
            for where, part in search.scopes(index, slugs, state.editorial).items():
                target = site / engine.site_prefix(lang) / where / search.INDEX
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(search.dumps(part), encoding="utf-8")
    if engine.shard():
        shards.write_part(site, "pages", shards.pages_part(state.pages, engine.shard(), config.site_url or "/"))
    else:
        shards.write_sitemap(site, state.pages, langs, config.site_url or "/")
        for lang in [other for other in langs if other != locales.DEFAULT_LANGUAGE]:
            # static-i18n writes a per-language copy that advertises fallbacks; one sitemap is the truth.
            for name in shards.SITEMAP:
                (site / engine.site_prefix(lang) / name).unlink(missing_ok=True)
    mine = [entry for entry in _matrix(config) if entry.lang in built]
    for message in multilingual.problems(mine, engine.project(config).root):
        log.warning(message)


def _matrix(config) -> list:
    """Every chapter's translation state; hashing every file once per build, not once per language pass."""
    state = _state(config)
    if state.matrix is None:
        project = engine.project(config)
        try:
            state.matrix = translations.matrix(project.publications, project.docs_dir, project.languages,
                                               project.settings["translations"])
        except AlmanacError as exc:   # a malformed source_hash, named with its file and line
            raise PluginError(str(exc)) from None
    return state.matrix


def _state(config) -> _State:
    return engine.state(config, "i18n", _State)
