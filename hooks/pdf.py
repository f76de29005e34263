"""PDF export: one brochure per publication and language, offered by a download button.

Events:
- on_startup: tell engine whether this is `mkdocs serve` (PDFs never block it).
- on_config: validate `extra.almanac` (the build's state, engine.state, starts empty).
- on_files: keep overrides/print/ (the brochure's stylesheet) out of the website.
- on_page_content: keep each chapter's HTML, in the content's language.
- on_page_context: give templates the PDF link and its label.
- on_env: once a language's chapters are all captured, hand its changed PDFs
  to a process pool (cache keyed by content hash), which renders them while
  the pages of this and the next languages are written; say how many are to
  render and how many are cached (almanac.progress reads it); log, once a build,
  each image the printer's edition downsamples to 300 ppi.
- on_post_build: after the last language, wait for the pool, then copy every
  PDF from the cache to <site>/pdf/ (and the printer's edition's to <site>/pdf/print/ when both are
  published), and the screen edition's covers (their first pages, for the catalogue; almanac.covers) to
  <site>/covers/. A shard build (one language, see engine.shard) copies its own and lists them, and those
  it rendered, in <site>/.almanac-shard/pdf.json;
  `almanac build` records them in the cache's manifest once every shard is built. A unit built on a
  worker of `almanac build`'s pool renders none: it hands its PDFs to render back to the pool
  (almanac.workers.Render), whose idle workers render them and copy them, and their covers, into its site.
- on_build_error, on_shutdown: stop the pool.

The pool lives no longer than its build: it is started by the build's first on_env that has PDFs to
render (never while serving), and stopped when on_post_build has collected it, or on an error.

Reads: captured chapter HTML, publication metadata, locales/*.yml,
overrides/print/*, overrides/assets/fonts/*.
Writes: .cache/almanac/pdf/<key>.pdf, .cache/almanac/pdf/manifest.json,
<site>/pdf/<slug>.<lang>.pdf and <site>/pdf/print/<slug>.<lang>.pdf, .cache/almanac/covers/<key>.webp,
<site>/covers/<slug>.<lang>.webp (none for the printer's edition, whose first page carries its bleed and marks).

Set ALMANAC_PRINT_EDITION=1 (make print) or extra.almanac.print_edition for
the printer's edition: 3 mm bleed, crop and registration marks beyond it
(extra.almanac.print_marks), whole sheets. `almanac build` with
extra.almanac.print_downloads renders both editions in the same build, from the
same captured chapters, into one pool (engine.print_downloads): the printer's
goes to <site>/pdf/print/. Each publication's PDFs are dated by the last commit
of its inputs (git is asked once a build).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

import engine
from almanac import brochures, build, context, covers, fonts, pdf, progress, settings, shards, workers

log = logging.getLogger("mkdocs.hooks.pdf")


class _Edition:
    """One edition's stylesheet, the hash of the inputs its PDFs share, and its jobs."""

    def __init__(self, print_edition: bool, root: Path):
        self.print_edition = print_edition
        self.css = brochures.stylesheet(root / "overrides" / "print", print_edition)
        self.shared = pdf.shared_inputs(self.css, root / "overrides" / "print", context.fonts_dir(root))
        self.render_css = ""             # the stylesheet as the workers get it, made when a PDF is to render
        self.jobs: list[pdf.Job] = []


class _State:
    """This build's chapters, editions and render pool, shared by its language passes (engine.state)."""

    def __init__(self):
        self.chapters: dict[tuple[str, str], dict[str, pdf.Chapter]] = {}
        self.editions: list[_Edition] = []   # the site's, the printer's, or both, rendered from the same chapters
        self.rendered: set[str] = set()      # names of the jobs handed to the pool (.print for the printer's edition)
        self.noted: set[str] = set()         # lines already logged about the jobs' images (every language shares them)
        self.pool: pdf.RenderPool | None = None
        self.handed: list[tuple[_Edition, pdf.Job]] = []   # left for `almanac build`'s pool to render
        self.started = 0.0
        self.dates: dict = {}                # slug -> almanac.dates.ContentDate, asked of git once a build


def on_startup(command, dirty):
    engine.started(command)


def on_files(files, config):
    """The print stylesheet lives in overrides/ beside the templates, but is not part of the website."""
    print_dir = engine.project_root(config) / "overrides" / "print"
    for file in [f for f in files if f.abs_src_path and Path(f.abs_src_path).parent == print_dir]:
        files.remove(file)
    return files


@event_priority(-110)
@engine.reports_errors
def on_config(config):
    engine.project(config)  # settings, publications and data validated once, at the start of the build
    return config


# Before hooks/i18n.py wraps fallback pages in a notice, which the PDF does not want.
@event_priority(10)
def on_page_content(html, page, config, files):
    project = engine.project(config)
    src = context.language_free(page.file.src_uri)
    pub = project.by_chapter.get(src)
    if pub is None:
        return html
    lang = engine.build_language(config)
    state = _state(config)
    chapter = pdf.Chapter(src=f"{project.docs_name}/{page.file.src_uri}", title=page.title or "", html=html,
                          lang=engine.page_language(page, config), url=page.url)
    state.chapters.setdefault((pub.slug, lang), {})[src] = chapter
    return html


@engine.reports_errors
def on_env(env, config, files):
    """Every chapter of this language has been rendered: start its PDFs now, in every edition this build makes."""
    project = engine.project(config)
    if engine.serving() or not project.settings["pdf"]:
        return env
    state = _state(config)
    root = project.root
    if not state.editions:
        state.editions = [_Edition(print_edition, root) for print_edition in _editions(config)]
    lang = engine.build_language(config)
    cache = context.cache_dir(root, "pdf")
    cache.mkdir(parents=True, exist_ok=True)
    for slug in sorted({slug for slug, _ in state.chapters} - set(state.dates)):
        state.dates[slug] = brochures.content_date(project, slug)
        note = state.dates[slug].note(f"{project.docs_name}/{slug}")
        if note:
            log.info(build.NOTE + note)
    planned = todo = 0
    for edition in state.editions:
        jobs = [brochures.job(project, slug, lang, captured, config.site_url or "", edition.print_edition,
                              edition.shared, cache, state.dates[slug], project.settings["print_marks"])
                for (slug, job_lang), captured in sorted(state.chapters.items()) if job_lang == lang]
        edition.jobs.extend(jobs)
        planned += len(jobs)
        todo += _submit(state, edition, [job for job in jobs if not job.cache_path.exists()], project,
                        inline=engine.unit(config) is not None)
    if planned:
        log.info(progress.planned_line(lang, todo, planned - todo))   # read by `almanac build`
    return env


def on_page_context(ctx, page, config, nav):
    project = engine.project(config)
    pub = project.by_chapter.get(context.language_free(page.file.src_uri))
    if pub is None or not project.settings["pdf"]:
        return ctx
    lang = engine.build_language(config)
    loc = project.locales
    ctx["almanac_pdf"] = {"href": f"pdf/{pub.slug}.{lang}.pdf", "label": loc.get(lang, "pdf.download"),
                          "lang": lang}
    return ctx


# After static-i18n's on_post_build (-100): every language has been built.
@event_priority(-200)
@engine.reports_errors
def on_post_build(config):
    project = engine.project(config)
    if engine.nested(config) or not project.settings["pdf"]:
        return
    cache = brochures.Cache(context.cache_dir(project.root, "pdf"))
    out_dir = Path(config.site_dir) / "pdf"
    if engine.serving():
        unit = engine.unit(config)
        if unit is not None and unit.library:
            return   # the publications' units offer their own PDFs and covers
        _publish_covers(config, _serve_cached(cache, out_dir, unit.slug if unit else None))
        return
    state = _state(config)
    _wait_for_pool(state)
    site = Path(config.site_dir)
    if engine.shard() or engine.unit(config):
        # Shards and units build at the same time: the manifest is theirs together, written by the parent when all succeeded.
        handed = _hand_over(config, state, site)
        for edition in state.editions:
            brochures.copy_out([job for job in edition.jobs if _name(job) not in handed],
                               site / _folder(config, edition))
        screen, printed = _files(state, False), _files(state, True)
        shards.write_part(site, "pdf", {"files": screen or printed, "print_edition": not screen and bool(printed),
                                        "print_files": printed if screen else {}, "rendered": sorted(state.rendered)})
        shards.claim(site, "pdf", [_shown(config, edition, job) for edition in state.editions for job in edition.jobs]
                     + _publish_covers(config, _screen_names(state)) + [path for path in handed.values() if path])
    else:
        for position, edition in enumerate(state.editions, start=1):
            # Pruned once both editions are recorded: the first's pruning would drop the second's new PDFs.
            cache.publish(edition.jobs, site / _folder(config, edition), edition.print_edition,
                          prune=position == len(state.editions))
        _publish_covers(config, _screen_names(state))
    jobs = [(edition, job) for edition in state.editions for job in edition.jobs]
    for edition, job in jobs:
        if _name(job) not in state.rendered:
            log.info(f"Reused {_shown(config, edition, job)} from the cache (unchanged)")
    reused = len(jobs) - len(state.rendered)
    seconds = time.perf_counter() - state.started if state.rendered else 0.0
    log.info(f"PDFs: {len(state.rendered)} rendered, {reused} from cache, in {seconds:.1f} s")


def on_build_error(error):
    _stop_latest_pool()


def on_shutdown():
    _stop_latest_pool()


def _state(config) -> _State:
    return engine.state(config, "pdf", _State)


def _stop_latest_pool() -> None:
    # These events get no config: the pool, if any, is the latest build's.
    latest = engine.latest()
    if latest is not None:
        _stop_pool(latest.state("pdf", _State))


def _submit(state: _State, edition: _Edition, todo: list[pdf.Job], project, inline: bool = False) -> int:
    """Hand an edition's changed PDFs to the pool, started on first need; return how many."""
    if not todo:
        return 0
    root = project.root
    # A unit built on a worker of `almanac build`'s pool hands its PDFs back to the pool, which gives them to
    # whichever workers are idle (almanac.workers.Render).
    handing = inline and workers.handed() is not None
    if state.pool is None and not handing:
        scheduler = os.environ.get(settings.SCHEDULER) or project.settings["scheduler"]
        if inline:
            # A unit is built on a worker of `almanac build`'s pool (or of a Dask cluster), one unit a core:
            # its PDFs render in that worker, after its pages.
            state.pool = pdf.RenderPool(root, 1)
        elif scheduler:
            from almanac.cluster import ClusterPool

            state.pool = ClusterPool(scheduler, root)
            log.info(f"Rendering PDFs on the Dask scheduler {scheduler}")
        else:
            state.pool = pdf.RenderPool(root, project.settings["pdf_workers"] or os.cpu_count() or 1)
    state.started = state.started or time.perf_counter()
    if not edition.render_css:
        edition.render_css = fonts.with_ttf_sources(edition.css, context.fonts_dir(root),
                                                    context.cache_dir(root, "fonts"))
    if handing:
        state.handed.extend((edition, job) for job in todo)
    else:
        state.pool.submit(todo, edition.render_css)
    state.rendered.update(_name(job) for job in todo)
    for note in [note for job in todo for note in job.notes if note not in state.noted]:
        state.noted.add(note)
        log.info(build.NOTE + note)   # shown by `make site`, which hides other INFO lines
    return len(todo)


def _hand_over(config, state: _State, site: Path) -> dict[str, str]:
    """The unit's PDFs left to render, handed to `almanac build`'s pool with where each goes in this unit's
    site (it copies them there, with their covers); returns their names (slug.lang[.print]) and the covers
    they will have (or "")."""
    root = engine.project(config).root
    covers_cache = context.cache_dir(root, "covers")
    handed = {}
    for edition, job in state.handed:
        shown = _shown(config, edition, job)
        cover = not _print_edition(config) and not edition.print_edition
        workers.handed().append(workers.Render(job, edition.render_css, str(root), str(site / shown), shown, str(site),
                                               str(covers_cache) if cover else ""))
        handed[_name(job)] = covers.path(job.name) if cover else ""
    return handed


def _wait_for_pool(state: _State) -> None:
    if state.pool is None:
        return
    errors = []
    try:
        for name, pages, seconds, error in state.pool.results():
            if error:
                errors.append(error)
            else:
                base = name.removesuffix(pdf.PRINT_SUFFIX)
                shown = f"pdf/print/{base}.pdf" if base != name and len(state.editions) > 1 else f"pdf/{base}.pdf"
                log.info(f"Rendered {shown} ({pages} pages) in {seconds:.1f} s")
    finally:
        _stop_pool(state)
    if errors:
        raise PluginError(sorted(errors)[0])


def _stop_pool(state: _State) -> None:
    if state.pool is not None:
        state.pool.close()
        state.pool = None


def _print_edition(config) -> bool:
    return engine.print_edition(config)


def _publish_covers(config, names: list[str]) -> list[str]:
    """The catalogue's covers of the published PDFs `names`; returns their paths in the site."""
    if _print_edition(config):
        return []
    project = engine.project(config)
    site = Path(config.site_dir)
    started = time.perf_counter()
    paths, rendered = covers.publish(site / "pdf", names, site, context.cache_dir(project.root, "covers"))
    log.info(f"Covers: {len(paths)} published under {covers.FOLDER}/ ({rendered} rendered, "
             f"{len(paths) - rendered} from cache) in {time.perf_counter() - started:.1f} s")
    return paths


def _editions(config) -> list[bool]:
    """The editions this build renders, each True for the printer's: the printer's alone (`make print`), or the
    site's, with the printer's beside it under pdf/print/ when `almanac build` publishes both."""
    if _print_edition(config):
        return [True]
    return [False, True] if engine.print_downloads() else [False]


def _folder(config, edition: _Edition) -> str:
    """Where an edition's PDFs go in the site: pdf/, or pdf/print/ for the printer's beside the site's."""
    return "pdf/print" if edition.print_edition and not _print_edition(config) else "pdf"


def _shown(config, edition: _Edition, job: pdf.Job) -> str:
    return f"{_folder(config, edition)}/{job.name}.pdf"


def _name(job: pdf.Job) -> str:
    """A job's name in the pool's results and the manifest: slug.lang, with .print for the printer's edition."""
    return job.name + (pdf.PRINT_SUFFIX if job.print_edition else "")


def _files(state: _State, print_edition: bool) -> dict[str, str]:
    """An edition's PDFs and their files in the cache, by slug.lang."""
    return {job.name: job.cache_path.name for edition in state.editions if edition.print_edition == print_edition
            for job in edition.jobs}


def _screen_names(state: _State) -> list[str]:
    """The screen edition's PDFs (slug.lang), whose first pages are the catalogue's covers."""
    return [job.name for edition in state.editions if not edition.print_edition for job in edition.jobs]


def _serve_cached(cache, out_dir: Path, slug: str | None = None) -> list[str]:
    served = cache.offer_last_built(out_dir, slug)
    if served:
        log.info(f"PDFs are not rendered while serving; serving the last built {len(served)} "
                 f"({', '.join(served)}). Run 'make site' to refresh them.")
    else:
        log.info("PDFs are not rendered while serving, and none has been built yet: "
                 "the download buttons lead nowhere until you run 'make site'.")
    return served
