"""Charts from indicator data, drawn by matplotlib as SVG with text kept as text.

Reads: a `Dataset`, the site's WOFF2 fonts in `overrides/assets/fonts/`.
Writes: drawn charts to .cache/almanac/charts/<hash>.svg when the build's
`Painter` has a cache folder (the TTF copies matplotlib needs come from `fonts`).
Returns SVG markup. Nothing of a build lives in this module: the `Painter` is the
build's, and the one process-wide cache is matplotlib imported with the fonts.

The same SVG is inlined in the web page and in the PDF, so its text is
searchable, read by screen readers and set in the site's font.

Each chart is drawn twice: a wide layout (A4 and desktop) and a narrow one for
phones, taller, with labels above the bars, so that no text is ever scaled
below 12 CSS pixels at a 360-pixel viewport (the page's CSS picks one). The
colours are the Okabe–Ito palette, safe for colour-blind readers, and every
coloured mark also carries its number as text, so colour is never the only key.

A bar chart never puts different units on one scale: its bars are grouped by
unit into small multiples, one panel per unit, each with its own axis from
zero, ticked and titled with what it counts («Количество вебинаров»).

A chart is first reduced to what it shows (kind, texts, numbers, ids, font);
its SVG is cached by a hash of that and of this module's code, so a build
that changes no chart neither draws nor imports matplotlib (0.4 s of import).

Drawing costs, measured with bench/charts_alone.py (CPU per chart, 2 cores
shared): the nine-panel bar chart 0.19–0.20 s, a pie 0.02 s, a progress chart
0.014 s; 0.077 s on average over the project's charts, against 0.13 s when
each chart was laid out by matplotlib's constrained layout and saved with
bbox_inches="tight" (which draws it twice). The output is byte for byte what
that gave: the layout engine's arithmetic, done once with one renderer's
measures, and the tight crop measured without a drawing.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import io
import json
import os
import re
from pathlib import Path
from types import SimpleNamespace

from markupsafe import escape

from . import fontconfig, fonts
from .indicators import PLACEHOLDER, Dataset, Formatter, Group, achieved_ratio

FONT_FAMILY = "Almanac Sans"
# What matplotlib measures with: PT Sans under a name no installed font has (see fonts.ttf_copy).
CHART_FAMILY = "Almanac Chart Sans"
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
TRACK = "#e6ebf1"
LAYOUTS = ("wide", "narrow")
# Inches. The narrow width is what a 360-pixel phone shows at a scale that keeps 10 pt text above 12 px.
WIDTH = {"wide": 6.4, "narrow": 3.6}
WRAP = 34   # characters per label line in the narrow layout
_CODE = Path(__file__).read_bytes()  # how charts are drawn: part of every cached chart's key


class Painter:
    """How one build draws charts: the site's own font, which matplotlib measures text with, and the folder
    drawn charts are kept in by what they show. A build makes one (hooks/indicators.py keeps it in the
    build's state) and hands it to whatever draws; `family` is the font family charts name."""

    def __init__(self, fonts_dir: Path, font_cache: Path, cache_dir: Path | None):
        self.font_files = tuple(fonts.ttf_copy(fonts_dir / f"{name}.woff2", font_cache, family=CHART_FAMILY)
                                for name in ("pt-sans-regular", "pt-sans-bold"))
        self.cache_dir = cache_dir
        self.family = CHART_FAMILY

    def matplotlib(self):
        return _matplotlib(self.font_files)

    def cached(self, spec: dict, draw) -> str:
        """The SVG for `spec`, from the cache or drawn by `draw(spec, matplotlib)`."""
        if self.cache_dir is None:
            return draw(spec, self.matplotlib())
        digest = hashlib.sha256(_CODE)
        digest.update(importlib.metadata.version("matplotlib").encode())
        digest.update(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode())
        for path in self.font_files:
            digest.update(path.name.encode())  # named by content hash
        target = self.cache_dir / f"{digest.hexdigest()[:24]}.svg"
        if target.exists():
            return target.read_text(encoding="utf-8")
        svg = draw(spec, self.matplotlib())
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        # Per process: the languages build at once and draw the same chart for a page that falls back to ru.
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(svg, encoding="utf-8")
        tmp.replace(target)
        return svg


@functools.lru_cache(maxsize=None)
def _matplotlib(font_files: tuple[Path, ...]):
    """matplotlib with the site's fonts added, imported on the first chart that must really be drawn.
    A process-wide cache keyed by the font files (named by their content): importing and registering once.
    Charts are drawn on `matplotlib.figure.Figure`s of their own: pyplot's figure managers and state are
    not needed for SVG, and are not imported."""
    # Before matplotlib first asks fontconfig (fc-list) what is installed: only the pinned stack's fonts.
    if font_files:
        fontconfig.configure(font_files[0].parent.parent / "fontconfig")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    import matplotlib.figure  # noqa: F401

    for path in font_files:
        font_manager.fontManager.addfont(str(path))
    # A renderer class per font set: the measures it remembers hold for these fonts only.
    return SimpleNamespace(rc_context=matplotlib.rc_context, Figure=matplotlib.figure.Figure,
                           Renderer=_renderer_class())


def _renderer_class():
    """matplotlib's SVG renderer, remembering text measures for the process (a few thousand lines for a
    large library). matplotlib keeps them per renderer, and each chart has two (one to lay out, one to
    draw), so the same tick numbers and unit names were laid out by FreeType again and again, about half
    a millisecond a line. The measures are the renderer's own, so the drawing is the same.
    `_get_font_height_metrics`, `_find_fonts_by_props` and `_tight_bbox` (in _svg) are matplotlib's
    private names: the cache key holds matplotlib's version, and bench/charts_alone.py --out gives the
    SVGs to compare when it changes."""
    from matplotlib.backends.backend_svg import RendererSVG

    class Renderer(RendererSVG):
        measured: dict = {}
        heights: dict = {}

        def get_text_width_height_descent(self, s, prop, ismath):
            key = (s, ismath, prop)
            if key not in self.measured:
                self.measured[(s, ismath, prop.copy())] = super().get_text_width_height_descent(
                    s, prop, ismath)
            return self.measured[key]

        def _get_font_height_metrics(self, prop):
            # matplotlib asks its renderer for a font's ascent, descent and line gap before it looks them up in
            # the font's tables for every text it measures; these are the same tables, read once per font size.
            key = prop.copy()
            if key not in self.heights:
                self.heights[key] = _font_heights(prop)
            return self.heights[key]

    return Renderer


def _font_heights(prop) -> tuple:
    """(ascent, descent, line gap) in points, as matplotlib's Text reads them from a font at 72 dpi."""
    from matplotlib.font_manager import fontManager, get_font

    font = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, gap, ascent, descent in (("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                                             ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is not None:
            scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points()
            return table[ascent] * scale, -table[descent] * scale, table[gap] * scale
    return None, None, None


def _style(family: str) -> dict:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": "almanac",
        "font.family": family,
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _figure(mpl, width: float, height: float):
    """A figure in points (72 per inch, as SVG measures) and an SVG renderer that measures its text (and
    draws nothing)."""
    return mpl.Figure(figsize=(width, height), dpi=72), mpl.Renderer(width * 72, height * 72, io.StringIO())


def _svg(fig, renderer, title: str, description: str, ident: str, family: str, layout: str = "wide") -> str:
    import matplotlib
    from matplotlib import _tight_bbox

    # What savefig(bbox_inches="tight") writes, without its first pass, which draws the whole figure only to
    # measure it: the crop is measured by the renderer that laid the figure out, and the SVG is drawn once.
    bbox = fig.get_tightbbox(renderer).padded(matplotlib.rcParams["savefig.pad_inches"])
    _tight_bbox.adjust_bbox(fig, bbox, renderer, fixed_dpi=72)
    buffer = io.StringIO()
    drawing = renderer.__class__(bbox.width * 72, bbox.height * 72, buffer, metadata={"Date": None, "Creator": None})
    fig.draw(drawing)
    drawing.finalize()
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = svg.replace(f"'{family}'", f"'{FONT_FAMILY}'").replace(f'"{family}"', f'"{FONT_FAMILY}"')
    svg = re.sub(r'\s(width|height)="[\d.]+pt"', "", svg, count=2)
    svg = _flatten(svg)
    svg = _number_hashed_ids(svg)
    if layout != "wide":
        ident = f"{ident}-{layout}"
    # matplotlib names its groups figure_1, axes_1 …: unique per page only once prefixed with the chart's id.
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{ident}-{m[1]}"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', lambda m: f"url(#{ident}-{m[1]})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{ident}-{m[1]}"', svg)
    head = (
        f'<svg role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'class="almanac-chart__svg almanac-chart__svg--{layout}" preserveAspectRatio="xMidYMid meet"'
    )
    svg = svg.replace("<svg", head, 1)
    svg = svg.replace(
        ">",
        f'><title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>',
        1,
    )
    return svg


# matplotlib names clip paths and glyphs by a hash of their floats before rounding ("p" + 10 hex digits): the
# last bits of a text's measured extent may vary with what the process drew before (fonts are cached per
# process), and the name with them, although the SVG draws the same. Named by order of appearance instead.
_HASHED_ID = re.compile(r"\b(p[0-9a-f]{10})\b")


def _number_hashed_ids(svg: str) -> str:
    names: dict[str, str] = {}
    for match in re.finditer(r'\bid="(p[0-9a-f]{10})"', svg):
        names.setdefault(match[1], f"clip{len(names) + 1}")
    return _HASHED_ID.sub(lambda m: names.get(m[1], m[1]), svg) if names else svg


# A group with no attribute but its id around one leaf element: matplotlib wraps every tick, label and bar in
# one or two. They change nothing drawn, but were a third of a chart page's elements, and style and layout
# time grows with the count (Lighthouse, a phone).
_WRAPPER = re.compile(r'<g(?: id="[^"]*")?>\s*(<(text|use|path)\b[^>]*?(?:/>|>[^<]*</\2>))\s*</g>')


def _flatten(svg: str) -> str:
    while True:
        flatter = _WRAPPER.sub(r"\1", svg)
        if flatter == svg:
            return svg
        svg = flatter


def chart_svg(dataset: Dataset, chart_id: str, fmt: Formatter, painter: Painter,
              layout: str = "wide") -> tuple[str, str, str]:
    """(svg, title, description) for the chart `chart_id` of `dataset` in `fmt`'s language."""
    chart = dataset.charts[chart_id]
    where = f"{dataset.path}, chart '{chart_id}'"
    items = [dataset.indicators[i] for i in chart["indicators"]]
    spec = {
        "kind": chart["type"], "family": painter.family, "ident": f"chart-{dataset.publication}-{chart_id}",
        "layout": layout,
        "title": fmt.text(chart["title"], where), "description": fmt.text(chart["description"], where),
        "labels": [_name(dataset, i, fmt) for i in items],
        "bounds": [list(i.bounds) for i in items], "quantities": [_quantity(chart, i, fmt) for i in items],
        "panels": panels(items, fmt),
    }
    return painter.cached(spec, _draw_chart), spec["title"], spec["description"]


def panels(items: list, fmt: Formatter) -> list[dict]:
    """The chart's items grouped by unit, in order of first appearance: {"axis": its axis title, "rows": [index]}."""
    grouped: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        grouped.setdefault(item.unit, []).append(index)
    return [{"axis": axis_title(items[rows[0]], fmt), "rows": rows} for rows in grouped.values()]


def axis_title(indicator, fmt: Formatter) -> str:
    """What a panel's axis counts, in the reader's language: «Количество вебинаров», "Number of webinars", «%»."""
    if indicator.unit == "percent":
        return fmt.locales.get(fmt.lang, "units.percent")
    if indicator.unit in (None, "none"):
        return fmt.locales.get(fmt.lang, "charts.axis_number")
    # The form a count of five takes is the one a heading "number of …" takes: ru «вебинаров», en "webinars".
    unit = fmt.unit_form(indicator, 5, exact=False).replace("{n}", "").strip()
    return fmt.locales.get(fmt.lang, "charts.axis", unit=unit)


def table_rows(dataset: Dataset, chart_id: str, fmt: Formatter) -> list[tuple[str, str]]:
    """(label, quantity) per bar or slice: the chart's "show as table" alternative, the same numbers."""
    chart = dataset.charts[chart_id]
    items = [dataset.indicators[i] for i in chart["indicators"]]
    return [(_name(dataset, i, fmt), _quantity(chart, i, fmt)) for i in items]


def _quantity(chart, indicator, fmt: Formatter) -> str:
    """What a bar or slice says of its amount. A pie's slices are shares of the whole its title names, so they
    carry no base («30 %», not «30 % ресурсов»), which would also shrink a pie's text on a phone."""
    return fmt.quantity(indicator, standalone=True) if chart["type"] == "pie" else fmt.figure(indicator)


def _name(dataset: Dataset, indicator, fmt: Formatter) -> str:
    """An indicator's name beside its bar: the short label, else the label without its placeholders (the
    number is printed beside the bar)."""
    where = f"{dataset.path}, line {indicator.line}, indicator '{indicator.id}'"
    return PLACEHOLDER.sub("", fmt.text(indicator.short or indicator.label, where))


def progress_items(group: Group) -> list:
    """The indicators of a group's progress chart: those with actuals and a target to measure them against."""
    return [i for i in group.indicators if achieved_ratio(i) is not None]


def _wrap(label: str, layout: str) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(label, WRAP)) if layout == "narrow" else label


def _draw_chart(spec: dict, mpl) -> str:
    layout = spec["layout"]
    labels, bounds, quantities = spec["labels"], spec["bounds"], spec["quantities"]
    with mpl.rc_context(_style(spec["family"])):
        if spec["kind"] == "pie":
            narrow = layout == "narrow"
            fig, renderer = _figure(mpl, WIDTH[layout], 3.2 if narrow else 3.6)
            ax = fig.subplots()
            # Each slice is labelled with its number, so the legend is read by number, not by colour alone.
            wedges, _ = ax.pie([high for _, high in bounds], colors=PALETTE[: len(bounds)], startangle=90,
                               counterclock=False, labels=quantities, labeldistance=1.15,
                               wedgeprops={"linewidth": 1.5, "edgecolor": "white"})
            legend = [f"{quantity} — {_wrap(label, layout)}" for quantity, label in zip(quantities, labels)]
            if narrow:
                ax.legend(wedges, legend, loc="upper center", bbox_to_anchor=(0.5, -0.05), frameon=False)
            else:
                ax.legend(wedges, legend, loc="center left", bbox_to_anchor=(1.1, 0.5), frameon=False)
            ax.set_aspect("equal")
        else:
            fig, renderer = _draw_panels(mpl, spec)
        # Saved inside the style context: svg.fonttype "none" is what keeps text as text.
        return _svg(fig, renderer, spec["title"], spec["description"], spec["ident"], spec["family"], layout)


def _draw_panels(mpl, spec: dict):
    """Small multiples: one panel of horizontal bars per unit, each on its own axis with ticks and a title."""
    from matplotlib.ticker import MaxNLocator

    layout, labels, bounds, quantities = spec["layout"], spec["labels"], spec["bounds"], spec["quantities"]
    narrow = layout == "narrow"
    sizes = [_panel_height([labels[i] for i in panel["rows"]], layout) for panel in spec["panels"]]
    # On a phone, a little narrower than the other charts: the axes' tick labels and padding add to the width,
    # and the whole drawing must stay narrow enough to be shown at no less than 12 px.
    width = WIDTH[layout] - (0.35 if narrow else 0)
    fig, renderer = _figure(mpl, width, sum(sizes))
    axes = fig.subplots(len(sizes), 1, squeeze=False, gridspec_kw={"height_ratios": sizes})
    for ax, panel in zip(axes[:, 0], spec["panels"]):
        # A spine and its tick marks lie inside what the tick labels reach: measuring them (three times, their
        # ticks included) moved nothing.
        for spine in ax.spines.values():
            spine.set_in_layout(False)
        names = [labels[i] for i in panel["rows"]]
        rows = _rows(names, layout)
        height = 0.8 if narrow else 0.6
        for index, (label_y, bar_y) in zip(panel["rows"], rows):
            low, high = bounds[index]
            ax.barh(bar_y, low, color=PALETTE[0], height=height)
            if high > low:
                # The span of a range («1–3») is hatched: it is a target band, not an amount reached.
                ax.barh(bar_y, high - low, left=low, color="white", edgecolor=PALETTE[0], hatch="////", height=height)
            ax.text(high, bar_y, " " + quantities[index], va="center")
        top = max(bounds[i][1] for i in panel["rows"])
        # Room after the longest bar for its number and unit; on a phone the bar takes under half the width, so
        # that «8 международных мероприятий» fits and the drawing is never scaled below 12 px.
        right = top * (2.3 if narrow else 1.3)
        ax.set_xlim(0, right)
        # Ticks up to the longest bar only: a tick label at the right edge would widen the drawing.
        ticks = MaxNLocator(nbins=3 if narrow else 4, integer=True, steps=[1, 2, 5, 10]).tick_values(0, top)
        ax.set_xticks([t for t in ticks if 0 <= t <= top * 1.25])
        ax.set_xlabel(panel["axis"], loc="left")
        if narrow:
            total = rows[-1][1] + 0.6
            ax.set_ylim(total, -0.2)
            for (label_y, _), name in zip(rows, names):
                ax.text(0, label_y, _wrap(name, layout), va="top", ha="left", linespacing=1.15)
            ax.set_yticks([])
            ax.spines["left"].set_visible(False)
        else:
            ax.set_yticks([y for y, _ in rows], names)
            ax.set_ylim(-0.5, len(rows) - 0.5)
    _place_panels(fig, list(axes[:, 0]), sizes, renderer)
    return fig, renderer


def _place_panels(fig, axes: list, ratios: list[float], renderer) -> None:
    """Stack the panels as matplotlib's constrained layout would: each panel's ticks and axis title clear of
    the next panel's, the plotting areas aligned on the widest labels and as tall as `ratios` share out what
    the decorations leave. The same arithmetic, and so the same positions, as the layout engine, without
    its solver, and run once: savefig's "tight" crop drew the figure twice, and the engine ran in a draw."""
    import matplotlib

    width, height = fig.get_size_inches()
    # In inches, as the layout engine's defaults; between panels, hspace is a share of the height.
    w_pad = matplotlib.rcParams["figure.constrained_layout.w_pad"]
    h_pad = matplotlib.rcParams["figure.constrained_layout.h_pad"]
    between = max(h_pad, matplotlib.rcParams["figure.constrained_layout.hspace"] / 2 / len(axes) * height)
    pads = [(h_pad if i == 0 else between, h_pad if i == len(axes) - 1 else between) for i in range(len(axes))]
    # Twice, as the layout engine does: a number after a bar sticks out by more when its panel is narrowed.
    for _ in range(2):
        margins = []   # (left, right, top, bottom) per panel: what its decorations need beyond its plotting area
        for ax in axes:
            pos = ax.get_position().transformed(fig.transFigure)
            tight = ax.get_tightbbox(renderer, for_layout_only=True)
            margins.append(((pos.x0 - tight.x0) / 72, (tight.x1 - pos.x1) / 72,
                            (tight.y1 - pos.y1) / 72, (pos.y0 - tight.y0) / 72))
        left = max(m[0] for m in margins) + w_pad
        right = max(m[1] for m in margins) + w_pad
        inner = height - sum(m[2] + m[3] for m in margins) - sum(top + bottom for top, bottom in pads)
        y = height
        for ax, ratio, margin, (top, bottom) in zip(axes, ratios, margins, pads):
            tall = inner * ratio / sum(ratios)
            y -= top + margin[2] + tall
            ax.set_position([left / width, y / height, (width - left - right) / width, tall / height])
            y -= margin[3] + bottom


def _panel_height(labels: list[str], layout: str) -> float:
    """Inches for one panel: its bars (and, on phones, the lines of their labels) plus its axis."""
    if layout == "narrow":
        return 0.19 * (_rows(labels, layout)[-1][1] + 0.8) + 0.6
    return 0.32 * len(labels) + 0.58


def _rows(labels: list[str], layout: str) -> list[tuple[float, float]]:
    """(label_y, bar_y) per row. Wide: labels are y-ticks beside the bars. Narrow: each label sits
    above its bar in full width, in as many lines as it needs (one unit a line)."""
    if layout != "narrow":
        return [(pos, pos) for pos in range(len(labels))[::-1]]
    rows, y = [], 0.0
    for label in labels:
        lines = _wrap(label, layout).count("\n") + 1
        rows.append((y, y + lines + 0.55))
        y += lines + 1.6
    return rows


def _bar_axes(mpl, labels: list[str], layout: str):
    rows = _rows(labels, layout)
    if layout == "narrow":
        total = rows[-1][1] + 0.6
        fig, renderer = _figure(mpl, WIDTH[layout], 0.19 * total + 0.2)
        ax = fig.subplots()
        ax.set_ylim(total, -0.2)
        for (label_y, _), label in zip(rows, labels):
            ax.text(0, label_y, _wrap(label, layout), va="top", ha="left", linespacing=1.15)
        ax.axis("off")
    else:
        fig, renderer = _figure(mpl, WIDTH[layout], 0.45 * len(labels) + 0.8)
        ax = fig.subplots()
        ax.set_yticks([y for y, _ in rows], labels)
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
    return fig, ax, renderer


def progress_svg(dataset: Dataset, group: Group, fmt: Formatter, painter: Painter, title: str, description: str,
                 layout: str = "wide") -> str:
    """Horizontal bars of the share of each target reached, for groups with yearly actuals."""
    items = progress_items(group)
    spec = {
        "kind": "progress", "family": painter.family, "ident": f"progress-{dataset.publication}-{group.id}",
        "layout": layout, "title": title, "description": description,
        "labels": [_name(dataset, i, fmt) for i in items],
        "ratios": [achieved_ratio(i) * 100 for i in items], "achieved": [fmt.achieved(i) for i in items],
    }
    return painter.cached(spec, _draw_progress)


def progress_rows(group: Group, fmt: Formatter) -> list[tuple[str, str]]:
    """(label, share reached) per bar of the progress chart: its table alternative."""
    return [(PLACEHOLDER.sub("", fmt.text(i.short or i.label, f"indicator '{i.id}'")), fmt.achieved(i))
            for i in progress_items(group)]


def _draw_progress(spec: dict, mpl) -> str:
    ratios, layout = spec["ratios"], spec["layout"]
    with mpl.rc_context(_style(spec["family"])):
        fig, ax, renderer = _bar_axes(mpl, spec["labels"], layout)
        rows = _rows(spec["labels"], layout)
        height = 0.8 if layout == "narrow" else 0.6
        for (_, bar_y), ratio, achieved in zip(rows, ratios, spec["achieved"]):
            ax.barh(bar_y, 100, color=TRACK, height=height)
            ax.barh(bar_y, min(ratio, 100), color=PALETTE[2], height=height)
            ax.text(102, bar_y, achieved, va="center")
        ax.set_xlim(0, 125 if layout == "wide" else 135)
        return _svg(fig, renderer, spec["title"], spec["description"], spec["ident"], spec["family"], layout)
