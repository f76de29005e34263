"""Translation memory (TMX 1.4b) and the glossary of terms, from the project's current translations.

Reads: every chapter's PO export (`exchange.export`, so a segment counts as the exchange sees it),
the strings (`strings.pairs`), and `locales/glossary.yml`. Writes: nothing itself (`almanac tm`
writes the TMX text `tmx` returns).

Memory: every source/translation pair that is current: a chapter's segment that is translated and
not marked fuzzy (a translation stamped against the source as it is now, or a segment unchanged
since the stamp), and every translated string. A pair that recurs is written once. The segments
are written as the PO files show them, placeholders (`<x1/>`, `<g2>…</g2>`) as literal text, so a
CAT tool working on those PO files finds exact matches.

Glossary: `locales/glossary.yml` lists terms, one mapping per term with a text per language
(`- {ru: "страновые координационные механизмы", en: "country coordinating mechanisms"}`). A pair whose
source has a term and whose translation lacks that term's translation is a finding (a warning: terms
are advice, and a translator may have good reason to rephrase).

How a term matches across inflection (Russian and Kazakh inflect by endings; English adds -s): the
term and the text are split into words (letters and digits); each word of the term matches a word of
the text that starts with its stem, and the words must follow each other with only spaces and
punctuation between them. A word's stem is the word less its last two letters, but never shorter
than three letters; a word of three letters or fewer must match whole. Case is ignored. So
«страновые координационные механизмы» matches «страновых координационных механизмов», "country
coordinating mechanism" matches "country coordinating mechanisms", and «ВИЧ» matches only «ВИЧ».
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import polib

from . import exchange, publications, status, strings, yamlfile
from .errors import AlmanacError
from .locales import DEFAULT_LANGUAGE, GLOSSARY

_WORD = re.compile(r"\w+")


@dataclass
class Pair:
    source: str
    target: str
    where: str      # the source's file and line, or the string's key


@dataclass
class Term:
    texts: dict[str, str]
    patterns: dict[str, re.Pattern]
    line: int


def pairs(config: Path, lang: str) -> list[Pair]:
    """Every current source/translation pair of `lang`: chapters' segments first, then the strings."""
    root = config.parent
    docs_dir, _, _ = status.project(config)
    found = []
    for publication in publications.load_all(root, docs_dir):
        for chapter in publication.chapters:
            source = docs_dir / chapter
            if not exchange.localized(source.parent, source.name, lang).exists():
                continue
            po = polib.pofile(exchange.export(root, source, lang).text)
            for entry in po:
                if entry.msgstr.strip() and "fuzzy" not in entry.flags and not entry.obsolete:
                    where = ":".join(entry.occurrences[0]) if entry.occurrences else chapter
                    found.append(Pair(entry.msgid, entry.msgstr, where))
    found.extend(Pair(s, t, w) for s, t, w in strings.pairs(config, lang))
    return found


def tmx(config: Path, lang: str) -> tuple[str, int]:
    """A TMX 1.4b document of the current pairs of `lang`, each distinct pair once; and their number."""
    seen: set[tuple[str, str]] = set()
    units = []
    for pair in pairs(config, lang):
        if (pair.source, pair.target) in seen:
            continue
        seen.add((pair.source, pair.target))
        units.append(f'    <tu>\n      <prop type="x-almanac-source">{escape(pair.where)}</prop>\n'
                     f'      <tuv xml:lang={quoteattr(DEFAULT_LANGUAGE)}><seg>{_seg(pair.source)}</seg></tuv>\n'
                     f'      <tuv xml:lang={quoteattr(lang)}><seg>{_seg(pair.target)}</seg></tuv>\n    </tu>\n')
    head = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n'
            '<tmx version="1.4">\n'
            f'  <header creationtool="Almanac" creationtoolversion={quoteattr(_version())} datatype="plaintext" '
            f'segtype="paragraph" adminlang="en" srclang={quoteattr(DEFAULT_LANGUAGE)} o-tmf="Almanac PO"/>\n'
            '  <body>\n')
    return head + "".join(units) + "  </body>\n</tmx>\n", len(units)


def glossary(root: Path) -> list[Term]:
    """The terms of `locales/glossary.yml` (none if there is no such file)."""
    path = root / "locales" / GLOSSARY
    shown = f"locales/{GLOSSARY}"
    if not path.is_file():
        return []
    data = yamlfile.load(path, shown)
    items = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise AlmanacError(f"{shown}, line 1: expected 'terms:', a list of terms, e.g. "
                           f"- {{ru: \"страновые координационные механизмы\", en: \"country coordinating mechanisms\"}}.")
    terms = []
    for index, item in enumerate(items):
        line = items.line_of(index) if isinstance(items, yamlfile.LineList) else 0
        if not isinstance(item, dict) or DEFAULT_LANGUAGE not in item or \
                not all(isinstance(v, str) and _WORD.search(v) for v in item.values()):
            raise AlmanacError(f"{shown}, line {line}, 'terms': expected a mapping of language to a term with "
                               f"words, the '{DEFAULT_LANGUAGE}' term included, got {item!r}.")
        terms.append(Term(dict(item), {lang: pattern(text) for lang, text in item.items()}, line))
    return terms


def pattern(term: str) -> re.Pattern:
    """The term's words by their stems, in order (see the module's docstring)."""
    words = []
    for word in _WORD.findall(term):
        if len(word) <= 3:
            words.append(re.escape(word) + r"(?!\w)")
        else:
            words.append(re.escape(word[:max(3, len(word) - 2)]) + r"\w*")
    return re.compile(r"(?<!\w)" + r"\W+".join(words), re.I)


def check(terms: list[Term], lang: str, source: str, target: str) -> list[Term]:
    """The terms `source` has whose `lang` term `target` lacks."""
    return [term for term in terms if lang in term.texts and term.patterns[DEFAULT_LANGUAGE].search(source)
            and not term.patterns[lang].search(target)]


def finding(term: Term, lang: str, where: str) -> str:
    return (f"{where}: the source has the term «{term.texts[DEFAULT_LANGUAGE]}», but the '{lang}' translation "
            f"lacks “{term.texts[lang]}” (locales/{GLOSSARY}, line {term.line}).")


def findings(config: Path, languages: list[str]) -> list[str]:
    """One line per current pair of each language whose translation lacks a term its source has."""
    terms = glossary(config.parent)
    if not terms:
        return []
    lines = []
    for lang in languages:
        for pair in pairs(config, lang):
            lines.extend(finding(term, lang, f"{lang}: {pair.where}") for term in check(terms, lang, pair.source,
                                                                                         pair.target))
    return lines


def po_findings(root: Path, po_path, shown: str) -> list[str]:
    """The glossary findings of a PO file about to be imported (chapters or strings); `po_path` may also be
    a catalogue already read (an XLIFF file's, almanac.xliff.catalogue)."""
    terms = glossary(root)
    if not terms:
        return []
    po = po_path if isinstance(po_path, polib.POFile) else polib.pofile(str(po_path))
    lang = po.metadata.get("Language", "")
    lines = []
    for entry in po:
        texts = [(entry.msgid, entry.msgstr)] if not entry.msgid_plural else \
            [(entry.msgid, entry.msgstr_plural.get(0, "")), (entry.msgid_plural, entry.msgstr_plural.get(1, ""))]
        for source, target in texts:
            if target.strip() and "fuzzy" not in entry.flags:
                where = f"{shown}, line {entry.linenum}, msgctxt {entry.msgctxt!r}"
                lines.extend(finding(term, lang, where) for term in check(terms, lang, source, target))
    return lines


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("almanac")
    except PackageNotFoundError:
        return "unknown"


def _seg(text: str) -> str:
    # XML 1.0 cannot hold most control characters; a segment has none but tab and line feed.
    return escape("".join(c for c in text if c in "\t\n" or ord(c) >= 0x20))
