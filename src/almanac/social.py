"""Sharing tags: Open Graph and Twitter card metadata for every page, computed at build time.

Reads: a page's title, front matter description and rendered HTML, handed over
by the adapter. Writes: nothing (returns the tags; overrides/main.html prints them).

The description is the page's `description` front matter, else its first
paragraph (notices and admonitions skipped), else the site's description: never
written here. No image is named: the site has none made for sharing, and a
`summary` card needs none. Everything is local; nothing is fetched.
"""

from __future__ import annotations

from babel.core import get_global

from .overview import first_paragraph, shorten

DESCRIPTION_LENGTH = 200


def og_locale(lang: str) -> str:
    """The Open Graph locale of a language: its CLDR likely territory, e.g. ru → ru_RU, kk → kk_KZ."""
    likely = get_global("likely_subtags").get(lang, lang)
    parts = likely.split("_")
    territory = next((p for p in parts[1:] if p.isupper() and len(p) == 2), None)
    return f"{lang}_{territory}" if territory else lang


def description(front_matter: str | None, html: str, fallback: str) -> str:
    text = (front_matter or "").strip() or first_paragraph(html) or fallback
    return shorten(" ".join(text.split()), DESCRIPTION_LENGTH)


def tags(*, title: str, description: str, url: str, lang: str, alternates: list[str], site_name: str,
         home: bool) -> list[tuple[str, str, str]]:
    """(attribute, name, content) for each <meta>: Open Graph tags by `property`, Twitter's by `name`."""
    result = [("property", "og:type", "website" if home else "article"),
              ("property", "og:site_name", site_name),
              ("property", "og:title", title),
              ("property", "og:description", description)]
    if url:
        result.append(("property", "og:url", url))
    result.append(("property", "og:locale", og_locale(lang)))
    result += [("property", "og:locale:alternate", og_locale(other)) for other in alternates if other != lang]
    result += [("name", "twitter:card", "summary"),
               ("name", "twitter:title", title),
               ("name", "twitter:description", description)]
    return result
