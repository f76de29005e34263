"""Identical rebuilds: a second clone, built later in another environment with no cache at all, gives the
same site byte for byte.

The session's site is built from this checkout. The second build is a copy of the project as a clone
holds it (tracked and unignored files, and the git history the PDFs' dates come from; no `.cache/`), in
another folder, built at another time by a process with another HOME, TMPDIR, locale, time zone and
PYTHONHASHSEED, and with fonts in that HOME that fontconfig would offer by default, named like the
project's own ("Almanac Sans", "Almanac Serif", "PT Sans"). Every file is compared: PDFs, CSV files,
pages with their inline chart SVGs, search indexes, the sitemap.
"""

from __future__ import annotations

import pytest

import os
import shutil
import subprocess
import sys

from tests.conftest import ROOT, mkdocs_env
from tests.test_build import snapshot


def clone_files(target):
    """The project as a fresh clone has it: tracked files, new files that git does not ignore, and .git."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode("utf-8").split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    shutil.copytree(ROOT / ".git", target / ".git", symlinks=True)
    return target


def impostor_fonts(folder):
    """Fonts a machine might have that are named like the project's: DejaVu Sans (matplotlib's copy)
    under the names "Almanac Sans", "Almanac Serif" and "PT Sans"."""
    import matplotlib
    from fontTools.ttLib import TTFont

    source = os.path.join(os.path.dirname(matplotlib.__file__), "mpl-data", "fonts", "ttf", "DejaVuSans.ttf")
    folder.mkdir(parents=True)
    for family in ("Almanac Sans", "Almanac Serif", "PT Sans"):
        font = TTFont(source)
        for record in font["name"].names:
            if record.nameID in (1, 4, 16):
                record.string = family
            elif record.nameID == 6:
                record.string = family.replace(" ", "")
        font.save(folder / f"{family.replace(' ', '')}.ttf")


def elsewhere_env(tmp_path) -> dict:
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    impostor_fonts(home / ".fonts")   # in fontconfig's default path for this HOME
    tmp.mkdir()
    env = {key: value for key, value in mkdocs_env().items()
           if not key.startswith(("LC_", "FONTCONFIG", "XDG_", "MPLCONFIGDIR"))}
    env.update(HOME=str(home), TMPDIR=str(tmp), LANG="C.UTF-8", LC_ALL="C.UTF-8", TZ="Pacific/Kiritimati",
               PYTHONHASHSEED="4242")
    return env


@pytest.mark.slow
def test_a_cold_build_elsewhere_is_byte_identical(built_site, tmp_path, quality):
    project = clone_files(tmp_path / "elsewhere")
    assert not (project / ".cache").exists()
    env = elsewhere_env(tmp_path)
    fonts = subprocess.run(["fc-list", ":", "family"], env=env, capture_output=True, text=True).stdout
    assert "Almanac Sans" in fonts, "the impostor fonts are not visible to fontconfig: the test proves nothing"
    # As `make site` builds it: the units, from an empty .cache/, in a folder of its own.
    result = subprocess.run([sys.executable, "-m", "almanac.cli", "build", "--site-dir", str(tmp_path / "site")],
                            cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr[-3000:]
    first, second = snapshot(built_site), snapshot(tmp_path / "site")
    first.pop(".build-log", None)
    differing = sorted(name for name in first.keys() | second.keys() if first.get(name) != second.get(name))
    kinds = sorted({name.rsplit(".", 1)[-1] for name in first})
    quality.record("reproducibility", files=len(first), identical=not differing, differing=differing,
                   pdfs=sum(name.endswith(".pdf") for name in first), kinds=kinds)
    assert any(name.endswith(".pdf") for name in first) and any(name.endswith(".csv") for name in first)
    assert any(name.endswith(".webp") for name in first), "no catalogue covers (covers/*.webp) were compared"
    assert differing == [], f"{len(differing)} files differ between two cold builds: {differing[:20]}"
