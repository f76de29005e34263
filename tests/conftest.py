"""Shared fixtures: the real site, built once per test session, and small throwaway projects.

The real site is built with `mkdocs build --strict` into a temporary folder,
exactly as `make site` builds it, so every test reads what users get.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hooks"))

LANGUAGES = ["ru", "en", "kk"]


def mkdocs_env() -> dict:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "true"
    env["PYTHONPATH"] = str(ROOT / "hooks")
    return env


def run_mkdocs(project: Path, site: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site), *extra],
        cwd=project, env=mkdocs_env(), capture_output=True, text=True, timeout=900,
    )


def set_almanac(project: Path, **settings: str) -> None:
    """Change `extra.almanac.<key>` in a project's mkdocs.yml, failing loudly if the key is not there."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for key, value in settings.items():
        text, count = re.subn(rf"^(    {key}:) [^#\n]*?(\s*#|$)", rf"\1 {value}\2", text, count=1, flags=re.M)
        assert count == 1, f"mkdocs.yml has no extra.almanac.{key}"
    config.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("site") / "site"
    result = run_mkdocs(ROOT, site)
    if result.returncode != 0:
        pytest.fail("mkdocs build --strict failed:\n" + result.stderr[-4000:])
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [], warnings
    site.joinpath(".build-log").write_text(result.stderr)
    return site


@pytest.fixture(scope="session")
def publications():
    from almanac import publications as pubs

    return pubs.load_all(ROOT, ROOT / "content")


@pytest.fixture
def mini_project(tmp_path) -> Path:
    """A copy of the project's machinery with one tiny publication, for bad-input tests."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("hooks", "overrides", "locales"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    (project / "data" / "indicators").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "organisations.yml", project / "data" / "organisations.yml")
    shutil.copytree(ROOT / "tests" / "fixtures" / "mini-content", project / "content")
    shutil.copy(ROOT / "tests" / "fixtures" / "mini-report.yml", project / "data" / "indicators" / "demo-report-2023.yml")
    text = (project / "mkdocs.yml").read_text(encoding="utf-8")
    text = text.replace('en: "*"', "en: []").replace("kk: [runpud-2021-2024]", "kk: []")
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    set_almanac(project, pdf="false")
    from almanac import translations

    translations.stamp(project / "content" / "demo-report-2023" / "index.en.md", project / "content")
    return project
