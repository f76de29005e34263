"""Exchange files for translators' CAT tools: one gettext PO file per chapter and language.

Reads: mkdocs.yml (the docs folder and the languages), the chapter's publication.yml, a Russian
chapter, its translation (`NAME.<lang>.md`) if there is one, and, for a stale translation, the
stamped version of the source from git (`history.stamped_version`).
Writes: `export` returns the PO text (the CLI writes it); `import_po` writes the translation
`NAME.<lang>.md`, stamped (`translations.with_stamp`), and nothing else.

Other exchange formats are layers over this one (`xliff`): they convert the catalogue `export` builds
(`Exported.po`, with the markup behind each placeholder in `Exported.codes`) and hand the catalogue they
read back to `import_catalogue`, so every format passes the same checks and writes the same way.

Why PO: Weblate, Crowdin, OmegaT and memoQ all read and write it, GNU gettext (`msgfmt --check`)
and translate-toolkit (`pofilter`) validate it, and it has what a translation update needs
built in: `fuzzy` marks a segment whose source changed, with the text it was translated from as
`#| msgid`. XLIFF 2.0 would say the same, but several of those tools and the validators read
only XLIFF 1.2.

One entry per segment (`segments.parse`), in reading order. `msgctxt` is the segment's key
(`segments.keys`): a hash of what the segment says, with `-2`, `-3`… for repeats, never its
position, so that inserting, removing or moving a paragraph changes no other entry and a
translator's copy merges into a new export (`msgmerge`) with every unchanged translation kept.
The reference is the source's file and line, and extracted comments say what kind of segment it
is and what each placeholder stands for. The header records the source and its digest; entries are
matched to the source's segments by key on import, and a file whose entries do not match (another
chapter, or an older version not merged into a new export) is refused.

An empty or fuzzy msgstr leaves its segment in the original: the import writes a partial
translation, which lists those segments in its front matter (`untranslated`, see
almanac.translations), and an export of it leaves them untranslated again. Every problem in a
file is reported, one line each, before anything is written.

A PO file comes from outside the project, so an import trusts nothing in it. The header's source
only names one of the project's chapters (`chapter`: listed in its publication's `chapters`, inside
the docs folder once symbolic links are resolved) and the language must be one the site builds;
the file written is derived from that chapter, never from a path in the PO file. A translation may
not add markup its source segment lacks (`segments.added_markup`), and the page it makes passes the
same checks as the build (`content.check`) before anything is written.
"""

from __future__ import annotations

import datetime
import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import polib

from . import content, history, segments, status, yamlfile
from .content import decode, text_digest
from .errors import AlmanacError
from .translations import localized, recorded_hash, with_stamp, with_untranslated

SOURCE_HEADER = "X-Almanac-Source"
HASH_HEADER = "X-Almanac-Source-Hash"
_ONE_LINE = {"title", "heading", "cell", "quote", "admonition"}
_ATTACHABLE = {"paragraph", "item", "footnote"}


@dataclass
class Chapter:
    """One chapter of the project, as its publication lists it."""

    docs_dir: Path
    languages: list[str]    # the languages the site builds, the default first
    path: Path              # the Russian file: <docs>/<slug>/<name>.md
    shown: str              # as the editor sees it, e.g. content/x/01-a.md

    def translation(self, lang: str) -> Path:
        return localized(self.path.parent, self.path.name, lang)


def chapter(config: Path, shown: str | None, where: str) -> Chapter:
    """The chapter `shown` names (`<docs>/<slug>/<name>.md`); AlmanacError prefixed by `where` for anything else.

    The name only selects a chapter from the project's own list; the path returned is built from that list."""
    root = config.parent
    docs_dir, languages, _ = status.project(config)
    docs_name = os.path.relpath(docs_dir, root).replace(os.sep, "/")
    expected = f"expected a chapter of this project: {docs_name}/<publication>/<name>.md, listed in its publication.yml"
    named = re.fullmatch(rf"{re.escape(docs_name)}/([a-z0-9]+(?:-[a-z0-9]+)*)/([^/\\]+\.md)", shown or "")
    if not named:
        raise AlmanacError(f"{where}: not the path of a chapter; {expected}.")
    slug, name = named.groups()
    if not (docs_dir / slug / "publication.yml").is_file():
        raise AlmanacError(f"{where}: {docs_name}/{slug}/ is not a publication; {expected}.")
    # Only the list of chapters counts here; the build validates the rest of the metadata.
    metadata = yamlfile.load(docs_dir / slug / "publication.yml", f"{docs_name}/{slug}/publication.yml")
    listed = metadata.get("chapters") if isinstance(metadata, dict) else None
    if not isinstance(listed, list) or name not in listed:
        raise AlmanacError(f"{where}: {docs_name}/{slug}/publication.yml does not list {name!r} in 'chapters'; "
                           f"{expected}.")
    path = docs_dir / slug / listed[listed.index(name)]
    # A chapter that is a symbolic link (or in a folder that is one) is read where it leads: it must stay put.
    if path.resolve().parent != (docs_dir / slug).resolve() or not path.resolve().is_relative_to(docs_dir.resolve()):
        raise AlmanacError(f"{where}: a symbolic link that leads out of {docs_name}/{slug}/; {expected}.")
    return Chapter(docs_dir, languages, path, f"{docs_name}/{slug}/{name}")


@dataclass
class Exported:
    text: str
    segments: int
    translated: int
    review: int
    note: str = ""  # why segments are marked for review, if they are
    po: polib.POFile | None = None   # the catalogue `text` is written from, for other formats to convert
    codes: list[dict] = field(default_factory=list)  # per entry of `po`: the markup each placeholder stands for


class Imported(tuple):
    """What an import wrote: unpacks as (target, segments, digest), as before partial imports; `translated`
    says how many segments it translated and `fuzzy` how many of the others were fuzzy."""

    def __new__(cls, target: Path, segments: int, digest: str, translated: int, fuzzy: int):
        made = super().__new__(cls, (target, segments, digest))
        made.translated, made.fuzzy = translated, fuzzy
        return made

    target = property(lambda self: self[0])
    segments = property(lambda self: self[1])
    digest = property(lambda self: self[2])


def export(root: Path, source: Path, lang: str) -> Exported:
    """The PO file of `source` (a Russian chapter) for `lang`, filled from its translation if it has one."""
    shown = _shown(root, source)
    text = _read(source, shown)
    doc = segments.parse(text)
    keys = segments.keys(doc)
    target = localized(source.parent, source.name, lang)
    translations: dict[int, str] = {}
    review: dict[int, str | None] = {}
    attached: set[int] = set()
    note = ""
    if target.exists():
        target_text = _read(target, _shown(root, target))
        target_doc = segments.parse(target_text)
        stamped = recorded_hash(target)
        if stamped == text_digest(text):
            translations, attached = align(doc, target_doc)
        elif stamped is None:
            translations, attached = align(doc, target_doc)
            review = dict.fromkeys(translations)
            note = f"{_shown(root, target)} has no source_hash: every segment is marked for review."
        else:
            translations, review, attached, note = _since_stamp(root, source, doc, target_doc, stamped)
        # A partial translation's segments still in the original are untranslated, not translated as themselves.
        left = content.untranslated_keys(content.front_matter(target_text, _shown(root, target))[0],
                                         _shown(root, target))
        for number in [n for n, said in translations.items() if segments.text_key(said) in left]:
            del translations[number]
            review.pop(number, None)
    po = polib.POFile(wrapwidth=78)
    po.header = (f"{shown} for translation into '{lang}', made by 'almanac export'.\n"
                 f"Keep every <xN/> and <gN>…</gN> placeholder; import with 'almanac import FILE'.")
    po.metadata = {"Project-Id-Version": f"Almanac {source.parent.name}",
                   "PO-Revision-Date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M+0000"),
                   "Last-Translator": "almanac export", "Language-Team": lang, "Language": lang,
                   "MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8",
                   "Content-Transfer-Encoding": "8bit", SOURCE_HEADER: shown, HASH_HEADER: text_digest(text),
                   "X-Generator": "almanac export"}
    codes = []
    for number, segment in enumerate(doc.segments):
        protected = segments.protect(segment.text)
        codes.append(protected.pieces)
        entry = polib.POEntry(msgctxt=keys[number], msgid=protected.text, occurrences=[(shown, str(segment.line))],
                              comment="\n".join([segment.kind, *segments.describe(protected.pieces)]))
        if number in translations:
            entry.msgstr = protect_like(translations[number], protected)
        if number in attached:
            entry.tcomment = "This translation includes a block of its own that the source does not have."
        if number in review and number in translations:
            entry.flags.append("fuzzy")
            if review[number] is not None:
                entry.previous_msgctxt = segments.text_key(review[number])
                entry.previous_msgid = segments.protect(review[number]).text
        po.append(entry)
    return Exported(str(po), len(doc.segments), len(translations), len(review.keys() & translations.keys()), note,
                    po, codes)


def import_po(root: Path, po_path: Path, config: Path | None = None) -> Imported:
    """Write the translation a PO file holds; returns (the file written, its segments, its new stamp), with
    `translated` and `fuzzy` counts (`Imported`).

    `config` is the project's mkdocs.yml (default: `root`/mkdocs.yml). Anything wrong with the file is an
    AlmanacError with one line per problem, each naming the file (and the segment), and then nothing is written."""
    shown_po = po_path.name
    try:
        po = polib.pofile(str(po_path), wrapwidth=78)
    except (OSError, ValueError) as exc:
        raise AlmanacError(f"{shown_po}: not a readable PO file ({exc}).") from None
    return import_catalogue(root, po, shown_po, config)


def import_catalogue(root: Path, po: polib.POFile, shown_po: str, config: Path | None = None) -> Imported:
    """`import_po` for a catalogue already read (another exchange format can hand over its own, as polib
    entries with the same msgctxt keys); `shown_po` names it in messages.

    Entries are matched to the source's segments by key (msgctxt), so a file merged into a newer export
    (`msgmerge`) imports although its header names the older text it was first exported from. An empty
    or fuzzy msgstr leaves the segment in the original (gettext's rule: a fuzzy translation is not used);
    the page then lists it as `untranslated` (see almanac.translations)."""
    source_name, lang = po.metadata.get(SOURCE_HEADER), po.metadata.get("Language", "")
    if not source_name:
        raise AlmanacError(f"{shown_po}: no {SOURCE_HEADER} header; expected a file made by 'almanac export'.")
    found = chapter(config or root / "mkdocs.yml", source_name, f"{shown_po}, header {SOURCE_HEADER} {source_name!r}")
    if lang not in found.languages[1:]:
        raise AlmanacError(f"{shown_po}, header Language {lang!r}: not a language this site is translated into; "
                           f"expected one of: {', '.join(found.languages[1:])} (mkdocs.yml).")
    source, source_name = found.path, found.shown
    target = found.translation(lang)
    shown_target = localized(Path(source_name).parent, Path(source_name).name, lang).as_posix()
    # Written by replacing the file, never through it: a link here would send the translation elsewhere.
    if target.is_symlink() and not target.resolve().is_relative_to(found.docs_dir.resolve()):
        raise AlmanacError(f"{shown_po}: {shown_target} is a symbolic link that leads out of "
                           f"{found.docs_dir.name}/; expected the translation to be a file of its own there.")
    text = _read(source, source_name)
    digest = text_digest(text)
    doc = segments.parse(text)
    keys = segments.keys(doc)
    entries: dict[str, polib.POEntry] = {}
    problems, mismatched = [], 0
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgctxt in entries:
            problems.append(f"{shown_po}, line {entry.linenum}, segment {entry.msgctxt}: a second entry for the "
                            f"segment (the first is on line {entries[entry.msgctxt].linenum}); expected one.")
            continue
        entries[entry.msgctxt] = entry
    texts = [segment.text for segment in doc.segments]   # the original, until a translation replaces it
    places, left, fuzzy = [], [], 0
    for number, (segment, key) in enumerate(zip(doc.segments, keys)):
        label = f"segment {key} ({segment.kind}, {source_name} line {segment.line})"
        entry = entries.pop(key, None)
        places.append(f"{shown_po}, {label}")
        if entry is None:
            mismatched += 1
            problems.append(f"{shown_po}, {label}: the segment is missing; expected an entry with msgctxt \"{key}\".")
            continue
        where = places[-1] = f"{shown_po}, line {entry.linenum}, {label}"
        protected = segments.protect(segment.text)
        if entry.msgid != protected.text:
            mismatched += 1
            problems.append(f"{where}: msgid is not the source's text; expected a file exported from "
                            f"{source_name} as it is now, with msgid left as it was.")
            continue
        if "fuzzy" in entry.flags or not entry.msgstr.strip():
            fuzzy += "fuzzy" in entry.flags and bool(entry.msgstr.strip())
            left.append(number)
            continue
        try:
            texts[number] = _translated(entry, segment, protected, where)
        except AlmanacError as exc:
            problems.append(str(exc))
    for extra in entries.values():
        mismatched += 1
        problems.append(f"{shown_po}, line {extra.linenum}, segment {extra.msgctxt}: {source_name} has no such "
                        f"segment; expected a file exported from it as it is now.")
    if mismatched and po.metadata.get(HASH_HEADER) != digest:
        raise AlmanacError(f"{shown_po}: made from another text than {source_name} as it is now (source_hash "
                           f"{po.metadata.get(HASH_HEADER)}, now {digest}; {mismatched} segments do not match): a "
                           f"file for another chapter or an older version; merge it into a new export "
                           f"('msgmerge FILE NEW.po', with NEW.po from 'almanac export'), or export again, and "
                           f"your CAT tool's translation memory fills in what was translated.")
    if problems:
        raise AlmanacError("\n".join(problems))
    if len(left) == len(texts):
        raise AlmanacError(f"{shown_po}: nothing to import: every segment is untranslated or fuzzy; expected at "
                           f"least one translation in msgstr (a fuzzy one once reviewed, with its flag cleared).")
    kept = [segments.text_key(doc.segments[n].text) for n in left]
    page, lines = _compose(doc, texts, text, target, shown_target, digest, kept)
    _check(page, lines, places, shown_po, shown_target, target, found.docs_dir)
    _replace(target, page)
    return Imported(target, len(texts), digest, len(texts) - len(left), fuzzy)


def _translated(entry: polib.POEntry, segment: segments.Segment, protected: segments.Protected, where: str) -> str:
    """The Markdown of one translated entry; AlmanacError naming `where` for anything it may not carry."""
    if segment.kind in _ONE_LINE and "\n" in entry.msgstr:
        raise AlmanacError(f"{where}: a {segment.kind} must be one line; expected no line break in msgstr.")
    translated = segments.restore(entry.msgstr, protected, where)
    added = segments.added_markup(translated, segment.text)
    if added:
        raise AlmanacError(f"{where}: the translation adds {added!r}, which the source segment does not have; "
                           f"expected only the source's links, HTML, data markers and URLs, as its placeholders.")
    return translated


def _check(page: str, lines: dict[int, int], places: list[str], shown_po: str, shown: str, target: Path,
           docs_dir: Path) -> None:
    """The build's page checks on the translation about to be written; a problem names the segment it is in."""
    try:
        content.check(page, shown, target, docs_dir)
    except AlmanacError as exc:
        message = str(exc)
        line = re.match(rf"{re.escape(shown)}, line (\d+)\b", message)
        number = lines.get(int(line.group(1))) if line else None
        prefix = places[number] if number is not None else shown_po
        raise AlmanacError(f"{prefix}: {message}") from None


def _replace(target: Path, text: str) -> None:
    """Write `target` whole or not at all, replacing it (a symbolic link there is replaced, not followed)."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        # "x": a file or link already at that name is an error, never written through.
        with open(temporary, "x", encoding="utf-8", newline="") as out:
            out.write(text)
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o777)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def align(source: segments.Document, target: segments.Document) -> tuple[dict[int, str], set[int]]:
    """Each source segment's translation, from a translated chapter of the same structure.

    Blocks the translation adds (a translator's note) join the neighbouring segment's text, so
    that putting the texts back into the source's skeleton gives the translation again."""
    pairs = _pairs(source, target)
    texts = {i: target.segments[j].text for i, j in pairs.items()}
    attached: set[int] = set()
    source_body, source_spans = _rendered(source)
    target_body, target_spans = _rendered(target)
    order = [i for i in range(len(source.segments)) if i in source_spans]
    for previous, following in zip([None, *order], [*order, None]):
        if (previous is not None and previous not in pairs) or (following is not None and following not in pairs):
            continue
        gap_s = source_body[source_spans[previous][1] if previous is not None else 0:
                            source_spans[following][0] if following is not None else len(source_body)]
        gap_t = target_body[target_spans[pairs[previous]][1] if previous is not None else 0:
                            target_spans[pairs[following]][0] if following is not None else len(target_body)]
        if gap_s == gap_t or not _has_segment_between(target, pairs, previous, following):
            continue
        if following is not None and gap_t.startswith(gap_s) and _attachable(source, following):
            texts[following] = gap_t[len(gap_s):] + texts[following]
            attached.add(following)
        elif previous is not None and gap_t.endswith(gap_s) and _attachable(source, previous):
            texts[previous] += gap_t[: len(gap_t) - len(gap_s)]
            attached.add(previous)
    return texts, attached


def protect_like(translation: str, source: segments.Protected) -> str:
    """The translation with its markup as the source's placeholders (markup the source lacks stays as it is)."""
    own = segments.protect(translation)
    unused = dict(source.pieces)
    names: dict[str, str | None] = {}
    for name, markup in own.pieces.items():
        match = next((n for n, m in unused.items() if m == markup and n[0] == name[0]), None)
        names[name] = match
        if match:
            del unused[match]

    def rename(m: re.Match) -> str:
        name = f"x{m.group(1)}" if m.group(1) else f"g{m.group(2) or m.group(3)}"
        new = names.get(name)
        if new is None:
            markup = own.pieces[name]
            return markup if isinstance(markup, str) else markup[0 if m.group(2) else 1]
        return m.group(0).replace(name, new)

    return segments.PLACEHOLDER.sub(rename, own.text)


def _since_stamp(root, source, doc, target_doc, stamped):
    """Translations of a stale file: kept where the segment did not change, marked for review where it did."""
    try:
        version = history.stamped_version(source, stamped, _shown(root, source))
    except AlmanacError as exc:
        translations, attached = align(doc, target_doc)
        return translations, dict.fromkeys(translations), attached, f"{exc} Every segment is marked for review."
    old = segments.parse(version.text)
    old_texts, attached_old = align(old, target_doc)
    translations, review, attached = {}, {}, set()
    matcher = difflib.SequenceMatcher(None, [s.text for s in old.segments], [s.text for s in doc.segments],
                                      autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op not in ("equal", "replace"):
            continue
        for i, j in zip(range(i1, i2), range(j1, j2)):
            if i in old_texts:
                translations[j] = old_texts[i]
                if i in attached_old:
                    attached.add(j)
                if op == "replace":
                    review[j] = old.segments[i].text
    note = f"Segments changed since commit {version.commit[:10]} ({version.date}) are marked fuzzy."
    return translations, review, attached, note


def _pairs(source: segments.Document, target: segments.Document) -> dict[int, int]:
    pairs = {}
    if source.segments and target.segments and source.segments[0].kind == target.segments[0].kind == "title":
        pairs[0] = 0
    a, b = source.pieces, target.pieces
    matcher = difflib.SequenceMatcher(None, source.shape(), target.shape(), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left = [p for p in a[i1:i2] if isinstance(p, int)]
        right = [p for p in b[j1:j2] if isinstance(p, int)]
        if op == "equal" or (op == "replace" and len(left) == len(right)):
            pairs.update(zip(left, right))
    return pairs


def _rendered(doc: segments.Document) -> tuple[str, dict[int, tuple[int, int]]]:
    out, spans, position = [], {}, 0
    for piece in doc.pieces:
        if isinstance(piece, int):
            segment = doc.segments[piece]
            text = segment.text.replace("\n", "\n" + segment.indent)
            spans[piece] = (position, position + len(text))
        else:
            text = piece
        out.append(text)
        position += len(text)
    return "".join(out), spans


def _has_segment_between(target, pairs, previous, following) -> bool:
    low = pairs[previous] if previous is not None else -1
    high = pairs[following] if following is not None else len(target.segments)
    return high - low > 1


def _attachable(doc: segments.Document, number: int) -> bool:
    segment = doc.segments[number]
    return segment.kind in _ATTACHABLE and not segment.indent


def _compose(doc: segments.Document, texts: list[str], source_text: str, target: Path, shown: str,
             digest: str, untranslated: list[str]) -> tuple[str, dict[int, int]]:
    """The translated chapter, stamped with `digest` and listing the keys of the segments left in the original
    as `untranslated`: the translation's front matter (or the source's), then the source's skeleton; and the
    segment on each line of its body (by 1-based line)."""
    front, lead = doc.front, _lead(source_text[len(doc.front):])
    if target.exists():
        existing = _read(target, shown)
        own = segments.parse(existing)
        front, lead = own.front or front, _lead(existing[len(own.front):])
    if doc.segments and doc.segments[0].kind == "title" and front:
        front = segments.with_title(front, texts[0])
    # The stamp and the list touch only the front matter.
    head = with_untranslated(with_stamp(front + lead, digest), untranslated)
    body = doc.render(texts)
    skipped = len(body) - len(body.lstrip("\n"))
    line, lines = head.count("\n") + 1 - body.count("\n", 0, skipped), {}
    for piece in doc.pieces:
        if isinstance(piece, int):
            segment = doc.segments[piece]
            if segment.kind != "title":
                lines.update(dict.fromkeys(range(line, line + texts[piece].count("\n") + 1), piece))
            line += texts[piece].count("\n")
        else:
            line += piece.count("\n")
    return head + body[skipped:], lines


def _lead(body: str) -> str:
    return body[: len(body) - len(body.lstrip("\n"))]


def _read(path: Path, shown: str) -> str:
    try:
        return decode(path.read_bytes(), shown)
    except OSError as exc:
        raise AlmanacError(f"{shown}: cannot read the file: {exc.strerror}.") from None


def _shown(root: Path, path: Path) -> str:
    path = path.resolve()
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
