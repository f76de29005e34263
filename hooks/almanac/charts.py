"""Charts from indicator data, drawn by matplotlib as SVG with text kept as text.

Reads: a `Dataset`, the site's WOFF2 fonts in `overrides/assets/fonts/`.
Writes: drawn charts to .cache/almanac/charts/<hash>.svg when a cache folder
is set (the TTF copies matplotlib needs come from `fonts`). Returns SVG markup.

The same SVG is inlined in the web page and in the PDF, so its text is
searchable, read by screen readers and set in the site's font.

A chart is first reduced to what it shows (kind, texts, numbers, ids, font);
its SVG is cached by a hash of that and of this module's code, so a build
that changes no chart neither draws nor imports matplotlib (about 0.1 s a
chart and 0.4 s of import).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import json
import re
from pathlib import Path

from markupsafe import escape

from . import fonts
from .indicators import Dataset, Formatter, Group, achieved_ratio

FONT_FAMILY = "Almanac Sans"
PALETTE = ["#1f4e79", "#c0504d", "#4f8a3c", "#d39b2a", "#6b5b95", "#2a9d8f", "#8c564b", "#7f7f7f"]
_font_files: list[Path] = []
_cache_dir: Path | None = None
_pyplot = None
_CODE = Path(__file__).read_bytes()  # how charts are drawn: part of every cached chart's key


def register_fonts(fonts_dir: Path, cache_dir: Path) -> str:
    """Make matplotlib measure with the site's own font (when it first draws); return its family name."""
    _font_files[:] = [fonts.ttf_copy(fonts_dir / f"{name}.woff2", cache_dir)
                      for name in ("pt-sans-regular", "pt-sans-bold")]
    return "PT Sans"


def use_cache(folder: Path | None) -> None:
    """Keep drawn charts in `folder` (None: draw every time)."""
    global _cache_dir
    _cache_dir = folder


def _plt():
    """matplotlib's pyplot, imported on the first chart that must really be drawn."""
    global _pyplot
    if _pyplot is None:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import font_manager
        from matplotlib import pyplot

        for path in _font_files:
            font_manager.fontManager.addfont(str(path))
        _pyplot = pyplot
    return _pyplot


def _cached(spec: dict, draw) -> str:
    """The SVG for `spec`, from the cache or drawn by `draw(spec)`."""
    if _cache_dir is None:
        return draw(spec)
    digest = hashlib.sha256(_CODE)
    digest.update(importlib.metadata.version("matplotlib").encode())
    digest.update(json.dumps(spec, sort_keys=True, ensure_ascii=False).encode())
    for path in _font_files:
        digest.update(path.name.encode())  # named by content hash
    target = _cache_dir / f"{digest.hexdigest()[:24]}.svg"
    if target.exists():
        return target.read_text(encoding="utf-8")
    svg = draw(spec)
    _cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(svg, encoding="utf-8")
    tmp.replace(target)
    return svg


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
    _plt().close(fig)
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
    items = [dataset.indicators[i] for i in chart["indicators"]]
    spec = {
        "kind": chart["type"], "family": family, "ident": f"chart-{dataset.publication}-{chart_id}",
        "title": fmt.text(chart["title"], where), "description": fmt.text(chart["description"], where),
        "labels": [fmt.text(i.short or i.label, f"{dataset.path}, line {i.line}, indicator '{i.id}'") for i in items],
        "values": [i.value for i in items], "quantities": [fmt.quantity(i) for i in items],
    }
    return _cached(spec, _draw_chart), spec["title"], spec["description"]


def _draw_chart(spec: dict) -> str:
    plt = _plt()
    labels, values, quantities = spec["labels"], spec["values"], spec["quantities"]
    with plt.rc_context(_style(spec["family"])):
        if spec["kind"] == "pie":
            fig, ax = plt.subplots(figsize=(6.4, 3.6))
            wedges, _ = ax.pie(values, colors=PALETTE[: len(values)], startangle=90, counterclock=False,
                               wedgeprops={"linewidth": 1.5, "edgecolor": "white"})
            legend = [f"{quantity} — {label}" for quantity, label in zip(quantities, labels)]
            ax.legend(wedges, legend, loc="center left", bbox_to_anchor=(1.0, 0.5), frameon=False)
            ax.set_aspect("equal")
        else:
            fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(values) + 0.8))
            positions = list(range(len(values)))[::-1]
            ax.barh(positions, values, color=PALETTE[0], height=0.6)
            ax.set_yticks(positions, labels)
            ax.xaxis.set_visible(False)
            ax.spines["bottom"].set_visible(False)
            for pos, value, quantity in zip(positions, values, quantities):
                ax.text(value, pos, " " + quantity, va="center")
            ax.set_xlim(0, max(values) * 1.25)
        # Saved inside the style context: svg.fonttype "none" is what keeps text as text.
        return _svg(fig, spec["title"], spec["description"], spec["ident"], spec["family"])


def progress_svg(dataset: Dataset, group: Group, fmt: Formatter, family: str, title: str, description: str) -> str:
    """Horizontal bars of the share of each target reached, for groups with yearly actuals."""
    items = [i for i in group.indicators if achieved_ratio(i) is not None]
    spec = {
        "kind": "progress", "family": family, "ident": f"progress-{dataset.publication}-{group.id}",
        "title": title, "description": description,
        "labels": [re.sub(r"\{(value|number)\}", "", fmt.text(i.short or i.label,
                   f"{dataset.path}, line {i.line}, indicator '{i.id}'")) for i in items],
        "ratios": [achieved_ratio(i) * 100 for i in items], "achieved": [fmt.achieved(i) for i in items],
    }
    return _cached(spec, _draw_progress)


def _draw_progress(spec: dict) -> str:
    plt = _plt()
    ratios = spec["ratios"]
    with plt.rc_context(_style(spec["family"])):
        fig, ax = plt.subplots(figsize=(6.4, 0.45 * len(ratios) + 0.8))
        positions = list(range(len(ratios)))[::-1]
        ax.barh(positions, [100] * len(ratios), color="#e6ebf1", height=0.6)
        ax.barh(positions, [min(r, 100) for r in ratios], color=PALETTE[2], height=0.6)
        ax.set_yticks(positions, spec["labels"])
        ax.xaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        for pos, achieved in zip(positions, spec["achieved"]):
            ax.text(102, pos, achieved, va="center")
        ax.set_xlim(0, 125)
        return _svg(fig, spec["title"], spec["description"], spec["ident"], spec["family"])
