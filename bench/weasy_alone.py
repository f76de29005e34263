"""WeasyPrint alone: one Almanac brochure, in both editions, rendered in this one process: the ceiling per core.

Usage (the benchmark runs it in a child process, after a build of the project):

    .venv/bin/python bench/weasy_alone.py --project bench/work/corpus-x1 --slug SLUG --lang ru --runs 2

Reads: the built site's chapter pages of one publication in one language
(<project>/site/[<lang>/]<slug>/<chapter>/index.html, the article Material
wraps around the chapter's HTML), the project's publication metadata and
locales, overrides/print/ and the fonts (through the project's own `almanac`
package, so the document is assembled exactly as a build assembles it).
Writes: the PDFs into a temporary folder (deleted), the fonts' TrueType copies
into <project>/.cache/almanac/fonts/ and the printer's CMYK images into the
project's cache if they are missing; prints one JSON line: pages of each
edition, seconds per render of each (import and assembly excluded), and pages
per second over both.

The editions are those a build of the project renders: the screen edition,
and the printer's (CMYK, PDF/X-4, its page count padded to a multiple of four)
when mkdocs.yml has `print_downloads: true`; pages per second is the pages of
all over the time of all. (bench/corpus.py turns the printer's edition off.)

What is timed is WeasyPrint's part only: parsing the document and the
stylesheet, layout, and writing the PDF, as `almanac.pdf.render` does it, with
no pool, no cache, no MkDocs and none of Almanac's finishing steps (tags,
CMYK images, marks).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def chapters(project, site: Path, slug: str, lang: str):
    from bs4 import BeautifulSoup

    from almanac import pdf

    prefix = "" if lang == "ru" else f"{lang}/"
    found = []
    for chapter in project.by_slug[slug].chapters:
        name = chapter.split("/", 1)[1][:-3]
        url = f"{prefix}{slug}/" + ("" if name == "index" else f"{name}/")
        page = site / url / "index.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        article = soup.select_one("article.md-content__inner")
        for tag in article.select(".md-content__button, .md-source-file, .almanac-fallback-notice"):
            tag.decompose()
        title = article.find("h1")
        found.append(pdf.Chapter(src=f"content/{chapter}",  # as hooks/pdf.py names it: <docs>/<page>
                                 title=title.get_text(" ", strip=True) if title else name,
                                 html=article.decode_contents(), lang=lang, url=url))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--site", type=Path, help="the built site (default <project>/site)")
    parser.add_argument("--slug", required=True)
    parser.add_argument("--lang", default="ru")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    root = args.project.resolve()
    sys.path.insert(0, str(root / "hooks"))  # the project's own copy of the core, as its build uses
    os.environ["SOURCE_DATE_EPOCH"] = "1704067200"

    from almanac import brochures, context, fonts, pdf, publications
    from almanac.locales import load as load_locales

    class Project:  # the lookups this script needs, without validating the whole library
        pass

    project = Project()
    project.root = root
    project.by_slug = {args.slug: publications.load_one(root, root / "content", args.slug)}
    project.locales = load_locales(root)
    project.languages = ["ru", "en", "kk"]  # the corpus's (bench/corpus.py): a table's "continued" label in each
    found = chapters(project, args.site or root / "site", args.slug, args.lang)
    captured = {c.src.removeprefix("content/"): c for c in found}
    print_dir = root / "overrides" / "print"
    started = time.perf_counter()
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from almanac import printimages
    from almanac.fetcher import ProjectFetcher

    imported = time.perf_counter() - started
    base = print_dir.as_uri() + "/"
    editions = {}
    from almanac.build import print_downloads

    for edition, printed in (("screen", False), ("print", True))[:2 if print_downloads(root) else 1]:
        job = brochures.job(project, args.slug, args.lang, captured, "https://almanac.example.org/", printed, "",
                            context.cache_dir(root, "pdf"))
        images = printimages.PrintImages(root, job.print_images) if printed else None
        html = pdf.document_html(print_dir, job, root, images)
        css = fonts.with_ttf_sources(brochures.stylesheet(print_dir, printed), context.fonts_dir(root),
                                     context.cache_dir(root, "fonts"))
        seconds, pages = [], 0
        for _ in range(max(1, args.runs)):
            with tempfile.TemporaryDirectory(prefix="weasy-alone-") as folder:
                started = time.perf_counter()
                fetcher = ProjectFetcher(root, images)
                font_config, profiles = FontConfiguration(), {}
                stylesheet = weasyprint.CSS(string=css, base_url=base, url_fetcher=fetcher, font_config=font_config,
                                            color_profiles=profiles)
                document = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).render(
                    stylesheets=[stylesheet], font_config=font_config, color_profiles=profiles)
                document.write_pdf(Path(folder) / "out.pdf", pdf_identifier=b"bench", **job.options)
                seconds.append(time.perf_counter() - started)
                pages = len(document.pages)
        editions[edition] = {"pages": pages, "seconds": [round(s, 2) for s in seconds],
                             "median_s": statistics.median(seconds)}
    pages = sum(e["pages"] for e in editions.values())
    median = sum(e["median_s"] for e in editions.values())
    print(json.dumps({"slug": args.slug, "lang": args.lang, "pages": pages, "editions": editions,
                      "import_s": round(imported, 2), "pages_per_s": round(pages / median, 2)}))


if __name__ == "__main__":
    main()
