"""Bad input, as editors make it: the build stops with one line naming the file, the line and what was
expected, prints no traceback, and `make site` leaves the previous site/ byte for byte as it was.

Every case copies a small project, breaks one thing and runs MkDocs' own command line in the test's process
(`mkdocs build --strict`, conftest.mkdocs_in_process): the message is what the editor reads. A few cases, one
of each kind of input, run the whole `make site` on a built copy, for what only it promises: the previous
site kept and nothing temporary left behind.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import ROOT, make_mini_project, mkdocs_in_process, set_almanac
from tests.test_build import make_site, snapshot

PUB = "content/demo-report-2023"
DATA = "data/indicators/demo-report-2023.yml"


def write(rel: str, text: str):
    return lambda project: (project / rel).write_text(text, encoding="utf-8")


def write_bytes(rel: str, data: bytes):
    return lambda project: (project / rel).write_bytes(data)


def edit(rel: str, old: str, new: str):
    def apply(project: Path):
        path = project / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{rel} has no {old!r}: the test case is out of date"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


def add_chapter(name: str, text: str):
    def apply(project: Path):
        write(f"{PUB}/{name}", text)(project)
        edit(f"{PUB}/publication.yml", "  - index.md", f"  - index.md\n  - {name}")(project)
    return apply


def symlink(rel: str, target: str):
    def apply(project: Path):
        path = project / rel
        if path.exists() or path.is_symlink():
            path.unlink()
        path.symlink_to(target)
    return apply


def copy_publication(to: str):
    return lambda project: shutil.copytree(project / PUB, project / "content" / to)


# (how to break the project, what the one line must say)
CASES = [
    pytest.param(write(f"{PUB}/index.md", "---\ntitle: [unclosed\n---\n# Годовой отчёт\n\nТекст.\n"),
                 rf"{PUB}/index.md, line 2: the front matter is not valid YAML .*expected 'key: value' lines",
                 id="malformed-front-matter"),
    pytest.param(write(f"{PUB}/index.md", "---\n- one\n- two\n---\n# Годовой отчёт\n\nТекст.\n"),
                 rf"{PUB}/index.md, line 2: the front matter must be 'key: value' lines \(a mapping\), got a list",
                 id="front-matter-not-a-mapping"),
    pytest.param(write(f"{PUB}/index.md", "---\ntitle: Отчёт\n# Годовой отчёт\n\nТекст.\n"),
                 rf"{PUB}/index.md, line 1: the front matter opened by '---' is never closed",
                 id="front-matter-never-closed"),
    pytest.param(edit(f"{PUB}/publication.yml", "  - index.md", "  - index.md\n  - 02-absent.md"),
                 rf"{PUB}/publication.yml, line 10, 'chapters': the file '02-absent.md' does not exist",
                 id="chapter-file-does-not-exist"),
    pytest.param(edit(f"{PUB}/publication.yml", "  - index.md", "  - index.md\n  - index.md"),
                 rf"{PUB}/publication.yml, line 10, 'chapters': 'index.md' is listed twice \(first on line 9\)",
                 id="chapter-listed-twice"),
    pytest.param(copy_publication("Demo-Report-2023"),
                 rf"{PUB}/publication.yml: the publication slug 'demo-report-2023' is already used by "
                 rf"content/Demo-Report-2023/publication.yml",
                 id="duplicate-publication-slug"),
    pytest.param(edit(f"{PUB}/publication.yml", "organisation: inpud", "organisation: nobody"),
                 rf"{PUB}/publication.yml, line 1, 'organisation': unknown organisation 'nobody'; expected one of",
                 id="unknown-organisation"),
    pytest.param(edit(f"{PUB}/publication.yml", "kind: annual-report", "kind: novel"),
                 rf"{PUB}/publication.yml, line 2, 'kind': expected one of: strategic-plan, annual-report, brochure; got 'novel'",
                 id="unknown-kind"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", "![схема](no-such-picture.png)\n\nТестовая публикация"),
                 rf"{PUB}/index.md, line 3: the image 'no-such-picture.png' does not exist; expected a file at "
                 rf"content/demo-report-2023/no-such-picture.png",
                 id="missing-image"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", "![ключ](../../../../../etc/hostname) Тестовая публикация"),
                 rf"{PUB}/index.md, line 3: the image '../../../../../etc/hostname' leaves the project",
                 id="image-leaves-the-project"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", "![лого](https://example.org/logo.png) Тестовая публикация"),
                 rf"{PUB}/index.md, line 3: the image 'https://example.org/logo.png' is on another host",
                 id="remote-image"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация",
                      '<link rel="stylesheet" href="https://cdn.example.org/x.css">\n\nТестовая публикация'),
                 rf"{PUB}/index.md, line 3: the HTML element <link> is not allowed",
                 id="remote-stylesheet-in-a-page"),
    pytest.param(edit("mkdocs.yml", "  - assets/stylesheets/almanac.css", "  - assets/stylesheets/almanac.css\n"
                      "  - https://fonts.googleapis.com/css?family=Roboto"),
                 r"mkdocs.yml, line \d+, 'extra_css': 'https://fonts.googleapis.com/css\?family=Roboto' is on another host",
                 id="remote-stylesheet-in-mkdocs-yml"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация",
                      '<p style="background: url(https://example.org/bg.png)">Тестовая публикация</p>'),
                 rf"{PUB}/index.md, line 3: the attribute 'style' is not allowed on <p>",
                 id="remote-url-in-inline-css"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация",
                      '<img alt="" src="data:image/png;base64,iVBORw0KGgo=" srcset="https://example.org/a.png 2x"> Тестовая публикация'),
                 rf"{PUB}/index.md, line 3: the image 'https://example.org/a.png' is on another host",
                 id="remote-image-in-srcset"),
    pytest.param(edit(DATA, "value: 12", "value: .inf"),
                 rf"{DATA}, line 16, 'value': expected a number, got inf",
                 id="data-infinite-number"),
    pytest.param(write_bytes(f"{PUB}/index.md", "# Годовой отчёт\n\nТекст \xff\n".encode("utf-8").replace(b"\xc3\xbf", b"\xff")),
                 rf"{PUB}/index.md, line 3: not valid UTF-8 \(byte 0xff at column 7\); expected the file to be saved as UTF-8",
                 id="invalid-utf8-in-markdown"),
    pytest.param(write_bytes(DATA, (ROOT / "tests/fixtures/mini-report.yml").read_bytes().replace(b"value: 12", b"value: \xff")),
                 rf"{DATA}, line 16: not valid UTF-8 \(byte 0xff at column 12\)",
                 id="invalid-utf8-in-data"),
    pytest.param(add_chapter("02-empty.md", ""),
                 rf"{PUB}/02-empty.md, line 1: the page is empty; expected a '# Title' line",
                 id="empty-chapter"),
    pytest.param(add_chapter("02-untitled.md", "\nТекст главы без заголовка.\n"),
                 rf"{PUB}/02-untitled.md, line 2: the page has no title; expected a '# Title' line",
                 id="chapter-without-title"),
    pytest.param(add_chapter("02-script.md", "# Глава\n\nТекст.\n\n<script>alert(1)</script>\n"),
                 rf"{PUB}/02-script.md, line 5: the HTML element <script> is not allowed",
                 id="script-in-a-page"),
    pytest.param(edit(DATA, "groups:\n", "groups: [\n"),
                 rf"{DATA}, line \d+: malformed YAML",
                 id="data-yaml-syntax-error"),
    pytest.param(edit(DATA, "value: 12", 'value: "n/a"'),
                 rf"{DATA}, line 16, 'value': expected a number, got 'n/a'",
                 id="data-wrong-type"),
    pytest.param(edit(DATA, "    value: 12\n", "    value: 12\n    colour: red\n"),
                 rf"{DATA}, line 17, 'colour': unknown field; expected one of",
                 id="data-unknown-field"),
    pytest.param(edit(f"{PUB}/index.md", 'group="results"', 'group="nowhere"'),
                 rf"{PUB}/index.md, line 5: unknown group 'nowhere'",
                 id="marker-unknown-group"),
    pytest.param(edit(f"{PUB}/index.md", '{{ indicators("demo-report-2023", group="results") }}',
                      '{{ indicators("demo-report-2023", group="results") }}\n\n{{ chart("demo-report-2023", "pie") }}'),
                 rf"{PUB}/index.md, line 7: unknown chart 'pie'",
                 id="marker-unknown-chart"),
    pytest.param(write(f"{PUB}/index.md", "---\nsource_hash: x\n---\n\n# Годовой отчёт\n\n"
                                          '{{ indicators("demo-report-2023", group="nowhere") }}\n'),
                 rf"{PUB}/index.md, line 7: unknown group 'nowhere'",
                 id="marker-line-counts-front-matter"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", "См. [другую главу](02-missing.md). Тестовая публикация"),
                 rf"{PUB}/index.md, line 3: the link '02-missing.md' leads to no page",
                 id="link-to-a-missing-page"),
    pytest.param(edit(f"{PUB}/publication.yml", "period: [2021, 2023]", "period: [2023, 2021]"),
                 rf"{PUB}/publication.yml, line 3, 'period': expected \[first year, last year\], got \[2023, 2021\]",
                 id="period-backwards"),
    # Untrusted input (issue 17): nothing from outside the project, no markup outside the allowlist,
    # nothing published unrendered. Finer variants of each class are in tests/test_untrusted.py.
    pytest.param(symlink(f"{PUB}/notes.txt", "/etc/hostname"),
                 rf"{PUB}/notes.txt: is a symbolic link that leaves the project's folders",
                 id="unreferenced-symlink-leaving-the-project"),
    pytest.param(symlink(f"{PUB}/index.md", "/etc/hostname"),
                 rf"{PUB}/index.md: is a symbolic link that leaves the project's folders",
                 id="chapter-symlinked-outside"),
    pytest.param(symlink("content/shared", "../../nowhere"),
                 r"content/shared: is a broken symbolic link",
                 id="broken-symlinked-folder"),
    pytest.param(write(f"{PUB}/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg">\n<script>alert(1)</script>\n</svg>\n'),
                 rf"{PUB}/logo.svg, line 2: the SVG element <script> is not allowed",
                 id="svg-with-script"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", '<meta http-equiv="refresh" content="0; url=https://example.org">\n\nТестовая публикация'),
                 rf"{PUB}/index.md, line 3: the HTML element <meta> is not allowed",
                 id="meta-refresh"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", "<style>body {{ display: none }}</style>\n\nТестовая публикация"),
                 rf"{PUB}/index.md, line 3: the HTML element <style> is not allowed",
                 id="style-block"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", "Тестовая [публикация](javascript:alert(1))"),
                 rf"{PUB}/index.md, line 3: the link 'javascript:alert\(1' uses the scheme 'javascript:'",
                 id="javascript-link"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", '<p>Тестовая <b onclick="alert(1)">публикация</b></p>'),
                 rf"{PUB}/index.md, line 3: the attribute 'onclick' on <b> is an event handler",
                 id="inline-event-handler"),
    pytest.param(edit(f"{PUB}/index.md", '{{ indicators("demo-report-2023", group="results") }}',
                      '{{ indicators("demo-report-2023", group="results")'),
                 rf"{PUB}/index.md, line 5: '{{{{ indicators\(.*' is not a whole marker",
                 id="unclosed-marker"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", 'Тестовая {{ indicators("demo-report-2023", group="results") }} публикация'),
                 rf"{PUB}/index.md, line 3: the marker .* is inside a line of text",
                 id="marker-mid-sentence"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", "Тестовая [публикация](#nowhere)"),
                 rf"{PUB}/index.md, line 3: the link to '#nowhere' leads to no anchor in this page",
                 id="missing-anchor"),
    pytest.param(write(f"{PUB}/02-orphan.md", "# Сирота\n\nТекст.\n"),
                 rf"{PUB}/02-orphan.md: not listed in {PUB}/publication.yml",
                 id="unlisted-chapter"),
    pytest.param(write(f"{PUB}/index.de.md", "# Jahresbericht\n\nText.\n"),
                 rf"{PUB}/index.de.md: a translation into 'de', which is not a language of this site",
                 id="unconfigured-language"),
    pytest.param(edit(f"{PUB}/index.md", "# Годовой отчёт", "---\ntitel: Отчёт\n---\n# Годовой отчёт"),
                 rf"{PUB}/index.md, line 2: unknown front matter key 'titel'; did you mean 'title'\?",
                 id="unknown-front-matter-key"),
    pytest.param(edit(f"{PUB}/index.md", "# Годовой отчёт", "---\ntitle: Отчёт\ntitle: Отчёт 2\n---\n# Годовой отчёт"),
                 rf"{PUB}/index.md, line 3: the front matter is not valid YAML \(duplicate key 'title'\)",
                 id="duplicate-front-matter-key"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", "# Второй заголовок\n\nТестовая публикация"),
                 rf"{PUB}/index.md, line 3: a second '# Title' \(the first is on line 1\)",
                 id="two-titles"),
    pytest.param(edit(f"{PUB}/index.md", "Тестовая публикация", "### Подраздел\n\nТестовая публикация"),
                 rf"{PUB}/index.md, line 3: a level-3 heading after a level-1 heading; expected '## '",
                 id="skipped-heading-level"),
    pytest.param(add_chapter("02-huge.md", "# Таблица\n\n| № | Текст |\n|---|---|\n"
                             + "\n".join(f"| {i} | строка |" for i in range(1, 2_002)) + "\n"),
                 rf"{PUB}/02-huge.md, line 3: the table has 2001 rows; a table shows at most 2000",
                 id="table-above-the-limit"),
    pytest.param(edit("mkdocs.yml", "    print_edition: false", "    print_edition: sometimes"),
                 r"mkdocs.yml, line \d+, 'extra.almanac.print_edition': expected true or false, got 'sometimes'",
                 id="bad-setting"),
]


# One case of each kind of input, end to end through `make site`: a page, publication metadata, a data file,
# the project's settings and the folder's boundary.
END_TO_END = {"malformed-front-matter", "unknown-organisation", "data-wrong-type", "bad-setting",
              "unreferenced-symlink-leaving-the-project"}


def _one_line(output: str, expected: str) -> list[str]:
    """The failure's lines, checked as the editor reads them: one line matching `expected`, an ERROR, the
    build's last error, and no traceback."""
    matching = [line for line in output.splitlines() if re.search(expected, line)]
    assert "Traceback" not in output, output[-3000:]
    assert len(matching) == 1, f"expected one line matching {expected!r}, got:\n{output[-2000:]}"
    assert matching[0].startswith("ERROR"), matching[0]
    errors = [line for line in output.splitlines() if line.startswith("ERROR")]
    # Ours is the build's last word; MkDocs may add "Error reading page ..." before it, and its own "Aborted".
    assert errors[-1] == matching[0], errors
    return matching


@pytest.fixture(scope="module")
def mini_template(tmp_path_factory) -> Path:
    return make_mini_project(tmp_path_factory.mktemp("bad-input-template"))


@pytest.fixture
def fresh(mini_template, tmp_path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(mini_template, copy, symlinks=True)
    return copy


@pytest.mark.parametrize("break_it, expected", CASES)
def test_bad_input_stops_the_build_with_one_line(fresh, break_it, expected, request, quality):
    break_it(fresh)
    result = mkdocs_in_process(fresh, fresh / "site")
    matching = [line for line in result.output.splitlines() if re.search(expected, line)]
    quality.record("bad-input", case=request.node.callspec.id, passed=bool(matching) and result.returncode != 0,
                   message=matching[0].split("-  ", 1)[-1] if matching else "")
    assert result.returncode != 0, f"the build accepted the bad input:\n{result.output[-2000:]}"
    _one_line(result.output, expected)


@pytest.fixture(scope="module")
def built_project(mini_template, tmp_path_factory) -> Path:
    """The small project, built once by `make site`; every end-to-end case starts from a copy of it."""
    project = tmp_path_factory.mktemp("bad-input") / "project"
    shutil.copytree(mini_template, project, symlinks=True)
    shutil.copy(ROOT / "Makefile", project / "Makefile")
    result = make_site(project)
    assert result.returncode == 0, result.stderr[-3000:]
    return project


@pytest.fixture
def project(built_project, tmp_path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(built_project, copy, symlinks=True)
    return copy


@pytest.mark.parametrize("break_it, expected", [case for case in CASES if case.id in END_TO_END])
def test_make_site_stops_with_one_line_and_keeps_the_site(project, break_it, expected):
    site = project / "site"
    before = snapshot(site)
    break_it(project)
    result = make_site(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0, f"make site accepted the bad input:\n{output[-2000:]}"
    _one_line(output, expected)
    assert snapshot(site) == before, "a failed build changed site/"
    assert not list(project.glob(".site-tmp-*")), "a temporary folder was left behind"


def test_every_end_to_end_case_exists():
    assert END_TO_END <= {case.id for case in CASES}


def _build_ok(project: Path) -> str:
    result = make_site(project)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return result.stderr


@pytest.mark.slow
def test_markup_in_titles_and_data_is_text_everywhere(project):
    """HTML in a publication's title and in data labels is shown as text: site, charts, CSV and PDF."""
    set_almanac(project, pdf="true")
    edit(f"{PUB}/publication.yml", 'ru: "Годовой отчёт (тестовые данные)"',
         'ru: "Отчёт <script>alert(1)</script> & <b>жирный</b> {{ value(\'a\', \'b\') }}"')(project)
    edit(DATA, 'ru: "Проведено {value}"', 'ru: "Проведено {value} <script>alert(2)</script> <i>курсив</i>"')(project)
    edit(DATA, 'caption: {ru: "Результаты"', 'caption: {ru: "Результаты <img src=x onerror=alert(3)>"')(project)
    _build_ok(project)
    site = project / "site"
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>жирный" not in html, page
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "Отчёт <script>alert(1)</script> & <b>жирный</b> {{ value('a', 'b') }}" in home.get_text()
    report = BeautifulSoup((site / "demo-report-2023" / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert "<script>alert(2)</script> <i>курсив</i>" in report.select_one(".almanac-indicators table").get_text()
    for svg in report.select("svg"):
        assert not svg.select("script, img"), "markup from the data became elements of a chart"
    caption = [t.get_text() for t in report.select("svg title")]
    assert any("<img src=x onerror=alert(3)>" in text for text in caption), caption
    rows = list(csv.reader((site / "assets/data/demo-report-2023-results.ru.csv").open(encoding="utf-8")))
    assert any("<script>alert(2)</script> <i>курсив</i>" in cell for row in rows for cell in row), rows
    text = subprocess.run(["pdftotext", str(site / "pdf/demo-report-2023.ru.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "<script>alert(2)</script>" in " ".join(text.split())
    assert "Отчёт <script>alert(1)</script> & <b>жирный</b>" in " ".join(text.split())


def _built_in_process(project: Path) -> None:
    result = mkdocs_in_process(project, project / "site")
    assert result.returncode == 0, result.output[-3000:]


def test_bom_crlf_and_nfd_files_simply_work(fresh):
    project = fresh
    nfd = unicodedata.normalize("NFD", "Йошкар-Ола и ёлка: итоговый отчёт")
    assert nfd != unicodedata.normalize("NFC", nfd)
    text = f"---\r\ndescription: Глава из Windows\r\n---\r\n\r\n# {nfd}\r\n\r\nТекст главы.\r\n"
    add_chapter("02-windows.md", "")(project)
    (project / PUB / "02-windows.md").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    data = project / DATA
    data.write_bytes(b"\xef\xbb\xbf" + data.read_bytes().replace(b"\n", b"\r\n"))
    meta = project / PUB / "publication.yml"
    meta.write_bytes(meta.read_bytes().replace(b"\n", b"\r\n"))
    _built_in_process(project)
    page = BeautifulSoup((project / "site/demo-report-2023/02-windows/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    title = page.select_one("article h1").get_text(" ", strip=True).replace("¶", "").strip()
    assert title == unicodedata.normalize("NFC", nfd)
    assert "description" not in page.select_one("article").get_text()
    index = BeautifulSoup((project / "site/demo-report-2023/index.html").read_text(encoding="utf-8"), "html.parser")
    assert index.select_one("article table") is not None, "the data file with a BOM and CRLF lost its table"


@pytest.mark.slow
def test_whitespace_edits_do_not_make_translations_stale_but_words_do(fresh):
    project = fresh
    from almanac import translations

    source = project / PUB / "index.md"
    translated = project / PUB / "index.en.md"
    digest = translations.recorded_hash(translated)
    text = source.read_text(encoding="utf-8")
    source.write_bytes(("\ufeff" + text.replace("\n", "\r\n") + "\r\n\r\n").replace(" ", "  ").encode("utf-8"))
    assert translations.source_hash(source) == digest, "a whitespace-only edit changed the source's digest"
    _built_in_process(project)
    for changed in (text.replace("Тестовая", "Пробная"), text.replace("2023", "2024"), text + "\n[a](b.md)\n"):
        source.write_text(changed, encoding="utf-8")
        assert translations.source_hash(source) != digest, changed


@pytest.mark.slow
def test_a_table_at_the_limit_renders_on_the_site_and_paginates_in_the_pdf(project):
    """2,000 rows (the limit, see README 'Limits'): every row on the page, and a PDF that paginates them
    with the header repeated."""
    import resource

    set_almanac(project, pdf="true")
    config = project / "mkdocs.yml"
    # One language is enough to prove the table; the other editions would render the same rows twice more.
    config.write_text(config.read_text(encoding="utf-8").replace("          build: true\n        - locale: en",
                                                                 "          build: true\n        - locale: en")
                      .replace("name: English\n          build: true", "name: English\n          build: false")
                      .replace("name: Қазақша\n          build: true", "name: Қазақша\n          build: false"),
                      encoding="utf-8")
    rows = "\n".join(f"| {i} | Строка {i} | {i * 7 % 1000} |" for i in range(1, 2_001))
    add_chapter("02-big.md", f"# Большая таблица\n\n| № | Текст | Число |\n|---|---|---|\n{rows}\n")(project)
    _build_ok(project)
    page = (project / "site/demo-report-2023/02-big/index.html").read_text(encoding="utf-8")
    assert page.count("<tr>") == 2_001
    pdf = project / "site/pdf/demo-report-2023.ru.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    assert len(pages) > 40, f"2,000 rows on {len(pages)} pages"
    assert "Строка 2000" in text and "Строка 1 " in text
    with_header = [p for p in pages if "Строка" in p and "Текст" in p]
    assert len(with_header) >= len([p for p in pages if "Строка" in p]) - 1, "the header row is not repeated"
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    assert peak < 2048, f"a build process peaked at {peak:.0f} MB"
