"""Charts alone: every chart of the project drawn in this one process, with no chart cache.

Usage (from the project root, with the project's package on the path):

    PYTHONPATH=src .venv/bin/python bench/charts_alone.py [--langs ru,en,kk] [--runs 1] [--with-fixture] [--profile] [--out DIR]

Reads: the project's indicator data (data/indicators/*.yml), publications,
locales and the site's WOFF2 fonts, through the `almanac` package, so each
chart is specified exactly as a build's pages specify it (markers.Renderer).
Writes: the fonts' TrueType copies into .cache/almanac/fonts/ if they are
missing; with --out, every drawn SVG as DIR/<ident>.<lang>.<layout>.svg (to
compare two versions of the drawing). Prints the chart count, the seconds
(wall clock and CPU) spent drawing and the seconds per chart, and the CPU seconds per chart of each chart (all its
languages and layouts); with --profile, cProfile's top 20 by
cumulative time.

Every chart (`chart_svg`) and every progress chart (`progress_svg`) the pages
can show is drawn in every language and both layouts (with --with-fixture, also
the test fixture's annual report, which has the only progress charts), by a Painter with no
cache folder, so each call really draws. matplotlib's import and the first
draw (font loading) are done before the clock starts.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def jobs(project, painter, langs):
    """(name, draw) per chart and layout: what a build's pages would draw."""
    from almanac import charts, limits
    from almanac.indicators import Formatter

    found = []
    for lang in langs:
        t = lambda key, **kw: project.locales.get(lang, f"indicators.{key}", **kw)  # noqa: E731
        for dataset in project.datasets.values():
            fmt = Formatter(dataset, lang, project.locales, lambda *a, **k: None)
            for chart_id in dataset.charts:
                for layout in charts.LAYOUTS:
                    found.append((f"chart-{dataset.publication}-{chart_id}.{lang}.{layout}",
                                  lambda d=dataset, c=chart_id, f=fmt, l=layout: charts.chart_svg(d, c, f, painter, l)[0]))
            for group in dataset.groups.values():
                if not group.has_actuals or len(charts.progress_items(group)) > limits.MAX_CHART_ITEMS:
                    continue
                title = t("progress_title", caption=fmt.text(group.caption, "bench"))
                for layout in charts.LAYOUTS:
                    found.append((f"progress-{dataset.publication}-{group.id}.{lang}.{layout}",
                                  lambda d=dataset, g=group, f=fmt, ti=title, l=layout:
                                  charts.progress_svg(d, g, f, painter, ti, t("progress_description"), l)))
    return found


def fixture():
    """The mini project's dataset, loaded from a copy named as its publication (as tests/conftest.py does)."""
    import shutil
    import tempfile

    from almanac import indicators

    root = Path(tempfile.mkdtemp())
    path = root / "data" / "indicators" / "demo-report-2023.yml"
    path.parent.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "mini-report.yml", path)
    try:
        return indicators.load_dataset(path, root)
    finally:
        shutil.rmtree(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--langs", default="ru,en,kk")
    parser.add_argument("--runs", type=int, default=1, help="draw everything this many times")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top 20 (cumulative)")
    parser.add_argument("--out", type=Path, help="write each SVG into this folder")
    parser.add_argument("--with-fixture", action="store_true",
                        help="also draw the test fixture's annual report (tests/fixtures/mini-report.yml): the "
                             "project's own data has no yearly actuals, so no progress chart")
    args = parser.parse_args()

    from almanac import charts, context
    from almanac.project import Project

    langs = args.langs.split(",")
    project = Project.load(ROOT, ROOT / "content", langs, {"translations": {"en": "*"}})
    if args.with_fixture:
        project.datasets["demo-report-2023"] = fixture()
    painter = charts.Painter(context.fonts_dir(ROOT), context.cache_dir(ROOT, "fonts"), None)
    todo = jobs(project, painter, langs)
    todo[0][1]()  # import matplotlib, load the fonts

    profiler = cProfile.Profile() if args.profile else None
    svgs = {}
    start, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    by_chart = {}
    for _ in range(args.runs):
        for name, draw in todo:
            began = time.process_time()
            svgs[name] = draw()
            chart = name.split(".")[0]
            by_chart[chart] = by_chart.get(chart, 0) + time.process_time() - began
    if profiler:
        profiler.disable()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    count = len(todo) * args.runs
    # CPU time too: on a shared machine the wall clock also counts other processes' turns.
    print(f"charts {count}  seconds {seconds:.2f}  s/chart {seconds / count:.4f}  "
          f"cpu seconds {cpu:.2f}  cpu s/chart {cpu / count:.4f}")
    per_chart = count / len(by_chart)
    for chart, spent in by_chart.items():
        print(f"  {chart}: cpu s/chart {spent / per_chart:.4f}")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, svg in svgs.items():
            (args.out / f"{name}.svg").write_text(svg, encoding="utf-8")
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(20)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(20)
        print(out.getvalue())


if __name__ == "__main__":
    sys.exit(main())
