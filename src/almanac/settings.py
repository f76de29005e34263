"""What a build and the builds it starts agree on: the environment variables they share, and which
languages a project configures and which it builds.

Reads and writes nothing itself: the languages come from `plugins.i18n.languages` of mkdocs.yml, as
almanac.status reads it (plain dicts) or as static-i18n parsed it (hooks/engine.py); the variables are
read and set by almanac.build, almanac.cli and the hooks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
