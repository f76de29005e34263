"""Indicator data files: schema, loading, formatting and table rendering.

Reads: `data/indicators/<publication>.yml`, `locales/<lang>.yml`, the Jinja
template `overrides/partials/almanac/indicators.html`. Writes: nothing (the
hook writes the CSV files this module produces as text).

A number lives once, in the data file; every language's table, CSV and chart
is generated from it with Babel's locale rules.

Data files are untrusted input, checked once when they are loaded: numbers a
float holds exactly, only known placeholders in braces (``{value}``,
``{number}`` in a label, ``{n}`` in a unit form), charts with something to
draw, and the size limits of `almanac.limits`. The CSV text is written by
`almanac.csvcells`, so no label runs as a spreadsheet formula.
"""

from __future__ import annotations

import datetime
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup, escape

from . import csvcells, limits, schema, yamlfile
from .locales import DEFAULT_LANGUAGE, Locales
from .errors import AlmanacError

log = logging.getLogger("mkdocs.hooks.almanac.indicators")

BUILTIN_UNITS = ("percent", "none")
PLACEHOLDER = re.compile(r"\{(value|number)\}")
LABEL_PLACEHOLDERS = ("value", "number")   # what Formatter.label_html replaces
UNIT_PLACEHOLDERS = ("n",)                 # what Formatter.quantity replaces in a unit form
FREQUENCIES = ("week", "month", "quarter", "half-year", "year")
# A unit form may hold the number itself ("{n}-fold") or stand for it ("=1": "once a year").
EXACT_FORM = re.compile(r"=(\d+(?:\.\d+)?)")
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")   # CLDR's
# The forms of a quantity that stands alone (a key figure, a table's target, a chart's bar) where the language
# words it otherwise than inside a sentence: kk «ҚХАБ-тың бес филиалы мен өкілдігі» but «бес филиал» alone.
STANDALONE = "standalone"


class GroupConfig(schema.Config):
    id = schema.Identifier()
    caption = schema.Localised(placeholders=())
    section = schema.Text()
    numbered = schema.Type(bool, default=True)   # the source numbers its items
    period = schema.Optional(schema.Text())       # only where the source states one for the whole list


class IndicatorConfig(schema.Config):
    id = schema.Identifier()
    group = schema.Identifier()
    label = schema.Localised(placeholders=LABEL_PLACEHOLDERS)
    value = schema.Optional(schema.Target())          # a number, or [low, high] for the source's «1–3»
    unit = schema.Optional(schema.Identifier())
    period = schema.Optional(schema.Text())             # during: "2023–2024", "2023"
    deadline = schema.Optional(schema.Due())            # {by_end_of: 2024}, {before: 2024}
    every = schema.Optional(schema.Choice(FREQUENCIES))  # a recurring target: weekly … every year
    dates = schema.Optional(schema.ListOfItems(schema.Month(), min_items=1, noun="date"))  # «март 2023, март 2024»
    highlight = schema.Type(bool, default=False)        # a key figure on the publication's home page
    section = schema.Text()
    short = schema.Optional(schema.Localised(placeholders=()))
    # What a share or count is of, as the source words it: «ресурсов» / "of resources" after «30 %».
    base = schema.Optional(schema.Localised(placeholders=()))
    # The source's bound on a quantity standing alone: «минимум» / "at least" (a sentence says its own).
    qualifier = schema.Optional(schema.Localised(placeholders=()))
    baseline = schema.Optional(schema.Number())
    actuals = schema.Optional(schema.Type(dict))


class MilestoneConfig(schema.Config):
    """A dated step of the plan that is not a number: the source's words for when, and that date for machines."""
    id = schema.Identifier()
    section = schema.Text()
    text = schema.Localised(placeholders=())                           # «до конца 2022 года», "by the end of 2022"
    due = schema.Optional(schema.Due(kinds=schema.MILESTONE_KINDS))    # {by_end_of: 2022}, {in: 2022-09}
    period = schema.Optional(schema.Text())                            # a span: "2022–2023"


class ChartConfig(schema.Config):
    id = schema.Identifier()
    type = schema.Choice(("bar", "pie"))
    indicators = schema.ListOfItems(schema.Identifier(), min_items=1, noun="indicator")
    title = schema.Localised(placeholders=())
    description = schema.Localised(placeholders=())


class FileConfig(schema.Config):
    publication = schema.Identifier()
    units = schema.Type(dict, default={})
    groups = schema.Type(list)
    indicators = schema.Type(list)
    charts = schema.Type(list, default=[])
    milestones = schema.Type(list, default=[])


@dataclass
class Indicator:
    id: str
    group: str
    label: dict
    value: float | int | tuple | None       # a tuple (low, high) is a range
    unit: str | None
    period: str | None
    deadline: tuple[str, str] | None       # (kind, "YYYY" or "YYYY-MM"), see schema.Due
    section: str
    short: dict | None
    baseline: float | int | None
    actuals: dict[int, float]
    line: int
    every: str | None = None
    highlight: bool = False
    base: dict | None = None
    qualifier: dict | None = None
    dates: list[str] | None = None

    @property
    def is_range(self) -> bool:
        return isinstance(self.value, tuple)

    @property
    def bounds(self) -> tuple:
        """(low, high); both the value itself when it is not a range."""
        return self.value if self.is_range else (self.value, self.value)


@dataclass
class Group:
    id: str
    caption: dict
    section: str
    numbered: bool = True
    period: str | None = None
    indicators: list[Indicator] = field(default_factory=list)
    line: int = 0

    @property
    def has_actuals(self) -> bool:
        return any(i.actuals for i in self.indicators)

    @property
    def years(self) -> list[int]:
        return sorted({y for i in self.indicators for y in i.actuals})


@dataclass
class Dataset:
    publication: str
    path: str
    units: dict
    groups: dict[str, Group]
    charts: dict[str, ChartConfig]
    indicators: dict[str, Indicator]
    lines: dict = field(default_factory=dict)
    milestones: dict[str, dict] = field(default_factory=dict)


def load_dataset(path: Path, project_root: Path, publications: set[str] | None = None) -> Dataset:
    """Read and validate one data file; every problem is one line naming file, line and field."""
    shown = path.relative_to(project_root).as_posix()
    try:
        limits.check_data_file_size(path.stat().st_size, shown)
    except OSError:
        pass  # yamlfile.load says why the file cannot be read
    raw = yamlfile.load(path, shown, check=lambda text: limits.check_data_text(text, shown))
    top = schema.check(FileConfig, raw, shown, 1)
    if publications is not None and top["publication"] not in publications:
        raise AlmanacError(
            f"{shown}, line {raw.line_of('publication')}, 'publication': unknown publication "
            f"{top['publication']!r}; expected one of: {', '.join(sorted(publications))}."
        )
    if top["publication"] != path.stem:
        raise AlmanacError(
            f"{shown}, line {raw.line_of('publication')}, 'publication': expected {path.stem!r} "
            f"(the file name), got {top['publication']!r}."
        )
    units = _check_units(top["units"], raw.get("units"), shown)
    groups = _load_groups(raw["groups"], shown)
    indicators = _load_indicators(raw["indicators"], shown, groups, units)
    charts = _load_charts(raw.get("charts") or [], shown, indicators)
    milestones = _load_milestones(raw.get("milestones") or [], shown)
    return Dataset(top["publication"], shown, units, groups, charts, indicators, milestones=milestones)


def _items(raw_list, shown: str, name: str):
    if not isinstance(raw_list, list):
        raise AlmanacError(f"{shown}, '{name}': expected a list.")
    for index, item in enumerate(raw_list):
        line = raw_list.line_of(index) if isinstance(raw_list, yamlfile.LineList) else 0
        yield item, line


def _check_units(units: dict, raw, shown: str) -> dict:
    for key, forms in units.items():
        line = raw.line_of(key) if isinstance(raw, yamlfile.LineDict) else 0
        if key in BUILTIN_UNITS:
            raise AlmanacError(f"{shown}, line {line}, 'units': '{key}' is built in; do not redefine it.")
        if not isinstance(forms, dict) or not all(isinstance(f, dict) for f in forms.values()):
            raise AlmanacError(
                f"{shown}, line {line}, 'units.{key}': expected plural forms per language, "
                f"e.g. ru: {{one: ..., few: ..., many: ...}}."
            )
        for lang, by_category in forms.items():
            _check_forms(by_category, f"units.{key}.{lang}", shown, line, standalone_allowed=True)
    return units


def _check_forms(by_category: dict, name: str, shown: str, line: int, standalone_allowed: bool) -> None:
    """Plural forms: a CLDR category or an exact number ("=5") to a text; `standalone` holds the same."""
    for category, form in by_category.items():
        where = f"{shown}, line {_line(by_category, category, line)}, '{name}.{category}'"
        if category == STANDALONE and standalone_allowed:
            if not isinstance(form, dict) or not form:
                raise AlmanacError(
                    f"{where}: expected the forms of the quantity standing alone, by plural category or exact "
                    f"number, e.g. standalone: {{\"=5\": \"бес филиал\"}}; got {form!r}.")
            _check_forms(form, f"{name}.{STANDALONE}", shown, _line(by_category, category, line), False)
            continue
        if category not in PLURAL_CATEGORIES and not EXACT_FORM.fullmatch(str(category)):
            allowed = ", ".join(PLURAL_CATEGORIES) + (f", {STANDALONE}" if standalone_allowed else "")
            raise AlmanacError(f"{where}: expected a plural category ({allowed}) or an exact number such as "
                               f"\"=5\", got {category!r}.")
        if not isinstance(form, str) or not form.strip():
            raise AlmanacError(f"{where}: expected text, got {form!r}.")
        problem = schema.placeholder_problem(form, UNIT_PLACEHOLDERS)
        if problem:
            raise AlmanacError(f"{where}: the form {problem}.")


def _line(mapping, key, default: int) -> int:
    return mapping.line_of(key) if isinstance(mapping, yamlfile.LineDict) else default


def _load_groups(raw_list, shown: str) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    for item, line in _items(raw_list, shown, "groups"):
        cfg = schema.check(GroupConfig, item, shown, line)
        if cfg["id"] in groups:
            raise AlmanacError(f"{shown}, line {item.line_of('id')}, 'id': duplicate group id {cfg['id']!r}.")
        groups[cfg["id"]] = Group(cfg["id"], cfg["caption"], cfg["section"], cfg["numbered"], cfg["period"],
                                  line=item.line_of("id"))
    return groups


def _load_indicators(raw_list, shown: str, groups: dict, units: dict) -> dict[str, Indicator]:
    # Counted again here: the event count in limits.check_data_text cannot follow YAML aliases.
    limits.check_indicator_count(len(raw_list) if isinstance(raw_list, list) else 0, shown)
    found: dict[str, Indicator] = {}
    for item, line in _items(raw_list, shown, "indicators"):
        cfg = schema.check(IndicatorConfig, item, shown, line)
        where = lambda key: f"{shown}, line {item.line_of(key)}, '{key}'"  # noqa: E731
        if cfg["id"] in found:
            raise AlmanacError(f"{where('id')}: duplicate indicator id {cfg['id']!r}.")
        if cfg["group"] not in groups:
            raise AlmanacError(f"{where('group')}: unknown group {cfg['group']!r}; expected one of: {', '.join(groups)}.")
        unit = cfg["unit"]
        if unit is not None and unit not in BUILTIN_UNITS and unit not in units:
            raise AlmanacError(f"{where('unit')}: unknown unit {unit!r}; define it under 'units' or use one of: percent, none.")
        if cfg["value"] is not None and unit is None:
            raise AlmanacError(f"{where('value')}: a value needs a 'unit' (use 'none' for a bare number).")
        for lang, text in cfg["label"].items():
            if "{value}" in text or "{number}" in text:
                if cfg["value"] is None:
                    raise AlmanacError(f"{where('label')}: label '{lang}' has a placeholder but the indicator has no value.")
        indicator = Indicator(
            id=cfg["id"], group=cfg["group"], label=cfg["label"], value=cfg["value"], unit=unit,
            period=cfg["period"], deadline=cfg["deadline"], section=cfg["section"], short=cfg["short"],
            baseline=cfg["baseline"], actuals=_check_actuals(cfg["actuals"], where("actuals")),
            line=item.line, every=cfg["every"], highlight=cfg["highlight"], base=cfg["base"],
            qualifier=cfg["qualifier"], dates=cfg["dates"],
        )
        if indicator.highlight:
            _check_figure(indicator, where)
        if cfg["period"] and cfg["deadline"]:
            raise AlmanacError(f"{where('deadline')}: give either a period (during) or a deadline, not both.")
        if cfg["dates"] and (cfg["period"] or cfg["deadline"]):
            raise AlmanacError(f"{where('dates')}: give dates, a period or a deadline, only one of them.")
        found[indicator.id] = indicator
        group = groups[indicator.group]
        group.indicators.append(indicator)
        limits.check_group(group.id, len(group.indicators), shown, group.line)
    return found


def _check_figure(indicator: Indicator, where) -> None:
    """A key figure is shown under a label of its own: `short`, or a label that says more than its number."""
    if indicator.value is None:
        raise AlmanacError(f"{where('highlight')}: a key figure needs a 'value' to show.")
    if indicator.short:
        return
    for lang, text in indicator.label.items():
        if not re.search(r"\w", PLACEHOLDER.sub("", text)):
            raise AlmanacError(
                f"{where('label')}: label '{lang}' is only the figure ({text!r}); a key figure (highlight: true) "
                f"needs a 'short' label saying what it counts, in the source's words.")


def _load_milestones(raw_list, shown: str) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for item, line in _items(raw_list, shown, "milestones"):
        cfg = schema.check(MilestoneConfig, item, shown, line)
        where = lambda key: f"{shown}, line {item.line_of(key)}, '{key}'"  # noqa: E731
        if cfg["id"] in found:
            raise AlmanacError(f"{where('id')}: duplicate milestone id {cfg['id']!r}.")
        if cfg["due"] and cfg["period"]:
            raise AlmanacError(f"{where('period')}: give either a due date or a period, not both.")
        found[cfg["id"]] = cfg
    return found


def _check_actuals(actuals, where: str) -> dict[int, float]:
    result = {}
    for year, value in (actuals or {}).items():
        if isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2200:
            raise AlmanacError(f"{where}: expected a year such as 2023, got {year!r}.")
        try:
            result[year] = schema.Number().run_validation(value)
        except schema.ValidationError as exc:
            raise AlmanacError(f"{where}: for {year}, {exc}.") from None
    return dict(sorted(result.items()))


def _load_charts(raw_list, shown: str, indicators: dict) -> dict[str, ChartConfig]:
    charts = {}
    for item, line in _items(raw_list, shown, "charts"):
        cfg = schema.check(ChartConfig, item, shown, line)
        if cfg["id"] in charts:
            raise AlmanacError(f"{shown}, line {item.line_of('id')}, 'id': duplicate chart id {cfg['id']!r}.")
        where = f"{shown}, line {item.line_of('indicators')}, 'indicators'"
        limits.check_chart(len(cfg["indicators"]), shown, item.line_of("indicators"))
        for ident in cfg["indicators"]:
            if ident not in indicators:
                raise AlmanacError(f"{where}: unknown indicator {ident!r}.")
            if indicators[ident].value is None:
                raise AlmanacError(f"{where}: {ident!r} has no value to plot.")
            if min(indicators[ident].bounds) < 0:
                raise AlmanacError(f"{where}: {ident!r} is below zero ({indicators[ident].value!r}); a chart draws "
                                   f"amounts from zero.")
        units = {indicators[ident].unit for ident in cfg["indicators"]}
        if cfg["type"] == "pie" and len(units) > 1:
            raise AlmanacError(f"{where}: a pie chart shows shares of one whole, so its slices need one unit; "
                               f"got {', '.join(sorted(map(str, units)))}. Use a bar chart (one panel per unit).")
        if not any(max(indicators[ident].bounds) > 0 for ident in cfg["indicators"]):
            raise AlmanacError(f"{where}: every value is zero; a chart needs at least one above zero.")
        charts[cfg["id"]] = cfg
    return charts


# --- Formatting -------------------------------------------------------------------------


class Formatter:
    """Locale-aware text for one dataset in one language; warns once per missing label."""

    def __init__(self, dataset: Dataset, lang: str, locales: Locales, warn):
        self.dataset = dataset
        self.lang = lang
        self.locales = locales
        self._warn = warn
        self._locale = Locale.parse(lang)

    def text(self, mapping: dict, where: str) -> str:
        if self.lang in mapping:
            return mapping[self.lang]
        self._warn(f"{where}: no '{self.lang}' label; showing the {DEFAULT_LANGUAGE} text.")
        return mapping.get(DEFAULT_LANGUAGE) or next(iter(mapping.values()))

    def number(self, value) -> str:
        """A number, or a range «1–3», in the language's digits and separators."""
        if isinstance(value, tuple):
            return "\u2013".join(self.number(v) for v in value)
        return format_decimal(value, locale=self.lang, decimal_quantization=False)

    def quantity(self, indicator: Indicator, value=None, standalone: bool = False) -> str:
        """The value with its unit, e.g. «4 тренинга», «1–3 страны», «30 %», "once a year".

        `standalone`: the quantity stands alone (a key figure, a table's cell, a chart), so the unit's
        standalone forms are used where the language has them."""
        value = indicator.value if value is None else value
        if indicator.unit == "percent":
            if isinstance(value, tuple):
                return f"{self.number(value[0])}\u2013{self.percent(value[1])}"
            return self.percent(value)
        if indicator.unit in (None, "none"):
            return self.number(value)
        form = self.unit_form(indicator, value, standalone=standalone)
        if "{n}" in form:
            return form.replace("{n}", self.number(value))
        if self._exact_form(indicator, value, standalone):
            return form      # the form says the number in words: "once a year", "doubles"
        return f"{self.number(value)}\u00a0{form}"

    def percent(self, value) -> str:
        return format_percent(value / 100, locale=self.lang, decimal_quantization=False)

    def unit_form(self, indicator: Indicator, value, exact: bool = True, standalone: bool = False) -> str:
        """The unit's form for `value`: an exact form ("=2") first, else the language's plural
        category; a range agrees with its upper bound, as in «1–3 страны», "1–3 countries".
        `standalone`: a standalone form of that key first, where the data gives one."""
        forms, lang = self._forms(indicator)
        if exact and self._exact_form(indicator, value, standalone):
            return self._exact_form(indicator, value, standalone)
        count = value[1] if isinstance(value, tuple) else value
        # The Locale parsed once per formatter: parsing it for every row cost a third of a large table's time.
        category = (self._locale if lang == self.lang else Locale.parse(lang)).plural_form(count)
        alone = forms.get(STANDALONE, {}) if standalone else {}
        form = (alone.get(category) or forms.get(category) or alone.get("other") or forms.get("other")
                or forms.get("many"))
        if not form:
            where = f"{self.dataset.path}, line {indicator.line}, unit '{indicator.unit}'"
            raise AlmanacError(f"{where}: no plural form '{category}' for {lang}.")
        return form

    def _forms(self, indicator: Indicator) -> tuple[dict, str]:
        forms_by_lang = self.dataset.units[indicator.unit]
        forms = forms_by_lang.get(self.lang)
        if forms:
            return forms, self.lang
        where = f"{self.dataset.path}, line {indicator.line}, unit '{indicator.unit}'"
        self._warn(f"{where}: no '{self.lang}' forms; showing the {DEFAULT_LANGUAGE} forms.")
        return forms_by_lang.get(DEFAULT_LANGUAGE, {}), DEFAULT_LANGUAGE

    def _exact_form(self, indicator: Indicator, value, standalone: bool = False) -> str | None:
        if isinstance(value, tuple) or indicator.unit in BUILTIN_UNITS + (None,):
            return None
        forms, _ = self._forms(indicator)
        # A standalone exact form first, then the in-sentence one: kk "=5" «бес филиал» alone, «бес филиалы» inside.
        for mapping in ((forms.get(STANDALONE, {}), forms) if standalone else (forms,)):
            for key, form in mapping.items():
                match = EXACT_FORM.fullmatch(str(key))
                if match and float(match[1]) == value:
                    return form
        return None

    def figure(self, indicator: Indicator) -> str:
        """A quantity standing alone, with the source's bound and base: «минимум 4 кампании», «30 % ресурсов»."""
        text = self.quantity(indicator, standalone=True)
        where = f"{self.dataset.path}, line {indicator.line}, indicator '{indicator.id}'"
        if indicator.qualifier:
            text = f"{self.text(indicator.qualifier, where)} {text}"
        if indicator.base:
            text = f"{text} {self.text(indicator.base, where)}"
        return text

    def label_html(self, indicator: Indicator) -> Markup:
        template = self.text(indicator.label, f"{self.dataset.path}, line {indicator.line}, indicator '{indicator.id}'")
        parts = []
        for piece in PLACEHOLDER.split(template):
            if piece == "value":
                parts.append(Markup('<span class="almanac-value">{}</span>').format(self.quantity(indicator)))
            elif piece == "number":
                parts.append(Markup('<span class="almanac-value">{}</span>').format(self.number(indicator.value)))
            else:
                parts.append(_emphasis(escape(piece)))
        return Markup("").join(parts)

    def shows_value(self, indicator: Indicator) -> bool:
        """Whether the indicator's sentence in this language shows its value itself."""
        if indicator.value is None:
            return True
        return bool(PLACEHOLDER.search(indicator.label.get(self.lang) or indicator.label.get(DEFAULT_LANGUAGE, "")))

    def label_text(self, indicator: Indicator) -> str:
        return re.sub(r"<[^>]+>", "", str(self.label_html(indicator))).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"').replace("&#39;", "'")

    def when(self, indicator: Indicator) -> str:
        """The period or deadline as the source words it: «ежегодно, 2022–2024», «к концу 2024 года»."""
        parts = []
        if indicator.every:
            parts.append(self._label(f"indicators.every.{indicator.every}"))
        if indicator.dates:
            parts.append(", ".join(self.date(when) for when in indicator.dates))
        elif indicator.deadline:
            parts.append(self.due(*indicator.deadline))
        elif indicator.period:
            parts.append(indicator.period)
        return ", ".join(parts)

    def date(self, when: str) -> str:
        """A year as it is, a month as the language names it standing alone: «март 2023», "March 2023"."""
        year, _, month = when.partition("-")
        if not month:
            return year
        return format_date(datetime.date(int(year), int(month), 1), "LLLL y", locale=self.lang)

    def due(self, kind: str, when: str) -> str:
        year, _, month = when.partition("-")
        if kind == "before" and month:
            name = format_date(datetime.date(int(year), int(month), 1), "MMMM", locale=self.lang)
            return self._label("indicators.due.before_month", month=name, year=year)
        return self._label(f"indicators.due.{'before_year' if kind == 'before' else kind}", year=year)

    def _label(self, key: str, **values) -> str:
        return self.locales.get(self.lang, key, **values)

    def achieved(self, indicator: Indicator) -> str:
        """Share of the target reached: latest actual for percentages, cumulative otherwise."""
        ratio = achieved_ratio(indicator)
        return "" if ratio is None else format_percent(ratio, locale=self.lang)


def _emphasis(text: Markup) -> Markup:
    # Labels may carry the source's *italics*; the text is escaped before this runs.
    return Markup(re.sub(r"\*([^*\s][^*]*?)\*", r"<em>\1</em>", str(text)))


def achieved_ratio(indicator: Indicator) -> float | None:
    """Share of the target reached; a range is reached at its lower bound."""
    low = indicator.bounds[0] if indicator.value is not None else None
    if not indicator.actuals or not low:
        return None
    values = list(indicator.actuals.values())
    reached = values[-1] if indicator.unit == "percent" else sum(values)
    return reached / low


def raw_target(indicator: Indicator) -> str:
    """The target for machines: "3", "0.5", "1234567" or a range "1–3" (no locale formatting, no exponent)."""
    if indicator.value is None:
        return ""
    if indicator.is_range:
        return "\u2013".join(csvcells.number(v) for v in indicator.bounds)
    return csvcells.number(indicator.value)


def rows(group: Group, fmt: Formatter) -> list[dict]:
    """The table rows of a group as display strings, shared by HTML and CSV."""
    # The years are computed once: a property read per row made a table quadratic in its rows.
    years = group.years
    result = []
    for index, ind in enumerate(group.indicators, start=1):
        result.append({
            "n": fmt.number(index),
            "id": ind.id,
            "label_html": fmt.label_html(ind),
            "label": fmt.label_text(ind),
            "target": fmt.figure(ind) if ind.value is not None else "",
            "value": ind.value,
            "when": fmt.when(ind),
            "actuals": [fmt.quantity(ind, ind.actuals[y], standalone=True) if y in ind.actuals else "" for y in years],
            "achieved": fmt.achieved(ind),
        })
    return result


def csv_text(group: Group, fmt: Formatter, table_rows: list[dict] | None = None) -> str:
    """The group as CSV with headers in the reader's language and raw numbers; text cells that a spreadsheet
    would run as a formula are neutralised (almanac.csvcells). `table_rows`: the group's `rows`, if made."""
    t = lambda key, **kw: fmt.locales.get(fmt.lang, f"indicators.{key}", **kw)  # noqa: E731
    header = [t("number"), t("indicator"), t("target"), t("unit"), t("when"), t("source")]
    years = group.years
    header += [t("actual", year=y) for y in years]
    lines = []
    for index, (ind, row) in enumerate(zip(group.indicators, table_rows or rows(group, fmt)), start=1):
        unit = "" if ind.unit in (None, "none") else ("%" if ind.unit == "percent" else
                                                   fmt.unit_form(ind, ind.value or 0, exact=False).replace("{n}", "").strip())
        # A single target is a number (a negative one stays a number); a range «1–3» is text.
        target = raw_target(ind) if ind.is_range else ind.value
        lines.append([index, row["label"], target, unit, row["when"], ind.section]
                     + [ind.actuals.get(y) for y in years])
    return csvcells.table(header, lines)
