"""The printer's edition: PDF/X-4 in CMYK with a FOGRA39 output intent, bleed, boxes, marks, embedded fonts.

One small publication (tests/fixtures/mini-content) is built once as the printer's edition, in its
three languages; every test reads those PDFs. What cannot be checked here (a full PDF/X preflight,
which needs veraPDF or Acrobat) is left to the print shop's preflight.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, NameObject

from almanac import press
from tests.conftest import LANGUAGES, make_mini_project, run_mkdocs, set_almanac

BLEED_PT = 3 / 25.4 * 72  # 8.504 pt
SLUG = "demo-report-2023"
RGB_OPERATORS = {b"rg", b"RG"}


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> Path:
    project = make_mini_project(tmp_path_factory.mktemp("pdfx"))
    set_almanac(project, pdf="true", print_edition="true")
    result = run_mkdocs(project, project / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    return project


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
        # PDF/X-4 wants these in XMP and the Info dictionary alike; fixed dates keep the file reproducible.
        for key in ("xmp:CreateDate", "xmp:ModifyDate", "xmp:MetadataDate"):
            assert f"<{key}>{press.DATE}</{key}>" in xmp, key
        assert re.search(r"<xmpMM:DocumentID>xmp\.did:[0-9a-f-]{36}</xmpMM:DocumentID>", xmp)
        info = reader.trailer["/Info"].get_object()
        assert info["/Trapped"] == "/False"
        assert info["/CreationDate"] == info["/ModDate"] == "D:20240101000000+00'00"
        assert info["/Title"]


def test_every_page_has_a_trim_box_and_a_bleed_box_3_mm_apart(pdfs):
    for lang, path in pdfs.items():
        for number, page in enumerate(PdfReader(path).pages, start=1):
            assert "/TrimBox" in page and "/BleedBox" in page, f"{lang} page {number}"
            trim, bleed, media = page.trimbox, page.bleedbox, page.mediabox
            gaps = (float(trim.left) - float(bleed.left), float(trim.bottom) - float(bleed.bottom),
                    float(bleed.right) - float(trim.right), float(bleed.top) - float(trim.top))
            assert gaps == pytest.approx((BLEED_PT,) * 4, abs=0.01), f"{lang} page {number}: {gaps}"
            assert (float(trim.width), float(trim.height)) == pytest.approx((595.276, 841.89), abs=0.01)  # A4
            assert float(media.width) >= float(bleed.width) and float(media.height) >= float(bleed.height)


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


def test_crop_marks_print_on_every_plate(pdfs):
    for lang, path in pdfs.items():
        reader = PdfReader(path)
        for number, page in enumerate(reader.pages, start=1):
            forms = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
            marks = [f for f in forms if f.get("/Subtype") == "/Form"
                     and ([1, 1, 1, 1], b"K") in ContentStream(f, reader).operations]
            assert marks, f"{lang} page {number}: no crop marks in registration (1 1 1 1 K)"


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
    for point in ((image.width // 2, image.height * 3 // 4), (2, image.height // 2)):  # the page, and the bleed
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
    site = project / "site"
    assert sorted(p.name for p in (site / "pdf" / "print").iterdir()) == sorted(f"{SLUG}.{lang}.pdf" for lang in LANGUAGES)
    for lang in LANGUAGES:
        home = site / prefix(lang) / SLUG / "index.html"
        links = [a for a in soup(home).select('a.almanac-download[type="application/pdf"]') if "/print/" in a["href"]]
        assert [a["hreflang"] for a in links] == LANGUAGES, f"{home}: the printer's edition in every language"
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
