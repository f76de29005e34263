"""Site search: a stemmer per language, and an index per publication so that a search stays small.

Reads: one language's search index (the documents Material's search plugin wrote for that
language, see `multilingual.language_index`), the publications' slugs; for `first_search`, a
built site. Writes: nothing; hooks/i18n.py writes the indexes these functions return.

Material's search worker downloads the whole index its page points at when the page loads, and
builds a lunr index from it in the browser. One index per language grows with the library (8.7 MB
at 20×), so each language has
- a library index, `[<lang>/]search/search_index.json`: the pages outside any publication (the
  home page, the translation status) without the catalogue's own widgets, and one entry per
  publication: its title and a short abstract, linking to its home page;
- a publication index, `[<lang>/]<slug>/search/search_index.json`: the publication's own pages, in
  full, and the library index beside them, so that a reader on a chapter finds the passage in this
  publication and the other publications by their title and abstract.
Each page's search reads the index of its scope (`scope`, applied by hooks/material_markup.py
`search_base`), and what a first search downloads stays about the size of one publication plus
one line per publication. docs/architecture.md ("Search") says why this and not Pagefind.

Stemming: the Snowball stemmers of lunr-languages for Russian (shipped with Material) and lunr's
own for English; for Kazakh, Almanac's suffix-stripping stemmer,
overrides/assets/javascripts/lunr/min/lunr.kk.min.js. Queries are stemmed with the same stemmer by
overrides/assets/javascripts/workers/almanac-search.js.
"""

from __future__ import annotations

import json
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

INDEX = "search/search_index.json"
WORKER = "assets/javascripts/workers/almanac-search.js"

# lunr's trimmers know one script each (lunr.ru's strips Latin letters, lunr's strips Cyrillic), and
# the pages mix both ("RuNPUD", "ЕСЛУН"): ru and en rely on the separator instead, which also splits
# at a sentence's full stop. lunr.kk's trimmer knows every script.
PIPELINES = {"kk": ["trimmer", "stopWordFilter", "stemmer"]}
PIPELINE = ["stopWordFilter", "stemmer"]
ABSTRACT = 200   # characters of a publication's first paragraph in the library index
# Section ids of Almanac's own widgets (the catalogue and its cards, the filters): the library index
# has an entry per publication instead.
WIDGET = re.compile(r"#almanac-")
_TAG = re.compile(r"<[^>]+>")


def index_config(lang: str, config: dict) -> dict:
    """The config of a language's index: its stemmer language and pipeline, the rest as Material wrote it."""
    return {**config, "lang": [lang], "pipeline": PIPELINES.get(lang, PIPELINE)}


def publication_of(src: str, slugs: Container[str]) -> str | None:
    """The publication a page belongs to, from its language-free source path ('x/01-a.md' → 'x')."""
    head = src.split("/", 1)[0]
    return head if "/" in src and head in slugs else None


def scope(lang_prefix: str, publication: str | None) -> str:
    """The folder, relative to the site root, whose search/search_index.json a page's search reads."""
    return lang_prefix + (f"{publication}/" if publication else "")


def scopes(index: dict, slugs: list[str], editorial: Container[str] = ()) -> dict[str, dict]:
    """A language's index split by scope: '' (the library) and '<slug>/' for every publication.

    Locations in each index are relative to its scope's folder, as Material resolves them. The library's
    `editorial` pages (the translation status: editors', long, and changed by every edit) are in the
    library's index only, not in every publication's."""
    own, library, entries = _split(index, slugs)
    result = {"": {"config": index["config"], "docs": library + list(entries.values())}}
    for slug in slugs:
        around = [{**doc, "location": "../" + doc["location"]} for doc in library
                  if doc["location"].split("#", 1)[0] not in editorial]
        around += [{**entry, "location": "../" + entry["location"]}
                   for other, entry in entries.items() if other != slug]
        result[f"{slug}/"] = {"config": index["config"], "docs": own[slug] + around}
    return result


def dumped_scopes(index: dict, slugs: list[str], editorial: Container[str] = ()) -> Iterator[tuple[str, str]]:
    """`scopes` as the files' text, one (folder, text) at a time: `dumps` of each scope, byte for byte, with
    every document shared by the publications' indexes (the library's pages, each publication's entry)
    serialised once, not once a publication: at 50 times the library that is a quarter of a million entries
    fewer to write. One at a time, because all of a language's together are ~100 MB at 50 times."""
    own, library_docs, entries = _split(index, slugs)
    library = {"config": index["config"], "docs": library_docs + list(entries.values())}
    head = '{"config":' + json.dumps(index["config"], ensure_ascii=False, separators=(",", ":")) + ',"docs":['
    item = lambda doc: json.dumps(doc, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    around = [item({**doc, "location": "../" + doc["location"]}) for doc in library_docs
              if doc["location"].split("#", 1)[0] not in editorial]
    others = {slug: item({**entry, "location": "../" + entry["location"]}) for slug, entry in entries.items()}
    yield "", dumps(library)
    for slug in slugs:
        docs = [item(doc) for doc in own[slug]] + around + [text for other, text in others.items() if other != slug]
        yield f"{slug}/", head + ",".join(docs) + "]}"


def _split(index: dict, slugs: list[str]) -> tuple[dict[str, list], list, dict[str, dict]]:
    """A language's documents as each publication's own (located from its folder), the library's (widgets
    left out), and each publication's entry in the library."""
    own: dict[str, list] = {slug: [] for slug in slugs}
    library = []
    for doc in index.get("docs", []):
        slug = doc["location"].split("/", 1)[0]
        if "/" in doc["location"] and slug in own:
            own[slug].append({**doc, "location": doc["location"][len(slug) + 1:]})
        elif not WIDGET.search(doc["location"]):
            library.append(doc)
    return own, library, {slug: _entry(slug, pages) for slug, pages in own.items() if pages}


def dumps(index: dict) -> str:
    return json.dumps(index, ensure_ascii=False, separators=(",", ":"))


def _entry(slug: str, pages: list[dict]) -> dict:
    """A publication in the library index: its home page's title, and its first paragraph, cut short."""
    home = [doc for doc in pages if doc["location"].split("#", 1)[0] == ""]
    title = (home or pages)[0]["title"]
    text = next((_plain(doc["text"]) for doc in home if _plain(doc["text"])), "")
    if len(text) > ABSTRACT:
        text = text[:ABSTRACT].rsplit(" ", 1)[0].rstrip(",;:—–- ") + " …"
    return {"location": f"{slug}/", "title": title, "text": f"<p>{text}</p>" if text else ""}


def _plain(html: str) -> str:
    return " ".join(_TAG.sub(" ", html).split())


# --- What a first search downloads, measured on a built site ---------------------------------------

_CONFIG = re.compile(r'<script id="__config" type="application/json">(.*?)</script>', re.S)


@dataclass(frozen=True)
class Download:
    """What a first search downloads: the page it is made on, the index it reads, bytes by file (URL path)."""
    page: str
    index: str
    files: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.files.values())


def first_search(site: Path) -> dict[str, Download]:
    """What the first search downloads on the pages of a built site, one page per search index: the
    worker (Almanac's and Material's), lunr's language scripts for the index, and the index.

    Keyed by the index's URL path; `largest(...)` picks the worst."""
    found: dict[str, Download] = {}
    for page in sorted(site.rglob("*.html")):
        download = page_download(site, page)
        if download is not None:
            found.setdefault(download.index, download)
    return found


def page_download(site: Path, page: Path) -> Download | None:
    """What the first search on one built page downloads (None for a page without Material's search)."""
    match = _CONFIG.search(page.read_text(encoding="utf-8"))
    if not match:
        return None
    config = json.loads(match.group(1))
    url = "/" + page.relative_to(site).as_posix()
    index = urlsplit(urljoin(urljoin(url, config["base"]), INDEX)).path
    worker = urlsplit(urljoin(url, config["search"]))
    files = [worker.path]
    engine = parse_qs(worker.query).get("engine")
    if engine:
        files.append(urljoin(worker.path, engine[0]))
    data = json.loads((site / index.lstrip("/")).read_text(encoding="utf-8"))
    for lang in [lang for lang in data["config"]["lang"] if lang != "en"]:
        files += [urljoin(worker.path, "../lunr/min/lunr.stemmer.support.min.js"),
                  urljoin(worker.path, f"../lunr/min/lunr.{lang}.min.js")]
    files.append(index)
    return Download(url, index, {path: (site / path.lstrip("/")).stat().st_size for path in files})


def largest(downloads: dict[str, Download]) -> Download:
    return max(downloads.values(), key=lambda d: d.total)
