"""Translators' exchange for a living document (issue 20): keys from content, partial translations, and
nothing new coming in through a translation.

- A segment's key (msgctxt) comes from what it says, so inserting a Russian paragraph changes no other key,
  and a translator's old PO copy merged into a new export with GNU `msgmerge` keeps every translation.
- A PO file with untranslated segments imports as a partial translation: `almanac status` says `partial`
  with "n of m segments", the page marks the rest with the original's language and says so, and where the
  language is required the strict build fails naming the file and the count.
- A translation may bring in no link, HTML, marker or URL its source lacks; a hand-edited translation with a
  `javascript:` link stops the build; no `<style>` or `<script>` from content is ever hashed into the CSP.

Imports write into content/, so every test works on a copy of the project in its tmp_path.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from bs4 import BeautifulSoup

from almanac import content, csp, exchange, markup, multilingual, segments, status, translations
from almanac.errors import AlmanacError
from tests.conftest import ROOT, make_mini_project, run_mkdocs
from tests.test_exchange import almanac

CHAPTER = "enpud-2022-2024/01-goal-1"
INSERTED = "Новый абзац, который редактор вставил в начало главы."


@pytest.fixture
def project(tmp_path) -> Path:
    """mkdocs.yml, content/ and the organisations, copied: what export, import and status read and write."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(ROOT / "mkdocs.yml", root / "mkdocs.yml")
    shutil.copytree(ROOT / "content", root / "content")
    (root / "data").mkdir()
    shutil.copy(ROOT / "data" / "organisations.yml", root / "data" / "organisations.yml")
    shutil.copytree(ROOT / "sources", root / "sources")   # the publications' metadata names its source files
    return root


def _export(root: Path, name: str = CHAPTER, lang: str = "en") -> polib.POFile:
    return polib.pofile(exchange.export(root, root / "content" / f"{name}.md", lang).text)


def _insert_after_title(path: Path, paragraph: str) -> None:
    lines = path.read_text(encoding="utf-8").split("\n")
    title = next(n for n, line in enumerate(lines) if line.startswith("# "))
    lines[title + 1:title + 1] = ["", paragraph]
    path.write_text("\n".join(lines), encoding="utf-8")


# ---- 1. keys from content ---------------------------------------------------------------------------------

def test_inserting_removing_or_moving_a_paragraph_changes_no_other_key(project):
    source = project / "content" / f"{CHAPTER}.md"
    before = {e.msgctxt: e.msgid for e in _export(project)}
    assert len(before) > 40 and all(re.fullmatch(r"[0-9a-f]{8}(-\d+)?", key) for key in before)
    _insert_after_title(source, INSERTED)
    after = {e.msgctxt: e.msgid for e in _export(project)}
    added = set(after) - set(before)
    assert [after[key] for key in added] == [INSERTED]
    assert {key: after[key] for key in before} == before   # every other segment: the same key, the same text
    # Moved to the end, then removed: still no other key changes.
    text = source.read_text(encoding="utf-8").replace(f"\n{INSERTED}\n", "\n", 1) + f"\n{INSERTED}\n"
    source.write_text(text, encoding="utf-8")
    assert {e.msgctxt: e.msgid for e in _export(project)} == after
    source.write_text(text.replace(f"\n{INSERTED}\n", ""), encoding="utf-8")
    assert {e.msgctxt: e.msgid for e in _export(project)} == before


def test_a_key_ignores_spacing_and_typography_and_repeats_are_numbered():
    doc = segments.parse("# Заголовок\n\nЦель — «рост»\nи развитие.\n\n| Да | Да |\n|---|---|\n| Нет | Да |\n")
    keys = segments.keys(doc)
    assert segments.text_key("Цель - \"рост\" и\u00a0развитие.") == keys[1]
    assert keys[2] == segments.text_key("Да") and keys[3] == keys[2] + "-2" and keys[5] == keys[2] + "-3"
    assert len(set(keys)) == len(keys)


def test_a_changed_segment_is_fuzzy_with_its_previous_msgid(tmp_path):
    from tests.test_exchange import _no_parent_repo, _stale_project

    root = _stale_project(tmp_path / "p", history=True)
    result = almanac("export", "content/x/01-a.md", "-l", "en", "-o", "a.po", cwd=root, env=_no_parent_repo(root))
    assert result.returncode == 0, result.stderr
    text = (root / "a.po").read_text(encoding="utf-8")
    changed = segments.text_key("Во втором абзаце мы меняем два слова.")
    assert (f'#, fuzzy\n#| msgctxt "{segments.text_key("Во втором абзаце мы меняем одно слово.")}"\n'
            f'#| msgid "Во втором абзаце мы меняем одно слово."\nmsgctxt "{changed}"\n') in text, text


def test_msgmerge_of_an_old_copy_into_a_new_export_keeps_every_translation_and_imports(project):
    """The translator's copy was exported before an editor inserted a paragraph near the top; GNU msgmerge
    merges it into a new export, every unchanged translation stays (none fuzzy), and the import takes it."""
    source = project / "content" / f"{CHAPTER}.md"
    target = project / "content" / f"{CHAPTER}.en.md"
    old = _export(project)
    # The translator improves one translation in their copy meanwhile.
    improved = next(e for e in old if e.comment in ("paragraph", "item") and "<" not in e.msgid)
    improved.msgstr += " (revised)"
    old.save(str(project / "old.po"))
    _insert_after_title(source, INSERTED)
    (project / "new.po").write_text(exchange.export(project, source, "en").text, encoding="utf-8")
    merge = subprocess.run(["msgmerge", "--quiet", "--previous", "-o", str(project / "merged.po"),
                            str(project / "old.po"), str(project / "new.po")], capture_output=True, text=True)
    assert merge.returncode == 0, merge.stderr
    merged = polib.pofile(str(project / "merged.po"))
    live = [e for e in merged if not e.obsolete]
    assert not [e.msgid for e in live if e.fuzzy]
    assert [e.msgid for e in live if not e.msgstr] == [INSERTED]
    assert {e.msgctxt: e.msgstr for e in live if e.msgstr} == {e.msgctxt: e.msgstr for e in old}
    result = almanac("import", "merged.po", cwd=project)
    assert result.returncode == 0, result.stderr
    count = len(old)
    assert f"({count} of {count + 1} segments translated; 1 left in the original (0 of them fuzzy))" in result.stderr
    written = target.read_text(encoding="utf-8")
    assert improved.msgstr in written
    assert f'untranslated:   # segments still in the original (almanac import), by key\n' \
           f'  - "{segments.text_key(INSERTED)}"\n---\n' in written
    assert f"\n{INSERTED}\n" in written
    # Every other line of the translation is as it was: only the stamp and the revised translation changed.
    original = (ROOT / "content" / f"{CHAPTER}.en.md").read_text(encoding="utf-8").split("\n")
    gone = [line for line in original if line and line not in written.split("\n")]
    assert len(gone) == 2 and gone[0].startswith("source_hash: ") and gone[1] + " (revised)" in written, gone


def test_a_file_from_an_older_version_not_merged_is_refused_in_one_line(project):
    source = project / "content" / f"{CHAPTER}.md"
    (project / "old.po").write_text(exchange.export(project, source, "en").text, encoding="utf-8")
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("**Зачем:**", "**Почему:**", 1), encoding="utf-8")
    result = almanac("import", "old.po", cwd=project)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "old.po: made from another text than content/enpud-2022-2024/01-goal-1.md" in lines[0]
    assert "msgmerge FILE NEW.po" in lines[0], lines[0]


# ---- 2. partial translations ------------------------------------------------------------------------------

def _partial(project: Path, keep: int) -> tuple[polib.POFile, Path]:
    """The chapter's PO file with only its first `keep` translations, saved as part.po."""
    po = _export(project)
    for entry in po[keep:]:
        entry.msgstr = ""
    po.save(str(project / "part.po"))
    return po, project / "content" / f"{CHAPTER}.en.md"


def test_a_partial_translation_imports_shows_as_partial_and_round_trips(project):
    po, target = _partial(project, keep=5)
    result = almanac("import", "part.po", cwd=project)
    assert result.returncode == 0, result.stderr
    total = len(po)
    assert f"(5 of {total} segments translated; {total - 5} left in the original" in result.stderr
    written = target.read_text(encoding="utf-8")
    source = (project / "content" / f"{CHAPTER}.md").read_text(encoding="utf-8")
    # The untranslated segments are the original's text, word for word, and the front matter lists them.
    meta, _ = content.front_matter(written, "x")
    assert len(meta["untranslated"]) == len({segments.text_key(e.msgid) for e in po[5:]})
    for line in source.split("\n")[-10:]:
        assert line in written
    content.check(written, f"content/{CHAPTER}.en.md", target, project / "content")
    # almanac status: partial, n of m segments.
    report = status.report(project / "mkdocs.yml")
    assert f"partial: content/{CHAPTER}.en.md: 5 of {total} segments translated; required in this language" \
        in report, report
    row = next(line for line in report.splitlines() if line.startswith("enpud-2022-2024"))
    assert "partial" in row and "1 partial" in row, row
    # Exported again, the same five are translated and the rest empty; imported again, the same bytes.
    again = _export(project)
    assert [bool(e.msgstr) for e in again] == [True] * 5 + [False] * (total - 5)
    before = target.read_bytes()
    again.save(str(project / "again.po"))
    assert almanac("import", "again.po", cwd=project).returncode == 0
    assert target.read_bytes() == before
    # Translated in full, the list goes and the file is the complete translation again.
    (project / "full.po").write_text(exchange.export(project, project / "content" / f"{CHAPTER}.md", "en").text,
                                     encoding="utf-8")
    full = polib.pofile(str(project / "full.po"))
    for entry, complete in zip(full, _export(ROOT)):
        entry.msgstr = complete.msgstr
    full.save()
    assert almanac("import", "full.po", cwd=project).returncode == 0
    assert target.read_bytes() == (ROOT / "content" / f"{CHAPTER}.en.md").read_bytes()


def test_the_status_page_says_partial_with_segments(project):
    _partial(project, keep=3)
    almanac("import", "part.po", cwd=project)
    docs_dir, langs, settings = status.project(project / "mkdocs.yml")
    from almanac import locales as loc_module, publications

    pubs = publications.load_all(project, docs_dir)
    matrix = translations.matrix(pubs, docs_dir, langs, settings)
    loc = loc_module.Locales(ROOT / "locales", ROOT)
    table = multilingual.status_markdown(matrix, pubs, langs, loc, "en")
    row = next(line for line in table.splitlines() if "ENPUD" in line or "2022" in line and "|" in line)
    total = len(_export(project))
    assert f"partial (3 of {total} segments, " in table, row
    assert f"переведён частично (3 из {total} фрагментов, " in multilingual.status_markdown(matrix, pubs, langs, loc, "ru")
    problems = multilingual.problems(matrix, project)
    assert f"content/{CHAPTER}.en.md: partial translation: 3 of {total} segments translated, {total - 3} still in " \
           f"the original; 'en' is required for enpud-2022-2024 by extra.almanac.translations in mkdocs.yml" \
           in "\n".join(problems), problems


def test_every_problem_in_a_file_is_reported_at_once_one_line_each(project):
    po = _export(project)
    target = project / "content" / f"{CHAPTER}.en.md"
    before = target.read_bytes()
    broken = [e for e in po if "</g" in e.msgstr][:2]
    for entry in broken:
        entry.msgstr = entry.msgstr.replace("</g", "</x", 1)
    linked = next(e for e in po if e.comment.startswith("item") and e not in broken)
    linked.msgstr += " [x](javascript:alert(1))"
    po.save(str(project / "bad.po"))
    result = almanac("import", "bad.po", cwd=project)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3, result.stderr
    assert all(line.startswith("Error: bad.po, line ") for line in lines), lines
    for line, entry in zip(lines, sorted([*broken, linked], key=lambda e: e.linenum)):
        assert f", segment {entry.msgctxt} (" in line, line
    assert target.read_bytes() == before


def test_a_file_with_nothing_translated_is_refused_in_one_line(project):
    po = _export(project)
    for entry in po:
        entry.msgstr = ""
    po[0].msgstr, po[0].flags = "Fuzzy title", ["fuzzy"]
    po.save(str(project / "empty.po"))
    result = almanac("import", "empty.po", cwd=project)
    assert result.returncode == 1
    assert result.stderr.strip() == ("Error: empty.po: nothing to import: every segment is untranslated or fuzzy; "
                                     "expected at least one translation in msgstr (a fuzzy one once reviewed, with "
                                     "its flag cleared).")


def test_no_page_of_the_site_has_a_style_or_script_from_content(built_site):
    """What the CSP hashes in a page's content is only the charts' own styles: every built page's article."""
    from selectolax.lexbor import LexborHTMLParser

    pages = sorted(built_site.rglob("*.html"))
    charts = 0
    for page in pages:
        article = LexborHTMLParser(page.read_bytes()).css_first("article")
        if article is not None:
            csp.check_content(article.html, page.relative_to(built_site).as_posix())
            charts += len(article.css("div.almanac-chart svg style"))
    assert len(pages) > 100 and charts > 10, (len(pages), charts)


# ---- 3. nothing new comes in through a translation --------------------------------------------------------

@pytest.mark.parametrize("added, fragment", [
    ("[x](javascript:alert(1))", "the translation adds '](javascript:alert(1)'"),
    ("<img src=x onerror=alert(1)>", "the translation adds '<img src=x onerror=alert(1)>'"),
    ("<style>body{display:none}</style>", "the translation adds '<style>'"),
    ('{{ value("x","y") }}', "the translation adds '{{ value(\"x\",\"y\") }}'"),
    ("[x](vbscript:msgbox(1))", "the translation adds '](vbscript:msgbox(1)'"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "the translation adds '](data:text/html;base64,PHNjcmlwdD4=)'"),
    ("![x](data:image/png;base64,iVBORw0KGgo=)", "the translation adds '](data:image/png;base64,iVBORw0KGgo=)'"),
    ("<https://example.org/>", "the translation adds '<https://example.org/>'"),
])
def test_a_translation_that_brings_in_markup_is_refused_naming_the_segment(project, added, fragment):
    target = project / "content" / f"{CHAPTER}.en.md"
    before = target.read_bytes()
    po = _export(project)
    entry = next(e for e in po if e.comment.startswith("paragraph") and e.msgstr)
    entry.msgstr += " " + added
    po.save(str(project / "x.po"))
    result = almanac("import", "x.po", cwd=project)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Error: x.po, line {entry.linenum}, segment {entry.msgctxt} (paragraph, "
                               f"content/{CHAPTER}.md line "), lines[0]
    assert fragment in lines[0], lines[0]
    assert target.read_bytes() == before


@pytest.mark.parametrize("line", [
    "<!-- --!><style>body{display:none}</style> -->",
    "<!--><style>body{display:none}</style> -->",
    "<!---><script>alert(1)</script> -->",
    "Текст <!-- <img src=x onerror=alert(1)> --> дальше",
])
def test_markup_inside_an_html_comment_is_checked_too(line):
    """Browsers end a comment at `--!>`, `<!-->` and `<!--->`: whatever a comment holds is checked as HTML."""
    with pytest.raises(AlmanacError, match=r"^content/x\.en\.md, line 3: the (HTML element <(style|script)> is not "
                                           r"allowed|attribute 'onerror' on <img> is an event handler)"):
        markup.check_line(line, "content/x.en.md, line 3")


def test_the_csp_hashes_no_style_or_script_that_came_from_content():
    rendered = '<p>Текст</p>\n<!-- -->\n<style>body{display:none}</style>\n<script>alert(1)</script>'
    with pytest.raises(AlmanacError) as error:
        csp.check_content(rendered, "content/x/01-a.en.md")
    assert str(error.value).startswith("content/x/01-a.en.md: the page's HTML has a <style> element"), error.value
    # A chart the build drew keeps its styles.
    chart = ('<div class="almanac-chart" id="chart-x-a"><figure class="almanac-chart__figure"><svg xmlns="http://www.w3.org'
             '/2000/svg"><defs><style type="text/css">*{stroke-linejoin: round}</style></defs><path style="fill: #fff"/>'
             '</svg></figure></div>')
    csp.check_content(f"<p>Текст</p>{chart}", "content/x/01-a.en.md")


# ---- the build: a partial page, a required language, a hand-edited javascript: link -------------------------

MINI_CHAPTER = """# Глава о работе

Первый абзац о **работе** сообщества.

## Задачи

- Обучение членов сети
- Защита прав людей

| Показатель | Значение |
|---|---|
| Участники | 12 |

## Итоги

Последний абзац главы[^1].

[^1]: Сноска к последнему абзацу.
"""


@pytest.fixture(scope="module")
def partial_site(tmp_path_factory):
    """The mini project with a chapter whose English translation has 3 segments translated, built."""
    root = make_mini_project(tmp_path_factory.mktemp("partial"))
    pub = root / "content" / "demo-report-2023"
    (pub / "02-work.md").write_text(MINI_CHAPTER, encoding="utf-8")
    metadata = pub / "publication.yml"
    metadata.write_text(metadata.read_text(encoding="utf-8").replace("  - index.md", "  - index.md\n  - 02-work.md"),
                        encoding="utf-8")
    po = polib.pofile(exchange.export(root, pub / "02-work.md", "en").text)
    english = {"Глава о работе": "A chapter on work", "Задачи": "Tasks", "Показатель": "Indicator"}
    for entry in po:
        entry.msgstr = english.get(entry.msgid, "")
    po.save(str(root / "work.po"))
    imported = exchange.import_po(root, root / "work.po")
    assert imported.translated == 3
    site = root.parent / "site"
    result = run_mkdocs(root, site)
    assert result.returncode == 0, result.stderr[-3000:]
    assert not [line for line in result.stderr.splitlines() if line.startswith("WARNING")], result.stderr[-3000:]
    return root, site, len(po)


@pytest.mark.slow
def test_a_partial_page_marks_the_original_and_says_so(partial_site):
    _, site, total = partial_site
    page = BeautifulSoup((site / "en" / "demo-report-2023" / "02-work" / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    article = page.select_one("article")
    notice = article.select_one(".almanac-notice.almanac-partial")
    assert notice is not None and notice["lang"] == "en"
    assert notice.get_text(" ", strip=True) == (f"This page is partly translated 3 of {total} segments are "
                                                f"translated; the rest is the original text in Русский, marked as such.")
    assert article.select_one("h1").get_text(strip=True).startswith("A chapter on work")
    assert "lang" not in article.select_one("h1").attrs
    marked = [(tag.name, tag.get_text(" ", strip=True)) for tag in article.select('[lang="ru"]')]
    assert marked == [("p", "Первый абзац о работе сообщества."), ("li", "Обучение членов сети"),
                      ("li", "Защита прав людей"), ("th", "Значение"), ("td", "Участники"), ("td", "12"),
                      ("h2", "Итоги ¶"), ("p", "Последний абзац главы 1 ."), ("p", "Сноска к последнему абзацу. ↩")]
    assert all("almanac-untranslated" in tag["class"] for tag in article.select('[lang="ru"]'))
    assert article.select_one("th").get_text(strip=True) == "Indicator" and "lang" not in article.select_one("th").attrs
    assert not article.select("span.almanac-untranslated"), "every mark was lifted onto its block"
    # The Russian page is untouched.
    ru = (site / "demo-report-2023" / "02-work" / "index.html").read_text(encoding="utf-8")
    assert "almanac-untranslated" not in ru and "almanac-partial" not in ru


@pytest.mark.slow
def test_a_partial_translation_of_a_required_language_fails_the_strict_build(partial_site, tmp_path):
    root, _, total = partial_site
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    project = tmp_path / "project"
    shutil.copytree(root, project, ignore=shutil.ignore_patterns("site", ".cache"))
    (project / "mkdocs.yml").write_text(re.sub(r"^(      en: ).*$", r'\1"*"', text, flags=re.M), encoding="utf-8")
    result = run_mkdocs(project, tmp_path / "site")
    assert result.returncode == 1
    warnings = [line for line in result.stderr.splitlines() if line.startswith("WARNING")]
    assert warnings == [f"WARNING -  content/demo-report-2023/02-work.en.md: partial translation: 3 of {total} "
                        f"segments translated, {total - 3} still in the original; 'en' is required for "
                        f"demo-report-2023 by extra.almanac.translations in mkdocs.yml (translate the rest, e.g. with "
                        f"'almanac export' and 'almanac import')."], result.stderr[-3000:]


@pytest.mark.slow
def test_a_hand_edited_translation_with_a_javascript_link_fails_the_build_in_one_line(partial_site, tmp_path):
    root, _, _ = partial_site
    project = tmp_path / "project"
    shutil.copytree(root, project, ignore=shutil.ignore_patterns("site", ".cache"))
    page = project / "content" / "demo-report-2023" / "index.en.md"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("A test publication", "A [test](javascript:alert(1)) publication"), encoding="utf-8")
    result = run_mkdocs(project, tmp_path / "site")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1 and errors[0].startswith(
        "ERROR   -  content/demo-report-2023/index.en.md, line 7: the link 'javascript:alert(1' uses the scheme "
        "'javascript:'"), result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "site" / "en" / "demo-report-2023" / "index.html").exists()
