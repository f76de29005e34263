"""Find and expand `{{ indicators(...) }}`, `{{ chart(...) }}` and `{{ value(...) }}` markers in Markdown.

Reads: page Markdown, loaded `Dataset`s, the templates in
`overrides/partials/almanac/`. Writes: nothing; returns Markdown with raw HTML
blocks in place of the markers, and the CSV files the page links to.

A table or chart marker stands alone on its line. A value marker sits inside a
sentence or list item, e.g. «не менее {{ value("enpud-2022-2024", "3.1.1") }}
от суммы проекта», and prints one indicator's value formatted for the page's
language, so that a list keeps the source's order while its numbers stay in the
data. Arguments are Python-style literals, parsed with `ast` (never evaluated).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from . import charts, limits, templating
from .indicators import Dataset, Formatter, csv_text, rows
from .locales import Locales
from .errors import AlmanacError

MARKER = re.compile(r"^\s*\{\{\s*(?P<body>[A-Za-z_]\w*\s*\(.*\))\s*\}\}\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
SIGNATURES = {"indicators": (["publication"], ["group"]), "chart": (["publication", "chart"], []),
              "value": (["publication", "indicator"], ["show"])}
INLINE = re.compile(r"\{\{\s*value\s*\(.*?\)\s*\}\}")
CODE_SPAN = re.compile(r"(`+)(?:.+?)\1")
SHOW = ("value", "number", "when")   # «4 тренинга» | «4» | «к концу 2024 года»
OTHER_MARKERS = {"catalogue", "translation_status"}   # expanded by hooks/publications.py and hooks/i18n.py


@dataclass
class Marker:
    name: str
    args: dict
    line: int


@dataclass
class Expansion:
    markdown: str
    downloads: dict[str, str] = field(default_factory=dict)  # relative path -> CSV text
    used: list[tuple[str, str]] = field(default_factory=list)


def parse(line: str, where: str, lineno: int) -> Marker | None:
    """The table or chart marker standing alone on `line`, or None (value markers are inline)."""
    if re.match(r"\s*\{\{\s*value\s*\(", line):
        return None
    match = MARKER.match(line)
    if not match:
        stripped = line.strip()
        if stripped.startswith("{{") and stripped.endswith("}}") and re.match(r"\{\{\s*(indicators|chart)\b", stripped):
            raise AlmanacError(f"{where}, line {lineno}: cannot read the marker {stripped!r}; expected e.g. "
                              '{{ indicators("runpud-2021-2024", group="1.1") }}.')
        return None
    try:
        call = ast.parse(match["body"], mode="eval").body
    except SyntaxError:
        raise AlmanacError(f"{where}, line {lineno}: cannot read the marker {line.strip()!r}; expected e.g. "
                          '{{ indicators("runpud-2021-2024", group="1.1") }}.') from None
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in OTHER_MARKERS:
        return None
    return _call(call, line.strip(), where, lineno)


def _call(call, text: str, where: str, lineno: int) -> Marker:
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Name) or call.func.id not in SIGNATURES:
        raise AlmanacError(f"{where}, line {lineno}: unknown marker {text!r}; expected indicators(...), chart(...) or value(...).")
    name = call.func.id
    positional, keywords = SIGNATURES[name]
    args = {}
    values = list(call.args)
    for arg in values:
        if len(args) >= len(positional):
            raise AlmanacError(f"{where}, line {lineno}: {name}() takes {len(positional)} positional argument(s).")
        args[positional[len(args)]] = _string(arg, where, lineno, name)
    for kw in call.keywords:
        if kw.arg not in positional + keywords:
            raise AlmanacError(f"{where}, line {lineno}: {name}() has no argument {kw.arg!r}; expected: {', '.join(positional + keywords)}.")
        args[kw.arg] = _string(kw.value, where, lineno, name)
    missing = [p for p in positional + keywords if p not in args and not (name == "value" and p == "show")]
    if missing:
        raise AlmanacError(f"{where}, line {lineno}: {name}() needs {', '.join(missing)}.")
    if name == "value" and args.setdefault("show", "value") not in SHOW:
        raise AlmanacError(f"{where}, line {lineno}: value() show={args['show']!r}; expected one of: {', '.join(SHOW)}.")
    return Marker(name, args, lineno)


def inline_markers(line: str, where: str, lineno: int):
    """(span, Marker) for each `{{ value(...) }}` in `line`, outside code spans."""
    code = [m.span() for m in CODE_SPAN.finditer(line)]
    for match in INLINE.finditer(line):
        if any(a <= match.start() < b for a, b in code):
            continue
        text = match[0]
        try:
            call = ast.parse(text.strip()[2:-2].strip(), mode="eval").body
        except SyntaxError:
            raise AlmanacError(f"{where}, line {lineno}: cannot read the marker {text!r}; expected e.g. "
                              '{{ value("enpud-2022-2024", "1.1.3") }}.') from None
        yield match.span(), _call(call, text, where, lineno)
    for match in re.finditer(r"\{\{\s*value\b", line):
        if not any(a <= match.start() < b for a, b in code) and not INLINE.match(line, match.start()):
            raise AlmanacError(f"{where}, line {lineno}: cannot read the marker {line[match.start():match.start() + 60]!r}; "
                              'expected e.g. {{ value("enpud-2022-2024", "1.1.3") }}.')


def _string(node, where, lineno, name) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, int, float)) and not isinstance(node.value, bool):
        return str(node.value)
    raise AlmanacError(f"{where}, line {lineno}: {name}() arguments must be quoted text.")


class Renderer:
    """Expands markers for one language; shared by the MkDocs hook and the fidelity checker."""

    def __init__(self, datasets: dict[str, Dataset], locales: Locales, lang: str, templates: Path,
                 painter, warn):
        self.datasets = datasets
        self.locales = locales
        self.lang = lang
        self.painter = painter   # charts.Painter, or None: no charts (the table stands alone)
        self.warn = warn
        self.env = templating.environment(templates)

    def expand(self, markdown: str, where: str, csv_base: str = "", first_line: int = 1) -> Expansion:
        """Replace the markers in `markdown`; `first_line` is the file's line where `markdown` starts
        (after front matter), so that errors name the line an editor sees."""
        out: list[str] = []
        result = Expansion("")
        in_fence = False
        for lineno, line in enumerate(markdown.splitlines(), start=first_line):
            if FENCE.match(line):
                in_fence = not in_fence
            marker = None if in_fence else parse(line, where, lineno)
            if marker is None:
                out.append(line if in_fence or "{{" not in line else self._inline(line, where, lineno, result))
                continue
            html = self._render(marker, where, csv_base, result)
            out.extend(["", _no_blank_lines(html), ""])
        result.markdown = "\n".join(out) + "\n"
        return result

    def _inline(self, line: str, where: str, lineno: int, result: Expansion) -> str:
        pieces, last = [], 0
        for (start, end), marker in inline_markers(line, where, lineno):
            pieces += [line[last:start], self._value(marker, where, result)]
            last = end
        return "".join(pieces) + line[last:] if pieces else line

    def _value(self, marker: Marker, where: str, result: Expansion) -> str:
        dataset = self._dataset(marker, where)
        ident = marker.args["indicator"]
        indicator = dataset.indicators.get(ident)
        if indicator is None:
            raise AlmanacError(f"{where}, line {marker.line}: unknown indicator {ident!r} in {dataset.path}.")
        fmt = Formatter(dataset, self.lang, self.locales, self.warn)
        show = marker.args["show"]
        if show == "when":
            text = fmt.when(indicator)
            if not text:
                raise AlmanacError(f"{where}, line {marker.line}: indicator {ident!r} of {dataset.path} has no period or deadline.")
        elif indicator.value is None:
            raise AlmanacError(f"{where}, line {marker.line}: indicator {ident!r} of {dataset.path} has no value.")
        else:
            text = fmt.quantity(indicator) if show == "value" else fmt.number(indicator.value)
        result.used.append((dataset.publication, indicator.group))
        return str(Markup('<span class="almanac-value">{}</span>').format(text))

    def _dataset(self, marker: Marker, where: str) -> Dataset:
        pub = marker.args["publication"]
        if pub not in self.datasets:
            known = ", ".join(sorted(self.datasets)) or "none"
            raise AlmanacError(f"{where}, line {marker.line}: unknown publication {pub!r} in {marker.name}(); "
                              f"data files exist for: {known}.")
        return self.datasets[pub]

    def _render(self, marker: Marker, where: str, csv_base: str, result: Expansion) -> str:
        dataset = self._dataset(marker, where)
        fmt = Formatter(dataset, self.lang, self.locales, self.warn)
        if marker.name == "chart":
            return self._chart(dataset, marker, where, fmt)
        group_id = marker.args["group"]
        if group_id not in dataset.groups:
            raise AlmanacError(f"{where}, line {marker.line}: unknown group {group_id!r} in {dataset.path}; "
                              f"expected one of: {', '.join(dataset.groups)}.")
        group = dataset.groups[group_id]
        if not group.indicators:
            raise AlmanacError(f"{where}, line {marker.line}: group {group_id!r} of {dataset.path} has no indicators.")
        result.used.append((dataset.publication, group_id))
        csv_name = f"{dataset.publication}-{group_id}.{self.lang}.csv"
        # The rows are formatted once for the CSV and the table (the table then blanks a repeated period).
        table_rows = rows(group, fmt)
        result.downloads[csv_name] = csv_text(group, fmt, table_rows)
        html = self._table(dataset, group, fmt, csv_base + csv_name if csv_base is not None else "", table_rows)
        # The progress chart is drawn only while it fits a page; a longer list keeps the same figures in its
        # table's «achieved» column (README, 'Limits').
        if group.has_actuals and self.painter and len(charts.progress_items(group)) <= limits.MAX_CHART_ITEMS:
            t = lambda key, **kw: self.locales.get(self.lang, f"indicators.{key}", **kw)  # noqa: E731
            caption = fmt.text(group.caption, f"{dataset.path}, group '{group.id}'")
            title = t("progress_title", caption=caption)
            svgs = [charts.progress_svg(dataset, group, fmt, self.painter, title, t("progress_description"), layout)
                    for layout in charts.LAYOUTS]
            html += "\n" + self._figure(f"progress-{dataset.publication}-{group.id}", svgs, title,
                                        charts.progress_rows(group, fmt), t("achieved"))
        return html

    def _table(self, dataset: Dataset, group, fmt: Formatter, csv_href: str, table_rows: list[dict]) -> str:
        t = lambda key, **kw: self.locales.get(self.lang, f"indicators.{key}", **kw)  # noqa: E731
        labels = {k: t(k) for k in ("number", "indicator", "target", "when", "achieved", "download_csv")}
        labels["actual_years"] = [t("actual", year=y) for y in group.years]
        caption = fmt.text(group.caption, f"{dataset.path}, group '{group.id}'")
        # The caption names a period only where the source gives one for the whole list (group.period);
        # rows in that period then leave their cell empty rather than repeat it.
        if group.period and group.period not in caption:
            caption = f"{caption} ({group.period})"
        for row in table_rows:
            if row["when"] == group.period:
                row["when"] = ""
        # The value column is needed only when some sentence does not already show its value.
        inline = all(fmt.shows_value(ind) for ind in group.indicators)
        return self.env.get_template("indicators.html").render(
            anchor=f"ind-{dataset.publication}-{group.id}".replace(".", "-"),
            caption=caption, t=labels, rows=table_rows, years=group.years, numbered=group.numbered,
            has_values=bool(group.years) or (not inline and any(r["target"] for r in table_rows)),
            has_when=any(r["when"] for r in table_rows),
            csv_href=csv_href,
        )

    def _chart(self, dataset: Dataset, marker: Marker, where: str, fmt: Formatter) -> str:
        chart_id = marker.args["chart"]
        if chart_id not in dataset.charts:
            raise AlmanacError(f"{where}, line {marker.line}: unknown chart {chart_id!r} in {dataset.path}; "
                              f"expected one of: {', '.join(dataset.charts) or 'none'}.")
        if not self.painter:
            return ""
        drawn = [charts.chart_svg(dataset, chart_id, fmt, self.painter, layout) for layout in charts.LAYOUTS]
        svgs, title = [d[0] for d in drawn], drawn[0][1]
        return self._figure(f"chart-{dataset.publication}-{chart_id}", svgs, title,
                            charts.table_rows(dataset, chart_id, fmt), self.locales.get(self.lang, "indicators.target"))

    def _figure(self, anchor: str, svgs: list[str], title: str, rows, value_label: str) -> str:
        t = {"show_table": self.locales.get(self.lang, "charts.show_table"),
             "label": self.locales.get(self.lang, "indicators.indicator"), "value": value_label}
        wide, narrow = svgs
        return self.env.get_template("chart.html").render(anchor=anchor, svg=Markup(wide), svg_narrow=Markup(narrow),
                                                          title=title, rows=rows, t=t)


def _no_blank_lines(html: str) -> str:
    # A blank line would end Markdown's raw HTML block halfway through the table.
    return "\n".join(line for line in html.splitlines() if line.strip())
