"""Publications: metadata, navigation and the catalogue page.

Events:
- on_config: build `nav` in chapter order from the build's project (its
  metadata is loaded and validated once per build by engine.project), and
  set the site name and description of the language being built.
- on_nav: title each publication's section in the build language.
- on_page_markdown: expand `{{ catalogue() }}` into the catalogue (a card per
  publication, with its cover when PDFs are built, and filters).
- on_page_context: give a page with the catalogue its filter script
  (overrides/assets/javascripts/catalogue.js, printed by overrides/main.html).

Reads: the build's project (publications, organisations, locales).
Writes: nothing.
"""

from __future__ import annotations

import logging
from html import escape

from mkdocs.plugins import event_priority
from mkdocs.structure.nav import Section

import engine
from almanac import catalogue

log = logging.getLogger("mkdocs.hooks.publications")

CATALOGUE_MARKER = "{{ catalogue() }}"
CATALOGUE_SCRIPT = "assets/javascripts/catalogue.js"


class _State:
    """The pages that carry the catalogue, by language pass (engine.state)."""

    def __init__(self):
        self.with_catalogue: set[tuple[str, str]] = set()   # (build language, page)


# Runs after static-i18n's on_config (-100), which resets site_name per language.
@event_priority(-110)
@engine.reports_errors
def on_config(config):
    project = engine.project(config)
    lang = engine.build_language(config)
    config.site_name = project.locales.get(lang, "site.name")
    config.site_description = project.locales.get(lang, "site.description")
    config.nav = _navigation(project, config)
    return config


def _navigation(project, config) -> list:
    unit = engine.unit(config)
    if unit is not None and not unit.library:
        # A publication's unit: its navigation holds the publication only; the library is one link up.
        return [{unit.slug: list(project.by_slug[unit.slug].chapters)}]
    nav: list = ["index.md"]
    if unit is not None:
        return nav + [p for p in ("translation-status.md",) if (project.docs_dir / p).exists()]
    for pub in project.publications:
        nav.append({pub.slug: list(pub.chapters)})
    extra = [p for p in ("translation-status.md",) if (project.docs_dir / p).exists()]
    return nav + extra


# After everyone's on_files: a publication's unit copies none of the theme's files (the library unit does).
@event_priority(-500)
def on_files(files, config):
    unit = engine.unit(config)
    if unit is None or unit.library:
        return files
    for file in [f for f in files if not f.src_uri.startswith(f"{unit.slug}/")]:
        files.remove(file)
    return files


# Runs after static-i18n's on_nav (-100), which rebuilds the navigation per language.
@event_priority(-110)
def on_nav(nav, config, files):
    lang = engine.build_language(config)
    by_slug = engine.project(config).by_slug
    for item in nav.items:
        if isinstance(item, Section) and item.title in by_slug:
            # Material prints navigation titles unescaped; a title is text, so it is escaped here.
            item.title = escape(by_slug[item.title].title(lang), quote=False)
    return nav


@engine.reports_errors
def on_page_markdown(markdown, page, config, files):
    if CATALOGUE_MARKER not in markdown:
        return markdown
    lang = engine.build_language(config)
    _state(config).with_catalogue.add((lang, page.file.src_uri))
    project = engine.project(config)
    # Covers are the first pages of the site's PDFs (hooks/pdf.py renders them): none without PDFs, nor in the
    # printer's edition, whose first page carries bleed and marks.
    covers = project.settings["pdf"] and not engine.print_edition(config)
    html = catalogue.markdown(project, lang, page.url, engine.site_prefix, covers=covers)
    return markdown.replace(CATALOGUE_MARKER, html)


def on_page_context(ctx, page, config, nav):
    if (engine.build_language(config), page.file.src_uri) in _state(config).with_catalogue:
        ctx["almanac_scripts"] = [CATALOGUE_SCRIPT]
    return ctx


def _state(config) -> _State:
    return engine.state(config, "publications", _State)
