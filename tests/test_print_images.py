"""Photos and figures in the printer's edition: converted to CMYK (or kept grey), downsampled to 300 ppi, never refused.

One small one-language publication shows one image of each class (colour PNG with alpha, colour
JPEG, palette PNG, greyscale PNG, 16-bit greyscale PNG, JPEG with its own ICC profile, CMYK JPEG,
a 5000 px photo, an SVG file in RGB). It is built once as the printer's edition and once as the
screen edition, and the printer's edition once more from empty caches; every image gets its own
pixel size, so the tests find it in the PDF by that. The conversions of each class are also checked
through the core, without a build.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageCms, ImageDraw
from pypdf import PdfReader

from almanac import press, printimages
from almanac.errors import AlmanacError
from tests.conftest import make_mini_project, mkdocs_env, set_almanac
from tests.test_pdfx import _rgb_uses

SLUG = "demo-report-2023"
PDF = f"pdf/{SLUG}.ru.pdf"
FOLDER = f"content/{SLUG}"
# name: (pixel size, what the page shows)
IMAGES = {
    "alpha.png": (600, 300), "photo.jpg": (610, 300), "palette.png": (620, 300), "grey.png": (400, 200),
    "grey16.png": (300, 150), "own-profile.jpg": (200, 100), "cmyk.jpg": (210, 100), "large.jpg": (5000, 2500),
}
LARGE_IN_PRINT = (1559, 780)   # 300 ppi across the 132 mm column of typography.css (--almanac-column)
DOWNSAMPLED = (f"{FOLDER}/large.jpg: 5000×2500 px downsampled to 1559×780 px (300 ppi at 132 mm) "
               "for the printer's edition")
SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="240" height="100">
<style>.blue { fill: rgb(31, 78, 121) }</style>
<rect width="60" height="100" fill="#cc2222"/><rect x="60" width="60" height="100" class="blue"/>
<rect x="120" width="60" height="100" style="fill: hsl(120, 50%, 40%); stroke: orange"/>
<text x="190" y="55">Text</text></svg>"""

# The printer's edition end to end, a build of its own per fixture: the full lane (make test-all).
pytestmark = pytest.mark.slow


def _bars(size: tuple[int, int]) -> Image.Image:
    image = Image.new("RGB", size, "white")
    draw, (width, height) = ImageDraw.Draw(image), size
    for index, colour in enumerate([(200, 30, 30), (30, 140, 60), (31, 78, 121)]):
        draw.rectangle((index * width // 3, 0, (index + 1) * width // 3, height), fill=colour)
    return image


def _swapped_srgb() -> bytes:
    """sRGB with its red and blue primaries swapped: a pixel it calls red is blue on screen and in print."""
    icc = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    tags = {}
    for index in range(struct.unpack(">I", icc[128:132])[0]):
        signature, offset, size = struct.unpack(">4sII", icc[132 + 12 * index:144 + 12 * index])
        tags[signature] = (index, offset, size)
    (red, *red_data), (blue, *blue_data) = tags[b"rXYZ"], tags[b"bXYZ"]
    struct.pack_into(">4sII", icc, 132 + 12 * red, b"rXYZ", *blue_data)
    struct.pack_into(">4sII", icc, 132 + 12 * blue, b"bXYZ", *red_data)
    return bytes(icc)


def _alpha(size: tuple[int, int]) -> Image.Image:
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((10, 10, size[0] - 10, size[1] - 10), fill=255)
    return mask


def _write_images(folder: Path) -> None:
    photo = _bars(IMAGES["alpha.png"])
    photo.putalpha(_alpha(photo.size))
    photo.save(folder / "alpha.png")
    _bars(IMAGES["photo.jpg"]).save(folder / "photo.jpg", quality=90)
    _bars(IMAGES["palette.png"]).convert("P", palette=Image.Palette.ADAPTIVE, colors=8).save(folder / "palette.png")
    Image.linear_gradient("L").resize(IMAGES["grey.png"]).save(folder / "grey.png")
    Image.linear_gradient("L").resize(IMAGES["grey16.png"]).convert("I").point(lambda v: v * 257) \
        .convert("I;16").save(folder / "grey16.png")
    Image.new("RGB", IMAGES["own-profile.jpg"], (255, 0, 0)).save(folder / "own-profile.jpg", quality=95,
                                                                   icc_profile=_swapped_srgb())
    Image.new("CMYK", IMAGES["cmyk.jpg"], (0, 0, 0, 128)).save(folder / "cmyk.jpg", quality=90)
    _bars(IMAGES["large.jpg"]).save(folder / "large.jpg", quality=70)
    (folder / "figure.svg").write_text(SVG, encoding="utf-8")


def _one_language_project(tmp: Path, body: str) -> Path:
    """The mini publication in Russian only (no translation to build), with `body` added to its page."""
    project = make_mini_project(tmp)
    config = project / "mkdocs.yml"
    config.write_text(re.sub(r"(- locale: (?:en|kk)\n(?:.*\n){0,2}?\s+build:) true", r"\1 false",
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    set_almanac(project, pdf="true")
    (project / FOLDER / "index.en.md").unlink()
    page = project / FOLDER / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n" + body, encoding="utf-8")
    return project


def _build(project: Path, site: str, print_edition: bool) -> subprocess.CompletedProcess:
    env = mkdocs_env()
    env.pop("ALMANAC_PRINT_EDITION", None)
    if print_edition:
        env["ALMANAC_PRINT_EDITION"] = "1"
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(project / site)],
                          cwd=project, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    body = "\n\n".join(f"![{name}]({name})" for name in [*IMAGES, "figure.svg"])
    # The same photo again, on a tinted box: its transparency must show the box, not a white square.
    body += "\n\n!!! note\n    ![alpha.png again](alpha.png)\n"
    project = _one_language_project(tmp_path_factory.mktemp("photos"), body)
    _write_images(project / FOLDER)
    return project


@pytest.fixture(scope="module")
def printed(project) -> subprocess.CompletedProcess:
    return _build(project, "site-print", print_edition=True)


@pytest.fixture(scope="module")
def screen(project) -> subprocess.CompletedProcess:
    return _build(project, "site-screen", print_edition=False)


class Drawn:
    """One image XObject as the PDF holds it."""

    def __init__(self, image: pikepdf.Stream, pdf: pikepdf.Pdf):
        self._pdf = pdf   # kept open: the pixels are read from it when a test asks
        self.space, self.filter = str(image.ColorSpace), str(image.get("/Filter"))
        self.data = image.read_raw_bytes()
        # The screen edition's 16-bit PNG, which WeasyPrint 70 labels RGB, cannot be read back: read only when asked.
        self._image = pikepdf.PdfImage(image)
        mask = image.get("/SMask")
        self.mask = None if mask is None else (str(mask.ColorSpace), zlib.decompress(mask.read_raw_bytes()))

    @property
    def pixels(self) -> Image.Image:
        return self._image.as_pil_image()


def _images(path: Path) -> dict[tuple[int, int], Drawn]:
    """The image XObjects the pages draw (soft masks aside), by pixel size."""
    pdf = pikepdf.open(path)
    return {(int(image.Width), int(image.Height)): Drawn(image, pdf) for page in pdf.pages
            for image in page.images.values()}


# The build


def test_the_printers_edition_builds_and_says_which_image_it_downsampled(printed):
    assert printed.returncode == 0, printed.stderr[-3000:]
    assert [line for line in printed.stderr.splitlines() if line.startswith("WARNING")] == []
    assert [line for line in printed.stderr.splitlines() if "downsampled" in line] == [f"INFO    -  Note: {DOWNSAMPLED}"]


def test_every_image_is_cmyk_or_grey_and_nothing_is_rgb(printed, project):
    pdf = project / "site-print" / PDF
    sizes = {**IMAGES, "large.jpg": LARGE_IN_PRINT}
    images = _images(pdf)
    assert set(images) == set(sizes.values())
    spaces = {name: images[size].space for name, size in sizes.items()}
    assert spaces == {"alpha.png": "/DeviceCMYK", "photo.jpg": "/DeviceCMYK", "palette.png": "/DeviceCMYK",
                      "grey.png": "/DeviceGray", "grey16.png": "/DeviceGray", "own-profile.jpg": "/DeviceCMYK",
                      "cmyk.jpg": "/DeviceCMYK", "large.jpg": "/DeviceCMYK"}
    reader = PdfReader(pdf)
    found = []
    for number, page in enumerate(reader.pages, start=1):
        found += _rgb_uses(reader, page.get_contents(), page.get("/Resources"), f"page {number}", set())
    assert found == [], found[:10]


def test_lossless_sources_stay_lossless_with_their_transparency_and_jpegs_stay_jpeg(printed, project):
    images = _images(project / "site-print" / PDF)
    filters = {name: images[size].filter for name, size in IMAGES.items() if name != "large.jpg"}
    assert filters == {"alpha.png": "/FlateDecode", "palette.png": "/FlateDecode", "grey.png": "/FlateDecode",
                       "grey16.png": "/FlateDecode", "photo.jpg": "/DCTDecode", "own-profile.jpg": "/DCTDecode",
                       "cmyk.jpg": "/DCTDecode"}
    assert images[IMAGES["alpha.png"]].mask == ("/DeviceGray", _alpha(IMAGES["alpha.png"]).tobytes())
    # A CMYK JPEG is already made for the press: it goes in byte for byte.
    assert images[IMAGES["cmyk.jpg"]].data == (project / FOLDER / "cmyk.jpg").read_bytes()


def test_colours_go_through_the_profile_the_image_carries(printed, project):
    images = _images(project / "site-print" / PDF)
    # Pure red under a profile whose red primary is sRGB's blue prints as blue: much cyan, no yellow.
    cyan, magenta, yellow, black = images[IMAGES["own-profile.jpg"]].pixels.getpixel((100, 50))
    assert cyan > 200 and yellow < 25, (cyan, magenta, yellow, black)
    # Without a profile, sRGB: the photo's red third prints as magenta and yellow, as press.cmyk says.
    expected = [round(v * 2.55) for v in press.cmyk("#c81e1e")]
    assert images[IMAGES["photo.jpg"]].pixels.getpixel((50, 150)) == pytest.approx(expected, abs=8)
    # A greyscale image stays the same grey values, in black ink only (DeviceGray).
    grey = images[IMAGES["grey16.png"]].pixels
    assert grey.getpixel((0, 0)) < 5 and grey.getpixel((0, 149)) > 250


def test_the_large_photo_prints_at_300_ppi_of_its_width_on_the_page(printed, project):
    listing = subprocess.run(["pdfimages", "-list", str(project / "site-print" / PDF)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]
    rows = [row.split() for row in listing if row.split()[3:5] == [str(v) for v in LARGE_IN_PRINT]]
    assert len(rows) == 1, listing
    x_ppi, y_ppi = int(rows[0][12]), int(rows[0][13])
    assert abs(x_ppi - 300) <= 1 and abs(y_ppi - 300) <= 1, rows[0]


def test_the_svg_figure_is_recoloured_not_refused(printed, project):
    with pikepdf.open(project / "site-print" / PDF) as pdf:
        streams = b"\n".join(obj.read_bytes() for obj in pdf.objects
                             if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") in (None, "/Form"))
    for colour in ("#cc2222", "#1f4e79", "#339933", "#ffa500"):
        ink = " ".join(f"{v / 100:g}" for v in press.cmyk(colour))
        assert re.search(rf"{re.escape(ink)} (sc|SC)".encode(), streams), colour


def test_the_photos_still_look_like_the_screen(printed, project, tmp_path):
    """Rendered back to RGB (by Poppler), the converted photos are still the red, green and blue they were."""
    pdf = project / "site-print" / PDF
    pages = len(PdfReader(pdf).pages)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    rendered = [Image.open(path).convert("RGB") for path in sorted(tmp_path.glob("page*.png"))]
    assert len(rendered) == pages
    colours = {pixel for page in rendered for _, pixel in page.getcolors(1 << 20)}
    for red, green, blue in ((200, 30, 30), (30, 140, 60), (31, 78, 121)):
        assert any(abs(r - red) < 30 and abs(g - green) < 30 and abs(b - blue) < 30 for r, g, b in colours)


# The screen edition and the website keep the originals


def test_the_screen_pdf_keeps_the_images_in_rgb_and_the_site_the_original_files(screen, project):
    assert screen.returncode == 0, screen.stderr[-3000:]
    images = _images(project / "site-screen" / PDF)
    assert images[IMAGES["photo.jpg"]].space == images[IMAGES["alpha.png"]].space == "/DeviceRGB"
    assert IMAGES["large.jpg"] in images   # not downsampled: the screen edition is not the press's
    assert "downsampled" not in screen.stderr
    for name in [*IMAGES, "figure.svg"]:
        assert (project / "site-screen" / SLUG / name).read_bytes() == (project / FOLDER / name).read_bytes(), name
    html = (project / "site-screen" / SLUG / "index.html").read_text(encoding="utf-8")
    assert 'src="photo.jpg"' in html and 'src="figure.svg"' in html


# Reproducible and cached


@pytest.mark.slow
def test_a_rebuild_from_empty_caches_is_byte_identical(printed, project):
    first = (project / "site-print" / PDF).read_bytes()
    converted = sorted(path.name for path in (project / ".cache" / "almanac" / "press" / "images").iterdir())
    assert converted, "the converted images are cached"
    shutil.rmtree(project / ".cache" / "almanac" / "pdf")
    shutil.rmtree(project / ".cache" / "almanac" / "press" / "images")
    again = _build(project, "site-print-2", print_edition=True)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "PDFs: 1 rendered" in again.stderr and DOWNSAMPLED in again.stderr
    assert (project / "site-print-2" / PDF).read_bytes() == first
    assert sorted(path.name for path in (project / ".cache" / "almanac" / "press" / "images").iterdir()) == converted


# What cannot be printed in CMYK stops the build, naming the file and the page


@pytest.mark.slow
def test_an_svg_gradient_stops_the_printers_edition_with_one_line_naming_the_file(tmp_path):
    project = _one_language_project(tmp_path, "![Fade](fade.svg)\n")
    (project / FOLDER / "fade.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><defs><linearGradient id="fade">'
        '<stop offset="0" stop-color="#1f4e79"/><stop offset="1" stop-color="white"/></linearGradient></defs>'
        '<rect width="100" height="50" fill="url(#fade)"/></svg>', encoding="utf-8")
    result = _build(project, "site", print_edition=True)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert len(errors) == 1, errors
    assert f"{FOLDER}/index.md: {FOLDER}/fade.svg: the linearGradient 'fade' cannot be printed in CMYK" in errors[0]


# The conversions, class by class, through the core


def _encoded(image: Image.Image, fmt: str, **options) -> bytes:
    output = io.BytesIO()
    image.save(output, fmt, **options)
    return output.getvalue()


@pytest.mark.parametrize("source, expected", [
    # (source bytes, (format WeasyPrint reads, its mode, lossless CMYK kept, alpha kept, passed through as it is))
    (lambda: _encoded(_bars((30, 10)), "PNG"), ("JPEG", "CMYK", True, False, False)),
    (lambda: _encoded(_bars((30, 10)).convert("RGBA"), "PNG"), ("JPEG", "CMYK", True, True, False)),
    (lambda: _encoded(_bars((30, 10)), "JPEG"), ("JPEG", "CMYK", False, False, False)),
    (lambda: _encoded(_bars((30, 10)).convert("P"), "PNG", transparency=0), ("JPEG", "CMYK", True, True, False)),
    (lambda: _encoded(_bars((30, 10)).convert("P"), "GIF"), ("JPEG", "CMYK", True, False, False)),
    (lambda: _encoded(_bars((30, 10)), "WEBP", lossless=True), ("JPEG", "CMYK", True, False, False)),
    (lambda: _encoded(Image.new("CMYK", (30, 10), (10, 20, 30, 40)), "TIFF"), ("JPEG", "CMYK", True, False, False)),
    (lambda: _encoded(Image.new("CMYK", (30, 10), (10, 20, 30, 40)), "JPEG"), ("JPEG", "CMYK", False, False, True)),
    (lambda: _encoded(Image.new("L", (30, 10), 90), "JPEG"), ("JPEG", "L", False, False, True)),
    (lambda: _encoded(Image.new("L", (30, 10), 90), "PNG"), ("PNG", "L", False, False, True)),
    (lambda: _encoded(Image.new("LA", (30, 10), (90, 128)), "PNG"), ("PNG", "LA", False, False, True)),
    (lambda: _encoded(Image.new("L", (30, 10), 90), "PNG", transparency=90), ("PNG", "LA", False, False, False)),
    (lambda: _encoded(Image.new("1", (30, 10), 1), "PNG"), ("PNG", "L", False, False, False)),
    (lambda: _encoded(Image.new("I;16", (30, 10), 40000), "PNG"), ("PNG", "L", False, False, False)),
    # A greyscale picture saved in RGB prints in black ink only, as greys do.
    (lambda: _encoded(Image.new("RGB", (30, 10), (90, 90, 90)), "JPEG"), ("JPEG", "L", False, False, False)),
    (lambda: _encoded(Image.new("RGB", (30, 10), (90, 90, 90)).quantize(4), "PNG"), ("PNG", "L", False, False, False)),
], ids=["rgb-png", "rgba-png", "rgb-jpeg", "palette-transparent", "gif", "webp", "cmyk-tiff", "cmyk-jpeg",
        "grey-jpeg", "grey-png", "grey-alpha", "grey-transparent", "bilevel", "grey-16-bit", "neutral-rgb-jpeg",
        "neutral-palette"])
def test_each_class_of_image_is_converted_for_the_press(source, expected, tmp_path):
    data = source()
    converted = printimages.convert(data, "x.png", tmp_path, None)
    with Image.open(converted.path) as result:
        got = (result.format, result.mode, converted.lossless is not None, converted.alpha is not None,
               converted.path.read_bytes() == data)
        assert result.size == (30, 10)
    assert got == expected
    # Converted once: the same source is found in the cache, not converted again.
    assert printimages.convert(data, "x.png", tmp_path, None) == converted


def test_an_image_turned_by_its_exif_is_turned_once_and_downsampled_to_its_target(tmp_path):
    image = _bars((40, 20))
    exif = image.getexif()
    exif[0x0112] = 6   # shown turned a quarter clockwise
    converted = printimages.convert(_encoded(image, "JPEG", exif=exif.tobytes()), "x.jpg", tmp_path, (5, 10))
    with Image.open(converted.path) as result:
        assert result.size == (5, 10) and not result.getexif()


@pytest.mark.parametrize("source, fragment", [
    (lambda: b"not an image", "x.png: not an image the printer's edition can read"),
    (lambda: _encoded(Image.new("F", (3, 3)), "TIFF"), "x.png: a raster image in mode F, which the printer's edition"),
])
def test_an_image_that_cannot_be_converted_is_named(source, fragment, tmp_path):
    with pytest.raises(AlmanacError, match=re.escape(fragment)):
        printimages.convert(source(), "x.png", tmp_path, None)


@pytest.mark.parametrize("value, expected", [
    ("#cc2222", press.device_cmyk("#cc2222")),
    ("red", press.device_cmyk("#ff0000")),
    ("rgb(31, 78, 121)", press.device_cmyk("#1f4e79")),
    ("hsl(120, 50%, 40%)", press.device_cmyk("#339933")),
    ("rgba(0, 0, 0, 0.5)", press.device_cmyk("#000000")[:-1] + " / 0.5)"),
    ("url(#g) white", "url(#g) " + press.device_cmyk("#ffffff")),
    ("none", "none"), ("currentColor", "currentColor"), ("url(#g)", "url(#g)"),
    ("device-cmyk(0 0 0 1)", "device-cmyk(0 0 0 1)"),
])
def test_svg_paints_in_cmyk(value, expected):
    assert printimages.paint_in_cmyk(value) == expected


def test_an_svg_file_gets_cmyk_everywhere_it_paints():
    out = printimages.svg_in_cmyk(SVG.encode(), "figure.svg").decode()
    assert not re.search(r"#[0-9a-f]{6}|rgb\(|hsl\(|orange", out, re.I)
    root_tag = out[:out.index(">")]
    assert f'fill="{press.default_ink()}"' in root_tag and f'color="{press.default_ink()}"' in root_tag


@pytest.mark.parametrize("svg, fragment", [
    ('<svg xmlns="http://www.w3.org/2000/svg"><defs><radialGradient id="r"><stop stop-color="red"/>'
     '<stop offset="1" stop-color="blue"/></radialGradient></defs><circle r="5" style="fill: url(#r)"/></svg>',
     "fig.svg: the radialGradient 'r' cannot be printed in CMYK"),
    # A gradient that takes its stops from another
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><defs>'
     '<linearGradient id="a"><stop stop-color="red"/><stop offset="1" stop-color="blue"/></linearGradient>'
     '<linearGradient id="b" xlink:href="#a"/></defs><rect width="5" height="5" fill="url(#b)"/></svg>',
     "fig.svg: the linearGradient 'a' cannot be printed in CMYK"),
    ("<svg", "fig.svg: not a well-formed SVG file"),
])
def test_what_an_svg_cannot_print_in_cmyk_is_named(svg, fragment):
    with pytest.raises(AlmanacError, match=re.escape(fragment)):
        printimages.svg_in_cmyk(svg.encode(), "fig.svg")


def test_a_gradient_no_shape_uses_is_no_reason_to_stop():
    svg = ('<svg xmlns="http://www.w3.org/2000/svg"><defs><linearGradient id="unused"><stop stop-color="red"/>'
           '<stop offset="1" stop-color="blue"/></linearGradient></defs><rect width="5" height="5" fill="red"/></svg>')
    assert b"device-cmyk" in printimages.svg_in_cmyk(svg.encode(), "fig.svg")


@pytest.mark.parametrize("css, measure", [
    ((Path(__file__).resolve().parents[1] / "overrides" / "print" / "print.css").read_text(encoding="utf-8"), 168),
    ("@page { size: A4 landscape; margin: 10mm }", 277),
    ("@page { size: 170mm 240mm; margin: 1cm 15mm; margin-left: 25mm }", 130),
    ("@page :first { size: A5 } @page { size: letter; margin: 0.5in 1in }", 165.1),
    ("p { margin: 0 }", 210),   # WeasyPrint's A4, and no margin: the widest an image can be
])
def test_the_text_column_is_read_from_the_page_rule(css, measure):
    assert printimages.measure_mm(css, "print.css") == pytest.approx(measure)


def test_a_page_rule_it_cannot_read_is_named():
    with pytest.raises(AlmanacError, match=re.escape("print.css: @page: expected `size`")):
        printimages.measure_mm("@page { size: A4; margin: 5% }", "print.css")


def test_a_gradient_written_with_three_components_in_cmyk_stops_the_finisher(tmp_path):
    """WeasyPrint 70 writes an SVG gradient's colours with three components, inline SVG too: the finisher
    refuses such a shading rather than let the press read it as cyan, magenta and yellow."""
    import weasyprint

    profiles: dict = {}
    rule = press.profile_rule(press.profile_copy(tmp_path / "press"), tmp_path)
    stylesheet = weasyprint.CSS(string=rule, base_url=tmp_path.as_uri() + "/", color_profiles=profiles)
    ink = press.device_cmyk("#1f4e79")
    document = weasyprint.HTML(string=(
        f'<svg width="100" height="50" fill="{press.default_ink()}"><defs><linearGradient id="g">'
        f'<stop offset="0" stop-color="{ink}"/><stop offset="1" stop-color="{press.device_cmyk("#ffffff")}"/>'
        '</linearGradient></defs><rect width="100" height="50" fill="url(#g)"/></svg>'),
        base_url=tmp_path.as_uri() + "/").render(stylesheets=[stylesheet], color_profiles=profiles)
    document.metadata.created = document.metadata.modified = "2026-11-30T10:00:00+00:00"
    with pytest.raises(AlmanacError, match="a gradient whose CMYK colours have 3 components"):
        document.write_pdf(tmp_path / "x.pdf", finisher=press.finisher("k"), pdf_variant=press.VARIANT)


def test_the_column_images_are_placed_in_is_read_from_the_typography():
    css = (Path(__file__).resolve().parents[1] / "overrides" / "print" / "typography.css").read_text(encoding="utf-8")
    assert printimages.column_mm(css) == pytest.approx(132)
    assert "max-width: 132mm" in css, "typography.css's column and its --almanac-column must agree"
    assert printimages.column_mm("p { color: red }") is None
