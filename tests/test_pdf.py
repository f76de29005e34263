"""PDF brochures: structure, fonts, text, bookmarks, metadata, languages, back cover, dates, safety,
reproducibility, cache."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from almanac.fetcher import ProjectFetcher, RefusedURL
from tests.conftest import LANGUAGES, ROOT, mkdocs_env, run_mkdocs, set_almanac


def pdfs(site: Path) -> list[Path]:
    return sorted((site / "pdf").glob("*.pdf"))


def test_one_pdf_per_publication_and_language(built_site, publications):
    names = {p.name for p in pdfs(built_site)}
    assert names == {f"{pub.slug}.{lang}.pdf" for pub in publications for lang in LANGUAGES}


def test_download_button_in_the_readers_language(built_site):
    from bs4 import BeautifulSoup

    for prefix, label, lang in (("", "Скачать PDF", "ru"), ("en/", "Download PDF", "en"), ("kk/", "PDF жүктеп алу", "kk")):
        page = BeautifulSoup((built_site / prefix / "kibhr-2015-2018" / "03-challenges" / "index.html").read_text(encoding="utf-8"), "html.parser")
        button = page.select_one("a.almanac-pdf")
        assert button.get_text(strip=True) == label
        target = (built_site / prefix / "kibhr-2015-2018" / "03-challenges" / button["href"]).resolve()
        assert target.name == f"kibhr-2015-2018.{lang}.pdf" and target.exists()


@pytest.fixture(scope="module")
def readers(built_site):
    return {p.name: PdfReader(p) for p in pdfs(built_site)}


def chapter_titles(built_site: Path, pub, lang: str) -> list[str]:
    """The chapter headings a reader sees on the website, in the edition's language (or the original's)."""
    from bs4 import BeautifulSoup

    titles = []
    for chapter in pub.chapters:
        folder = chapter.removesuffix(".md").removesuffix("index")
        page = built_site / ("" if lang == "ru" else lang) / folder / "index.html"
        heading = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article h1")
        for permalink in heading.select(".headerlink"):
            permalink.decompose()
        titles.append(" ".join(heading.get_text(" ", strip=True).split()))
    return titles


def pdf_text(path: Path) -> str:
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    # A broken ToUnicode map (e.g. from text-overflow: ellipsis) garbles copy-paste and screen readers.
    assert "Warning" not in result.stderr, f"{path.name}: {result.stderr.splitlines()[0]}"
    return " ".join(result.stdout.split())


@pytest.mark.slow
def test_pdfs_are_brochures_with_bookmarks_metadata_and_structure(built_site, readers, publications):
    for pub in publications:
        for lang in LANGUAGES:
            name = f"{pub.slug}.{lang}.pdf"
            reader = readers[name]
            assert len(reader.pages) > 2 + len(pub.chapters) // 2
            assert reader.metadata.title == pub.title(lang)
            assert reader.metadata.author
            root = reader.trailer["/Root"]
            assert root["/Lang"] == lang
            assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
            top = [" ".join(item.title.split()) for item in reader.outline if not isinstance(item, list)]
            assert top[1:] == chapter_titles(built_site, pub, lang), f"{name}: bookmarks differ from the chapters"


def test_pdf_text_has_every_chapter_heading_in_the_editions_language(built_site, publications):
    for pub in publications:
        for lang in LANGUAGES:
            text = pdf_text(built_site / "pdf" / f"{pub.slug}.{lang}.pdf")
            for title in chapter_titles(built_site, pub, lang):
                assert title in text, f"{pub.slug}.{lang}.pdf: heading {title!r} not found"
    checks = {"runpud-2021-2024.ru.pdf": ["Наша миссия", "Содержание"],
              "runpud-2021-2024.en.pdf": ["Contents", "Our mission"],
              "runpud-2021-2024.kk.pdf": ["Мазмұны"],
              "inpud-2025-2029.en.pdf": ["Contents", "INPUD Strategic Plan 2025–2029"]}
    for name, needles in checks.items():
        text = pdf_text(built_site / "pdf" / name).lower()
        for needle in needles:
            assert needle.lower() in text, f"{name}: {needle!r} not found"


def test_a_table_that_breaks_across_pages_repeats_its_header_row(built_site):
    # KIBHR's editorial-notes table is longer than a page.
    result = subprocess.run(["pdftotext", "-layout", str(built_site / "pdf" / "kibhr-2015-2018.ru.pdf"), "-"],
                            capture_output=True, text=True, check=True)
    header = re.compile(r"Где\s+В источнике\s+На сайте\s+Причина")
    pages = [number for number, text in enumerate(result.stdout.split("\f"), start=1) if header.search(text)]
    assert len(pages) >= 2 and pages[1] == pages[0] + 1, pages


def test_an_untranslated_edition_says_so_on_its_cover(built_site):
    untranslated = "Бұл басылым әлі қазақ тіліне аударылған жоқ"
    cover = PdfReader(built_site / "pdf" / "enpud-2022-2024.kk.pdf").pages[0].extract_text()
    assert untranslated in " ".join(cover.split()) and "Русский" in cover
    for translated in ("runpud-2021-2024.kk.pdf", "kibhr-2015-2018.en.pdf"):
        cover = PdfReader(built_site / "pdf" / translated).pages[0].extract_text()
        assert "аударылған жоқ" not in cover and "not been translated" not in cover, translated


def _top_elements(path: Path) -> list:
    """The structure elements directly under /Document, with the page number each is on."""
    import pikepdf

    pdf = pikepdf.open(path)
    pages = {page.objgen: number for number, page in enumerate(pdf.pages, start=1)}
    document = pdf.Root.StructTreeRoot.K[0]
    return [(element, pages[element.Pg.objgen]) for element in document.K], pdf


def _descendants(element):
    import pikepdf

    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from _descendants(kid)


def test_chapters_in_the_original_language_carry_it_in_the_structure_tree(built_site):
    # The Kazakh edition of ENPUD's plan is not translated: Kazakh cover and contents, Russian text.
    elements, pdf = _top_elements(built_site / "pdf" / "enpud-2022-2024.kk.pdf")
    assert str(pdf.Root.Lang) == "kk"
    articles = [element for element, _ in elements if element.S == "/Art"]
    assert articles and all(str(element.get("/Lang")) == "ru" for element in articles)
    cover, toc = elements[0][0], elements[1][0]
    assert "/Lang" not in cover and "/Lang" not in toc
    # Its title is shown in the original language, and so is each entry of the contents.
    assert [str(e.Lang) for e in _descendants(cover) if e.S == "/H1"] == ["ru"]
    entries = [e for e in _descendants(toc) if e.S == "/LI" and "/Lang" in e]
    assert len(entries) == 6 and {str(e.Lang) for e in entries} == {"ru"}
    # A footnote area on a page of a Russian chapter is Russian too (INPUD's notes).
    elements, _ = _top_elements(built_site / "pdf" / "inpud-2025-2029.kk.pdf")
    chapter_pages = {page for element, page in elements if element.S == "/Art"}
    notes = [element for element, page in elements if element.S == "/NonStruct" and page in chapter_pages]
    assert notes and all(str(element.get("/Lang")) == "ru" for element in notes)
    # A translated edition declares nothing else.
    for name in ("runpud-2021-2024.kk.pdf", "kibhr-2015-2018.en.pdf"):
        elements, _ = _top_elements(built_site / "pdf" / name)
        assert not any("/Lang" in element for element, _ in elements), name


@pytest.mark.slow
def test_every_pdf_ends_with_a_colophon_of_what_the_sources_state(built_site, publications):
    from babel.dates import format_date

    for pub in publications:
        for lang in LANGUAGES:
            reader = PdfReader(built_site / "pdf" / f"{pub.slug}.{lang}.pdf")
            back = " ".join(reader.pages[-1].extract_text().split())
            assert pub.organisation.name_in(lang) in back, f"{pub.slug}.{lang}: {back}"
            date = datetime.datetime.strptime(reader.metadata["/CreationDate"][2:10], "%Y%m%d").date()
            assert " ".join(format_date(date, "long", locale=lang).split()) in back, f"{pub.slug}.{lang}: {back}"
            # The licence only where the source states one (INPUD 2025–2029's back cover).
            if pub.licence:
                assert pub.licence["title"] in back and pub.licence["url"] in back
            else:
                assert "Creative Commons" not in back and "creativecommons" not in back, f"{pub.slug}.{lang}: {back}"


@pytest.mark.slow
def test_pdfs_are_dated_by_the_last_commit_of_their_content(built_site, publications):
    dt = datetime
    for pub in publications:
        paths = [f"content/{pub.slug}"] + [p for p in (f"data/indicators/{pub.slug}.yml",) if (ROOT / p).exists()]
        dirty = subprocess.run(["git", "status", "--porcelain", "--", *paths], cwd=ROOT, capture_output=True,
                               text=True, check=True).stdout
        if dirty:
            expected = dt.datetime.now(dt.timezone.utc).strftime("D:%Y%m%d000000+00'00")
        else:
            last = subprocess.run(["git", "log", "-1", "--format=%cI", "--", *paths], cwd=ROOT, capture_output=True,
                                  text=True, check=True).stdout.strip()
            moment = dt.datetime.fromisoformat(last).astimezone(dt.timezone.utc)
            expected = moment.strftime("D:%Y%m%d%H%M%S+00'00")
        for lang in LANGUAGES:
            info = PdfReader(built_site / "pdf" / f"{pub.slug}.{lang}.pdf").metadata
            assert info["/CreationDate"] == info["/ModDate"] == expected, f"{pub.slug}.{lang}"


def test_a_publication_is_dated_by_git_or_else_today(tmp_path):
    from almanac import dates

    dt = datetime

    today = dt.date(2026, 12, 24)
    folder = tmp_path / "content" / "x"
    folder.mkdir(parents=True)
    (folder / "a.md").write_text("# A\n", encoding="utf-8")
    assert dates.content_date(tmp_path, ["content/x"], today) == dates.ContentDate(
        dt.datetime(2026, 12, 24, tzinfo=dt.timezone.utc), False)   # no git at all
    env = {**os.environ, "GIT_COMMITTER_DATE": "2026-11-30T12:00:00+03:00", "GIT_AUTHOR_DATE": "2026-11-30T12:00:00+03:00"}
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=tmp_path, env=env, check=True, capture_output=True)
    committed = dates.content_date(tmp_path, ["content/x", "data/indicators/x.yml"], today)
    assert committed.iso == "2026-11-30T09:00:00+00:00" and committed.note("content/x") is None
    (folder / "b.md").write_text("# B\n", encoding="utf-8")   # not committed yet
    changed = dates.content_date(tmp_path, ["content/x"], today)
    assert changed.iso == "2026-12-24T00:00:00+00:00"
    assert "content/x" in changed.note("content/x") and "2026-12-24" in changed.note("content/x")


def test_the_home_page_and_the_catalogue_say_which_pdfs_hold_the_original(built_site):
    from bs4 import BeautifulSoup

    def page(path: str) -> BeautifulSoup:
        return BeautifulSoup((built_site / path).read_text(encoding="utf-8"), "html.parser")

    for prefix, note in (("en/", "(the original, in Русский)"), ("", "(оригинал на языке: Русский)"),
                         ("kk/", "(түпнұсқа, тілі: Русский)")):
        home = page(f"{prefix}enpud-2022-2024/index.html")
        for link in home.select('.almanac-overview a.almanac-download[type="application/pdf"]'):
            edition = link["href"].rsplit(".", 2)[-2]
            shown = link.find_next_sibling("span", class_="almanac-download__original")
            # ENPUD's plan is not translated into Kazakh: that PDF holds the Russian original, and says so.
            assert link["hreflang"] == ("ru" if edition == "kk" else edition), link
            assert (" ".join(shown.get_text().split()) if shown else None) == (note if edition == "kk" else None), link
            if shown:
                assert shown.select_one('span[lang="ru"]').get_text() == "Русский"
        card = page(f"{prefix}index.html").find(id="almanac-card-enpud-2022-2024").find_parent("article")
        kk = card.select_one('.almanac-card__downloads a[href$="enpud-2022-2024.kk.pdf"]')
        assert kk["hreflang"] == "ru"
        assert " ".join(kk.find_next_sibling("span", class_="almanac-download__original").get_text().split()) == note
        ru = card.select_one('.almanac-card__downloads a[href$="enpud-2022-2024.ru.pdf"]')
        assert ru.find_next_sibling("span", class_="almanac-download__original") is None


@pytest.mark.slow
def test_pdfs_pass_the_machine_checkable_part_of_pdf_ua(built_site):
    # pdfua covers about 15 % of PDF/UA-1's rules; its warnings (table header association) need a person.
    checker = Path(sys.executable).parent / "pdfua"
    result = subprocess.run([str(checker), "check", "--min-severity", "error", "--quiet", *map(str, pdfs(built_site))],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]


def test_every_font_is_embedded_and_none_from_the_system(built_site):
    for path in pdfs(built_site):
        result = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
        rows = result.stdout.splitlines()[2:]
        assert rows, path.name
        for row in rows:
            columns = row.split()
            name, emb, sub = columns[0], columns[-5], columns[-4]
            assert emb == "yes" and sub == "yes", f"{path.name}: {row}"
            assert "+Almanac-" in name, f"{path.name}: unexpected font {name} (system fallback?)"


def test_fetcher_refuses_escapes_and_network(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "ok.txt").write_text("ok")
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    (project / "link.txt").symlink_to(outside)
    fetcher = ProjectFetcher(project)
    assert fetcher.fetch((project / "ok.txt").as_uri()).read() == b"ok"
    for url, reason in ((outside.as_uri(), "outside the project"), ((project / "link.txt").as_uri(), "symlink"),
                        ("http://example.org/logo.png", "no network access"), ("file:///etc/passwd", "outside")):
        with pytest.raises(RefusedURL) as error:
            fetcher.fetch(url)
        assert reason in str(error.value)


def test_a_page_that_embeds_a_foreign_file_stops_the_build_naming_the_page(mini_project):
    set_almanac(mini_project, pdf="true")
    page = mini_project / "content" / "demo-report-2023" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n<a rel="attachment" href="file:///etc/passwd">x</a>\n', encoding="utf-8")
    result = run_mkdocs(mini_project, mini_project / "site")
    assert result.returncode != 0
    # The page check refuses it before anything renders (rel is not on the allowlist, nor is file:) …
    assert "content/demo-report-2023/index.md, line 7: the attribute 'rel' is not allowed on <a>" in result.stderr
    assert "Traceback" not in result.stderr
    # … and the PDF's fetcher, the last line of defence, would refuse the file itself.
    from almanac import urlpolicy

    with pytest.raises(urlpolicy.RefusedURL, match="refused 'file:///etc/passwd': a file outside the project"):
        urlpolicy.check("file:///etc/passwd", mini_project)


@pytest.mark.slow
def test_an_image_beside_a_chapter_reaches_the_pdf_of_every_language(mini_project):
    """MkDocs writes an image's URL relative to the page; the PDF must find the file beside the chapter,
    for a translated page (under /en/) and a fallback alike, and render again when the image changes."""
    from PIL import Image

    from almanac import translations

    set_almanac(mini_project, pdf="true")
    folder = mini_project / "content" / "demo-report-2023"
    Image.new("RGB", (40, 20), (0, 114, 178)).save(folder / "figure.png")
    for name, alt in (("index.md", "Рисунок"), ("index.en.md", "Figure")):
        page = folder / name
        page.write_text(page.read_text(encoding="utf-8") + f"\n![{alt}](figure.png)\n", encoding="utf-8")
    translations.stamp(folder / "index.en.md", mini_project / "content")
    result = run_mkdocs(mini_project, mini_project / "site")
    assert result.returncode == 0, result.stderr[-2000:]
    for lang in LANGUAGES:   # kk falls back to the Russian page, image and all
        reader = PdfReader(mini_project / "site" / "pdf" / f"demo-report-2023.{lang}.pdf")
        assert [image for page in reader.pages for image in page.images], f"no image in the {lang} PDF"
    Image.new("RGB", (40, 20), (230, 159, 0)).save(folder / "figure.png")
    again = run_mkdocs(mini_project, mini_project / "site2")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "Rendered pdf/demo-report-2023.ru.pdf" in again.stderr, "a changed image must not be served from the cache"


@pytest.mark.slow
def test_builds_are_reproducible_and_cached(mini_project):
    set_almanac(mini_project, pdf="true")
    first = run_mkdocs(mini_project, mini_project / "site1")
    assert first.returncode == 0, first.stderr[-2000:]
    assert "Rendered pdf/demo-report-2023.ru.pdf" in first.stderr
    pdf1 = (mini_project / "site1" / "pdf" / "demo-report-2023.ru.pdf").read_bytes()
    second = run_mkdocs(mini_project, mini_project / "site2")
    assert "Rendered pdf/" not in second.stderr, "a cache hit must render nothing"
    assert "PDFs: 0 rendered, 3 from cache" in second.stderr
    # The whole cache, fonts included: copies made at another time must not change a byte of a PDF.
    shutil.rmtree(mini_project / ".cache")
    third = run_mkdocs(mini_project, mini_project / "site3")
    assert "Rendered pdf/demo-report-2023.ru.pdf" in third.stderr
    assert (mini_project / "site3" / "pdf" / "demo-report-2023.ru.pdf").read_bytes() == pdf1


@pytest.mark.slow
def test_printers_edition_has_bleed_and_crop_marks(mini_project):
    set_almanac(mini_project, pdf="true", print_edition="true")
    result = run_mkdocs(mini_project, mini_project / "site")
    assert result.returncode == 0, result.stderr[-2000:]
    page = PdfReader(mini_project / "site" / "pdf" / "demo-report-2023.ru.pdf").pages[0]
    trim, bleed = page.trimbox, page.bleedbox
    assert round(float(trim.left) - float(bleed.left), 1) == pytest.approx(8.5, abs=0.2)  # 3 mm in points
    assert float(page.mediabox.width) > float(trim.width)


@pytest.mark.slow
def test_the_printers_edition_and_the_site_keep_each_others_cache(mini_project):
    set_almanac(mini_project, pdf="true")
    assert "PDFs: 3 rendered" in run_mkdocs(mini_project, mini_project / "site").stderr
    printed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(mini_project / "site-print")],
        cwd=mini_project, env={**mkdocs_env(), "ALMANAC_PRINT_EDITION": "1"}, capture_output=True, text=True,
    )
    assert "PDFs: 3 rendered" in printed.stderr, printed.stderr[-2000:]
    again = run_mkdocs(mini_project, mini_project / "site")
    assert "PDFs: 0 rendered, 3 from cache" in again.stderr, again.stderr[-2000:]
    screen = PdfReader(mini_project / "site" / "pdf" / "demo-report-2023.ru.pdf").pages[0]
    assert float(screen.mediabox.width) == pytest.approx(595.3, abs=0.5)  # plain A4, no bleed


def _serve(project: Path):
    """Start `mkdocs serve` on a free port; return the process and its base URL once it listens."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "--no-livereload", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project, env=mkdocs_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            urllib.request.urlopen(base, timeout=2).read()
            return process, base
        except OSError:
            time.sleep(0.3)
    process.kill()
    pytest.fail("mkdocs serve did not start:\n" + process.communicate()[1][-2000:])


def _stop(process) -> str:
    process.terminate()
    return process.communicate(timeout=30)[1]


@pytest.mark.slow
def test_serve_never_renders_but_offers_the_last_built_pdfs(mini_project):
    import urllib.error
    import urllib.request

    set_almanac(mini_project, pdf="true")
    process, base = _serve(mini_project)
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(base + "pdf/demo-report-2023.ru.pdf", timeout=10)
    log = _stop(process)
    assert "none has been built yet" in log and "Rendered pdf/" not in log

    built = run_mkdocs(mini_project, mini_project / "site")
    assert built.returncode == 0, built.stderr[-2000:]
    process, base = _serve(mini_project)
    served = urllib.request.urlopen(base + "pdf/demo-report-2023.en.pdf", timeout=10).read()
    log = _stop(process)
    assert served == (mini_project / "site" / "pdf" / "demo-report-2023.en.pdf").read_bytes()
    assert "serving the last built 3 (demo-report-2023.en, demo-report-2023.kk, demo-report-2023.ru)" in log
    assert "Rendered pdf/" not in log


@pytest.mark.slow
def test_pdfs_rendered_on_a_dask_cluster_are_identical_to_the_local_pool(mini_project):
    from distributed import LocalCluster

    set_almanac(mini_project, pdf="true")
    local = run_mkdocs(mini_project, mini_project / "site-local")
    assert local.returncode == 0, local.stderr[-2000:]
    shutil.rmtree(mini_project / ".cache" / "almanac" / "pdf")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        env = dict(mkdocs_env(), ALMANAC_SCHEDULER=cluster.scheduler_address)
        remote = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                                 str(mini_project / "site-cluster")], cwd=mini_project, env=env,
                                capture_output=True, text=True, timeout=600)
    assert remote.returncode == 0, remote.stderr[-2000:]
    assert f"Rendering PDFs on the Dask scheduler {cluster.scheduler_address}" in remote.stderr
    assert "PDFs: 3 rendered, 0 from cache" in remote.stderr
    for lang in LANGUAGES:
        name = f"pdf/demo-report-2023.{lang}.pdf"
        assert (mini_project / "site-cluster" / name).read_bytes() == (mini_project / "site-local" / name).read_bytes()


@pytest.mark.slow
def test_an_unreachable_scheduler_stops_the_build_with_one_line(mini_project):
    set_almanac(mini_project, pdf="true")
    env = dict(mkdocs_env(), ALMANAC_SCHEDULER="tcp://127.0.0.1:9")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(mini_project / "s")],
                            cwd=mini_project, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert "ERROR   -  PDF scheduler 'tcp://127.0.0.1:9': cannot connect" in result.stderr, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
