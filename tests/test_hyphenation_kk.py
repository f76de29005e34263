"""Kazakh hyphenation (issue 18): the generated patterns, through Pyphen, and through WeasyPrint.

Reads almanac/hyphenation/hyph_kk.dic, every content/**/*.kk.md for its words, and the chapters of
KIBHR 2015-2018 in Russian and Kazakh for text to set. Writes PDFs into a temporary folder only.

The word-gap measure: the same kind of narrow justified column (60 mm, the print stylesheet's PT
Serif at 10.5 pt) is set in Russian, with Pyphen's Russian dictionary, and in Kazakh, without a
dictionary and with ours. The gap of a justified line is the mean space between its words, read from
the word boxes pdftotext gives; the 90th percentile over some 800 lines of each is compared.
"""

from __future__ import annotations

import html
import logging
import re
import statistics
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pyphen
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from almanac import hyphenation
from almanac.hyphenation import generate

ROOT = Path(__file__).resolve().parents[1]
KIBHR = ROOT / "content" / "kibhr-2015-2018"
FONT = ROOT / "overrides" / "assets" / "fonts" / "pt-serif-regular.woff2"

# The column: narrow, where missing hyphenation shows most. Points per millimetre for pdftotext's boxes.
COLUMN_MM, MARGIN_MM, PT_PER_MM = 60, 5, 72 / 25.4
WORDS_PER_LANGUAGE = 3000

KAZAKH_WORD = re.compile(r"^[а-яёәғқңөұүһі]+$", re.IGNORECASE)

# Words and their breaks, with WeasyPrint's default minimums (two letters each side).
# The rules and most examples are those of Kazakh orthography on carrying words over (тасымал), as
# quoted in A. Ajibaeva's Kazakh grammar textbook (the section on тасымал: ала-қан, еле-уіш, ар-мия,
# ою-лы, су-ық, қу-ақы, ту-ынды, бу-ын, қи-ын, ки-ім, қи-ық, про-ект, ро-яль, по-эма, ро-лінде,
# съез-дің; атом, ақыл, отыр, төрт, пункт, взвод not broken) and in the school summary "Тасымал"
# (Рес-пуб-ли-ка-мыз-да, құр-мет-ті, әке-лік, өзі-міз-ге; ара, аю not broken; жа-уап, қа-йың, са-уын,
# ке-йін, never жау-ап, қай-ың). The rest are words of Almanac's Kazakh content.
WORDS = [
    # Examples of the rules.
    ("алақан", "ала-қан"),
    ("елеуіш", "еле-уіш"),
    ("армия", "ар-мия"),
    ("оюлы", "ою-лы"),
    ("суық", "су-ық"),
    ("қуақы", "қу-а-қы"),
    ("туынды", "ту-ын-ды"),
    ("буын", "бу-ын"),
    ("қиын", "қи-ын"),
    ("киім", "ки-ім"),
    ("қиық", "қи-ық"),
    ("проект", "про-ект"),
    ("рояль", "ро-яль"),
    ("поэма", "по-э-ма"),
    ("ролінде", "ро-лін-де"),
    ("съездің", "съез-дің"),
    ("республикамызда", "рес-пуб-ли-ка-мыз-да"),
    ("құрметті", "құр-мет-ті"),
    ("әкелік", "әке-лік"),
    ("өзімізге", "өзі-міз-ге"),
    ("жауап", "жа-уап"),
    ("қайың", "қа-йың"),
    ("сауын", "са-уын"),
    ("кейін", "ке-йін"),
    ("мектеп", "мек-теп"),
    ("қалам", "қа-лам"),
    ("ақылдастық", "ақыл-дас-тық"),
    ("хабарландыру", "ха-бар-лан-ды-ру"),
    ("таңдау", "таң-дау"),
    ("жарғақ", "жар-ғақ"),
    ("көктем", "көк-тем"),
    # Not broken: a single vowel would stand alone, or there is one syllable.
    ("ара", "ара"),
    ("аю", "аю"),
    ("атом", "атом"),
    ("ақыл", "ақыл"),
    ("отыр", "отыр"),
    ("төрт", "төрт"),
    ("пункт", "пункт"),
    ("взвод", "взвод"),
    # From the content: native words with ң, ғ, қ, ө, ү, ұ, і, ә, у as [w], й.
    ("мүмкіндік", "мүм-кін-дік"),
    ("үкіметтік", "үкі-мет-тік"),
    ("ұлттық", "ұлт-тық"),
    ("төрағасы", "тө-ра-ға-сы"),
    ("өңірлік", "өңір-лік"),
    ("тәуелсіз", "тә-уел-сіз"),
    ("ауқымды", "ау-қым-ды"),
    ("қыркүйек", "қыр-кү-йек"),
    ("жәрдемдесу", "жәр-дем-де-су"),
    ("бұқаралық", "бұ-қа-ра-лық"),
    ("халықаралық", "ха-лы-қа-ра-лық"),
    # VCC-CV: the boundary of the syllables, not of the morphemes (Қазақ-стан).
    ("Қазақстандағы", "Қа-зақс-тан-да-ғы"),
    ("бостандықтарының", "бос-тан-дық-та-ры-ның"),
    # From the content: loanwords, by the same syllable principle.
    ("стратегиясы", "стра-те-ги-я-сы"),
    ("мониторинг", "мо-ни-то-ринг"),
    ("министрлігі", "ми-нистр-лі-гі"),
    ("президенттің", "пре-зи-дент-тің"),
    ("пенитенциарлық", "пе-ни-тен-ци-ар-лық"),
    ("демократияның", "де-мок-ра-ти-я-ның"),
    ("судьялардың", "су-дья-лар-дың"),
    ("модульдері", "мо-дуль-де-рі"),
    ("консультативтік", "кон-суль-та-тив-тік"),
]


@pytest.fixture(scope="module")
def kazakh() -> pyphen.Pyphen:
    hyphenation.register()
    return pyphen.Pyphen(lang="kk", left=generate.LEFT, right=generate.RIGHT)


def test_the_committed_dictionary_is_what_the_generator_writes():
    assert hyphenation.DICTIONARY.read_text(encoding="utf-8") == generate.dictionary_text(), \
        "hyph_kk.dic is stale: run src/almanac/hyphenation/generate.py"


def test_register_makes_kk_known_to_pyphen_and_can_be_called_again():
    hyphenation.register()
    hyphenation.register()
    assert pyphen.LANGUAGES["kk"] == hyphenation.DICTIONARY
    # WeasyPrint looks an element's lang up through language_fallback.
    assert [pyphen.language_fallback(tag) for tag in ("kk", "kk-KZ", "KK-Cyrl")] == ["kk", "kk", "kk"]


def test_the_module_imports_without_pyphen_or_weasyprint():
    code = "import sys, almanac.hyphenation; assert not {'pyphen', 'weasyprint'} & set(sys.modules), sys.modules.keys()"
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


@pytest.mark.parametrize(("word", "expected"), WORDS)
def test_a_word_breaks_where_the_orthography_breaks_it(kazakh, word, expected):
    assert kazakh.inserted(word) == expected


def test_every_word_of_the_kazakh_content_breaks_exactly_at_its_syllable_boundaries(kazakh):
    words = {word for path in ROOT.glob("content/**/*.kk.md")
             for word in re.findall(r"\w+", path.read_text(encoding="utf-8")) if KAZAKH_WORD.match(word)}
    assert len(words) > 3000
    wrong = {word: (kazakh.inserted(word), _inserted(word, generate.hyphenation_points(word)))
             for word in sorted(words) if kazakh.positions(word) != generate.hyphenation_points(word)}
    assert wrong == {}


# Words made of vowels, consonants and consonants with a sign, with an onset the patterns cover.
_units = st.one_of(st.sampled_from(generate.VOWELS), st.sampled_from(generate.CONSONANTS),
                   st.tuples(st.sampled_from(generate.CONSONANTS), st.sampled_from(generate.SIGNS)).map("".join))


@settings(max_examples=300, deadline=None)
@given(st.lists(_units, min_size=1, max_size=12).map("".join).filter(lambda word: _covered(_onset(word))))
def test_the_patterns_are_the_rules_for_any_word(word):
    hyphenation.register()
    kazakh = pyphen.Pyphen(lang="kk", left=generate.LEFT, right=generate.RIGHT)
    assert kazakh.positions(word) == generate.hyphenation_points(word), word


@pytest.fixture(scope="module")
def columns(tmp_path_factory) -> dict[str, Path]:
    """The same column set three times: Russian, Kazakh without a dictionary, Kazakh with ours."""
    folder = tmp_path_factory.mktemp("columns")
    hyphenation.register()
    warnings = _Warnings()
    logging.getLogger("weasyprint").addHandler(warnings)
    try:
        pdfs = {name: _column(_paragraphs(lang), lang, hyphens, folder / f"{name}.pdf")
                for name, lang, hyphens in [("ru", "ru", "auto"), ("kk-none", "kk", "manual"), ("kk", "kk", "auto")]}
    finally:
        logging.getLogger("weasyprint").removeHandler(warnings)
    assert warnings.messages == []
    return pdfs


def test_weasyprint_hyphenates_kazakh_at_syllable_boundaries(columns):
    source = {word.lower() for paragraph in _paragraphs("kk") for word in re.findall(r"\w+", paragraph)}
    lines = _lines(columns["kk"])
    breaks = []
    for line, following in zip(lines, lines[1:]):
        head = re.sub(r"^\W+", "", line[-1][2])
        tail = re.sub(r"\W+$", "", following[0][2])
        # A break the dictionary made, not a hyphen of the text (ҚХАБ-тың) falling at a line's end.
        if head.endswith("-") and (head[:-1] + tail).lower() in source:
            breaks.append((head[:-1] + tail, len(head) - 1))
    assert len(breaks) > 100, breaks
    wrong = [f"{word[:at]}-{word[at:]}" for word, at in breaks if at not in generate.hyphenation_points(word)]
    assert wrong == []


def test_kazakh_word_gaps_are_no_wider_than_russian(columns):
    russian, bare, kazakh = (_percentile90(_gaps(columns[name])) for name in ("ru", "kk-none", "kk"))
    measured = f"p90 word gap in pt: ru {russian:.2f}, kk without dictionary {bare:.2f}, kk {kazakh:.2f}"
    # Without the dictionary the measure shows the issue; with it, Kazakh sets like Russian.
    assert bare > 1.2 * russian, measured
    assert kazakh <= 1.2 * russian, measured


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _onset(word: str) -> str:
    return re.match(f"[^{generate.VOWELS}]*", word).group()


def _covered(onset: str) -> bool:
    """Letters before the first vowel whose breaks the patterns inhibit: up to four, but four ending in ъ."""
    return len(onset) <= 3 or (len(onset) == 4 and onset[-1] != "ъ")


def _inserted(word: str, points: list[int]) -> str:
    return "".join(("-" if i in points else "") + letter for i, letter in enumerate(word))


def _paragraphs(lang: str) -> list[str]:
    """Plain text of KIBHR's chapters in one language, paragraph by paragraph, up to the words needed."""
    suffix = ".md" if lang == "ru" else f".{lang}.md"
    paragraphs, words = [], 0
    for path in sorted(KIBHR.glob("[0-9][0-9]-*.md")):
        if path.name.startswith("99") or not path.name.endswith(suffix) or path.name.count(".") != suffix.count("."):
            continue  # the editorial notes are tables and quotations
        for line in path.read_text(encoding="utf-8").split("---", 2)[-1].splitlines():
            text = _plain(line)
            if len(text.split()) >= 12 and words < WORDS_PER_LANGUAGE:
                paragraphs.append(text)
                words += len(text.split())
    return paragraphs


def _plain(line: str) -> str:
    """A Markdown paragraph or list item as plain text; headings, tables and markup are dropped."""
    line = line.strip()
    if line.startswith(("#", "|", "<", ">", "!")):
        return ""
    line = re.sub(r"^(?:[-*]|\d+\.)\s+", "", line)
    line = re.sub(r"\[\^[^\]]+\]", "", line)
    line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)
    return re.sub(r"[*_`]", "", line)


def _column(paragraphs: list[str], lang: str, hyphens: str, target: Path) -> Path:
    import weasyprint

    css = f"""
    @font-face {{ font-family: "Almanac Serif"; src: url("{FONT.as_uri()}"); }}
    @page {{ size: {COLUMN_MM + 2 * MARGIN_MM}mm 297mm; margin: {MARGIN_MM}mm; }}
    body {{ margin: 0; }}
    p {{ font: 10.5pt/1.45 "Almanac Serif"; text-align: justify; hyphens: {hyphens};
         hyphenate-character: "-"; margin: 0 0 4pt; }}
    """
    body = "".join(f"<p>{html.escape(paragraph)}</p>" for paragraph in paragraphs)
    weasyprint.HTML(string=f'<html lang="{lang}"><style>{css}</style><body>{body}</body></html>').write_pdf(target)
    return target


def _lines(pdf: Path) -> list[list[tuple[float, float, str]]]:
    """The words of each printed line, as (left, right, text), lines in reading order.

    Words are grouped by their top edge rather than by pdftotext's lines: it splits a line whose
    gaps are wide into several.
    """
    result = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True)
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", result.stdout))
    xhtml = "{http://www.w3.org/1999/xhtml}"
    rows: dict[tuple[int, float], list] = {}
    for number, page in enumerate(root.iter(xhtml + "page")):
        for word in page.iter(xhtml + "word"):
            key = (number, round(float(word.get("yMin")), 1))
            rows.setdefault(key, []).append((float(word.get("xMin")), float(word.get("xMax")), word.text))
    return [sorted(rows[key]) for key in sorted(rows)]


def _gaps(pdf: Path) -> list[float]:
    """The mean gap between words of each justified line: lines reaching the right edge, so not the
    last line of a paragraph, and of two words or more."""
    right = (MARGIN_MM + COLUMN_MM) * PT_PER_MM - 1.5  # pdftotext's boxes are a little loose
    return [statistics.mean(b[0] - a[1] for a, b in zip(words, words[1:]))
            for words in _lines(pdf) if len(words) >= 2 and words[-1][1] >= right]


def _percentile90(values: list[float]) -> float:
    assert len(values) > 500, f"only {len(values)} justified lines"
    return statistics.quantiles(values, n=10)[-1]


def test_the_site_kazakh_kibhr_is_hyphenated_and_sets_like_the_russian(built_site):
    """The done-when of the issue, on the published PDFs: the Kazakh KIBHR hyphenates, and its p90 word gap
    on justified body lines is at most 1.2 times the Russian edition's."""
    from collections import Counter

    def body_gaps(pdf: Path) -> list[float]:
        # Body lines: paragraphs and list items, not the contents' leaders. Justified ones reach the right
        # edge of their column: the right ends that many lines share (the paragraph's and the list's).
        lines = [words for words in _lines(pdf)
                 if len(words) >= 3 and sum(text.strip(".") == "" for _, _, text in words) < len(words) / 2]
        ends = Counter(round(words[-1][1]) for words in lines)
        edges = [end for end, count in ends.items() if count >= len(lines) / 20]
        return [statistics.mean(b[0] - a[1] for a, b in zip(words, words[1:])) for words in lines
                if any(abs(words[-1][1] - edge) <= 1.5 for edge in edges)]

    russian, kazakh = (built_site / "pdf" / f"kibhr-2015-2018.{lang}.pdf" for lang in ("ru", "kk"))
    hyphenated = [words for words in _lines(kazakh) if words[-1][2].endswith("-") and words[-1][2][-2:-1].isalpha()]
    assert len(hyphenated) > 100, f"only {len(hyphenated)} Kazakh lines end in a hyphen"
    ru, kk = _percentile90(body_gaps(russian)), _percentile90(body_gaps(kazakh))
    print(f"KIBHR p90 word gap in pt: ru {ru:.2f}, kk {kk:.2f}")
    assert kk <= 1.2 * ru, f"p90 word gap in pt: ru {ru:.2f}, kk {kk:.2f}"
