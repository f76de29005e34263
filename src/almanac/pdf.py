"""PDF brochures: assemble one HTML document per publication and language, render with WeasyPrint.

Reads: chapter HTML captured from the build, publication metadata,
overrides/print/document.html and print.css, overrides/assets/fonts/*.woff2,
and the images a chapter embeds, from beside it in the docs folder (`local_file`).
Writes: PDFs in the cache folder (.cache/almanac/pdf/<hash>.pdf) and copies in
the site (<site>/pdf/<slug>.<lang>.pdf).

Both editions are dated by the last change of the publication's content
(`Job.dated`, from `almanac.dates`), and a chapter given in the original
language carries that language in the structure tree (`almanac.tagging`).

The printer's edition (`Job.print_edition`) is PDF/X-4 in CMYK: its charts,
inline styles and stylesheet colours are turned into device-cmyk() and the
PDF is checked before it is written (`almanac.press`); its raster images and
SVG files are converted to CMYK, raster images downsampled to 300 ppi at the
column width (`almanac.printimages`, through the fetcher), into
.cache/almanac/press/images/. Its pages get crop and registration marks
beyond the bleed, and blank pages up to a multiple of 4 (`almanac.marks`).

Rendering runs in a process pool; each PDF is keyed by a hash of everything
it depends on (the captured chapters and the images they embed, the cover, the labels, the templates,
the CSS, the fonts, this module's code, WeasyPrint's version, the options, the date), so
unchanged publications are never rendered twice. The key is computed from
those inputs, not from the assembled document, so a warm build assembles
nothing; assembly and rendering both happen in the workers.
"""

from __future__ import annotations

import hashlib
import html as html_module
import importlib.metadata
import json
import re
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup
from markupsafe import Markup

from . import fontconfig, hyphenation, marks, press, printimages, tagging, templating, typography
from .errors import AlmanacError
from .urlpolicy import RefusedURL, check

CACHE_VERSION = "1"
PRINT_SUFFIX = ".print"   # the printer's edition's PDFs, as the manifest and the log name them


@dataclass
class Chapter:
    src: str          # content path, for error messages
    title: str
    html: str
    lang: str
    url: str          # page URL, to make links absolute


@dataclass
class Job:
    """Everything one PDF is made from; pickled to a worker as it is."""

    slug: str
    lang: str
    chapters: list[Chapter]
    cover: dict         # title, subtitle, organisation, acronym, period, date_label, and the back cover's colophon
    labels: dict        # locale texts for this language
    site_url: str
    print_edition: bool
    options: dict = field(default_factory=dict)
    key: str = ""
    cache_path: Path = Path()
    print_images: dict = field(default_factory=dict)   # printer's edition: file -> [width, height] to downsample to
    notes: list[str] = field(default_factory=list)     # what the hook logs when it renders this PDF
    dated: str = ""            # the content's last change, W3C (almanac.dates): CreationDate and ModDate
    print_marks: bool = True   # printer's edition: crop and registration marks beyond the bleed

    @property
    def name(self) -> str:
        return f"{self.slug}.{self.lang}"

    @property
    def size(self) -> int:
        return sum(len(ch.html) for ch in self.chapters)


def _rewrite_chapter(chapter: Chapter, index: int, site_url: str, root: Path, book: dict[str, int],
                     print_edition: bool = False, images: printimages.PrintImages | None = None) -> str:
    """Make a chapter's HTML stand alone in the book: unique ids, absolute links, true footnotes."""
    soup = BeautifulSoup(chapter.html, "html.parser")
    prefix = f"c{index}-"
    for tag in soup.select(".headerlink"):
        tag.decompose()
    # Refuse foreign resources before WeasyPrint sees them, naming the page that asked.
    for tag in soup.find_all(["img", "link", "a", "object", "embed", "source", "image", "use"]):
        for attr in ("src", "href", "data", "xlink:href"):
            url = tag.get(attr)
            if not url or url.startswith("#"):
                continue
            is_resource = tag.name != "a" or "attachment" in (tag.get("rel") or [])
            if is_resource:
                if not _SCHEME.match(url):
                    # WeasyPrint would resolve it against the print templates' folder; point it at the file.
                    tag[attr] = local_file(chapter, url, root).as_uri()
                try:
                    path = check(tag[attr], root)
                except RefusedURL as exc:
                    raise RefusedURL(f"{chapter.src}: {exc}") from None
                if images is not None and path is not None and tag.name != "a":
                    _print_image(chapter, path, images)
            elif tag.name == "a":
                tag[attr] = urljoin(urljoin(site_url, chapter.url), url)
    _footnotes(soup, prefix)
    if print_edition:
        _in_cmyk(soup)
    for tag in soup.find_all(id=True):
        tag["id"] = prefix + tag["id"]
    for tag in soup.find_all("a", href=True):
        if tag["href"].startswith("#"):
            tag["href"] = "#" + prefix + tag["href"][1:]
    # A link to another chapter of this brochure jumps inside the PDF instead of opening the website.
    for tag in soup.find_all("a", href=True):
        page, _, fragment = tag["href"].partition("#")
        if page in book:
            tag["href"] = f"#c{book[page]}" + (f"-{unquote(fragment)}" if fragment else "")
    return str(soup)


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
# The resources a chapter embeds (what _rewrite_chapter checks), for the cache key.
_EMBEDDED = re.compile(r'<(?:img|source|image|object|embed|use)\b[^>]*?\s(?:src|data|href|xlink:href)="([^"#][^"]*)"', re.I)
# The images print.css places in the text column (img { max-width: 100% }), never wider.
_IMG = re.compile(r'<img\b[^>]*?\ssrc="([^"#][^"]*)"', re.I)


def local_file(chapter: Chapter, url: str, root: Path) -> Path:
    """The project file a chapter's relative resource URL names.

    MkDocs writes such a URL relative to the page's own URL. The file sits at that site path under the
    docs folder, without the language folder of a translated page (`en/x/figure.png` is `content/x/figure.png`)."""
    site_path = unquote(urlsplit(urljoin("http://site/" + chapter.url, url)).path).lstrip("/")
    docs = root / chapter.src.split("/", 1)[0]
    first, _, rest = site_path.partition("/")
    candidates = [docs / site_path]
    if rest and re.fullmatch(r"[a-z]{2,3}", first):
        candidates.append(docs / rest)
    found = next((path for path in candidates if path.is_file()), None)
    if found is None:
        raise AlmanacError(f"{chapter.src}: {url} was not found (looked for "
                           f"{' and '.join(path.relative_to(root).as_posix() for path in candidates)}); "
                           "expected a file beside the chapter, as the website shows it")
    return found


def _embedded_files(chapter: Chapter, root: Path, pattern: re.Pattern = _EMBEDDED) -> list[Path]:
    files = []
    for url in pattern.findall(chapter.html):
        if not _SCHEME.match(url):
            try:
                files.append(local_file(chapter, html_module.unescape(url), root))
            except AlmanacError:
                pass   # reported, with its page, when the PDF is made
    return files


def column_images(chapters: list[Chapter], root: Path) -> list[Path]:
    """The project's files the chapters show as <img>, each once: no wider than the text column in print."""
    return list(dict.fromkeys(path for ch in chapters for path in _embedded_files(ch, root, _IMG)))


def _in_cmyk(soup: BeautifulSoup) -> None:
    """The printer's edition: inline styles and SVG (charts) in device-cmyk(), as its stylesheet is."""
    for tag in soup.find_all(style=True):
        tag["style"] = press.svg_in_cmyk(tag["style"])
    for svg in soup.find_all("svg"):
        # SVG paints text and unfilled shapes black by default, in RGB unless told which black.
        svg.attrs.setdefault("fill", press.default_ink())
        for tag in [svg, *svg.find_all(True)]:
            for attr in ("fill", "stroke", "color", "stop-color", "flood-color"):
                if attr in tag.attrs:
                    tag[attr] = press.svg_in_cmyk(tag[attr])
            if tag.name == "style" and tag.string:
                tag.string = press.svg_in_cmyk(tag.string)


def _print_image(chapter: Chapter, path: Path, images: printimages.PrintImages) -> None:
    """Convert an image for the press before WeasyPrint asks for it, so that a failure names the page too."""
    try:
        if path.suffix.lower() == ".svg":
            images.svg(path)
        elif path.suffix.lower() in printimages.RASTER_SUFFIXES:
            images.raster(path)
    except AlmanacError as exc:
        raise AlmanacError(f"{chapter.src}: {exc}") from None


def _footnotes(soup: BeautifulSoup, prefix: str) -> None:
    """Move Python-Markdown footnotes to their call sites, where CSS floats them to the page foot."""
    notes = {}
    for item in soup.select("div.footnote li[id]"):
        for back in item.select("a.footnote-backref"):
            back.decompose()
        notes[item["id"]] = item
    for ref in soup.select("sup[id^=fnref]"):
        link = ref.find("a", href=True)
        note = notes.get(link["href"][1:]) if link else None
        if note is None:
            continue
        span = soup.new_tag("span", attrs={"class": "fn"})
        for child in list(note.children):
            if getattr(child, "name", None) == "p":
                child.name = "span"
            span.append(child)
        ref.replace_with(span)
    for block in soup.select("div.footnote"):
        block.decompose()


RUNNING_TITLE_CHARACTERS = 80  # what fits on one line of the running head (8 pt, 63 % of the measure)


def running_title(title: str, limit: int = RUNNING_TITLE_CHARACTERS) -> str:
    """A chapter title short enough for the running head, cut at a word with a real "…"."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–- ")
    return cut + "…"


def document_html(templates: Path, job: Job, root: Path, images: printimages.PrintImages | None = None) -> str:
    """The whole brochure as one HTML document: cover, contents, chapters."""
    book = {urljoin(job.site_url, ch.url): i for i, ch in enumerate(job.chapters, start=1)}
    body = [
        {"id": f"c{i}", "title": ch.title, "lang": ch.lang, "running": running_title(ch.title),
         "html": Markup(_rewrite_chapter(ch, i, job.site_url, root, book, job.print_edition, images))}
        for i, ch in enumerate(job.chapters, start=1)
    ]
    return typography.typeset(templating.environment(templates).get_template("document.html").render(
        lang=job.lang, chapters=body, t=job.labels, print_edition=job.print_edition, **job.cover))


def _digest(*parts) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def shared_inputs(css: str, templates: Path, fonts_dir: Path) -> str:
    """A hash of what every PDF of a build depends on alike; computed once, not per PDF."""
    # The version from package metadata: importing WeasyPrint costs 0.5 s, and a warm build renders nothing.
    parts = [CACHE_VERSION, importlib.metadata.version("weasyprint"), Path(__file__).read_bytes(),
             Path(press.__file__).read_bytes(), Path(printimages.__file__).read_bytes(),
             Path(__file__).with_name("fetcher.py").read_bytes(), Path(marks.__file__).read_bytes(),
             Path(tagging.__file__).read_bytes(), hyphenation.DICTIONARY.read_bytes(), css,
             # What lays text out besides WeasyPrint: the native libraries, and the fallback fonts' package.
             json.dumps(fontconfig.native_versions(), sort_keys=True), importlib.metadata.version("matplotlib"),
             Path(fontconfig.__file__).read_bytes()]
    parts.append(Path(typography.__file__).read_bytes())
    for template in sorted(templates.glob("*.html")):
        parts += [template.name, template.read_bytes()]
    for font in sorted(fonts_dir.glob("*.woff2")):
        parts += [font.name, hashlib.sha256(font.read_bytes()).digest()]
    return _digest(*parts)


def cache_key(job: Job, shared: str, root: Path | None = None) -> str:
    """A hash of every input of the job's PDF: its own, the files its chapters embed (images beside them,
    found from `root`), and the `shared_inputs` of the build."""
    own = json.dumps([job.lang, job.cover, job.labels, job.site_url, job.print_edition, job.options, job.print_images,
                      job.dated, job.print_marks], sort_keys=True, ensure_ascii=False)
    chapters = [part for ch in job.chapters for part in (ch.src, ch.title, ch.lang, ch.url, ch.html)]
    if root is not None:
        chapters += [hashlib.sha256(path.read_bytes()).digest()
                     for ch in job.chapters for path in _embedded_files(ch, root)]
    return _digest(shared, own, *chapters)[:24]


def render(job: Job, css: str, root: str) -> tuple[str, int, float, str | None]:
    """Render one PDF into the cache (runs in a worker process). Returns (name, pages, seconds, error), the
    name being slug.lang, or slug.lang.print for the printer's edition."""
    import os

    # fontTools stamps each embedded font subset with the current time unless told otherwise.
    os.environ["SOURCE_DATE_EPOCH"] = "1704067200"
    # The fonts WeasyPrint may fall back to: the pinned stack's, never what this machine has installed.
    fontconfig.configure(Path(root) / ".cache" / "almanac" / "fontconfig")
    import weasyprint

    from .fetcher import ProjectFetcher

    # Pyphen has no Kazakh: ours, registered in this worker process before any layout.
    hyphenation.register()
    started = time.perf_counter()
    name = job.name + (PRINT_SUFFIX if job.print_edition else "")
    try:
        # The printer's edition's images in CMYK: converted once, kept for the finisher, which puts back
        # what WeasyPrint can only embed as JPEG.
        images = printimages.PrintImages(Path(root), job.print_images) if job.print_edition else None
        html = document_html(Path(root) / "overrides" / "print", job, Path(root), images)
        fetcher = ProjectFetcher(Path(root), images)
        base = (Path(root) / "overrides" / "print").as_uri() + "/"
        # @font-face rules only take effect through a FontConfiguration shared by CSS and HTML.
        from weasyprint.text.fonts import FontConfiguration

        fonts = FontConfiguration()
        # Likewise @color-profile: the stylesheet's profiles reach the PDF only through a shared dictionary.
        profiles: dict = {}
        stylesheet = weasyprint.CSS(string=css, base_url=base, url_fetcher=fetcher, font_config=fonts,
                                    color_profiles=profiles)
        # Laid out again where a table runs onto the next page, or a note left its call's (almanac.typography).
        document = typography.settle(html, lambda text: weasyprint.HTML(
            string=text, base_url=base, url_fetcher=fetcher).render(
            stylesheets=[stylesheet], font_config=fonts, color_profiles=profiles), job.labels.get("continued", {}))
        # Dated by the content, not by the rendering: the same content gives the same bytes, and the date is
        # true. (PDF/X requires both dates; WeasyPrint would write the time of rendering.)
        if job.dated:
            document.metadata.created = document.metadata.modified = job.dated
        steps = [tagging.finisher()]
        if job.print_edition:
            steps += [press.finisher(job.key, images), marks.finisher(job.print_marks)]
        tmp = job.cache_path.with_suffix(f".{os.getpid()}.tmp")  # two builds may render the same PDF at once
        # The file identifier is derived from the inputs: a random one would break reproducibility.
        document.write_pdf(tmp, pdf_identifier=job.key.encode("ascii"), finisher=_chained(steps), **job.options)
        tmp.replace(job.cache_path)
        pages = marks.sheets(len(document.pages)) if job.print_edition else len(document.pages)
        # The count the pages' PDF facts state, known here: pypdf would take 0.1-0.2 s a PDF to read it back.
        from . import context, overview

        overview.remember_pages(job.cache_path.read_bytes(), pages, context.cache_dir(Path(root), "pdf-facts"))
        return name, pages, time.perf_counter() - started, None
    except (RefusedURL, AlmanacError) as exc:
        return name, 0, 0.0, f"{name}: {exc}"
    except Exception as exc:  # noqa: BLE001 - reported as one line by the hook
        return name, 0, 0.0, f"{name}: WeasyPrint failed: {type(exc).__name__}: {exc}"


def _chained(steps):
    """One finisher that runs `steps` in order (WeasyPrint takes one)."""

    def finish(document, pdf) -> None:
        for step in steps:
            step(document, pdf)

    return finish


def render_remote(job: Job, css: str, root: str) -> tuple[str, int, float, str | None, bytes | None]:
    """`render` for a cluster worker, whose disk may not be ours: the PDF comes back as bytes."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="almanac-pdf-") as folder:
        job.cache_path = Path(folder) / f"{job.key}.pdf"
        name, pages, seconds, error = render(job, css, root)
        data = None if error else job.cache_path.read_bytes()
    return name, pages, seconds, error, data


class RenderPool:
    """Renders PDFs in worker processes while the rest of the site is still being built.

    Jobs are submitted as soon as a language's chapters are known, so the
    workers render one language while the main process writes the pages of the
    next. Each batch comes with its edition's stylesheet: one pool renders both
    editions from the same chapters. With one worker, jobs run in this process
    when results are asked for.
    """

    def __init__(self, root: Path, workers: int):
        self.root, self.workers = str(root), max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._futures: list = []
        self._inline: list[tuple[Job, str]] = []

    def submit(self, jobs: list[Job], css: str) -> None:
        if self.workers == 1:
            self._inline.extend((job, css) for job in jobs)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers)
        # Longest documents first keeps every core busy until the end.
        for job in sorted(jobs, key=lambda j: -j.size):
            self._futures.append(self._pool.submit(render, job, css, self.root))

    def results(self):
        """Yield (name, pages, seconds, error) as each PDF finishes (a printer's-edition PDF's name ends in .print)."""
        for job, css in self._inline:
            yield render(job, css, self.root)
        for future in as_completed(self._futures):
            yield future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool, self._futures, self._inline = None, [], []
