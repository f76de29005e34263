"""Interface strings, one YAML file per language in `locales/`.

Reads: `locales/<lang>.yml`. Writes: nothing.

Every label that a hook or template prints comes from here, so the Russian
site carries no English and the English site no Russian. A label missing in
one language is a warning (fatal under `--strict`) and falls back to the
default language, never to a hard-coded string.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path


from . import yamlfile
from .errors import AlmanacError

log = logging.getLogger("mkdocs.hooks.almanac.locales")

DEFAULT_LANGUAGE = "ru"


class Locales:
    """All interface strings of a project, looked up by language and dotted key."""

    def __init__(self, folder: Path, project_root: Path):
        self.folder = folder
        self._tables: dict[str, dict] = {}
        for path in sorted(folder.glob("*.yml")):
            shown = path.relative_to(project_root).as_posix()
            data = yamlfile.load(path, shown)
            if not isinstance(data, dict):
                raise AlmanacError(f"{shown}, line 1: expected a mapping of labels")
            self._tables[path.stem] = data
        if DEFAULT_LANGUAGE not in self._tables:
            raise AlmanacError(f"locales/{DEFAULT_LANGUAGE}.yml: the default language's labels are missing")

    @property
    def languages(self) -> list[str]:
        return sorted(self._tables)

    def has(self, lang: str, key: str) -> bool:
        return _lookup(self._tables.get(lang, {}), key) is not None

    def get(self, lang: str, key: str, **values) -> str:
        """The label `key` in `lang`, falling back (with a warning) to the default language."""
        text = _lookup(self._tables.get(lang, {}), key)
        if text is None:
            fallback = _lookup(self._tables[DEFAULT_LANGUAGE], key)
            if fallback is None:
                raise AlmanacError(f"locales/{DEFAULT_LANGUAGE}.yml: label '{key}' is missing")
            _warn_once(f"locales/{lang}.yml: label '{key}' is missing; using the {DEFAULT_LANGUAGE} text")
            text = fallback
        return text.format(**values) if values else text

    def table(self, lang: str, key: str) -> dict:
        """A whole sub-mapping (e.g. plural forms of a unit), or {} if absent."""
        found = _lookup(self._tables.get(lang, {}), key, leaf=False)
        return found if isinstance(found, dict) else {}


def _lookup(table: dict, key: str, leaf: bool = True):
    node = table
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if leaf and not isinstance(node, str):
        return None
    return node


_warned: set[str] = set()


def _warn_once(message: str) -> None:
    # A label is looked up on every page; one warning per label and build is enough.
    if message not in _warned:
        _warned.add(message)
        log.warning(message)


def reset_warnings() -> None:
    """Forget which warnings were given; called when a build starts."""
    _warned.clear()


@lru_cache(maxsize=None)
def _cached(folder: str, root: str, stamp: tuple) -> Locales:
    return Locales(Path(folder), Path(root))


def load(project_root: Path) -> Locales:
    """The project's locales, re-read only when a locale file changes."""
    folder = project_root / "locales"
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.yml")))
    return _cached(str(folder), str(project_root), stamp)
