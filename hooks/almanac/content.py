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
- no `<script>` (the site's Content-Security-Policy trusts every inline script);
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

from .errors import AlmanacError

# The same pattern MkDocs uses to find front matter (mkdocs.utils.meta), so both agree on where it ends.
FRONT_MATTER = re.compile(r"\A-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.S)
_OPENS_FRONT_MATTER = re.compile(r"\A-{3}[ \t]*\n")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+).+?\1")
_H1 = re.compile(r"^#[ \t]+\S")
_SCRIPT = re.compile(r"<script\b", re.I)
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
    has_title = False
    for number, line in _prose_lines(lines, body_line):
        has_title = has_title or bool(_H1.match(line))
        _check_line(line, number, shown, path, docs_dir)
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
    return meta, match.group(0).count("\n") + 1


def _load_front_matter(block: str):
    # libyaml parses the same values about 10 times faster (every page of every language is read); an error
    # is parsed again by the pure-Python parser, whose wording and lines the messages are written for.
    try:
        return yaml.load(block, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.safe_load(block)


_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    if _SCRIPT.search(line):
        raise AlmanacError(f"{where}: <script> is not allowed in a page; expected text, Markdown or "
                           f"a data marker (scripts belong to the theme, under overrides/).")
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


def _local(url_path: str, page: Path, docs_dir: Path) -> Path:
    relative = unquote(url_path)
    base = docs_dir if relative.startswith("/") else page.parent
    return (base / relative.lstrip("/")).resolve()


def _kind(value) -> str:
    return {list: "list", str: "text", int: "number", float: "number", bool: "yes/no value"}.get(type(value), type(value).__name__)


def text_digest(text: str) -> str:
    """A hash of what a text says, not how it is spaced: the same words, numbers and links give the same digest.

    Line endings, a BOM, Unicode composition and runs of whitespace do not count,
    so re-wrapping a paragraph or saving with CRLF does not make translations stale."""
    words = " ".join(unicodedata.normalize("NFC", text.lstrip("\ufeff")).split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:12]
