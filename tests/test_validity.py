"""Trust in the built site: valid HTML, links that resolve, nothing loaded from another host.

- The Nu HTML Checker (vnu.jar, which `make test` installs into .tools/ with npm) validates every
  page of every language in one JVM, served over HTTP so that it also checks each page's
  Content-Security-Policy against what the page loads. Errors and warnings fail. Material's own
  markup that it flags is filtered message by message in NU_FILTERS, each with its reason;
  everything else is fixed where it is made.
- A crawler starts from /, /en/, /kk/ (and the 404 page) on a local http.server, follows every
  same-site link and resource, and checks that each answers 200 and each #fragment is an id there.
- Every link annotation in every PDF points to a destination inside that PDF, or to a built page.
- Statically, no URL that a browser would load from the HTML, CSS, JS or SVG leaves the site.

Each test records its figures for docs/quality.md through the `quality` fixture (tests/quality.py).
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from pypdf.generic import ArrayObject, IndirectObject

from tests.conftest import LANGUAGES, ROOT

VNU_JAR = ROOT / ".tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SITE_URL = re.search(r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M).group(1)

# Nu messages about Material's own markup, which Almanac does not template, or that the checker gets wrong.
# Each entry: (message pattern, pattern the offending markup must match, why it is accepted).
NU_FILTERS = [
    (r"^Attribute “autocomplete” is only allowed when the input type is",
     r'<input class="md-toggle" data-md-toggle="(drawer|search)" type="checkbox" id="__(drawer|search)" autocomplete="off">',
     "Material's base.html gives its drawer and search toggles (hidden checkboxes) autocomplete=\"off\" "
     "so that Firefox does not restore an open drawer or search box on back navigation; the markup "
     "sits outside every template block, and removing it would bring that bug back."),
    (r"^Inline script violates Content Security Policy",
     r'<script id="__config" type="application/json">',
     "Material's configuration is a JSON data block (type=\"application/json\"), which the browser "
     "never runs, so a Content-Security-Policy does not apply to it; the checker takes it for a script."),
]

# Absolute URLs in Material's JavaScript, each fetched only under a condition the site does not meet.
# Each entry: (URL pattern, what must hold on every page for it never to be fetched, why).
JS_URL_ALLOWED = [
    (r"^https://unpkg\.com/resize-observer-polyfill$", None,
     "loaded only where window.ResizeObserver is undefined: no browser released since 2020"),
    (r"^https://unpkg\.com/mermaid@", "mermaid",
     "loaded only on a page with a Mermaid diagram (an element of class 'mermaid'); Almanac has none"),
    (r"^https://(api\.github\.com/|\$\{e\}/api/v4/projects/)", "[data-md-component=source]",
     "repository facts, fetched only when mkdocs.yml sets repo_url (the source widget); it does not"),
]
# <link rel> values that do not make the browser fetch anything.
NON_LOADING_RELS = {"canonical", "alternate", "prev", "next", "author", "license", "help",
                    "bookmark", "external", "nofollow", "noopener", "noreferrer", "me", "tag"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(?P<url>[^'")]*?)\1\s*\)|@import\s+(['"])(?P<imp>[^'"]+)\3""")
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"


def language_of(path: str) -> str:
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in LANGUAGES[1:] else LANGUAGES[0]


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the built site as a static host does: no directory listings."""

    def list_directory(self, path):
        self.send_error(404, "No index.html here")

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def origin(built_site):
    handler = functools.partial(_SiteHandler, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


# ---------------------------------------------------------------- valid HTML


def run_vnu(urls: list[str]) -> list[dict]:
    if not VNU_JAR.exists():
        pytest.fail(f"{VNU_JAR.relative_to(ROOT)} is missing: `make test` installs the Nu HTML Checker")
    if not shutil.which("java"):
        pytest.fail("java is not installed: `make test` installs default-jre-headless")
    # The checker refuses loopback hosts unless told otherwise; the pages are served from 127.0.0.1.
    result = subprocess.run(["java", "-Dnu.validator.servlet.allow-forbidden-hosts=true", "-jar", str(VNU_JAR),
                             "--format", "json", "--stdout", "--exit-zero-always", *urls],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)["messages"]


def nu_filter(message: dict) -> int | None:
    """The index of the NU_FILTERS entry that accepts this message, if any."""
    for index, (text, markup, _reason) in enumerate(NU_FILTERS):
        if re.search(text, message.get("message", "")) and re.search(markup, message.get("extract", "")):
            return index
    return None


def test_every_page_is_valid_html(built_site, origin, quality):
    # Pages are checked at the URLs readers use (/en/…/ rather than /en/…/index.html).
    paths = ["/" + page.relative_to(built_site).as_posix().removesuffix("index.html") for page in html_pages(built_site)]
    messages = run_vnu([origin + quote(path) for path in paths])
    by_language = {lang: Counter() for lang in LANGUAGES}
    for path in paths:
        by_language[language_of(path)]["pages"] += 1
    problems, filtered = [], Counter()
    for message in messages:
        where = unquote(urlsplit(message.get("url", "")).path) or "(no page)"
        counts = by_language[language_of(where)]
        kind = "warnings" if message.get("subType") == "warning" else "errors" if message["type"] != "info" else None
        if kind is None:
            continue   # an informative note, not a fault
        index = nu_filter(message)
        if index is not None:
            filtered[index] += 1
            counts["filtered"] += 1
            continue
        counts[kind] += 1
        problems.append(f"{where}:{message.get('lastLine', '?')}: {kind[:-1]}: {message['message']} "
                        f"[{' '.join(message.get('extract', '').split())[:120]}]")
    for lang, counts in by_language.items():
        quality.record("html", language=lang, **{key: counts[key] for key in ("pages", "errors", "warnings", "filtered")})
    for index, (text, _markup, reason) in enumerate(NU_FILTERS):
        quality.record("html-filtered", message=text.strip("^$"), reason=reason, count=filtered[index])
    assert problems == [], f"the Nu HTML Checker reports {len(problems)} problems:\n" + "\n".join(problems[:60])


# ---------------------------------------------------------------- links


class Crawl:
    """Fetches every same-site URL reachable from the start pages and keeps what each answered."""

    def __init__(self, origin: str):
        self.origin = origin
        self.status: dict[str, int] = {}
        self.ids: dict[str, set[str] | None] = {}   # URL -> ids for HTML and SVG, None otherwise
        self.references: list[tuple[str, str]] = []   # (where, absolute URL with its fragment)

    def local(self, url: str) -> str | None:
        """The URL on the local server, or None for another host (site_url counts as this site)."""
        if url.startswith(SITE_URL):
            url = self.origin + "/" + url[len(SITE_URL):]
        return url if url.startswith(self.origin + "/") else None

    def run(self, starts: list[str]) -> None:
        queue = [self.origin + path for path in starts]
        while queue:
            url = queue.pop()
            if url in self.status:
                continue
            for found, where in self.fetch(url):
                target = self.local(found)
                if target:
                    self.references.append((where, target))
                    queue.append(urldefrag(target).url)

    def fetch(self, url: str) -> list[tuple[str, str]]:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                self.status[url], final, body = response.status, response.geturl(), response.read()
                kind = response.headers.get_content_type()
        except urllib.error.HTTPError as error:
            self.status[url] = error.code
            return []
        where = unquote(urlsplit(url).path)
        self.ids[url] = None
        if kind == "text/html":
            page = BeautifulSoup(body.decode("utf-8"), "html.parser")
            self.ids[url] = ({tag["id"] for tag in page.find_all(id=True)}
                             | {a["name"] for a in page.find_all("a", attrs={"name": True})})
            return [(urljoin(final, link), where) for link in html_links(page, final)]
        if kind == "image/svg+xml":
            tree = ET.fromstring(body)
            self.ids[url] = {element.get("id") for element in tree.iter() if element.get("id")}
            return [(urljoin(final, link), where) for link in svg_links(tree)]
        if kind == "text/css":
            return [(urljoin(final, link), where) for link in css_urls(body.decode("utf-8"))]
        return []


def html_links(page: BeautifulSoup, url: str) -> list[str]:
    """Every URL a page links to or loads: hrefs, srcs, srcsets, object data, posters, CSS url()s,
    and the search worker and search index that Material's configuration points to."""
    links = []
    for tag in page.find_all(True):
        for attr in ("href", "src", "data", "poster", "xlink:href"):
            if tag.get(attr):
                links.append(tag[attr])
        if tag.get("srcset"):
            links += [candidate.split()[0] for candidate in tag["srcset"].split(",") if candidate.strip()]
        if tag.get("style"):
            links += css_urls(tag["style"])
    for style in page.find_all("style"):
        links += css_urls(style.get_text())
    config = page.find("script", id="__config")
    if config:
        settings = json.loads(config.get_text())
        links += [settings["search"], urljoin(urljoin(url, settings["base"]), "search/search_index.json")]
    return [link.strip() for link in links if not link.strip().startswith(("data:", "mailto:", "tel:", "javascript:"))]


def svg_links(tree: ET.Element) -> list[str]:
    links = [element.get(attr) for element in tree.iter() for attr in ("href", XLINK_HREF) if element.get(attr)]
    return links + [url for element in tree.iter() if element.tag.endswith("style") for url in css_urls(element.text or "")]


def css_urls(text: str) -> list[str]:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return [m["url"] or m["imp"] for m in CSS_URL.finditer(text) if not (m["url"] or m["imp"] or "").startswith("data:")]


@pytest.fixture(scope="module")
def crawl(origin, built_site):
    crawler = Crawl(origin)
    # No link leads to a "not found" page: each language's 404.html is a start page of its own.
    not_found = sorted("/" + p.relative_to(built_site).as_posix() for p in built_site.rglob("404.html"))
    crawler.run(["/", *[f"/{lang}/" for lang in LANGUAGES[1:]], *not_found])
    return crawler


def test_every_internal_link_and_anchor_resolves(crawl, built_site, quality):
    broken, figures = [], defaultdict(Counter)
    for where, target in crawl.references:
        counts = figures[language_of(where)]
        problem = link_problem(crawl, target)
        counts["links"] += 1
        counts["fragments"] += bool(urldefrag(target).fragment)
        if problem:
            counts["broken"] += 1
            broken.append(f"{where}: {unquote(target[len(crawl.origin):])}: {problem}")
    crawled = {unquote(urlsplit(url).path) for url, ids in crawl.ids.items() if ids is not None}
    for path in crawled:
        figures[language_of(path)]["pages"] += path.endswith(("/", ".html"))
    for lang in LANGUAGES:
        quality.record("links", language=lang,
                       **{key: figures[lang][key] for key in ("pages", "links", "fragments", "broken")})
    assert broken == [], f"{len(broken)} broken links:\n" + "\n".join(sorted(set(broken))[:80])
    built = {"/" + page.relative_to(built_site).as_posix().removesuffix("index.html") for page in html_pages(built_site)}
    assert sorted(built - crawled) == [], "pages that no link reaches from /, /en/ or /kk/"


def link_problem(crawl: Crawl, target: str) -> str | None:
    url, fragment = urldefrag(target)
    if crawl.status[url] != 200:
        return f"HTTP {crawl.status[url]}"
    if fragment and crawl.ids[url] is None:
        return "a fragment on something that is not a page"
    if fragment and unquote(fragment) not in crawl.ids[url]:
        return f"no element has id {unquote(fragment)!r}"
    return None


def test_the_crawl_reaches_every_kind_of_asset(crawl):
    # A crawler that misses a kind of link passes every site: stylesheets, fonts (from CSS),
    # scripts, images, CSV downloads, PDFs and the search index must all have been fetched.
    assets = [url for url in crawl.status if not urlsplit(url).path.endswith(("/", ".html"))]
    kinds = Counter(Path(urlsplit(url).path).suffix for url in assets)
    unreached = [suffix for suffix in (".css", ".js", ".woff2", ".svg", ".csv", ".pdf", ".json") if not kinds[suffix]]
    assert unreached == [], f"the crawl fetched no {unreached} file: its link extraction is broken"
    failed = [f"{unquote(url[len(crawl.origin):])}: HTTP {crawl.status[url]}" for url in assets if crawl.status[url] != 200]
    assert failed == [], failed


def pdf_links(path: Path, site: Path) -> tuple[Counter, list[str]]:
    """The PDF's link annotations counted by kind (internal, site, outbound), and what is wrong."""
    reader = PdfReader(path)
    pages = {page.indirect_reference.idnum for page in reader.pages}
    names = reader.named_destinations
    kinds, problems = Counter(), []

    def destination_problem(dest) -> str | None:
        if isinstance(dest, ArrayObject):
            target = dest[0] if dest else None
            inside = isinstance(target, IndirectObject) and target.idnum in pages
            return None if inside else "a destination outside the PDF's pages"
        if str(dest) not in names:
            return f"named destination {str(dest)!r} is not in the document"
        page = names[str(dest)].page
        return None if isinstance(page, IndirectObject) and page.idnum in pages else f"{str(dest)!r} points to no page"

    for number, page in enumerate(reader.pages, start=1):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") != "/Link":
                continue
            action = annotation["/A"].get_object() if "/A" in annotation else {}
            if "/Dest" in annotation or action.get("/S") == "/GoTo":
                kinds["internal"] += 1
                problem = destination_problem(annotation.get("/Dest", action.get("/D")))
            elif action.get("/S") == "/URI":
                uri = str(action["/URI"])
                kinds["site" if uri.startswith(SITE_URL) else "outbound"] += 1
                problem = uri_problem(uri, site)
            else:
                problem = f"a {action.get('/S', 'link')} without a destination"
            if problem:
                problems.append(f"{path.name}, page {number}: {problem}")
    return kinds, problems


def uri_problem(uri: str, site: Path) -> str | None:
    if uri.startswith(SITE_URL):
        return None if built_page(site, uri[len(SITE_URL):]) else f"{uri} is not a page of the site"
    return None if re.match(r"^(https?|mailto):", uri) else f"{uri!r} is not an absolute URL"


def built_page(site: Path, path: str) -> bool:
    target = site / unquote(urldefrag(path).url)
    return (target / "index.html").is_file() if path.endswith("/") or target.is_dir() else target.is_file()


def test_every_link_in_every_pdf_points_into_the_document(built_site, quality):
    # Contents entries are internal links to named destinations; footnotes float to the page foot
    # as text, with no link. A link to the site's own URL must name a page that was built.
    pdfs = sorted((built_site / "pdf").glob("*.pdf"))
    assert pdfs, "the site has no PDFs"
    problems, figures = [], defaultdict(Counter)
    for path in pdfs:
        kinds, found = pdf_links(path, built_site)
        assert kinds["internal"], f"{path.name} has no internal links: its contents entries should link to the chapters"
        lang = path.suffixes[-2].lstrip(".")
        figures[lang].update(pdfs=1, links=sum(kinds.values()), broken=len(found), **kinds)
        problems += found
    for lang in LANGUAGES:
        quality.record("pdf-links", language=lang,
                       **{key: figures[lang][key] for key in ("pdfs", "links", "internal", "site", "outbound", "broken")})
    assert problems == [], f"{len(problems)} broken PDF links:\n" + "\n".join(problems)


# ---------------------------------------------------------------- nothing from another host


def is_foreign(url: str) -> bool:
    """Whether loading this URL would leave the site (data: and blob: stay in the page)."""
    parts = urlsplit(url.strip())
    return bool(parts.netloc) or parts.scheme not in ("", "data", "blob")


def html_loads(page: BeautifulSoup) -> list[tuple[str, str]]:
    """(what, URL) for every URL in a page that the browser fetches on its own: not <a href>."""
    loads = []
    for tag in page.find_all(True):
        for attr in ("src", "data", "poster", "ping", "background"):
            if tag.get(attr):
                loads.append((f"<{tag.name} {attr}>", tag[attr]))
        if tag.get("srcset"):
            loads += [(f"<{tag.name} srcset>", c.split()[0]) for c in tag["srcset"].split(",") if c.strip()]
        if tag.get("href") and tag.name not in ("a", "area"):
            rels = set(tag.get("rel") or [])
            if tag.name != "link" or not rels <= NON_LOADING_RELS or not rels:
                loads.append((f"<{tag.name} href>", tag["href"]))
        if tag.get("xlink:href") and tag.name != "a":
            loads.append((f"<{tag.name} xlink:href>", tag["xlink:href"]))
        if tag.get("style"):
            loads += [(f"<{tag.name} style>", url) for url in css_urls(tag["style"])]
        if tag.name == "meta" and (tag.get("http-equiv") or "").lower() == "refresh":
            loads.append(("<meta refresh>", re.sub(r"^[^;]*;\s*url=", "", tag.get("content", ""), flags=re.I)))
    for style in page.find_all("style"):
        loads += [("<style>", url) for url in css_urls(style.get_text())]
    for script in page.find_all("script", src=False):
        if (script.get("type") or "text/javascript") in ("text/javascript", "module", "application/javascript"):
            loads += [("<script>", url) for url in js_urls(script.get_text())]
    return loads


def js_urls(text: str) -> list[str]:
    """Absolute URLs in a script's string literals (comments dropped)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"(?m)(^|[\s;{}])//[^\n]*", r"\1", text)
    return re.findall(r"""["'`](https?://[^"'`\s]+|//[\w-]+\.[\w.-]+[^"'`\s]*)""", text)


def svg_loads(path: Path) -> list[tuple[str, str]]:
    text = path.read_text(encoding="utf-8")
    loads = [("<?xml-stylesheet?>", m) for m in re.findall(r"<\?xml-stylesheet[^>]*href=['\"]([^'\"]+)", text)]
    tree = ET.fromstring(text)
    for element in tree.iter():
        name = element.tag.rsplit("}", 1)[-1]
        for attr in ("href", XLINK_HREF):
            if element.get(attr) and name != "a":
                loads.append((f"<{name} href>", element.get(attr)))
        if element.get("style"):
            loads += [(f"<{name} style>", url) for url in css_urls(element.get("style"))]
        if name == "style":
            loads += [("<style>", url) for url in css_urls(element.text or "")]
    return loads


def js_allowance(url: str, pages: list[BeautifulSoup]) -> tuple[int | None, str]:
    """The JS_URL_ALLOWED entry showing that a script's URL is never fetched, or None and why it may be."""
    for index, (pattern, guard, _reason) in enumerate(JS_URL_ALLOWED):
        if re.search(pattern, url):
            selector = f".{guard}" if guard and guard.isidentifier() else guard
            # The allowance holds only while no page meets the condition under which it is fetched.
            if guard and any(page.select(selector) for page in pages):
                return None, f"(fetched: a page has {selector})"
            return index, ""
    return None, "(not in JS_URL_ALLOWED)"


def test_no_resource_is_loaded_from_another_host(built_site, quality):
    """Statically: src, srcset, loading <link>s, CSS url() and @import, SVG hrefs, <object data>,
    <iframe>, and absolute URLs in scripts. Plain outbound <a href> links are allowed."""
    offenders, files, urls, allowed = [], 0, 0, Counter()
    pages = {path: soup(path) for path in html_pages(built_site)}
    for path in sorted(built_site.rglob("*")):
        where = path.relative_to(built_site).as_posix()
        if path.suffix == ".html":
            loads = html_loads(pages[path])
        elif path.suffix == ".css":
            loads = [("url()", url) for url in css_urls(path.read_text(encoding="utf-8"))]
        elif path.suffix == ".svg":
            loads = svg_loads(path)
        elif path.suffix in (".js", ".mjs"):
            loads = []
            for url in js_urls(path.read_text(encoding="utf-8", errors="replace")):
                index, why = js_allowance(url, list(pages.values()))
                allowed[index] += index is not None
                loads += [] if index is not None else [(f"script {why}", url)]
        else:
            continue
        files += 1
        urls += len(loads)
        offenders += [f"{where}: {what} {url}" for what, url in loads if is_foreign(url)]
    quality.record("foreign-static", files=files, urls=urls, foreign=len(offenders))
    for index, (pattern, _guard, reason) in enumerate(JS_URL_ALLOWED):
        quality.record("foreign-allowed", url=pattern.strip("^$"), reason=reason, count=allowed[index])
    assert offenders == [], "resources loaded from another host:\n" + "\n".join(offenders)


def test_the_foreign_url_scanner_sees_every_kind_of_load(tmp_path):
    # A scanner that finds nothing passes every site: show it each kind of load once.
    page = BeautifulSoup("""
        <link rel="stylesheet" href="https://cdn.example/a.css"><link rel="preconnect" href="https://fonts.example">
        <link rel="canonical" href="https://almanac.example/"><a href="https://outbound.example/">ok</a>
        <img src="//img.example/a.png" srcset="x.png 1x, https://img.example/b.png 2x">
        <object data="https://obj.example/o.svg"></object><iframe src="https://frame.example/"></iframe>
        <svg><use xlink:href="https://svg.example/s.svg#i"></use><image href="https://svg.example/i.png"/></svg>
        <div style="background:url('https://bg.example/b.png')"></div><style>@import "https://css.example/i.css";</style>
        <script>/* https://comment.example/ */ fetch("https://api.example/data")</script>""", "html.parser")
    found = sorted(urlsplit(url).netloc for _what, url in html_loads(page) if is_foreign(url))
    assert found == sorted(["cdn.example", "fonts.example", "img.example", "img.example", "obj.example",
                            "frame.example", "svg.example", "svg.example", "bg.example", "css.example", "api.example"])
    svg = tmp_path / "x.svg"
    svg.write_text('<?xml-stylesheet href="https://xs.example/s.css"?><svg xmlns="http://www.w3.org/2000/svg" '
                   'xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://im.example/i.png"/>'
                   '<a href="https://outbound.example/"><text>ok</text></a><style>rect{fill:url(//fill.example/p)}</style></svg>')
    assert sorted(urlsplit(url).netloc for _what, url in svg_loads(svg)) == ["fill.example", "im.example", "xs.example"]
    css = '/* url(https://comment.example/) */ @import url("https://a.example/x.css"); src: url(//b.example/f.woff2)'
    assert [urlsplit(url).netloc for url in css_urls(css)] == ["a.example", "b.example"]
    script = '/* https://c.example/ */ // https://d.example/\nlet u = `https://e.example/${x}`; f("//cdn.f.example/a.js")'
    assert [urlsplit(url).netloc for url in js_urls(script)] == ["e.example", "cdn.f.example"]


# ---------------------------------------------------------------- the report


def test_the_quality_report_adds_up_rows_and_says_what_it_did_not_measure():
    import datetime

    from tests.quality import Recorder, render

    recorder = Recorder()
    recorder.record("html", language="ru", pages=2, errors=0, warnings=1, filtered=3)
    recorder.record("html", language="ru", pages=3, errors=0, warnings=0, filtered=0)
    recorder.record("bad-input", case="a number that is 'n/a'", passed=True, message="x.yml, line 3: a|b")
    text = render(dict(recorder.rows), {"Nu HTML Checker (vnu.jar)": "1.0"}, datetime.date(2026, 1, 2), "abc1234")
    section = {part.split("\n", 1)[0]: part for part in text.split("\n## ")}
    assert "| ru | 5 | 0 | 1 | 3 |" in section["HTML validity (Nu HTML Checker)"]
    for title in ("Accessibility (axe-core in Chromium)", "Reproducibility", "Broken links in the PDFs"):
        assert "Not measured in this run." in section[title], title
    assert "1 of 1 cases passed" in section["Bad input"] and "a\\|b" in section["Bad input"]
    assert "| HTML errors | 0 |" in text and "| CSP violations | not measured |" in text
    assert "2026-01-02" in text and "abc1234" in text and "| Nu HTML Checker (vnu.jar) | 1.0 |" in text
