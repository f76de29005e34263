"""Indicator data: schema errors, locale formatting, plural forms, tables, CSV and charts."""

from __future__ import annotations

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
    (VALID.replace('deadline', 'x').replace('period: "2021–2024"', 'deadline: "2024-13"'), "'deadline': expected YYYY, YYYY-MM or YYYY-MM-DD, got '2024-13'."),
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
    assert table.caption.get_text() == "Обучение (2021–2024)"
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
    svg = page.select_one("figure.almanac-chart svg")
    assert svg is not None and svg.find("text") is not None
    csv = (mini_project / "site" / "en" / "assets" / "data" / "demo-report-2023-results.en.csv").read_text(encoding="utf-8")
    assert csv.splitlines()[0].endswith("Actual 2021,Actual 2022,Actual 2023")


def test_a_changed_number_redraws_its_chart_and_an_unchanged_build_draws_nothing(mini_project):
    def progress_texts():
        page = BeautifulSoup((mini_project / "site" / "demo-report-2023" / "index.html").read_text(encoding="utf-8"),
                             "html.parser")
        return " ".join(t.get_text() for t in page.select("figure.almanac-chart svg text"))

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
        svg = page.select_one("figure.almanac-chart svg")
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
