"""Everything that depends on Material's HTML markup, in one place (not a hook itself).

Reads and writes nothing: each function takes a page's HTML and returns it rewritten.
The templates Almanac overrides live in overrides/ (main.html, partials/); the
rewrites of Material's own output live here, and nowhere else.

Each rewrite checks that Material's markup is what it was written against. If a
Material release changes it, the build stops with one line naming the rewrite,
rather than publishing pages that silently lost it (tests/test_material.py
checks each against the pages of a real build).
"""

from __future__ import annotations

import re

from almanac.errors import AlmanacError

_ALTERNATE = re.compile(r'<link rel="alternate" href="[^"]*" hreflang="[^"]+">\s*')
_CANONICAL = re.compile(r'<link rel="canonical" href="[^"]*">')
_SEARCH_BASE = re.compile(r'("base":\s*")([^"]*)(")')
_SEARCH_WORKER = re.compile(r'("search":\s*"[^"?]*/)(search\.[0-9a-f]+\.min\.js)(")')


class MarkupChanged(AlmanacError):
    """Material's markup is not what a rewrite expects."""

    def __init__(self, rewrite: str, page: str, expected: str):
        super().__init__(f"{page}: the rewrite '{rewrite}' found no {expected} in Material's page; "
                         f"Material's markup has changed: update hooks/material_markup.py.")


def drop_alternate_links(html: str, page: str, languages: int) -> str:
    """Remove Material's per-page hreflang alternates (they live in the sitemap instead).

    Material fetches "sitemap.xml" beside every <link rel=alternate> in a page, which would call the
    public host from every preview or mirror."""
    result, count = _ALTERNATE.subn("", html)
    if languages > 1 and count == 0:
        raise MarkupChanged("drop alternate links", page, '<link rel="alternate" href=… hreflang=…>')
    return result


def point_canonical(html: str, page: str, url: str) -> str:
    """Point the page's canonical link at `url` (a fallback page's original)."""
    result, count = _CANONICAL.subn(f'<link rel="canonical" href="{url}">', html, count=1)
    if count != 1:
        raise MarkupChanged("canonical of a fallback page", page, '<link rel="canonical" href=…>')
    return result


def search_base(html: str, page: str, scope: str) -> str:
    """Make Material's search read the index of this page's scope: its language's folder, and its
    publication's within it (almanac.search.scope: "en/", "runpud-2021-2024/", "en/runpud-2021-2024/").

    Material reads new URL("search/search_index.json", base) and resolves each result's location
    against base too. The trailing slash matters: "../en" resolves to "/en", and the index beside it
    is the root's."""
    result, count = _SEARCH_BASE.subn(lambda m: f"{m.group(1)}{m.group(2).rstrip('/')}/{scope}{m.group(3)}", html,
                                      count=1)
    if count != 1:
        raise MarkupChanged("search base", page, '"base": "…" in the __config script')
    return result


def search_worker(html: str, page: str) -> str:
    """Make the page start Almanac's search worker, which stems queries and shortens snippets around
    Material's own worker (overrides/assets/javascripts/workers/almanac-search.js), named as its engine."""
    result, count = _SEARCH_WORKER.subn(
        lambda m: f"{m.group(1)}almanac-search.js?engine={m.group(2)}{m.group(3)}", html, count=1)
    if count != 1:
        raise MarkupChanged("search worker", page, '"search": "…/search.<hash>.min.js" in the __config script')
    return result
