"""A whole language out and back in: `almanac export --all`, `--template` and `almanac import DIR`.

Every test works on its own copy of the project in tmp_path (imports write into it). The files are
checked with GNU gettext (`msgfmt --check`, `msginit`) as a CAT tool's user would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
import yaml

from almanac import strings
from tests.conftest import almanac_in_process, copy_of_content

YAML_FILES = ["content/runpud-2021-2024/publication.yml", "content/kibhr-2015-2018/publication.yml",
              "data/organisations.yml", "data/indicators/runpud-2021-2024.yml", "locales/kk.yml", "locales/en.yml"]


almanac = almanac_in_process


@pytest.fixture
def project(tmp_path) -> Path:
    return copy_of_content(tmp_path)


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix in (".yml", ".md")}


def entry(po: polib.POFile, context: str) -> polib.POEntry:
    found = [e for e in po if e.msgctxt == context]
    assert len(found) == 1, f"{context}: {len(found)} entries"
    return found[0]


def test_export_all_covers_chapters_titles_names_labels_units_and_interface(project):
    result = almanac("export", "--all", "-l", "en", "-o", "out", cwd=project)
    assert result.exit_code == 0, result.output
    chapters = sum(len(yaml.safe_load(p.read_text())["chapters"]) for p in (project / "content").glob("*/publication.yml"))
    files = sorted((project / "out").glob("*.po"))
    po = polib.pofile(str(project / "out" / "strings.en.po"))
    assert po.metadata["Language"] == "en" and po.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert entry(po, "content/runpud-2021-2024/publication.yml::title").msgstr == "RuNPUD Strategic Plan 2021–2024"
    assert entry(po, "content/inpud-2025-2029/publication.yml::subtitle").msgstr == "INPUD Strategic Plan 2025–2029"
    assert entry(po, "content/runpud-2021-2024/publication.yml::date_label").msgid.startswith("Утвержден решением")
    assert entry(po, "data/organisations.yml::kibhr.name").msgstr.startswith("KIBHR — Kazakhstan")
    label = entry(po, "data/indicators/runpud-2021-2024.yml::indicators[1.2.1].label")
    assert (label.msgid, label.msgstr) == ("{value} по правовой грамотности.", "{value} on legal literacy.")
    assert entry(po, "data/indicators/kibhr-2015-2018.yml::indicators[direction-1.1].short").msgstr \
        == "Monitoring the implementation of recommendations"
    unit = entry(po, "data/indicators/runpud-2021-2024.yml::units.webinar")
    assert (unit.msgid, unit.msgid_plural) == ("вебинар", "вебинаров")
    assert unit.msgstr_plural == {0: "webinar", 1: "webinars"}
    assert "few = вебинара" in unit.comment   # every Russian form is shown to the translator
    assert entry(po, "data/indicators/runpud-2021-2024.yml::units.fold[=2]").msgstr == "twofold"
    assert entry(po, "locales::pdf.download").msgstr == "Download PDF"
    assert entry(po, "locales::readers.pages").msgstr_plural == {0: "{n} page", 1: "{n} pages"}
    assert len(files) == chapters + 1
    for path in files:
        check = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr


@pytest.mark.parametrize("lang, header, categories", [
    ("ru", "nplurals=3;", {0: "one", 1: "few", 2: "many"}),
    ("en", "nplurals=2; plural=(n != 1);", {0: "one", 1: "other"}),
    ("kk", "nplurals=2; plural=(n != 1);", {0: "one", 1: "other"}),   # CLDR kk: one (n = 1), other
])
def test_plural_forms_follow_cldr(lang, header, categories):
    found, by_index, fractions = strings.plural_forms(lang)
    assert found.startswith(header) and by_index == categories
    assert fractions == (["other"] if lang == "ru" else [])


def test_a_folder_exported_and_imported_unchanged_changes_no_byte(project):
    before = snapshot(project)
    for lang in ("en", "kk"):
        assert almanac("export", "--all", "-l", lang, "-o", f"out-{lang}", cwd=project).exit_code == 0
        result = almanac("import", f"out-{lang}", cwd=project)
        assert result.exit_code == 0, result.output
        assert "strings.%s.po: 0 strings written" % lang in result.output
    assert snapshot(project) == before


def test_an_edited_string_changes_only_its_value_keeping_comments(project):
    almanac("export", "--all", "-l", "kk", "-o", "out", cwd=project)
    path = project / "out" / "strings.kk.po"
    po = polib.pofile(str(path))
    entry(po, "content/runpud-2021-2024/publication.yml::title").msgstr = "RuNPUD стратегиялық жоспары 2021–2024"
    entry(po, "data/indicators/kibhr-2015-2018.yml::units.branch").msgstr_plural = {0: "филиал", 1: "филиалдар"}
    # A number standing alone has its own form in Kazakh (a key figure's «бес филиал»): exported beside the others.
    assert entry(po, "data/indicators/kibhr-2015-2018.yml::units.branch[standalone =5]").msgstr == "бес филиал"
    entry(po, "locales::pdf.download").msgstr = "PDF жүктеу"
    po.save(str(path))
    before = snapshot(project)
    result = almanac("import", "out", cwd=project)
    assert result.exit_code == 0, result.output
    after = snapshot(project)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"content/runpud-2021-2024/publication.yml", "data/indicators/kibhr-2015-2018.yml",
                       "locales/kk.yml"}
    for name, old, new in [("content/runpud-2021-2024/publication.yml",
                            '  kk: "RuNPUD-тың 2021–2024 жылдарға арналған стратегиялық жоспары"',
                            '  kk: "RuNPUD стратегиялық жоспары 2021–2024"'),
                           ("data/indicators/kibhr-2015-2018.yml",
                            'kk: {"=5": "бес филиалы", one: "филиал", other: "филиал", standalone: {"=5": "бес филиал"}}',
                            'kk: {"=5": "бес филиалы", one: "филиал", other: "филиалдар", standalone: {"=5": "бес филиал"}}')]:
        assert after[name].decode() == before[name].decode().replace(old, new), name
    text = after["locales/kk.yml"].decode()
    assert 'download: "PDF жүктеу"' in text and text.startswith(before["locales/kk.yml"].decode()[:40])
    assert [line for line in before["locales/kk.yml"].decode().splitlines() if "#" in line] == \
        [line for line in text.splitlines() if "#" in line]


def test_a_new_language_starts_from_the_templates(project):
    config = project / "mkdocs.yml"
    config.write_text(config.read_text().replace(
        "        - locale: kk\n", "        - locale: uk\n          name: Українська\n          build: false\n"
        "        - locale: kk\n"), encoding="utf-8")
    result = almanac("export", "--all", "--template", "-o", "pot", cwd=project)
    assert result.exit_code == 0, result.output
    pot = polib.pofile(str(project / "pot" / "strings.pot"))
    assert not any(e.msgstr or any(e.msgstr_plural.values()) for e in pot)
    (project / "uk").mkdir()
    start = subprocess.run(["msginit", "--no-translator", "-l", "uk", "-i", "pot/strings.pot", "-o",
                            "uk/strings.uk.po"], cwd=project, capture_output=True, text=True)
    assert start.returncode == 0, start.stderr
    po = polib.pofile(str(project / "uk" / "strings.uk.po"))
    assert po.metadata["Plural-Forms"].startswith("nplurals=3;")
    entry(po, "content/runpud-2021-2024/publication.yml::title").msgstr = "Стратегічний план RuNPUD на 2021–2024 рр."
    entry(po, "data/indicators/runpud-2021-2024.yml::units.webinar").msgstr_plural = \
        {0: "вебінар", 1: "вебінари", 2: "вебінарів"}
    entry(po, "locales::pdf.download").msgstr = "Завантажити PDF"
    po.save()
    assert subprocess.run(["msgfmt", "--check", "-o", os.devnull, "uk/strings.uk.po"], cwd=project).returncode == 0
    result = almanac("import", "uk", cwd=project)
    assert result.exit_code == 0, result.output
    assert '  uk: "Стратегічний план RuNPUD на 2021–2024 рр."' in \
        (project / "content/runpud-2021-2024/publication.yml").read_text()
    assert '    uk: {one: "вебінар", few: "вебінари", many: "вебінарів"}' in \
        (project / "data/indicators/runpud-2021-2024.yml").read_text()
    assert 'pdf:\n  download: "Завантажити PDF"\n' in (project / "locales/uk.yml").read_text()


@pytest.mark.parametrize("edit, message", [
    (lambda po: setattr(po[0], "msgctxt", "data/organisations.yml::nobody.name"),
     "msgctxt 'data/organisations.yml::nobody.name': no such string in this project"),
    (lambda po: setattr(entry(po, "locales::pdf.download"), "msgstr", "Download PDF"),
     "the translation is written in Latin letters; expected 'kk' text"),
    (lambda po: setattr(entry(po, "locales::pdf.download"), "msgstr", "PDF {year} жүктеу"),
     "the translation adds {year}, which the source does not have"),
    (lambda po: setattr(entry(po, "data/indicators/runpud-2021-2024.yml::indicators[1.2.1].label"), "msgstr",
                        "Құқықтық сауаттылық бойынша."),
     "the translation drops {value}"),
    (lambda po: setattr(entry(po, "locales::pdf.download"), "msgstr", "[PDF жүктеу](javascript:alert(1))"),
     "the translation adds '](javascript:alert(1)', which the source does not have"),
    (lambda po: setattr(entry(po, "locales::pdf.download"), "msgstr", "PDF <script>x()</script> жүктеу"),
     "the translation adds '<script>'"),
    (lambda po: po.metadata.update(Language="ru"), "header Language 'ru': not a language this site is translated"),
    (lambda po: po.metadata.update({"Plural-Forms": "nplurals=3; plural=(n != 1);"}),
     "header Plural-Forms: expected 'nplurals=2; plural=(n != 1);' for 'kk'"),
])
def test_a_bad_strings_file_is_refused_with_one_line_and_writes_nothing(project, edit, message):
    almanac("export", "--all", "-l", "kk", "-o", "out", cwd=project)
    for path in (project / "out").glob("*.po"):
        if path.name != "strings.kk.po":
            path.unlink()
    path = project / "out" / "strings.kk.po"
    po = polib.pofile(str(path))
    edit(po)
    po.save()
    before = snapshot(project)
    result = almanac("import", "out/strings.kk.po", cwd=project)
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and message in errors[0], result.output
    assert "Traceback" not in result.output
    assert snapshot(project) == before


def test_every_problem_of_a_strings_file_is_reported_at_once(project):
    almanac("export", "--all", "-l", "en", "-o", "out", cwd=project)
    path = project / "out" / "strings.en.po"
    po = polib.pofile(str(path))
    entry(po, "locales::pdf.download").msgstr = "Download {file}"
    entry(po, "locales::pdf.contents").msgstr = "<b>Contents</b>"
    po.save()
    result = almanac("import", "out", cwd=project)
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert result.exit_code == 1 and len(errors) == 2, result.output
    assert "'locales::pdf.download'" in errors[0] and "'locales::pdf.contents'" in errors[1]


def test_a_folder_mixing_languages_is_refused(project):
    almanac("export", "--all", "-l", "en", "-o", "out", cwd=project)
    almanac("export", "--all", "-l", "kk", "-o", "kk", cwd=project)
    shutil.copy(project / "kk" / "strings.kk.po", project / "out" / "strings.kk.po")
    before = snapshot(project)
    result = almanac("import", "out", cwd=project)
    assert result.exit_code == 1
    assert "Error: strings.kk.po, header Language 'kk': the other files here are in 'en'; expected one language " \
           "per folder." in result.output
    assert snapshot(project) == before


def test_export_all_usage_errors_are_one_line(project):
    result = almanac("export", "--all", "-o", "out", cwd=project)
    assert result.exit_code == 2 and "either -l LANG" in result.output
    result = almanac("export", "--all", "-l", "de", "-o", "out", cwd=project)
    assert result.exit_code == 2 and "'de': expected one of: en, kk" in result.output


def test_a_string_whose_russian_changed_since_export_is_left_out_with_a_warning(project):
    almanac("export", "--all", "-l", "kk", "-o", "out", cwd=project)
    path = project / "out" / "strings.kk.po"
    po = polib.pofile(str(path))
    entry(po, "locales::pdf.download").msgstr = "PDF жүктеу"
    entry(po, "locales::pdf.contents").msgstr = "Мазмұны (жаңа)"
    po.save()
    ru = project / "locales" / "ru.yml"
    ru.write_text(ru.read_text().replace('download: "Скачать PDF"', 'download: "Скачать в PDF"'))
    result = almanac("import", "out", cwd=project)
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning: strings.kk.po")]
    assert len(warnings) == 1 and "'locales::pdf.download': msgid is not the Russian text as it is now " \
                                  "('Скачать в PDF'); left out." in warnings[0]
    text = (project / "locales" / "kk.yml").read_text()
    assert 'download: "PDF жүктеп алу"' in text and 'contents: "Мазмұны (жаңа)"' in text
