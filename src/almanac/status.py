"""`almanac status`: the translation matrix on the command line.

Reads: mkdocs.yml (languages and `extra.almanac.translations`), content/**.
Writes: nothing.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from . import publications, settings, translations

STATES = ("source", "current", "partial", "stale", "missing", "fallback")


def _config(path: Path) -> dict:
    class Loader(yaml.SafeLoader):
        pass

    # mkdocs.yml uses !!python tags for extensions; the status report needs none of them.
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    # !ENV [NAME, default]: the report reads the default; no setting it needs comes from the environment.
    Loader.add_constructor("!ENV", lambda loader, node: None)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)


def project(config_path: Path) -> tuple[Path, list[str], dict]:
    """The docs folder, the built languages (the default first) and the `translations` setting of a
    project's mkdocs.yml."""
    config = _config(config_path) or {}
    docs_dir = config_path.parent / config.get("docs_dir", "docs")
    langs = languages(config_path)
    settings = ((config.get("extra") or {}).get("almanac") or {}).get("translations") or {}
    return docs_dir, langs, settings


def languages(config_path: Path, *, built: bool = True) -> list[str]:
    """The languages of a project's mkdocs.yml, the default first: those it builds, or with `built=False`
    every configured one (almanac.settings.languages says which is which)."""
    return settings.languages(settings.i18n_languages(_config(config_path)), built=built)


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
