"""Cover thumbnails (almanac.covers): the first page of a PDF as a small WebP, the same bytes every time, cached
by the PDF's hash. The PDFs here are made by WeasyPrint in the test, as the build makes the brochures."""

from __future__ import annotations

import io

import pytest

from almanac import covers


def _pdf(colour: str, title: str) -> bytes:
    from weasyprint import HTML

    html = (f"<style>@page {{ size: A4; margin: 0 }} body {{ margin: 0; background: {colour}; }} "
            f"h1 {{ color: white; font: 40pt sans-serif; padding: 3cm 2cm }}</style><h1>{title}</h1><p>2</p>")
    return HTML(string=html).write_pdf()


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    return {"blue": _pdf("#1f4e79", "Plan"), "red": _pdf("#9b2c2c", "Plan")}


def test_a_cover_is_the_first_page_at_the_size_the_catalogue_gives(pdfs):
    from PIL import Image

    image = Image.open(io.BytesIO(covers.render(pdfs["blue"])))
    assert image.format == "WEBP"
    assert image.size == (covers.WIDTH * covers.DENSITY, covers.HEIGHT * covers.DENSITY)
    # The page's own colour, not a blank or a placeholder: a corner far from the text is the background.
    r, g, b = image.convert("RGB").getpixel((5, image.height - 5))
    assert abs(r - 0x1F) < 12 and abs(g - 0x4E) < 12 and abs(b - 0x79) < 12, (r, g, b)


def test_the_same_pdf_gives_the_same_bytes_and_another_pdf_other_bytes(pdfs):
    first, again, other = covers.render(pdfs["blue"]), covers.render(pdfs["blue"]), covers.render(pdfs["red"])
    assert first == again
    assert first != other
    assert covers.key(pdfs["blue"]) == covers.key(pdfs["blue"]) != covers.key(pdfs["red"])


def test_publish_renders_once_then_reuses_the_cache_and_skips_missing_pdfs(pdfs, tmp_path):
    pdf_dir, site, cache = tmp_path / "site" / "pdf", tmp_path / "site", tmp_path / "cache"
    pdf_dir.mkdir(parents=True)
    (pdf_dir / "plan.ru.pdf").write_bytes(pdfs["blue"])
    (pdf_dir / "plan.en.pdf").write_bytes(pdfs["red"])

    paths, rendered = covers.publish(pdf_dir, ["plan.ru", "plan.en", "plan.kk"], site, cache)
    assert paths == ["covers/plan.ru.webp", "covers/plan.en.webp"] and rendered == 2
    assert sorted(p.name for p in cache.iterdir()) == sorted(f"{covers.key(pdfs[c])}.webp" for c in ("blue", "red"))
    published = (site / "covers" / "plan.ru.webp").read_bytes()
    assert published == covers.render(pdfs["blue"])

    # A rebuild with the same PDFs renders nothing; a changed PDF gets a new cover.
    assert covers.publish(pdf_dir, ["plan.ru", "plan.en"], site, cache)[1] == 0
    (pdf_dir / "plan.ru.pdf").write_bytes(pdfs["red"])
    assert covers.publish(pdf_dir, ["plan.ru"], site, cache)[1] == 0   # the red cover is cached already
    assert (site / "covers" / "plan.ru.webp").read_bytes() == (site / "covers" / "plan.en.webp").read_bytes()
