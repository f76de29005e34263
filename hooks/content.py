"""Pages as editors save them: checked before the build, read normalised.

Events:
- on_config: the theme's extra stylesheets and scripts are the site's own files.
- on_files: read and check every Markdown page (UTF-8, front matter, title,
  embedded files, links to pages) before any page is built, so that bad
  input stops the build with one line naming the file and the line.
- on_page_read_source: give MkDocs the page's normalised text (no BOM, LF
  line endings, NFC), the same text that was checked.

Reads: mkdocs.yml, every Markdown file under the docs folder. Writes: nothing.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError

import engine
from almanac import content
from almanac.errors import AlmanacError


def on_config(config):
    text = Path(config.config_file_path).read_text(encoding="utf-8")
    try:
        content.check_theme_assets("extra_css", [str(url) for url in config.extra_css], text)
        content.check_theme_assets("extra_javascript", [str(url) for url in config.extra_javascript], text)
    except AlmanacError as exc:
        raise PluginError(str(exc)) from None
    return config


def on_files(files, config):
    root = engine.project_root(config)
    docs_dir = engine.docs_dir(config)
    for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri):
        _read(file, root, docs_dir)
    return files


def on_page_read_source(page, config):
    file = page.file
    if not file.abs_src_path:
        return None
    return _read(file, engine.project_root(config), engine.docs_dir(config)).text


def _read(file, root: Path, docs_dir: Path) -> content.Page:
    path = Path(file.abs_src_path)
    try:
        shown = path.resolve().relative_to(root).as_posix()
    except ValueError:
        shown = file.src_uri
    try:
        return content.read(path, shown, docs_dir)
    except AlmanacError as exc:
        raise PluginError(str(exc)) from None
