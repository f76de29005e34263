"""What a build and the builds it starts agree on: the environment variables they share, and mkdocs.yml as
the core reads it.

Reads: mkdocs.yml (`read`: the one reader of the file outside MkDocs, for the CLI, `almanac status`, the
exchange, the preview and the build's parent process). Writes: nothing; the variables are set by
almanac.build, almanac.cli and make, and read by the hooks.

Inside a MkDocs build the hooks see the config MkDocs parsed; hooks/engine.py gives them the same answers
through `languages` (static-i18n's parsed entries go through the same function).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import AlmanacError
from .locales import DEFAULT_LANGUAGE

# Environment variables: set by a parent process (almanac.build, almanac.cli, make) for its `mkdocs` children,
# or by an editor on the command line; read by the hooks and by !ENV in mkdocs.yml.
SHARD = "ALMANAC_SHARD"                      # the one language a build builds (hooks/engine.py: shard)
PRINT_DOWNLOADS = "ALMANAC_PRINT_DOWNLOADS"  # "1": the pages link the printer's edition under pdf/print/
PRINT_EDITION = "ALMANAC_PRINT_EDITION"      # non-empty: this build renders the printer's edition
STRICT = "ALMANAC_STRICT"                    # mkdocs.yml's `strict: !ENV [ALMANAC_STRICT, true]`
PDF = "ALMANAC_PDF"                          # mkdocs.yml's `extra.almanac.pdf: !ENV [ALMANAC_PDF, true]`
SCHEDULER = "ALMANAC_SCHEDULER"              # a Dask scheduler for the PDFs (almanac.cluster)


def languages(entries: Iterable | None, *, built: bool = True) -> list[str]:
    """The locales of `plugins.i18n.languages`, the default language first, each entry a mapping with
    `locale` and `build` (static-i18n's default for `build` is true).

    With `built`, only the languages a build builds: one with `build: false` is configured (its files are
    legitimate) but not built. None configured: the default language alone."""
    found = [entry.get("locale") for entry in entries or [] if isinstance(entry, Mapping)
             and (not built or entry.get("build", True))]
    return sorted(found, key=lambda lang: lang != DEFAULT_LANGUAGE) or [DEFAULT_LANGUAGE]


def i18n_languages(config: Mapping | None) -> list:
    """The `plugins.i18n.languages` entries of mkdocs.yml as YAML gives it (a dict), or none."""
    plugins = (config or {}).get("plugins") or []
    i18n = next((p["i18n"] for p in plugins if isinstance(p, Mapping) and "i18n" in p), None) or {}
    return i18n.get("languages") or []


@dataclass(frozen=True)
class SiteConfig:
    """A project's mkdocs.yml, typed where the core needs it and validated when it is read."""

    path: Path               # the mkdocs.yml
    raw: dict                # the whole file as YAML gives it (Python tags and !ENV read as None)
    docs_dir: Path
    languages: list[str]     # built, the default first
    configured: list[str]    # configured, built or not (`build: false`), the default first

    @property
    def root(self) -> Path:
        return self.path.parent

    @property
    def almanac(self) -> dict:
        """`extra.almanac` as written; a MkDocs build validates it (almanac.project.Settings)."""
        value = (self.raw.get("extra") or {}).get("almanac")
        return value if isinstance(value, dict) else {}

    @property
    def translations(self) -> dict:
        """`extra.almanac.translations`: the languages that must be complete, and for which publications."""
        value = self.almanac.get("translations")
        return value if isinstance(value, dict) else {}

    @property
    def pdf(self) -> bool:
        """`extra.almanac.pdf`; its `!ENV [ALMANAC_PDF, true]` is read here from the environment, as MkDocs would."""
        value = self.almanac.get("pdf")
        if value is None:
            return os.environ.get(PDF, "true").strip().lower() not in ("false", "0", "no", "off")
        return bool(value)


class _Loader(yaml.SafeLoader):
    pass


# mkdocs.yml uses !!python tags for Markdown extensions; the core needs none of them.
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
# !ENV [NAME, default]: None here; a property that needs the value reads the environment (SiteConfig.pdf).
_Loader.add_constructor("!ENV", lambda loader, node: None)


def read(path: Path) -> SiteConfig:
    """mkdocs.yml at `path`; AlmanacError naming the line for a file that is not valid YAML or not a mapping."""
    path = Path(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.context_mark or exc.problem_mark  # an unclosed bracket: where it opened
        raise AlmanacError(f"{path.name}, line {mark.line + 1 if mark else '?'}: not valid YAML "
                           f"({exc.problem or exc.context}).") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise AlmanacError(f"{path.name}, line 1: expected a mapping of settings.")
    entries = i18n_languages(raw)
    return SiteConfig(path=path, raw=raw, docs_dir=path.parent / (raw.get("docs_dir") or "docs"),
                      languages=languages(entries), configured=languages(entries, built=False))


def write_generated(target: Path, header: str, generated: dict) -> Path:
    """Write a config that almanac generates (a preview's, a unit's) with a comment `header` on top; the file
    is left untouched when its text is the same, so that MkDocs' watcher sees no change."""
    text = f"# {header}\n" + yaml.safe_dump(generated, allow_unicode=True, sort_keys=False)
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return target
