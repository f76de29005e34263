"""`almanac new`: scaffold a publication so editors never copy folders by hand.

Reads: data/organisations.yml (the CLI checks the organisation) and content/ (to refuse a taken slug).
Writes: content/<slug>/publication.yml, index.md, 01-chapter.md,
99-editorial-notes.md and data/indicators/<slug>.yml. Refuses to overwrite.

The title is the editor's text, verbatim: the YAML files are written by a YAML emitter (so quotes,
backslashes and `$` load back as they were typed), and the index page's heading escapes what Markdown
would read as markup (so the page shows the title, not what it would mean as Markdown).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .errors import AlmanacError

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# Python-Markdown's escapable characters that mean something inside a heading's line (with attr_list,
# footnotes, abbr and the data markers), and what `<` and `&` must be written as to show as themselves.
_ESCAPED = re.compile(r"[\\`*_{}\[\]()#|]")
_ENTITIES = {"&": "&amp;", "<": "&lt;"}


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
    (folder / "publication.yml").write_text(
        _dump({"organisation": organisation, "kind": kind}) + _dump({"period": [start, end]}, flow=True)
        + f"# date: {start}-01-31      # ISO date of approval or publication, if the source gives one\n"
        + _dump({"title": {"ru": title}, "chapters": ["index.md", "01-chapter.md", "99-editorial-notes.md"]}),
        encoding="utf-8")
    (folder / "index.md").write_text(f"# {heading(title)}\n\nВведение к публикации.\n", encoding="utf-8")
    (folder / "01-chapter.md").write_text(
        "# Глава 1\n\nТекст главы.\n\n"
        f'{{{{ indicators("{slug}", group="1") }}}}\n', encoding="utf-8")
    (folder / "99-editorial-notes.md").write_text(
        "# Редакционные примечания\n\nИсправления, внесённые при подготовке текста, и их причины.\n", encoding="utf-8")
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text(_dump({
        "publication": slug,
        "units": {"event": {"ru": {"one": "мероприятие", "few": "мероприятия", "many": "мероприятий"}}},
        "groups": [{"id": "1", "caption": {"ru": "Индикаторы главы 1"}, "section": "Глава 1"}],
        "indicators": [{"id": "1.1", "group": "1", "label": {"ru": "Проведено {value}"}, "value": 1,
                        "unit": "event", "period": f"{start}–{end}", "section": "Глава 1"}],
    }), encoding="utf-8")
    return [p.relative_to(root).as_posix() for p in sorted(folder.iterdir())] + [data.relative_to(root).as_posix()]


def heading(title: str) -> str:
    """`title` as the text of a Markdown heading that shows it verbatim."""
    escaped = _ESCAPED.sub(lambda m: "\\" + m.group(0), title)
    return "".join(_ENTITIES.get(c, c) for c in escaped)


def _dump(data: dict, flow: bool = False) -> str:
    # No line width: a long title stays on one line, as an editor would write it.
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None if flow else False,
                          width=float("inf"))
