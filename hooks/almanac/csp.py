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
from dataclasses import dataclass
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
    """The inline scripts, style elements and style attributes in `page`, hashed."""
    parser = _InlineParser()
    parser.feed(page)
    parser.close()
    return Inline(*(tuple(dict.fromkeys(found)) for found in
                    (parser.scripts, parser.styles, parser.style_attributes, parser.handlers)))


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
