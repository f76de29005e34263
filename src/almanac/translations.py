"""Translation state of every chapter in every language, computed from the files.

Reads: content/*/publication.yml and every chapter file with its language
suffixes (`NAME.md` is Russian, `NAME.en.md` English, ...), and the
`translations` setting (which languages must be complete for which
publications). Writes: only with `stamp()`, the `source_hash` front matter
of translated files.

A translated file records `source_hash`: a digest of what the Russian file it
translates says (`content.text_digest`: whitespace, line endings and Unicode
composition do not count, any word, number or link does), as the 12 hex digits
`stamp` writes; anything else there is an error naming the file and line, never
taken for a changed source. States:
- source: the original (Russian) file;
- current: translated, and the hash matches the source as it is now;
- partial: current, but some segments are still in the original (see below);
- stale: translated from an older version of the source;
- missing: required by the `translations` setting but absent (a warning);
- fallback: not required and absent: the site shows the original.

A partial translation (`almanac import` of a file with untranslated segments) is the source's
skeleton with each untranslated segment left in the original, word for word, and its front matter
lists those segments as `untranslated:`, by `segments.text_key` (8 hex digits of what the original
segment says). A segment whose text no longer has a listed key has been translated since (by hand, or
by the next import), so the list can only overstate what is left in the original, never hide it.
The build marks the listed segments with the original's language and puts a notice on the page;
where the language is required (`translations` setting), a partial translation is a warning, so the
strict build fails naming the file and how many segments are translated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from . import segments
from .content import decode, front_matter, text_digest, untranslated_keys
from .errors import AlmanacError
from .locales import DEFAULT_LANGUAGE
from .publications import Publication

FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
# The key's line with its value, and the indented lines of a value written as a block (so that a stamp
# replaces all of a malformed value, not its first line).
HASH_LINE = re.compile(r"^source_hash[ \t]*:[ \t]*(.*?)[ \t]*$(?:\n[ \t]+\S.*$)*", re.M)
# The `untranslated:` key with its value, whether a flow list on its line or a block list below it.
UNTRANSLATED_LINES = re.compile(r"^untranslated[ \t]*:.*$(?:\n(?:[ \t]+\S|-[ \t]).*$)*", re.M)
DIGEST = re.compile(r"[0-9a-f]{12}")
MARKUP = re.compile(r"\{\{.*?\}\}|<[^>]+>|\[\^[^\]]+\]|[#*_>`|!\[\]()-]+")


@dataclass
class Entry:
    publication: str
    chapter: str          # language-free path, e.g. runpud-2021-2024/01-introduction.md
    lang: str
    state: str
    words: int
    path: Path            # the file (the original's path for missing/fallback)
    required: bool = False                    # required by the `translations` setting
    segments: tuple[int, int] | None = None   # partial: (translated, all) segments


def source_hash(path: Path) -> str:
    return text_digest(_text(path))


def _text(path: Path, shown: str | None = None) -> str:
    """The file as the build reads it (BOM dropped, LF endings, NFC)."""
    return decode(path.read_bytes(), shown or path.name)


def localized(docs_dir: Path, chapter: str, lang: str) -> Path:
    if lang == DEFAULT_LANGUAGE:
        return docs_dir / chapter
    return docs_dir / (chapter[: -len(".md")] + f".{lang}.md")


def recorded_hash(path: Path, shown: str | None = None) -> str | None:
    """The `source_hash` a translated file records, or None if it records none.

    AlmanacError naming `shown` (the file as the editor sees it), the line and the expected form if the
    value is not the 12 hex digits `stamp` writes: a typo must not read as "the source changed"."""
    shown = shown or path.name
    text = _text(path, shown)
    meta, _ = front_matter(text, shown)
    if "source_hash" not in meta:
        return None
    value = meta["source_hash"]
    block = FRONT_MATTER.match(text)
    found = HASH_LINE.search(block.group(1)) if block else None
    written = re.sub(r"\s+#.*", "", found.group(1)).strip("'\"") if found else None
    # An all-digit digest written without quotes (as stamps once were) reads as a number: the text is the stamp.
    if not isinstance(value, str) and written and DIGEST.fullmatch(written):
        value = written
    if isinstance(value, str) and DIGEST.fullmatch(value):
        return value
    line = 2 + block.group(1).count("\n", 0, found.start()) if found else 2
    got = repr(found.group(0).split(":", 1)[1].strip()) if found else repr(value)
    raise AlmanacError(f"{shown}, line {line}, 'source_hash': expected the 12 hex digits `make stamp` writes, "
                       f"got {got}; run 'make stamp FILES={shown}' once the file translates its source as it is now.")


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
                done = None
                if lang == DEFAULT_LANGUAGE:
                    state = "source"
                elif path.exists():
                    where = f"{docs_dir.name}/{localized(Path(), chapter, lang).as_posix()}"
                    state = "current" if recorded_hash(path, where) == current_hash else "stale"
                    counted = progress(path, where)
                    if counted is not None and counted[0] < counted[1]:
                        done = counted
                        state = "partial" if state == "current" else state
                else:
                    state = "missing" if required(settings, lang, pub.slug) else "fallback"
                shown = original if state == "fallback" else path
                entries.append(Entry(pub.slug, chapter, lang, state, word_count(path) if path.exists() else 0, shown,
                                     required(settings, lang, pub.slug), done))
    return entries


def summary(entries: list[Entry]) -> dict[tuple[str, str], dict]:
    """Per publication and language: the worst state, counts per state and words translated."""
    order = ["missing", "stale", "partial", "fallback", "current", "source"]
    table: dict[tuple[str, str], dict] = {}
    for e in entries:
        cell = table.setdefault((e.publication, e.lang), {"states": {}, "words": 0, "chapters": 0, "segments": None})
        cell["states"][e.state] = cell["states"].get(e.state, 0) + 1
        cell["words"] += e.words
        cell["chapters"] += 1
        if e.segments:
            done, total = cell["segments"] or (0, 0)
            cell["segments"] = (done + e.segments[0], total + e.segments[1])
    for cell in table.values():
        cell["state"] = next(s for s in order if s in cell["states"])
    return table


def progress(path: Path, shown: str) -> tuple[int, int] | None:
    """(translated, all) segments of a translation that lists `untranslated` segments, else None."""
    text = _text(path, shown)
    meta, _ = front_matter(text, shown)
    keys = untranslated_keys(meta, shown)
    if not keys:
        return None
    doc = segments.parse(text)
    left = sum(1 for segment in doc.segments if segments.text_key(segment.text) in keys)
    return len(doc.segments) - left, len(doc.segments)


def with_untranslated(text: str, keys: list[str]) -> str:
    """A translation's text with `untranslated:` in its front matter listing `keys`, or without the key if
    `keys` is empty; everything else byte for byte as it was. `text` has front matter (`with_stamp` gives one)."""
    front = FRONT_MATTER.match(text)
    lines = front.group(1).split("\n")
    found = UNTRANSLATED_LINES.search(front.group(1))
    if found:
        del lines[front.group(1).count("\n", 0, found.start()):front.group(1).count("\n", 0, found.end()) + 1]
    elif not keys:
        return text
    if keys:
        lines.append("untranslated:   # segments still in the original (almanac import), by key")
        lines += [f'  - "{key}"' for key in dict.fromkeys(keys)]
    return "---\n" + "\n".join(lines) + "\n---\n" + text[front.end():]


def stamp(path: Path, docs_dir: Path) -> str:
    """Record in a translated file the hash of the source it now translates."""
    name = path.name
    match = re.fullmatch(r"(.+)\.([a-z]{2,3})\.md", name)
    if not match:
        raise AlmanacError(f"{path.name}: not a translated file; expected NAME.<lang>.md, e.g. 01-introduction.en.md.")
    original = path.with_name(f"{match.group(1)}.md")
    digest = source_hash(original)
    path.write_text(with_stamp(_text(path), digest), encoding="utf-8")
    return digest


def with_stamp(text: str, digest: str) -> str:
    """A translated file's text with `source_hash: <digest>` in its front matter (replacing any value there)."""
    # Quoted only when YAML would read the digits as a number (e.g. all digits), so most stamps stay bare.
    value = digest if isinstance(yaml.safe_load(digest), str) else f"'{digest}'"
    line = f"source_hash: {value}"
    front = FRONT_MATTER.match(text)
    found = HASH_LINE.search(front.group(1)) if front else None
    if found and found.group(1).strip("'\"") == digest:
        return text   # already this stamp, however it is quoted: the file stays byte for byte
    if found:
        body = HASH_LINE.sub(lambda _: line, front.group(1), count=1)
        return f"---\n{body}\n---\n" + text[front.end():]
    if front:
        return f"---\n{front.group(1)}\n{line}\n---\n" + text[front.end():]
    return f"---\n{line}\n---\n\n" + text
