"""The library built unit by unit: each publication, in all its languages, is a unit; the library is one more.

A **publication unit** is one MkDocs build of one publication in every language, with a configuration of its
own (`stage`): its docs folder holds one link, to content/<slug>/, and its navigation that publication only.
It writes the publication's pages, its search entries, its open data, its PDFs and their covers. The
**library unit** writes the home page and catalogue, the translation status, the 404 pages and the theme's
assets; it reads every publication's metadata, not its pages.

Each unit's output is kept under a fingerprint of everything it reads (`fingerprints`): its content and
data, the locales, the theme and templates, the hooks and this package, the versions of the stack, the
settings of the build and the date its PDFs carry. A build fingerprints every unit, builds only those whose
output is not kept, and assembles the site from the kept outputs (almanac.assembly).

Reads: mkdocs.yml, content/, data/, locales/, overrides/, hooks/, this package's files, git's log of the
publications' inputs (almanac.dates). Writes: .cache/almanac/units/<name>/mkdocs.yml and docs/ (the unit's
config and its docs folder of links); the outputs are written by almanac.workers into
.cache/almanac/units/<name>/out-<fingerprint>/.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

from . import content, context, publications, settings, shards

EXTRA_KEY = "almanac_unit"   # where a unit's config carries its Unit: mkdocs.yml's extra
LIBRARY = "_library"         # the library unit's name (a publication's slug never starts with "_")
PARTS = shards.PARTS      # what a unit's build records for the assembly (pages, search entries, PDFs), in its output
# What a unit's output depends on besides its own content, as distributions: their versions are fingerprinted.
STACK = ("mkdocs", "mkdocs-material", "mkdocs-static-i18n", "weasyprint", "pydyf", "jinja2", "markdown",
         "pymdown-extensions", "babel", "matplotlib", "pillow", "pypdfium2", "fonttools", "lxml", "brotli",
         "pyphen")
# The settings of a build that change what a unit writes, as environment variables.
FLAGS = (settings.PDF, settings.PRINT_DOWNLOADS, settings.PRINT_EDITION, settings.STRICT, "ALMANAC_COMMAND")
COMMAND = "ALMANAC_COMMAND"   # "serve" in the environment of the preview's units (almanac.build), else a build
KEEP = 3                       # outputs kept per unit: the newest, with the preview's and the build's besides
_SKIPPED = ("__pycache__", ".egg-info", ".pyc")
_RECENT = 2   # seconds: a file changed more recently than this is hashed again at the next build


@dataclass(frozen=True)
class Unit:
    """One unit of the build: a publication (`slug`), or the library (`slug` None)."""

    name: str
    slug: str | None
    root: str            # the project folder (a unit's config lives in .cache/, not there)
    config_file: str     # the project's mkdocs.yml
    docs_dir: str        # the project's real docs folder (content/)

    @classmethod
    def from_extra(cls, raw) -> "Unit | None":
        return cls(**raw) if isinstance(raw, dict) else None

    @property
    def library(self) -> bool:
        return self.slug is None

    @property
    def folder(self) -> Path:
        return context.cache_dir(Path(self.root), "units") / self.name

    def output(self, fingerprint: str) -> Path:
        """Where the unit's output built from the inputs `fingerprint` is kept."""
        return self.folder / f"out-{fingerprint}"


def plan(config: settings.SiteConfig, pubs: list | None = None) -> list[Unit]:
    """The units of the project, the publications in the order of their folders and the library last.

    Every Markdown file of the docs folder is checked first to belong to a unit, as a build of the whole
    site checks it: a page in a folder without publication.yml would otherwise be built by no unit."""
    root, docs_dir = config.root, config.docs_dir
    pubs = publications.load_all(root, docs_dir) if pubs is None else pubs
    pages = sorted(path.relative_to(docs_dir).as_posix() for path in docs_dir.rglob("*.md") if path.is_file())
    content.check_inventory(pages, config.configured, pubs, docs_dir.resolve().relative_to(root.resolve()).as_posix())
    made = lambda name, slug: Unit(name, slug, str(root), str(config.path), str(docs_dir))  # noqa: E731
    return [made(pub.slug, pub.slug) for pub in pubs] + [made(LIBRARY, None)]


def fingerprints(config: settings.SiteConfig, units: list[Unit], env: dict, dates: dict[str, str]) -> dict[str, str]:
    """A hash of everything each unit reads (see the module's docstring), by unit name.

    `env` is the environment the units are built with (its `FLAGS` count); `dates` the date each
    publication's PDFs carry (almanac.dates.publication_dates), by slug."""
    root, docs_dir = config.root, config.docs_dir
    hashes = _FileHashes(context.cache_dir(root, "fingerprints") / "files.json")
    shared = hashlib.sha256()
    shared.update(config.path.read_bytes())
    for folder in (root / "locales", root / "overrides", root / "hooks"):
        _hash_tree(shared, folder, root, hashes)
    _hash_tree(shared, Path(__file__).parent, Path(__file__).parent.parent, hashes)   # this package, wherever installed
    for name in STACK:
        try:
            shared.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            shared.update(f"{name}=-\n".encode())
    shared.update(f"python={sys.version}\n".encode())
    for flag in FLAGS:
        shared.update(f"{flag}={env.get(flag, '')}\n".encode())
    data = hashlib.sha256()
    _hash_tree(data, root / "data", root, hashes)
    common = shared.hexdigest() + data.hexdigest()
    result = {}
    everything = hashlib.sha256(common.encode())
    for unit in units:
        if unit.library:
            continue
        digest = hashlib.sha256(common.encode())
        digest.update(f"date={dates.get(unit.slug, '')}\n".encode())
        _hash_tree(digest, docs_dir / unit.slug, root, hashes)
        result[unit.name] = digest.hexdigest()[:24]
        everything.update(f"{unit.name}={result[unit.name]}\n".encode())
    # The library shows every publication's metadata and translation states: it reads all of content/.
    for path in sorted(docs_dir.iterdir()):
        if path.is_file():
            everything.update(path.name.encode() + b"\0" + path.read_bytes())
    for unit in units:
        if unit.library:
            result[unit.name] = everything.hexdigest()[:24]
    hashes.save()
    return result


def _hash_tree(digest, folder: Path, root: Path, hashes: "_FileHashes") -> None:
    """Every file under `folder` (but caches of Python's): its path from `root` and its content's hash, in
    the order of the paths."""
    top = os.fspath(folder)
    if not os.path.exists(top):
        return
    base = os.fspath(root)
    found = []
    for where, dirs, files in os.walk(top):
        dirs[:] = [name for name in dirs if not name.endswith(_SKIPPED)]
        found += [os.path.join(where, name) for name in files if not name.endswith(_SKIPPED)]
    for path, relative in sorted((path, os.path.relpath(path, base).replace(os.sep, "/")) for path in found):
        if os.path.isfile(path):
            digest.update(relative.encode() + b"\0" + hashes.of(path))


class _FileHashes:
    """The SHA-256 of files, kept in `store` under their path, size, times and inode: a warm build of 50
    times the library reads ~60 MB of content, data and code to fingerprint its units, and finds them unchanged.

    A file changed within `_RECENT` seconds of the reading is read again next time: its time may not tell
    two writes in the same tick apart."""

    def __init__(self, store: Path):
        self.store = store
        try:
            self.known: dict[str, list] = json.loads(store.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.known = {}
        self.seen: dict[str, list] = {}
        self.now = time.time_ns()

    def of(self, path: str) -> bytes:
        stat = os.stat(path)
        key = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        entry = self.known.get(path)
        if entry is not None and entry[:4] == key:
            digest = entry[4]
        else:
            with open(path, "rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
        if self.now - max(stat.st_mtime_ns, stat.st_ctime_ns) > _RECENT * 1_000_000_000:
            self.seen[path] = [*key, digest]
        return bytes.fromhex(digest)

    def save(self) -> None:
        if self.seen == self.known:
            return
        self.store.parent.mkdir(parents=True, exist_ok=True)
        temp = self.store.with_name(f"{self.store.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(self.seen), encoding="utf-8")
        temp.replace(self.store)


def stage(unit: Unit, raw: dict | None = None) -> Path:
    """Write the unit's config and its docs folder of links; return the config's path. `raw`: mkdocs.yml's
    settings as the build read them (read here when not given: parsing it is 27 ms, a unit)."""
    root, docs_dir = Path(unit.root), Path(unit.docs_dir)
    raw = settings.read(Path(unit.config_file)).raw if raw is None else raw
    docs = unit.folder / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    if unit.library:
        targets = {path.name: path for path in sorted(docs_dir.iterdir())
                   if not (path.is_dir() and (path / "publication.yml").is_file())}
    else:
        targets = {unit.slug: docs_dir / unit.slug}
    for link in docs.iterdir():
        if link.name not in targets or not link.is_symlink() or Path(os.readlink(link)) != targets[link.name]:
            # A copied cache may hold the linked folders themselves (copytree follows links).
            if link.is_dir() and not link.is_symlink():
                shutil.rmtree(link)
            else:
                link.unlink()
    for name, target in targets.items():
        if not (docs / name).is_symlink():
            (docs / name).symlink_to(target, target_is_directory=target.is_dir())
    # MkDocs resolves the inherited config's relative paths from this file's folder: name them absolutely.
    theme = raw.get("theme") or {}
    generated = {
        "INHERIT": os.path.relpath(unit.config_file, unit.folder),
        "docs_dir": "docs",
        **({"theme": {"custom_dir": str(root / theme["custom_dir"])}} if theme.get("custom_dir") else {}),
        "hooks": [str(root / hook) for hook in raw.get("hooks", [])],
        "extra": {EXTRA_KEY: asdict(unit)},
    }
    return settings.write_generated(unit.folder / "mkdocs.yml", f"Written by 'almanac build' for the unit {unit.name} "
                                    f"(almanac/units.py) at every build; edit {Path(unit.config_file).name} instead.",
                                    generated)


def owned(unit: Unit, relative: str, langs: list[str]) -> bool:
    """Whether a file a unit's build wrote (a path relative to its site folder) is the unit's in the whole site.

    A publication's build also writes the theme's 404 pages and the search plugin's whole index and sitemap;
    those are the library's, or the assembly's."""
    if relative.startswith(PARTS + "/"):
        return True
    if unit.library:
        head = relative.split("/", 1)[0]
        return head not in ("pdf", "covers", "data", "sitemap.xml", "sitemap.xml.gz") and not any(
            relative in (f"{lang}/sitemap.xml", f"{lang}/sitemap.xml.gz") for lang in langs) and not (
            relative.endswith("search/search_index.json"))
    slug = unit.slug
    prefixes = [f"{lang}/{slug}/" for lang in langs] + [f"{slug}/", f"data/{slug}/"]
    if any(relative.startswith(prefix) for prefix in prefixes):
        return True
    name = relative.rsplit("/", 1)[-1]
    if relative.startswith(("pdf/", "covers/")):
        return name.split(".", 1)[0] == slug
    # Indicator tables' CSV files (hooks/indicators.py): [<lang>/]assets/data/<slug>-<table>.<lang>.csv
    folder = relative.rsplit("/", 1)[0] if "/" in relative else ""
    return folder in ["assets/data"] + [f"{lang}/assets/data" for lang in langs] and name.startswith(slug + "-")


def finish_output(unit: Unit, site: Path, langs: list[str], compress: bool) -> None:
    """After a unit's build succeeded (in the worker that built it): keep only what the unit owns in the
    site, compress it for hosts (not for the preview), and record its pages' Content-Security-Policies,
    which the site's header joins (almanac.hosting)."""
    from . import hosting

    site.mkdir(parents=True, exist_ok=True)   # a unit may write nothing
    for folder, _, files in os.walk(site, topdown=False):
        for name in files:
            path = Path(folder) / name
            if not owned(unit, path.relative_to(site).as_posix(), langs):
                path.unlink()
        if folder != str(site) and not os.listdir(folder):
            os.rmdir(folder)
    if compress:
        hosting.precompress(site, context.cache_dir(Path(unit.root), "compressed"))
    shards.write_part(site, "policy", hosting.policies(site))


def fill_facts(unit: Unit, site: Path, compress: bool) -> int:
    """Once the PDFs a unit handed to the pool are all in its site (almanac.workers), the PDF facts (page
    count, size) of its pages that wait for them (the `facts` record, hooks/readers.py) are filled in, the
    changed pages compressed again, and the record dropped: the unit is then as its own build would have
    left it, and no assembly reads its pages again. Returns how many pages changed."""
    from . import hosting, locales, overview

    record = site / PARTS / "facts.json"
    root = Path(unit.root)
    waiting = [site / page for page in (shards.read_part(site, "facts") or {}).get("pages", [])]
    changed = overview.fill_pages(waiting, site / "pdf", locales.load(root), context.cache_dir(root, "pdf-facts"))
    if compress and changed:
        hosting.precompress(site, context.cache_dir(root, "compressed"), paths=changed)
    record.unlink(missing_ok=True)
    return len(changed)

