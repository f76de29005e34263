"""The site put together from the outputs of its units (almanac.units), and the files that span them.

Each unit's output is linked into the site (a hard link: the site costs no second copy of the pages and
PDFs, and a warm build writes almost nothing), except the pages the assembly changes, which are copied
first so that the kept output stays as it was built. Then come the files that span units:
- the sitemap, with its alternates, from every unit's pages (`pages` part, written by hooks/i18n.py);
- each language's search indexes: the library's and one per publication (almanac.search.scopes), from
  every unit's entries (`search` part);
- the page count and size of every PDF on the catalogue's cards, which the library unit cannot know
  (`facts` part, written by hooks/readers.py);
- the host files and the precompressed copies (almanac.hosting), by the caller.

Reads: the units' outputs and their parts (almanac.shards.read_part). Writes: the site folder, which must
not exist yet.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

from . import multilingual, overview, search, shards
from .errors import AlmanacError
from .locales import DEFAULT_LANGUAGE


def assemble(outputs: list[tuple[object, Path]], target: Path, langs: list[str], *, locales=None,
             memo: Path | None = None, interrupt=None) -> list[Path]:
    """Put the units' outputs ((unit, output folder), the library's among them) together into `target`.

    `interrupt()`, when given, is called before each unit, and may raise to give the assembly up.
    Returns the files the assembly wrote or changed, which have no compressed copies yet."""
    target.mkdir(parents=True)
    pages = multilingual.Pages()
    site_url = "/"
    indexes: dict[str, dict] = {}
    waiting: list[Path] = []
    slugs: list[str] = []
    fresh: list[Path] = []
    editorial: set[str] = set()
    # The library first: its pages lead every language's search index, as they lead the site.
    for unit, output in sorted(outputs, key=lambda item: not item[0].library):
        if interrupt is not None:
            interrupt()
        if not unit.library:
            slugs.append(unit.slug)
        changed = set((shards.read_part(output, "facts") or {}).get("pages", []))
        _link_tree(output, target, changed)
        waiting += [target / page for page in changed]
        part = shards.read_part(output, "pages") or {}
        site_url = part.get("site_url", site_url)
        for src, by_lang in part.get("pages", {}).items():
            for lang, record in by_lang.items():
                pages.record(src, lang, record["url"], record["fallback"])
        editorial.update((shards.read_part(output, "editorial") or {}).get("locations", []))
        for lang, index in (shards.read_part(output, "search") or {}).items():
            merged = indexes.setdefault(lang, {"config": index["config"], "docs": []})
            merged["docs"] += index["docs"]
    shards.write_sitemap(target, pages, langs, site_url)
    fresh += [target / "sitemap.xml", *waiting]
    for lang, index in indexes.items():
        prefix = "" if lang == DEFAULT_LANGUAGE else f"{lang}/"
        for where, text in search.dumped_scopes(index, slugs, editorial).items():
            path = target / prefix / where / search.INDEX
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            fresh.append(path)
    if locales is not None and waiting and (target / "pdf").is_dir():
        overview.fill_pages(waiting, target / "pdf", locales, memo)
    return fresh


def _link_tree(output: Path, target: Path, copied: set[str]) -> int:
    """Every file of a unit's output into `target`, by hard link, or copied for those in `copied` (which the
    assembly changes: their compressed copies are left out, to be made again)."""
    count = 0
    stale = {f"{page}{suffix}" for page in copied for suffix in (".gz", ".br")}
    for folder, dirs, files in os.walk(output):
        dirs.sort()
        relative_dir = Path(folder).relative_to(output)
        if relative_dir.parts and relative_dir.parts[0] == shards.PARTS:
            dirs.clear()
            continue
        (target / relative_dir).mkdir(parents=True, exist_ok=True)
        for name in sorted(files):
            relative = (relative_dir / name).as_posix()
            if relative in stale:
                continue
            source, destination = Path(folder) / name, target / relative_dir / name
            if destination.exists():
                raise AlmanacError(f"{relative}: written by two units of the build (the second is "
                                   f"{output.parent.name}); expected every file to have one owner.")
            if relative in copied:
                shutil.copyfile(source, destination)
            else:
                _link(source, destination)
            count += 1
    return count


def _link(source: Path, destination: Path) -> None:
    try:
        os.link(source, destination)
    except OSError as exc:
        # Another file system, or one without hard links: a copy is as good, only slower.
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copyfile(source, destination)


def replace_unit(site: Path, old: Path, new: Path) -> int:
    """In a site being served by the preview, a unit's files as its `new` output has them instead of its `old`.

    Each file is linked aside and renamed into place, so that a request never finds it missing or half written;
    the files that spans units (search, sitemap) are left for the next whole assembly. Returns the files replaced."""
    def files(output: Path) -> set[str]:
        return {path.relative_to(output).as_posix() for path in output.rglob("*")
                if path.is_file() and not path.relative_to(output).as_posix().startswith(shards.PARTS + "/")}

    before, after = files(old), files(new)
    for relative in sorted(after):
        target = site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        aside = target.with_name(target.name + ".almanac-new")
        aside.unlink(missing_ok=True)
        _link(new / relative, aside)
        os.replace(aside, target)
    for relative in sorted(before - after):
        (site / relative).unlink(missing_ok=True)
    return len(after)
