"""Which PDFs a build makes, from what, and how the PDF cache keeps them.

Reads: the build's project (publications, locales), the chapters captured as
built, .cache/almanac/pdf/manifest.json. Writes: with `Cache.publish`, the
PDFs into the site and the manifest; with `Cache.prune`, removes cached PDFs
no edition uses any more.

One job per publication and language; its cache key is a hash of everything
the PDF is made of (`pdf.cache_key`), so an unchanged publication is copied
from the cache and never rendered again.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from . import pdf
from .locales import Locales

PRINT_SUFFIX = ".print"
PRINT_CSS = "@page { bleed: 3mm; marks: crop cross; }\n"


def stylesheet(print_dir: Path, print_edition: bool) -> str:
    """The brochure's CSS; the printer's edition adds 3 mm bleed and crop marks."""
    css = (print_dir / "print.css").read_text(encoding="utf-8")
    return css + PRINT_CSS if print_edition else css


def fallback_notice(loc: Locales, lang: str, chapters: list[pdf.Chapter]) -> str | None:
    """Say on the cover when chapters are not in the edition's language, rather than pass them off as translated."""
    originals = sorted({ch.lang for ch in chapters if ch.lang != lang})
    if not originals:
        return None
    names = ", ".join(loc.get(code, "language_name") for code in originals)
    whole = all(ch.lang != lang for ch in chapters)
    return loc.get(lang, "pdf.fallback_all" if whole else "pdf.fallback_some", language=names)


def job(project, slug: str, lang: str, captured: dict[str, pdf.Chapter], site_url: str, print_edition: bool,
        shared: str, cache: Path) -> pdf.Job:
    """The job of one publication in one language, keyed by everything its PDF depends on."""
    loc = project.locales
    pub = project.by_slug[slug]
    chapters = [captured[c] for c in pub.chapters if c in captured]
    cover = {
        "title": pub.title(lang), "subtitle": pub.subtitle(lang),
        "organisation": pub.organisation.name_in(lang), "acronym": pub.organisation.acronym_in(lang),
        "period": loc.get(lang, "period", start=pub.period[0], end=pub.period[1]),
        "date_label": pub.date_label(lang),
        "notice": fallback_notice(loc, lang, chapters),
    }
    labels = {k: loc.get(lang, f"pdf.{k}") for k in ("contents", "edition", "language", "footnotes")}
    result = pdf.Job(slug, lang, chapters, cover, labels, site_url, print_edition, {"pdf_variant": "pdf/ua-1"})
    result.key = pdf.cache_key(result, shared)
    result.cache_path = cache / f"{result.key}.pdf"
    return result


class Cache:
    """.cache/almanac/pdf/: PDFs named by their key, and a manifest of which edition uses which."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "manifest.json"
        self.manifest: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}

    def publish(self, jobs: list[pdf.Job], out_dir: Path, print_edition: bool) -> None:
        """Copy this edition's PDFs into the site and record them.

        This edition's entries are replaced, so removed publications leave the cache; the other
        edition's are kept, so `make print` and `make site` do not undo each other's work."""
        suffix = PRINT_SUFFIX if print_edition else ""
        self.manifest = {name: file for name, file in self.manifest.items()
                         if name.endswith(PRINT_SUFFIX) != bool(suffix)}
        out_dir.mkdir(parents=True, exist_ok=True)
        for item in jobs:
            shutil.copyfile(item.cache_path, out_dir / f"{item.name}.pdf")
            self.manifest[item.name + suffix] = item.cache_path.name
        (self.folder / "manifest.json").write_text(json.dumps(self.manifest, indent=1, sort_keys=True))
        self.prune()

    def prune(self) -> None:
        keep = set(self.manifest.values())
        for path in self.folder.glob("*.pdf"):
            if path.name not in keep:
                path.unlink()

    def offer_last_built(self, out_dir: Path) -> list[str]:
        """For the preview, which renders nothing: copy the site edition's last PDFs; return their names."""
        out_dir.mkdir(parents=True, exist_ok=True)
        served = []
        for name, file_name in sorted(self.manifest.items()):
            if not name.endswith(PRINT_SUFFIX) and (self.folder / file_name).exists():
                shutil.copyfile(self.folder / file_name, out_dir / f"{name}.pdf")
                served.append(name)
        return served
