"""The editor's fast preview: one publication in one language, rebuilt within a second of a save.

`almanac serve --publication SLUG --language LANG` (`make serve PUB=… LANG=…`) builds and watches
only what the editor is working on: that publication's pages in that language (a missing translation
falls back to Russian, as on the site), its data tables and charts, and the site's chrome. The rest
of the library is not built; links that lead to it point to the published site.

Why a scope and not a faster full build: the time of a rebuild grows with the pages built, and an
editor looks at one page. Building one publication in one language keeps the rebuild the same size
whatever the size of the library.

How (the engine's side is hooks/preview.py and hooks/engine.py):
- `scope` checks SLUG and LANG against the project; a wrong one is a `ScopeError` naming what exists.
- `stage` writes the preview's own config, `.cache/preview/<slug>.<lang>/mkdocs.yml`. It inherits
  the project's mkdocs.yml and changes only what the scope needs: a docs folder holding one link,
  `docs/<slug>` -> `content/<slug>` (so the engine lists, and the watcher polls, one publication, not
  the library), PDFs off, the preview's hook, and what to watch besides (data/, locales/,
  overrides/, mkdocs.yml). `almanac serve` builds its language alone, as a shard of the site
  (`ALMANAC_SHARD`, engine.shard): its pages keep their URLs (/<lang>/…) and their fallbacks.
- `load_project` loads the one publication, and only the data files its pages show.
- `outside_link` and `published_url`: where a link that leaves the scope leads on the published site.
- `save_to_ready` measures the preview as an editor feels it: from a save to the page served changed.

Reads: mkdocs.yml (site_url, docs_dir, theme.custom_dir, hooks, the i18n languages), content/<slug>/,
data/organisations.yml, the data files the publication's pages show, locales/. Writes:
.cache/preview/<slug>.<lang>/ (the config and one symbolic link), nothing else.
"""

from __future__ import annotations

import hashlib
import os
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urljoin

from . import indicators, locales, project, publications, settings
from .context import language_free
from .errors import AlmanacError
from .locales import DEFAULT_LANGUAGE

EXTRA_KEY = "almanac_preview"   # where the preview's config carries its Scope: mkdocs.yml's extra
HOOK = "preview.py"             # hooks/preview.py: the adapter, listed only in the preview's config


class ScopeError(AlmanacError):
    """An unknown publication or language; `option` is the command-line option at fault."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class Scope:
    """What a preview builds, and where the project it belongs to lives."""

    publication: str
    language: str
    root: str           # the project folder (the preview's config lives in .cache/, not there)
    config_file: str    # the project's mkdocs.yml
    docs_dir: str       # the project's real docs folder (content/)
    site_url: str       # the published site; `mkdocs serve` replaces config.site_url by its own address

    @classmethod
    def from_extra(cls, raw) -> "Scope | None":
        return cls(**raw) if isinstance(raw, dict) else None

    @property
    def prefix(self) -> str:
        """Where the language's pages live in the site (the default language at the root)."""
        return "" if self.language == DEFAULT_LANGUAGE else f"{self.language}/"


def scope(config_file: Path, publication: str, language: str | None) -> Scope:
    """The scope of a preview, checked against the project; a wrong one names what exists."""
    config = settings.read(config_file)
    root = config_file.parent
    docs_dir = config.docs_dir.resolve()
    languages = config.languages
    slugs = sorted(path.parent.name for path in docs_dir.glob("*/publication.yml"))
    if publication not in slugs:
        raise ScopeError("--publication", f"{publication!r}: no such publication in {docs_dir.name}/; "
                                          f"expected one of: {', '.join(slugs) or '(none)'}.")
    language = language or DEFAULT_LANGUAGE
    if language not in languages:
        raise ScopeError("--language", f"{language!r}: not a language of this site; expected one of: "
                                       f"{', '.join(languages)}.")
    site_url = str(config.raw.get("site_url") or "/")
    return Scope(publication, language, str(root), str(config_file), str(docs_dir),
                 site_url if site_url.endswith("/") else site_url + "/")


def stage(scope: Scope) -> Path:
    """Write the preview's config and its one-publication docs folder; return the config's path."""
    root = Path(scope.root)
    config = settings.read(Path(scope.config_file)).raw
    folder = root / ".cache" / "preview" / f"{scope.publication}.{scope.language}"
    docs = folder / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    link, publication = docs / scope.publication, Path(scope.docs_dir) / scope.publication
    if not (link.is_symlink() and Path(os.readlink(link)) == publication):
        link.unlink(missing_ok=True)
        link.symlink_to(publication, target_is_directory=True)
    # MkDocs resolves the inherited config's relative paths from this file's folder: name them absolutely.
    theme = config.get("theme") or {}
    custom_dir = root / theme["custom_dir"] if theme.get("custom_dir") else None
    hooks = [str(root / hook) for hook in config.get("hooks", [])] + [str(root / "hooks" / HOOK)]
    # MkDocs watches the docs folder (through the link) and this file; the rest the scope depends on
    # (data/indicators/ whole: a page may show another publication's data):
    watch = [root / "data" / "indicators", root / "data" / "organisations.yml",
             root / "locales", custom_dir, Path(scope.config_file)]
    generated = {
        "INHERIT": os.path.relpath(scope.config_file, folder),
        "docs_dir": "docs",
        "site_dir": "site",
        **({"theme": {"custom_dir": str(custom_dir)}} if custom_dir else {}),
        "hooks": hooks,
        "watch": [str(path) for path in watch if path and path.exists()],
        "extra": {"almanac": {"pdf": False}, EXTRA_KEY: asdict(scope)},
    }
    return settings.write_generated(
        folder / "mkdocs.yml", f"Written by 'almanac serve --publication {scope.publication} --language "
        f"{scope.language}' (almanac/preview.py) at every start; edit {Path(scope.config_file).name} instead.",
        generated)


def load_project(scope: Scope, languages: list[str], raw_settings, config_text: str,
                 warnings=None) -> project.Project:
    """The project as the preview sees it: settings and locales, and of the library only the publication
    previewed and the data files its pages use (loading every publication and data file would grow
    with the library)."""
    root, docs_dir = Path(scope.root), Path(scope.docs_dir)
    settings = project.load_settings(raw_settings, config_text)
    pub = publications.load_one(root, docs_dir, scope.publication)
    return project.Project(root, docs_dir, languages, settings, locales.load(root, warnings), [pub],
                           _Datasets(root / "data" / "indicators", root))


def load_unit(unit, languages: list[str], raw_settings, config_text: str, warnings=None) -> project.Project:
    """The project as a unit of `almanac build` sees it (almanac.units): a publication's unit loads that
    publication, the library's every publication's metadata; both read a data file only when a page shows it."""
    root, docs_dir = Path(unit.root), Path(unit.docs_dir)
    settings = project.load_settings(raw_settings, config_text)
    pubs = publications.load_all(root, docs_dir) if unit.library else [publications.load_one(root, docs_dir, unit.slug)]
    if unit.library:
        # A publication's data file is read and checked by its unit; one that belongs to no publication (a
        # renamed file, a typo in its name) is read by none: the library checks it, and its error names it.
        slugs = {pub.slug for pub in pubs}
        for path in sorted((root / "data" / "indicators").glob("*.yml")):
            if path.stem not in slugs:
                indicators.load_dataset(path, root, slugs)
    return project.Project(root, docs_dir, languages, settings, locales.load(root, warnings), pubs,
                           _Datasets(root / "data" / "indicators", root))


class _Datasets(Mapping):
    """The data files by publication (`data/indicators/<slug>.yml`), each read when it is first asked
    for, since a page may show another publication's data; and validated again only when the file
    changed, since every save rebuilds the preview (kept by content hash, like yamlfile's cache)."""

    _read: dict[str, tuple[bytes, indicators.Dataset]] = {}

    def __init__(self, folder: Path, root: Path):
        self.folder, self.root = folder, root

    def __getitem__(self, slug) -> indicators.Dataset:
        path = self.folder / f"{slug}.yml"
        if not isinstance(slug, str) or "/" in slug or not path.is_file():
            raise KeyError(slug)
        digest = hashlib.sha256(path.read_bytes()).digest()
        cached = self._read.get(str(path))
        if cached is None or cached[0] != digest:
            cached = self._read[str(path)] = (digest, indicators.load_dataset(path, self.root, {slug}))
        return cached[1]

    def __contains__(self, slug) -> bool:
        # Whether a publication has data, without reading and validating the file (the catalogue asks it of all).
        return isinstance(slug, str) and "/" not in slug and (self.folder / f"{slug}.yml").is_file()

    def __iter__(self):
        return iter(sorted(path.stem for path in self.folder.glob("*.yml")))

    def __len__(self) -> int:
        return len(list(self.folder.glob("*.yml")))


def published_url(scope: Scope, src_uri: str, directory_urls: bool = True) -> str:
    """Where the page `src_uri` (e.g. "x/01-a.md", "index.md") lives on the published site, in the
    preview's language (every page exists in every language there: a missing translation falls back)."""
    path = PurePosixPath(language_free(src_uri)).with_suffix("")
    if path.name in ("index", "README"):
        url = "" if str(path.parent) == "." else f"{path.parent}/"
    else:
        url = f"{path}/" if directory_urls else f"{path}.html"
    return urljoin(scope.site_url, quote(scope.prefix + url))


def outside_link(scope: Scope, page_src_uri: str, target: str, in_scope, directory_urls: bool = True) -> str | None:
    """The published URL for a link `target` (as written in the page `page_src_uri`) to a Markdown page
    that the preview does not build; None for a link the preview resolves itself.

    `in_scope(src_uri)` says whether the preview builds a page."""
    path, _, fragment = target.partition("#")
    if not path.endswith(".md") or "://" in path or path.startswith("mailto:"):
        return None
    base = PurePosixPath("/") if path.startswith("/") else PurePosixPath("/", page_src_uri).parent
    resolved = os.path.normpath(str(base / path)).lstrip("/")
    if resolved.startswith("..") or in_scope(resolved):
        return None
    return published_url(scope, resolved, directory_urls) + (f"#{fragment}" if fragment else "")


def save_to_ready(url: str, path: Path, text: str, expected: str, timeout: float = 30.0,
                  poll: float = 0.02) -> float:
    """Save `text` to `path` and return the seconds until the page at `url` contains `expected`.

    This is the preview as an editor feels it: the watcher noticing the save, the rebuild, and the
    page served again. Run it against a running `almanac serve`; `expected` must not be on the page yet."""
    started = time.perf_counter()
    path.write_text(text, encoding="utf-8")
    while time.perf_counter() - started < timeout:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if expected in response.read().decode("utf-8"):
                    return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(poll)
    raise AlmanacError(f"{url}: the preview did not show the save to {path.name} within {timeout:.0f} s.")
