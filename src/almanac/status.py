"""`almanac status`: the translation matrix on the command line.

Reads: mkdocs.yml (languages and `extra.almanac.translations`), content/**.
Writes: nothing.
"""

from __future__ import annotations

from pathlib import Path


from . import publications, settings, translations

STATES = ("source", "current", "partial", "stale", "missing", "fallback")


def project(config_path: Path) -> tuple[Path, list[str], dict]:
    """The docs folder, the built languages (the default first) and the `translations` setting of a
    project's mkdocs.yml (almanac.settings.read)."""
    config = settings.read(config_path)
    return config.docs_dir, config.languages, config.translations


def languages(config_path: Path, *, built: bool = True) -> list[str]:
    """The languages of a project's mkdocs.yml, the default first: those it builds, or with `built=False`
    every configured one (almanac.settings.read)."""
    config = settings.read(config_path)
    return config.languages if built else config.configured


def report(config_path: Path) -> str:
    """The translation matrix as text: one row per publication, one column per language."""
    docs_dir, langs, settings = project(config_path)
    pubs = publications.load_all(config_path.parent, docs_dir)
    entries = translations.matrix(pubs, docs_dir, langs, settings)
    table = translations.summary(entries)
    width = max(len(p.slug) for p in pubs) + 2
    cells = {}
    for (slug, lang), cell in table.items():
        counts = ", ".join(f"{n} {s}" for s, n in cell["states"].items())
        cells[(slug, lang)] = f"{cell['state']:<9}{cell['words']:>6} w  ({counts})"
    column = max(34, *(len(text) + 2 for text in cells.values()))
    lines = [("publication".ljust(width) + "".join(lang.ljust(column) for lang in langs)).rstrip()]
    for pub in pubs:
        lines.append((pub.slug.ljust(width) + "".join(cells[(pub.slug, lang)].ljust(column) for lang in langs)).rstrip())
    lines.append("\nstates: " + ", ".join(STATES) + "; counts are chapters, w = words in that language")
    for entry in entries:
        if entry.segments:
            shown = entry.path.relative_to(config_path.parent).as_posix()
            required = "; required in this language" if entry.required else ""
            lines.append(f"{entry.state}: {shown}: {entry.segments[0]} of {entry.segments[1]} segments "
                         f"translated{required}")
        if entry.state == "stale":
            shown = entry.path.relative_to(config_path.parent).as_posix()
            lines.append(f"stale: {shown}; see what changed: almanac diff {shown}")
    return "\n".join(lines)
