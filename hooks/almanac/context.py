"""Small helpers every hook needs: the build language, the project root, settings.

Reads: the MkDocs config. Writes: nothing.
"""

from __future__ import annotations

import re
from pathlib import Path

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError

from .locales import DEFAULT_LANGUAGE


class AlmanacConfig(base.Config):
    """`extra.almanac` in mkdocs.yml, validated once per build."""

    pdf = c.Type(bool, default=True)
    print_edition = c.Type(bool, default=False)
    pdf_workers = c.Type(int, default=0)
    # Languages that must be complete: "*" for every publication, or a list of slugs.
    translations = c.Type(dict, default={})


def build_language(config) -> str:
    """The language being built (static-i18n builds the site once per language)."""
    plugin = config.plugins.get("i18n")
    current = getattr(plugin, "current_language", None) if plugin else None
    return current or DEFAULT_LANGUAGE


def languages(config) -> list[str]:
    plugin = config.plugins.get("i18n")
    if not plugin:
        return [DEFAULT_LANGUAGE]
    return [lang.locale for lang in plugin.config.languages if lang.build]


def page_language(page, config) -> str:
    """The language of a page's content; differs from the build language on a fallback page."""
    return getattr(page.file, "locale", None) or build_language(config)


def language_free(src_uri: str) -> str:
    """A page's path without its language suffix: "x/index.en.md" -> "x/index.md" (as metadata lists it)."""
    match = re.fullmatch(r"(.+)\.([a-z]{2,3})\.md", src_uri)
    return f"{match.group(1)}.md" if match else src_uri


def project_root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def cache_dir(root: Path, name: str) -> Path:
    """A git-ignored cache folder of the project: .cache/almanac/<name>."""
    return root / ".cache" / "almanac" / name


def fonts_dir(root: Path) -> Path:
    """The site's own fonts (WOFF2), used by the website, the charts and the PDFs."""
    return root / "overrides" / "assets" / "fonts"


def docs_name(config) -> str:
    """The docs folder as the editor sees it, relative to mkdocs.yml (e.g. 'content')."""
    return Path(config.docs_dir).resolve().relative_to(project_root(config)).as_posix()


def settings(config) -> AlmanacConfig:
    raw = (config.extra or {}).get("almanac", {})
    cfg = AlmanacConfig()
    cfg.load_dict(raw if isinstance(raw, dict) else {})
    failed, warnings = cfg.validate()
    problems = failed + [(k, "unknown setting") for k, _ in warnings]
    if problems:
        key, error = problems[0]
        text = Path(config.config_file_path).read_text(encoding="utf-8")
        line = next((n for n, row in enumerate(text.split("\n"), 1) if row.strip().startswith(f"{key}:")), None)
        where = f"mkdocs.yml, line {line}" if line else "mkdocs.yml"
        raise PluginError(f"{where}, 'extra.almanac.{key}': {error}")
    return cfg
