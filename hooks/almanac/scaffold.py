"""`make new`: scaffold a publication so editors never copy folders by hand.

Reads: data/organisations.yml (to check the organisation).
Writes: content/<slug>/publication.yml, index.md, 01-chapter.md,
99-editorial-notes.md and data/indicators/<slug>.yml. Refuses to overwrite.

Usage: python -m almanac.scaffold --slug SLUG --organisation KEY --title TITLE [--kind K] [--start Y --end Y]
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
from pathlib import Path

from .publications import KINDS, load_organisations


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make new")
    parser.add_argument("--slug", required=True)
    parser.add_argument("--organisation", required=True)
    parser.add_argument("--title", required=True)
    parser.add_argument("--kind", default="strategic-plan", choices=KINDS)
    year = datetime.date.today().year
    parser.add_argument("--start", type=int, default=year)
    parser.add_argument("--end", type=int, default=year)
    args = parser.parse_args(argv)
    root = Path.cwd()
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", args.slug):
        print(f"error: SLUG {args.slug!r}: expected lowercase words and digits joined by '-', e.g. inpud-2030-2034", file=sys.stderr)
        return 2
    organisations = load_organisations(root)
    if args.organisation not in organisations:
        print(f"error: ORG {args.organisation!r}: expected one of: {', '.join(organisations)} (data/organisations.yml)", file=sys.stderr)
        return 2
    folder = root / "content" / args.slug
    data = root / "data" / "indicators" / f"{args.slug}.yml"
    if folder.exists() or data.exists():
        print(f"error: content/{args.slug}/ or {data.relative_to(root)} already exists; nothing was written", file=sys.stderr)
        return 1
    folder.mkdir(parents=True)
    title = args.title.replace('"', '\\"')
    (folder / "publication.yml").write_text(
        f'organisation: {args.organisation}\nkind: {args.kind}\nperiod: [{args.start}, {args.end}]\n'
        f'# date: {args.start}-01-31      # ISO date of approval or publication, if the source gives one\n'
        f'title:\n  ru: "{title}"\nchapters:\n  - index.md\n  - 01-chapter.md\n  - 99-editorial-notes.md\n',
        encoding="utf-8")
    (folder / "index.md").write_text(f"# {args.title}\n\nВведение к публикации.\n", encoding="utf-8")
    (folder / "01-chapter.md").write_text(
        "# Глава 1\n\nТекст главы.\n\n"
        f'{{{{ indicators("{args.slug}", group="1") }}}}\n', encoding="utf-8")
    (folder / "99-editorial-notes.md").write_text(
        "# Редакционные примечания\n\nИсправления, внесённые при подготовке текста, и их причины.\n", encoding="utf-8")
    data.parent.mkdir(parents=True, exist_ok=True)
    data.write_text(
        f"publication: {args.slug}\nunits:\n  event:\n    ru: {{one: \"мероприятие\", few: \"мероприятия\", many: \"мероприятий\"}}\n"
        f"groups:\n  - id: \"1\"\n    caption: {{ru: \"Индикаторы главы 1\"}}\n    section: \"Глава 1\"\n"
        f"indicators:\n  - id: \"1.1\"\n    group: \"1\"\n    label: {{ru: \"Проведено {{value}}\"}}\n    value: 1\n"
        f"    unit: event\n    period: \"{args.start}–{args.end}\"\n    section: \"Глава 1\"\n", encoding="utf-8")
    print(f"Created content/{args.slug}/ (publication.yml, index.md, 01-chapter.md, 99-editorial-notes.md) "
          f"and data/indicators/{args.slug}.yml. Preview with 'make serve'.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
