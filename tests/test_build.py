"""`make site` as editors run it: a failed build says what is wrong and leaves the last site alone."""

from __future__ import annotations

import pytest

import gzip
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, mkdocs_env


def make_site(project: Path) -> subprocess.CompletedProcess:
    # The venv running the tests is the project's own; -o keeps make from reinstalling it for the copy.
    venv = Path(sys.prefix)
    return subprocess.run(["make", "--no-print-directory", "-o", str(venv / ".installed"), "site", f"VENV={venv}"],
                          cwd=project, env=mkdocs_env(), capture_output=True, text=True, timeout=900)


def snapshot(site: Path) -> dict[str, str]:
    return {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.mark.slow
def test_a_failed_build_leaves_the_previous_site_untouched(mini_project):
    shutil.copy(ROOT / "Makefile", mini_project / "Makefile")
    first = make_site(mini_project)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    site = mini_project / "site"
    before = snapshot(site)
    assert "demo-report-2023/index.html" in before

    metadata = mini_project / "content" / "demo-report-2023" / "publication.yml"
    metadata.write_text(metadata.read_text(encoding="utf-8").replace("organisation: inpud", "organisation: nobody"),
                        encoding="utf-8")
    second = make_site(mini_project)

    assert second.returncode != 0
    errors = [line for line in second.stderr.splitlines() if line.startswith("ERROR")]
    assert errors and errors[0].startswith(
        "ERROR   -  content/demo-report-2023/publication.yml, line 1, 'organisation': unknown organisation 'nobody'"
    ), second.stderr[-2000:]
    assert "Traceback" not in second.stderr
    assert snapshot(site) == before, "a failed build changed site/"
    assert not list(mini_project.glob(".site-tmp-*")), "a temporary folder was left behind"


@pytest.mark.slow
def test_a_pdf_that_fails_in_the_pool_stops_the_build_with_one_line_and_keeps_the_site(mini_project):
    """A unit's PDFs are rendered by whichever worker is idle (almanac.workers.Render), not in the build of its
    pages: a failure there still names the file in one line, and site/ stays as it was."""
    from almanac import translations
    from tests.conftest import set_almanac

    set_almanac(mini_project, pdf="true")
    shutil.copy(ROOT / "Makefile", mini_project / "Makefile")
    assert make_site(mini_project).returncode == 0
    site = mini_project / "site"
    before = snapshot(site)
    folder = mini_project / "content" / "demo-report-2023"
    # A PNG cut short: the site shows what the browser can of it, the printer's edition cannot convert it.
    (folder / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"cut short")
    for name, alt in (("index.md", "Рисунок"), ("index.en.md", "Figure")):
        page = folder / name
        page.write_text(page.read_text(encoding="utf-8") + f"\n![{alt}](figure.png)\n", encoding="utf-8")
    translations.stamp(folder / "index.en.md", mini_project / "content")

    failed = make_site(mini_project)
    assert failed.returncode != 0
    errors = [line for line in failed.stderr.splitlines() if line.startswith("ERROR")]
    # One line per PDF that failed (those rendering at the same moment may both tell theirs).
    assert errors and all(error.endswith(
        "content/demo-report-2023/figure.png: not an image the printer's edition can read (Truncated File Read)")
        for error in errors), failed.stderr[-2000:]
    assert "Traceback" not in failed.stderr and "The build failed; site/ was left as it was." in failed.stderr
    assert snapshot(site) == before, "a failed build changed site/"
    assert not list(mini_project.glob(".site-tmp-*")), "a temporary folder was left behind"


def _mounted_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir()
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                          capture_output=True).returncode == 0


@pytest.mark.slow
def test_a_full_disk_stops_the_build_with_one_line_and_keeps_the_site(tmp_path):
    """The disk fills up while the site is written: one line saying so, no traceback, site/ as it was."""
    import pytest

    from tests.conftest import make_mini_project

    disk = tmp_path / "disk"
    if not _mounted_tmpfs(disk, "24m"):
        pytest.skip("cannot mount a small tmpfs here (not root, or no mount namespace)")
    try:
        project = make_mini_project(disk)
        shutil.copy(ROOT / "Makefile", project / "Makefile")
        assert make_site(project).returncode == 0
        before = snapshot(project / "site")
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * max(0, free - 300_000))
        (project / "content" / "demo-report-2023" / "index.md").write_text(
            "# Годовой отчёт\n\nИзменённый текст.\n\n{{ indicators(\"demo-report-2023\", group=\"results\") }}\n",
            encoding="utf-8")
        result = make_site(project)
        output = result.stdout + result.stderr
        assert result.returncode != 0
        assert "Traceback" not in output, output[-3000:]
        assert "no space left on the disk; free some space and build again" in output, output[-3000:]
        assert snapshot(project / "site") == before
        assert not list(project.glob(".site-tmp-*"))
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


@pytest.mark.slow
def test_a_locked_site_folder_is_named_as_the_culprit(mini_project):
    """site/ cannot be replaced (immutable): the line names site, not mkdocs.yml."""
    import pytest

    shutil.copy(ROOT / "Makefile", mini_project / "Makefile")
    assert make_site(mini_project).returncode == 0
    site = mini_project / "site"
    if subprocess.run(["chattr", "+i", str(site)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        result = make_site(mini_project)
    finally:
        subprocess.run(["chattr", "-i", str(site)], capture_output=True)
    assert result.returncode != 0
    assert "Error: site: the operation is not permitted" in result.stderr, result.stderr[-2000:]
    assert "mkdocs.yml" not in result.stderr and "Traceback" not in result.stderr
    assert not list(mini_project.glob(".site-tmp-*"))


def test_a_traceback_from_a_build_is_told_as_one_line():
    from almanac.build import _Traceback

    lines = ["  File \"/x/src/almanac/charts.py\", line 96, in _cached\n", "    tmp.write_text(svg)\n",
             "ValueError: bad\n", "\n", "During handling of the above exception, another exception occurred:\n",
             "\n", "Traceback (most recent call last):\n", "  File \"/x/hooks/pdf.py\", line 3, in on_env\n",
             "KeyError: 'ru'\n"]
    reading = _Traceback(Path("/x"))
    assert not any(reading.feed(line) for line in lines)
    assert reading.feed("Aborted with a BuildError!\n")
    assert reading.summary() == ("ERROR   -  The build stopped on an unexpected error, a bug in Almanac rather than "
                                 "in your files: KeyError: 'ru' (at hooks/pdf.py:3); please report it with this line.")
    reading = _Traceback(Path("/x"))
    reading.feed("PermissionError: [Errno 13] Permission denied: '/x/site/index.html'\n")
    assert reading.summary() == "ERROR   -  site/index.html: permission denied; check who owns it and its permissions."


def test_a_publishing_build_shows_notes_warnings_and_errors_but_not_other_info_lines():
    from almanac.build import _worth_showing

    assert _worth_showing("INFO    -  Note: content/x/large.jpg: 5000×2500 px downsampled to 1984×992 px")
    assert _worth_showing("WARNING -  content/x/01-a.en.md: stale translation")
    assert not _worth_showing("INFO    -  Building documentation to directory: site")


def _folders(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_dir())


@pytest.mark.slow
def test_a_warm_build_reuses_the_kept_assembly_and_folders_and_gives_the_same_site(mini_project):
    """Nothing changed: the assembly's own files come from .cache/almanac/assembled/ and the site is assembled
    into the old site's folders; files and folders are those of the build before. An edit makes a new assembly."""
    from tests.conftest import set_almanac

    set_almanac(mini_project, pdf="true")   # the catalogue's PDF facts are written by the assembly
    shutil.copy(ROOT / "Makefile", mini_project / "Makefile")
    assert make_site(mini_project).returncode == 0
    site, cache = mini_project / "site", mini_project / ".cache" / "almanac"
    before, folders = snapshot(site), _folders(site)
    assert any(name.startswith("pdf/") for name in before)
    # The publications' PDFs were rendered by the pool's idle workers, which then filled their pages' PDF facts
    # (and compressed those pages again): only the library's catalogue is left for the assembly to fill.
    waiting = sorted(p.parent.parent.parent.name for p in (cache / "units").glob("*/out-*/.almanac-shard/facts.json"))
    assert waiting == ["_library"], waiting
    unfilled = [name for name in before if name.endswith(".html") and b"data-almanac-pdf" in (site / name).read_bytes()]
    assert unfilled == [], unfilled
    stale = [name for name in before
             if name.endswith(".gz") and gzip.decompress((site / name).read_bytes()) != (site / name[:-3]).read_bytes()]
    assert stale == [], stale
    assert (cache / "site-frame").is_dir() is False   # a first build has no old site

    # What a build killed outright left half-written in the caches goes; what a running build writes stays.
    dead, alive = 4194304 + 1, os.getpid()   # above any pid Linux gives
    leftovers = [cache / "assembled" / f"0123abcd.{dead}.tmp", cache / "pdf" / f"demo.{dead}.tmp"]
    running = cache / "pdf" / f"demo.{alive}.tmp"
    leftovers[0].mkdir()
    for path in (leftovers[1], running):
        path.write_bytes(b"half a PDF")

    warm = make_site(mini_project)
    assert warm.returncode == 0, warm.stderr[-2000:]
    assert [path for path in leftovers if path.exists()] == [] and running.is_file()
    running.unlink()
    assert snapshot(site) == before and _folders(site) == folders
    assert len(list((cache / "assembled").iterdir())) == 1
    assert (cache / "site-frame").is_dir() and not any(p.is_file() for p in (cache / "site-frame").rglob("*"))

    # A translation edited (its source would make it stale): the English page and search index change.
    page = mini_project / "content" / "demo-report-2023" / "index.en.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more paragraph.\n", encoding="utf-8")
    edited = make_site(mini_project)
    assert edited.returncode == 0, edited.stderr[-2000:]
    after = snapshot(site)
    assert after["en/demo-report-2023/index.html"] != before["en/demo-report-2023/index.html"]
    index = "en/demo-report-2023/search/search_index.json"
    assert after[index] != before[index] and "One more paragraph" in (site / index).read_text(encoding="utf-8")
    assert len(list((cache / "assembled").iterdir())) == 2
    assert not [p for p in site.rglob("*") if p.is_dir() and not any(p.iterdir())], "an empty folder in site/"
    assert not list(mini_project.glob(".site-tmp-*"))
