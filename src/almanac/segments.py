"""A chapter as translatable segments in a Markdown skeleton, and inline markup as placeholders.

Reads and writes nothing: it works on text the caller read (`content.decode`).

A chapter splits into *segments*, the units a translator translates: headings, paragraphs,
list items, table cells, blockquote lines, footnotes, admonition titles and the front
matter's `title`. Everything else is the *skeleton*: front matter, list markers, `#`s,
table pipes and separator rows, blank lines, fenced code and data markers on their own
line. `Document.render(texts)` puts texts back into the skeleton, so the skeleton of the
Russian original plus translated segments gives the translated chapter.

Inside a segment, markup a translator must keep becomes a placeholder (`protect`):
`<x1/>` stands for one piece (inline code, a data marker, a URL, a footnote reference, an
HTML tag, an image, an attribute list), `<g2>…</g2>` wraps text that stays translatable
(a link's text, emphasis). These are the XLIFF 1.2 inline tag names, which CAT tools and
translate-toolkit's `xmltags` check recognise. `restore` checks a translation's
placeholders against the source's and puts the markup back, and `added_markup` finds
markup that a translation has and its source segment lacks (a link target, an HTML tag,
a data marker, a URL), which an import refuses.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field

import yaml

from .errors import AlmanacError

_FRONT = re.compile(r"\A(-{3}[ \t]*\n)(.*?\n)((?:\.{3}|-{3})[ \t]*\n)", re.S)
_TITLE = re.compile(r"^title:[ \t]*(.*?)[ \t]*$", re.M)
_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_MARKER_LINE = re.compile(r"^[ \t]*\{\{.*\}\}[ \t]*$")
_HTML_LINE = re.compile(r"^[ \t]*</?[A-Za-z][^>]*>[ \t]*$")
_HEADING = re.compile(r"^([ \t]*#{1,6}[ \t]+)(.*?)([ \t]*)$")
_ADMONITION = re.compile(r'^([ \t]*(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?:[ \t]+[\w-]+)*[ \t]+")(.*)("[ \t]*)$')
_ADMONITION_BARE = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+[\w-]+")
_QUOTE = re.compile(r"^([ \t]*>[ \t]?)(.*?)([ \t]*)$")
_FOOTNOTE = re.compile(r"^([ \t]*\[\^[^\]]+\]:[ \t]+)(.*?)([ \t]*)$")
_ITEM = re.compile(r"^([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+)(.*?)([ \t]*)$")
_TABLE = re.compile(r"^[ \t]*\|")
_TABLE_RULE = re.compile(r"^[ \t|:\-]+$")
_CELL = re.compile(r"((?:`+).*?(?:`+)|\\\||[^|])+")


@dataclass
class Segment:
    kind: str        # title, heading, paragraph, item, cell, quote, footnote, admonition
    text: str        # Markdown, with "\n" between its lines (continuation indents removed)
    line: int        # 1-based line of the file where it starts
    indent: str = ""  # prefix of its continuation lines in the file


@dataclass
class Document:
    """Skeleton pieces (str) interleaved with segment numbers (int)."""

    pieces: list = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    front: str = ""   # the front matter as written, "---" lines included (not translated but for `title`)

    def add(self, literal: str) -> None:
        if literal:
            self.pieces.append(literal)

    def segment(self, kind: str, text: str, line: int, indent: str = "") -> None:
        self.pieces.append(len(self.segments))
        self.segments.append(Segment(kind, text, line, indent))

    def shape(self) -> list[str]:
        """The skeleton with segments blanked: two documents with the same shape are parallel."""
        return ["\0" + self.segments[p].kind if isinstance(p, int) else p for p in self.pieces]

    def render(self, texts: list[str]) -> str:
        """The body (after the front matter) with `texts[i]` in place of segment i."""
        out = []
        for piece in self.pieces:
            if isinstance(piece, int):
                segment = self.segments[piece]
                out.append(texts[piece].replace("\n", "\n" + segment.indent))
            else:
                out.append(piece)
        return "".join(out)


def parse(text: str) -> Document:
    """Split a chapter (normalised text: LF line endings) into front matter, skeleton and segments."""
    doc = Document()
    body_start = 1
    front = _FRONT.match(text)
    if front:
        doc.front = front.group(0)
        title = _TITLE.search(front.group(2))
        if title and title.group(1):
            line = 2 + front.group(2).count("\n", 0, title.start())
            doc.segments.append(Segment("title", _yaml_scalar(title.group(1)), line))
        body_start = front.group(0).count("\n") + 1
        text = text[front.end():]
    _body(doc, text.split("\n"), body_start)
    return doc


# Typography an editor may change without changing what a segment says: quotes, dashes, spaces, ellipses.
_TYPOGRAPHY = str.maketrans({"«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"', "‘": "'", "’": "'",
                             "‚": "'", "—": "-", "–": "-", "‑": "-", "‒": "-", "−": "-", "\u00a0": " ",
                             "\u202f": " ", "\u2009": " ", "\u2007": " ", "…": "..."})


def text_key(text: str) -> str:
    """8 hex digits naming what a segment says: the same words give the same key, whatever their spacing,
    quotes, dashes or Unicode composition."""
    normal = " ".join(unicodedata.normalize("NFC", text).translate(_TYPOGRAPHY).split())
    return hashlib.sha256(normal.encode("utf-8")).hexdigest()[:8]


def keys(doc: Document) -> list[str]:
    """Each segment's key (gettext's msgctxt): `text_key` of its text, then `-2`, `-3`, … for the second, third …
    segment that says the same. A key never depends on a segment's position, so inserting, removing or
    moving a paragraph leaves every other segment's key as it was."""
    seen: dict[str, int] = {}
    out = []
    for segment in doc.segments:
        key = text_key(segment.text)
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else f"{key}-{seen[key]}")
    return out


def with_title(front: str, title: str) -> str:
    """Front matter with its `title` set (kept as written when it already says `title`)."""
    match = _TITLE.search(front)
    if match and _yaml_scalar(match.group(1)) == title:
        return front
    quoted = json.dumps(title, ensure_ascii=False)  # JSON strings are YAML strings
    if match:
        return front[:match.start(1)] + quoted + front[match.end(1):]
    head = _FRONT.match(front)
    return head.group(1) + head.group(2) + f"title: {quoted}\n" + head.group(3)


def _body(doc: Document, lines: list[str], first: int) -> None:
    i = 0
    fence = None
    while i < len(lines):
        line, number = lines[i], first + i
        end = "\n" if i < len(lines) - 1 else ""
        i += 1
        if fence:
            doc.add(line + end)
            closing = _FENCE.match(line)
            if closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence):
                fence = None
            continue
        if opened := _FENCE.match(line):
            fence = opened.group(1)
            doc.add(line + end)
        elif not line.strip() or _MARKER_LINE.match(line) or _HTML_LINE.match(line) or _TABLE_RULE.match(line) \
                and _TABLE.match(line):
            doc.add(line + end)
        elif _TABLE.match(line):
            _row(doc, line, number)
            doc.add(end)
        elif m := _ADMONITION.match(line):
            doc.add(m.group(1))
            doc.segment("admonition", m.group(2), number)
            doc.add(m.group(3) + end)
        elif _ADMONITION_BARE.match(line):
            doc.add(line + end)
        elif m := (_HEADING.match(line) or _QUOTE.match(line)):
            kind = "heading" if line.lstrip().startswith("#") else "quote"
            if m.group(2):
                doc.add(m.group(1))
                doc.segment(kind, m.group(2), number)
                doc.add(m.group(3) + end)
            else:
                doc.add(line + end)
        else:
            m = _FOOTNOTE.match(line) or _ITEM.match(line)
            kind = "paragraph" if not m else ("footnote" if _FOOTNOTE.match(line) else "item")
            prefix, rest = (m.group(1), m.group(2)) if m else (line[: len(line) - len(line.lstrip())], line.strip())
            trailing = m.group(3) if m else line[len(line.rstrip()):]
            # Continuation lines: up to a blank line or the start of another block.
            parts, indent = [rest], ""
            while i < len(lines) and lines[i].strip() and not _starts_block(lines[i]) and not trailing:
                current = lines[i]
                strip = len(current) - len(current.lstrip())
                if not indent:
                    indent = current[:strip]
                if current[:strip] != indent:
                    break
                parts.append(current[strip:].rstrip())
                trailing = current[len(current.rstrip()):]
                i += 1
            end = "\n" if i < len(lines) else ""
            doc.add(prefix)
            doc.segment(kind, "\n".join(parts), number, indent)
            doc.add(trailing + end)


def _starts_block(line: str) -> bool:
    return bool(_FENCE.match(line) or _MARKER_LINE.match(line) or _TABLE.match(line) or _ADMONITION_BARE.match(line)
                or line.lstrip().startswith(("#", ">")) or _FOOTNOTE.match(line) or _ITEM.match(line)
                or _HTML_LINE.match(line))


def _row(doc: Document, line: str, number: int) -> None:
    """A table row: each non-empty cell is a segment; pipes and padding are skeleton."""
    position = 0
    for cell in _CELL.finditer(line):
        content = cell.group(0)
        stripped = content.strip()
        if not stripped:
            continue
        start = cell.start() + len(content) - len(content.lstrip())
        doc.add(line[position:start])
        doc.segment("cell", stripped, number)
        position = start + len(stripped)
    doc.add(line[position:])


def _yaml_scalar(raw: str) -> str:
    value = yaml.safe_load(raw)
    return value if isinstance(value, str) else raw


# ---- placeholders ----------------------------------------------------------------------------------

# One pass, first alternative wins: code first (nothing inside code is markup), then the pieces a
# translator copies whole, then the pairs whose inside is translated.
_INLINE = re.compile(
    r"(?P<code>(?P<ticks>`+).+?(?P=ticks))"
    r"|(?P<marker>\{\{.*?\}\})"
    r"|(?P<autolink><(?:https?://|mailto:)[^>\s]+>)"
    r"|(?P<html></?[A-Za-z][^<>]*>|<!--.*?-->)"
    r"|(?P<image>!\[[^\]]*\]\([^)]*\))"
    r"|(?P<fnref>\[\^[^\]]+\])"
    r"|(?P<link>\[(?P<linktext>(?:[^\[\]]|\[[^\]]*\])+)\]\((?P<target>[^)\s]+(?:\s+\"[^\"]*\")?)\))"
    r"|(?P<url>https?://[^\s<>()]*[^\s<>().,;:!?»”\"'])"
    r"|(?P<attrs>\{:?[ \t]*[#.][^}]*\})"
    r"|(?P<strong>(?P<double>\*\*|__)(?=\S)(?P<strongtext>.+?)(?<=\S)(?P=double))"
    r"|(?P<em>(?<![\w*])(?P<single>\*|_)(?=[^\s*_])(?P<emtext>.+?)(?<=[^\s*_])(?P=single)(?![\w*]))"
)
PLACEHOLDER = re.compile(r"<x(\d+)/>|<g(\d+)>|</g(\d+)>")


@dataclass
class Protected:
    text: str                                  # with <xN/> and <gN>…</gN>
    pieces: dict[str, str | tuple[str, str]]   # "x1" -> markup, "g2" -> (opening, closing)


def protect(markdown: str) -> Protected:
    pieces: dict = {}
    return Protected(_protect(markdown, pieces), pieces)


def _protect(markdown: str, pieces: dict) -> str:
    def replace(m: re.Match) -> str:
        number = len(pieces) + 1
        if m.group("link"):
            name = f"g{number}"
            pieces[name] = ("[", f"]({m.group('target')})")
            return f"<{name}>{_protect(m.group('linktext'), pieces)}</{name}>"
        for kind, inner in (("strong", "strongtext"), ("em", "emtext")):
            if m.group(kind):
                name = f"g{number}"
                mark = m.group(kind)[: len(m.group(kind)) - len(m.group(kind).lstrip("*_"))]
                pieces[name] = (mark, mark)
                return f"<{name}>{_protect(m.group(inner), pieces)}</{name}>"
        name = f"x{number}"
        pieces[name] = m.group(0)
        return f"<{name}/>"

    return _INLINE.sub(replace, markdown)


def describe(pieces: dict) -> list[str]:
    """One line per placeholder, for the translator: what it stands for."""
    lines = []
    for name, markup in pieces.items():
        shown = markup if isinstance(markup, str) else f"{markup[0]}…{markup[1]}"
        lines.append(f"<{name}{'/' if name[0] == 'x' else ''}> = {shown if len(shown) < 120 else shown[:117] + '...'}")
    return lines


def restore(translated: str, source: Protected, where: str) -> str:
    """The translation's Markdown; AlmanacError naming `where` if a placeholder is broken, missing or extra."""
    expected = set(source.pieces)
    seen: list[str] = []
    stack: list[str] = []
    out, position = [], 0
    for m in PLACEHOLDER.finditer(translated):
        out.append(translated[position:m.start()])
        position = m.end()
        if m.group(1):
            name = f"x{m.group(1)}"
            if not isinstance(source.pieces.get(name), str):
                raise AlmanacError(f"{where}: {m.group(0)} is not a placeholder of the source; "
                                   f"expected only {_listing(source)}.")
            seen.append(name)
            out.append(source.pieces[name])
        elif m.group(2):
            name = f"g{m.group(2)}"
            if not isinstance(source.pieces.get(name), tuple):
                raise AlmanacError(f"{where}: {m.group(0)} is not a placeholder of the source; "
                                   f"expected only {_listing(source)}.")
            seen.append(name)
            stack.append(name)
            out.append(source.pieces[name][0])
        else:
            name = f"g{m.group(3)}"
            if not stack or stack[-1] != name:
                opened = f"<{stack[-1]}>" if stack else "nothing"
                raise AlmanacError(f"{where}: the tag </{name}> closes {opened}; expected tags to be "
                                   f"closed in the order they were opened, as in the source.")
            stack.pop()
            out.append(source.pieces[name][1])
    if stack:
        raise AlmanacError(f"{where}: the tag <{stack[-1]}> is never closed; expected </{stack[-1]}> as in the source.")
    out.append(translated[position:])
    for name in expected:
        count = seen.count(name)
        tag = f"<{name}/>" if name[0] == "x" else f"<{name}>…</{name}>"
        if count != 1:
            problem = "is missing" if count == 0 else f"appears {count} times"
            raise AlmanacError(f"{where}: the placeholder {tag} {problem}; expected it once, as in the source "
                               f"({describe({name: source.pieces[name]})[0]}).")
    return "".join(out)


# Markup that makes a page load, link to or run something: an attribute list or data marker ({…}), an HTML
# tag, comment or autolink (<…>), a link or image target (](…)), a reference ([…][…], and a definition
# […]: … on a line of its own) and a URL. It is matched loosely on purpose: a false alarm costs a translator
# a placeholder, a miss would put a translator's script on every reader's screen.
_ACTIVE = re.compile(
    r"\{\{.*?\}\}"
    r"|\{[^}\n]*\}?"
    r"|<[A-Za-z/!?][^>\n]*>?"
    r"|\][ \t]?\[[^\]\n]*\]"
    r"|\]\([^)\n]*\)?"
    r"|^[ \t]*\[[^\]\n]+\]:.*"
    r"|\b[A-Za-z][A-Za-z0-9+.-]*://[^\s<>()]*[^\s<>().,;:!?»”\"']"
    r"|\b(?:javascript|vbscript|mailto):[^\s<>()]*",
    re.M | re.I,
)


def active_markup(markdown: str) -> list[str]:
    """The pieces of `markdown` that load, link to or run something, in order (see `_ACTIVE`)."""
    return [m.group(0).strip() for m in _ACTIVE.finditer(markdown)]


def added_markup(translated: str, source: str) -> str | None:
    """The first piece of active markup in `translated` (restored Markdown) that `source` lacks, or None.

    A translation carries its source's markup through placeholders; markup of its own could link
    elsewhere, run a script or expand a data marker that no editor of the source ever saw."""
    allowed = set(active_markup(source))
    return next((piece for piece in active_markup(translated) if piece not in allowed), None)


def _listing(source: Protected) -> str:
    names = [f"<{n}/>" if n[0] == "x" else f"<{n}>…</{n}>" for n in source.pieces]
    return ", ".join(names) if names else "text without placeholders"
