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
not exist yet, or hold empty folders only (almanac.build keeps the old site's folders for the next).
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from pathlib import Path

from . import multilingual, overview, search, shards
from .errors import AlmanacError
from .locales import DEFAULT_LANGUAGE

KEEP = 3   # assemblies kept (`keep`): the preview's, the build's and one more, as for the units' outputs


def assemble(outputs: list[tuple[object, Path]], target: Path, langs: list[str], *, locales=None,
             memo: Path | None = None, interrupt=None) -> list[Path]:
    """Put the units' outputs ((unit, output folder), the library's among them) together into `target`.

    `interrupt()`, when given, is called before each unit, and may raise to give the assembly up.
    Returns the files the assembly wrote or changed, which have no compressed copies yet."""
    target.mkdir(parents=True, exist_ok=True)
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
    for lang in list(indexes):
        index = indexes.pop(lang)  # each language's documents let go once its indexes are written
        prefix = "" if lang == DEFAULT_LANGUAGE else f"{lang}/"
        for where, text in search.dumped_scopes(index, slugs, editorial):
            path = target / prefix / where / search.INDEX
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            fresh.append(path)
    if locales is not None and waiting and (target / "pdf").is_dir():
        overview.fill_pages(waiting, target / "pdf", locales, memo)
    return fresh


def signature(outputs: list[tuple[object, Path]], langs: list[str], *extra: str) -> str | None:
    """What an assembly's own files (`assemble`'s fresh files, their compressed copies, the host files) are made
    from: the units' outputs, each as it was kept (its record's inode and time: an output removed and built
    again under the same fingerprint counts as another), and the languages. The fingerprints cover the
    code, the locales and the settings. None when an output is not a kept one."""
    digest = hashlib.sha256("\0".join([*langs, *extra]).encode())
    for _, output in outputs:
        try:
            record = os.stat(output / shards.PARTS / "unit.json")
        except FileNotFoundError:
            return None
        digest.update(f"\n{output}\0{record.st_ino}\0{record.st_mtime_ns}".encode())
    return digest.hexdigest()[:24]


def reuse(outputs: list[tuple[object, Path]], target: Path, kept: Path) -> bool:
    """The site from the units' outputs and the files a previous assembly of the same outputs wrote (`kept`,
    by `keep`), into `target`, which must not exist; False, with nothing written, when none is kept.

    Spares a build that changed nothing the search indexes (each publication's carries the library's
    entries: they grow as the square of the library), the sitemap, the catalogue's PDF facts and the
    compression of them all."""
    if not kept.is_dir():
        return False
    target.mkdir(parents=True, exist_ok=True)
    for _, output in outputs:
        changed = set((shards.read_part(output, "facts") or {}).get("pages", []))
        _link_tree(output, target, changed, skip_copied=True)
    _link_tree(kept, target, set())
    os.utime(kept)   # the newest kept assembly is the last pruned
    return True


def keep(target: Path, written: list[Path], kept: Path) -> None:
    """Keep links to the files of `target` the assembly wrote (`written`, with their compressed copies) in
    `kept`, for `reuse`; the oldest kept assemblies beyond `KEEP` are removed."""
    building = kept.with_name(f"{kept.name}.{os.getpid()}.tmp")
    shutil.rmtree(building, ignore_errors=True)
    for path in dict.fromkeys(written):
        for copy in (path, path.with_name(path.name + ".gz"), path.with_name(path.name + ".br")):
            if copy.is_file():
                destination = building / copy.relative_to(target)
                destination.parent.mkdir(parents=True, exist_ok=True)
                _link(copy, destination)
    building.mkdir(parents=True, exist_ok=True)
    try:
        building.rename(kept)   # complete, or not there at all
    except OSError:             # kept by a build that ran at the same time
        shutil.rmtree(building, ignore_errors=True)
    others = sorted((other for other in kept.parent.iterdir() if other != kept and not other.name.endswith(".tmp")),
                    key=lambda path: path.stat().st_mtime, reverse=True)
    for other in others[KEEP - 1:]:
        shutil.rmtree(other, ignore_errors=True)


def _link_tree(output: Path, target: Path, copied: set[str], *, skip_copied: bool = False) -> int:
    """Every file of a unit's output into `target`, by hard link, or copied for those in `copied` (which the
    assembly changes: their compressed copies are left out, to be made again; `skip_copied`: left out too,
    for the kept assembly brings them)."""
    count = 0
    stale = {f"{page}{suffix}" for page in copied for suffix in (".gz", ".br")}
    # Strings, not Paths, and no stat before each link (os.link refuses an existing name): at 50 times the
    # library a warm build links ~35,000 files, and pathlib's parsing cost more than the links.
    source_root, target_root = os.fspath(output), os.fspath(target)
    start = len(source_root) + 1
    for folder, dirs, files in os.walk(source_root):
        relative_dir = folder[start:]
        if relative_dir == shards.PARTS or relative_dir.startswith(shards.PARTS + os.sep):
            dirs.clear()
            continue
        destination_dir = os.path.join(target_root, relative_dir) if relative_dir else target_root
        _mkdir(destination_dir)
        prefix = relative_dir.replace(os.sep, "/") + "/" if relative_dir else ""
        for name in files:
            relative = prefix + name
            if relative in stale or (skip_copied and relative in copied):
                continue
            source, destination = os.path.join(folder, name), os.path.join(destination_dir, name)
            try:
                if relative in copied:
                    _copy(source, destination)
                else:
                    _link(source, destination)
            except FileExistsError:
                raise AlmanacError(f"{relative}: written by two units of the build (the second is "
                                   f"{output.parent.name}); expected every file to have one owner.") from None
            count += 1
    return count


def _mkdir(path: str) -> None:
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except FileNotFoundError:
        os.makedirs(path, exist_ok=True)


def _link(source, destination) -> None:
    try:
        os.link(source, destination)
    except OSError as exc:
        # Another file system, or one without hard links: a copy is as good, only slower.
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        _copy(source, destination)


def _copy(source, destination) -> None:
    """A copy that, like os.link, refuses a destination that exists (FileExistsError)."""
    with open(source, "rb") as reading, open(destination, "xb") as writing:
        shutil.copyfileobj(reading, writing)


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
