"""Publication metadata: one `publication.yml` per folder under `content/`.

Reads: `content/<slug>/publication.yml`, `data/organisations.yml`.
Writes: nothing.

The metadata is the single place for a publication's title, organisation,
period, date, kind, licence and chapter order; the navigation, the catalogue,
the publication's overview, its data package and the PDF cover all read it
from here.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from pathlib import Path


from . import schema, yamlfile
from .errors import AlmanacError

KINDS = ("strategic-plan", "annual-report", "brochure")
NOTES_SUFFIX = "editorial-notes.md"


class Licence(schema.Option):
    """The licence the source itself states, e.g. ``{id: CC-BY-NC-ND-3.0, title: ..., url: https://...}``.

    Only what the source says: a publication whose source states no licence has no `licence` field,
    and its data package says so (see almanac.opendata)."""

    FIELDS = ("id", "title", "url")

    def __init__(self):
        super().__init__(None)

    def run_validation(self, value):
        if value is None:
            return None
        if not isinstance(value, dict) or set(value) != set(self.FIELDS):
            raise schema.ValidationError(f"expected a mapping with {', '.join(self.FIELDS)} (e.g. id: CC-BY-4.0, "
                                         f"title: Creative Commons Attribution 4.0, url: https://...), got {value!r}")
        for key in self.FIELDS:
            if not isinstance(value[key], str) or not value[key].strip():
                raise schema.ValidationError(f"expected text for '{key}', got {value[key]!r}")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.+-]*", value["id"]):
            raise schema.ValidationError(f"expected an SPDX licence id such as CC-BY-4.0 for 'id', got {value['id']!r}")
        if not re.fullmatch(r"https?://\S+", value["url"]):
            raise schema.ValidationError(f"expected a web address for 'url', got {value['url']!r}")
        return dict(value)


class WebAddress(schema.Text):
    """An http(s) address: the catalogue and the overview link it, so no other scheme (javascript:) may pass."""

    def run_validation(self, value):
        value = super().run_validation(value)
        if not re.fullmatch(r"https?://[^\s\"'<>]+", value):
            raise schema.ValidationError(f"expected a web address starting with https:// or http://, got {value!r}")
        return value


class OrganisationConfig(schema.Config):
    name = schema.Localised()
    acronym = schema.Localised()
    url = schema.Optional(WebAddress())


class PublicationConfig(schema.Config):
    organisation = schema.Identifier()
    kind = schema.Choice(KINDS)
    period = schema.ListOfItems(schema.Type(int))
    date = schema.Optional(schema.Type(datetime.date))
    date_label = schema.Optional(schema.Localised())
    title = schema.Localised()
    subtitle = schema.Optional(schema.Localised())
    abstract = schema.Optional(schema.Localised())   # one line for the catalogue's card, from the publication's own text
    source = schema.Optional(schema.Text())
    licence = Licence()   # only where the source states one
    chapters = schema.ListOfItems(schema.Text())


@dataclass
class Organisation:
    key: str
    name: dict
    acronym: dict
    url: str | None

    def name_in(self, lang: str) -> str:
        return _pick(self.name, lang)

    def acronym_in(self, lang: str) -> str:
        return _pick(self.acronym, lang)


@dataclass
class Publication:
    slug: str
    folder: Path
    meta: PublicationConfig
    organisation: Organisation
    shown_as: str

    @property
    def chapters(self) -> list[str]:
        """Chapter paths relative to the docs folder, in reading order."""
        return [f"{self.slug}/{name}" for name in self.meta["chapters"]]

    @property
    def text_chapters(self) -> list[str]:
        """Chapters carrying the source's text (editorial notes excluded)."""
        return [c for c in self.chapters if not c.endswith(NOTES_SUFFIX)]

    def title(self, lang: str) -> str:
        return _pick(self.meta["title"], lang)

    def subtitle(self, lang: str) -> str | None:
        return _pick(self.meta["subtitle"], lang) if self.meta["subtitle"] else None

    def abstract(self, lang: str) -> tuple[str, str] | None:
        """The one-line abstract for a reader of `lang`, and the language it is in (the original's if untranslated)."""
        if not self.meta["abstract"]:
            return None
        shown = lang if lang in self.meta["abstract"] else ("ru" if "ru" in self.meta["abstract"]
                                                           else next(iter(self.meta["abstract"])))
        return self.meta["abstract"][shown], shown

    def date_label(self, lang: str) -> str | None:
        return _pick(self.meta["date_label"], lang) if self.meta["date_label"] else None

    @property
    def licence(self) -> dict | None:
        return self.meta["licence"]

    @property
    def period(self) -> tuple[int, int]:
        return tuple(self.meta["period"])


def _pick(mapping: dict, lang: str) -> str:
    return mapping.get(lang) or mapping.get("ru") or next(iter(mapping.values()))


def load_organisations(project_root: Path) -> dict[str, Organisation]:
    path = project_root / "data" / "organisations.yml"
    shown = path.relative_to(project_root).as_posix()
    raw = yamlfile.load(path, shown)
    if not isinstance(raw, dict):
        raise AlmanacError(f"{shown}, line 1: expected a mapping of organisation keys.")
    result = {}
    for key, item in raw.items():
        cfg = schema.check(OrganisationConfig, item, shown, raw.line_of(key))
        result[key] = Organisation(key, cfg["name"], cfg["acronym"], cfg["url"])
    return result


def load_all(project_root: Path, docs_dir: Path) -> list[Publication]:
    """Every publication under `docs_dir`, validated, in catalogue order (organisation, period)."""
    organisations = load_organisations(project_root)
    publications = [_load_one(path, project_root, docs_dir, organisations)
                    for path in sorted(docs_dir.glob("*/publication.yml"))]
    slugs: dict[str, Publication] = {}
    # URLs are compared without case by some servers and on every macOS or Windows disk.
    for pub in sorted(publications, key=lambda p: p.slug != p.slug.lower()):
        if pub.slug.lower() in slugs:
            first, second = slugs[pub.slug.lower()], pub
            raise AlmanacError(f"{first.shown_as}: the publication slug {first.slug!r} is already used by "
                              f"{second.shown_as}; expected each folder name once, whatever its case.")
        slugs[pub.slug.lower()] = pub
    for pub in publications:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", pub.slug):
            raise AlmanacError(f"{pub.shown_as}: the folder name {pub.slug!r} is not a valid slug; expected "
                              f"lowercase letters and digits joined by '-', e.g. inpud-2030-2034.")
    return sorted(publications, key=lambda p: (p.organisation.key, -p.period[0]))


def load_one(project_root: Path, docs_dir: Path, slug: str) -> Publication:
    """One publication by its folder name."""
    path = docs_dir / slug / "publication.yml"
    if not path.is_file():
        raise AlmanacError(f"content/{slug}/publication.yml: no such publication.")
    return _load_one(path, project_root, docs_dir, load_organisations(project_root))


def _load_one(path: Path, project_root: Path, docs_dir: Path, organisations: dict) -> Publication:
    shown = path.relative_to(project_root).as_posix()
    raw = yamlfile.load(path, shown)
    meta = schema.check(PublicationConfig, raw, shown, 1)
    where = lambda key: f"{shown}, line {raw.line_of(key)}, '{key}'"  # noqa: E731
    if meta["organisation"] not in organisations:
        raise AlmanacError(f"{where('organisation')}: unknown organisation {meta['organisation']!r}; "
                          f"expected one of: {', '.join(organisations)} (data/organisations.yml).")
    period = meta["period"]
    if len(period) != 2 or period[0] > period[1]:
        raise AlmanacError(f"{where('period')}: expected [first year, last year], got {period!r}.")
    if "ru" not in meta["title"]:
        raise AlmanacError(f"{where('title')}: the title needs a 'ru' text (the default language).")
    seen: dict[str, int] = {}
    for index, chapter in enumerate(meta["chapters"]):
        line = raw["chapters"].line_of(index)
        if chapter in seen:
            raise AlmanacError(f"{shown}, line {line}, 'chapters': {chapter!r} is listed twice "
                              f"(first on line {seen[chapter]}); expected each chapter once.")
        seen[chapter] = line
        if "/" in chapter or "\\" in chapter or not chapter.endswith(".md"):
            raise AlmanacError(f"{shown}, line {line}, 'chapters': expected the name of a Markdown file "
                              f"in {path.parent.name}/, such as 01-introduction.md, got {chapter!r}.")
        if not (path.parent / chapter).is_file():
            raise AlmanacError(f"{shown}, line {raw['chapters'].line_of(index)}, 'chapters': "
                              f"the file {chapter!r} does not exist in {path.parent.name}/.")
    if meta["source"]:
        source = (project_root / meta["source"]).resolve()
        if not source.is_relative_to((project_root / "sources").resolve()):
            raise AlmanacError(f"{where('source')}: {meta['source']!r} is outside sources/; expected the extracted "
                               f"source text under sources/, e.g. sources/000_0be76a8866bf62d5.txt.")
        if not source.is_file():
            raise AlmanacError(f"{where('source')}: the file {meta['source']!r} does not exist.")
    return Publication(path.parent.name, path.parent, meta, organisations[meta["organisation"]], shown)
