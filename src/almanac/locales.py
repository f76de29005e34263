"""Interface strings, one YAML file per language in `locales/`.

Reads: `locales/<lang>.yml`. Writes: nothing.

Every label that a hook or template prints comes from here, so the Russian
site carries no English and the English site no Russian. A label missing in
one language is a warning (fatal under `--strict`) and falls back to the
default language, never to a hard-coded string.

The files are checked when they are loaded: each is named after a language
Babel knows, and every `{…}` in a label is one of the `PLACEHOLDERS` Almanac
fills in (in a translation: one its default-language label has), so that a
misspelt `{yaer}` stops the build with its file and line instead of a
traceback, or a year silently missing. `check_languages` does the same for the
languages listed in mkdocs.yml.
"""

from __future__ import annotations

import copy
import difflib
import logging
import re
import string
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from . import yamlfile
from .errors import AlmanacError, Warnings

log = logging.getLogger("mkdocs.hooks.almanac.locales")

DEFAULT_LANGUAGE = "ru"
GLOSSARY = "glossary.yml"
# The names the code fills into labels: Locales.get's keywords, the page counts of almanac.overview ({n}),
# and catalogue.js ({shown}, {total}). A label that needs a new one adds it here.
PLACEHOLDERS = ("caption", "end", "file", "language", "month", "n", "pages", "shown", "size", "source", "start",
                "title", "total", "unit", "year")


class Locales:
    """All interface strings of a project, looked up by language and dotted key."""

    def __init__(self, folder: Path, project_root: Path):
        self.folder = folder
        # Replaced by `reporting` with the build's own; this one serves a Locales used outside a build.
        self._warn = Warnings().to(log)
        self._tables: dict[str, dict] = {}
        self._shown: dict[str, str] = {}
        for path in sorted(folder.glob("*.yml")):
            if path.name == GLOSSARY:
                continue   # the translators' terms (almanac.memory), not a language
            shown = path.relative_to(project_root).as_posix()
            data = yamlfile.load(path, shown)
            if not isinstance(data, dict):
                raise AlmanacError(f"{shown}, line 1: expected a mapping of labels")
            problem = babel_problem(path.stem)
            if problem:
                raise AlmanacError(f"{shown}, line 1: expected the file to be named after {problem}.")
            self._tables[path.stem] = data
            self._shown[path.stem] = shown
        if DEFAULT_LANGUAGE not in self._tables:
            raise AlmanacError(f"locales/{DEFAULT_LANGUAGE}.yml: the default language's labels are missing")
        self._check_placeholders()

    @property
    def languages(self) -> list[str]:
        return sorted(self._tables)

    def has(self, lang: str, key: str) -> bool:
        return _lookup(self._tables.get(lang, {}), key) is not None

    def get(self, lang: str, key: str, **values) -> str:
        """The label `key` in `lang`, falling back (with a warning) to the default language."""
        text = _lookup(self._tables.get(lang, {}), key)
        source = lang
        if text is None:
            fallback = _lookup(self._tables[DEFAULT_LANGUAGE], key)
            if fallback is None:
                raise AlmanacError(f"locales/{DEFAULT_LANGUAGE}.yml: label '{key}' is missing")
            self._warn(f"locales/{lang}.yml: label '{key}' is missing; using the {DEFAULT_LANGUAGE} text")
            text, source = fallback, DEFAULT_LANGUAGE
        if not values:
            return text
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError, AttributeError):
            # A known placeholder this label is not given (loading has refused unknown ones and lone braces).
            given = ", ".join(f"'{{{name}}}'" for name in values)
            raise AlmanacError(f"{self._where(source, key)}: the label has {_names(text)}, but here it is given only "
                               f"{given}.") from None

    def _where(self, lang: str, key: str) -> str:
        parent, _, leaf = key.rpartition(".")
        table = _lookup(self._tables.get(lang, {}), parent, leaf=False) if parent else self._tables.get(lang)
        line = table.line_of(leaf) if isinstance(table, yamlfile.LineDict) else 1
        return f"{self._shown.get(lang, f'locales/{lang}.yml')}, line {line}, '{key}'"

    def _check_placeholders(self) -> None:
        """Every `{…}` in every label is a placeholder Almanac fills in; a translation's are its original's."""
        # The default language first: its labels are the reference for the translations' placeholders.
        for lang in sorted(self._tables, key=lambda code: code != DEFAULT_LANGUAGE):
            for key, text, line in _strings(self._tables[lang]):
                known = PLACEHOLDERS
                original = _lookup(self._tables[DEFAULT_LANGUAGE], key) if lang != DEFAULT_LANGUAGE else None
                if original is not None:
                    known = tuple(sorted(_placeholders(original) & set(PLACEHOLDERS)))
                problem = _placeholder_problem(text, known, original is not None)
                if problem:
                    raise AlmanacError(f"{self._shown[lang]}, line {line}, '{key}': {problem}.")

    def table(self, lang: str, key: str) -> dict:
        """A whole sub-mapping (e.g. plural forms of a unit), or {} if absent."""
        found = _lookup(self._tables.get(lang, {}), key, leaf=False)
        return found if isinstance(found, dict) else {}


def check_languages(languages: list[str], config_text: str) -> None:
    """The languages built (plugins.i18n.languages in mkdocs.yml) are languages Babel knows."""
    for lang in languages:
        problem = babel_problem(lang)
        if problem:
            found = re.compile(rf"^\s*(-\s*)?locale:\s*['\"]?{re.escape(lang)}['\"]?\s*(#.*)?$")
            line = next((n for n, row in enumerate(config_text.split("\n"), 1) if found.match(row)), None)
            where = f"mkdocs.yml, line {line}" if line else "mkdocs.yml"
            raise AlmanacError(f"{where}, 'plugins.i18n.languages': expected {problem}.")


def babel_problem(lang: str) -> str | None:
    """None if Babel can write numbers, dates and plurals in `lang`; else what was expected and what was found."""
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError, TypeError):
        return (f"a language Babel knows (a CLDR code such as ru, en or kk: Babel writes the numbers, dates and "
                f"plural forms), got {lang!r}")
    return None


def _placeholder_problem(text: str, known: tuple[str, ...], translated: bool) -> str | None:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError:
        return "a lone '{' or '}'; expected a placeholder such as '{year}' (write '{{' or '}}' for a brace itself)"
    for field in fields:
        name = re.split(r"[.\[!:]", field, maxsplit=1)[0]
        if name in known:
            continue
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f"did you mean '{{{close[0]}}}'? " if close else ""
        if translated:
            has = ", ".join(f"'{{{k}}}'" for k in known) or "none"
            return (f"unknown placeholder '{{{field}}}'; {hint}expected those of the {DEFAULT_LANGUAGE} label: {has}")
        return f"unknown placeholder '{{{field}}}'; {hint}expected one of: {', '.join(known)}"
    return None


def _placeholders(text: str) -> set[str]:
    try:
        return {re.split(r"[.\[!:]", name, maxsplit=1)[0]
                for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return set()


def _names(text: str) -> str:
    return ", ".join(f"'{{{name}}}'" for name in sorted(_placeholders(text))) or "no placeholder"


def _strings(table: dict, prefix: str = ""):
    """(dotted key, text, line) of every label in a locale table."""
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _strings(value, dotted + ".")
        elif isinstance(value, str):
            yield dotted, value, table.line_of(key) if isinstance(table, yamlfile.LineDict) else 1


def _lookup(table: dict, key: str, leaf: bool = True):
    node = table
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if leaf and not isinstance(node, str):
        return None
    return node


@lru_cache(maxsize=None)
def _cached(folder: str, root: str, stamp: tuple) -> Locales:
    return Locales(Path(folder), Path(root))


def load(project_root: Path, warnings: Warnings | None = None) -> Locales:
    """The project's locales, re-read only when a locale file changes; a missing label is told through
    `warnings` (a build's), once per build."""
    folder = project_root / "locales"
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(folder.glob("*.yml")))
    shared = _cached(str(folder), str(project_root), stamp)
    if warnings is None:
        return shared
    # The parsed tables are shared between builds (a preview rebuilds often); what was warned is not.
    view = copy.copy(shared)
    view._warn = warnings.to(log)
    return view
