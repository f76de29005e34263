"""A Content-Security-Policy for each static page, computed from the page's own HTML.

The site is static files, so the policy travels in the page itself, as a
`<meta http-equiv="Content-Security-Policy">` placed first in `<head>`: a meta
policy governs only what the parser meets after it.

The policy allows nothing from another host. Scripts and styles come from the
site itself ('self'); the few inline ones are allowed by their sha256 hash,
computed here for each page, because Material's inline scripts differ with the
page's depth (`__md_scope=new URL("../..",location)`). Every inline script the
browser would run is hashed: content editors cannot add a <script> (the build
refuses one in Markdown), so what is hashed is what the theme wrote. Charts are
matplotlib SVG with a `<style>` element and `style="..."` attributes: those are
allowed by hash too ('unsafe-hashes' admits exactly these attribute values,
never any other inline style).

Reads: a page's HTML text. Writes: nothing (pure functions over text).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import string
from dataclasses import dataclass
from html import parser as _html_parser
from html.parser import HTMLParser

META_NAME = "Content-Security-Policy"

# Inline <script> types a browser runs; others (application/json, importmap...) are data, never run.
_RUN_TYPES = {"", "text/javascript", "application/javascript", "application/ecmascript", "text/ecmascript", "module"}

# Everything from the site itself, nothing from elsewhere. data: images are Material's icons,
# which its stylesheet draws as inline SVG masks. No frame-ancestors/report-uri: a meta policy ignores them.
_FIXED = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "worker-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}

_HEAD = re.compile(r"<head(?:\s[^>]*)?>", re.I)
_CHARSET = re.compile(r"\s*<meta\s+charset=[^>]*>", re.I)


class CSPError(ValueError):
    """A page the policy cannot be added to; the message says why."""


@dataclass(frozen=True)
class Inline:
    """The inline code of one page, as hash sources ('sha256-...'), each listed once, in page order."""

    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    style_attributes: tuple[str, ...] = ()
    handlers: tuple[str, ...] = ()   # names of inline event-handler attributes (onclick=...), which the policy blocks


def hash_source(text: str) -> str:
    """The CSP hash source of `text` as the browser hashes it (UTF-8, newlines normalised by the parser)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_code(page: str) -> Inline:
    """The inline scripts, style elements and style attributes in `page`, hashed.

    Material writes the navigation into every page, so a page grows with the library and the pages together
    grow with its square (1.4 GB of HTML at 50 times the real content). `HTMLParser` visits every tag and
    text of it; the scanner below, about five times faster, visits only what can matter (comments, <script>,
    <style>, <svg> and tags with a style= or on...= attribute), found by one regular expression, and reads
    each of them with the standard library parser's own patterns. Markup it is unsure of goes to
    `HTMLParser`, which stays the reference: tests/test_csp.py checks that both agree on every built page."""
    try:
        found = _scan(page)
    except _Unsure:
        found = reference_inline_code(page)
    return Inline(*(tuple(dict.fromkeys(items)) for items in found))


def reference_inline_code(page: str) -> tuple[list[str], list[str], list[str], list[str]]:
    """What `HTMLParser` finds in `page`: (scripts, styles, style attributes, handler names), with repeats."""
    parser = _InlineParser()
    parser.feed(page)
    parser.close()
    return parser.scripts, parser.styles, parser.style_attributes, parser.handlers


class _Unsure(Exception):
    """Markup the scanner leaves to HTMLParser."""


# Where something may count, in the lower-cased page (a literal first character keeps the search fast).
# An attribute is only a candidate here: it counts if it lies inside a start tag.
_CANDIDATE = re.compile(r"<(?:!--|!\[|script(?=[\s/>])|style(?=[\s/>])|/?svg(?=[\s/>]))|style(?=[\s/=>])|on[^\s/=>]*\s*=")
_END_TAG = re.compile(r"</\s*([a-zA-Z][-.a-zA-Z0-9:_]*)\s*>")
_ASCII_LETTERS = frozenset(string.ascii_letters)
_RAW_TEXT_END = {tag: re.compile(rf"</\s*{tag}\s*>", re.I) for tag in ("script", "style")}   # as set_cdata_mode


def _scan(page: str) -> tuple[list[str], list[str], list[str], list[str]]:
    lowered = page.lower()
    if len(lowered) != len(page):
        raise _Unsure   # a character whose lower case is longer (İ): positions would not match
    scripts: list[str] = []
    styles: list[str] = []
    style_attributes: list[str] = []
    handlers: list[str] = []
    svg_depth = 0
    at = 0   # everything before `at` has been read
    while True:
        candidate = _CANDIDATE.search(lowered, at)
        if candidate is None:
            break
        text = candidate.group()
        if text == "<!--":
            end = page.find("-->", candidate.end())
            if end < 0:
                raise _Unsure
            at = end + 3
            continue
        if text == "<![":
            raise _Unsure   # CDATA and marked sections: HTMLParser's reading is the one to follow
        if text == "</svg":
            end_tag = _END_TAG.match(page, candidate.start())
            if end_tag is None:
                raise _Unsure
            svg_depth -= bool(svg_depth)
            at = end_tag.end()
            continue
        if text.startswith("<"):
            start = candidate.start()
        elif not _before_attribute(lowered[candidate.start() - 1:candidate.start()]):
            at = candidate.end()
            continue   # part of a longer word («content=»): an attribute name follows a space, quote or slash
        else:
            start = page.rfind("<", at, candidate.start())
            # Two '<' after the last '>': one is inside an attribute value, and the tag's start is not certain.
            after_gt = max(at, page.rfind(">", at, candidate.start()) + 1)
            if start >= 0 and page.find("<", after_gt, candidate.start()) not in (start, -1):
                raise _Unsure
        tag = _start_tag(page, start)
        if tag is None or tag[1] <= candidate.start():
            at = candidate.end()
            continue   # a word in text, or an attribute of something that is not a start tag
        name, end, self_closing, attrs = tag
        for attr, value in attrs:
            if attr == "style":
                style_attributes.append(hash_source(value or ""))
            elif attr.startswith("on") and value is not None:
                handlers.append(attr)
        at = end
        if self_closing:
            continue
        if name == "svg":
            svg_depth += 1
        elif name in _RAW_TEXT_END:
            close = _RAW_TEXT_END[name].search(page, end)
            if close is None:
                raise _Unsure
            content = page[end:close.start()]
            if name == "style":
                styles.append(hash_source(content))
                if svg_depth and html.unescape(content) != content:
                    styles.append(hash_source(html.unescape(content)))
            elif not dict(attrs).get("src") and _runs(dict(attrs).get("type")):
                scripts.append(hash_source(content))
            at = close.end()
    return scripts, styles, style_attributes, handlers


def _before_attribute(char: str) -> bool:
    """Whether an attribute name may follow `char`: the lookbehind of html.parser's attrfind_tolerant."""
    return char.isspace() or char in ("'", '"', "/")


def _start_tag(page: str, start: int):
    """(name, end, self-closing, attributes) of the start tag at `start`, read as HTMLParser.parse_starttag
    reads it; None if there is none; _Unsure where HTMLParser would read the text otherwise."""
    if start < 0 or page[start + 1:start + 2] not in _ASCII_LETTERS:
        return None   # HTMLParser opens a tag only at '<' and an ASCII letter
    whole = _html_parser.locatestarttagend_tolerant.match(page, start)
    after = whole.end()
    if page.startswith(">", after):
        end, self_closing = after + 1, False
    elif page.startswith("/>", after):
        end, self_closing = after + 2, True
    else:
        raise _Unsure
    found = _html_parser.tagfind_tolerant.match(page, start + 1)
    attrs, at = [], found.end()
    while at < end:
        attribute = _html_parser.attrfind_tolerant.match(page, at)
        if not attribute:
            break
        name, rest, value = attribute.group(1, 2, 3)
        if not rest:
            value = None
        elif value[:1] == "'" == value[-1:] or value[:1] == '"' == value[-1:]:
            value = value[1:-1]
        if value:
            value = html.unescape(value)
        attrs.append((name.lower(), value))
        at = attribute.end()
    if page[at:end].strip() not in (">", "/>"):
        raise _Unsure   # HTMLParser would read such a tag as text
    return found.group(1).lower(), end, self_closing, attrs


def policy(inline: Inline, live_reload: bool = False) -> str:
    """The policy text for a page with `inline` code.

    `live_reload` is for `mkdocs serve`, which injects an inline script that
    changes on every request and so cannot be hashed: scripts may then be inline.
    """
    # 'unsafe-inline' is ignored by browsers as soon as a hash is listed, so it replaces the hashes.
    scripts = ["'self'", "'unsafe-inline'"] if live_reload else ["'self'", *inline.scripts]
    styles = ["'self'", *inline.styles]
    if inline.style_attributes:
        styles += ["'unsafe-hashes'", *inline.style_attributes]
    directives = {"default-src": _FIXED["default-src"], "script-src": scripts, "style-src": styles, **_FIXED}
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def add_policy(page: str, live_reload: bool = False) -> str:
    """`page` with the policy for its own inline code."""
    return insert_policy(page, policy(inline_code(page), live_reload))


def insert_policy(page: str, text: str) -> str:
    """`page` with policy `text` first in <head> (after <meta charset>, which must stay first)."""
    if re.search(rf'<meta\s+http-equiv="?{META_NAME}', page, re.I):
        raise CSPError("the page already carries a Content-Security-Policy <meta>")
    head = _HEAD.search(page)
    if head is None:
        raise CSPError("the page has no <head> to carry its Content-Security-Policy")
    at = head.end()
    charset = _CHARSET.match(page, at)
    if charset:
        at = charset.end()
    content = html.escape(text, quote=False).replace('"', "&quot;")
    return f'{page[:at]}\n<meta http-equiv="{META_NAME}" content="{content}">{page[at:]}'


class _InlineParser(HTMLParser):
    """Collects the text of inline scripts and styles, and style/handler attributes, in document order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.style_attributes: list[str] = []
        self.handlers: list[str] = []
        self._open: str | None = None      # "script" or "style" while inside one that counts
        self._text: list[str] = []
        self._svg_depth = 0

    def handle_starttag(self, tag, attrs):
        self._attributes(attrs)
        if tag == "svg":
            self._svg_depth += 1
        elif tag == "script" and not dict(attrs).get("src") and _runs(dict(attrs).get("type")):
            self._open, self._text = "script", []
        elif tag == "style":
            self._open, self._text = "style", []

    def handle_startendtag(self, tag, attrs):
        self._attributes(attrs)

    def handle_endtag(self, tag):
        if tag == "svg" and self._svg_depth:
            self._svg_depth -= 1
        if tag != self._open:
            return
        text = "".join(self._text)
        if tag == "script":
            self.scripts.append(hash_source(text))
        else:
            self.styles.append(hash_source(text))
            # Inside <svg> the parser decodes character references in <style>; hash that text too.
            if self._svg_depth and html.unescape(text) != text:
                self.styles.append(hash_source(html.unescape(text)))
        self._open = None

    def handle_data(self, data):
        if self._open:
            self._text.append(data)

    def _attributes(self, attrs):
        for name, value in attrs:
            if name == "style":
                self.style_attributes.append(hash_source(value or ""))
            elif name.startswith("on") and value is not None:
                self.handlers.append(name)


def _runs(script_type: str | None) -> bool:
    return (script_type or "").strip().lower() in _RUN_TYPES
