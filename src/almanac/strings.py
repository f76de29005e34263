"""The translatable strings outside the chapters, as one gettext PO file per language.

Reads: mkdocs.yml (the languages), every `content/<slug>/publication.yml` (title, subtitle, date
label: any field written per language), `data/organisations.yml` (names, acronyms),
`data/indicators/*.yml` (group captions, indicator labels and short labels, chart titles, unit forms)
and `locales/<lang>.yml` (the interface). Writes: `import_strings` writes the translations back into
those same files (`locales/<lang>.yml` for the interface, the language's key beside `ru` elsewhere),
through `yamledit`, which changes only the values it sets and keeps comments and order.

A string's key (`msgctxt`) is where it lives: `<file>::<path>`, the path's list steps named by the
item's `id` (`data/indicators/x.yml::indicators[1.2.1].label`), never by position. Unit forms and
the interface's plural labels are gettext plurals: `msgid`/`msgid_plural` are the Russian `one` and
`many` forms (all Russian forms are in the comment), and `msgstr[i]` is the target's CLDR category
that gettext's index i stands for under the language's `Plural-Forms` (Babel's: ru 3 forms, en and kk
2). A form for an exact number (`"=2": "twofold"`) is an entry of its own (`…[=2]`), as is a CLDR
category no whole number reaches (Russian `other`, for fractions) when the target language has one.

An import trusts nothing in the file: a key must name a string of this project, `msgid` must be its
Russian text as it is now, the language must be one mkdocs.yml configures (and the text in its
script), and a translation may hold only the placeholders its source has (a label's `{value}` and
`{number}` stand for each other; a unit form may hold `{n}`) and no markup the source lacks
(`segments.added_markup`). Every problem is one line; any problem and nothing is written.
Untranslated and fuzzy entries are left out (the site shows the Russian text), and so, with a warning,
is an entry whose Russian text has changed since the export: its translation may be of the old text.
"""

from __future__ import annotations

import datetime
import gettext
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel import Locale
from babel.core import get_global
from babel.messages.plurals import get_plural

from . import segments, status, yamledit, yamlfile
from .content import decode
from .errors import AlmanacError
from .locales import DEFAULT_LANGUAGE

SOURCE = "strings"            # the X-Almanac-Source of the strings file
SOURCE_HEADER = "X-Almanac-Source"
FILE_STEM = "strings"         # strings.<lang>.po, strings.pot
_BRACED = re.compile(r"\{(\w+)\}")
_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
_EXACT = re.compile(r"=\d+(?:\.\d+)?")
STANDALONE = "standalone"     # a unit's forms for a number standing alone; entries `…[standalone =5]`
_INTERCHANGEABLE = {"value": "number", "number": "value"}   # an indicator label's number with or without its unit


@dataclass
class String:
    """One translatable string (or set of plural forms) and where its translation lives."""

    context: str          # msgctxt: "<file>::<path>"
    source_file: str      # the file the Russian text is in, as shown, e.g. locales/ru.yml
    line: int
    path: tuple           # inside the file: to the language mapping, or (locales) to the label
    per_language: bool    # True: the file holds every language ({ru: …, en: …}); False: locales/<lang>.yml
    source: str | dict    # the Russian text, or its forms {category or "=N": form}
    targets: dict = field(default_factory=dict)   # language -> its text or forms, where there is one
    extra: frozenset = frozenset()                # placeholders a translation may have that the source lacks

    def file(self, lang: str) -> str:
        return self.source_file if self.per_language else f"locales/{lang}.yml"

    def target_path(self, lang: str, form: str | None = None) -> tuple:
        path = self.path + ((lang,) if self.per_language else ())
        return path + (tuple(form.split(" ")) if form else ())


def collect(config: Path) -> list[String]:
    """Every translatable string of the project, in a stable order: publications, organisations,
    indicators, interface."""
    root = config.parent
    docs_dir, _, _ = status.project(config)
    languages = set(status.languages(config, built=False))
    docs_name = os.path.relpath(docs_dir, root).replace(os.sep, "/")
    found: list[String] = []
    files = [(meta, f"{docs_name}/{meta.parent.name}/publication.yml")
             for meta in sorted(docs_dir.glob("*/publication.yml"))]
    files.append((root / "data" / "organisations.yml", "data/organisations.yml"))
    files += [(data, f"data/indicators/{data.name}") for data in sorted((root / "data" / "indicators").glob("*.yml"))]
    for path, shown in files:
        if path.is_file():
            _walk(found, yamlfile.load(path, shown), (), languages, shown)
    found.extend(_interface(root))
    return found


def plural_forms(lang: str) -> tuple[str, dict[int, str], list[str]]:
    """The `Plural-Forms` header for `lang`, the CLDR category of each gettext index, and the categories
    no whole number reaches (they get entries of their own)."""
    count, expression = get_plural(lang)
    rule, choose = Locale.parse(lang).plural_form, gettext.c2py(expression)
    by_index: dict[int, str] = {}
    for n in range(0, 1000):
        by_index.setdefault(choose(n), rule(n))
    others = [c for c in _CATEGORIES if c in rule.tags | {"other"} and c not in by_index.values()]
    return f"nplurals={count}; plural={expression};", by_index, others


def export(config: Path, lang: str | None) -> tuple[str, int, int]:
    """The strings PO file for `lang` (a POT template when None); returns (text, entries, translated)."""
    strings = collect(config)
    po = polib.POFile(wrapwidth=78)
    po.header = ("Strings outside the chapters: publication titles, organisation names, indicator labels, unit\n"
                 "forms and the interface, made by 'almanac export --all'. msgctxt says where each lives.\n"
                 "Keep every {placeholder}; import with 'almanac import DIR'.")
    header, by_index, others = plural_forms(lang) if lang else ("nplurals=INTEGER; plural=EXPRESSION;", {}, [])
    po.metadata = {"Project-Id-Version": "Almanac strings",
                   "PO-Revision-Date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M+0000"),
                   "Last-Translator": "almanac export", "Language-Team": lang or "", "Language": lang or "",
                   "MIME-Version": "1.0",
                   "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit",
                   "Plural-Forms": header, SOURCE_HEADER: SOURCE, "X-Generator": "almanac export"}
    translated = 0
    for string in strings:
        target = string.targets.get(lang) if lang else None
        for entry in _entries(string, target, lang, by_index, others):
            translated += bool(entry.msgstr or any(entry.msgstr_plural.values()))
            po.append(entry)
    return str(po), len(po), translated


@dataclass
class Imported:
    lang: str
    written: list[str]     # the files written, as shown
    changed: int           # the values set
    skipped: int           # entries left out as untranslated or fuzzy
    notes: list[str]       # entries left out because their Russian text changed, one line each


def import_strings(config: Path, po_path: Path, shown_po: str | None = None) -> Imported:
    """Write the translations a strings PO file holds. AlmanacError with one line per problem, and
    then nothing is written."""
    shown_po = shown_po or po_path.name
    try:
        po = polib.pofile(str(po_path), wrapwidth=78)
    except (OSError, ValueError) as exc:
        raise AlmanacError(f"{shown_po}: not a readable PO file ({exc}).") from None
    lang = check_language(config, po.metadata.get("Language", ""), shown_po)
    if po.metadata.get(SOURCE_HEADER) != SOURCE:
        raise AlmanacError(f"{shown_po}, header {SOURCE_HEADER}: expected {SOURCE!r} (a strings file made by "
                           f"'almanac export --all'), got {po.metadata.get(SOURCE_HEADER)!r}.")
    header, by_index, others = plural_forms(lang)
    declared = re.search(r"nplurals\s*=\s*(\d+)", po.metadata.get("Plural-Forms", ""))
    if any(e.msgid_plural for e in po) and (not declared or int(declared.group(1)) != len(by_index)):
        raise AlmanacError(f"{shown_po}, header Plural-Forms: expected {header!r} for {lang!r} (CLDR, as Babel "
                           f"gives it), got {po.metadata.get('Plural-Forms')!r}.")
    expected = {e.msgctxt: (string, e) for string in collect(config)
                for e in _entries(string, string.targets.get(lang), lang, by_index, others)}
    problems, notes, updates, skipped = [], [], {}, 0
    for entry in po:
        if entry.obsolete:
            continue
        where = f"{shown_po}, line {entry.linenum}, msgctxt {entry.msgctxt!r}"
        known = expected.get(entry.msgctxt)
        if known is None:
            problems.append(f"{where}: no such string in this project; expected a key from 'almanac export --all'.")
            continue
        string, blank = known
        if (entry.msgid, entry.msgid_plural) != (blank.msgid, blank.msgid_plural):
            # The Russian text changed since the export (or msgid was edited): its translation may be of
            # the old text, so it is left out, and the rest of a long-running file still comes in.
            notes.append(f"{where}: msgid is not the Russian text as it is now ({blank.msgid!r}); left out. "
                         f"Export again and translate the new text.")
            continue
        values = {by_index[i]: text for i, text in entry.msgstr_plural.items() if int(i) in by_index} \
            if entry.msgid_plural else {_form(entry.msgctxt): entry.msgstr}
        if "fuzzy" in entry.flags or not any(v.strip() for v in values.values()):
            skipped += 1
            continue
        for form, text in values.items():
            problem = translation_problem(string, form, text, lang)
            if problem:
                problems.append(f"{where}: {problem}")
            elif text.strip():
                updates.setdefault(string.file(lang), []).append((string, form, text))
    if problems:
        raise AlmanacError("\n".join(problems))
    written, changed = _write(config.parent, lang, updates)
    return Imported(lang, written, changed, skipped, notes)


def check_language(config: Path, lang: str, shown: str) -> str:
    """`lang` if mkdocs.yml configures it as a translation; AlmanacError naming `shown` otherwise."""
    configured = status.languages(config, built=False)[1:]
    if lang not in configured:
        raise AlmanacError(f"{shown}, header Language {lang!r}: not a language this site is translated into; "
                           f"expected one of: {', '.join(configured)} (mkdocs.yml).")
    return lang


def translation_problem(string: String, form: str | None, text: str, lang: str) -> str | None:
    """Why `text` cannot be the `lang` translation of `string` (its `form`), or None."""
    source = _source_text(string, form)
    if "\n" in text:
        return "expected one line, found a line break."
    have, allowed = set(_BRACED.findall(text)), set(_BRACED.findall(source)) | string.extra
    allowed |= {_INTERCHANGEABLE[name] for name in allowed if name in _INTERCHANGEABLE}
    added = sorted(have - allowed)
    if added:
        return (f"the translation adds {{{added[0]}}}, which the source does not have; expected only "
                f"{', '.join('{' + n + '}' for n in sorted(allowed)) or 'no placeholder'}.")
    needed = set(_BRACED.findall(source)) - {"n"}
    lost = [n for n in sorted(needed) if n not in have and _INTERCHANGEABLE.get(n) not in have]
    if lost and form is None:
        return f"the translation drops {{{lost[0]}}}; expected it, as in the source, or the number is lost."
    markup = segments.added_markup(_BRACED.sub("", text), _BRACED.sub("", source))
    if markup:
        return f"the translation adds {markup!r}, which the source does not have; expected plain text."
    return _script_problem(text, source, lang)


def _script_problem(text: str, source: str, lang: str) -> str | None:
    """A translation written mostly in another script than its language's (a Russian text in the English file)."""
    expected = get_global("likely_subtags").get(lang, "").split("_")[1:2]
    if not expected or expected[0] not in ("Latn", "Cyrl"):
        return None
    letters = [c for c in _BRACED.sub("", text) if c.isalpha()]
    other = "CYRILLIC" if expected[0] == "Latn" else "LATIN"
    foreign = sum(unicodedata.name(c, "").startswith(other) for c in letters)
    if letters and foreign * 2 > len(letters) and text != source:
        return (f"the translation is written in {other.title()} letters; expected {lang!r} text "
                f"({'Latin' if expected[0] == 'Latn' else 'Cyrillic'} script). Is it the file for another language?")
    return None


def pairs(config: Path, lang: str) -> list[tuple[str, str, str]]:
    """(source, translation, where) of every translated string in `lang`: for translation memory and terms."""
    out = []
    for string in collect(config):
        target = string.targets.get(lang)
        if isinstance(string.source, str) and isinstance(target, str):
            out.append((string.source, target, f"{string.file(lang)}::{_dotted(string.path)}"))
        elif isinstance(string.source, dict) and isinstance(target, dict):
            for form, text in target.items():
                # A language without 'many' says with 'other' what Russian says with 'many' (5 вебинаров, 5 webinars).
                match = "many" if form == "other" and "many" not in target and "many" in string.source else form
                if match in string.source:
                    out.append((string.source[match], text, f"{string.file(lang)}::{_dotted(string.path)}[{form}]"))
    return out


# ---- collecting -----------------------------------------------------------------------------------

def _walk(found: list[String], node, path: tuple, languages: set[str], shown: str, line: int = 0) -> None:
    if isinstance(node, dict):
        if _localised(node, languages):
            source = node[DEFAULT_LANGUAGE]
            extra = frozenset({"n"}) if path[:1] == ("units",) else frozenset()
            found.append(String(f"{shown}::{_dotted(path)}", shown, line, path, True, source,
                                {k: v for k, v in node.items() if k != DEFAULT_LANGUAGE}, extra))
            return
        for key, value in node.items():
            if isinstance(key, str):
                _walk(found, value, path + (key,), languages, shown, _line_of(node, key, line))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                _walk(found, item, path + (("id", item["id"]),), languages, shown, _line_of(node, index, line))


def _localised(node: dict, languages: set[str]) -> bool:
    if DEFAULT_LANGUAGE not in node or not set(node) <= languages:
        return False
    values = list(node.values())
    return all(isinstance(v, str) for v in values) or all(_is_forms(v) for v in values)


def _is_forms(value, nested: bool = True) -> bool:
    """Plural forms {category or "=N": form}; a unit's may also hold `standalone` forms, the same kind of
    mapping for a number standing alone (almanac.indicators: kk «бес филиал» alone, «бес филиалы» in a sentence)."""
    return isinstance(value, dict) and bool(value) and all(
        isinstance(k, str) and ((k in _CATEGORIES or _EXACT.fullmatch(k)) and isinstance(v, str)
                                or nested and k == STANDALONE and _is_forms(v, nested=False))
        for k, v in value.items())


def _interface(root: Path) -> list[String]:
    folder = root / "locales"
    source_path = folder / f"{DEFAULT_LANGUAGE}.yml"
    if not source_path.is_file():
        return []
    tables = {p.stem: yamlfile.load(p, f"locales/{p.name}") for p in sorted(folder.glob("*.yml"))
              if p.stem != "glossary"}
    found = []
    for path, value, line in _leaves(tables[DEFAULT_LANGUAGE], ()):
        targets = {}
        for lang, table in tables.items():
            value_there = _lookup(table, path)
            if lang != DEFAULT_LANGUAGE and value_there is not None:
                targets[lang] = value_there
        found.append(String(f"locales::{_dotted(path)}", f"locales/{DEFAULT_LANGUAGE}.yml", line, path, False,
                            value, targets, frozenset({"n"}) if _is_forms(value) else frozenset()))
    return found


def _leaves(table: dict, path: tuple):
    for key, value in table.items():
        line = _line_of(table, key, 0)
        if isinstance(value, str) or _is_forms(value):
            yield path + (key,), value, line
        elif isinstance(value, dict):
            yield from _leaves(value, path + (key,))


def _lookup(table, path: tuple):
    for step in path:
        if not isinstance(table, dict) or step not in table:
            return None
        table = table[step]
    return table if isinstance(table, str) or _is_forms(table) else None


def _line_of(node, key, default: int) -> int:
    if isinstance(node, yamlfile.LineDict):
        return node.line_of(key)
    if isinstance(node, yamlfile.LineList):
        return node.line_of(key)
    return default


def _dotted(path: tuple) -> str:
    out = ""
    for step in path:
        out += f"[{step[1]}]" if isinstance(step, tuple) else ("." if out else "") + str(step)
    return out


# ---- entries --------------------------------------------------------------------------------------

def _entries(string: String, target, lang: str | None, by_index: dict[int, str], others: list[str]):
    """The PO entries of one string: one, or for forms a plural entry plus exact and fractional ones."""
    occurrence = [(string.source_file, str(string.line))]
    names = sorted(set(_BRACED.findall(str(string.source))) | string.extra)
    hint = [f"{{{n}}} = a number Almanac fills in" if n in ("n", "value", "number", "year", "start", "end")
            else f"{{{n}}} = filled in by Almanac" for n in names]
    if isinstance(string.source, str):
        yield polib.POEntry(msgctxt=string.context, msgid=string.source, msgstr=target or "",
                            occurrences=occurrence, comment="\n".join([_describe(string), *hint]))
        return
    forms, target = string.source, target or {}
    russian = "Russian forms: " + "; ".join(f"{k} = {v}" for k, v in forms.items())
    fallback = target.get("other") or target.get("many") or ""
    entry = polib.POEntry(msgctxt=string.context, msgid=forms.get("one") or forms.get("other", ""),
                          msgid_plural=forms.get("many") or forms.get("other", ""),
                          occurrences=occurrence, comment="\n".join([_describe(string), russian, *hint]))
    count = len(by_index) or 2
    entry.msgstr_plural = {i: (target.get(by_index[i]) or fallback) if by_index else "" for i in range(count)}
    yield entry
    exact = sorted({k for k in [*forms, *target] if _EXACT.fullmatch(k)}, key=lambda k: float(k[1:])) if lang \
        else sorted((k for k in forms if _EXACT.fullmatch(k)), key=lambda k: float(k[1:]))
    for key in exact:
        yield polib.POEntry(msgctxt=f"{string.context}[{key}]", msgid=_russian_exact(forms, key),
                            msgstr=target.get(key, ""), occurrences=occurrence,
                            comment=f"The form for exactly {key[1:]}: it says the number and the unit together "
                                    f"(e.g. 'twofold'), or holds {{n}}.")
    for category in others:
        yield polib.POEntry(msgctxt=f"{string.context}[{category}]", msgid=forms.get(category) or forms.get("other"),
                            msgstr=target.get(category, ""), occurrences=occurrence,
                            comment=f"The '{category}' form (CLDR): for numbers no gettext form covers, e.g. 1.5.")
    alone_source, alone_target = forms.get(STANDALONE) or {}, target.get(STANDALONE) or {}
    keys = sorted({*alone_source, *(alone_target if lang else {})},
                  key=lambda k: (not _EXACT.fullmatch(k), float(k[1:]) if _EXACT.fullmatch(k) else 0, k))
    for key in keys:
        source = alone_source.get(key) or (_russian_exact(forms, key) if _EXACT.fullmatch(key) else
                                            forms.get(key) or forms.get("other", ""))
        yield polib.POEntry(msgctxt=f"{string.context}[{STANDALONE} {key}]", msgid=source,
                            msgstr=alone_target.get(key, ""), occurrences=occurrence,
                            comment=f"The form for {'exactly ' + key[1:] if _EXACT.fullmatch(key) else key} when the "
                                    f"number stands alone (a key figure, a table's target), where the language "
                                    f"words it otherwise than in a sentence.")


def _russian_exact(forms: dict, key: str) -> str:
    """What the Russian site shows for exactly that number."""
    if key in forms:
        return forms[key]
    number = float(key[1:])
    category = Locale.parse(DEFAULT_LANGUAGE).plural_form(int(number) if number.is_integer() else number)
    form = forms.get(category) or forms.get("other") or forms.get("many", "")
    shown = key[1:]
    return form.replace("{n}", shown) if "{n}" in form else f"{shown}\u00a0{form}"


def _describe(string: String) -> str:
    what = string.path[-1] if string.path and isinstance(string.path[-1], str) else "text"
    return f"{what} in {string.source_file if string.per_language else 'the interface (locales/)'}"


def _form(context: str) -> str | None:
    match = re.search(r"\[((?:standalone )?(?:=\d+(?:\.\d+)?|zero|one|two|few|many|other))\]$", context)
    return match.group(1) if match else None


def _source_text(string: String, form: str | None) -> str:
    if isinstance(string.source, str):
        return string.source
    if form and form.startswith(STANDALONE + " "):
        form = form.split(" ", 1)[1]
        alone = string.source.get(STANDALONE) or {}
        if form in alone:
            return alone[form]
    if form and _EXACT.fullmatch(form):
        return _russian_exact(string.source, form)
    return string.source.get(form) or string.source.get("other") or string.source.get("many") or ""


# ---- writing --------------------------------------------------------------------------------------

def _write(root: Path, lang: str, updates: dict[str, list]) -> tuple[list[str], int]:
    """Apply the updates file by file, all verified before any is written."""
    texts: dict[str, tuple[Path, str, str, list]] = {}
    changed = 0
    for shown, items in updates.items():
        path = (root / shown).resolve()
        if not path.is_relative_to(root.resolve()):
            raise AlmanacError(f"{shown}: leads out of the project; nothing was written.")
        old = decode(path.read_bytes(), shown) if path.exists() else ""
        edits = []
        for string, form, text in items:
            current = string.targets.get(lang)
            if form is None:
                if current != text:
                    edits.append((string.target_path(lang), text))
                continue
            current = current if isinstance(current, dict) else {}
            if form.startswith(STANDALONE + " "):
                shown_now = (current.get(STANDALONE) or {}).get(form.split(" ", 1)[1])
            else:
                shown_now = current.get(form) if _EXACT.fullmatch(form) else \
                    current.get(form) or current.get("other") or current.get("many")
            if shown_now != text:
                edits.append((string.target_path(lang, form), text))
        if not edits:
            continue
        header = "" if old else (f"# Interface strings for the '{lang}' edition, written by 'almanac import'. "
                                 f"Keys are shared by all languages.\n")
        new = yamledit.edit(header + old, edits, shown) if old else header + yamledit.edit("", edits, shown)
        yamledit.verify(old, new, edits, shown)
        texts[shown] = (path, old, new, edits)
        changed += len(edits)
    for shown, (path, _, new, _) in texts.items():
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(new, encoding="utf-8")
        os.replace(temporary, path)
    return sorted(texts), changed
