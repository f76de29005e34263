"""What `almanac build` (`make site`) says while it builds: languages and PDFs done of their totals, the time
left, and at the end what was built, rendered and reused. Out of a terminal these are plain lines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from almanac import progress
from tests.conftest import mkdocs_env, set_almanac


def almanac_build(project: Path) -> subprocess.CompletedProcess:
    # Output to a pipe, as in CI: plain lines.
    return subprocess.run([sys.executable, "-m", "almanac.cli", "build"], cwd=project, env=mkdocs_env(),
                          capture_output=True, text=True, timeout=600)


def test_a_build_out_of_a_terminal_says_each_unit_built_and_what_it_built_and_reused(mini_project):
    result = almanac_build(mini_project)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    done = [line for line in lines if line.startswith("[")]
    # The mini project's units: its one publication and the library (almanac.units).
    assert [line[:5] for line in done] == ["[1/2]", "[2/2]"], lines
    assert all(re.fullmatch(r"\[\d/2\] ('demo-report-2023'|the library) built in \d+ s(; about (\d+ min )?\d+ s left)?",
                            line) for line in done), done
    assert re.fullmatch(r"Built site/: 2 units \(2 built, 0 reused\), 3 languages in \d+ s\. Open site/index\.html, "
                        r"or run 'make serve'\.", lines[-1]), lines[-1]
    assert "\x1b[" not in result.stderr, "terminal codes in plain output"
    # Nothing changed: every unit is taken from the cache, and the site is written again all the same.
    (mini_project / "site" / "index.html").unlink()
    again = almanac_build(mini_project)
    assert again.returncode == 0, again.stderr[-2000:]
    assert re.fullmatch(r"Built site/: 2 units \(0 built, 2 reused\), 3 languages in \d+ s\. .*",
                        again.stderr.splitlines()[-1]), again.stderr[-2000:]
    assert not [line for line in again.stderr.splitlines() if line.startswith("[")]
    assert (mini_project / "site" / "index.html").is_file()


@pytest.mark.slow
def test_the_summary_counts_the_pdfs_rendered_and_then_reused(mini_project):
    """One tiny PDF (one language built): rendered by the first build, reused by the second."""
    config = mini_project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for name in ("English", "Қазақша"):
        text, count = re.subn(rf"(name: {name}\n\s+build:) true", r"\1 false", text)
        assert count == 1, name
    config.write_text(text, encoding="utf-8")
    set_almanac(mini_project, pdf="true", print_downloads="false")

    first = almanac_build(mini_project)
    assert first.returncode == 0, first.stderr[-2000:]
    assert re.search(r"^Built site/: 2 units \(2 built, 0 reused\), 1 language, 1 PDF \(1 rendered, 0 reused\) in \d+ s\.", first.stderr, re.M), \
        first.stderr[-2000:]
    second = almanac_build(mini_project)
    assert second.returncode == 0, second.stderr[-2000:]
    assert re.search(r"^Built site/: 2 units \(0 built, 2 reused\), 1 language, 1 PDF \(0 rendered, 1 reused\) in \d+ s\.", second.stderr, re.M), \
        second.stderr[-2000:]


def test_plain_progress_counts_pdfs_and_estimates_the_time_left(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr(progress.time, "perf_counter", lambda: clock[0])
    lines: list[str] = []
    shown = progress.Progress(["'ru'", "'en'", "'kk'"], lines.append)
    # What the language builds print (hooks/pdf.py), MkDocs' INFO prefix included.
    shown.feed(f"INFO    -  {progress.planned_line('ru', 4, 2)}\n")
    shown.feed(f"INFO    -  {progress.planned_line('en', 4, 0)}\n")
    clock[0] += 10
    shown.tick(["'ru'", "'en'"])
    assert lines == []   # said nothing yet, but not for long
    for name in ("x.ru", "y.ru"):
        shown.feed(f"INFO    -  Rendered pdf/{name}.pdf (12 pages) in 4.0 s\n")
    clock[0] += 20
    shown.tick(["'ru'", "'en'"])
    assert lines == ["... still building 'ru', 'en' (30 s, 0 of 3 done; PDFs: 2 of 8 rendered, 2 reused; "
                     "about 1 min 30 s left)"]
    for name in ("z.ru", "x.en"):
        shown.feed(f"INFO    -  Rendered pdf/{name}.pdf (12 pages) in 4.0 s\n")
    clock[0] += 10
    shown.language_built("'ru'")
    assert lines[-1] == "[1/3] 'ru' built in 40 s; PDFs: 4 of 8 rendered, 2 reused; about 40 s left"
    shown.show("WARNING -  content/x/01.en.md: stale translation")
    assert lines[-1] == "WARNING -  content/x/01.en.md: stale translation"
    clock[0] += 29
    shown.tick(["'en'"])
    assert lines[-1].startswith("WARNING"), "a line was said less than 30 s ago"
