"""Indicator tables, CSV downloads and charts from `data/indicators/*.yml`.

Events:
- on_config: validate every data file against the typed schema (the build
  stops at the first bad field) and prepare the chart font.
- on_page_markdown: replace `{{ indicators(...) }}` and `{{ chart(...) }}`
  markers with tables and inline SVG in the page's language.
- on_post_page: write the CSV files the page links to.

Reads: data/indicators/*.yml, content/*/publication.yml (to know which
publications exist), locales/*.yml, overrides/partials/almanac/*.html,
overrides/assets/fonts/*.woff2.
Writes: <site>/[<lang>/]assets/data/<publication>-<group>.<lang>.csv and
decompressed chart fonts in .cache/almanac/fonts/.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.utils import get_relative_url

from almanac import content, context, indicators, locales, markers, publications

log = logging.getLogger("mkdocs.hooks.indicators")


class _State:
    def __init__(self):
        self.datasets: dict[str, indicators.Dataset] = {}
        self.font_family: str | None = None
        self.downloads: dict[str, dict[str, str]] = {}
        self.warned: set[str] = set()


state = _State()


def on_config(config):
    root = context.project_root(config)
    state.warned = set()
    slugs = {p.slug for p in publications.load_all(root, root / config.docs_dir)}
    state.datasets = load_datasets(root, slugs)
    from almanac import charts

    state.font_family = charts.register_fonts(context.fonts_dir(root), context.cache_dir(root, "fonts"))
    charts.use_cache(context.cache_dir(root, "charts"))
    return config


def load_datasets(root: Path, slugs: set[str]) -> dict[str, indicators.Dataset]:
    datasets = {}
    for path in sorted((root / "data" / "indicators").glob("*.yml")):
        dataset = indicators.load_dataset(path, root, slugs)
        datasets[dataset.publication] = dataset
    return datasets


def on_page_markdown(markdown, page, config, files):
    if "{{" not in markdown:
        return markdown
    root = context.project_root(config)
    lang = context.page_language(page, config)
    renderer = markers.Renderer(state.datasets, locales.load(root), lang,
                                root / "overrides" / "partials" / "almanac", state.font_family, _warn)
    prefix = "" if context.build_language(config) == locales.DEFAULT_LANGUAGE else f"{context.build_language(config)}/"
    csv_dir = f"{prefix}assets/data/"
    csv_base = get_relative_url(csv_dir + "x", page.url).rsplit("x", 1)[0]
    shown = f"{context.docs_name(config)}/{page.file.src_uri}"
    # MkDocs hands over the text after the front matter; errors count lines from the top of the file.
    first_line = content.read(Path(page.file.abs_src_path), shown, Path(config.docs_dir)).markdown_line
    expansion = renderer.expand(markdown, shown, csv_base, first_line)
    state.downloads[page.file.src_uri] = {csv_dir + name: text for name, text in expansion.downloads.items()}
    return expansion.markdown


def on_post_page(output, page, config):
    for relative, text in state.downloads.pop(page.file.src_uri, {}).items():
        target = Path(config.site_dir) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return output


def _warn(message: str) -> None:
    # One warning per missing label and build; --strict turns it into a failure.
    if message not in state.warned:
        state.warned.add(message)
        log.warning(message)
