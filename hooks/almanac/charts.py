"""Charts from indicator data, drawn by matplotlib as SVG with text kept as text.

Reads: a `Dataset`, the site's WOFF2 fonts in `overrides/assets/fonts/`.
Writes: nothing itself (the TTF copies matplotlib needs come from `fonts`).
Returns SVG markup.

The same SVG is inlined in the web page and in the PDF, so its text is
searchable, read by screen readers and set in the site's font.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from markupsafe import escape  # noqa: E402

from . import fonts  # noqa: E402
from .indicators import Dataset, Formatter, Group, achieved_ratio  # noqa: E402

FONT_FAMILY = "Almanac Sans"
PALETTE = ["#1f4e79", "#c0504d", "#4f8a3c", "#d39b2a", "#6b5b95", "#2a9d8f", "#8c564b", "#7f7f7f"]
_registered: set[str] = set()


def register_fonts(fonts_dir: Path, cache_dir: Path) -> str:
    """Make matplotlib measure with the site's own font; return its internal family name."""
    for name in ("pt-sans-regular", "pt-sans-bold"):
        target = fonts.ttf_copy(fonts_dir / f"{name}.woff2", cache_dir)
        if str(target) not in _registered:
            font_manager.fontManager.addfont(str(target))
            _registered.add(str(target))
    return "PT Sans"


def _style(family: str) -> dict:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": "almanac",
        "font.family": family,
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def _svg(fig, title: str, description: str, ident: str, family: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = svg.replace(f"'{family}'", f"'{FONT_FAMILY}'").replace(f'"{family}"', f'"{FONT_FAMILY}"')
    svg = re.sub(r'\s(width|height)="[\d.]+pt"', "", svg, count=2)
    head = (
        f'<svg role="img" aria-labelledby="{ident}-title {ident}-desc" class="almanac-chart__svg" '
        f'preserveAspectRatio="xMidYMid meet"'
    )
    svg = svg.replace("<svg", head, 1)
    svg = svg.replace(
        ">",
        f'><title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>',
        1,
    )
    return svg


def chart_svg(dataset: Dataset, chart_id: str, fmt: Formatter, family: str) -> tuple[str, str, str]:
    """(svg, title, description) for the chart `chart_id` of `dataset` in `fmt`'s language."""
    chart = dataset.charts[chart_id]
    where = f"{dataset.path}, chart '{chart_id}'"
    title = fmt.text(chart["title"], where)
    description = fmt.text(chart["description"], where)
    items = [dataset.indicators[i] for i in chart["indicators"]]
    labels = [fmt.text(i.short or i.label, f"{dataset.path}, line {i.line}, indicator '{i.id}'") for i in items]
    values = [i.value for i in items]
    with plt.rc_context(_style(family)):
        if chart["type"] == "pie":
            fig, ax = plt.subplots(figsize=(6.4, 3.6))
            wedges, _ = ax.pie(values, colors=PALETTE[: len(values)], startangle=90, counterclock=False,
                               wedgeprops={"linewidth": 1.5, "edgecolor": "white"})
            legend = [f"{fmt.quantity(i)} — {label}" for i, label in zip(items, labels)]
            ax.legend(wedges, legend, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
            ax.set_aspect("equal")
        else:
            fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(items) + 0.8))
            positions = list(range(len(items)))[::-1]
            ax.barh(positions, values, color=PALETTE[0], height=0.6)
            ax.set_yticks(positions, labels)
            ax.xaxis.set_visible(False)
            ax.spines["bottom"].set_visible(False)
            for pos, ind in zip(positions, items):
                ax.text(ind.value, pos, " " + fmt.quantity(ind), va="center")
            ax.set_xlim(0, max(values) * 1.25)
        # Saved inside the style context: svg.fonttype "none" is what keeps text as text.
        svg = _svg(fig, title, description, f"chart-{dataset.publication}-{chart_id}", family)
    return svg, title, description


def progress_svg(dataset: Dataset, group: Group, fmt: Formatter, family: str, title: str, description: str) -> str:
    """Horizontal bars of the share of each target reached, for groups with yearly actuals."""
    items = [i for i in group.indicators if achieved_ratio(i) is not None]
    labels = [fmt.text(i.short or i.label, f"{dataset.path}, line {i.line}, indicator '{i.id}'") for i in items]
    ratios = [achieved_ratio(i) * 100 for i in items]
    with plt.rc_context(_style(family)):
        fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(items) + 0.8))
        positions = list(range(len(items)))[::-1]
        ax.barh(positions, [100] * len(items), color="#e6ebf1", height=0.6)
        ax.barh(positions, [min(r, 100) for r in ratios], color=PALETTE[2], height=0.6)
        ax.set_yticks(positions, [re.sub(r"\{(value|number)\}", "", label) for label in labels])
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        for pos, ind in zip(positions, items):
            ax.text(102, pos, fmt.achieved(ind), va="center")
        ax.set_xlim(0, 125)
        return _svg(fig, title, description, f"progress-{dataset.publication}-{group.id}", family)
