"""Key figures and charts say what they count (issue 21, item 4), checked on the built site and in the core.

- every key figure has a label and, where it is a share, its base («30 % ресурсов»); no number is said twice;
- a unit's standalone form stands alone (kk «бес филиал»), its in-sentence form stays in the sentence;
- the source's bound on a quantity is kept where it stands alone («минимум», "at least");
- a bar chart puts each unit on an axis of its own, titled and ticked; every chart's table has a caption.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from almanac.errors import AlmanacError
from tests.test_data_input import DATA, changed, load


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def figures(site, page: str) -> dict[str, tuple[str, str]]:
    return {li["data-indicator"]: (li.select_one(".almanac-figure__value").get_text(),
                                   li.select_one(".almanac-figure__label").get_text())
            for li in soup(site / page).select("li.almanac-figure")}


@pytest.mark.parametrize("page, expected", [
    ("enpud-2022-2024/index.html", {
        "resources-1": ("30\u00a0% ресурсов", "Развитие единства и профессиональных компетенций Сообщества"),
        "resources-2": ("20\u00a0% ресурсов", "Изменение общественного мнения"),
        "1.1.2": ("50\u00a0% членов ЕСЛУН", "вместе выполнили работу и провели рефлексию по выученным урокам")}),
    ("en/enpud-2022-2024/index.html", {
        "resources-4": ("30% of resources", "Humanising legislation and law-enforcement practice"),
        "1.1.2": ("50% of ENPUD members", "have done the work together and reflected on the lessons learned")}),
    ("runpud-2021-2024/index.html", {
        "ch3-4.1": ("40\u00a0новых членов", "Новые члены RuNPUD"),
        "ch3-9.3": ("800", "задокументировано случаев нарушений прав")}),
    ("kk/runpud-2021-2024/index.html", {"ch3-9.3": ("800", "құқықтардың бұзылуының құжатталған жағдайлары")}),
    ("kibhr-2015-2018/index.html", {"direction-1.1": ("не менее 50\u00a0рекомендаций", "Мониторинг выполнения рекомендаций"),
                                    "project-4.1": ("пять филиалов", "Филиалы и представительства в проекте")}),
    ("kk/kibhr-2015-2018/index.html", {"project-4.1": ("бес филиал", "Жобадағы филиалдар мен өкілдіктер"),
                                       "direction-1.1": ("кемінде 50\u00a0ұсыным", "Ұсынымдардың орындалуын мониторингілеу")}),
    ("en/kibhr-2015-2018/index.html", {"direction-1.1": ("at least 50\u00a0recommendations",
                                                         "Monitoring the implementation of recommendations")}),
])
def test_key_figures_say_what_they_count(built_site, page, expected):
    shown = figures(built_site, page)
    for ident, (value, label) in expected.items():
        assert shown[ident] == (value, label), ident


def test_no_key_figure_is_unlabelled_or_says_its_number_twice(built_site):
    pages = [p for p in built_site.rglob("index.html") if soup(p).select("li.almanac-figure")]
    assert len(pages) >= 9
    for path in pages:
        for ident, (value, label) in figures(built_site, path.relative_to(built_site).as_posix()).items():
            assert re.search(r"\w", label), f"{path}: {ident} has no label"
            for number in re.findall(r"\d+", value):
                assert not re.search(rf"(?<!\d){number}(?!\d)", label), f"{path}: {ident} says {number} twice"


def test_the_kazakh_sentence_keeps_its_in_sentence_form(built_site):
    text = soup(built_site / "kk" / "kibhr-2015-2018" / "06-projects" / "index.html").select_one("article").get_text()
    assert "бес филиалы мен өкілдігін" in text


@pytest.mark.parametrize("page, target", [("enpud-2022-2024/02-goal-2/index.html", "минимум 4\u00a0кампании"),
                                          ("en/enpud-2022-2024/02-goal-2/index.html", "at least 4\u00a0campaigns")])
def test_a_summary_row_keeps_the_source_s_bound(built_site, page, target):
    rows = soup(built_site / page).select("#ind-enpud-2022-2024-2-2 tbody tr")
    cells = {row.th.get_text(" ", strip=True)[:6]: [td.get_text() for td in row.select("td")] for row in rows}
    assert target in cells["2.2.3."], cells


@pytest.mark.parametrize("lang, axes", [
    ("", ["Количество обучающих модулей", "Количество вебинаров", "Количество тренингов", "Количество школ",
          "Количество адвокационных кампаний", "Количество брошюр", "Количество электронных брошюр",
          "Количество бумажных брошюр", "Количество международных мероприятий"]),
    ("en/", ["Number of training modules", "Number of webinars", "Number of trainings", "Number of schools",
             "Number of advocacy campaigns", "Number of brochures", "Number of electronic brochures",
             "Number of printed brochures", "Number of international events"]),
    ("kk/", ["оқу модулі саны", "вебинар саны", "тренинг саны", "мектеп саны", "адвокациялық науқан саны",
             "брошюра саны", "электрондық брошюра саны", "қағаз брошюра саны", "халықаралық іс-шара саны"]),
])
def test_a_bar_chart_gives_each_unit_an_axis_of_its_own(built_site, lang, axes):
    chart = soup(built_site / f"{lang}runpud-2021-2024" / "04-indicators" / "index.html").select_one(
        "#chart-runpud-2021-2024-activity-targets")
    for svg in chart.select("svg.almanac-chart__svg"):
        panels = svg.select('g[id*="-axes_"]')
        assert len(panels) == len(axes), "one panel per unit"
        texts = [" ".join(t.get_text(" ", strip=True) for t in panel.select("text")) for panel in panels]
        for text, axis in zip(texts, axes):
            assert axis in text, (axis, text)
            assert re.search(r"\b0\b", text) and len(re.findall(r"\b\d+\b", text)) >= 4, f"no ticks: {text}"


def test_every_chart_table_has_its_caption(built_site):
    charts = [c for p in built_site.rglob("*.html") for c in soup(p).select("div.almanac-chart")]
    assert len(charts) >= 6
    for chart in charts:
        caption = chart.select_one("details table > caption")
        assert caption is not None and caption.get_text() == chart.select_one("figcaption").get_text()


STANDALONE_BASE = changed('en: {one: "training", other: "trainings"}',
                          'en: {one: "training", other: "trainings", standalone: {other: "sessions"}}')


def test_standalone_forms_are_used_where_a_quantity_stands_alone(tmp_path):
    from almanac import locales
    from almanac.indicators import Formatter
    from tests.conftest import ROOT

    dataset = load(tmp_path, STANDALONE_BASE)
    fmt = Formatter(dataset, "en", locales.load(ROOT), pytest.fail)
    indicator = dataset.indicators["a"]
    assert fmt.quantity(indicator) == "4\u00a0trainings"
    assert fmt.quantity(indicator, standalone=True) == "4\u00a0sessions"


@pytest.mark.parametrize("old, new, fragment", [
    ('en: {one: "training", other: "trainings"}', 'en: {one: "training", other: "trainings", standalone: "sessions"}',
     f"{DATA}, line 5, 'units.training.en.standalone': expected the forms of the quantity standing alone, by plural "
     "category or exact number, e.g. standalone: {\"=5\": \"бес филиал\"}; got 'sessions'."),
    ('en: {one: "training", other: "trainings"}', 'en: {one: "training", other: "trainings", standalone: {lots: "x"}}',
     "line 5, 'units.training.en.standalone.lots': expected a plural category (zero, one, two, few, many, other) or "
     "an exact number such as \"=5\", got 'lots'."),
    ('en: {one: "training", other: "trainings"}', 'en: {one: "training", plenty: "trainings"}',
     "line 5, 'units.training.en.plenty': expected a plural category (zero, one, two, few, many, other, standalone)"),
    ('en: {one: "training", other: "trainings"}', 'en: {one: "training", other: "trainings", standalone: {other: ""}}',
     "line 5, 'units.training.en.standalone.other': expected text, got ''."),
    ('    short: {ru: "Тренинги", en: "Trainings"}\n', '    highlight: true\n',
     f"{DATA}, line 13, 'label': label 'ru' is only the figure ('{{value}}.'); a key figure (highlight: true) needs a 'short' label"),
    ('    short: {ru: "Тренинги", en: "Trainings"}\n', '    short: {ru: "Тренинги", en: "Trainings"}\n'
     '    base: {ru: ""}\n', "line 17, 'base': expected text for 'ru', got ''"),
])
def test_bad_unit_forms_and_figures_are_one_line(tmp_path, old, new, fragment):
    text = changed(old, new).replace('ru: "Проведено {value}"', 'ru: "{value}."') if "highlight" in new else \
        changed(old, new)
    with pytest.raises(AlmanacError) as error:
        load(tmp_path, text)
    assert "\n" not in str(error.value) and fragment in str(error.value), str(error.value)


def test_a_pie_chart_of_two_units_is_refused(tmp_path):
    text = changed("type: bar", "type: pie")
    with pytest.raises(AlmanacError, match=r"line 31, 'indicators': a pie chart shows shares of one whole, so its "
                                           r"slices need one unit; got percent, training\."):
        load(tmp_path, text)


# --- ЕСЛУН's dated steps (issue 21, item 7) -------------------------------------------------------------


@pytest.mark.parametrize("page, when", [("enpud-2022-2024/04-goal-4/index.html", "ежегодно, март 2023, март 2024"),
                                        ("en/enpud-2022-2024/04-goal-4/index.html", "every year, March 2023, March 2024")])
def test_4_1_3_keeps_its_months(built_site, page, when):
    row = next(r for r in soup(built_site / page).select("#ind-enpud-2022-2024-4-1 tbody tr")
               if r.th.get_text().startswith("4.1.3."))
    assert when in [td.get_text() for td in row.select("td")]


def _item_text(site, lang: str, number: str) -> str:
    prefix = "" if lang == "ru" else f"{lang}/"
    for path in sorted((site / f"{prefix}enpud-2022-2024").glob("0?-goal-?/index.html")):
        for item in soup(path).select("article li"):
            text = " ".join(item.get_text(" ", strip=True).split())
            if text.startswith(f"{number}. ") or (number == "1.7.4" and text.startswith("Утверждение Общим")) or \
                    (number == "1.7.4" and text.startswith("Approval by the General Meeting")):
                return text
    raise AssertionError(f"no item {number} in {lang}")


def test_every_dated_step_of_enpud_is_in_the_open_data_as_its_chapter_words_it(built_site):
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO((built_site / "data" / "enpud-2022-2024" / "milestones.csv")
                                           .read_text(encoding="utf-8"))))
    assert len(rows) == 30
    for row in rows:
        number = row["id"].split("-")[0]
        for lang in ("ru", "en"):
            assert row[f"when_{lang}"] in _item_text(built_site, lang, number), (row["id"], lang)
        assert (row["due_kind"] and re.fullmatch(r"\d{4}(-\d\d)?", row["due"])) or row["period"], row["id"]
    by_id = {row["id"]: row for row in rows}
    assert (by_id["1.5.2"]["due_kind"], by_id["1.5.2"]["due"]) == ("in", "2022-09")
    assert (by_id["4.1.1"]["due_kind"], by_id["4.1.1"]["due"]) == ("by_end_of", "2023")
    assert not any(row["when_kk"] for row in rows), "no Kazakh text in the source: the column stays empty"


def test_a_milestone_with_a_bad_date_is_one_line(tmp_path):
    text = changed("charts:", 'milestones:\n  - {id: m, section: s, text: {ru: "x"}, due: {in: 2022-13}}\ncharts:')
    with pytest.raises(AlmanacError, match=r"demo-2024.yml, line \d+, 'due': 'in' expects a year \(YYYY\) or a month "
                                           r"\(YYYY-MM\), got '2022-13'"):
        load(tmp_path, text)
