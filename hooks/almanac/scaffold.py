"""`almanac new`: scaffold a publication so editors never copy folders by hand.

Reads: data/organisations.yml (to check the organisation).
Writes: content/<slug>/publication.yml, index.md, 01-chapter.md,
99-editorial-notes.md and data/indicators/<slug>.yml. Refuses to overwrite.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import AlmanacError


SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def create(root: Path, slug: str, organisation: str, title: str, kind: str, start: int, end: int) -> list[str]:
    """Write a new publication's files; return their paths. Refuses to overwrite anything."""
    folder = root / "content" / slug
    data = root / "data" / "indicators" / f"{slug}.yml"
    taken = [p.relative_to(root).as_posix() for p in (folder, data) if p.exists()]
    # A folder that differs only in case would publish two pages at one URL on case-insensitive disks.
    taken += [f"content/{p.name}" for p in (root / "content").iterdir() if p.is_dir() and p.name.lower() == slug and p.name != slug]
    if taken:
        raise AlmanacError(f"{taken[0]} already exists: the slug {slug!r} is taken; nothing was written.")
    folder.mkdir(parents=True)
    quoted = title.replace('"', '\\"')
    (folder / "publication.yml").write_text(
        f'organisation: {organisation}\nkind: {kind}\nperiod: [{start}, {end}]\n'
        f'# date: {start}-01-31      # ISO date of approval or publication, if the source gives one\n'
        f'title:\n  ru: "{quoted}"\nchapters:\n  - index.md\n  - 01-chapter.md\n  - 99-editorial-notes.md\n',
        encoding="utf-8")
    (folder / "index.md").write_text(f"# {title}\n\nВведение к публикации.\n", encoding="utf-8")
    (folder / "01-chapter.md").write_text(
        "# Глава 1\n\nТекст главы.\n\n"
        f'{{{{ indicators("{slug}", group="1") }}}}\n', encoding="utf-8")
    (folder / "99-editorial-notes.md").write_text(
        "# Редакционные примечания\n\nИсправления, внесённые при подготовке текста, и их причины.\n", encoding="utf-8")
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text(
        f"publication: {slug}\nunits:\n  event:\n    ru: {{one: \"мероприятие\", few: \"мероприятия\", many: \"мероприятий\"}}\n"
        f"groups:\n  - id: \"1\"\n    caption: {{ru: \"Индикаторы главы 1\"}}\n    section: \"Глава 1\"\n"
        f"indicators:\n  - id: \"1.1\"\n    group: \"1\"\n    label: {{ru: \"Проведено {{value}}\"}}\n    value: 1\n"
        f"    unit: event\n    period: \"{start}–{end}\"\n    section: \"Глава 1\"\n", encoding="utf-8")
    return [p.relative_to(root).as_posix() for p in sorted(folder.iterdir())] + [data.relative_to(root).as_posix()]
