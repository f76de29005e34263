"""Indicator tables, CSV downloads and charts from `data/indicators/*.yml`.

Events:
- on_config: check that Babel knows every language built, and prepare the
  chart font (the data files were validated when the build's project was
  loaded, see engine.project).
- on_page_markdown: replace `{{ indicators(...) }}` and `{{ chart(...) }}`
  markers with tables and inline SVG in the page's language.
- on_post_page: write the CSV files the page links to.

Reads: the build's project (datasets, locales), mkdocs.yml (for the line of a
language), overrides/partials/almanac/*.html, overrides/assets/fonts/*.woff2.
Writes: <site>/[<lang>/]assets/data/<publication>-<group>.<lang>.csv and
decompressed chart fonts in .cache/almanac/fonts/.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

from mkdocs.utils import get_relative_url

import engine
from almanac import content, context, locales, markers

log = logging.getLogger("mkdocs.hooks.indicators")


class _State:
    """This build's chart font and the CSV files its pages wait to write (engine.state)."""

    def __init__(self):
        self.painter = None   # charts.Painter: this build's fonts and chart cache
        self.downloads: dict[str, dict[str, str]] = {}


@engine.reports_errors
def on_config(config):
    project = engine.project(config)
    if engine.first_pass(config):
        # Every table, chart and CSV formats its numbers with Babel: an unknown language stops the build here,
        # naming its line, rather than with a traceback at the first number.
        locales.check_languages(engine.languages(config), (project.root / "mkdocs.yml").read_text(encoding="utf-8"))
    from almanac import charts

    _state(config).painter = charts.Painter(context.fonts_dir(project.root), context.cache_dir(project.root, "fonts"),
                                            context.cache_dir(project.root, "charts"))
    return config


@engine.reports_errors
def on_page_markdown(markdown, page, config, files):
    if "{{" not in markdown:
        return markdown
    project = engine.project(config)
    state = _state(config)
    lang = engine.page_language(page, config)
    # One warning per missing label and build; --strict turns it into a failure.
    renderer = markers.Renderer(project.datasets, project.locales, lang,
                                project.root / "overrides" / "partials" / "almanac", state.painter,
                                partial(engine.warn_once, config, log))
    csv_dir = f"{engine.site_prefix(engine.build_language(config))}assets/data/"
    csv_base = get_relative_url(csv_dir + "x", page.url).rsplit("x", 1)[0]
    shown = f"{project.docs_name}/{page.file.src_uri}"
    # MkDocs hands over the text after the front matter; errors count lines from the top of the file.
    first_line = content.read(Path(page.file.abs_src_path), shown, project.docs_dir).markdown_line
    expansion = renderer.expand(markdown, shown, csv_base, first_line)
    state.downloads[page.file.src_uri] = {csv_dir + name: text for name, text in expansion.downloads.items()}
    return expansion.markdown


def on_post_page(output, page, config):
    for relative, text in _state(config).downloads.pop(page.file.src_uri, {}).items():
        target = Path(config.site_dir) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return output


def _state(config) -> _State:
    return engine.state(config, "indicators", _State)
