"""Translators' tools: `almanac diff` (what changed since the stamp) and PO export/import for CAT tools.

Imports write into content/, so every test works on a copy of the project in tmp_path.
The exchange files are checked with real tools: GNU gettext's `msgfmt --check` and
translate-toolkit's `pofilter`.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner

from almanac import cli, exchange, translations
from tests.conftest import ROOT, mkdocs_env

ALMANAC = Path(sys.executable).with_name("almanac")
TRANSLATED = sorted(p.relative_to(ROOT / "content").as_posix() for p in (ROOT / "content").glob("*/*.??.md"))
CHAPTER = "enpud-2022-2024/01-goal-1"   # emphasis (<gN>), data markers, lists, headings
FOOTNOTES = "inpud-2025-2029/02-new-reality"   # footnote references (<xN/>), blockquotes


def almanac(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The command line in this process (click's CliRunner), as a translator runs it from `cwd`."""
    here = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli.main, list(args), env=env)
    finally:
        os.chdir(here)
    # Only click's own exit may end a command: any other exception would be a traceback for the user.
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def almanac_process(*args: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([str(ALMANAC), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """mkdocs.yml, content/ and the organisations, copied: what export and import read and write."""
    root = tmp_path_factory.mktemp("exchange") / "project"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "content", root / "content")
    (root / "data").mkdir()
    shutil.copy(ROOT / "data" / "organisations.yml", root / "data" / "organisations.yml")
    return root


@pytest.fixture
def chapter(project) -> tuple[Path, Path]:
    """An exported chapter (source, PO file); its translation is put back after the test."""
    target = project / "content" / f"{CHAPTER}.en.md"
    before = target.read_bytes()
    result = almanac("export", f"content/{CHAPTER}.md", "--language", "en", "-o", "goal-1.en.po", cwd=project)
    assert result.returncode == 0, result.stderr
    yield target, project / "goal-1.en.po"
    target.write_bytes(before)


@pytest.mark.parametrize("name", TRANSLATED)
def test_export_then_import_unchanged_gives_the_same_markdown(project, name, tmp_path):
    target = project / "content" / name
    lang = name.split(".")[-2]
    source = target.with_name(name.split("/")[-1].split(".")[0] + ".md")
    if translations.recorded_hash(target) != translations.source_hash(source):
        pytest.skip(f"{name} is stale in this working tree; the round trip is for current translations")
    before = target.read_bytes()
    exported = exchange.export(project, source, lang)
    assert exported.translated == exported.segments and not exported.review, exported.note
    po = tmp_path / "x.po"
    po.write_text(exported.text, encoding="utf-8")
    try:
        exchange.import_po(project, po)
        assert target.read_bytes() == before
    finally:
        target.write_bytes(before)


def test_changing_one_segment_changes_only_that_paragraph(chapter):
    target, po_path = chapter
    before = target.read_text(encoding="utf-8").splitlines()
    po = polib.pofile(str(po_path))
    entry = next(e for e in po if e.comment.startswith("paragraph") and "<g" in e.msgstr)
    entry.msgstr = entry.msgstr.replace("</g", " (revised)</g", 1)
    po.save()
    result = almanac("import", po_path.name, cwd=po_path.parent)
    assert result.returncode == 0, result.stderr
    after = target.read_text(encoding="utf-8").splitlines()
    changed = [(tag, i1, i2, j1, j2) for tag, i1, i2, j1, j2
               in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes() if tag != "equal"]
    assert len(changed) == 1 and changed[0][0] == "replace", changed
    _, i1, i2, j1, j2 = changed[0]
    assert (i2 - i1, j2 - j1) == (1, 1), changed
    assert " (revised)**" in after[j1] and before[i1].replace("**", "") in after[j1].replace(" (revised)", "").replace("**", "")


def _edit_entry(po, number: str, change) -> None:
    entry = next(e for e in po if e.msgctxt == number)
    change(po, entry)


def _first_with(po, marker: str) -> str:
    return next(e.msgctxt for e in po if marker in e.msgid and e.msgstr)


@pytest.mark.parametrize("case, message", [
    ("broken tag", "the tag <g{n}> is never closed"),
    ("missing placeholder", "the placeholder <x{n}/> is missing"),
    ("missing segment", "segment {ctx} ({kind}, content/{chapter}.md line {line}): the segment is missing"),
    ("another source", "made from another text than content/enpud-2022-2024/02-goal-2.md"),
])
def test_a_bad_exchange_file_is_refused_with_one_line_naming_the_segment(chapter, case, message):
    target, po_path = chapter
    before = target.read_bytes()
    po = polib.pofile(str(po_path))
    fill = {"chapter": CHAPTER}
    if case == "broken tag":
        entry = next(e for e in po if "</g" in e.msgstr)
        n = entry.msgstr.split("</g", 1)[1].split(">", 1)[0]
        entry.msgstr = entry.msgstr.replace(f"</g{n}>", "", 1)
        fill.update(n=n, ctx=entry.msgctxt)
    elif case == "missing placeholder":
        po_path = po_path.with_name("footnotes.en.po")
        result = almanac("export", f"content/{FOOTNOTES}.md", "-l", "en", "-o", po_path.name, cwd=po_path.parent)
        assert result.returncode == 0, result.stderr
        po = polib.pofile(str(po_path))
        entry = next(e for e in po if "<x" in e.msgstr)
        n = entry.msgstr.split("<x", 1)[1].split("/>", 1)[0]
        entry.msgstr = entry.msgstr.replace(f"<x{n}/>", "", 1)
        fill.update(n=n, ctx=entry.msgctxt)
    elif case == "missing segment":
        entry = po[4]
        kind, line = entry.comment.splitlines()[0], entry.occurrences[0][1]
        po.remove(entry)
        fill.update(ctx=entry.msgctxt, kind=kind, line=line)
    else:
        po.metadata[exchange.SOURCE_HEADER] = "content/enpud-2022-2024/02-goal-2.md"
    po.save()
    result = almanac("import", po_path.name, cwd=po_path.parent)
    assert result.returncode == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {po_path.name}"), result.stderr
    assert message.format(**fill) in lines[0], lines[0]
    if "ctx" in fill and case != "missing segment":
        assert f", segment {fill['ctx']} (" in lines[0], lines[0]
    assert target.read_bytes() == before


def test_exchange_files_pass_msgfmt_and_pofilter(project, tmp_path):
    """GNU gettext and translate-toolkit read the files, and see the placeholders as tags."""
    folder = tmp_path / "po"
    folder.mkdir()
    for name in TRANSLATED:
        source = project / "content" / (name.split(".")[0] + ".md")
        if translations.recorded_hash(project / "content" / name) != translations.source_hash(source):
            continue   # stale: its changed segments are fuzzy, which is what `isfuzzy` reports
        exported = exchange.export(project, source, name.split(".")[-2])
        (folder / (name.replace("/", ".")[: -len(".md")] + ".po")).write_text(exported.text, encoding="utf-8")
    for po in sorted(folder.glob("*.po")):
        check = subprocess.run(["msgfmt", "--check", "--statistics", "-o", os.devnull, str(po)],
                               capture_output=True, text=True)
        assert check.returncode == 0 and "warning" not in check.stderr, check.stderr
    checks = ["-t", "xmltags", "-t", "urls", "-t", "untranslated", "-t", "isfuzzy"]
    report = tmp_path / "report"
    pofilter = Path(sys.executable).with_name("pofilter")
    result = subprocess.run([str(pofilter), "--progress=none", *checks, str(folder), str(report)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    failures = [str(p) for p in report.rglob("*.po")] if report.exists() else []
    assert not failures, "\n".join(Path(f).read_text(encoding="utf-8")[:2000] for f in failures)
    # The same check notices a placeholder a translator dropped.
    po = polib.pofile(str(next(folder.glob("inpud-2025-2029.02-new-reality*"))))
    entry = next(e for e in po if "<x" in e.msgstr)
    entry.msgstr = entry.msgstr.replace("<x", "<y", 1)
    po.save(str(tmp_path / "broken.po"))
    result = subprocess.run([str(pofilter), "--progress=none", "-t", "xmltags", str(tmp_path / "broken.po"),
                             str(tmp_path / "broken-report.po")], capture_output=True, text=True)
    assert "(pofilter) xmltags" in (tmp_path / "broken-report.po").read_text(encoding="utf-8")


# ---- almanac diff, and fuzzy segments from history ----------------------------------------------------

SOURCE = "# Заголовок\n\nПервый абзац остается как был.\n\nВо втором абзаце мы меняем одно слово.\n"
TRANSLATION = "# Heading\n\nThe first paragraph stays as it was.\n\nIn the second paragraph we change one word.\n"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Almanac test", "-c", "user.email=test@example.org", *args],
                   cwd=repo, check=True, capture_output=True)


def _stale_project(root: Path, history: bool) -> Path:
    chapter = root / "content" / "x"
    chapter.mkdir(parents=True)
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    (root / "data").mkdir()
    shutil.copy(ROOT / "data" / "organisations.yml", root / "data" / "organisations.yml")
    (chapter / "publication.yml").write_text("organisation: inpud\nkind: brochure\nperiod: [2030, 2030]\n"
                                             "title: {ru: Икс}\nchapters: [01-a.md]\n", encoding="utf-8")
    (chapter / "01-a.md").write_text(SOURCE, encoding="utf-8")
    (chapter / "01-a.en.md").write_text(TRANSLATION, encoding="utf-8")
    translations.stamp(chapter / "01-a.en.md", chapter)
    if history:
        _git(root, "init", "-q")
        _git(root, "add", ".")
        _git(root, "commit", "-q", "-m", "translated")
    (chapter / "01-a.md").write_text(SOURCE.replace("одно слово", "два слова"), encoding="utf-8")
    return root


def _no_parent_repo(root: Path) -> dict:
    return {"GIT_CEILING_DIRECTORIES": str(root.parent)}


def test_diff_shows_the_words_changed_since_the_stamp(tmp_path):
    root = _stale_project(tmp_path / "p", history=True)
    result = almanac("diff", "content/x/01-a.en.md", cwd=root, env=_no_parent_repo(root))
    assert result.returncode == 0, result.stderr
    assert "content/x/01-a.en.md is stale" in result.stdout
    assert "line 5: Во втором абзаце мы меняем [-одно-]{+два+} [-слово.-]{+слова.+}" in result.stdout, result.stdout
    assert "Первый" not in result.stdout
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "source changed")
    translations.stamp(root / "content/x/01-a.en.md", root / "content/x")
    result = almanac("diff", "content/x/01-a.en.md", cwd=root, env=_no_parent_repo(root))
    assert result.returncode == 0 and "is up to date" in result.stdout, result.stdout + result.stderr


def test_diff_without_history_says_so_in_one_line(tmp_path):
    root = _stale_project(tmp_path / "p", history=False)
    result = almanac_process("diff", "content/x/01-a.en.md", cwd=root,
                             env={**mkdocs_env(), **_no_parent_repo(root)})
    assert result.returncode == 1
    assert result.stderr.strip() == ("Error: content/x/01-a.md: no git history (the project is not a git "
                                     "repository); cannot tell what changed since the translation was stamped.")


def test_export_of_a_stale_translation_marks_only_changed_segments_fuzzy(tmp_path):
    root = _stale_project(tmp_path / "p", history=True)
    result = almanac("export", "content/x/01-a.md", "-l", "en", "-o", "a.po", cwd=root, env=_no_parent_repo(root))
    assert result.returncode == 0, result.stderr
    assert "1 to review" in result.stderr, result.stderr
    entries = {e.msgid: e for e in polib.pofile(str(root / "a.po"))}
    changed = entries["Во втором абзаце мы меняем два слова."]
    assert [e.msgid for e in entries.values() if e.fuzzy] == [changed.msgid]
    assert changed.previous_msgid == "Во втором абзаце мы меняем одно слово."
    assert changed.msgstr == "In the second paragraph we change one word."
    # A fuzzy translation is not used (gettext's rule): the segment stays in the original, and the page says so.
    result = almanac("import", "a.po", cwd=root, env=_no_parent_repo(root))
    assert result.returncode == 0, result.stderr
    assert "(2 of 3 segments translated; 1 left in the original (1 of them fuzzy))" in result.stderr, result.stderr
    written = (root / "content/x/01-a.en.md").read_text(encoding="utf-8")
    assert f'untranslated:   # segments still in the original (almanac import), by key\n  - "{changed.msgctxt}"\n' \
        in written and "Во втором абзаце мы меняем два слова." in written, written
