"""Markdown pages as editors save them: read, normalise and check before anything is built.

Reads: the Markdown files under the docs folder, and the files they embed
(to check that those exist). Writes: nothing.

Editors' files arrive with byte-order marks, CRLF line endings, NFD-composed
Cyrillic from some Mac tools, and the odd broken front matter. A page is
read once, normalised (BOM dropped, LF line endings, NFC) so that every later
step sees the same text, and checked, so that the build stops with one line
naming the file and the line instead of publishing a broken page:

- the file is UTF-8, not empty, and has a `# Title` line;
- front matter, if the file opens with `---`, is closed and is a YAML mapping;
- front matter keys are known ones (FRONT_MATTER_KEYS), each given once;
- raw HTML, URLs and attribute lists pass the allowlist in `almanac.markup`
  (no `<script>`, `<style>`, `<meta>`, event handlers, `javascript:` …);
- every `{{` outside code is a whole, known marker on its own line, or an
  inline `{{ value(...) }}`: nothing reaches readers unrendered;
- one `# Title`, and no heading skips a level (the PDF claims PDF/UA);
- every embedded image, stylesheet, frame, CSS url() or @import is a file
  inside the docs folder, never a URL on another host;
- every link to another Markdown page names a file that exists.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from . import limits, markup
from .errors import AlmanacError

# The same pattern MkDocs uses to find front matter (mkdocs.utils.meta), so both agree on where it ends.
FRONT_MATTER = re.compile(r"\A-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)
_OPENS_FRONT_MATTER = re.compile(r"\A-{3}[ \t]*\n")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+).+?\1")
_H1 = re.compile(r"^#[ \t]+\S")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
# Front matter an Almanac page may carry: Material's `title`, `description`, `hide` and `search`, the
# translation stamp, and a partial translation's list of segments still in the original (almanac.translations).
# Anything else is a typo (`titel:`) that would otherwise be ignored without a word.
FRONT_MATTER_KEYS = ("title", "description", "hide", "search", "source_hash", "untranslated")
_SEGMENT_KEY = re.compile(r"[0-9a-f]{8}")
# Markers that stand alone on their line (table, chart, catalogue, status) and the inline value marker.
_BLOCK_MARKER = re.compile(r"^\s*\{\{\s*(indicators|chart|catalogue|translation_status)\s*\(.*\)\s*\}\}\s*$")
_VALUE_MARKER = re.compile(r"\{\{\s*value\s*\(.*?\)\s*\}\}")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")
_LINK = re.compile(r"(?<!!)\[[^\]]*\]\(\s*<?([^)\s>]+)")
_LINK_TARGET = re.compile(r"((?<!!)\[[^\]]*\]\(\s*<?)([^)\s>]+\.md(?:#[^)\s>]*)?)(?=[)\s>])")
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)
_SRCSET = re.compile(r"""\bsrcset\s*=\s*["']([^"']+)["']""", re.I)
_EMBED = re.compile(r"<(img|source|video|audio|iframe|embed|track|input)\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)"
                    r"|<link\b[^>]*?\bhref\s*=\s*[\"']?([^\"'\s>]+)"
                    r"|<object\b[^>]*?\bdata\s*=\s*[\"']?([^\"'\s>]+)", re.I)


@dataclass
class Page:
    """A page's normalised text, its front matter, and where its body starts (1-based line in the file)."""

    text: str
    meta: dict = field(default_factory=dict)
    body_line: int = 1

    @property
    def markdown_line(self) -> int:
        """The file's line where the Markdown that MkDocs hands to plugins starts: after the front matter
        and the blank lines MkDocs strips after it."""
        if self.body_line == 1:
            return 1
        body = self.text.split("\n")[self.body_line - 1:]
        return self.body_line + next((i for i, line in enumerate(body) if line), len(body))


_checked: dict[str, tuple[bytes, Page]] = {}


def decode(raw: bytes, shown: str) -> str:
    """UTF-8 text with the BOM dropped, LF line endings and NFC composition; one-line error otherwise."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        # Columns count characters, as an editor's cursor does, not bytes.
        column = len(raw[raw.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8", "replace")) + 1
        raise AlmanacError(f"{shown}, line {line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {column}); "
                           f"expected the file to be saved as UTF-8.") from None
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def read(path: Path, shown: str, docs_dir: Path) -> Page:
    """Read, normalise and check one Markdown page (kept by content hash: every language pass reads it)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise AlmanacError(f"{shown}: cannot read the file: {exc.strerror}.") from None
    digest = hashlib.sha256(raw).digest()
    cached = _checked.get(str(path))
    if cached and cached[0] == digest:
        return cached[1]
    page = check(decode(raw, shown), shown, path, docs_dir)
    _checked[str(path)] = (digest, page)
    return page


def check(text: str, shown: str, path: Path, docs_dir: Path) -> Page:
    meta, body_line = front_matter(text, shown)
    lines = text.split("\n")[body_line - 1:]
    if not "".join(lines).strip():
        raise AlmanacError(f"{shown}, line {body_line}: the page is empty; expected a '# Title' line and its text.")
    # Work bounded before it starts: a table longer than the limit would take minutes in every PDF.
    limits.check_page_tables("\n".join(lines), shown, body_line)
    has_title = False
    outline = _Outline(shown)
    previous = ""
    for number, line in _prose_lines(lines, body_line):
        has_title = has_title or bool(_H1.match(line))
        outline.line(line, previous, number)
        _check_line(line, number, shown, path, docs_dir)
        previous = line
    if not has_title:
        first = next(n for n, line in enumerate(lines, body_line) if line.strip())
        raise AlmanacError(f"{shown}, line {first}: the page has no title; expected a '# Title' line "
                           f"(one '#', a space, then the title).")
    return Page(text, meta, body_line)


def front_matter(text: str, shown: str) -> tuple[dict, int]:
    """The front matter mapping and the line where the body starts."""
    if not _OPENS_FRONT_MATTER.match(text):
        return {}, 1
    match = FRONT_MATTER.match(text)
    if not match and re.match(r"\A-{3}[ \t]*\n(?:\.{3}|-{3})[ \t]*\n", text):
        raise AlmanacError(f"{shown}, line 1: the front matter is empty; expected 'key: value' lines between "
                           f"the two '---' lines, or no '---' lines at all.")
    if not match:
        raise AlmanacError(f"{shown}, line 1: the front matter opened by '---' is never closed; "
                           f"expected a line '---' after its last 'key: value' line.")
    block = match.group(1)
    try:
        meta = _load_front_matter(block)
    except yaml.MarkedYAMLError as exc:
        # An unclosed bracket or quote is reported where it opened, the line the editor must fix.
        mark = exc.context_mark or exc.problem_mark
        line = mark.line + 2 if mark else 2
        raise AlmanacError(f"{shown}, line {line}: the front matter is not valid YAML "
                           f"({exc.problem or exc.context}); expected 'key: value' lines.") from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise AlmanacError(f"{shown}, line 2: the front matter must be 'key: value' lines (a mapping), "
                           f"got a {_kind(meta)}.")
    for key in meta:
        if key not in FRONT_MATTER_KEYS:
            import difflib

            line = 1 + (line_of(block, lambda row: row.startswith(f"{key}:")) or 1)
            near = difflib.get_close_matches(str(key), FRONT_MATTER_KEYS, 1)
            hint = f"did you mean '{near[0]}'? " if near else ""
            raise AlmanacError(f"{shown}, line {line}: unknown front matter key {key!r}; {hint}expected one of: "
                               f"{', '.join(FRONT_MATTER_KEYS)}.")
    if "untranslated" in meta:
        line = 1 + (line_of(block, lambda row: row.startswith("untranslated:")) or 1)
        untranslated_keys(meta, f"{shown}, line {line}")
    return meta, match.group(0).count("\n") + 1


def untranslated_keys(meta: dict, where: str) -> set[str]:
    """The segment keys a partial translation's front matter lists as `untranslated` (see almanac.translations);
    AlmanacError naming `where` if the value is not a list of keys."""
    value = meta.get("untranslated")
    if value is None:
        return set()
    if not isinstance(value, list) or not all(isinstance(k, str) and _SEGMENT_KEY.fullmatch(k) for k in value):
        raise AlmanacError(f"{where}, 'untranslated': expected a list of segment keys (8 hex digits each, in "
                           f"quotes, as 'almanac import' writes them), got {value!r}.")
    return set(value)


def _load_front_matter(block: str):
    # libyaml parses the same values about 10 times faster (every page of every language is read); an error
    # is parsed again by the pure-Python parser, whose wording and lines the messages are written for.
    # The data files' loader: it refuses a key given twice, which YAML would otherwise settle silently.
    from . import yamlfile

    try:
        return yaml.load(block, Loader=yamlfile._FastLoader)
    except yaml.YAMLError:
        return yaml.load(block, Loader=yamlfile._Loader)


def _outside_fences(lines: list[str], first: int = 0):
    """(line number, text) of the lines outside fenced code blocks (fences themselves excluded)."""
    fence = None
    for number, line in enumerate(lines, first):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        yield number, line


def _prose_lines(lines: list[str], first: int):
    """(line number, text) of lines outside fenced code, with inline code removed."""
    for number, line in _outside_fences(lines, first):
        yield number, _INLINE_CODE.sub("", line)


def _check_line(line: str, number: int, shown: str, path: Path, docs_dir: Path) -> None:
    where = f"{shown}, line {number}"
    markup.check_line(line, where)
    if "{{" in line:
        _check_markers(line, where)
    for match in _IMAGE.finditer(line):
        _check_embedded(match.group(1), "image", where, path, docs_dir)
    for match in _EMBED.finditer(line):
        tag = (match.group(1) or ("link" if match.group(3) else "object")).lower()
        url = match.group(2) or match.group(3) or match.group(4)
        _check_embedded(url, "stylesheet or link" if tag == "link" else f"<{tag}> source", where, path, docs_dir)
    for match in _CSS_URL.finditer(line):
        _check_embedded(match.group(1) or match.group(2), "stylesheet resource", where, path, docs_dir)
    for match in _SRCSET.finditer(line):
        for candidate in match.group(1).split(","):
            if candidate.strip():
                _check_embedded(candidate.split()[0], "image", where, path, docs_dir)
    for match in _LINK.finditer(line):
        target = match.group(1)
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.endswith(".md"):
            resolved = _local(parts.path, path, docs_dir)
            if not resolved.is_relative_to(docs_dir.resolve()) or not resolved.is_file():
                raise AlmanacError(f"{where}: the link {target!r} leads to no page; expected the path of a "
                                   f"Markdown file in {docs_dir.name}/, relative to this page.")


def replace_links(text: str, replace) -> str:
    """`text` with the target of each inline link to a Markdown page, outside code, replaced by
    `replace(target)`; a link for which it returns None is kept as it is (used by the preview)."""
    def rewrite(stretch: str) -> str:
        return _LINK_TARGET.sub(lambda m: m.group(1) + (replace(m.group(2)) or m.group(2)), stretch)

    lines = text.split("\n")
    for number, line in list(_outside_fences(lines)):
        if ".md" in line:
            # Inline code is left as it is: only the stretches between code spans are rewritten.
            pieces, last = [], 0
            for code in _INLINE_CODE.finditer(line):
                pieces += [rewrite(line[last:code.start()]), code.group(0)]
                last = code.end()
            lines[number] = "".join(pieces + [rewrite(line[last:])])
    return "\n".join(lines)


def line_of(text: str, matches) -> int | None:
    """The 1-based number of the first line of `text` for which `matches(line)` is true."""
    return next((n for n, line in enumerate(text.split("\n"), 1) if matches(line)), None)


def check_theme_assets(setting: str, urls: list[str], config_text: str) -> None:
    """`extra_css` and `extra_javascript` in mkdocs.yml: the site's own files, never another host's."""
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme or parts.netloc:
            line = line_of(config_text, lambda text: url in text) or 1
            raise AlmanacError(f"mkdocs.yml, line {line}, '{setting}': {url!r} is on another host; expected a "
                               f"file under overrides/ or the docs folder (the site loads nothing from other hosts).")


def _check_embedded(url: str, what: str, where: str, path: Path, docs_dir: Path) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() == "data":
        return
    if parts.scheme or parts.netloc:
        raise AlmanacError(f"{where}: the {what} {url!r} is on another host; expected a file inside "
                           f"{docs_dir.name}/ (the site loads nothing from other hosts).")
    if not parts.path:
        return
    resolved = _local(parts.path, path, docs_dir)
    if not resolved.is_relative_to(docs_dir.resolve()):
        raise AlmanacError(f"{where}: the {what} {url!r} leaves the project; expected a file inside {docs_dir.name}/.")
    if not resolved.is_file():
        raise AlmanacError(f"{where}: the {what} {url!r} does not exist; expected a file at "
                           f"{resolved.relative_to(docs_dir.resolve().parent).as_posix()}.")


def _check_markers(line: str, where: str) -> None:
    """Every `{{` is a whole marker: alone on its line, or an inline value(); anything else would be
    published as the raw braces, and a number would go missing."""
    if _BLOCK_MARKER.match(line):
        return
    rest = _VALUE_MARKER.sub("", line)
    unknown = re.match(r"^\s*\{\{\s*([A-Za-z_]\w*)\s*\(.*\)\s*\}\}\s*$", line)
    if unknown:
        raise AlmanacError(f"{where}: unknown marker '{unknown.group(1)}()'; expected indicators(...), chart(...), "
                           f"catalogue(), translation_status() alone on a line, or value(...) in a sentence.")
    if "{{" in rest:
        fragment = rest[rest.index("{{"):][:50]
        block = re.search(r"\{\{\s*(indicators|chart|catalogue|translation_status)\b", rest)
        if block and "}}" in rest[block.start():]:
            raise AlmanacError(f"{where}: the marker {fragment!r} is inside a line of text; expected it alone on "
                               f"its own line (only {{{{ value(...) }}}} goes inside a sentence).")
        raise AlmanacError(f"{where}: {fragment!r} is not a whole marker; expected a marker alone on its line, "
                           f"e.g. {{{{ indicators(\"slug\", group=\"1.1\") }}}}, or {{{{ value(\"slug\", \"1.1\") }}}} "
                           f"in a sentence (to show '{{{{' as text, put it in `code`).")


class _Outline:
    """One `# Title`, and headings that go down one level at a time (PDF/UA, Matterhorn 14-003)."""

    def __init__(self, shown: str):
        self.shown = shown
        self.level = 0
        self.title_line = 0

    def line(self, line: str, previous: str, number: int) -> None:
        atx = _ATX.match(line)
        setext = _SETEXT.match(line) if previous.strip() and not _ATX.match(previous) else None
        if setext and setext.group(1)[0] == "-" and (re.match(r"^\s*([-*+]|\d+[.)])\s", previous)
                                                     or "|" in previous or previous.lstrip().startswith(">")):
            setext = None   # a list item, a table row or a quote followed by a rule
        if atx:
            level = len(atx.group(1))
        elif setext:
            level = 1 if setext.group(1)[0] == "=" else 2
        else:
            return
        where = f"{self.shown}, line {number}"
        if level == 1:
            if self.title_line:
                raise AlmanacError(f"{where}: a second '# Title' (the first is on line {self.title_line}); "
                                   f"expected one title per page and '## ' for its sections.")
            self.title_line = number
        elif level > self.level + 1:
            raise AlmanacError(f"{where}: a level-{level} heading after "
                               f"{'a level-' + str(self.level) + ' heading' if self.level else 'no title'}; "
                               f"expected '{'#' * (self.level + 1)} ' (headings go down one level at a time).")
        self.level = level


def _local(url_path: str, page: Path, docs_dir: Path) -> Path:
    relative = unquote(url_path)
    base = docs_dir if relative.startswith("/") else page.parent
    return (base / relative.lstrip("/")).resolve()


def _kind(value) -> str:
    kinds = ((bool, "yes/no value"), (list, "list"), (str, "text"), (int, "number"), (float, "number"))
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


def text_digest(text: str) -> str:
    """A hash of what a text says, not how it is spaced: the same words, numbers and links give the same digest.

    Line endings, a BOM, Unicode composition and runs of whitespace do not count,
    so re-wrapping a paragraph or saving with CRLF does not make translations stale."""
    words = " ".join(unicodedata.normalize("NFC", text.lstrip("\ufeff")).split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:12]


_TRANSLATION_NAME = re.compile(r"(?P<name>.+)\.(?P<lang>[a-z]{2,3}(?:[_-][A-Za-z]{2,4})?)\.md")


def check_inventory(pages: list[str], languages: list[str], publications, docs_name: str) -> None:
    """Every Markdown file is a page that will be published as such: a chapter listed in its publication's
    `chapters` (or a page at the top of the docs folder), in the default language or a configured one.

    `pages` are paths relative to the docs folder; `publications` the project's, with `slug` and `chapters`."""
    default, others = languages[0], languages[1:]
    listed = {chapter for pub in publications for chapter in pub.chapters}
    folders = {pub.slug: pub for pub in publications}
    for page in sorted(pages):
        shown = f"{docs_name}/{page}"
        folder, _, name = page.rpartition("/")
        translation = _TRANSLATION_NAME.fullmatch(name)
        base = name
        if translation and translation["lang"] != default:
            if translation["lang"] not in others:
                raise AlmanacError(f"{shown}: a translation into {translation['lang']!r}, which is not a language "
                                   f"of this site; expected NAME.<lang>.md with <lang> one of: {', '.join(others)} "
                                   f"(plugins.i18n.languages in mkdocs.yml), or add the language there.")
            base = f"{translation['name']}.md"
        elif translation:
            base = f"{translation['name']}.md"
        chapter = f"{folder}/{base}" if folder else base
        owner = folders.get(folder.split("/", 1)[0]) if folder else None
        if owner is not None and chapter not in listed:
            raise AlmanacError(f"{shown}: not listed in {docs_name}/{owner.slug}/publication.yml; expected "
                               f"'{base}' under 'chapters' (in reading order), or the file removed: an unlisted "
                               f"page would be published with no place in the publication.")
        if folder and owner is None:
            raise AlmanacError(f"{shown}: the folder {docs_name}/{folder.split('/', 1)[0]}/ has no publication.yml; "
                               f"expected every page to belong to a publication (see 'make new').")
