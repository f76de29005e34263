"""The printer's edition: PDF/X-4 in CMYK with a FOGRA39 output intent, bleed, boxes, marks, embedded fonts,
whole sheets, chapters on right-hand pages, a back cover, and dates from git.

One small publication (tests/fixtures/mini-content, with a second chapter and a licence added) is
committed to a git repository of its own and built once as the printer's edition, in its three
languages; every test reads those PDFs. What cannot be checked here (a full PDF/X preflight, which
needs veraPDF or Acrobat) is left to the print shop's preflight.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, NameObject

from almanac import marks, press
from tests.conftest import LANGUAGES, make_mini_project, run_mkdocs, set_almanac

MM = 72 / 25.4
BLEED_PT = 3 * MM  # 8.504 pt
SLUG = "demo-report-2023"
RGB_OPERATORS = {b"rg", b"RG"}
COMMITTED = "2026-11-30T10:00:00+00:00"   # the date of the fixture's only commit
LICENCE = "Creative Commons Attribution 4.0 International"
SECOND_CHAPTER = """# Вторая глава

Вторая глава начинается на правой странице.[^1] {text}

[^1]: Примечание ко второй главе.
"""

# The printer's edition end to end, a build of its own per fixture: the full lane (make test-all).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    from almanac import translations

    project = make_mini_project(tmp_path_factory.mktemp("pdfx"))
    folder = project / "content" / SLUG
    (folder / "02-more.md").write_text(SECOND_CHAPTER.format(text="Текст главы. " * 40), encoding="utf-8")
    (folder / "02-more.en.md").write_text("# Second chapter\n\nIt starts on a right-hand page.\n", encoding="utf-8")
    translations.stamp(folder / "02-more.en.md", project / "content")
    meta = folder / "publication.yml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("  - index.md\n", "  - index.md\n  - 02-more.md\n")
                    + f"licence:\n  id: CC-BY-4.0\n  title: {LICENCE}\n"
                      "  url: https://creativecommons.org/licenses/by/4.0/\n", encoding="utf-8")
    set_almanac(project, pdf="true", print_edition="true")
    _commit(project, COMMITTED)
    result = run_mkdocs(project, project / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    return project


def _commit(project: Path, date: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=Test", "-c", "user.email=test@example.org",
                                                   "commit", "-q", "-m", "Content"]):
        subprocess.run(["git", *command], cwd=project, env=env, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pdfs(printed) -> dict[str, Path]:
    return {lang: printed / "site" / "pdf" / f"{SLUG}.{lang}.pdf" for lang in LANGUAGES}


def test_output_intent_is_fogra39_with_the_cmyk_profile_embedded(pdfs):
    for lang, path in pdfs.items():
        intents = PdfReader(path).trailer["/Root"]["/OutputIntents"]
        assert len(intents) == 1, lang
        intent = intents[0].get_object()
        assert intent["/S"] == "/GTS_PDFX"
        assert intent["/OutputConditionIdentifier"] == "FOGRA39"
        assert intent["/RegistryName"] == "http://www.color.org"
        assert "ISO Coated v2 300% (basICColor)" in intent["/Info"]
        profile = intent["/DestOutputProfile"].get_object()
        assert profile["/N"] == 4
        data = profile.get_data()
        # The ICC header: an output ('prtr') profile whose data colour space is CMYK, with its own description.
        assert data[12:16] == b"prtr" and data[16:20] == b"CMYK", data[:24]
        assert "ISO Coated v2 300% (basICColor)".encode("utf-16-be") in data or b"ISO Coated v2 300%" in data


def test_it_declares_pdf_x_4(pdfs):
    for lang, path in pdfs.items():
        assert path.read_bytes().startswith(b"%PDF-1.6"), lang
        reader = PdfReader(path)
        xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
        assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp, lang
        # PDF/X-4 wants these in XMP and the Info dictionary alike: the date of the content's last commit.
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            assert f"<{key}>{COMMITTED}</{key}>" in xmp, key
        assert re.search(r"<xmpMM:DocumentID>xmp\.did:[0-9a-f-]{36}</xmpMM:DocumentID>", xmp)
        info = reader.trailer["/Info"].get_object()
        assert info["/Trapped"] == "/False"
        assert info["/CreationDate"] == info["/ModDate"] == "D:20261130100000+00'00"
        # Older RIPs read the version only from the Info dictionary.
        assert info["/GTS_PDFXVersion"] == "PDF/X-4"
        assert info["/Title"]


def _gaps(outer, inner) -> tuple[float, ...]:
    return (float(inner.left) - float(outer.left), float(inner.bottom) - float(outer.bottom),
            float(outer.right) - float(inner.right), float(outer.top) - float(inner.top))


def test_every_page_has_media_beyond_the_bleed_beyond_the_trim(pdfs):
    for lang, path in pdfs.items():
        for number, page in enumerate(PdfReader(path).pages, start=1):
            assert "/TrimBox" in page and "/BleedBox" in page, f"{lang} page {number}"
            trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
            assert (float(trim.width), float(trim.height)) == pytest.approx((595.276, 841.89), abs=0.01)  # A4
            assert _gaps(bleed, trim) == pytest.approx((BLEED_PT,) * 4, abs=0.01), f"{lang} page {number}"
            # Room for the marks beyond the bleed: the media reaches 12 mm beyond the trim.
            assert _gaps(media, trim) == pytest.approx((marks.SLUG_MM * MM,) * 4, abs=0.01), f"{lang} page {number}"


def test_whole_sheets_chapters_on_right_hand_pages_and_a_back_cover(pdfs):
    for lang, path in pdfs.items():
        reader = PdfReader(path)
        assert len(reader.pages) % 4 == 0, f"{lang}: {len(reader.pages)} pages"
        starts = {item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline
                  if not isinstance(item, list)}
        assert len(starts) == 3, starts   # the contents and two chapters
        assert all(page % 2 == 1 for page in starts.values()), f"{lang}: {starts}"
        # The page before the second chapter is left blank (no running head, no number), and so are the pages
        # added to make whole sheets, before the back cover.
        second = max(starts.values())
        assert reader.pages[second - 2].extract_text().strip() == "", f"{lang} page {second - 1}"
        back = " ".join(reader.pages[-1].extract_text().split())
        assert "INPUD" in back and LICENCE in back and "2026" in back, f"{lang}: {back}"


def _registration_paths(reader: PdfReader, page) -> list[tuple[float, float]]:
    """The points of every path a page strokes in registration colour (the Separation All)."""
    spaces = page["/Resources"].get_object().get("/ColorSpace", {})
    points, on = [], False
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"CS":
            space = spaces.get(operands[0])
            space = space.get_object() if space is not None else None
            on = isinstance(space, ArrayObject) and space[0] == "/Separation" and space[1] == "/All"
        elif on and operator in (b"m", b"l"):
            points.append((float(operands[0]), float(operands[1])))
        elif on and operator == b"c":
            points += [(float(operands[i]), float(operands[i + 1])) for i in (0, 2, 4)]
    return points


def test_marks_in_registration_beyond_the_bleed_on_every_page(pdfs):
    for lang, path in pdfs.items():
        reader = PdfReader(path)
        for number, page in enumerate(reader.pages, start=1):
            points = _registration_paths(reader, page)
            assert len(points) > 20, f"{lang} page {number}: no marks in registration colour"
            bleed, media = page.bleedbox, page.mediabox
            for x, y in points:
                # Every point of a mark lies beyond the bleed box, and within the media box.
                outside = (x <= float(bleed.left) - MM + 0.01 or x >= float(bleed.right) + MM - 0.01
                           or y <= float(bleed.bottom) - MM + 0.01 or y >= float(bleed.top) + MM - 0.01)
                assert outside, f"{lang} page {number}: a mark at ({x:.1f}, {y:.1f}) inside the bleed"
                assert float(media.left) < x < float(media.right) and float(media.bottom) < y < float(media.top)


def _bands(path: Path, page: int, tmp_path: Path):
    """Page `page` rendered at 72 dpi (hairlines unsmoothed), and the pixel boxes of its trim and bleed."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-r", "72", "-aaVector", "no", "-f", str(page), "-l", str(page), "-png", str(path),
                    str(tmp_path / f"p{page}")], check=True)
    image = Image.open(next(tmp_path.glob(f"p{page}*.png"))).convert("RGB")
    box = PdfReader(path).pages[page - 1]
    media = box.mediabox
    scale = image.width / float(media.width)

    def pixels(rect) -> tuple[int, ...]:
        return (round((float(rect.left) - float(media.left)) * scale), round((float(media.top) - float(rect.top)) * scale),
                round((float(rect.right) - float(media.left)) * scale), round((float(media.top) - float(rect.bottom)) * scale))

    return image, pixels(box.trimbox), pixels(box.bleedbox)


def _ring(image, outer, inner) -> list[tuple[int, int, int]]:
    """The pixels inside `outer` and outside `inner` (boxes in pixels), a pixel's width from each edge."""
    found = []
    for y in range(outer[1], outer[3]):
        for x in range(outer[0], outer[2]):
            if not (inner[0] - 1 <= x <= inner[2] and inner[1] - 1 <= y <= inner[3]):
                found.append(image.getpixel((x, y)))
    return found


def test_marks_are_drawn_beyond_the_bleed_and_nothing_of_them_within(pdfs, tmp_path):
    dark = lambda pixel: max(pixel) < 128  # noqa: E731
    # Page 2, the inside of the cover, is blank: its bleed holds no ink, and the marks lie beyond it.
    image, trim, bleed = _bands(pdfs["ru"], 2, tmp_path)
    assert image.width == pytest.approx((210 + 2 * marks.SLUG_MM) / 25.4 * 72, abs=1)
    assert all(min(pixel) >= 250 for pixel in _ring(image, bleed, trim)), "ink in the bleed of a blank page"
    assert sum(map(dark, _ring(image, (0, 0, image.width, image.height), bleed))) > 100, "no marks beyond the bleed"
    # The cover's colour runs to the bleed box, and no mark crosses it.
    image, trim, bleed = _bands(pdfs["ru"], 1, tmp_path)
    ring = _ring(image, (bleed[0] + 1, bleed[1] + 1, bleed[2] - 1, bleed[3] - 1),
                 (trim[0] + 1, trim[1] + 1, trim[2] - 1, trim[3] - 1))
    assert all(pixel == pytest.approx(ring[0], abs=12) for pixel in ring), "a mark or a gap in the cover's bleed"
    assert ring[0] == pytest.approx((0x1f, 0x4e, 0x79), abs=25)


def test_without_marks_the_media_box_is_the_bleed_box(tmp_path):
    """`print_marks: false`, for a shop that imposes and marks its own sheets: nothing beyond the bleed."""
    import weasyprint

    profiles: dict = {}
    rule = press.profile_rule(press.profile_copy(tmp_path / "press"), tmp_path)
    css = "@page { size: A4; bleed: 3mm; background: device-cmyk(0.9 0.6 0.2 0.2) } html { color: device-cmyk(0 0 0 1) }"
    stylesheet = weasyprint.CSS(string=rule + css,
                                base_url=tmp_path.as_uri() + "/", color_profiles=profiles)
    document = weasyprint.HTML(string='<html lang="ru"><p>Одна</p><p style="break-before: page">Две</p></html>').render(
        stylesheets=[stylesheet], color_profiles=profiles)
    document.metadata.created = document.metadata.modified = COMMITTED
    for with_marks, name in ((False, "bare.pdf"), (True, "marked.pdf")):
        document.write_pdf(tmp_path / name, pdf_variant=press.VARIANT,
                           finisher=lambda doc, pdf, m=with_marks: (press.finisher("k")(doc, pdf),
                                                                    marks.finisher(m)(doc, pdf)))
    bare, marked = PdfReader(tmp_path / "bare.pdf"), PdfReader(tmp_path / "marked.pdf")
    assert len(bare.pages) == len(marked.pages) == 4   # two pages, and two blank ones to make a sheet
    for page in bare.pages:
        assert _gaps(page.mediabox, page.bleedbox) == pytest.approx((0,) * 4, abs=0.01)
        assert _registration_paths(bare, page) == []
    assert all(_registration_paths(marked, page) for page in marked.pages)


def test_print_marks_is_a_checked_setting():
    from almanac.errors import AlmanacError
    from almanac.project import load_settings

    assert load_settings({})["print_marks"] is True
    assert load_settings({"print_marks": False})["print_marks"] is False
    with pytest.raises(AlmanacError, match=r"mkdocs.yml, line 2, 'extra.almanac.print_marks'"):
        load_settings({"print_marks": "no"}, "extra:\n    print_marks: no\n")


def _rgb_uses(reader: PdfReader, stream, resources, where: str, seen: set) -> list[str]:
    """Every RGB colour a content stream or any form it draws uses, as 'where: what'."""
    found = []
    resources = resources.get_object() if resources is not None else {}
    spaces = resources.get("/ColorSpace", {})
    spaces = spaces.get_object() if spaces else {}

    def is_rgb(space) -> bool:
        space = space.get_object() if hasattr(space, "get_object") else space
        if space in ("/DeviceRGB", "/CalRGB"):
            return True
        if isinstance(space, NameObject) and space in spaces:
            return is_rgb(spaces[space])
        if isinstance(space, ArrayObject):
            if space[0] in ("/DeviceRGB", "/CalRGB"):
                return True
            if space[0] == "/ICCBased":
                return space[1].get_object()["/N"] == 3
            if space[0] in ("/Separation", "/DeviceN", "/Indexed"):
                return any(is_rgb(part) for part in space[1:3])
        return False

    fill = stroke = None
    for operands, operator in ContentStream(stream, reader).operations:
        if operator in RGB_OPERATORS:
            found.append(f"{where}: {' '.join(map(str, operands))} {operator.decode()}")
        elif operator in (b"cs", b"CS"):
            if is_rgb(operands[0]):
                found.append(f"{where}: colour space {operands[0]}")
            fill, stroke = (operands[0], stroke) if operator == b"cs" else (fill, operands[0])
        elif operator in (b"sc", b"scn", b"SC", b"SCN"):
            space = fill if operator in (b"sc", b"scn") else stroke
            numbers = [o for o in operands if not isinstance(o, NameObject)]
            if (space is not None and is_rgb(space)) or len(numbers) == 3:
                found.append(f"{where}: {' '.join(map(str, operands))} {operator.decode()} in an RGB space")
    for name, xobject in resources.get("/XObject", {}).items():
        xobject = xobject.get_object()
        if id(xobject) in seen:
            continue
        seen.add(id(xobject))
        if is_rgb(xobject.get("/ColorSpace", "/DeviceGray")):
            found.append(f"{where} {name}: image in {xobject['/ColorSpace']}")
        if xobject.get("/Subtype") == "/Form":
            group = xobject.get("/Group")
            if group is not None and is_rgb(group.get_object().get("/CS", "/DeviceGray")):
                found.append(f"{where} {name}: transparency group blended in RGB")
            found += _rgb_uses(reader, xobject, xobject.get("/Resources"), f"{where} {name}", seen)
    for name, shading in resources.get("/Shading", {}).items():
        if is_rgb(shading.get_object().get("/ColorSpace")):
            found.append(f"{where} {name}: shading in RGB")
    return found


def test_no_rgb_colour_anywhere_in_the_pages_or_their_forms(pdfs):
    for lang, path in pdfs.items():
        reader = PdfReader(path)
        found = []
        for number, page in enumerate(reader.pages, start=1):
            found += _rgb_uses(reader, page.get_contents(), page.get("/Resources"), f"{lang} page {number}", set())
        assert found == [], found[:10]


def test_every_font_is_embedded(pdfs):
    for lang, path in pdfs.items():
        rows = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
        assert rows, lang
        for row in rows:
            columns = row.split()
            assert columns[-5] == "yes", f"{lang}: font not embedded: {row}"


def test_the_cover_renders_close_to_the_screen_blue(pdfs, tmp_path):
    # The cover blue is #1f4e79 on screen; in print it is the CMYK press.cmyk made of it. Rendered by
    # Poppler, that CMYK must still look like the screen blue (a lost or wrong conversion would not).
    assert press.cmyk("#1f4e79") == (89, 62, 24, 22)
    subprocess.run(["pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-png", str(pdfs["ru"]), str(tmp_path / "cover")],
                   check=True)
    from PIL import Image

    image = Image.open(next(tmp_path.glob("cover*.png"))).convert("RGB")
    in_bleed = round((marks.SLUG_MM - 1.5) / 25.4 * 20)   # 1.5 mm beyond the trim, at 20 dpi
    for point in ((image.width // 2, image.height * 3 // 4), (in_bleed, image.height // 3)):  # the page, and the bleed
        assert image.getpixel(point) == pytest.approx((0x1f, 0x4e, 0x79), abs=25), point


def test_screen_pdfs_stay_rgb_and_pdf_ua(tmp_path):
    css = Path(__file__).resolve().parents[1] / "overrides" / "print"
    from almanac import brochures

    screen = brochures.stylesheet(css, False)
    for print_only in ("device-cmyk", "@color-profile", "bleed:", "marks:"):
        assert print_only not in screen, print_only
    assert brochures.SCREEN_VARIANT == {"pdf_variant": "pdf/ua-1"}


def test_the_printers_edition_is_cached_and_reproducible(printed):
    first = {lang: (printed / "site" / "pdf" / f"{SLUG}.{lang}.pdf").read_bytes() for lang in LANGUAGES}
    # Each PDF's XMP document ID is derived from its cache key, not random.
    manifest = (printed / ".cache" / "almanac" / "pdf" / "manifest.json").read_text()
    for lang, data in first.items():
        key = re.search(rf'"{SLUG}\.{lang}\.print": "([0-9a-f]+)\.pdf"', manifest).group(1)
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        assert f"xmp.did:{digest[:8]}-{digest[8:12]}".encode() in data, lang
    shutil.rmtree(printed / ".cache" / "almanac" / "pdf")
    again = run_mkdocs(printed, printed / "site2")
    assert again.returncode == 0, again.stderr[-2000:]
    assert "PDFs: 3 rendered" in again.stderr
    for lang, data in first.items():
        assert (printed / "site2" / "pdf" / f"{SLUG}.{lang}.pdf").read_bytes() == data, lang
    # The same inputs give the same cache keys, so an unchanged publication is never rendered again.
    assert (printed / ".cache" / "almanac" / "pdf" / "manifest.json").read_text() == manifest


@pytest.mark.slow
def test_almanac_build_offers_the_printers_edition_on_every_home_page(tmp_path):
    """`make site` with print_downloads: each home page links the PDF/X-4 of every language, with true facts."""
    import sys

    from tests.conftest import mkdocs_env
    from tests.test_readers import _facts_numbers, prefix, soup

    project = make_mini_project(tmp_path)
    set_almanac(project, pdf="true", print_downloads="true")
    result = subprocess.run([str(Path(sys.executable).with_name("almanac")), "build"], cwd=project,
                            env=mkdocs_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    # Both editions from the same build of the publication's unit: no second build for the printer's edition.
    built = [line for line in result.stderr.splitlines() if line.startswith("[")]
    assert len(built) == 2 and "printer's edition in" not in result.stderr, result.stderr[-3000:]
    assert "3 languages, 6 PDFs (6 rendered, 0 reused)" in result.stderr, result.stderr[-3000:]
    site = project / "site"
    assert sorted(p.name for p in (site / "pdf" / "print").iterdir()) == sorted(f"{SLUG}.{lang}.pdf" for lang in LANGUAGES)
    for lang in LANGUAGES:
        home = site / prefix(lang) / SLUG / "index.html"
        links = [a for a in soup(home).select('a.almanac-download[type="application/pdf"]') if "/print/" in a["href"]]
        assert [a["href"].rsplit(".", 2)[-2] for a in links] == LANGUAGES, f"{home}: the printer's edition in every language"
        # The Kazakh edition is not translated: its PDF holds the Russian original, and says so.
        assert [a["hreflang"] for a in links] == ["ru", "en", "ru"], home
        for link in links:
            path = (home.parent / link["href"]).resolve()
            reader = PdfReader(path)
            intent = reader.trailer["/Root"]["/OutputIntents"][0].get_object()
            assert intent["/S"] == "/GTS_PDFX" and intent["/OutputConditionIdentifier"] == "FOGRA39", path
            count, _, _ = _facts_numbers(link.find_next_sibling("span", class_="almanac-facts").get_text())
            assert count == len(reader.pages), f"{home}: wrong page count for {link['href']}"
    # The site's own PDFs stay the screen edition: RGB, no output intent.
    assert "/OutputIntents" not in PdfReader(site / "pdf" / f"{SLUG}.ru.pdf").trailer["/Root"]
    # Both editions stay in the cache, so that the next build and the preview reuse them.
    cached = {path.read_bytes() for path in (project / ".cache" / "almanac" / "pdf").glob("*.pdf")}
    for path in sorted((site / "pdf").rglob("*.pdf")):
        assert path.read_bytes() in cached, f"{path.relative_to(site)} was pruned from the PDF cache"
    again = subprocess.run([str(Path(sys.executable).with_name("almanac")), "build"], cwd=project,
                           env=mkdocs_env(), capture_output=True, text=True, timeout=600)
    assert "3 languages, 6 PDFs (0 rendered, 6 reused)" in again.stderr, again.stderr[-3000:]
