"""Readers and open data: each publication's overview, sharing tags, data files and PDF facts.

Events:
- on_config: load the build's project.
- on_page_context: on a publication's home page (its first chapter), put the
  overview (almanac.overview) right after the page's title. Every chapter of
  this language pass has been rendered by then, so each one's first sentence is
  at hand. Give every page its Open Graph and Twitter tags (almanac.social),
  which overrides/main.html prints in <head>.
- on_post_page: remember the pages whose PDF links wait for their page count and size.
- on_post_build (-300, after hooks/pdf.py has published the PDFs at -200): in
  the outermost call, write every publication's data files (almanac.opendata)
  and fill the page count and size of every PDF link into the remembered pages.
  A shard build (engine.shard) fills the links to its own language's PDFs only;
  its data files are written by the default language's shard, which owns the
  site root.

Reads: the build's project, the pages of this pass (nav), <site>/pdf/*.pdf.
Writes: <site>/data/<slug>/indicators.csv, indicators.json, datapackage.json;
the page count and size into the written pages (text only: no script or style
changes, so each page's Content-Security-Policy stays right).
"""

from __future__ import annotations

import logging
import re
from functools import partial
from pathlib import Path
from urllib.parse import urljoin

from mkdocs.plugins import event_priority
from mkdocs.utils import get_relative_url

import engine
from almanac import context, opendata, overview, shards, social, translations, workers
from almanac.locales import DEFAULT_LANGUAGE

log = logging.getLogger("mkdocs.hooks.readers")

_H1_END = re.compile(r"</h1>", re.I)


class _State:
    """This build's written pages that wait for their PDF facts, from every language pass (engine.state)."""

    def __init__(self):
        self.waiting: list[Path] = []   # written pages with PDF placeholders


@engine.reports_errors
def on_config(config):
    engine.project(config)
    return config


@engine.reports_errors
def on_page_context(ctx, page, config, nav):
    project = engine.project(config)
    src = context.language_free(page.file.src_uri)
    pub = project.by_chapter.get(src)
    ctx["almanac_social"] = _social(project, page, src, config)
    if pub is not None and src == pub.chapters[0]:
        html = _overview(project, pub, page, nav, config)
        found = _H1_END.search(page.content or "")
        at = found.end() if found else 0
        page.content = f"{page.content[:at]}\n{html}\n{page.content[at:]}"
    return ctx


def on_post_page(output, page, config):
    if overview.has_placeholders(output):
        _state(config).waiting.append(Path(page.file.abs_dest_path))
    return output


# After hooks/pdf.py's on_post_build (-200), which publishes the PDFs.
@event_priority(-300)
@engine.reports_errors
def on_post_build(config):
    if engine.nested(config):
        return
    project = engine.project(config)
    state = _state(config)
    site = Path(config.site_dir)
    unit = engine.unit(config)
    if engine.shard() in (None, DEFAULT_LANGUAGE) and not (unit and unit.library):
        # One warning per problem and build; --strict turns it into a failure.
        written = opendata.write(site, project, config.site_url or "", partial(engine.warn_once, config, log))
        log.info(f"Open data: wrote {len(written)} files under {opendata.FOLDER}/ "
                 f"for {len({path.rsplit('/', 1)[0] for path in written})} publications")
    if project.settings["pdf"] and unit and unit.library:
        # The catalogue's PDFs are the publications' units': their facts are filled in when the site is assembled.
        shards.write_part(site, "facts", {"pages": sorted({page.relative_to(site).as_posix() for page in state.waiting})})
    elif project.settings["pdf"]:
        changed = overview.fill_pages(state.waiting, site / "pdf", project.locales,
                                      context.cache_dir(project.root, "pdf-facts"))
        log.info(f"PDF facts: page count and size filled into {len(changed)} pages")
        if engine.shard() or workers.handed():
            # The other languages' PDFs exist only once the shards are assembled (almanac.shards.assemble); the
            # PDFs a unit handed to the pool (hooks/pdf.py), once rendered: the pool then has them filled in
            # (almanac.units.fill_facts), before the unit is kept.
            shards.write_part(site, "facts", {"pages": sorted({page.relative_to(site).as_posix()
                                                              for page in state.waiting})})


def _overview(project, pub, page, nav, config) -> str:
    lang = engine.build_language(config)
    by_src = {context.language_free(p.file.src_uri): p for p in nav.pages}
    chapters = []
    for chapter in pub.chapters[1:]:
        other = by_src.get(chapter)
        if other is None:
            continue
        chapters.append(overview.ChapterInfo(
            title=other.title or "", href=get_relative_url(other.url, page.url), html=other.content or "",
            lang=engine.page_language(other, config), description=(other.meta or {}).get("description")))
    home = pub.chapters[0].removesuffix("index.md")
    links = {other: {"page": get_relative_url(engine.site_prefix(other) + home, page.url),
                     "pdf": get_relative_url(f"pdf/{pub.slug}.{other}.pdf", page.url),
                     "print": get_relative_url(f"pdf/print/{pub.slug}.{other}.pdf", page.url)}
             for other in project.languages}
    data = None
    if pub.slug in project.datasets:
        data = {kind: get_relative_url(path, page.url) for kind, path in opendata.paths(pub.slug).items()}
    return overview.html(project, pub, lang, chapters, links, data, project.settings["pdf"], engine.print_downloads())


def _social(project, page, src: str, config) -> list[tuple[str, str, str]]:
    lang = engine.build_language(config)
    content_lang = engine.page_language(page, config)
    fallback = content_lang != lang
    # A fallback page's canonical link names the original (hooks/i18n.py); its sharing tags agree.
    url = engine.default_url(page) if fallback else page.url
    real = [other for other in project.languages
            if translations.localized(project.docs_dir, src, other).is_file()]
    meta = page.meta or {}
    return social.tags(
        title=page.title or config.site_name, url=urljoin(config.site_url, url) if config.site_url else "",
        description=social.description(meta.get("description"), page.content or "", config.site_description or ""),
        lang=content_lang, alternates=real, site_name=config.site_name, home=src == "index.md",
    )


def _state(config) -> _State:
    return engine.state(config, "readers", _State)
