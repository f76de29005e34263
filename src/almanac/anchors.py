"""Links to a place inside a page (`#anchor`) lead to an anchor that exists, within or across publications.

Reads: the HTML of every page of one build pass, as rendered from its Markdown
(headings with their ids, footnotes, attribute lists, tables and charts), and
the page's source text to name the line. Writes: nothing.

A link to a missing anchor opens the right page at the wrong place (its top), so
the reader never learns the target is gone; it is refused like a link to a
missing page. Checked after every page of a pass is rendered and before any is
written, so that the failed build publishes nothing.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from urllib.parse import unquote, urljoin, urlsplit

from .errors import AlmanacError

_ID = re.compile(r"""\s(?:id|name)\s*=\s*["']([^"']+)["']""")
_HREF = re.compile(r"""<a\b[^>]*?\shref\s*=\s*["']([^"']*#[^"']*)["']""", re.I)


@dataclass
class Rendered:
    shown: str        # the source file, as the editor names it (content/x/01-a.md)
    url: str          # the page's URL in the site, e.g. "x/01-a/" ("" for the home page)
    html: str         # the page's content, as rendered
    source: str       # the page's Markdown, to find the line of a link


def check(pages: list[Rendered]) -> None:
    """Raise AlmanacError for the first link whose `#fragment` names no anchor of its target page."""
    anchors = {"/" + page.url: set(_ID.findall(page.html)) for page in pages}
    for page in pages:
        base = "/" + page.url
        for href in _HREF.findall(page.html):
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or not parts.fragment:
                continue
            target = urlsplit(urljoin(base, parts.path)).path if parts.path else base
            fragment = unquote(parts.fragment)
            known = anchors.get(target)
            if known is None or fragment in known or parts.fragment in known:
                continue   # not a page of this pass (a file, or a page the preview does not build)
            raise AlmanacError(_message(page, href, fragment, target, known, pages))


def _message(page: Rendered, href: str, fragment: str, target: str, known: set[str], pages) -> str:
    line = _line_of(page.source, fragment)
    where = f"{page.shown}, line {line}" if line else page.shown
    target_page = next((p.shown for p in pages if "/" + p.url == target), target)
    near = difflib.get_close_matches(fragment, sorted(known), 1, 0.6)
    hint = f"did you mean '#{near[0]}'? " if near else ""
    place = "this page" if target_page == page.shown else target_page
    return (f"{where}: the link to '#{fragment}' leads to no anchor in {place}; {hint}expected the id of one of "
            f"its headings (as in its address bar after clicking the heading's ¶) or of an {{: #id }} attribute.")


def _line_of(source: str, fragment: str) -> int | None:
    for number, line in enumerate(source.split("\n"), 1):
        if f"#{fragment}" in unquote(line):
            return number
    return None
