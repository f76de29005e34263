"""Identical rebuilds: a second clone, built later with no cache at all, gives the same site byte for byte.

The session's site is built from this checkout; the second build is a fresh copy of the project's
files (what a clone holds: tracked and unignored files, so no `.cache/`) in another folder, built at
another time. Every file is compared: PDFs, CSV files, pages with their inline chart SVGs, search
indexes, the sitemap.
"""

from __future__ import annotations

import shutil
import subprocess

from tests.conftest import ROOT, run_mkdocs
from tests.test_build import snapshot


def clone_files(target):
    """The project as a fresh clone has it: tracked files and new files that git does not ignore."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode("utf-8").split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def test_a_cold_build_elsewhere_is_byte_identical(built_site, tmp_path, quality):
    project = clone_files(tmp_path / "elsewhere")
    assert not (project / ".cache").exists()
    result = run_mkdocs(project, tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    first, second = snapshot(built_site), snapshot(tmp_path / "site")
    first.pop(".build-log", None)
    differing = sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))
    kinds = sorted({name.rsplit(".", 1)[-1] for name in first})
    quality.record("reproducibility", files=len(first), identical=not differing, differing=differing,
                   pdfs=sum(name.endswith(".pdf") for name in first), kinds=kinds)
    assert any(name.endswith(".pdf") for name in first) and any(name.endswith(".csv") for name in first)
    assert differing == [], f"{len(differing)} files differ between two cold builds: {differing[:20]}"
