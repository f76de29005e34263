"""`make site` as editors run it: a failed build says what is wrong and leaves the last site alone."""

from __future__ import annotations

import hashlib
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
