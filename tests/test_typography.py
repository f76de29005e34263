"""Book typography in the PDF brochures (issue 18): footnotes on their call's page, the measure, tables,
a short introduction on the contents page, quotes, year ranges, no lone hyphenated fragments.

Renders one synthetic brochure per language through the PDF worker (`almanac.pdf.render`), with the
project's real templates, stylesheets and fonts and the cover of a real publication: a short
introduction, then a chapter of dense text with 30 footnotes of mixed lengths (web addresses among
them), tables of 2 and 6 rows at every height on the page, a long table, quotes, year ranges and a
note box set at many widths. Russian and Kazakh in the screen edition, English in the printer's. Reads
the PDFs back with pypdf and pdftotext. The real site's PDFs (the session's `built_site`) are checked
for footnotes too. Writes only into a temporary folder, and the fonts' cache as a build does.
"""

from __future__ import annotations

import collections
import functools
import random
import re
import statistics
import subprocess
from pathlib import Path

import markdown
import pytest
from pypdf import PdfReader

from almanac import brochures, context, fonts, pdf, typography
from almanac.project import Project
from tests.conftest import LANGUAGES, ROOT

SLUG = "runpud-2021-2024"   # whose cover the synthetic brochures borrow
NOTES = 30
EDITIONS = {"ru": False, "en": True, "kk": False}   # language -> printer's edition
CONTINUED = {"ru": "(продолжение)", "en": "(continued)", "kk": "(жалғасы)"}

SENTENCES = {
    "ru": ["Сеть объединяет людей, употребляющих наркотики, в странах Восточной Европы и Центральной Азии.",
           "Участники сети вместе защищают свои права и здоровье, опираясь на опыт сообщества.",
           "За отчётный период организация провела обучающие мероприятия для новых членов из разных стран.",
           "Программы снижения вреда остаются главным инструментом профилактики ВИЧ и вирусных гепатитов.",
           "Финансирование этих программ сокращается, и сообществу приходится искать новые источники средств.",
           "Документирование нарушений прав человека помогает адвокации на национальном и международном уровнях.",
           "Правление утверждает стратегию, а исполнительный директор отвечает за её выполнение.",
           "Каждая страна-участница готовит ежегодный отчёт о своей деятельности и достигнутых результатах.",
           "Сотрудничество с партнёрами позволяет расширять доступ к услугам для людей, живущих с ВИЧ.",
           "Организация поддерживает тех, кто находится в местах лишения свободы, и их близких."],
    "en": ["The network brings together people who use drugs in Eastern Europe and Central Asia.",
           "Its members defend their rights and health together, drawing on the experience of the community.",
           "Over the reporting period the organisation trained new members from several countries of the region.",
           "Harm reduction programmes remain the main tool for preventing HIV and viral hepatitis.",
           "Funding for these programmes is shrinking, and the community has to look for new sources of support.",
           "Documenting human rights violations supports advocacy at the national and international levels.",
           "The board approves the strategy, and the executive director is responsible for carrying it out.",
           "Each member country prepares an annual report on its activities and the results it has achieved.",
           "Cooperation with partners widens access to services for people living with HIV.",
           "The organisation supports people in places of detention and their families."],
    "kk": ["Желі Шығыс Еуропа мен Орталық Азия елдеріндегі есірткі тұтынатын адамдарды біріктіреді.",
           "Желі мүшелері қауымдастық тәжірибесіне сүйене отырып, өз құқықтары мен денсаулығын бірге қорғайды.",
           "Есепті кезеңде ұйым әртүрлі елдерден келген жаңа мүшелерге арналған оқыту іс-шараларын өткізді.",
           "Зиянды азайту бағдарламалары АИТВ мен вирустық гепатиттің алдын алудың басты құралы болып қала береді.",
           "Бұл бағдарламаларды қаржыландыру азайып келеді, сондықтан қауымдастық жаңа қаражат көздерін іздейді.",
           "Адам құқықтарының бұзылуын құжаттау ұлттық және халықаралық деңгейдегі адвокацияға көмектеседі.",
           "Басқарма стратегияны бекітеді, ал атқарушы директор оның орындалуына жауап береді.",
           "Әр қатысушы ел өз қызметі мен қол жеткізген нәтижелері туралы жыл сайынғы есеп дайындайды.",
           "Серіктестермен ынтымақтастық АИТВ-мен өмір сүретін адамдар үшін қызметтерге қолжетімділікті кеңейтеді.",
           "Ұйым бас бостандығынан айыру орындарындағы адамдарды және олардың жақындарын қолдайды."],
}
WORDS = {"ru": ("Таблица", "Строка", "Показатель", "Значение", "Список", "Введение", "Основной текст",
                "Примечание"),
         "en": ("Table", "Row", "Indicator", "Value", "List", "Introduction", "Main text", "Note"),
         "kk": ("Кесте", "Жол", "Көрсеткіш", "Мәні", "Тізім", "Кіріспе", "Негізгі мәтін", "Ескерту")}
QUOTED = {"ru": 'Сеть назвала программу "Голос сообщества" и её раздел "Право на "Здоровье"".',
          "en": 'The network called the programme "Voice of the Community", with a part called "Right to \'Health\'".',
          "kk": 'Желі бағдарламаны "Қауымдастық үні" деп атады.'}
URL = "https://www.example.org/reports/2024/harm-reduction/community-led-responses-eastern-europe.pdf"
BOX = ("В исходном документе здесь была органиграмма организационной структуры RuNPUD; при извлечении текста "
       'она не сохранилась. Структура описана словами в разделе «Наша организационная структура» главы '
       '<a href="#intro">Введение</a>.')


@pytest.fixture(scope="module")
def brochures_pdf(tmp_path_factory) -> dict[str, Path]:
    """The synthetic brochure in each language, rendered as `make site` (or `make print`) renders."""
    folder = tmp_path_factory.mktemp("typography")
    project = Project.load(ROOT, ROOT / "content", LANGUAGES, {})
    pub = project.by_slug[SLUG]
    out = {}
    for lang, print_edition in EDITIONS.items():
        captured = {pub.chapters[0]: _chapter("intro", _introduction(lang), lang),
                    pub.chapters[1]: _chapter("main", _main(lang), lang)}
        job = brochures.job(project, SLUG, lang, captured, "https://almanac.example.org/", print_edition, "test",
                            folder)
        job.cache_path = folder / f"{lang}.pdf"
        css = brochures.stylesheet(ROOT / "overrides" / "print", print_edition)
        css = fonts.with_ttf_sources(css, context.fonts_dir(ROOT), context.cache_dir(ROOT, "fonts"))
        name, pages, seconds, error = pdf.render(job, css, str(ROOT))
        assert error is None, error
        out[lang] = job.cache_path
    return out


# Footnotes ---------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("lang", list(EDITIONS))
def test_every_note_is_on_its_calls_page(brochures_pdf, lang):
    calls, notes, _ = footnotes(brochures_pdf[lang])
    assert sorted(calls) == sorted(notes) == list(range(1, NOTES + 1)), (calls, notes)
    moved = {n: (calls[n], notes[n]) for n in calls if calls[n] != notes[n]}
    assert not moved, f"{lang}: notes (call page, note page): {moved}"
    # Notes share pages: the first page of notes holds several, not one as WeasyPrint#2502 leaves them.
    assert max(collections.Counter(notes.values()).values()) >= 3


@pytest.mark.slow
@pytest.mark.parametrize("lang", list(EDITIONS))
def test_a_notes_marker_shares_the_line_of_its_text(brochures_pdf, lang):
    _, _, alone = footnotes(brochures_pdf[lang])
    assert not alone, f"{lang}: markers alone on their line: {alone}"


@pytest.mark.slow
def test_every_note_of_the_sites_pdfs_is_on_its_calls_page(built_site):
    # The publications with notes (INPUD 2025–2029), in every language; the others have none to check.
    slugs = {path.parent.name for path in (ROOT / "content").glob("*/*.md") if "[^" in path.read_text(encoding="utf-8")}
    checked = 0
    for path in sorted(path for slug in slugs for path in (built_site / "pdf").glob(f"{slug}.*.pdf")):
        calls, notes, alone = footnotes(path)
        assert calls.keys() == notes.keys(), path.name
        assert {n: (calls[n], notes[n]) for n in calls if calls[n] != notes[n]} == {}, path.name
        assert not alone, path.name
        checked += len(calls)
    assert checked >= 9   # INPUD 2025–2029 has three notes in each language


# The measure, tables, the introduction --------------------------------------------------------------------

@pytest.mark.slow
def test_the_sites_russian_pdfs_have_a_books_measure(built_site):
    for path in sorted((built_site / "pdf").glob("*.ru.pdf")):
        assert statistics.median(len(line) for line in body_lines(path)) <= 80, path.name


@pytest.mark.slow
@pytest.mark.parametrize("lang, most", [("ru", 80), ("kk", 80), ("en", 80)])
def test_the_measure_is_a_books(brochures_pdf, lang, most):
    lengths = [len(line) for line in body_lines(brochures_pdf[lang])]
    assert len(lengths) > 200
    assert 55 <= statistics.median(lengths) <= most


@pytest.mark.slow
@pytest.mark.parametrize("lang", list(EDITIONS))
def test_short_tables_are_whole_and_captions_stay_with_their_tables(brochures_pdf, lang):
    table, row = WORDS[lang][:2]
    pages = page_texts(brochures_pdf[lang])
    for number in range(1, 25):
        caption = [i for i, text in enumerate(pages) if f"{table} {number}." in text]
        rows = {i for i, text in enumerate(pages) for k in range(1, 7) if f"{row} {number}.{k} " in text}
        assert len(caption) == 1 and rows, f"{lang}: table {number}: caption on pages {caption}, rows on {rows}"
        assert rows == set(caption), f"{lang}: table {number}: caption on page {caption}, rows on {sorted(rows)}"


@pytest.mark.slow
@pytest.mark.parametrize("lang", list(EDITIONS))
def test_a_continued_table_repeats_its_header_and_says_so(brochures_pdf, lang):
    table, row, indicator = WORDS[lang][:3]
    pages = page_texts(brochures_pdf[lang])
    on = sorted({i for i, text in enumerate(pages) for k in range(1, 61) if f"{row} 99.{k} " in text})
    assert len(on) >= 2, f"{lang}: the long table should run over pages, is on {on}"
    assert f"{table} 99." in pages[on[0]] and CONTINUED[lang] not in pages[on[0]]
    for page in on[1:]:
        assert f"{table} 99. {CONTINUED[lang]}" in pages[page], f"{lang}: page {page + 1}"
        assert indicator in pages[page], f"{lang}: page {page + 1} lacks the header row"


@pytest.mark.slow
@pytest.mark.parametrize("lang", list(EDITIONS))
def test_a_short_introduction_shares_the_contents_page(brochures_pdf, lang):
    pages = page_texts(brochures_pdf[lang])
    contents = next(i for i, text in enumerate(pages) if WORDS[lang][5] in text and WORDS[lang][6] in text)
    assert SENTENCES[lang][0][:30] in pages[contents]


# Quotes, year ranges, hyphenation --------------------------------------------------------------------------

@pytest.mark.parametrize("lang, expected", [
    ("ru", "«Голос сообщества» и её раздел «Право на „Здоровье“»."),
    ("en", "“Voice of the Community”, with a part called “Right to ‘Health’”."),
    ("kk", "«Қауымдастық үні» деп атады."),
])
@pytest.mark.slow
def test_quotes_are_the_languages_in_the_pdf(brochures_pdf, lang, expected):
    text = " ".join(page_texts(brochures_pdf[lang]))
    assert expected in text
    assert 'print("x")' in text   # code keeps its straight quotes


@pytest.mark.slow
def test_year_ranges_and_years_with_their_abbreviation_never_break(brochures_pdf):
    for lang, path in brochures_pdf.items():
        lines = layout_lines(path)
        broken = [line for line in lines if re.search(r"\b(19|20)\d\d\s?[–—-]$", line)
                  or re.match(r"^\s*(гг?|жж?)\.", line)]
        assert not broken, f"{lang}: {broken[:5]}"
        assert sum("2021–2024" in line for line in lines) > 20


@pytest.mark.slow
def test_no_hyphenated_fragment_is_alone_on_a_line(brochures_pdf):
    for lang, path in brochures_pdf.items():
        alone = [line for line in layout_lines(path) if re.fullmatch(r"\s*\w{1,8}-\s*", line)]
        assert not alone, f"{lang}: {alone}"


@pytest.mark.parametrize("html, expected", [
    ('<p lang="ru">Он сказал: "Да".</p>', "Он сказал: «Да»."),
    ('<p lang="ru">"Сеть "Ассоциация""</p>', "«Сеть „Ассоциация“»"),
    ('<p lang="ru">«Сеть "Ассоциация"»</p>', "«Сеть „Ассоциация“»"),
    ('<p lang="kk">"Желі"</p>', "«Желі»"),
    ('<p lang="en">"The "Right" way" isn\'t it</p>', "“The ‘Right’ way” isn’t it"),
    ('<p lang="ru">См. "<a href="#x">раздел</a>" и "<em>главу</em>".</p>', "См. «раздел» и «главу»."),
    ('<div lang="en"><p lang="ru">"Да"</p><p>"Yes"</p></div>', "«Да»“Yes”"),
])
def test_quotes_follow_the_language_of_the_element(html, expected):
    soup = _soup(typography.typeset(html))
    assert soup.get_text() == expected


def test_an_unpaired_quote_is_kept_as_written():
    # INPUD 2025–2029's editorial notes quote the source's stray closing quotation mark.
    html = '<tr lang="ru"><td>«« Готовность INPUD … со стороны государства."» (закрывающая прямая)</td><td>"пара"</td></tr>'
    cells = [cell.get_text() for cell in _soup(typography.typeset(html)).find_all("td")]
    assert cells == ["«« Готовность INPUD … со стороны государства.\"» (закрывающая прямая)", "«пара»"]


def test_quotes_leave_code_urls_and_attributes_alone():
    html = ('<p lang="ru" title="a &quot;b&quot;">Код <code>print("x")</code>, адрес '
            '<a href="https://e.org/?q=%22a%22">https://e.org/it\'s"</a> и https://e.org/o\'k "в тексте".</p>'
            '<pre>"как есть"</pre>')
    soup = _soup(typography.typeset(html))
    assert soup.p["title"] == 'a "b"' and soup.a["href"] == "https://e.org/?q=%22a%22"
    assert soup.code.get_text() == 'print("x")' and soup.pre.get_text() == '"как есть"'
    assert soup.a.get_text().strip() == "https://e.org/it's\""
    assert "https://e.org/o'k «в тексте»" in soup.p.get_text()


def test_year_ranges_are_wrapped_and_text_kept():
    html = '<h1 lang="ru">План на 2021–2024 гг. и 2025-2029 годы, тел. 123-4567, см. стр. 43</h1>'
    soup = _soup(typography.typeset(html))
    assert [span.get_text() for span in soup.select(".typo-nowrap")] == ["2021–2024", "2025-2029"]
    assert soup.get_text() == "План на 2021–2024\u00a0гг. и 2025-2029 годы, тел. 123-4567, см. стр.\u00a043"


def test_a_space_before_an_inline_element_moves_but_code_and_addresses_stay_as_written():
    html = ('<p lang="ru">Слово <a href="#x">ссылка</a>, код <code>x = 1</code>, годы 2021–2024 и адрес '
            "https://inpud.net/plan-2021-2024/</p>")
    soup = _soup(typography.typeset(html))
    assert soup.a.get_text() == " ссылка" and soup.code.get_text() == "x = 1"
    assert [span.get_text() for span in soup.select(".typo-space")] == [" ", " "]
    assert [span.get_text() for span in soup.select(".typo-nowrap")] == ["2021–2024"]
    assert soup.get_text() == "Слово ссылка, код x = 1, годы 2021–2024 и адрес https://inpud.net/plan-2021-2024/"


def test_a_continued_table_is_named_in_its_own_language():
    """A chapter given in its original language (Russian in the English edition) says «(продолжение)»."""
    rows = "".join(f"<tr><td>{k}</td></tr>" for k in range(10))
    html = typography.typeset(f'<html lang="en"><body><article id="c1" lang="ru"><h2>Исправления</h2>'
                              f"<table><thead><tr><th>Где</th></tr></thead><tbody>{rows}</tbody></table>"
                              "</article></body></html>")
    problem = typography._Problem("c1", 3, table="0", row=7, widths=[300.0])
    soup = _soup(typography._mend(html, [problem], {"ru": "(продолжение)", "en": "(continued)"}))
    first, second = soup.find_all("table")
    assert [len(table.tbody.find_all("tr")) for table in (first, second)] == [7, 3]
    assert second.thead.tr.get_text() == "Исправления (продолжение)" and "typo-continued" in second["class"]
    assert [col["style"] for col in second.find_all("col")] == ["width: 300.0px"]


# The synthetic brochure ---------------------------------------------------------------------------------------

def _chapter(name: str, html: str, lang: str) -> pdf.Chapter:
    title = re.search(r"<h1[^>]*>(.*?)</h1>", html).group(1)
    return pdf.Chapter(src=f"content/{SLUG}/{name}.md", title=title, html=html, lang=lang, url=f"{SLUG}/{name}/")


def _introduction(lang: str) -> str:
    return f"<h1>{WORDS[lang][5]}</h1>\n<p>{SENTENCES[lang][0]} {SENTENCES[lang][1]}</p>"


def _main(lang: str) -> str:
    """Dense text with NOTES footnotes, tables of 2 and 6 rows after ever more text, a long table, quotes,
    years, and a note box at widths where WeasyPrint would strand a hyphenated fragment."""
    rng = random.Random(18)
    sentences = SENTENCES[lang]
    table, row, indicator, value, _, _, main, note = WORDS[lang]
    parts = [f"# {main}\n"]
    for number in range(1, NOTES + 1):
        paragraph = [rng.choice(sentences) for _ in range(rng.randint(3, 8))]
        paragraph.insert(rng.randint(1, len(paragraph) - 1), f"2021–2024 {'гг.' if lang == 'ru' else ''}".strip())
        position = rng.randint(0, len(paragraph) - 1)
        paragraph[position] = paragraph[position].rstrip(".") + f"[^{number}]."
        parts.append(" ".join(paragraph) + "\n")
    parts.append(QUOTED[lang] + ' `print("x")`\n')
    parts.append(" ".join(f"{rng.choice(sentences)} В 2021–2024 гг. и в 2025–2029 гг." if lang == "ru" else
                          f"{rng.choice(sentences)} 2021–2024, 2025–2029." for _ in range(30)) + "\n")
    for number in range(1, 25):
        rows = 2 if number % 2 else 6
        parts.append(" ".join(rng.choice(sentences) for _ in range(number % 5 + 1)) + "\n")
        parts.append(f"<table><caption>{table} {number}. {indicator}</caption><thead><tr><th>{indicator}</th>"
                     f"<th>{value}</th></tr></thead><tbody>"
                     + "".join(f"<tr><td>{row} {number}.{k} </td><td>{k * 10}</td></tr>" for k in range(1, rows + 1))
                     + "</tbody></table>\n")
    parts.append(f"<table><caption>{table} 99.</caption><thead><tr><th>{indicator}</th><th>{value}</th></tr>"
                 "</thead><tbody>" + "".join(f"<tr><td>{row} 99.{k} {rng.choice(sentences)}</td><td>{k}</td></tr>"
                                            for k in range(1, 61)) + "</tbody></table>\n")
    for tenth in range(1500, 1660, 5):
        parts.append(f'<div class="admonition" style="width: {tenth / 10}mm; max-width: none">'
                     f'<p class="admonition-title">{note}</p><p>{BOX}</p></div>\n')
    parts.append("\n".join(_note(number, rng, sentences) for number in range(1, NOTES + 1)) + "\n")
    return markdown.markdown("\n".join(parts), extensions=["footnotes", "tables"])


def _note(number: int, rng: random.Random, sentences: list[str]) -> str:
    kind = number % 5
    text = {0: f"<{URL}>", 1: f"{URL} {rng.choice(sentences)}", 2: rng.choice(sentences),
            3: " ".join(rng.choice(sentences) for _ in range(5)), 4: "Ibid., p. 12."}[kind]
    return f"[^{number}]: {text}"


# Reading the PDFs --------------------------------------------------------------------------------------------

def footnotes(path: Path) -> tuple[dict[int, int], dict[int, int], list[int]]:
    """Where each note is called and set: {number: page} for the calls (digits set well below the text size)
    and the notes (their markers, "n."), and the markers that stand alone on their line."""
    calls: dict[int, int] = {}
    notes: dict[int, int] = {}
    alone: list[int] = []
    for number, chunks in enumerate(_chunks(path), start=1):
        sizes = collections.Counter()
        for size, _, text in chunks:
            sizes[size] += len(text.strip())
        if not sizes:
            continue
        body = sizes.most_common(1)[0][0]
        for index, (size, y, text) in enumerate(chunks):
            stripped = text.strip()
            if re.fullmatch(r"\d+", stripped) and size < 0.75 * body:
                calls.setdefault(int(stripped), number)
            elif (marker := re.fullmatch(r"(\d+)\.", stripped)) and size < 0.9 * body:
                notes.setdefault(int(marker.group(1)), number)
                if not any(other_y == y and other.strip() and other_index != index
                           for other_index, (_, other_y, other) in enumerate(chunks)):
                    alone.append(int(marker.group(1)))
    return calls, notes, alone


def body_lines(path: Path) -> list[str]:
    """The lines set in the body text's font and size (the most common), as text."""
    pages = _chunks(path, with_font=True)
    weights = collections.Counter()
    for chunks in pages:
        for key, _, text in chunks:
            weights[key] += len(text)
    body = weights.most_common(1)[0][0]
    lines = []
    for chunks in pages:
        rows: dict[float, str] = collections.defaultdict(str)
        for key, y, text in chunks:
            if key == body:
                rows[y] += text
        lines += [" ".join(row.split()) for row in rows.values() if row.strip()]
    return lines


@functools.lru_cache(maxsize=None)   # each PDF is read once, whichever tests ask
def _chunks(path: Path, with_font: bool = False) -> list[list[tuple]]:
    pages = []
    for page in PdfReader(path).pages:
        chunks: list[tuple] = []

        def visit(text, cm, tm, font, size, chunks=chunks):
            scaled = round(size * (tm[0] if tm else 1), 1)
            key = (scaled, str(font.get("/BaseFont")) if font else "") if with_font else scaled
            chunks.append((key, round(tm[5], 1) if tm else 0, text))

        page.extract_text(visitor_text=visit)
        pages.append(chunks)
    return pages


@functools.lru_cache(maxsize=None)
def page_texts(path: Path) -> list[str]:
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return [" ".join(page.split()) for page in result.stdout.split("\f")]


@functools.lru_cache(maxsize=None)
def layout_lines(path: Path) -> list[str]:
    result = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


def _soup(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")
