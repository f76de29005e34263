"""The catalogue of publications on the site's home page: one card per publication, and filters.

Reads: the build's project (publications, organisations, datasets, locales,
which translation files exist), `overrides/partials/almanac/catalogue.html`.
Writes: nothing (returns the catalogue as a raw HTML block for the page's Markdown).

Each card says who published what, for which period, of which kind, in which
languages (marking those where the original is shown) and what can be
downloaded (a PDF not wholly translated says it holds the original). The filters (organisation, kind, year) are a form that stays hidden
without JavaScript: `overrides/assets/javascripts/catalogue.js` shows it and
filters the cards by their `data-*` attributes; without it every card shows.
"""

from __future__ import annotations

from . import opendata, overview, templating
from .locales import DEFAULT_LANGUAGE


def markdown(project, lang: str, page_url: str, prefix_of) -> str:
    """The catalogue for a reader of `lang` on the page at `page_url` (e.g. "en/").

    `prefix_of(lang)` is where a language's pages live in the site ("" or "en/")."""
    loc = project.locales
    t = lambda key, **kw: loc.get(lang, key, **kw)  # noqa: E731
    up = "../" * page_url.count("/")
    pubs = sorted(project.publications, key=lambda p: (-p.period[0], p.organisation.acronym_in(lang).lower(), p.slug))
    cards = [_card(project, pub, lang, up, prefix_of) for pub in pubs]
    organisations = sorted({(pub.organisation.key, pub.organisation.acronym_in(lang)) for pub in pubs},
                           key=lambda item: item[1].lower())
    kinds = sorted({pub.meta["kind"] for pub in pubs})
    years = sorted({year for pub in pubs for year in range(pub.period[0], pub.period[1] + 1)}, reverse=True)
    template = templating.environment(project.root / "overrides" / "partials" / "almanac").get_template("catalogue.html")
    html = template.render(
        lang=lang, heading=t("catalogue.title"), cards=cards, organisations=organisations,
        kinds=[(kind, t(f"kinds.{kind}")) for kind in kinds], years=years,
        f={key: t(f"readers.filters.{key}") for key in ("legend", "organisation", "kind", "year", "all", "shown", "none")},
        total=len(cards),
    )
    # A raw HTML block: Python-Markdown passes it through as long as no line of it is blank. The page's
    # markers are expanded after this, so braces from a title are written as entities: text, not a marker.
    return "\n".join(line for line in html.splitlines() if line.strip()).replace("{{", "&#123;{")


def _card(project, pub, lang: str, up: str, prefix_of) -> dict:
    loc = project.locales
    states = overview.translation_states(pub, project.docs_dir, project.languages)
    home = pub.chapters[0].removesuffix("index.md")
    title_lang = lang if lang in pub.meta["title"] else DEFAULT_LANGUAGE
    data = (project.datasets.get(pub.slug) is not None)
    return {
        "slug": pub.slug,
        "title": pub.title(lang), "title_lang": title_lang,
        "href": f"{up}{prefix_of(lang)}{home}",
        "organisation": pub.organisation.key,
        "organisation_name": pub.organisation.name_in(lang),
        "organisation_acronym": pub.organisation.acronym_in(lang),
        "kind": pub.meta["kind"], "kind_label": loc.get(lang, f"kinds.{pub.meta['kind']}"),
        "period": loc.get(lang, "period", start=pub.period[0], end=pub.period[1]),
        "years": " ".join(str(y) for y in range(pub.period[0], pub.period[1] + 1)),
        "languages": [{"lang": other, "name": loc.get(other, "language_name"),
                       "state": loc.get(lang, f"readers.states.{states[other]}"),
                       "fallback": states[other] in ("fallback", "partial"),
                       "href": f"{up}{prefix_of(other)}{home}",
                       "pdf": f"{up}pdf/{pub.slug}.{other}.pdf" if project.settings["pdf"] else None,
                       "pdf_lang": overview.pdf_language(states[other], other),
                       "pdf_note": overview.pdf_note(states[other], lang, loc),
                       "facts": overview.pdf_placeholder(f"{pub.slug}.{other}", lang)} for other in project.languages],
        "data": {kind: up + path for kind, path in opendata.paths(pub.slug).items()} if data else None,
        "t": {key: loc.get(lang, f"readers.{key}") for key in ("organisation", "kind", "period", "languages",
                                                               "downloads", "data")},
    }
