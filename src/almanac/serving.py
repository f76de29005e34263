"""What the live preview shows while a save cannot be built, and where its builds go.

The preview (`almanac serve`, served by hooks/server.py) never answers with nothing: while the last
save has a fatal problem, every page of the last good build carries a banner that names the file, the
line and the problem (the one line the build printed), and with no good build yet every request gets
a page that says so. This module makes that HTML, knows the folders the builds go to, and knows what
the whole-site preview watches besides the docs folder and mkdocs.yml. It knows nothing of the engine.

- `Labels`: the preview's own labels, `preview.*` in `locales/<lang>.yml`. A locale file that cannot
  be read keeps the labels it had: the problem on show may be that very file.
- `with_banner`, `problem_page`, `building_page`: the HTML; the problem is untrusted text, escaped.
- `STYLESHEET`: the banner's look. Pages carry a Content-Security-Policy that refuses inline styles,
  so the server serves it at `STYLESHEET_PATH` and pages link to it.
- `Stages`: a fresh folder per build, so a failed build never touches the pages being served.
- `watched`: the project's inputs that live outside the docs folder.

Reads: locales/<lang>.yml. Writes: a temporary folder of builds (`Stages`), removed by `close`.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from html import escape
from pathlib import Path

from . import yamlfile
from .errors import AlmanacError
from .locales import DEFAULT_LANGUAGE

STYLESHEET_PATH = "__almanac__/preview.css"   # under the server's mount path; no page of a site is there

# Fixed to the bottom of the window: a reload keeps the reader's scroll position, and the header is Material's.
STYLESHEET = """\
.almanac-preview-problem { position: fixed; z-index: 1000; left: 0; right: 0; bottom: 0; max-height: 50vh;
  overflow: auto; margin: 0; padding: .8rem 1.2rem; background: #fdeceb; color: #5c1414;
  border-top: .25rem solid #9b2c2c; box-shadow: 0 -.2rem .8rem rgba(0, 0, 0, .25);
  font: 1rem/1.45 system-ui, sans-serif; }
.almanac-preview-problem p { margin: 0 0 .5rem; }
.almanac-preview-problem pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere;
  font: .95rem/1.45 ui-monospace, monospace; }
.almanac-preview-page { max-width: 48rem; margin: 3rem auto; padding: 0 1.2rem;
  font: 1.1rem/1.5 system-ui, sans-serif; color: #222; }
.almanac-preview-page .almanac-preview-problem { position: static; box-shadow: none; }
"""

KEYS = ("failed", "kept", "fix", "none", "building", "title")

_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang=[\"']?([A-Za-z-]+)", re.I)
_BODY = re.compile(rb"<body\b[^>]*>", re.I)


class Labels:
    """The preview's labels by language, read from `locales/<lang>.yml` when asked for."""

    def __init__(self, root: Path):
        self.folder = root / "locales"
        self.root = root
        self._good: dict[str, dict[str, str]] = {}

    def get(self, lang: str) -> dict[str, str]:
        """The labels of `lang`, else of the default language; empty strings if neither can be read."""
        for candidate in (lang, DEFAULT_LANGUAGE):
            labels = self._read(candidate)
            if labels:
                return labels
        return dict.fromkeys(KEYS, "")

    def remember(self) -> None:
        """Read every language's labels now (after a good build), so that a file broken later keeps them."""
        for path in sorted(self.folder.glob("*.yml")):
            self._read(path.stem)

    def _read(self, lang: str) -> dict[str, str] | None:
        path = self.folder / f"{lang}.yml"
        if "/" in lang or not path.is_file():
            return None
        try:
            table = yamlfile.load(path, path.relative_to(self.root).as_posix())
        except AlmanacError:
            return self._good.get(lang)   # broken now: what it said before (the banner names the break)
        section = table.get("preview") if isinstance(table, dict) else None
        if isinstance(section, dict):
            self._good[lang] = {key: str(section.get(key) or "") for key in KEYS}
        return self._good.get(lang)


def page_language(page: bytes, default: str) -> str:
    """The language a page says it is in (`<html lang>`), or `default`."""
    match = _HTML_LANG.search(page[:4096])
    return match.group(1).decode("ascii") if match else default


def banner(problem: str, labels: dict[str, str], lang: str, stylesheet: str) -> str:
    """The banner on a page of the last good build: it names the problem of the last save."""
    said = " ".join(escape(labels[key]) for key in ("kept", "fix") if labels[key])
    return (f'<link rel="stylesheet" href="{escape(stylesheet)}">'
            f'<div class="almanac-preview-problem" role="alert" lang="{escape(lang)}">'
            f'<p><strong>{escape(labels["failed"])}</strong> {said}</p><pre>{escape(problem, quote=False)}</pre></div>')


def with_banner(page: bytes, problem: str, labels: Labels, default_lang: str, stylesheet: str) -> bytes:
    """`page` with the banner first in its <body> (or first of all, for a page without one)."""
    lang = page_language(page, default_lang)
    text = banner(problem, labels.get(lang), lang, stylesheet).encode("utf-8")
    body = _BODY.search(page)
    at = body.end() if body else 0
    return page[:at] + text + page[at:]


def problem_page(problem: str, labels: Labels, lang: str, stylesheet: str) -> bytes:
    """The page for every request while no build has succeeded yet: the problem, and what to do."""
    said = labels.get(lang)
    return _page(lang, said["title"], stylesheet,
                 f'<div class="almanac-preview-problem" role="alert"><p><strong>{escape(said["none"])}</strong> '
                 f'{escape(said["fix"])}</p><pre>{escape(problem, quote=False)}</pre></div>')


def building_page(labels: Labels, lang: str, stylesheet: str) -> bytes:
    """The page for every request while the first build runs."""
    said = labels.get(lang)
    return _page(lang, said["title"], stylesheet, f'<p role="status">{escape(said["building"])}</p>')


def _page(lang: str, title: str, stylesheet: str, body: str) -> bytes:
    return (f'<!doctype html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)}</title><link rel="stylesheet" href="{escape(stylesheet)}"></head>'
            f'<body><main class="almanac-preview-page">{body}</main></body></html>\n').encode("utf-8")


class Stages:
    """Fresh folders for builds, under one temporary folder.

    A build goes to a new folder and is served only once it has succeeded. The folder served before it
    is kept until the next one is published (a request may still be reading it); any other is removed."""

    def __init__(self, under: Path | None = None):
        # `under`: on the units' file system, so that a whole-site preview links their files instead of copying.
        if under is not None:
            under.mkdir(parents=True, exist_ok=True)
        self.base = Path(tempfile.mkdtemp(prefix="almanac-preview-", dir=under))
        self._building: set[Path] = set()   # folders a build is writing, never removed as stale
        self.empty = self.new()          # served until the first build succeeds
        self._building.discard(self.empty)
        self._kept: list[Path] = [self.empty]

    def new(self) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="build-", dir=self.base))
        self._building.add(folder)
        return folder

    def discard(self, folder: Path) -> None:
        self._building.discard(folder)
        shutil.rmtree(folder, ignore_errors=True)

    def published(self, folder: Path) -> None:
        """`folder` is served from now on: keep it and the one before it, remove the rest (but those being
        built: the whole-site preview publishes a first folder while the second is still built)."""
        self._building.discard(folder)
        self._kept = [*self._kept[-1:], folder]
        for stale in self.base.iterdir():
            if stale not in self._kept and stale not in self._building:
                self.discard(stale)

    def close(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)


def watched(root: Path, custom_dir: str | None) -> list[Path]:
    """What a build of the whole site reads besides the docs folder and mkdocs.yml: the data, the interface
    labels and the theme's overrides (`custom_dir`), as a scoped preview's config lists them."""
    candidates = [root / "data", root / "locales", *([Path(custom_dir)] if custom_dir else [])]
    return [path for path in candidates if path.exists()]
