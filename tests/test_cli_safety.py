"""The command line is data-safe: what a file or a user types is data, never a path, markup or shell to obey.

- `almanac import` writes only the translation of one of the project's chapters, into a language the site
  builds, and refuses (one line, exit 1, nothing written) a PO file whose header points anywhere else, or
  whose translation adds links, HTML, data markers or URLs its source segment lacks.
- `make new TITLE=…` hands the title over as typed: no shell runs any of it, publication.yml loads back to
  exactly that title, and the built page's heading shows it.
- A malformed `source_hash` is an error naming the file and line, not "the source changed".

Most tests run the command line in this process (click's CliRunner) on a small project in tmp_path.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
import yaml
from bs4 import BeautifulSoup

from almanac import exchange, translations
from tests.conftest import ROOT, mkdocs_env, run_mkdocs, almanac_in_process

SOURCE = ("# Заголовок\n\nПервый абзац со [ссылкой](02-b.md) и **выделением**.\n\n"
          "Второй абзац без разметки.\n")
PUBLICATION = ("organisation: inpud\nkind: brochure\nperiod: [2030, 2030]\ntitle: {ru: Икс}\n"
               "chapters: [01-a.md, 02-b.md, 04-link.md, 05-script.md]\n")


def almanac(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command line in this process, as a translator runs it from `cwd` (conftest.almanac_in_process)."""
    result = almanac_in_process(*args, cwd=cwd)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and link under `folder`, with its bytes' digest or where it leads."""
    found = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_file():
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def assert_refused(result: subprocess.CompletedProcess, start: str, fragment: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: {start}"), lines[0]
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def _project(tmp_path: Path) -> Path:
    """A project with one publication: two chapters, one unlisted file, one chapter linking out of it."""
    root = tmp_path / "project"
    chapters = root / "content" / "x"
    chapters.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "data").mkdir()
    shutil.copy(ROOT / "data" / "organisations.yml", root / "data" / "organisations.yml")
    (chapters / "publication.yml").write_text(PUBLICATION, encoding="utf-8")
    (chapters / "01-a.md").write_text(SOURCE, encoding="utf-8")
    (chapters / "02-b.md").write_text("# Б\n\nТекст.\n", encoding="utf-8")
    (chapters / "03-unlisted.md").write_text(SOURCE, encoding="utf-8")
    (chapters / "05-script.md").write_text(SOURCE.replace("без разметки", "<script>alert(1)</script>"),
                                           encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "01-a.md").write_text(SOURCE, encoding="utf-8")
    (outside / "04-link.md").write_text(SOURCE, encoding="utf-8")
    (outside / "victim.md").write_text("not to be overwritten\n", encoding="utf-8")
    (chapters / "04-link.md").symlink_to(outside / "04-link.md")
    return root


def _po(root: Path, chapter: str = "01-a.md", lang: str = "en") -> polib.POFile:
    """The exported PO file of a chapter, with every segment 'translated' as its source (placeholders kept)."""
    exported = exchange.export(root, root / "content" / "x" / chapter, lang)
    po = polib.pofile(exported.text)
    for entry in po:
        entry.msgstr = entry.msgid
    return po


def test_a_good_file_is_imported_and_stamped(tmp_path):
    root = _project(tmp_path)
    po = _po(root)
    po.save(str(root / "a.po"))
    result = almanac("import", "a.po", cwd=root)
    assert result.returncode == 0, result.stderr
    written = root / "content" / "x" / "01-a.en.md"
    assert translations.recorded_hash(written) == translations.source_hash(root / "content" / "x" / "01-a.md")
    assert written.read_text(encoding="utf-8").endswith(SOURCE)
    assert not [p for p in written.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("case, start, fragment", [
    ("parent", "a.po, header X-Almanac-Source '../outside/01-a.md'",
     ": not the path of a chapter; expected a chapter of this project: content/<publication>/<name>.md"),
    ("dotdot inside", "a.po, header X-Almanac-Source 'content/x/../../../outside/01-a.md'",
     ": not the path of a chapter; expected a chapter of this project"),
    ("absolute", "a.po, header X-Almanac-Source '{outside}/01-a.md'", ": not the path of a chapter"),
    ("symlinked chapter", "a.po, header X-Almanac-Source 'content/x/04-link.md'",
     ": a symbolic link that leads out of content/x/; expected a chapter of this project"),
    ("unlisted", "a.po, header X-Almanac-Source 'content/x/03-unlisted.md'",
     ": content/x/publication.yml does not list '03-unlisted.md' in 'chapters'"),
    ("no publication", "a.po, header X-Almanac-Source 'content/y/01-a.md'", ": content/y/ is not a publication"),
    ("unconfigured language", "a.po, header Language 'de'",
     ": not a language this site is translated into; expected one of: en, kk (mkdocs.yml)."),
    ("default language", "a.po, header Language 'ru'", ": not a language this site is translated into"),
    ("symlinked translation", "a.po: content/x/01-a.en.md is a symbolic link that leads out of content/",
     "expected the translation to be a file of its own there."),
])
def test_a_header_that_points_elsewhere_is_refused_and_nothing_is_written(tmp_path, case, start, fragment):
    root = _project(tmp_path)
    outside = tmp_path / "outside"
    po = _po(root)
    header = {"parent": "../outside/01-a.md", "dotdot inside": "content/x/../../../outside/01-a.md",
              "absolute": str(outside / "01-a.md"), "symlinked chapter": "content/x/04-link.md",
              "unlisted": "content/x/03-unlisted.md", "no publication": "content/y/01-a.md"}
    if case in header:
        po.metadata[exchange.SOURCE_HEADER] = header[case]
    elif case == "symlinked translation":
        (root / "content" / "x" / "01-a.en.md").symlink_to(outside / "victim.md")
    else:
        po.metadata["Language"] = {"unconfigured language": "de", "default language": "ru"}[case]
    po.save(str(root / "a.po"))
    before = snapshot(tmp_path)
    result = almanac("import", "a.po", cwd=root)
    assert_refused(result, start.format(outside=outside), fragment)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("added", [
    "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<style>body{display:none}</style>",
    '{{ value("x","y") }}',
    "<https://elsewhere.example/>",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "{: onclick=\"alert(1)\" }",
])
def test_a_translation_that_adds_markup_is_refused_naming_the_segment(tmp_path, added):
    root = _project(tmp_path)
    po = _po(root)
    entry = next(e for e in po if e.occurrences[0][1] == "5")
    entry.msgstr = f"Second paragraph {added} as well."
    po.save(str(root / "a.po"))
    before = snapshot(tmp_path)
    result = almanac("import", "a.po", cwd=root)
    assert_refused(result, "a.po, line ",
                   f"segment {entry.msgctxt} (paragraph, content/x/01-a.md line 5): the translation adds ")
    assert snapshot(tmp_path) == before


def test_the_source_s_own_markup_is_kept_and_a_link_target_cannot_be_changed(tmp_path):
    root = _project(tmp_path)
    po = _po(root)
    entry = next(e for e in po if e.occurrences[0][1] == "3")
    assert entry.msgid == "Первый абзац со <g1>ссылкой</g1> и <g2>выделением</g2>."
    entry.msgstr = "A first paragraph with a <g1>link</g1>, <g2>emphasis</g2> and *emphasis of its own*."
    po.save(str(root / "a.po"))
    assert almanac("import", "a.po", cwd=root).returncode == 0
    written = (root / "content" / "x" / "01-a.en.md").read_text(encoding="utf-8")
    assert "A first paragraph with a [link](02-b.md), **emphasis** and *emphasis of its own*." in written
    entry.msgstr = "A first paragraph with a [link](https://elsewhere.example/) and <g1>a</g1> <g2>b</g2>."
    po.save(str(root / "a.po"))
    before = snapshot(tmp_path)
    assert_refused(almanac("import", "a.po", cwd=root), "a.po, line ",
                   f"segment {entry.msgctxt} (paragraph, content/x/01-a.md line 3): the translation adds "
                   f"'](https://elsewhere.example/)'")
    assert snapshot(tmp_path) == before


def test_what_the_build_refuses_the_import_refuses_naming_the_segment(tmp_path):
    """The page checks of the build run on the translation before it is written (here: a <script>); line 9 is
    the source's line 5 below the four lines of front matter the stamp adds."""
    root = _project(tmp_path)
    po = _po(root, "05-script.md")
    po.save(str(root / "s.po"))
    before = snapshot(tmp_path)
    result = almanac("import", "s.po", cwd=root)
    key = next(e.msgctxt for e in po if e.occurrences[0][1] == "5")
    assert_refused(result, "s.po, line ",
                   f"segment {key} (paragraph, content/x/05-script.md line 5): content/x/05-script.en.md, line 9: ")
    assert snapshot(tmp_path) == before


def test_export_takes_only_a_chapter_of_the_project(tmp_path):
    root = _project(tmp_path)
    before = snapshot(tmp_path)
    result = almanac("export", "content/x/03-unlisted.md", "-l", "en", cwd=root)
    assert_refused(result, "content/x/03-unlisted.md: content/x/publication.yml does not list '03-unlisted.md'", "")
    assert snapshot(tmp_path) == before


# ---- source_hash ------------------------------------------------------------------------------------

@pytest.mark.parametrize("written, got", [
    ("abc", "'abc'"),
    ("ABCDEF012345", "'ABCDEF012345'"),
    ("12345678901", "'12345678901'"),
    ("'0123456789abc'", "\"'0123456789abc'\""),
    ("[1, 2]", "'[1, 2]'"),
    ("", "''"),
])
@pytest.mark.parametrize("command", ["status", "diff"])
def test_a_malformed_source_hash_is_an_error_naming_file_and_line(tmp_path, written, got, command):
    root = _project(tmp_path)
    translated = root / "content" / "x" / "01-a.en.md"
    translated.write_text(f"---\ntitle: A\nsource_hash: {written}\n---\n\n# A\n", encoding="utf-8")
    args = ["status"] if command == "status" else ["diff", "content/x/01-a.en.md"]
    result = almanac(*args, cwd=root)
    assert_refused(result, "content/x/01-a.en.md, line 3, 'source_hash': ",
                   f"expected the 12 hex digits `make stamp` writes, got {got};")
    # Stamping is the remedy: it replaces the value, whatever it was.
    assert almanac("stamp", "content/x/01-a.en.md", cwd=root).returncode == 0
    assert translations.recorded_hash(translated) == translations.source_hash(root / "content" / "x" / "01-a.md")
    assert translated.read_text(encoding="utf-8").count("source_hash") == 1


@pytest.mark.parametrize("written", ["abcdef012345", "'abcdef012345'", "123456789012", "'123456789012'",
                                     "012345670123", "123456789012  # stamped by hand"])
def test_a_well_formed_source_hash_is_read_however_it_is_quoted(tmp_path, written):
    path = tmp_path / "01-a.en.md"
    path.write_text(f"---\nsource_hash: {written}\n---\n\n# A\n", encoding="utf-8")
    assert translations.recorded_hash(path) == written.split()[0].strip("'")


def test_a_stamp_yaml_would_read_as_a_number_is_quoted():
    assert translations.with_stamp("# A\n", "123456789012") == "---\nsource_hash: '123456789012'\n---\n\n# A\n"
    assert translations.with_stamp("# A\n", "abcdef012345") == "---\nsource_hash: abcdef012345\n---\n\n# A\n"


def test_the_build_names_a_malformed_source_hash_in_one_line(mini_project, tmp_path):
    translated = mini_project / "content" / "demo-report-2023" / "index.en.md"
    text = translated.read_text(encoding="utf-8")
    translated.write_text(re.sub(r"source_hash: .*", "source_hash: 12ab", text, count=1), encoding="utf-8")
    result = run_mkdocs(mini_project, tmp_path / "site")
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert errors and errors[0].endswith(
        "content/demo-report-2023/index.en.md, line 2, 'source_hash': expected the 12 hex digits `make stamp` "
        "writes, got '12ab'; run 'make stamp FILES=content/demo-report-2023/index.en.md' once the file "
        "translates its source as it is now."), result.stderr[-2000:]
    assert "Traceback" not in result.stderr


# ---- make new ---------------------------------------------------------------------------------------

@pytest.mark.slow
def test_make_new_takes_the_title_as_typed(mini_project, tmp_path):
    """Quotes, `$`, backticks, `$(...)`, backslashes and tags: no shell runs them, and the title is verbatim."""
    pwned = tmp_path / "pwned"
    title = (f"План \"А\" 'Б' $HOME `touch {pwned}-$$` $(touch {pwned}) C:\\new \\q <b>x</b> & [l](x.md) "
             f"*e* _u_ # | {{: #id}} конец")
    shutil.copy(ROOT / "Makefile", mini_project / "Makefile")
    venv = Path(sys.prefix)
    result = subprocess.run(["make", "--no-print-directory", "-o", str(venv / ".installed"), "new", f"VENV={venv}",
                             "SLUG=demo-plan-2030", "ORG=inpud", f"TITLE={title}", "FROM=2030", "TO=2034"],
                            cwd=mini_project, env=mkdocs_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert not list(tmp_path.glob("pwned*")), "the shell ran part of the title"
    folder = mini_project / "content" / "demo-plan-2030"
    metadata = (folder / "publication.yml").read_text(encoding="utf-8")
    assert yaml.safe_load(metadata)["title"] == {"ru": title}
    assert "# date: 2030-01-31" in metadata
    build = run_mkdocs(mini_project, mini_project / "s")
    assert build.returncode == 0, build.stderr[-2000:]
    page = BeautifulSoup((mini_project / "s" / "demo-plan-2030" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    heading = page.find("h1")
    for permalink in heading.select("a.headerlink"):
        permalink.decompose()
    assert heading.get_text() == title


@pytest.mark.parametrize("title", ["Две\nстроки", "Таб\tуляция", "   "])
def test_new_refuses_a_title_that_is_not_one_line(mini_project, title):
    result = almanac("new", "--slug", "demo-plan-2030", "--organisation", "inpud", "--title", title, cwd=mini_project)
    assert result.returncode == 2
    assert "Invalid value for '--title'" in result.stderr and "expected the title on one line" in result.stderr
    assert not (mini_project / "content" / "demo-plan-2030").exists()
