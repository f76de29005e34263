"""The site in shards: each language built on its own, then assembled into the whole site.

A shard is the site folder that a build of one language writes (`almanac build`
runs one per language, at once; CI can run each as a job of its own). Its pages
are already exactly what a build of every language writes for that language;
assembling adds the one file that spans the languages.

Reads: shard folders, each holding a site folder and `.almanac-shard/`:
- `pages.json` (written by hooks/i18n.py): the language's pages, which are fallbacks, the site's URL;
- `pdf.json` (written by hooks/pdf.py, when PDFs are on): its PDFs and their files in the PDF cache, and
  those of the printer's edition when the build published it beside the site's, under pdf/print/;
- `shard.json` (written by `finish`, after the build succeeded): its language, the site's languages and
  a fingerprint of the inputs, so that shards of different sources are never assembled together.
Writes: with `finish`, trims a shard to what it owns; with `assemble`, the whole site.

Who writes what in the whole site:
- the default language's shard: everything at the site root, shared files included
  (theme assets, 404.html, search/search_index.json), and its own pages and CSV files;
- each other language's shard: <lang>/ (pages, CSV files, 404.html, search index), pdf/<slug>.<lang>.pdf
  and pdf/print/<slug>.<lang>.pdf;
- assembling: sitemap.xml and sitemap.xml.gz, from the pages of every shard.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from . import multilingual, overview
from .errors import AlmanacError
from .locales import DEFAULT_LANGUAGE

PARTS = ".almanac-shard"
CLAIMS = "claims-"   # PARTS/claims-<output>.json: the files an output wrote outside its language's folder
SITEMAP = ("sitemap.xml", "sitemap.xml.gz")
INPUTS = ("content", "data", "locales", "overrides", "hooks")
_SKIPPED = ("__pycache__", ".egg-info")


@dataclass
class Assembled:
    languages: list[str]
    pdfs: dict[str, str]      # PDF name (slug.lang) -> its file in the PDF cache
    print_edition: bool


def fingerprint(root: Path) -> str:
    """A hash of everything a build reads (mkdocs.yml and the input folders), names and contents."""
    digest = hashlib.sha256((root / "mkdocs.yml").read_bytes())
    for folder in INPUTS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and not any(part.endswith(_SKIPPED) for part in path.parts):
                digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def write_part(site: Path, name: str, data: dict, *, sort_keys: bool = True) -> None:
    """Record what a build of one language (or a unit) knows and the assembly needs (called by the hooks).

    `sort_keys` False keeps the order of the keys, for records copied into the site as they are (search entries)."""
    folder = site / PARTS
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(data, ensure_ascii=False, sort_keys=sort_keys), encoding="utf-8")


def read_part(shard: Path, name: str) -> dict | None:
    path = shard / PARTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def pages_part(pages: multilingual.Pages, lang: str, site_url: str) -> dict:
    """One language's records of `pages`, as `write_part` keeps them."""
    return {"language": lang, "site_url": site_url,
            "pages": {src: by_lang[lang] for src, by_lang in pages.by_source.items() if lang in by_lang}}


def write_sitemap(site: Path, pages: multilingual.Pages, langs: list[str], site_url: str) -> None:
    """<site>/sitemap.xml and its gzip copy (no timestamp inside: rebuilds are byte-identical)."""
    xml = multilingual.sitemap_xml(pages, langs, site_url)
    (site / SITEMAP[0]).write_text(xml, encoding="utf-8")
    with gzip.GzipFile(site / SITEMAP[1], "wb", mtime=0) as handle:
        handle.write(xml.encode("utf-8"))


def claim(site: Path, output: str, paths: list[str]) -> None:
    """An output of a language's build declares the files it wrote outside the language's folder
    (paths relative to the site, e.g. "pdf/x.en.pdf"): its shard keeps exactly these (see `finish`)."""
    write_part(site, f"{CLAIMS}{output}", {"paths": sorted(paths)})


def claimed(shard: Path) -> set[str]:
    """Every path the outputs of this shard's build declared with `claim`."""
    paths: set[str] = set()
    for part in sorted((shard / PARTS).glob(f"{CLAIMS}*.json")):
        paths.update(json.loads(part.read_text(encoding="utf-8"))["paths"])
    return paths


def finish(shard: Path, lang: str, langs: list[str], inputs: str) -> None:
    """After a language's build succeeded: keep only what its shard owns in the whole site, and label it.

    The default language's shard owns the site's root (theme assets, 404, search, open data). Another
    language's shard owns its folder (`<lang>/`), its records (`PARTS`), and the files its outputs
    claimed (`claim`); anything else it wrote is the theme's or the default language's, written again."""
    if lang == DEFAULT_LANGUAGE:
        # The default language's pass writes a sitemap of its own pages; assembling writes the real one.
        for name in SITEMAP:
            (shard / name).unlink(missing_ok=True)
    else:
        keep = claimed(shard)
        for path in sorted(shard.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            relative = path.relative_to(shard)
            if relative.parts[0] in (lang, PARTS) or relative.as_posix() in keep:
                continue
            if path.is_dir() and not path.is_symlink():
                if not any(path.iterdir()):
                    path.rmdir()
            else:
                path.unlink()
    write_part(shard, "shard", {"language": lang, "languages": langs, "inputs": inputs})


def assemble(shards: list[Path], target: Path, *, move: bool = False, locales=None,
             memo: Path | None = None) -> Assembled:
    """Put the shards of every language together into `target` (which must not exist yet).

    With `locales`, the publication home pages also get the page count and size of every language's PDF:
    a shard knows only its own language's PDFs, so these facts can be filled in only here (page counts kept in
    `memo`, see overview.pdf_pages)."""
    records = [_record(shard) for shard in shards]
    langs = records[0]["languages"]
    for shard, record in zip(shards, records):
        if record["languages"] != langs:
            raise AlmanacError(f"{shard}: a shard of a site in {', '.join(record['languages'])}, "
                               f"not {', '.join(langs)}; build every shard from the same sources.")
        if record["inputs"] != records[0]["inputs"]:
            raise AlmanacError(f"{shard}: built from other sources than {shards[0]} "
                               f"(inputs {record['inputs']}, not {records[0]['inputs']}); rebuild the shards "
                               f"from one commit.")
    built = [record["language"] for record in records]
    for lang in langs:
        if built.count(lang) != 1:
            raise AlmanacError(f"{lang}: {'no' if not built.count(lang) else 'more than one'} shard of this language "
                               f"among {', '.join(map(str, shards))}; build it with 'almanac build --shard {lang}'.")
    target.mkdir(parents=True)
    pages, site_url, waiting = multilingual.Pages(), "/", []
    for shard in sorted(shards, key=lambda s: langs.index(_record(s)["language"])):
        part = read_part(shard, "pages") or {"pages": {}, "site_url": "/"}
        for src, rec in part["pages"].items():
            pages.record(src, part["language"], rec["url"], rec["fallback"])
        site_url = part["site_url"]
        waiting += [target / page for page in (read_part(shard, "facts") or {}).get("pages", [])]
        _merge(shard, target, move)
    write_sitemap(target, pages, langs, site_url)
    if locales is not None and (target / "pdf").is_dir():
        # Only the pages each shard listed (hooks/readers.py): reading every page of a large site would not scale.
        overview.fill_pages(waiting, target / "pdf", locales, memo)
    return Assembled(langs, *pdf_files(shards))


def pdf_files(shards: list[Path]) -> tuple[dict[str, str], bool]:
    """The PDFs the shards published ({name: cached file}) and whether they are the printer's edition."""
    files, print_edition = {}, False
    for shard in shards:
        pdf = read_part(shard, "pdf")
        if pdf:
            files.update(pdf["files"])
            print_edition = print_edition or pdf["print_edition"]
    return files, print_edition


def print_files(shards: list[Path]) -> dict[str, str]:
    """The printer's edition's PDFs the shards published beside the site's, under pdf/print/ ({name: cached file})."""
    files: dict[str, str] = {}
    for shard in shards:
        files.update((read_part(shard, "pdf") or {}).get("print_files", {}))
    return files


def _record(shard: Path) -> dict:
    record = read_part(shard, "shard")
    if record is None:
        raise AlmanacError(f"{shard}: not a shard (no {PARTS}/shard.json); build one with "
                           f"'almanac build --shard LANG --shard-dir {shard.parent}'.")
    return record


def _merge(shard: Path, target: Path, move: bool) -> None:
    """Every file of a shard into `target`; two shards never own the same file."""
    for path in sorted(shard.rglob("*")):
        relative = path.relative_to(shard)
        if relative.parts[0] == PARTS or not path.is_file():
            continue
        destination = target / relative
        if destination.exists():
            raise AlmanacError(f"{shard}/{relative.as_posix()}: another shard has this file too.")
        destination.parent.mkdir(parents=True, exist_ok=True)
        if move:
            path.rename(destination)
        else:
            shutil.copyfile(path, destination)
