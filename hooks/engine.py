"""What the hooks know about MkDocs and mkdocs-static-i18n, in one place (not a hook itself).

Reads: the MkDocs config and pages handed to the hooks, the environment variables of almanac.settings.
Writes: nothing (each build's context lives in memory, see below).

- **Language passes.** static-i18n builds the site once per language on the
  same config object: the default language first, at the site root, then
  each other language from its own `on_post_build` (-100), with the plugin's
  `building` flag set. `build_language` says which pass is running;
  `outermost` says whether an `on_post_build` is the last, after every
  language.
- **One context per build.** `build(config)` is the build's `Build`, made on
  the first call of a build, keyed on the config object: every hook and every
  language pass of a build share it (static-i18n builds every language on one
  config), and a `mkdocs serve` rebuild, which loads a new config, starts
  clean. It holds the `Project` (`project(config)`: settings, locales,
  publications and data, loaded and validated once per build), each hook's
  state (`state(config, name, factory)`) and the warnings given
  (`warn_once`). No hook keeps build state of its own.
- **What outlives a build**, on purpose, for the whole process: the command
  (`serve` or `build`: on_startup gets no config; `started`, `serving`) and
  the latest build (on_build_error and on_shutdown get no config either, and
  must stop its PDF pool: `latest`). Caches keyed by content (the CSP's parsed
  pages) are the hooks' own and say so; the theme's compiled templates are the
  process's and the next processes' (`share_compiled_templates`).
- **Shards.** `almanac build` runs one process per language, each with
  `ALMANAC_SHARD=<lang>`: static-i18n then builds that one language, in its
  place in the whole site (`begin_pass`), and the core assembles the shards.
- **Preview.** `almanac serve --publication … --language …` builds one shard
  from a config it writes in .cache/preview/ (almanac.preview), which names its
  scope (`preview`): the project's folder and docs folder are then the
  project's (`project_root`, `docs_dir`), and `project` loads only that
  publication.
- **Errors.** The core raises `AlmanacError`; `reports_errors` turns it into
  MkDocs' `PluginError`, which MkDocs prints as one line without a traceback.

Moving to another engine means rewriting this module and the hooks that
call it, not the `almanac` package.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from mkdocs.exceptions import PluginError

from almanac import boundary, context, settings, templating, units
from almanac import preview as previewing
from almanac.errors import AlmanacError, Warnings
from almanac.locales import DEFAULT_LANGUAGE
from almanac.project import Project


class Build:
    """What one build knows: its project, each hook's state and the warnings given (see the module's docstring)."""

    def __init__(self, config):
        self.config = config
        self._project: Project | None = None
        self._states: dict[str, object] = {}
        self.warnings = Warnings()   # what this build has warned of, each once

    @property
    def project(self) -> Project:
        # Loaded on first use, not when the build starts: a failure is reported by the hook that needs it.
        if self._project is None:
            self._project = _load_project(self.config, self.warnings)
        return self._project

    def state(self, name: str, factory):
        """The state `name` of this build, made by `factory()` on first use."""
        if name not in self._states:
            self._states[name] = factory()
        return self._states[name]


class _Process:
    """What lives as long as the process, on purpose (hook modules stay loaded for the whole of `mkdocs serve`):
    the command, told once by on_startup, which gets no config; the latest build, for the events that get
    no config (on_build_error, on_shutdown). There is one, `_process`."""

    def __init__(self):
        self.command = "build"
        self.latest: Build | None = None


_process = _Process()


def build(config) -> Build:
    """This build's context, made on the first call of a build (a new config object is a new build)."""
    if _process.latest is None or _process.latest.config is not config:
        _process.latest = Build(config)
    return _process.latest


def latest() -> Build | None:
    """The latest build, for the events MkDocs calls without a config (on_build_error, on_shutdown)."""
    return _process.latest


def state(config, name: str, factory):
    """A hook's state for this build: `state(config, "pdf", _State)`, made by `factory()` on first use."""
    return build(config).state(name, factory)


def project(config) -> Project:
    """The project as this build sees it, loaded once per build."""
    return build(config).project


def warn_once(config, log, message: str) -> None:
    """Log `message` as a warning once per build and logger (a label is looked up on every page and in every
    language pass); --strict turns it into a failure."""
    build(config).warnings.warn(log, message)


def started(command: str) -> None:
    """Remember the command this process runs ('serve' or 'build'); call from on_startup."""
    _process.command = command


def serving() -> bool:
    """Whether this process is `mkdocs serve` (the preview's server included)."""
    return _process.command == "serve"


def _load_project(config, warnings: Warnings) -> Project:
    root = project_root(config)
    raw = (config.extra or {}).get("almanac", {})
    scope = preview(config)
    try:
        # Before anything is read: no file under the project's folders may lead outside them.
        boundary.check(root)
        if scope:
            return previewing.load_project(scope, languages(config), raw,
                                           Path(scope.config_file).read_text(encoding="utf-8"), warnings)
        building = unit(config)
        if building:
            return previewing.load_unit(building, languages(config), raw,
                                        Path(building.config_file).read_text(encoding="utf-8"), warnings)
        return Project.load(root, Path(config.docs_dir), languages(config), raw,
                            Path(config.config_file_path).read_text(encoding="utf-8"), warnings)
    except AlmanacError as exc:
        raise PluginError(str(exc)) from None


def share_compiled_templates(env, config) -> None:
    """Let this pass's Jinja environment load the theme's templates compiled by an earlier build or pass.

    MkDocs makes a new environment for every build, and static-i18n a build for every language, so
    Material's templates would be compiled again each time. The code is kept for the process and in
    .cache/almanac/templates/ for the next processes (almanac.templating.compiled says what keys it).
    Call from on_env, before any template is loaded."""
    env.bytecode_cache = templating.compiled(context.cache_dir(project_root(config), "templates"))


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
    """The languages this site builds, the default first (almanac.settings.languages)."""
    plugin = config.plugins.get("i18n")
    return settings.languages(plugin.config.languages if plugin else None)


def configured_languages(config) -> list[str]:
    """Every language of plugins.i18n.languages, built or not (`build: false` still names a language
    whose files are legitimate, only left out of this build); the default language first."""
    plugin = config.plugins.get("i18n")
    return settings.languages(plugin.config.languages if plugin else None, built=False)


def nested(config) -> bool:
    """True inside the passes static-i18n starts for the languages after the first."""
    if shard():
        return False  # a shard's one pass is also its outermost: its on_post_build at -200 is the last
    return bool(getattr(config.plugins.get("i18n"), "building", False))


def first_pass(config) -> bool:
    return build_language(config) == (shard() or DEFAULT_LANGUAGE) and not nested(config)


def shard() -> str | None:
    """The one language this process builds (`ALMANAC_SHARD`), or None when it builds every language in turn."""
    return os.environ.get(settings.SHARD) or None


def print_edition(config) -> bool:
    """Whether this build renders the printer's edition (`make print`) instead of the site's PDFs."""
    return bool(os.environ.get(settings.PRINT_EDITION)) or project(config).settings["print_edition"]


def print_downloads() -> bool:
    """Whether the build that runs this process also renders the printer's edition, from the same chapters as the
    site's PDFs, and publishes it under pdf/print/.

    Only `almanac build` renders it (almanac.build.print_downloads), never a shard, `mkdocs build` or the
    preview, so the parent says so in the environment rather than each page guessing from the settings."""
    return os.environ.get(settings.PRINT_DOWNLOADS) == "1"


def begin_pass(config) -> None:
    """Call at the start of every pass, before static-i18n's on_config (-100).

    - static-i18n gives each page its language switcher by setting `config.extra.alternate` as an
      attribute, and resets only the item at the start of a pass. Templates read the attribute first, so
      each language's 404.html, rendered before any page, would link to the previous pass's last page.
    - In a shard build, make the only pass the shard's language. static-i18n's own `build_only_locale`
      makes that language the default one: its pages would move to the site root, its switcher would list
      it alone and a missing page would fall back to nothing. Here the language keeps its URLs (/<lang>/),
      its switcher and its fallbacks, so its pages come out byte for byte as in a build of every language.
    """
    config.extra.__dict__.pop("alternate", None)
    lang = shard()
    plugin = config.plugins.get("i18n")
    if lang is None or plugin is None:
        return
    if lang not in languages(config):
        raise PluginError(f"{settings.SHARD}={lang}: not a language of this site; expected one of "
                          f"{', '.join(languages(config))} (plugins.i18n.languages in mkdocs.yml).")
    plugin.current_language = lang
    # static-i18n builds the other languages from its on_post_build unless it believes it is already doing so.
    plugin.building = True


def default_url(page) -> str:
    """The URL of a page in the default language (for a fallback page, its original's)."""
    return page.file.alternates[DEFAULT_LANGUAGE].url


def page_language(page, config) -> str:
    """The language of a page's content; differs from the build language on a fallback page."""
    return getattr(page.file, "locale", None) or build_language(config)


def project_root(config) -> Path:
    scope = preview(config) or unit(config)
    if scope:
        return Path(scope.root)  # a preview's or a unit's config lives in .cache/, not in the project folder
    return Path(config.config_file_path).resolve().parent


def docs_dir(config) -> Path:
    """The project's docs folder (a preview's or a unit's docs folder holds only links into it)."""
    scope = preview(config) or unit(config)
    return Path(scope.docs_dir) if scope else Path(config.docs_dir)


def unit(config) -> units.Unit | None:
    """The unit this build is (`almanac build` builds the site unit by unit, almanac.units), or None."""
    return units.Unit.from_extra((config.extra or {}).get(units.EXTRA_KEY))


def library_unit(config) -> bool:
    """Whether this build is the library unit (home, catalogue, status, 404 pages, the theme's assets)."""
    building = unit(config)
    return building is not None and building.library


def whole_library(config) -> bool:
    """Whether this build writes the files that span the library (sitemap, search scopes, host files):
    not a unit's, not a shard's; the assembly writes them then."""
    return unit(config) is None and shard() is None


def preview(config) -> previewing.Scope | None:
    """What `almanac serve --publication … --language …` builds (its generated config says), or None."""
    return previewing.Scope.from_extra((config.extra or {}).get(previewing.EXTRA_KEY))


def site_prefix(lang: str) -> str:
    """Where a language's pages live in the site: the default language at the root, others under /<lang>/."""
    return "" if lang == DEFAULT_LANGUAGE else f"{lang}/"


def poll(server, paths: list[str], seconds: float) -> None:
    """Make `mkdocs serve` notice a save in `paths` within `seconds` (its watcher polls every half second).

    MkDocs has no public way to set the interval: this replaces LiveReloadServer's `observer` before the
    server starts it, the one place outside hooks/server.py that reaches into MkDocs' server. If MkDocs
    changes that attribute, the build stops here, naming it (tests/test_material.py checks it)."""
    from watchdog.observers.api import BaseObserver
    from watchdog.observers.polling import PollingObserver

    if not isinstance(getattr(server, "observer", None), BaseObserver):
        raise PluginError("hooks/engine.py: MkDocs' LiveReloadServer has no watchdog `observer` any more; "
                          "the preview cannot poll faster (update engine.poll for this MkDocs).")
    for path in paths:
        server.unwatch(path)
    server.observer = PollingObserver(timeout=seconds)
    for path in paths:
        server.watch(path)
