"""What the hooks know about MkDocs and mkdocs-static-i18n, in one place (not a hook itself).

Reads: the MkDocs config and pages handed to the hooks. Writes: nothing.

- **Language passes.** static-i18n builds the site once per language on the
  same config object: the default language first, at the site root, then
  each other language from its own `on_post_build` (-100), with the plugin's
  `building` flag set. `build_language` says which pass is running;
  `outermost` says whether an `on_post_build` is the last, after every
  language.
- **One project per build.** `project(config)` loads and validates settings,
  locales, publications and data once per build, on the first call of a
  build, and gives every hook and every language pass the same `Project`.
  A `mkdocs serve` rebuild creates a new config object, so it starts clean.
- **Errors.** The core raises `AlmanacError`; `reports_errors` turns it into
  MkDocs' `PluginError`, which MkDocs prints as one line without a traceback.

Moving to another engine means rewriting this module and the hooks that
call it, not the `almanac` package.
"""

from __future__ import annotations

import functools
from pathlib import Path

from mkdocs.exceptions import PluginError

from almanac.errors import AlmanacError
from almanac.locales import DEFAULT_LANGUAGE
from almanac.project import Project

_current: dict = {"config": None, "project": None}


def project(config) -> Project:
    """The project as this build sees it, loaded once per build (the config object is new per build)."""
    if _current["config"] is not config:
        root = project_root(config)
        raw = (config.extra or {}).get("almanac", {})
        try:
            loaded = Project.load(root, Path(config.docs_dir), languages(config), raw,
                                  Path(config.config_file_path).read_text(encoding="utf-8"))
        except AlmanacError as exc:
            raise PluginError(str(exc)) from None
        _current.update(config=config, project=loaded)
    return _current["project"]


def reports_errors(event):
    """Decorate a hook event so that the core's errors reach MkDocs as one-line `PluginError`s."""

    @functools.wraps(event)
    def wrapper(*args, **kwargs):
        try:
            return event(*args, **kwargs)
        except AlmanacError as exc:
            raise PluginError(str(exc)) from None

    return wrapper


def build_language(config) -> str:
    """The language being built (static-i18n builds the site once per language)."""
    plugin = config.plugins.get("i18n")
    current = getattr(plugin, "current_language", None) if plugin else None
    # None during the first pass's on_config: that pass is the default language's.
    return current or DEFAULT_LANGUAGE


def languages(config) -> list[str]:
    plugin = config.plugins.get("i18n")
    if not plugin:
        return [DEFAULT_LANGUAGE]
    return [lang.locale for lang in plugin.config.languages if lang.build]


def nested(config) -> bool:
    """True inside the passes static-i18n starts for the languages after the first."""
    return bool(getattr(config.plugins.get("i18n"), "building", False))


def first_pass(config) -> bool:
    return build_language(config) == DEFAULT_LANGUAGE and not nested(config)


def page_language(page, config) -> str:
    """The language of a page's content; differs from the build language on a fallback page."""
    return getattr(page.file, "locale", None) or build_language(config)


def project_root(config) -> Path:
    return Path(config.config_file_path).resolve().parent


def site_prefix(lang: str) -> str:
    """Where a language's pages live in the site: the default language at the root, others under /<lang>/."""
    return "" if lang == DEFAULT_LANGUAGE else f"{lang}/"
