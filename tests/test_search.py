"""Search: every form of a word finds the same pages, and a first search downloads a bounded amount.

- The Kazakh stemmer that ships (overrides/assets/javascripts/lunr/min/lunr.kk.min.js) is run in
  node over groups of word forms: each group meets on one stem, and different words stay apart.
- almanac.search.scopes splits a language's index into a library index and one per publication;
  it is checked in-process, at the real library's size and at 50 times it.
- The built site: each page's search reads its scope's index; each index names its language's
  stemmer; the library index has one short entry per publication.
- In Chromium (Playwright), on the real site: each form of a word, typed into the search box, finds
  the same pages in ru, en and kk; snippets are short; what the first search downloads stays under
  the bound; and nothing breaks the page's Content-Security-Policy.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from almanac import search

from .test_browser import CSP_LISTENER, SEARCH_READY, _serving, browser  # noqa: F401  (browser: a fixture)

ROOT = Path(__file__).resolve().parents[1]
KK_STEMMER = ROOT / "overrides" / "assets" / "javascripts" / "lunr" / "min" / "lunr.kk.min.js"
WORKER = ROOT / "overrides" / "assets" / "javascripts" / "workers" / "almanac-search.js"
FIRST_SEARCH_BOUND = 1_500_000          # bytes, uncompressed, at 50× the library (issue 21)
SNIPPET_BOUND = 200                     # characters of a result's text (the worker aims at 160)

# Each group: the forms of one word, which must share a stem (plural, possessive, case, voicing).
KK_FORMS = [
    ["құқық", "құқықтар", "құқықтары", "құқықтарын", "құқықтарының", "құқықтарға", "құқықтарда",
     "құқықтардан", "құқықтармен", "құқықтардың", "құқықтарымыз", "құқықтың", "құқыққа", "құқығы",
     "құқығын", "құқығына"],
    ["ұйым", "ұйымдар", "ұйымы", "ұйымның", "ұйымдардың", "ұйымдарға", "ұйымдарының", "ұйымда",
     "ұйымнан", "ұйыммен", "ұйымына", "ұйымдарына"],
    ["жоспар", "жоспары", "жоспардың", "жоспарлар", "жоспарлары", "жоспарында", "жоспарға"],
    ["мемлекет", "мемлекеттер", "мемлекеттің", "мемлекеттерде", "мемлекетке"],
    ["бағдарлама", "бағдарламасы", "бағдарламалар", "бағдарламаның", "бағдарламасын", "бағдарламаға",
     "бағдарламада", "бағдарламалары"],
    ["қызмет", "қызметі", "қызметтер", "қызметтің", "қызметін", "қызметінде"],
    ["кітап", "кітабы", "кітаптар", "кітаптың"],
    ["қаржы", "қаржысы", "қаржыны", "қаржылар", "қаржының"],
    ["білім", "білімі", "білімді", "білімнің", "білімдер"],
    ["Қазақстан", "Қазақстанда", "Қазақстанның", "Қазақстаннан", "Қазақстанға"],
    ["орта", "ортада", "ортасы", "ортаға"],
    ["адам", "адамдар", "адамның", "адамдардың", "адамдарға", "адамға"],
]
# Different words that a careless stripper would merge: each pair must keep different stems.
KK_APART = [("құқық", "құқықтық"), ("сана", "сан"), ("ұйым", "ұй"), ("қызметкер", "қызмет"),
            ("орта", "ор"), ("ана", "ан")]


def _node() -> str:
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.fail("node is not installed: `make test` installs npm, which brings it")
    return node


def _kk_stems(words: list[str]) -> list[str]:
    script = ("const kk = require(process.argv[1]);"
              "process.stdout.write(JSON.stringify(JSON.parse(process.argv[2]).map(kk.stem)));")
    result = subprocess.run([_node(), "-e", script, str(KK_STEMMER), json.dumps(words)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


# -- The Kazakh stemmer, as it ships ------------------------------------------------------------------


@pytest.mark.parametrize("forms", KK_FORMS, ids=[forms[0] for forms in KK_FORMS])
def test_the_kazakh_stemmer_gives_every_form_of_a_word_one_stem(forms):
    stems = _kk_stems(forms)
    assert len(set(stems)) == 1, dict(zip(forms, stems))
    assert forms[0].lower().startswith(stems[0][:-1]), f"{forms[0]} → {stems[0]}: the stem left the word"


def test_the_kazakh_stemmer_keeps_different_words_apart():
    words = [word for pair in KK_APART for word in pair]
    stems = dict(zip(words, _kk_stems(words)))
    merged = [(a, b, stems[a]) for a, b in KK_APART if stems[a] == stems[b]]
    assert merged == [], merged


def test_the_kazakh_trimmer_strips_punctuation_in_any_script():
    script = ("const kk = require(process.argv[1]);"
              "process.stdout.write(JSON.stringify(['«құқықтары»,', '(RuNPUD).', '2024.'].map(kk.trim)));")
    result = subprocess.run([_node(), "-e", script, str(KK_STEMMER)], capture_output=True, text=True, timeout=60)
    assert json.loads(result.stdout) == ["құқықтары", "RuNPUD", "2024"]


# -- Splitting an index by scope (in-process) ----------------------------------------------------------


def _doc(location: str, title: str, text: str = "") -> dict:
    return {"location": location, "title": title, "text": text}


def test_each_publication_gets_its_pages_and_the_library_relative_to_its_folder():
    index = {"config": {"lang": ["ru"]}, "docs": [
        _doc("", "Home", "<p>Welcome</p>"),
        _doc("#almanac-card-a", "A", "<p>card</p>"),
        _doc("translation-status/", "Status", "<p>table</p>"),
        _doc("a/", "Plan A", "<p>" + "word " * 100 + "</p>"),
        _doc("a/#goals", "Goals", "<p>goal</p>"),
        _doc("a/02-b/", "Chapter", "<p>chapter text, not an abstract</p>"),
        _doc("b/", "Plan B", ""),
        _doc("b/#first", "First", "<p>B's first paragraph</p>"),
    ]}
    parts = search.scopes(index, ["a", "b", "c"])
    assert set(parts) == {"", "a/", "b/", "c/"}
    library = {doc["location"]: doc for doc in parts[""]["docs"]}
    assert list(library) == ["", "translation-status/", "a/", "b/"], "widgets out, one entry per publication"
    assert library["a/"]["title"] == "Plan A" and len(library["a/"]["text"]) <= search.ABSTRACT + 10
    assert library["a/"]["text"].endswith(" …</p>")
    assert library["b/"]["text"] == "<p>B's first paragraph</p>", "the home page's first text, in a section if need be"
    assert [doc["location"] for doc in parts["a/"]["docs"]] == [
        "", "#goals", "02-b/", "../", "../translation-status/", "../b/"]
    assert [doc["location"] for doc in parts["c/"]["docs"]] == ["../", "../translation-status/", "../a/", "../b/"]
    assert all(part["config"] == index["config"] for part in parts.values())
    # The translation status (editorial) is searched from the library only: it changes with every edit.
    # What the assembly writes is each scope's `dumps`, byte for byte.
    for editorial in ((), {"translation-status/"}):
        expected = {where: search.dumps(part) for where, part in search.scopes(index, ["a", "b", "c"], editorial).items()}
        assert dict(search.dumped_scopes(index, ["a", "b", "c"], editorial)) == expected
    parts = search.scopes(index, ["a", "b", "c"], editorial={"translation-status/"})
    assert [doc["location"] for doc in parts[""]["docs"]] == ["", "translation-status/", "a/", "b/"]
    assert [doc["location"] for doc in parts["c/"]["docs"]] == ["../", "../a/", "../b/"]


def test_each_language_names_its_own_stemmer():
    assert search.index_config("kk", {"lang": ["ru"], "separator": "x"}) == {
        "lang": ["kk"], "separator": "x", "pipeline": ["trimmer", "stopWordFilter", "stemmer"]}
    assert search.index_config("ru", {})["pipeline"] == ["stopWordFilter", "stemmer"]


def test_a_first_search_stays_under_the_bound_at_fifty_times_the_library(built_site):
    """The real Russian index, with every publication copied 50 times under new slugs: the largest
    index any page reads (plus the scripts) stays under the bound, while the whole index does not."""
    library = json.loads((built_site / search.INDEX).read_text(encoding="utf-8"))
    slugs = [path.parent.parent.name for path in sorted(built_site.glob("*/" + search.INDEX))]
    docs = [doc for doc in library["docs"] if doc["location"].rstrip("/") not in slugs]
    copies = []
    for n in range(50):
        for slug in slugs:
            own = json.loads((built_site / slug / search.INDEX).read_text(encoding="utf-8"))["docs"]
            copies += [{**doc, "location": f"{slug}-{n}/{doc['location']}"}
                       for doc in own if not doc["location"].startswith("../")]
    index = {"config": library["config"], "docs": docs + copies}
    parts = search.scopes(index, [f"{slug}-{n}" for n in range(50) for slug in slugs])
    scripts = sum((built_site / "assets" / "javascripts" / path).stat().st_size for path in (
        "workers/almanac-search.js", "lunr/min/lunr.stemmer.support.min.js", "lunr/min/lunr.ru.min.js"))
    scripts += next((built_site / "assets" / "javascripts" / "workers").glob("search.*.min.js")).stat().st_size
    largest = max(len(search.dumps(part).encode()) for part in parts.values())
    assert len(search.dumps(index).encode()) > 10 * FIRST_SEARCH_BOUND, "the copies make a large library"
    assert largest + scripts < FIRST_SEARCH_BOUND, f"{largest + scripts} bytes at 50×"


# -- The built site -----------------------------------------------------------------------------------


def test_every_page_searches_its_scope_with_almanacs_worker(built_site, publications):
    slugs = {pub.slug for pub in publications}
    pages = [page for page in sorted(built_site.rglob("*.html")) if search.page_download(built_site, page)]
    assert len(pages) > 100
    for page in pages:
        download = search.page_download(built_site, page)
        parts = page.relative_to(built_site).parts
        prefix = f"{parts[0]}/" if parts[0] in ("en", "kk") else ""
        rest = parts[1:] if prefix else parts
        scope = prefix + (f"{rest[0]}/" if len(rest) > 1 and rest[0] in slugs else "")
        assert download.index == f"/{scope}{search.INDEX}", page
        assert any(path.endswith("/almanac-search.js") for path in download.files), page


def test_each_index_names_its_languages_stemmer(built_site):
    for lang, prefix in (("ru", ""), ("en", "en/"), ("kk", "kk/")):
        scopes = [path for path in sorted((built_site / prefix).glob("*/" + search.INDEX))
                  if path.parent.parent.name not in ("en", "kk")]
        assert len(scopes) >= 5, f"a publication index per publication in {lang}"
        for path in [built_site / prefix / search.INDEX, *scopes]:
            config = json.loads(path.read_text(encoding="utf-8"))["config"]
            assert config["lang"] == [lang], path
            assert "stemmer" in config["pipeline"], path
    shipped = built_site / "assets" / "javascripts" / "lunr" / "min" / "lunr.kk.min.js"
    assert shipped.read_bytes() == KK_STEMMER.read_bytes()


def test_the_library_index_has_each_publication_once_with_a_short_abstract(built_site, publications):
    for prefix in ("", "en/"):
        docs = json.loads((built_site / prefix / search.INDEX).read_text(encoding="utf-8"))["docs"]
        entries = [doc for doc in docs if doc["location"].rstrip("/") in {p.slug for p in publications}]
        assert sorted(doc["location"] for doc in entries) == sorted(f"{p.slug}/" for p in publications)
        lang = prefix.rstrip("/") or "ru"
        for pub in publications:
            entry = next(doc for doc in entries if doc["location"] == f"{pub.slug}/")
            assert entry["title"] == pub.title(lang)
            assert len(entry["text"]) <= search.ABSTRACT + 10
        assert not [doc for doc in docs if "#almanac-" in doc["location"]], "the catalogue's widgets stay out"


# -- In Chromium ---------------------------------------------------------------------------------------

# (page, forms of one word): each form must find the same pages there. The page sets the scope: a
# publication's home searches that publication and the library's titles and abstracts. One word per
# language runs in `make test`; the others in the full lane.
FORMS = [
    ("kibhr-2015-2018/", ["оценка", "оценки", "оценку", "оценке", "оценках"]),
    pytest.param("kibhr-2015-2018/", ["правозащитной", "правозащитных", "правозащитный", "правозащитным"], marks=pytest.mark.slow),
    pytest.param("runpud-2021-2024/", ["правозащитная", "правозащитные", "правозащитной", "правозащитных"], marks=pytest.mark.slow),
    pytest.param("kibhr-2015-2018/", ["правозащитник", "правозащитников", "правозащитника", "правозащитникам"], marks=pytest.mark.slow),
    ("en/inpud-2025-2029/", ["strategy", "strategies"]),
    pytest.param("en/kibhr-2015-2018/", ["right", "rights"], marks=pytest.mark.slow),
    pytest.param("en/runpud-2021-2024/", ["evaluation", "evaluating"], marks=pytest.mark.slow),
    ("kk/kibhr-2015-2018/", ["құқықтары", "құқықтарын", "құқықтарының", "құқық", "құқықтар"]),
    pytest.param("kk/kibhr-2015-2018/", ["ұйымдар", "ұйымның", "ұйымдарының", "ұйым"], marks=pytest.mark.slow),
    pytest.param("kk/runpud-2021-2024/", ["құқықтарын", "құқықтардың", "құқықтары"], marks=pytest.mark.slow),
]

RESULTS_SHOWN = """() => {
  const config = JSON.parse(document.getElementById("__config").textContent);
  const text = document.querySelector(".md-search-result__meta").textContent.trim();
  return text !== "" && text !== config.translations["search.result.placeholder"];
}"""


@pytest.fixture(scope="module")
def site_server(built_site):
    with _serving(built_site) as url:
        yield url


def _search(context, origin: str, path: str, query: str) -> dict:
    """Search `query` on `path` as a reader does: type it, wait for the results, scroll to the last."""
    page = context.new_page()
    problems: list[str] = []
    responses: dict[str, int] = {}
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: responses.__setitem__(urlsplit(r.url).path, int(r.headers["content-length"]))
            if r.ok and ("search" in r.url or "/lunr/" in r.url) else None)
    page.goto(origin + path, wait_until="load")
    page.wait_for_function(SEARCH_READY, timeout=30_000)
    page.fill("input.md-search__input", query)
    page.press("input.md-search__input", "End")
    page.wait_for_function(RESULTS_SHOWN, timeout=30_000)
    page.wait_for_timeout(300)
    meta = page.locator(".md-search-result__meta").inner_text()
    count = int(re.search(r"\d+", meta).group()) if re.search(r"\d+", meta) else 0
    for _ in range(20):
        items = page.locator(".md-search-result__item").count()
        if items >= count:
            break
        page.locator(".md-search__scrollwrap").evaluate("el => el.scrollTop = el.scrollHeight")
        page.wait_for_timeout(200)
    links = [urlsplit(href).path for href in page.eval_on_selector_all(
        ".md-search-result__item > .md-search-result__link:first-child", "links => links.map(a => a.href)")]
    # A result's text, without Material's line of missing words (md-search-result__terms).
    snippets = page.eval_on_selector_all(
        ".md-search-result__article",
        "arts => arts.map(a => [...a.querySelectorAll(':scope > p:not(.md-search-result__terms)')]"
        ".map(p => p.textContent).join(' '))")
    violations = page.evaluate("window.__almanacViolations")
    page.close()
    return {"count": count, "pages": links, "snippets": snippets, "problems": problems,
            "violations": violations, "responses": responses}


@pytest.fixture(scope="module")
def searching(browser, site_server):  # noqa: F811  (browser is test_browser's fixture)
    context = browser.new_context()
    context.add_init_script(CSP_LISTENER)
    yield lambda path, query: _search(context, site_server, path, query)
    context.close()


@pytest.mark.parametrize("path, forms", FORMS, ids=[f"{_path}{_forms[0]}" for _path, _forms in
                                                      (getattr(case, "values", case) for case in FORMS)])
def test_each_form_of_a_word_finds_the_same_pages(searching, path, forms):
    found = {form: searching(path, form) for form in forms}
    for form, result in found.items():
        assert result["problems"] == [] and result["violations"] == [], (form, result["problems"], result["violations"])
        assert result["count"] == len(result["pages"]), f"{form}: {result['count']} found, {len(result['pages'])} shown"
    pages = {form: sorted(result["pages"]) for form, result in found.items()}
    assert pages[forms[0]], f"{forms[0]!r} finds nothing on /{path}"
    assert all(found == pages[forms[0]] for found in pages.values()), pages


def test_snippets_are_short(searching):
    result = searching("kibhr-2015-2018/", "права человека")
    assert result["count"] > 0 and result["snippets"]
    long = [text for text in result["snippets"] if len(text) > SNIPPET_BOUND]
    assert long == [], long


@pytest.mark.parametrize("path", ["", "kibhr-2015-2018/", "en/", "kk/kibhr-2015-2018/"])
def test_the_first_search_downloads_what_the_site_says_and_no_more_than_the_bound(searching, built_site, path):
    """Measured in the browser (the bytes of each search file received) against almanac.search.page_download."""
    result = searching(path, "2024")
    assert result["problems"] == [] and result["violations"] == [], result
    expected = search.page_download(built_site, built_site / path / "index.html")
    assert result["responses"] == expected.files
    assert expected.total < FIRST_SEARCH_BOUND / 4, f"{expected.total} bytes at 1×"
