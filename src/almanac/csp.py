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

The page is read as a browser reads it, by Lexbor's HTML5 parser (selectolax) with scripting on, so
what is hashed is the text the browser hashes: a script's text ends where the browser ends it (not at
a `</script>` inside `<!-- <script>`), newlines are normalised, `<noscript>` holds no elements, and
inside `<svg>` character references are decoded and CDATA sections read.

What is hashed must never be something content brought in: the Markdown check refuses `<style>`,
`<script>` and `style=` in pages and translations (almanac.markup), and, as a second line,
`check_content` refuses any of them in a page's rendered content outside the charts the build drew,
before the page is written (hooks/content.py), so no editor or translator can restyle or script a
page by getting it hashed into its own policy.

Reads: a page's HTML text. Writes: nothing (pure functions over text).
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from .errors import AlmanacError

META_NAME = "Content-Security-Policy"

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
    """The inline code of one page, as hash sources ('sha256-...'), each listed once, in page order
    (the content of <template>s last)."""

    scripts: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()
    style_attributes: tuple[str, ...] = ()
    handlers: tuple[str, ...] = ()   # names of inline event-handler attributes (onclick=...), which the policy blocks


def hash_source(text: str) -> str:
    """The CSP hash source of `text`, the content of an element or attribute as parsed: its UTF-8, hashed."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_code(page: str) -> Inline:
    """The inline scripts, style elements and style attributes in `page`, hashed, and its event handlers.

    Material writes the navigation into every page, so a page grows with the library and the pages together
    grow with its square (1.4 GB of HTML at 50 times the real content). The parser builds the tree in C;
    one selector then visits only the elements that can carry inline code, so Python touches a few
    elements a page. The content of `<template>`s and of `<iframe srcdoc>` documents (which inherit the
    page's policy) counts too."""
    found: tuple[list[str], ...] = ([], [], [], [])
    _collect(page, found)
    return Inline(*(tuple(dict.fromkeys(items)) for items in found))


# Where the build itself puts inline styles in a page's content: the SVG of a chart (overrides/partials/almanac/chart.html).
_CHART = "div.almanac-chart figure.almanac-chart__figure svg"


def check_content(rendered: str, shown: str) -> None:
    """AlmanacError naming `shown` if a page's rendered content (Markdown made HTML, markers expanded) holds a
    `<script>`, or a `<style>` element or `style` attribute outside a chart the build drew: content never
    brings inline code that the policy would then hash."""
    if "<script" not in rendered.lower() and "style" not in rendered.lower():
        return
    tree = LexborHTMLParser(f"<body>{rendered}</body>".encode("utf-8"), scripting=True)
    charted = set()
    for svg in tree.css(_CHART):
        charted.update(node.mem_id for node in svg.traverse(include_text=False))
    for element in tree.css("script, style, [style]"):
        if element.tag != "script" and element.mem_id in charted:
            continue
        what = f"a <{element.tag}> element" if element.tag in ("script", "style") else \
            f"a style attribute on <{element.tag}>"
        raise AlmanacError(f"{shown}: the page's HTML has {what} that no chart of the build drew; content may not "
                           f"bring styles or scripts (the Content-Security-Policy would allow them); expected text, "
                           f"Markdown and the allowed HTML elements (see README, \"Bad input\").")


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


# The elements that can carry inline code; handler attributes are added per page (see _handler_names).
_CODE = "script, style, [style], iframe[srcdoc]"

# A handler attribute as the tokenizer reads it, in the ASCII-lower-cased bytes (as it lower-cases names):
# a name after a space, '/' or a quote, then '='. This only chooses which names to ask the parsed page for.
_HANDLER = re.compile(rb"on[a-z]+(?=[\t\n\f\r ]*=)")
_BEFORE_NAME = frozenset(b" \t\n\f\r/\"'")

# What the script's type must be for the browser to check its text against the policy: the JavaScript MIME
# types, modules, import maps and speculation rules (HTML, "prepare the script element"). Others are data.
_CHECKED_TYPES = frozenset({
    "application/ecmascript", "application/javascript", "application/x-ecmascript", "application/x-javascript",
    "text/ecmascript", "text/javascript", "text/javascript1.0", "text/javascript1.1", "text/javascript1.2",
    "text/javascript1.3", "text/javascript1.4", "text/javascript1.5", "text/jscript", "text/livescript",
    "text/x-ecmascript", "text/x-javascript", "module", "importmap", "speculationrules",
})
_ASCII_WHITESPACE = " \t\n\f\r"

# Elements of <svg> and <math> whose children are HTML again (HTML's integration points).
_INTEGRATION_POINTS = {"svg": {"foreignobject", "desc", "title"},
                       "math": {"mi", "mo", "mn", "ms", "mtext", "annotation-xml"}}


def _collect(page: str, found: tuple[list[str], ...]) -> None:
    """Adds the inline code of `page` to `found` (scripts, styles, style attributes, handler names)."""
    data = page.encode("utf-8")
    handler_names = _handler_names(data)
    selector = ", ".join([_CODE, *(f"[{name}]" for name in handler_names)])
    document = LexborHTMLParser(data, scripting=True)   # as a browser that runs scripts: <noscript> is text
    trees = [document]
    for tree in trees:   # template content is no part of the tree; scripts cloned from it run all the same
        trees += tree.template_fragments()
    for tree in trees:
        # An element matching several selectors comes once per selector, next to itself.
        for element in dict.fromkeys(tree.css(selector)):
            _element_code(element, handler_names, found)


def _element_code(element, handler_names: frozenset[str], found: tuple[list[str], ...]) -> None:
    """Adds what one element of the selector carries to `found`."""
    scripts, styles, style_attributes, handlers = found
    attributes = element.attributes
    if element.tag == "script":
        if _checked(element, attributes):
            scripts.append(hash_source(element.text(deep=False)))
    elif element.tag == "style":
        styles.append(hash_source(element.text(deep=False)))
    elif element.tag == "iframe" and attributes.get("srcdoc"):
        _collect(attributes["srcdoc"], found)   # a srcdoc document runs under this page's policy
    if "style" in attributes:
        style_attributes.append(hash_source(attributes["style"] or ""))
    handlers += [name for name, value in attributes.items() if name in handler_names and value is not None]


def _handler_names(data: bytes) -> frozenset[str]:
    """The names of event-handler attributes `data` may hold: all of them, and some words that are not."""
    lowered = data.lower()   # bytes: ASCII letters only, as the tokenizer lower-cases names
    names = set()
    for match in _HANDLER.finditer(lowered):
        if match.start() and lowered[match.start() - 1] in _BEFORE_NAME:
            names.add(match.group().decode("ascii"))
    return frozenset(names)


def _checked(script, attributes: dict[str, str | None]) -> bool:
    """Whether the browser checks `script`'s text against the policy: it is inline and of a type it runs."""
    svg = _namespace(script) == "svg"
    if svg:
        # An SVG script is external by its href; its `language` means nothing.
        if attributes.get("href") or attributes.get("xlink:href"):
            return False
        language = None
    elif "src" in attributes:
        return False   # even src="": the browser then fires an error and never runs the text
    else:
        language = attributes.get("language")   # absent or empty: JavaScript
    if "type" in attributes:
        kind = attributes["type"] or ""
        kind = kind.strip(_ASCII_WHITESPACE) if kind else "text/javascript"
    elif language:
        kind = "text/" + language
    else:
        kind = "text/javascript"
    return kind.lower() in _CHECKED_TYPES


def _namespace(element) -> str:
    """The namespace the tree builder gave `element` ("html", "svg" or "math"), from its ancestors' names."""
    names = []
    while element is not None and element.tag not in (None, "-document"):
        names.append(element.tag.lower())
        element = element.parent
    namespace, integration_point = "html", False
    for name in reversed(names):
        if namespace == "html" or integration_point:
            namespace = name if name in ("svg", "math") else "html"
        # Otherwise a child of foreign content keeps its parent's namespace (a script is no breakout tag).
        integration_point = name in _INTEGRATION_POINTS.get(namespace, ())
    return namespace
