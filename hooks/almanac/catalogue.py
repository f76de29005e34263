"""The catalogue of publications on the site's home page, as Markdown.

Reads: the build's project (publications, organisations, locales). Writes: nothing.
Titles and names are text, never markup: they are escaped for HTML and for Markdown.
"""

from __future__ import annotations

from html import escape


def markdown(project, lang: str, page_uri: str) -> str:
    """The catalogue in the reader's language: every publication by period, then by organisation."""
    t = lambda key, **kw: project.locales.get(lang, key, **kw)  # noqa: E731
    depth = page_uri.count("/")
    prefix = "../" * depth
    lines = [
        f"## {t('catalogue.by_kind')}",
        "",
        f"| {t('catalogue.organisation')} | {t('catalogue.publication')} | {t('catalogue.period')} | {t('catalogue.kind')} |",
        "|---|---|---|---|",
    ]
    for pub in sorted(project.publications, key=lambda p: (-p.period[0], p.slug)):
        org = _md_escape(pub.organisation.acronym_in(lang))
        lines.append(
            f"| {org} | [{_md_escape(pub.title(lang))}]({prefix}{pub.chapters[0]}) "
            f"| {_period(pub, t)} | {t('kinds.' + pub.meta['kind'])} |"
        )
    lines += ["", f"## {t('catalogue.by_organisation')}", ""]
    organisations = {}
    for pub in project.publications:
        organisations.setdefault(pub.organisation.key, (pub.organisation, []))[1].append(pub)
    for org, pubs in sorted(organisations.values(), key=lambda item: item[0].acronym["ru"].lower()):
        lines += [f"### {_md_escape(org.name_in(lang))}", ""]
        for pub in sorted(pubs, key=lambda p: -p.period[0]):
            detail = ", ".join(filter(None, [_period(pub, t), pub.date_label(lang)]))
            lines.append(f"- [{_md_escape(pub.title(lang))}]({prefix}{pub.chapters[0]}) — {_md_escape(detail)}")
        lines.append("")
    return "\n".join(lines)


def _period(pub, t) -> str:
    start, end = pub.period
    return t("period", start=start, end=end)


def _md_escape(text: str) -> str:
    # Titles are text, never markup: HTML is escaped, and Markdown's table and link syntax too.
    return escape(text, quote=False).replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
