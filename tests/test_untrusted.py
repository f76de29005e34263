"""Content is untrusted input: the allowlist for markup and URLs, SVG files, the project boundary, the
page inventory, the outline and markers, checked through the core in all their variants.

`make site` is run on one case of each class in tests/test_bad_input.py; here are the variants an
attacker or a careless editor would try next (entity-encoded schemes, malformed tags, animated
handlers, entities in SVG …), each as (bad input, message fragment), and what must keep working.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from almanac import anchors, boundary, content, markup
from almanac.errors import AlmanacError

WHERE = "content/x/01-a.md, line 7"

REFUSED_LINES = [
    ("<script>alert(1)</script>", "the HTML element <script> is not allowed"),
    ("<SCRIPT SRC=x.js></SCRIPT>", "the HTML element <script> is not allowed"),
    ("<style>body{display:none}</style>", "the HTML element <style> is not allowed"),
    ('<meta http-equiv="refresh" content="0;url=https://example.org">', "the HTML element <meta> is not allowed"),
    ('<base href="https://example.org/">', "the HTML element <base> is not allowed"),
    ('<form action="https://example.org/"><input name=q></form>', "the HTML element <form> is not allowed"),
    ('<iframe src="a.html"></iframe>', "the HTML element <iframe> is not allowed"),
    ('<object data="a.swf"></object>', "the HTML element <object> is not allowed"),
    ('<embed src="a.swf">', "the HTML element <embed> is not allowed"),
    ('<svg onload="alert(1)">', "the HTML element <svg> is not allowed"),
    ("<h2>Раздел</h2>", "write a Markdown heading"),
    ('<p onclick="alert(1)">текст</p>', "the attribute 'onclick' on <p> is an event handler"),
    ("<img src=x onerror = 'alert(1)'>", "the attribute 'onerror' on <img> is an event handler"),
    ('<a href="https://example.org" onmouseover=alert(1)>x</a>', "'onmouseover' on <a> is an event handler"),
    ("<img/src=x/onerror=alert(1)>", "cannot read the HTML '<img/src=x/onerror=alert(1)>'"),
    ("<!DOCTYPE html>", "cannot read the HTML"),
    ('<p style="color: red">текст</p>', "the attribute 'style' is not allowed on <p>"),
    ('<span data-x="1">x</span>', "the attribute 'data-x' is not allowed on <span>"),
    ("[x](javascript:alert(1))", "uses the scheme 'javascript:'"),
    ("[x](JaVa&#x73;cript:alert(1))", "uses the scheme 'javascript:'"),
    ('<a href="java\tscript:alert(1)">x</a>', "uses the scheme 'javascript:'"),
    ('<a href="&#106;avascript:alert(1)">x</a>', "uses the scheme 'javascript:'"),
    ('<a href="vbscript:msgbox(1)">x</a>', "uses the scheme 'vbscript:'"),
    ("[x](data:text/html,<b>hi</b>)", "uses the scheme 'data:'"),
    ("![x](data:image/svg+xml;base64,PHN2Zz4=)", "data: only for PNG, JPEG, GIF or WebP images"),
    ("[ref]: javascript:alert(1)", "uses the scheme 'javascript:'"),
    ("[^1]: see [x](javascript:alert(1))", "uses the scheme 'javascript:'"),
    ("[x](file:///etc/passwd)", "uses the scheme 'file:'"),
    ('Абзац {: onclick="alert(1)" }', "the attribute 'onclick' in '{: onclick=\"alert(1)\" }' is not allowed"),
    ('Абзац {: style="display:none" }', "the attribute 'style' in"),
]

ALLOWED_LINES = [
    '<span lang="en">Harm reduction</span>', "a < b, c > d and <5 %", "<https://inpud.net>", "<br>", "<br/>",
    "[глава](02-a.md)", "![схема](data:image/png;base64,iVBORw0KGgo=)", '<abbr title="ООН">UN</abbr>',
    "## Раздел {: #razdel .wide }", "<!-- заметка редактора -->", '<a href="mailto:info@example.org">почта</a>',
    '<div markdown="1">', '<ol start="3">', '<td colspan="2">', '<th scope="col">', '<li value="4">',
    '<col span="2">', '<dd lang="en">', "Текст {{ value(\"x\", \"1.1\") }} дальше",
    # A footnote that starts with a word and a colon is text, not a link to "Source:".
    "[^3]: Source: the annual report", "[^1]: Достижения: все цели",
]


@pytest.mark.parametrize("line, expected", REFUSED_LINES)
def test_markup_outside_the_allowlist_is_refused_with_the_line(line, expected):
    with pytest.raises(AlmanacError) as error:
        markup.check_line(line, WHERE)
    message = str(error.value)
    assert message.startswith(WHERE + ": ") and expected in message, message
    assert "\n" not in message


@pytest.mark.parametrize("line", ALLOWED_LINES)
def test_markup_that_pages_need_passes(line):
    markup.check_line(line, WHERE)


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n{}\n</svg>\n'
REFUSED_SVGS = [
    ("<script>alert(1)</script>", "line 2: the SVG element <script> is not allowed"),
    ('<rect onclick="alert(1)"/>', "line 2: the SVG attribute 'onclick' is an event handler"),
    ("<foreignObject><p>x</p></foreignObject>", "the SVG element <foreignObject> is not allowed"),
    ('<image xlink:href="https://example.org/x.png"/>', "refers to 'https://example.org/x.png'"),
    ('<image href="file:///etc/passwd"/>', "refers to 'file:///etc/passwd'"),
    ('<use href="other.svg#a"/>', "refers to 'other.svg#a'"),
    ('<a href="javascript:alert(1)"><text>x</text></a>', "refers to 'javascript:alert(1)'"),
    ("<style>@import url(https://example.org/a.css);</style>", "@import is not allowed"),
    ('<rect style="fill: url(https://example.org/p.svg#a)"/>', "the SVG style refers to"),
    ('<set attributeName="onmouseover" to="alert(1)"/>', "animates 'onmouseover'"),
    ('<animate attributeName="href" values="javascript:alert(1)"/>', "animates 'href'"),
]


@pytest.mark.parametrize("inner, expected", REFUSED_SVGS)
def test_svg_files_that_could_run_or_load_anything_are_refused(inner, expected):
    with pytest.raises(AlmanacError) as error:
        markup.check_svg(SVG.format(inner).encode(), "content/x/figure.svg")
    assert str(error.value).startswith("content/x/figure.svg") and expected in str(error.value), str(error.value)


def test_svg_entities_and_garbage_are_refused():
    with pytest.raises(AlmanacError, match="DOCTYPE or entity declaration"):
        markup.check_svg(b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>', "a.svg")
    with pytest.raises(AlmanacError, match=r"a.svg, line 1: not a well-formed SVG"):
        markup.check_svg(b"<svg><g></svg>", "a.svg")


def test_the_project_svgs_and_ordinary_drawings_pass():
    root = Path(__file__).resolve().parents[1]
    for path in root.joinpath("overrides").rglob("*.svg"):
        markup.check_svg(path.read_bytes(), path.name)
    markup.check_svg(SVG.format('<defs><linearGradient id="g"/></defs><rect fill="url(#g)"/>'
                                '<use xlink:href="#g"/><style>rect { fill: #fff }</style>').encode(), "ok.svg")


@pytest.fixture
def tree(tmp_path) -> Path:
    for folder in boundary.FOLDERS:
        (tmp_path / folder).mkdir()
    (tmp_path / "content" / "x").mkdir()
    (tmp_path / "content" / "x" / "01-a.md").write_text("# A\n", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("link, target, expected", [
    ("content/notes.txt", "/etc/hostname", "content/notes.txt: is a symbolic link that leaves the project's folders"),
    ("content/x/02-b.md", "../../outside.txt", "content/x/02-b.md: is a symbolic link that leaves"),
    ("data/elsewhere", "/tmp", "data/elsewhere: is a symbolic link that leaves"),
    ("overrides/dead.css", "missing.css", "overrides/dead.css: is a broken symbolic link"),
    ("locales", "/tmp", "locales: is a symbolic link; expected the project's own folder"),
])
def test_links_that_leave_the_project_are_refused_referenced_or_not(tree, link, target, expected):
    path = tree / link
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    path.symlink_to(target)
    with pytest.raises(AlmanacError) as error:
        boundary.check(tree)
    assert str(error.value).startswith(expected), str(error.value)


def test_links_inside_the_project_and_pipes(tree):
    (tree / "content" / "y").symlink_to("x")   # a folder shown twice is the project's own business
    (tree / "data" / "a.md").symlink_to("../content/x/01-a.md")
    boundary.check(tree)
    os.mkfifo(tree / "content" / "x" / "pipe.md")
    with pytest.raises(AlmanacError, match="content/x/pipe.md: is not a regular file or folder"):
        boundary.check(tree)


class _Pub:
    def __init__(self, slug, chapters):
        self.slug, self.chapters = slug, [f"{slug}/{c}" for c in chapters]


@pytest.mark.parametrize("page, expected", [
    ("x/02-orphan.md", "content/x/02-orphan.md: not listed in content/x/publication.yml"),
    ("x/02-orphan.en.md", "content/x/02-orphan.en.md: not listed in content/x/publication.yml"),
    ("x/01-a.de.md", "content/x/01-a.de.md: a translation into 'de', which is not a language of this site"),
    ("x/01-a.kz.md", "content/x/01-a.kz.md: a translation into 'kz'"),
    ("y/01-a.md", "content/y/01-a.md: the folder content/y/ has no publication.yml"),
])
def test_every_page_is_a_listed_chapter_in_a_configured_language(page, expected):
    pages = ["index.md", "index.en.md", "x/01-a.md", "x/01-a.en.md", "x/01-a.kk.md", page]
    with pytest.raises(AlmanacError) as error:
        content.check_inventory(pages, ["ru", "en", "kk"], [_Pub("x", ["01-a.md"])], "content")
    assert str(error.value).startswith(expected), str(error.value)


def _check(text: str):
    return content.check(text, "content/x/01-a.md", Path("/nonexistent/content/x/01-a.md"), Path("/nonexistent/content"))


@pytest.mark.parametrize("text, expected", [
    ("# A\n\n# B\n", "line 3: a second '# Title' (the first is on line 1)"),
    ("# A\n\nB\n===\n", "line 4: a second '# Title'"),
    ("# A\n\n### C\n", "line 3: a level-3 heading after a level-1 heading; expected '## '"),
    ("# A\n\n## B\n\n#### D\n", "line 5: a level-4 heading after a level-2 heading; expected '### '"),
    ("---\ntitel: A\n---\n# A\n", "line 2: unknown front matter key 'titel'; did you mean 'title'?"),
    ("---\ndescription: a\ndescription: b\n---\n# A\n", "line 3: the front matter is not valid YAML (duplicate key"),
    ('# A\n\n{{ indicators("x", group="1")\n', "line 3: '{{ indicators(\"x\", group=\"1\")' is not a whole marker"),
    ('# A\n\nТекст {{ chart("x", "c") }} дальше.\n', "line 3: the marker"),
    ("# A\n\nШаблон {{ name }}.\n", "line 3: '{{ name }}.' is not a whole marker"),
    ("# A\n\n- {{ indicators(\"x\", group=\"1\") }}\n", "line 3: the marker"),
])
def test_outline_front_matter_and_markers(text, expected):
    with pytest.raises(AlmanacError) as error:
        _check(text)
    assert str(error.value).startswith("content/x/01-a.md, " + expected), str(error.value)


def test_what_is_fine_stays_fine():
    _check("---\ntitle: A\nhide: [navigation]\n---\n# A\n\n## B\n\n### C\n\n## D\n\n"
           "Список:\n\n- пункт\n---\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n"
           "`{{ не маркер }}` и\n\n```\n{{ и это не маркер }}\n<script>в коде можно</script>\n```\n\n"
           '{{ indicators("x", group="1") }}\n\nВ тексте {{ value("x", "1.1") }}.\n')


def test_links_to_missing_anchors_within_and_across_pages():
    pages = [anchors.Rendered("content/x/01-a.md", "x/01-a/", '<h2 id="celi">Цели</h2><a href="#celi">ok</a>'
                              '<a href="../02-b/#zadachi">ok</a>', "# A\n"),
             anchors.Rendered("content/x/02-b.md", "x/02-b/", '<h2 id="zadachi">Задачи</h2>'
                              '<a href="../01-a/#cel">bad</a>', "# B\n\nСм. [цели](01-a.md#cel).\n")]
    with pytest.raises(AlmanacError) as error:
        anchors.check(pages)
    assert str(error.value).startswith("content/x/02-b.md, line 3: the link to '#cel' leads to no anchor in "
                                       "content/x/01-a.md; did you mean '#celi'?"), str(error.value)
    pages[1].html = '<h2 id="zadachi">Задачи</h2><a href="../01-a/#celi">ok</a><a href="../../y/#far">not built</a>'
    anchors.check(pages)


def test_an_organisations_web_address_is_http_only(tmp_path):
    from almanac import publications

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "organisations.yml").write_text(
        "x:\n  name: {ru: Икс}\n  acronym: {ru: X}\n  url: \"javascript:alert(1)\"\n", encoding="utf-8")
    with pytest.raises(AlmanacError) as error:
        publications.load_organisations(tmp_path)
    assert str(error.value).startswith("data/organisations.yml, line 4, 'url': expected a web address"), str(error.value)


def test_a_translation_never_stamped_is_named_as_such_not_as_stale(tmp_path):
    from almanac import multilingual, translations

    path = tmp_path / "01-a.en.md"
    path.write_text("# A\n", encoding="utf-8")
    entry = translations.Entry("x", "x/01-a.md", "en", "stale", 1, path)
    assert multilingual.problems([entry], tmp_path) == [
        "01-a.en.md: never stamped: it has no source_hash in its front matter; once it translates "
        "content/x/01-a.md, run 'make stamp FILES=01-a.en.md'."]
