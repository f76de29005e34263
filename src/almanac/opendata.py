"""Open data: each publication's indicators as CSV, JSON and a Frictionless Data Package.

Reads: the build's project (publications, datasets, locales). Writes, with `write`:
<site>/data/<slug>/indicators.csv, indicators.json and datapackage.json, and, for a publication
whose data file lists dated milestones that are not numbers, milestones.csv and milestones.json.

One table per publication, language-neutral: the numbers are the same in every
language, so they are published once, with the labels of every language the
data file has in columns of their own (`label_ru`, `label_en`, ...). A label the
data file lacks in a language is left empty, never filled with another
language's text. The CSV and the JSON hold the same records (the JSON as an array
of objects, keyed by the same field names) and are described by one Table
Schema in datapackage.json, so a reader of either format gets the same types.
The localised per-group CSV files beside each table (almanac.indicators.csv_text)
are a separate, reader-oriented download and stay as they are.

Text cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`) carry
a leading `'` in the CSV (almanac.csvcells, as OWASP recommends); numbers stay
numbers and the JSON keeps the text as written. The CSV resource says so.

Field names are stable identifiers in English; a range target («1–3 страны»)
is two numbers, `target_low` and `target_high` (equal when the target is one
number). The licence is the one the source states (publication.yml `licence`);
where it states none, the descriptor says so ("notspecified") and invents none.
"""

from __future__ import annotations

import json
from pathlib import Path

from . import csvcells
from .indicators import FREQUENCIES, BUILTIN_UNITS, Dataset, Formatter, Indicator
from .locales import DEFAULT_LANGUAGE
from .schema import DUE_KINDS, MILESTONE_KINDS

FOLDER = "data"
FILES = {"csv": "indicators.csv", "json": "indicators.json", "datapackage": "datapackage.json"}
MILESTONE_FILES = {"csv": "milestones.csv", "json": "milestones.json"}
NOT_STATED = {"name": "notspecified", "title": "License not specified: the source document states no licence"}


def paths(slug: str) -> dict[str, str]:
    """Where a publication's data files are, relative to the site root."""
    return {kind: f"{FOLDER}/{slug}/{name}" for kind, name in FILES.items()}


def fields(dataset: Dataset, langs: list[str]) -> list[dict]:
    """The Table Schema fields of a publication's indicator table, in column order."""
    def text(name, description, **extra):
        return {"name": name, "type": "string", "description": description, **extra}

    def number(name, description):
        return {"name": name, "type": "number", "description": description}

    result = [
        text("id", "The indicator's identifier in the data file", constraints={"required": True, "unique": True}),
        text("group", "The identifier of the indicator's group (one table on the site)", constraints={"required": True}),
    ]
    result += [text(f"group_{lang}", f"The group's caption in '{lang}' (empty if the data has none)") for lang in langs]
    result += [text(f"label_{lang}", f"The indicator as worded in '{lang}', its target in words; empty if the "
                                     f"data has no '{lang}' text") for lang in langs]
    result += [text(f"short_{lang}", f"A short label in '{lang}', where the data has one") for lang in langs]
    result += [
        text("section", "The section of the source document the indicator comes from", constraints={"required": True}),
        number("target_low", "The target; for a range («1–3») its lower bound. Empty: no numeric target"),
        number("target_high", "The target; for a range («1–3») its upper bound, else equal to target_low"),
        text("unit", "The unit's identifier: 'percent', 'none' (a bare number) or one of the package's `units`",
             constraints={"enum": sorted(set(BUILTIN_UNITS) | set(dataset.units))}),
    ]
    result += [text(f"unit_{lang}", f"The unit's name in '{lang}' as it reads after the target") for lang in langs]
    result += [
        text("period", "The period during which the target applies, as the source gives it, e.g. 2023–2024"),
        text("deadline_kind", "by_end_of: by the end of the deadline; before: before it",
             constraints={"enum": list(DUE_KINDS)}),
        text("deadline", "The deadline: a year (YYYY) or a month (YYYY-MM)", constraints={"pattern": r"\d{4}(-\d{2})?"}),
        text("every", "How often a recurring target is due", constraints={"enum": list(FREQUENCIES)}),
        text("dates", "The dates the source gives, space-separated years (YYYY) or months (YYYY-MM)"),
        {"name": "key_figure", "type": "boolean", "description": "A key figure of the publication (highlight)",
         "constraints": {"required": True}},
        number("baseline", "The baseline, where the source gives one"),
    ]
    years = sorted({year for ind in dataset.indicators.values() for year in ind.actuals})
    result += [number(f"actual_{year}", f"The figure reached in {year}") for year in years]
    return result


def records(dataset: Dataset, langs: list[str], locales, warn) -> list[dict]:
    """One record per indicator, in the data file's order, with typed values (None where empty)."""
    formatters = {lang: Formatter(dataset, lang, locales, warn) for lang in langs}
    years = sorted({year for ind in dataset.indicators.values() for year in ind.actuals})
    result = []
    for ind in dataset.indicators.values():
        group = dataset.groups[ind.group]
        low, high = ind.bounds if ind.value is not None else (None, None)
        record = {"id": ind.id, "group": ind.group}
        record.update({f"group_{lang}": group.caption.get(lang) for lang in langs})
        record.update({f"label_{lang}": _label(ind, formatters[lang], dataset) for lang in langs})
        record.update({f"short_{lang}": (ind.short or {}).get(lang) for lang in langs})
        record.update({"section": ind.section, "target_low": low, "target_high": high, "unit": ind.unit})
        record.update({f"unit_{lang}": _unit_name(ind, formatters[lang], dataset) for lang in langs})
        kind, due = ind.deadline or (None, None)
        record.update({"period": ind.period, "deadline_kind": kind, "deadline": due, "every": ind.every,
                       "dates": " ".join(ind.dates) if ind.dates else None,
                       "key_figure": ind.highlight, "baseline": ind.baseline})
        record.update({f"actual_{year}": ind.actuals.get(year) for year in years})
        result.append(record)
    return result


def milestone_fields(langs: list[str]) -> list[dict]:
    """The Table Schema fields of a publication's milestones."""
    def text(name, description, **extra):
        return {"name": name, "type": "string", "description": description, **extra}

    return [
        text("id", "The milestone's identifier in the data file (the item's number)",
             constraints={"required": True, "unique": True}),
        text("section", "The section of the source document the milestone comes from", constraints={"required": True}),
        *[text(f"when_{lang}", f"When, in the source's words in '{lang}' (empty if the data has none)")
          for lang in langs],
        text("due_kind", "by_end_of: by the end of `due`; before: before it; in: within it",
             constraints={"enum": list(MILESTONE_KINDS)}),
        text("due", "A year (YYYY) or a month (YYYY-MM), as precise as the source", constraints={"pattern": r"\d{4}(-\d{2})?"}),
        text("period", "A span, where the source gives one instead of a date, e.g. 2022–2023"),
    ]


def milestone_records(dataset: Dataset, langs: list[str]) -> list[dict]:
    result = []
    for milestone in dataset.milestones.values():
        kind, due = milestone["due"] or (None, None)
        record = {"id": milestone["id"], "section": milestone["section"]}
        record.update({f"when_{lang}": milestone["text"].get(lang) for lang in langs})
        record.update({"due_kind": kind, "due": due, "period": milestone["period"]})
        result.append(record)
    return result


def csv_text(rows: list[dict], columns: list[dict]) -> str:
    """The records as CSV: a header of field names, numbers without locale formatting, empty cells for None,
    text that a spreadsheet would run as a formula neutralised."""
    names = [field["name"] for field in columns]
    return csvcells.table(names, ([row[name] for name in names] for row in rows))


def json_text(rows: list[dict]) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=1) + "\n"


def datapackage(pub, dataset: Dataset, langs: list[str], site_url: str, locales) -> dict:
    """The Frictionless (Tabular) Data Package descriptor of one publication."""
    schema = {"fields": fields(dataset, langs), "primaryKey": ["id"], "missingValues": [""]}
    org = pub.organisation
    licence = pub.licence
    described = {
        "profile": "tabular-data-package",
        "name": pub.slug,
        "title": pub.title(DEFAULT_LANGUAGE),
        "description": f"{_title(pub, 'en')}: the targets and indicators of the publication, from {dataset.path}.",
        "titles": {lang: pub.title(lang) for lang in langs if lang in pub.meta["title"]},
        "licenses": [{"name": licence["id"], "title": licence["title"], "path": licence["url"]}] if licence
        else [NOT_STATED],
        "contributors": [{"title": org.name_in(DEFAULT_LANGUAGE), "role": "author"}],
        "period": list(pub.period),
        "kind": pub.meta["kind"],
        "units": _units(dataset, langs, locales),
        "resources": [
            {"name": "indicators", "path": FILES["csv"], "profile": "tabular-data-resource", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8", "title": "Indicators (CSV)", "description": csvcells.NOTE,
             "schema": schema},
            {"name": "indicators-json", "path": FILES["json"], "profile": "tabular-data-resource",
             "format": "json", "mediatype": "application/json", "encoding": "utf-8",
             "title": "Indicators (JSON, the same records as objects)", "schema": schema},
        ],
    }
    if dataset.milestones:
        milestones = {"fields": milestone_fields(langs), "primaryKey": ["id"], "missingValues": [""]}
        described["resources"] += [
            {"name": "milestones", "path": MILESTONE_FILES["csv"], "profile": "tabular-data-resource", "format": "csv",
             "mediatype": "text/csv", "encoding": "utf-8", "title": "Milestones (CSV): dated steps that are not numbers",
             "description": csvcells.NOTE, "schema": milestones},
            {"name": "milestones-json", "path": MILESTONE_FILES["json"], "profile": "tabular-data-resource",
             "format": "json", "mediatype": "application/json", "encoding": "utf-8",
             "title": "Milestones (JSON, the same records as objects)", "schema": milestones},
        ]
    if site_url:
        described["homepage"] = f"{site_url.rstrip('/')}/{pub.chapters[0].removesuffix('index.md')}"
    if pub.meta["source"]:
        described["sources"] = [{"title": f"{org.acronym_in(DEFAULT_LANGUAGE)}: {pub.title(DEFAULT_LANGUAGE)}"}]
    return described


def write(site: Path, project, site_url: str, warn) -> list[str]:
    """Write every publication's data files into the site; return the paths written, relative to it."""
    written = []
    for pub in project.publications:
        dataset = project.datasets.get(pub.slug)
        if dataset is None:
            continue
        langs = list(project.languages)
        columns = fields(dataset, langs)
        rows = records(dataset, langs, project.locales, warn)
        files = {FILES["csv"]: csv_text(rows, columns), FILES["json"]: json_text(rows),
                 FILES["datapackage"]: json.dumps(datapackage(pub, dataset, langs, site_url, project.locales),
                                                  ensure_ascii=False, indent=1) + "\n"}
        if dataset.milestones:
            dated = milestone_records(dataset, langs)
            files[MILESTONE_FILES["csv"]] = csv_text(dated, milestone_fields(langs))
            files[MILESTONE_FILES["json"]] = json_text(dated)
        folder = site / FOLDER / pub.slug
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
            written.append(f"{FOLDER}/{pub.slug}/{name}")
    return written


def _label(ind: Indicator, fmt: Formatter, dataset: Dataset) -> str | None:
    # Only the language's own text: a missing label stays empty rather than showing another language.
    if fmt.lang not in ind.label or not _has_unit_forms(ind, fmt.lang, dataset):
        return None
    return fmt.label_text(ind)


def _unit_name(ind: Indicator, fmt: Formatter, dataset: Dataset) -> str | None:
    if ind.unit in (None, "none"):
        return None
    if ind.unit == "percent":
        return "%"
    if not _has_unit_forms(ind, fmt.lang, dataset):
        return None
    count = ind.bounds[1] if ind.value is not None else 0
    return fmt.unit_form(ind, count, exact=False).replace("{n}", "").strip()


def _has_unit_forms(ind: Indicator, lang: str, dataset: Dataset) -> bool:
    return ind.unit in BUILTIN_UNITS + (None,) or bool(dataset.units.get(ind.unit, {}).get(lang))


def _units(dataset: Dataset, langs: list[str], locales) -> dict:
    """Each unit's names per language, as the data file gives them (CLDR plural categories)."""
    units = {"percent": {lang: {"other": "%"} for lang in langs}, "none": {}}
    for key, forms in sorted(dataset.units.items()):
        units[key] = {lang: forms[lang] for lang in langs if lang in forms}
    return units


def _title(pub, lang: str) -> str:
    return pub.meta["title"].get(lang) or pub.title(DEFAULT_LANGUAGE)

