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
  PDF from the cache to <site>/pdf/. A shard build (one language, see
  engine.shard) copies its own and lists them, and those it rendered, in <site>/.almanac-shard/pdf.json;
  `almanac build` records them in the cache's manifest once every shard is built.
- on_build_error, on_shutdown: stop the pool.

The pool lives no longer than its build: it is started by the build's first on_env that has PDFs to
render (never while serving), and stopped when on_post_build has collected it, or on an error.

Reads: captured chapter HTML, publication metadata, locales/*.yml,
overrides/print/*, overrides/assets/fonts/*.
Writes: .cache/almanac/pdf/<key>.pdf, .cache/almanac/pdf/manifest.json,
<site>/pdf/<slug>.<lang>.pdf.

Set ALMANAC_PRINT_EDITION=1 (make print) or extra.almanac.print_edition for
the printer's edition: 3 mm bleed, crop and registration marks beyond it
(extra.almanac.print_marks), whole sheets. Each publication's PDFs are dated
by the last commit of its inputs (git is asked once a build).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

import engine
from almanac import brochures, build, context, fonts, pdf, progress, settings, shards

log = logging.getLogger("mkdocs.hooks.pdf")


class _State:
    """This build's chapters, jobs and render pool, shared by its language passes (engine.state)."""

    def __init__(self):
        self.chapters: dict[tuple[str, str], dict[str, pdf.Chapter]] = {}
        self.jobs: list[pdf.Job] = []
        self.rendered: set[str] = set()  # names of the jobs handed to the pool
        self.noted: set[str] = set()     # lines already logged about the jobs' images (every language shares them)
        self.pool: pdf.RenderPool | None = None
        self.started = 0.0
        self.css = ""                    # this build's stylesheet and the hash of all shared inputs
        self.shared = ""
        self.dates: dict = {}            # slug -> almanac.dates.ContentDate, asked of git once a build


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
    """Every chapter of this language has been rendered: start its PDFs now."""
    project = engine.project(config)
    if engine.serving() or not project.settings["pdf"]:
        return env
    state = _state(config)
    root = project.root
    if not state.shared:
        state.css = brochures.stylesheet(root / "overrides" / "print", _print_edition(config))
        state.shared = pdf.shared_inputs(state.css, root / "overrides" / "print", context.fonts_dir(root))
    lang = engine.build_language(config)
    cache = context.cache_dir(root, "pdf")
    cache.mkdir(parents=True, exist_ok=True)
    for slug in sorted({slug for slug, _ in state.chapters} - set(state.dates)):
        state.dates[slug] = brochures.content_date(project, slug)
        note = state.dates[slug].note(f"{project.docs_name}/{slug}")
        if note:
            log.info(build.NOTE + note)
    jobs = [brochures.job(project, slug, lang, captured, config.site_url or "", _print_edition(config), state.shared,
                          cache, state.dates[slug], project.settings["print_marks"])
            for (slug, job_lang), captured in sorted(state.chapters.items()) if job_lang == lang]
    state.jobs.extend(jobs)
    todo = [job for job in jobs if not job.cache_path.exists()]
    if jobs:
        log.info(progress.planned_line(lang, len(todo), len(jobs) - len(todo)))   # read by `almanac build`
    if todo:
        if state.pool is None:
            render_css = fonts.with_ttf_sources(state.css, context.fonts_dir(root), context.cache_dir(root, "fonts"))
            scheduler = os.environ.get(settings.SCHEDULER) or project.settings["scheduler"]
            if scheduler:
                from almanac.cluster import ClusterPool

                state.pool = ClusterPool(scheduler, render_css, root)
                log.info(f"Rendering PDFs on the Dask scheduler {scheduler}")
            else:
                workers = project.settings["pdf_workers"] or os.cpu_count() or 1
                state.pool = pdf.RenderPool(render_css, root, workers)
            state.started = time.perf_counter()
        state.pool.submit(todo)
        state.rendered.update(job.name for job in todo)
        for note in [note for job in todo for note in job.notes if note not in state.noted]:
            state.noted.add(note)
            log.info(build.NOTE + note)   # shown by `make site`, which hides other INFO lines
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
        _serve_cached(cache, out_dir)
        return
    state = _state(config)
    _wait_for_pool(state)
    if engine.shard():
        # Shards build at the same time: the manifest is theirs together, written by the parent when all succeeded.
        brochures.copy_out(state.jobs, out_dir)
        shards.write_part(Path(config.site_dir), "pdf", {"files": {job.name: job.cache_path.name for job in state.jobs},
                                                         "print_edition": _print_edition(config),
                                                         "rendered": sorted(state.rendered)})
        shards.claim(Path(config.site_dir), "pdf", [f"pdf/{job.name}.pdf" for job in state.jobs])
    else:
        cache.publish(state.jobs, out_dir, _print_edition(config))
    for job in state.jobs:
        if job.name not in state.rendered:
            log.info(f"Reused pdf/{job.name}.pdf from the cache (unchanged)")
    reused = len(state.jobs) - len(state.rendered)
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


def _wait_for_pool(state: _State) -> None:
    if state.pool is None:
        return
    errors = []
    try:
        for name, pages, seconds, error in state.pool.results():
            if error:
                errors.append(error)
            else:
                log.info(f"Rendered pdf/{name}.pdf ({pages} pages) in {seconds:.1f} s")
    finally:
        _stop_pool(state)
    if errors:
        raise PluginError(sorted(errors)[0])


def _stop_pool(state: _State) -> None:
    if state.pool is not None:
        state.pool.close()
        state.pool = None


def _print_edition(config) -> bool:
    return bool(os.environ.get(settings.PRINT_EDITION)) or engine.project(config).settings["print_edition"]


def _serve_cached(cache, out_dir: Path) -> None:
    served = cache.offer_last_built(out_dir)
    if served:
        log.info(f"PDFs are not rendered while serving; serving the last built {len(served)} "
                 f"({', '.join(served)}). Run 'make site' to refresh them.")
    else:
        log.info("PDFs are not rendered while serving, and none has been built yet: "
                 "the download buttons lead nowhere until you run 'make site'.")
