"""Indicator data: schema errors, locale formatting, plural forms, tables, CSV and charts."""

from __future__ import annotations

import csv
import io
import logging
import re
import textwrap
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from almanac.errors import AlmanacError

from almanac import indicators, locales, markers
from tests.conftest import ROOT, run_mkdocs

TEMPLATES = ROOT / "overrides" / "partials" / "almanac"

VALID = textwrap.dedent("""\
    publication: demo-2024
    units:
      training:
        ru: {one: "тренинг", few: "тренинга", many: "тренингов"}
        en: {one: "training", other: "trainings"}
        kk: {one: "тренинг", other: "тренинг"}
    groups:
      - id: "1"
        caption: {ru: "Обучение", en: "Training", kk: "Оқыту"}
        section: "Глава 1"
    indicators:
      - id: "1.1"
        group: "1"
        label: {ru: "Проведено {value}", en: "{value} held", kk: "{value} өткізілді"}
        value: 4
        unit: training
        period: "2021–2024"
        section: "Глава 1, п. 1"
    """)


def write(tmp_path: Path, text: str, name: str = "demo-2024.yml") -> Path:
    folder = tmp_path / "data" / "indicators"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path, text, name="demo-2024.yml"):
    return indicators.load_dataset(write(tmp_path, text, name), tmp_path, {"demo-2024"})


def render(dataset, lang, markdown='{{ indicators("demo-2024", group="1") }}', warnings=None):
    renderer = markers.Renderer({dataset.publication: dataset}, locales.load(ROOT), lang, TEMPLATES, None,
                                (warnings if warnings is not None else []).append)
    return renderer.expand(markdown, "content/demo/index.md", "../assets/data/")


BAD_DATA = [
    ("publication: demo-2024\ngroups: [\n", "line 3: malformed YAML"),
    (VALID.replace("value: 4", 'value: "n/a"'), "line 15, 'value': expected a number, got 'n/a'."),
    (VALID.replace('    section: "Глава 1, п. 1"\n', ""), "line 12, 'section': required field is missing."),
    (VALID + VALID[VALID.index("  - id: \"1.1\""):], "line 19, 'id': duplicate indicator id '1.1'."),
    (VALID.replace('group: "1"', 'group: "9"'), "line 13, 'group': unknown group '9'"),
    (VALID.replace("unit: training", "unit: lesson"), "line 16, 'unit': unknown unit 'lesson'"),
    (VALID.replace("publication: demo-2024", "publication: nowhere"), "line 1, 'publication': unknown publication 'nowhere'"),
    (VALID.replace("period:", "perod:"), "line 17, 'perod': unknown field"),
    (VALID.replace('period: "2021–2024"', 'deadline: "2024-12"'),
     "line 17, 'deadline': expected one of {by_end_of: 2024}, {before: 2024} or {before: 2022-09}; got '2024-12'."),
    (VALID.replace('period: "2021–2024"', 'deadline: {by_end_of: 2024-12}'), "line 17, 'deadline': 'by_end_of' expects a year (YYYY), got '2024-12'."),
    (VALID.replace('period: "2021–2024"', 'deadline: {before: 2024-13}'), "line 17, 'deadline': 'before' expects a year (YYYY) or a month (YYYY-MM), got '2024-13'."),
    (VALID.replace('period: "2021–2024"', 'deadline: {until: 2024}'), "line 17, 'deadline': expected one of by_end_of, before"),
    (VALID.replace('period: "2021–2024"', 'period: "2021–2024"\n    deadline: {before: 2024}'), "line 18, 'deadline': give either a period (during) or a deadline, not both."),
    (VALID.replace("value: 4", "value: [3, 1]"), "line 15, 'value': expected a number or a range [low, high] with low < high, got [3, 1]."),
    (VALID.replace("value: 4", "value: [1, 2, 3]"), "line 15, 'value': expected a number or a range [low, high]"),
    (VALID.replace('period: "2021–2024"', 'every: fortnight'), "line 17, 'every': expected one of: week, month, quarter, half-year, year; got 'fortnight'."),
]


@pytest.mark.parametrize("text, fragment", BAD_DATA)
def test_bad_data_gives_one_line_naming_file_line_and_field(tmp_path, text, fragment):
    with pytest.raises(AlmanacError) as error:
        load(tmp_path, text)
    message = str(error.value)
    assert message.startswith("data/indicators/demo-2024.yml")
    assert fragment in message
    assert "\n" not in message


BAD_MARKERS = [
    ('{{ indicators("nowhere", group="1") }}', "content/demo/index.md, line 1: unknown publication 'nowhere'"),
    ('{{ indicators("demo-2024", group="7") }}', "line 1: unknown group '7'"),
    ('{{ chart("demo-2024", "pie") }}', "line 1: unknown chart 'pie'"),
    ('{{ indicators("demo-2024") }}', "line 1: indicators() needs group"),
    ('{{ indicators("demo-2024", grop="1") }}', "has no argument 'grop'"),
    ("{{ indicators(demo, group=1) }}", "arguments must be quoted text"),
    ('{{ indicators("demo-2024", group="1" }}', "cannot read the marker"),
]


@pytest.mark.parametrize("marker, fragment", BAD_MARKERS)
def test_bad_marker_names_page_and_line(tmp_path, marker, fragment):
    dataset = load(tmp_path, VALID)
    with pytest.raises(AlmanacError) as error:
        render(dataset, "ru", marker)
    assert fragment in str(error.value)
    assert str(error.value).startswith("content/demo/index.md, line 1")


@pytest.mark.parametrize("lang, value, expected", [
    ("ru", 1, "1\u00a0тренинг"), ("ru", 4, "4\u00a0тренинга"), ("ru", 12, "12\u00a0тренингов"),
    ("ru", 21, "21\u00a0тренинг"), ("ru", 1000, "1\u00a0000\u00a0тренингов"),
    ("en", 1, "1\u00a0training"), ("en", 1000, "1,000\u00a0trainings"),
    ("kk", 1000, "1\u00a0000\u00a0тренинг"),
])
def test_locale_numbers_and_plural_forms(tmp_path, lang, value, expected):
    dataset = load(tmp_path, VALID.replace("value: 4", f"value: {value}"))
    fmt = indicators.Formatter(dataset, lang, locales.load(ROOT), [].append)
    assert fmt.quantity(dataset.indicators["1.1"]) == expected


def test_percent_and_decimals_follow_the_locale(tmp_path):
    dataset = load(tmp_path, VALID.replace("value: 4\n    unit: training", "value: 0.24\n    unit: percent"))
    ind = dataset.indicators["1.1"]
    assert indicators.Formatter(dataset, "ru", locales.load(ROOT), [].append).quantity(ind) == "0,24\u00a0%"
    assert indicators.Formatter(dataset, "en", locales.load(ROOT), [].append).quantity(ind) == "0.24%"


def test_table_is_accessible_and_escapes_labels(tmp_path):
    dataset = load(tmp_path, VALID.replace('"Проведено {value}"', '"Проведено {value} <script>alert(1)</script>"'))
    html = render(dataset, "ru").markdown
    table = BeautifulSoup(html, "html.parser").find("table")
    assert table.caption.get_text() == "Обучение"
    assert table.find("th", scope="row").get_text() == "Проведено 4\u00a0тренинга <script>alert(1)</script>"
    assert "<script>" not in html


def test_missing_label_warns_and_falls_back(tmp_path):
    dataset = load(tmp_path, VALID.replace(', kk: "{value} өткізілді"', ""))
    warnings = []
    html = render(dataset, "kk", warnings=warnings).markdown
    assert BeautifulSoup(html, "html.parser").find("th", scope="row").get_text() == "Проведено 4\u00a0тренинг"
    assert set(warnings) == {"data/indicators/demo-2024.yml, line 12, indicator '1.1': no 'kk' label; showing the ru text."}


def test_missing_label_fails_a_strict_build(mini_project):
    data = mini_project / "data" / "indicators" / "demo-report-2023.yml"
    data.write_text(data.read_text(encoding="utf-8").replace(', en: "{value} held"', ""), encoding="utf-8")
    result = run_mkdocs(mini_project, mini_project / "site")
    assert result.returncode != 0
    assert "demo-report-2023.yml, line 13, indicator 'trainings': no 'en' label" in result.stderr


def test_csv_has_headers_in_the_readers_language(tmp_path):
    dataset = load(tmp_path, VALID)
    downloads = render(dataset, "en").downloads
    text = downloads["demo-2024-1.en.csv"]
    assert text.splitlines()[0] == "No.,Indicator,Target,Unit,Period or deadline,Source section"
    assert "4,trainings,2021–2024" in text


labels = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd", "Zs"), max_codepoint=0x4FF), min_size=1, max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(st.integers(0, 10**7), st.decimals(0, 10**5, places=2).map(float)), min_size=1, max_size=6),
       words=st.lists(labels, min_size=6, max_size=6), lang=st.sampled_from(["ru", "en", "kk"]))
def test_any_valid_data_file_renders_every_value(tmp_path, values, words, lang):
    items = []
    for i, value in enumerate(values):
        items.append(f'  - id: "i{i}"\n    group: "g"\n    label: {{ru: "{words[i].strip() or "x"} {{number}}", en: "{{number}} {words[i].strip() or "x"}", kk: "{{value}}"}}\n'
                     f'    value: {value!r}\n    unit: none\n    section: "s"\n')
    text = ('publication: demo-2024\ngroups:\n  - id: "g"\n    caption: {ru: "Г", en: "G", kk: "Г"}\n    section: "s"\n'
            "indicators:\n" + "".join(items))
    dataset = load(tmp_path, text)
    html = render(dataset, lang, '{{ indicators("demo-2024", group="g") }}').markdown
    fmt = indicators.Formatter(dataset, lang, locales.load(ROOT), [].append)
    for value in values:
        assert fmt.number(value) in html


def test_annual_report_shows_actuals_progress_and_chart(mini_project):
    result = run_mkdocs(mini_project, mini_project / "site")
    assert result.returncode == 0, result.stderr[-2000:]
    page = BeautifulSoup((mini_project / "site" / "demo-report-2023" / "index.html").read_text(encoding="utf-8"), "html.parser")
    headers = [th.get_text() for th in page.select(".almanac-indicators thead th")]
    assert headers == ["№", "Индикатор", "Целевое значение", "Период или срок", "Факт 2021", "Факт 2022", "Факт 2023", "Выполнено"]
    first = [td.get_text() for td in page.select(".almanac-indicators tbody tr")[0].find_all("td")]
    assert first[1:] == ["12\u00a0тренингов", "2021–2023", "3\u00a0тренинга", "4\u00a0тренинга", "2\u00a0тренинга", "75\u00a0%"]
    second = [td.get_text() for td in page.select(".almanac-indicators tbody tr")[1].find_all("td")]
    assert second[-1] == "75\u00a0%"  # percentages: the latest actual against the target
    svg = page.select_one(".almanac-chart svg")
    assert svg is not None and svg.find("text") is not None
    csv = (mini_project / "site" / "en" / "assets" / "data" / "demo-report-2023-results.en.csv").read_text(encoding="utf-8")
    assert csv.splitlines()[0].endswith("Actual 2021,Actual 2022,Actual 2023")


@pytest.mark.slow
def test_a_changed_number_redraws_its_chart_and_an_unchanged_build_draws_nothing(mini_project):
    def progress_texts():
        page = BeautifulSoup((mini_project / "site" / "demo-report-2023" / "index.html").read_text(encoding="utf-8"),
                             "html.parser")
        return " ".join(t.get_text() for t in page.select(".almanac-chart svg text"))

    assert run_mkdocs(mini_project, mini_project / "site").returncode == 0
    assert "75\u00a0%" in progress_texts()
    cached = sorted((mini_project / ".cache" / "almanac" / "charts").glob("*.svg"))
    assert cached, "drawn charts are kept in the cache"
    stamps = [p.stat().st_mtime_ns for p in cached]
    assert run_mkdocs(mini_project, mini_project / "site").returncode == 0
    assert [p.stat().st_mtime_ns for p in cached] == stamps
    assert sorted((mini_project / ".cache" / "almanac" / "charts").glob("*.svg")) == cached

    data = mini_project / "data" / "indicators" / "demo-report-2023.yml"
    data.write_text(data.read_text(encoding="utf-8").replace("2023: 2}", "2023: 6}"), encoding="utf-8")
    assert run_mkdocs(mini_project, mini_project / "site").returncode == 0
    assert "108\u00a0%" in progress_texts()  # (3 + 4 + 6) of 12 trainings


def test_charts_are_svg_with_text_in_the_built_site(built_site):
    for path, words in ((built_site / "enpud-2022-2024" / "index.html", ["30\u00a0%"]),
                        (built_site / "en" / "enpud-2022-2024" / "index.html", ["30%"]),
                        (built_site / "runpud-2021-2024" / "04-indicators" / "index.html", [])):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        svg = page.select_one(".almanac-chart svg")
        assert svg is not None, path
        assert svg.find("title").get_text() and svg.find("desc").get_text()
        texts = " ".join(t.get_text() for t in svg.find_all("text"))
        assert texts.strip(), path
        for word in words:
            assert word in texts
        assert "Almanac Sans" in str(svg)


def test_indicator_numbers_come_from_data_in_every_language(built_site):
    import json

    for lang, prefix, expected in (("ru", "", "12\u00a0вебинаров"), ("en", "en/", "12\u00a0webinars"),
                                   ("kk", "kk/", "12\u00a0")):
        page = (built_site / prefix / "runpud-2021-2024" / "03-goals" / "index.html").read_text(encoding="utf-8")
        assert expected in page, lang
    assert (built_site / "assets" / "data" / "runpud-2021-2024-1.2.ru.csv").exists()
    assert (built_site / "en" / "assets" / "data" / "runpud-2021-2024-1.2.en.csv").exists()


WORDED = textwrap.dedent("""\
    publication: demo-2024
    units:
      country:
        ru: {one: "страна", few: "страны", many: "стран", other: "страны"}
        en: {one: "country", other: "countries"}
        kk: {other: "ел"}
      meeting-a-year:
        ru: {one: "встреча в год", few: "встречи в год", many: "встреч в год"}
        en: {"=1": "once a year", "=2": "twice a year", other: "{n} times a year"}
        kk: {other: "жылына {n} рет"}
      growth:
        ru: {one: "увеличивается в {n} раз", few: "увеличивается в {n} раза", many: "увеличивается в {n} раз"}
        en: {"=2": "doubles", "=3": "triples", other: "grows {n}-fold"}
        kk: {other: "{n} есе ұлғаяды"}
    groups:
      - id: "g"
        caption: {ru: "Цели", en: "Goals", kk: "Мақсаттар"}
        section: "Глава 1"
    indicators:
      - {id: "range", group: "g", value: [1, 3], unit: country, deadline: {by_end_of: 2024}, section: "4.3.1",
         label: {ru: "Пакет предложений: {value}", en: "Package of proposals: {value}", kk: "Ұсыныстар пакеті: {value}"}}
      - {id: "share", group: "g", value: [10, 20], unit: percent, deadline: {before: 2022-09}, section: "1.7.1",
         label: {ru: "Доля: {value}", en: "Share: {value}", kk: "Үлес: {value}"}}
      - {id: "meet", group: "g", value: 1, unit: meeting-a-year, every: year, period: "2022–2024", section: "1.1.3",
         label: {ru: "Встречи: {value}", en: "Meetings: {value}", kk: "Кездесулер: {value}"}}
      - {id: "funds", group: "g", value: 2, unit: growth, every: year, section: "12.2",
         label: {ru: "Финансирование {value}", en: "Funding {value}", kk: "Қаржыландыру {value}"}}
      - {id: "weekly", group: "g", every: week, deadline: {before: 2024}, section: "1.5.1",
         label: {ru: "Встречи с членами", en: "Meetings with members", kk: "Мүшелермен кездесулер"}}
    """)

INLINE = ('- 4.3.1. Пакет – {{ value("demo-2024", "range") }} {{ value("demo-2024", "range", show="when") }}; '
          'доля {{ value("demo-2024", "share") }} ({{ value("demo-2024", "share", show="number") }}), '
          'встречи {{ value("demo-2024", "meet") }}, финансирование {{ value("demo-2024", "funds") }}; '
          'срок {{ value("demo-2024", "weekly", show="when") }}. Код: `{{ value("demo-2024", "range") }}`')


@pytest.mark.parametrize("lang, expected", [
    ("ru", ["1–3 страны", "к концу 2024 года", "10–20 %", "10–20", "1 встреча в год", "увеличивается в 2 раза",
            "еженедельно, до 2024 года"]),
    ("en", ["1–3 countries", "by the end of 2024", "10–20%", "10–20", "once a year", "doubles", "every week, before 2024"]),
    ("kk", ["1–3 ел", "2024 жылдың соңына дейін", "10–20%", "10–20", "жылына 1 рет", "2 есе ұлғаяды",
            "апта сайын, 2024 жылға дейін"]),
])
def test_inline_values_keep_the_sentence_and_say_what_the_source_says(tmp_path, lang, expected):
    dataset = load(tmp_path, WORDED)
    html = render(dataset, lang, INLINE).markdown
    values = re.findall(r'<span class="almanac-value">(.*?)</span>', html)
    assert [v.replace("\u00a0", " ") for v in values] == expected
    # In a code span the marker is shown, not expanded; the rest of the sentence is untouched.
    assert '`{{ value("demo-2024", "range") }}`' in html
    assert html.startswith("- 4.3.1. Пакет – ")


@pytest.mark.parametrize("lang, target, when", [
    ("ru", "1–3 страны", "к концу 2024 года"), ("en", "1–3 countries", "by the end of 2024"),
])
def test_a_range_is_two_bounds_in_table_and_csv(tmp_path, lang, target, when):
    dataset = load(tmp_path, WORDED)
    assert dataset.indicators["range"].value == (1, 3)
    expansion = render(dataset, lang, '{{ indicators("demo-2024", group="g") }}')
    assert target in expansion.markdown.replace("\u00a0", " ") and when in expansion.markdown
    rows = list(csv.reader(io.StringIO(expansion.downloads[f"demo-2024-g.{lang}.csv"])))
    assert rows[1][2] == "1–3" and rows[2][2] == "10–20" and rows[3][2] == "1"
    assert rows[1][4] == when
    # The CSV's unit column names the unit, not a worded number.
    assert rows[3][3] in ("встреча в год", "times a year")


@pytest.mark.parametrize("marker, fragment", [
    ('Текст {{ value("demo-2024", "nope") }}.', "line 3: unknown indicator 'nope' in data/indicators/demo-2024.yml."),
    ('Текст {{ value("other", "range") }}.', "line 3: unknown publication 'other' in value()"),
    ('Текст {{ value("demo-2024", "range", show="all") }}.', "line 3: value() show='all'; expected one of: value, number, when."),
    ('Текст {{ value("demo-2024") }}.', "line 3: value() needs indicator."),
    ('Текст {{ value("demo-2024", "weekly") }}.', "line 3: indicator 'weekly' of data/indicators/demo-2024.yml has no value."),
    ('Текст {{ value("demo-2024", "range" }}.', "line 3: cannot read the marker"),
])
def test_bad_inline_marker_names_page_and_line(tmp_path, marker, fragment):
    dataset = load(tmp_path, WORDED)
    with pytest.raises(AlmanacError) as error:
        render(dataset, "ru", "# Заголовок\n\n" + marker)
    assert str(error.value).startswith("content/demo/index.md, line 3: ")
    assert fragment in str(error.value)


def test_caption_names_a_period_only_where_the_group_gives_one(tmp_path):
    # A cell may carry its column's name for the phone layout (data-label); the period is its text.
    period_cell = re.compile(r"<td\b[^>]*>2021–2024</td>")
    plain = render(load(tmp_path, VALID), "ru").markdown
    assert "(2021–2024)" not in plain and period_cell.search(plain)
    given = render(load(tmp_path, VALID.replace('section: "Глава 1"\n', 'section: "Глава 1"\n    period: "2021–2024"\n')), "ru").markdown
    assert "<caption>Обучение (2021–2024)</caption>" in given and not period_cell.search(given)
