"""Pages as editors save them: checked before the build, read normalised.

Events:
- on_config: the theme's extra stylesheets and scripts are the site's own files.
- on_files: every Markdown file is a listed chapter in a configured language;
  read and check every page (UTF-8, front matter, title and outline, the
  markup allowlist, markers, embedded files, links to pages) and every SVG
  before any page is built, so that bad input stops the build with one line
  naming the file and the line.
- on_page_read_source: give MkDocs the page's normalised text (no BOM, LF
  line endings, NFC), the same text that was checked.
- on_page_content: the rendered page holds no `<style>`, `<script>` or `style=`
  outside the charts the build drew (almanac.csp.check_content), so that the
  Content-Security-Policy never hashes inline code that came from content.
- on_page_content, on_env: once every page of the pass is rendered, and before
  any is written, every link to an `#anchor` leads to one (almanac.anchors).

Reads: mkdocs.yml, every Markdown and SVG file the site publishes. Writes: nothing.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError

import engine
from almanac import anchors, content, csp, markup
from almanac.errors import AlmanacError


class _State:
    """The pages of the pass being built, with their rendered HTML (on_page_content to on_env of one pass)."""

    def __init__(self):
        self.rendered: list[anchors.Rendered] = []


def on_config(config):
    text = Path(config.config_file_path).read_text(encoding="utf-8")
    try:
        content.check_theme_assets("extra_css", [str(url) for url in config.extra_css], text)
        content.check_theme_assets("extra_javascript", [str(url) for url in config.extra_javascript], text)
    except AlmanacError as exc:
        raise PluginError(str(exc)) from None
    return config


def on_files(files, config):
    _state(config).rendered.clear()
    root = engine.project_root(config)
    docs_dir = engine.docs_dir(config)
    project = engine.project(config)
    pages = sorted(files.documentation_pages(), key=lambda f: f.src_uri)
    try:
        content.check_inventory([f.src_uri for f in pages], engine.configured_languages(config),
                                project.publications, project.docs_name)
    except AlmanacError as exc:
        raise PluginError(str(exc)) from None
    for file in pages:
        _read(file, root, docs_dir)
    _check_svgs(files, root)
    return files


def on_page_content(html, page, config, files):
    try:
        csp.check_content(html, _shown(page.file, engine.project_root(config)) if page.file.abs_src_path
                          else page.file.src_uri)
    except AlmanacError as exc:
        raise PluginError(str(exc)) from None
    # Kept for the anchor check in on_env, once every page of this pass is rendered.
    if page.file.abs_src_path:
        source = _read(page.file, engine.project_root(config), engine.docs_dir(config))
        _state(config).rendered.append(anchors.Rendered(_shown(page.file, engine.project_root(config)), page.url, html, source.text))
    return html


def on_env(env, config, files):
    rendered = _state(config).rendered
    try:
        anchors.check(rendered)
    except AlmanacError as exc:
        raise PluginError(str(exc)) from None
    finally:
        rendered.clear()
    return env


def on_page_read_source(page, config):
    file = page.file
    if not file.abs_src_path:
        return None
    return _read(file, engine.project_root(config), engine.docs_dir(config)).text


def _state(config) -> _State:
    return engine.state(config, "content", _State)


def _check_svgs(files, root: Path) -> None:
    """Every SVG the site publishes from the project (content/ and overrides/), referenced or not: opened
    directly, an SVG runs its scripts on the site's origin, where no page's CSP applies."""
    for file in files:
        if not file.src_uri.lower().endswith(".svg") or not file.abs_src_path:
            continue
        path = Path(file.abs_src_path)
        if not path.resolve().is_relative_to(root.resolve()):
            continue   # the theme's own files (Material's package)
        try:
            markup.check_svg_file(path, path.resolve().relative_to(root.resolve()).as_posix())
        except AlmanacError as exc:
            raise PluginError(str(exc)) from None


def _shown(file, root: Path) -> str:
    try:
        return Path(file.abs_src_path).resolve().relative_to(root).as_posix()
    except ValueError:
        return file.src_uri


def _read(file, root: Path, docs_dir: Path) -> content.Page:
    path = Path(file.abs_src_path)
    shown = _shown(file, root)
    try:
        return content.read(path, shown, docs_dir)
    except AlmanacError as exc:
        raise PluginError(str(exc)) from None
