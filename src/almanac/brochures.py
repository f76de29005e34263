"""Which PDFs a build makes, from what, and how the PDF cache keeps them.

Reads: the build's project (publications, locales), the chapters captured as
built, overrides/print/print.css and typography.css (and print-edition.css
for the printer's edition), .cache/almanac/pdf/manifest.json, for the printer's edition the
size of each image a chapter shows, and git's history of each publication's
inputs (its date, `almanac.dates`). Writes: for the printer's edition,
a copy of its CMYK profile in .cache/almanac/press/; with `Cache.publish`, the
PDFs into the site (`copy_out`) and the manifest (`Cache.record`); with
`Cache.prune`, removes cached PDFs no edition uses any more.

One job per publication and language; its cache key is a hash of everything
the PDF is made of (`pdf.cache_key`), so an unchanged publication is copied
from the cache and never rendered again. A printer's-edition job also says
which images it downsamples, and to what size (`Job.print_images`), with a
line for the log each (`Job.notes`). Every job is dated by the last change of
its publication's inputs, which its back cover states too.
"""

from __future__ import annotations

import functools

import json
import shutil
from pathlib import Path

from babel.dates import format_date

from . import context, dates, pdf, press, printimages
from .locales import DEFAULT_LANGUAGE, Locales

PRINT_SUFFIX = pdf.PRINT_SUFFIX
SCREEN_VARIANT = {"pdf_variant": "pdf/ua-1"}
# PDF/X-4 takes no PDF/UA claim, but the structure tree, /Lang and bookmarks are kept all the same.
PRINT_VARIANT = {"pdf_variant": press.VARIANT, "pdf_tags": True}


def stylesheet(print_dir: Path, print_edition: bool) -> str:
    """The brochure's CSS. The printer's edition adds print-edition.css (bleed, crop marks), its CMYK
    profile, and has every colour written as device-cmyk()."""
    # typography.css after print.css: the measure, footnotes, tables, quotes (almanac.typography).
    css = "\n".join((print_dir / name).read_text(encoding="utf-8") for name in ("print.css", "typography.css"))
    if not print_edition:
        return css
    root = print_dir.parent.parent
    profile = press.profile_copy(context.cache_dir(root, "press"))
    edition = (print_dir / "print-edition.css").read_text(encoding="utf-8")
    return press.profile_rule(profile, print_dir) + press.css_in_cmyk(css + "\n" + edition)


def fallback_notice(loc: Locales, lang: str, chapters: list[pdf.Chapter]) -> str | None:
    """Say on the cover when chapters are not in the edition's language, rather than pass them off as translated."""
    originals = sorted({ch.lang for ch in chapters if ch.lang != lang})
    if not originals:
        return None
    names = ", ".join(loc.get(code, "language_name") for code in originals)
    whole = all(ch.lang != lang for ch in chapters)
    return loc.get(lang, "pdf.fallback_all" if whole else "pdf.fallback_some", language=names)


def content_date(project, slug: str) -> dates.ContentDate:
    """When the publication's inputs (content folder, data file) last changed; see almanac.dates."""
    dataset = getattr(project, "datasets", {}).get(slug)
    inputs = dates.publication_inputs(project.by_slug[slug], dataset.path if dataset else None, project.root)
    return dates.content_date(project.root, inputs)


def job(project, slug: str, lang: str, captured: dict[str, pdf.Chapter], site_url: str, print_edition: bool,
        shared: str, cache: Path, dated: dates.ContentDate | None = None, print_marks: bool = True) -> pdf.Job:
    """The job of one publication in one language, keyed by everything its PDF depends on.

    `dated`: the publication's `content_date`, when the caller has it for every language already."""
    loc = project.locales
    pub = project.by_slug[slug]
    dated = dated or content_date(project, slug)
    chapters = [captured[c] for c in pub.chapters if c in captured]
    cover = {
        "title": pub.title(lang), "subtitle": pub.subtitle(lang),
        "title_lang": _shown_in(pub.meta["title"], lang), "subtitle_lang": _shown_in(pub.meta["subtitle"], lang),
        "date_label_lang": _shown_in(pub.meta["date_label"], lang),
        "organisation": pub.organisation.name_in(lang), "acronym": pub.organisation.acronym_in(lang),
        "period": loc.get(lang, "period", start=pub.period[0], end=pub.period[1]),
        "date_label": pub.date_label(lang),
        "notice": fallback_notice(loc, lang, chapters),
        # The back cover states only what the metadata and the history say: no licence the source lacks.
        "organisation_url": pub.organisation.url, "licence": pub.licence,
        "changed": format_date(dated.moment.date(), "long", locale=lang),
        "online": (site_url.rstrip("/") + "/" + chapters[0].url.lstrip("/")) if site_url and chapters else None,
    }
    labels = {k: loc.get(lang, f"pdf.{k}") for k in ("contents", "edition", "language", "footnotes", "colophon",
                                                     "changed", "online")}
    labels["licence"] = loc.get(lang, "readers.licence")
    # A table continued on the next page says so in its own language (almanac.typography).
    labels["continued"] = {code: loc.get(code, "pdf.continued") for code in project.languages}
    options = dict(PRINT_VARIANT if print_edition else SCREEN_VARIANT)
    result = pdf.Job(slug, lang, chapters, cover, labels, site_url, print_edition, options, dated=dated.iso,
                     print_marks=print_marks)
    if print_edition:
        _plan_images(result, project.root)
    result.key = pdf.cache_key(result, shared, project.root)
    result.cache_path = cache / f"{result.key}.pdf"
    return result


def _shown_in(texts: dict | None, lang: str) -> str:
    """The language a metadata text is shown in: the reader's, else the original's (Publication.title's choice)."""
    if not texts or texts.get(lang):
        return lang
    return DEFAULT_LANGUAGE if texts.get(DEFAULT_LANGUAGE) else next(iter(texts))


def _plan_images(job: pdf.Job, root: Path) -> None:
    """Which of the job's images print above 300 ppi at the widest they can be placed, the text column."""
    css, typography = root / "overrides" / "print" / "print.css", root / "overrides" / "print" / "typography.css"
    measure = _image_measure(css.read_text(encoding="utf-8"), css.relative_to(root).as_posix(),
                             typography.read_text(encoding="utf-8") if typography.exists() else "")
    planned = printimages.plan(pdf.column_images(job.chapters, root), root, measure)
    job.print_images = {name: list(target) for name, (_, target) in planned.items()}
    job.notes = [printimages.downsampling_note(name, size, target, measure) for name, (size, target) in planned.items()]


@functools.lru_cache(maxsize=4)
def _image_measure(print_css: str, shown: str, typography_css: str) -> float:
    """The widest a photo is placed, in mm: the page's text area, or the book's narrower column
    (typography.css), where a paragraph places it. Parsed once per stylesheet, not once per PDF."""
    measure = printimages.measure_mm(print_css, shown)
    column = printimages.column_mm(typography_css) if typography_css else None
    return min(measure, column) if column else measure


def copy_out(jobs: list[pdf.Job], out_dir: Path) -> None:
    """Copy the jobs' PDFs from the cache into the site, as <slug>.<lang>.pdf."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for item in jobs:
        shutil.copyfile(item.cache_path, out_dir / f"{item.name}.pdf")


class Cache:
    """.cache/almanac/pdf/: PDFs named by their key, and a manifest of which edition uses which."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "manifest.json"
        self.manifest: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}

    def publish(self, jobs: list[pdf.Job], out_dir: Path, print_edition: bool, prune: bool = True) -> None:
        """Copy this edition's PDFs into the site and record them."""
        copy_out(jobs, out_dir)
        self.record({item.name: item.cache_path.name for item in jobs}, print_edition, prune=prune)

    def record(self, files: dict[str, str], print_edition: bool, languages: list[str] | None = None,
               prune: bool = True) -> None:
        """Record which cached file each PDF of this edition is (`files`: name -> file), then prune.

        This edition's entries are replaced (those of `languages` only, when given: a build of one
        language), so removed publications leave the cache; the other edition's are kept, so
        `make print` and `make site` do not undo each other's work. A build of both editions records
        the first with `prune=False`: the second's new PDFs are not listed yet."""
        suffix = PRINT_SUFFIX if print_edition else ""

        def replaced(name: str) -> bool:
            base = name.removesuffix(PRINT_SUFFIX)
            return (name.endswith(PRINT_SUFFIX) == bool(suffix)
                    and (languages is None or base.rsplit(".", 1)[-1] in languages))

        self.manifest = {name: file for name, file in self.manifest.items() if not replaced(name)}
        for name, file in files.items():
            self.manifest[name + suffix] = file
        (self.folder / "manifest.json").write_text(json.dumps(self.manifest, indent=1, sort_keys=True))
        if prune:
            self.prune()

    def prune(self) -> None:
        keep = set(self.manifest.values())
        for path in self.folder.glob("*.pdf"):
            if path.name not in keep:
                path.unlink()

    def offer_last_built(self, out_dir: Path, slug: str | None = None) -> list[str]:
        """For the preview, which renders nothing: copy the site edition's last PDFs (of the publication `slug`
        only, for its unit); return their names."""
        out_dir.mkdir(parents=True, exist_ok=True)
        served = []
        for name, file_name in sorted(self.manifest.items()):
            if slug is not None and name.split(".", 1)[0] != slug:
                continue
            if not name.endswith(PRINT_SUFFIX) and (self.folder / file_name).exists():
                shutil.copyfile(self.folder / file_name, out_dir / f"{name}.pdf")
                served.append(name)
        return served
