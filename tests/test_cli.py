"""The `almanac` command line, as editors and translators run it (the make targets call it)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, mkdocs_env

ALMANAC = Path(sys.executable).with_name("almanac")


def almanac(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(ALMANAC), *args], cwd=cwd, env=mkdocs_env(), capture_output=True, text=True,
                          timeout=300)


def test_help_lists_every_subcommand():
    result = almanac("--help")
    assert result.returncode == 0
    for command in ("build", "print", "serve", "status", "stamp", "new"):
        assert f"  {command} " in result.stdout, f"'{command}' is missing from almanac --help"


@pytest.mark.parametrize("args, message", [
    (["stamp", "content/no-such-file.en.md"], "Invalid value for 'FILES...': File 'content/no-such-file.en.md' does not exist."),
    (["new", "--slug", "Bad Slug", "--organisation", "inpud", "--title", "T"], "Invalid value for '--slug': 'Bad Slug': expected lowercase"),
    (["new", "--slug", "x-2030", "--organisation", "nobody", "--title", "T"], "Invalid value for '--organisation': 'nobody': expected one of: "),
    (["new", "--slug", "x-2030", "--organisation", "inpud", "--title", "T", "--kind", "novel"], "Invalid value for '--kind': 'novel' is not one of"),
    (["status", "--config", "nowhere.yml"], "Invalid value for '--config': 'nowhere.yml' is not a file"),
    (["publish"], "No such command 'publish'."),
])
def test_bad_usage_exits_2_with_one_line_naming_the_problem(args, message):
    result = almanac(*args)
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert "Traceback" not in result.stderr


def test_bad_input_exits_1_with_one_line(tmp_path):
    translated = tmp_path / "01-a.md"
    translated.write_text("# A\n", encoding="utf-8")
    result = almanac("stamp", str(translated))
    assert result.returncode == 1
    assert result.stderr.strip() == "Error: 01-a.md: not a translated file; expected NAME.<lang>.md, e.g. 01-introduction.en.md."


def test_status_prints_the_translation_matrix():
    result = almanac("status")
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split() == ["publication", "ru", "en", "kk"]
    kibhr = next(row.split() for row in rows if row.startswith("kibhr-2015-2018"))
    assert (kibhr[1], kibhr[6], kibhr[11]) == ("source", "current", "current"), result.stdout


def test_new_scaffolds_a_publication_that_builds(mini_project):
    result = almanac("new", "--slug", "demo-plan-2030", "--organisation", "inpud", "--title", "План <b>2030</b>",
                     "--start", "2030", "--end", "2034", cwd=mini_project)
    assert result.returncode == 0, result.stderr
    assert (mini_project / "content" / "demo-plan-2030" / "publication.yml").is_file()
    again = almanac("new", "--slug", "demo-plan-2030", "--organisation", "inpud", "--title", "T", cwd=mini_project)
    assert again.returncode == 1
    assert again.stderr.strip() == ("Error: content/demo-plan-2030 already exists: the slug 'demo-plan-2030' is taken; "
                                    "nothing was written.")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(mini_project / "s")],
                           cwd=mini_project, env=mkdocs_env(), capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr[-2000:]
    assert (mini_project / "s" / "demo-plan-2030" / "index.html").is_file()
