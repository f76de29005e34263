"""Shared fixtures: the real site, built once per test session, and small throwaway projects.

The real site is built with `almanac build` (what `make site` runs: unit by unit, strictly) into a
temporary folder, so every test reads what users get.

The suite runs on pytest-xdist workers (`-n auto` in pyproject.toml). What every worker shares lives in
one folder the first process makes (`shared_dir`, named by ALMANAC_TEST_SHARED, which the workers inherit):
the real site, built by whichever worker asks first while the others wait on a lock, and each worker's
quality figures, which the controlling process merges into docs/quality.md.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]

LANGUAGES = ["ru", "en", "kk"]


def mkdocs_env() -> dict:
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "true"
    return env


def run_mkdocs(project: Path, site: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site), *extra],
        cwd=project, env=mkdocs_env(), capture_output=True, text=True, timeout=900,
    )


class InProcess:
    """What `mkdocs build --strict` printed and returned, run by `mkdocs_in_process`."""

    def __init__(self, returncode: int, output: str):
        self.returncode, self.output = returncode, output


def mkdocs_in_process(project: Path, site: Path) -> InProcess:
    """`mkdocs build --strict --site-dir SITE` in the project's folder, run by MkDocs' own command line in this
    process: its output is what an editor reads, at a fraction of a new process's cost (MkDocs, Material and
    WeasyPrint are imported once per worker). A bug that escapes as a traceback is in the output, as it would
    be on the terminal. `make site`'s own guarantees (the previous site kept, no temporary folder left) are
    checked end to end by the few cases that run `make site` (tests/test_bad_input.py)."""
    import logging
    import traceback

    from click.testing import CliRunner
    from mkdocs.__main__ import cli

    logger = logging.getLogger("mkdocs")
    handlers, propagate, level = list(logger.handlers), logger.propagate, logger.level
    before, environ = os.getcwd(), dict(os.environ)
    os.chdir(project)
    os.environ.update(mkdocs_env())
    try:
        result = CliRunner().invoke(cli, ["build", "--strict", "--site-dir", str(site)], catch_exceptions=True)
    finally:
        os.chdir(before)
        os.environ.clear()
        os.environ.update(environ)
        # MkDocs' command line adds a stream handler per invocation; the next one must not print here too.
        logger.handlers[:], logger.propagate = handlers, propagate
        logger.setLevel(level)
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        output += "".join(traceback.format_exception(result.exception))
    return InProcess(result.exit_code, output)


def almanac_in_process(*args: str, cwd: Path):
    """The `almanac` command line in this process, run from `cwd` as a translator runs it; click's result.
    Only click's own exit may end a command: any other exception would be a traceback for the user."""
    from click.testing import CliRunner

    from almanac import cli

    here = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli.main, list(args))
    finally:
        os.chdir(here)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def copy_of_content(tmp_path: Path) -> Path:
    """A project folder with the real mkdocs.yml, content, data, locales and sources: what the exchange reads."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    for name in ("content", "data", "locales", "sources"):
        shutil.copytree(ROOT / name, root / name)
    return root


def set_almanac(project: Path, **settings: str) -> None:
    """Change `extra.almanac.<key>` in a project's mkdocs.yml, failing loudly if the key is not there."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    for key, value in settings.items():
        text, count = re.subn(rf"^(    {key}:) [^#\n]*?(\s*#|$)", rf"\1 {value}\2", text, count=1, flags=re.M)
        assert count == 1, f"mkdocs.yml has no extra.almanac.{key}"
    config.write_text(text, encoding="utf-8")


SHARED = "ALMANAC_TEST_SHARED"


def shared_dir() -> Path:
    """The folder every process of this test run shares (made in pytest_configure)."""
    return Path(os.environ[SHARED])


def pytest_configure(config):
    # The controlling process (or the only one) makes the folder; xdist's workers, started later, inherit it.
    if not hasattr(config, "workerinput"):
        import tempfile

        folder = tempfile.mkdtemp(prefix="almanac-tests-")
        os.environ[SHARED] = folder
        config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))


@pytest.fixture(scope="session")
def built_site() -> Path:
    if os.environ.get("ALMANAC_TEST_SITE"):
        # For iterating on one test module against a site built earlier; CI always builds afresh.
        return Path(os.environ["ALMANAC_TEST_SITE"])
    folder = shared_dir() / "site"
    site, outcome = folder / "site", folder / "outcome"
    # One build for the whole run: the first worker to ask builds, the others wait; tests only read it.
    with FileLock(str(shared_dir() / "site.lock")):
        if not outcome.exists():
            # As `make site` builds it: unit by unit, strictly, the units kept in .cache/ reused.
            result = subprocess.run([sys.executable, "-m", "almanac.cli", "build", "--site-dir", str(site)],
                                    cwd=ROOT, env=mkdocs_env(), capture_output=True, text=True, timeout=1800)
            warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
            if result.returncode != 0:
                problem = "almanac build failed:\n" + result.stderr[-4000:]
            elif warnings:
                problem = "almanac build warned:\n" + "\n".join(warnings)
            else:
                problem = ""
                site.joinpath(".build-log").write_text(result.stderr)
            outcome.write_text(problem, encoding="utf-8")
    problem = outcome.read_text(encoding="utf-8")
    if problem:
        pytest.fail(problem)
    return site


@pytest.fixture(scope="session")
def publications():
    from almanac import publications as pubs

    return pubs.load_all(ROOT, ROOT / "content")


@pytest.fixture
def mini_project(tmp_path) -> Path:
    """A copy of the project's machinery with one tiny publication, for bad-input tests."""
    return make_mini_project(tmp_path)


def make_mini_project(tmp_path: Path) -> Path:
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
    # The tiny publication is not required in any language, whichever the real site requires.
    text = re.sub(r'^(      (?:en|kk): ).*$', r"\1[]", text, flags=re.M)
    (project / "mkdocs.yml").write_text(text, encoding="utf-8")
    set_almanac(project, pdf="false")
    from almanac import translations

    translations.stamp(project / "content" / "demo-report-2023" / "index.en.md", project / "content")
    return project


_RECORDER = None


@pytest.fixture(scope="session")
def quality():
    """Figures for docs/quality.md (see tests/quality.py): `quality.record(check, **figures)`."""
    global _RECORDER
    from tests.quality import Recorder

    _RECORDER = _RECORDER or Recorder()
    return _RECORDER


_REPORT_NOTE = pytest.StashKey[str]()  # what became of the quality report, for the terminal summary


def pytest_addoption(parser):
    parser.addoption("--quality-report", metavar="PATH", default=None,
                     help="when the whole session passes, write the quality report (docs/quality.md) to PATH")


def pytest_sessionfinish(session, exitstatus):
    # A failed or interrupted run never overwrites the report: it describes a passing run only.
    path = session.config.getoption("--quality-report")
    if not path:
        return
    worker = getattr(session.config, "workerinput", {}).get("workerid")
    if worker:
        # A worker hands its figures to the controlling process, which writes the report.
        if _RECORDER:
            (shared_dir() / "quality").mkdir(exist_ok=True)
            (shared_dir() / "quality" / f"{worker}.json").write_text(_RECORDER.to_json(), encoding="utf-8")
        return
    if exitstatus != 0:
        session.config.stash[_REPORT_NOTE] = ("quality report not written: the session did not pass "
                                              f"(exit status {int(exitstatus)})")
        return
    from tests.quality import Recorder, write_report

    merged = Recorder()
    for part in sorted((shared_dir() / "quality").glob("*.json")):
        merged.extend(json.loads(part.read_text(encoding="utf-8")))
    if _RECORDER:
        merged.extend(_RECORDER.rows)
    target = Path(session.config.invocation_params.dir, path)
    run = f"`pytest {shlex.join(session.config.invocation_params.args)}` ({session.testscollected} tests, all passed)"
    write_report(merged, target, ROOT, run)
    session.config.stash[_REPORT_NOTE] = f"quality report written to {path}"


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    note = config.stash.get(_REPORT_NOTE, None)
    if note:
        terminalreporter.write_line(note)

