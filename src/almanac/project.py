"""One build's view of a project: settings, locales, publications and data, loaded and validated once.

Reads: mkdocs.yml's `extra.almanac` (handed over as a mapping), locales/*.yml,
content/*/publication.yml, data/organisations.yml, data/indicators/*.yml.
Writes: nothing.

A site engine builds a multilingual site in several passes (MkDocs with
static-i18n: one per language). Everything here is the same in every pass,
so the adapter loads a `Project` once at the start of a build and every
hook reads from it; nothing is re-read or re-validated per pass or per hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from . import content, indicators, locales, publications, schema
from .errors import AlmanacError


class Settings(schema.Config):
    """`extra.almanac` in mkdocs.yml."""

    pdf = schema.Type(bool, default=True)
    print_edition = schema.Type(bool, default=False)
    # The printer's edition: crop and registration marks beyond the bleed; false for a shop that imposes its own.
    print_marks = schema.Type(bool, default=True)
    # `almanac build` also renders the printer's edition into <site>/pdf/print/, offered on each home page.
    print_downloads = schema.Type(bool, default=False)
    pdf_workers = schema.Type(int, default=0)
    # Languages that must be complete: "*" for every publication, or a list of slugs.
    translations = schema.Type(dict, default={})
    # A Dask distributed scheduler for PDF rendering (ALMANAC_SCHEDULER overrides it); none: this machine.
    scheduler = schema.Optional(schema.Text())


def load_settings(raw, config_text: str = "") -> dict:
    """Validate `extra.almanac`; an error names its line in mkdocs.yml when `config_text` is given."""
    values, problems = Settings.validate(raw if isinstance(raw, dict) else {})
    if problems:
        key, message = problems[0]
        line = content.line_of(config_text, lambda row: row.strip().startswith(f"{key}:"))
        where = f"mkdocs.yml, line {line}" if line else "mkdocs.yml"
        raise AlmanacError(f"{where}, 'extra.almanac.{key}': {message}.")
    return values


@dataclass
class Project:
    root: Path
    docs_dir: Path
    languages: list[str]
    settings: dict
    locales: locales.Locales
    publications: list[publications.Publication]
    datasets: dict[str, indicators.Dataset] = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path, docs_dir: Path, languages: list[str], raw_settings, config_text: str = "",
             warnings=None) -> "Project":
        """Load and validate everything a build reads; `warnings` (an `errors.Warnings`) is the build's."""
        settings = load_settings(raw_settings, config_text)
        pubs = publications.load_all(root, docs_dir)
        slugs = {pub.slug for pub in pubs}
        datasets = {}
        for path in sorted((root / "data" / "indicators").glob("*.yml")):
            dataset = indicators.load_dataset(path, root, slugs)
            datasets[dataset.publication] = dataset
        return cls(root, docs_dir, languages, settings, locales.load(root, warnings), pubs, datasets)

    @property
    def docs_name(self) -> str:
        """The docs folder as the editor sees it, relative to mkdocs.yml (e.g. 'content')."""
        return self.docs_dir.resolve().relative_to(self.root.resolve()).as_posix()

    @cached_property
    def by_slug(self) -> dict[str, publications.Publication]:
        return {pub.slug: pub for pub in self.publications}

    @cached_property
    def by_chapter(self) -> dict[str, publications.Publication]:
        """The publication of each chapter, by its language-free path (e.g. 'x/01-a.md')."""
        return {chapter: pub for pub in self.publications for chapter in pub.chapters}
