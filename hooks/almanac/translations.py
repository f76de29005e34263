"""Translation state of every chapter in every language, computed from the files.

Reads: content/*/publication.yml and every chapter file with its language
suffixes (`NAME.md` is Russian, `NAME.en.md` English, ...), and the
`translations` setting (which languages must be complete for which
publications). Writes: only with `stamp()`, the `source_hash` front matter
of translated files.

A translated file records `source_hash`: a digest of what the Russian file it
translates says (`content.text_digest`: whitespace, line endings and Unicode
composition do not count, any word, number or link does). States:
- source: the original (Russian) file;
- current: translated, and the hash matches the source as it is now;
- stale: translated from an older version of the source;
- missing: required by the `translations` setting but absent (a warning);
- fallback: not required and absent: the site shows the original.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .content import decode, text_digest
from .errors import AlmanacError
from .locales import DEFAULT_LANGUAGE
from .publications import Publication

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
HASH_LINE = re.compile(r"^source_hash:\s*['\"]?([0-9a-z]+)['\"]?\s*$", re.M)
MARKUP = re.compile(r"\{\{.*?\}\}|<[^>]+>|\[\^[^\]]+\]|[#*_>`|!\[\]()-]+")


@dataclass
class Entry:
    publication: str
    chapter: str          # language-free path, e.g. runpud-2021-2024/01-introduction.md
    lang: str
    state: str
    words: int
    path: Path            # the file (the original's path for missing/fallback)


def source_hash(path: Path) -> str:
    return text_digest(_text(path))


def _text(path: Path) -> str:
    """The file as the build reads it (BOM dropped, LF endings, NFC)."""
    return decode(path.read_bytes(), path.name)


def localized(docs_dir: Path, chapter: str, lang: str) -> Path:
    if lang == DEFAULT_LANGUAGE:
        return docs_dir / chapter
    return docs_dir / (chapter[: -len(".md")] + f".{lang}.md")


def recorded_hash(path: Path) -> str | None:
    match = FRONT_MATTER.match(_text(path))
    if not match:
        return None
    found = HASH_LINE.search(match.group(1))
    return found.group(1) if found else None


def word_count(path: Path) -> int:
    text = FRONT_MATTER.sub("", _text(path))
    return len(re.findall(r"[^\W_]+", MARKUP.sub(" ", text)))


def required(settings: dict, lang: str, slug: str) -> bool:
    wanted = settings.get(lang, [])
    return wanted == "*" or (isinstance(wanted, list) and slug in wanted)


def matrix(pubs: list[Publication], docs_dir: Path, langs: list[str], settings: dict) -> list[Entry]:
    """One entry per publication chapter and language."""
    entries = []
    for pub in pubs:
        for chapter in pub.chapters:
            original = docs_dir / chapter
            current_hash = source_hash(original)
            for lang in langs:
                path = localized(docs_dir, chapter, lang)
                if lang == DEFAULT_LANGUAGE:
                    state = "source"
                elif path.exists():
                    state = "current" if recorded_hash(path) == current_hash else "stale"
                else:
                    state = "missing" if required(settings, lang, pub.slug) else "fallback"
                shown = original if state == "fallback" else path
                entries.append(Entry(pub.slug, chapter, lang, state, word_count(path) if path.exists() else 0, shown))
    return entries


def summary(entries: list[Entry]) -> dict[tuple[str, str], dict]:
    """Per publication and language: the worst state, counts per state and words translated."""
    order = ["missing", "stale", "fallback", "current", "source"]
    table: dict[tuple[str, str], dict] = {}
    for e in entries:
        cell = table.setdefault((e.publication, e.lang), {"states": {}, "words": 0, "chapters": 0})
        cell["states"][e.state] = cell["states"].get(e.state, 0) + 1
        cell["words"] += e.words
        cell["chapters"] += 1
    for cell in table.values():
        cell["state"] = next(s for s in order if s in cell["states"])
    return table


def stamp(path: Path, docs_dir: Path) -> str:
    """Record in a translated file the hash of the source it now translates."""
    name = path.name
    match = re.fullmatch(r"(.+)\.([a-z]{2,3})\.md", name)
    if not match:
        raise AlmanacError(f"{path.name}: not a translated file; expected NAME.<lang>.md, e.g. 01-introduction.en.md.")
    original = path.with_name(f"{match.group(1)}.md")
    digest = source_hash(original)
    text = _text(path)
    front = FRONT_MATTER.match(text)
    if front and HASH_LINE.search(front.group(1)):
        body = HASH_LINE.sub(f"source_hash: {digest}", front.group(1), count=1)
        text = f"---\n{body}\n---\n" + text[front.end():]
    elif front:
        text = f"---\n{front.group(1)}\nsource_hash: {digest}\n---\n" + text[front.end():]
    else:
        text = f"---\nsource_hash: {digest}\n---\n\n" + text
    path.write_text(text, encoding="utf-8")
    return digest
