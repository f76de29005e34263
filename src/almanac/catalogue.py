"""The catalogue of publications on the site's home page: one card per publication, and filters.

Reads: the build's project (publications, organisations, datasets, locales,
which translation files exist), `overrides/partials/almanac/catalogue.html`.
Writes: nothing (returns the catalogue as a raw HTML block for the page's Markdown).

Each card shows the cover of the reader's PDF (almanac.covers renders it once
the PDFs exist; the <img> carries its size, so it causes no layout shift, and
there is none when PDFs are off), says who published what, for which period, of
which kind, in one line (the publication's `abstract`), offers "Read online",
says in which languages (marking those where the original is shown) and what
can be downloaded (a PDF not wholly translated says it holds the original).

The filters (organisation, kind, year) are in the page from the first paint, so
nothing moves when the script arrives; a filter with a single choice is left
out. `overrides/assets/javascripts/catalogue.js` filters the cards by their
`data-*` attributes; without JavaScript a stylesheet in <noscript> hides the
form, and every card shows. On a phone the form folds into a native
<details> "Filter" control (`overrides/assets/stylesheets/catalogue.css`).
"""

from __future__ import annotations

from . import covers as cover_images
from . import opendata, overview, templating
from .locales import DEFAULT_LANGUAGE

NOSCRIPT_STYLESHEET = "assets/stylesheets/catalogue-noscript.css"


def markdown(project, lang: str, page_url: str, prefix_of, covers: bool = False) -> str:
    """The catalogue for a reader of `lang` on the page at `page_url` (e.g. "en/").

    `prefix_of(lang)` is where a language's pages live in the site ("" or "en/"); `covers` says
    whether the site's PDFs, and so their covers, are published (not when PDFs are off)."""
    loc = project.locales
    t = lambda key, **kw: loc.get(lang, key, **kw)  # noqa: E731
    up = "../" * page_url.count("/")
    pubs = sorted(project.publications, key=lambda p: (-p.period[0], p.organisation.acronym_in(lang).lower(), p.slug))
    cards = [_card(project, pub, lang, up, prefix_of, covers) for pub in pubs]
    organisations = sorted({(pub.organisation.key, pub.organisation.acronym_in(lang)) for pub in pubs},
                           key=lambda item: item[1].lower())
    kinds = sorted({pub.meta["kind"] for pub in pubs})
    years = sorted({year for pub in pubs for year in range(pub.period[0], pub.period[1] + 1)}, reverse=True)
    template = templating.environment(project.root / "overrides" / "partials" / "almanac").get_template("catalogue.html")
    html = template.render(
        lang=lang, heading=t("catalogue.title"), cards=cards, organisations=organisations,
        kinds=[(kind, t(f"kinds.{kind}")) for kind in kinds], years=years,
        f={key: t(f"readers.filters.{key}") for key in ("legend", "organisation", "kind", "year", "all", "none",
                                                         "toggle", "apply")},
        shown=t("readers.filters.shown", shown="{shown}", total="{total}"),
        shown_now=t("readers.filters.shown", shown=len(cards), total=len(cards)),
        noscript=up + NOSCRIPT_STYLESHEET,
    )
    # A raw HTML block: Python-Markdown passes it through as long as no line of it is blank. The page's
    # markers are expanded after this, so braces from a title are written as entities: text, not a marker.
    return "\n".join(line for line in html.splitlines() if line.strip()).replace("{{", "&#123;{")


def _card(project, pub, lang: str, up: str, prefix_of, covers: bool) -> dict:
    loc = project.locales
    states = overview.translation_states(pub, project.docs_dir, project.languages)
    home = pub.chapters[0].removesuffix("index.md")
    title_lang = lang if lang in pub.meta["title"] else DEFAULT_LANGUAGE
    data = pub.slug in project.datasets
    abstract = pub.abstract(lang)
    return {
        "slug": pub.slug,
        "title": pub.title(lang), "title_lang": title_lang,
        "href": f"{up}{prefix_of(lang)}{home}",
        "abstract": abstract[0] if abstract else None, "abstract_lang": abstract[1] if abstract else lang,
        "cover": {"src": up + cover_images.path(f"{pub.slug}.{lang}"), "width": cover_images.WIDTH,
                  "height": cover_images.HEIGHT,
                  "alt": loc.get(lang, "readers.cover", title=pub.title(lang))} if covers else None,
        "read": loc.get(lang, "readers.read_online"),
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
