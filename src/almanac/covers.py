"""Cover thumbnails for the catalogue: the first page of each published PDF, as a small WebP image.

Reads: <site>/pdf/<slug>.<lang>.pdf. Writes: <site>/covers/<slug>.<lang>.webp, and
.cache/almanac/covers/<key>.webp, where the key hashes the PDF's bytes with everything else the
image depends on (the rasteriser's and the encoder's versions, the size, the quality).

The page is rasterised by PDFium (pypdfium2's wheels carry their own build: nothing is fetched, no
system library is asked) and encoded by Pillow's bundled libwebp. Both come pinned with their
wheels, and a PDF embeds all its fonts, so the same PDF gives the same bytes on any machine with
the same versions, which are part of the key. The catalogue's <img> gives WIDTH and HEIGHT, known
before any PDF exists (the brochures are A4), so a cover takes its place at once: no layout shift.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from pathlib import Path

FOLDER = "covers"
WIDTH, HEIGHT = 120, 170      # CSS pixels: A4 (210 x 297 mm) at 120 px wide
DENSITY = 2                   # image pixels per CSS pixel: sharp on phones and high-density screens
QUALITY = 80                  # lossy WebP: a cover is a picture of a page, not a page to read
EXTENSION = "webp"


def path(name: str) -> str:
    """Where the cover of pdf/<name>.pdf is published, relative to the site: covers/<name>.webp."""
    return f"{FOLDER}/{name}.{EXTENSION}"


def render(pdf: bytes) -> bytes:
    """The first page of `pdf` as a WIDTH x HEIGHT (times DENSITY) WebP image."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        width = WIDTH * DENSITY
        # Render a little larger than needed, then downsample: Lanczos gives cleaner small text than PDFium at size.
        bitmap = page.render(scale=2 * width / page.get_width(), may_draw_forms=False)
        image = bitmap.to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    image = image.resize((width, HEIGHT * DENSITY), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    # method=6 and no metadata: the encoder's slowest and most compact setting, and nothing that varies.
    image.save(out, format="WEBP", quality=QUALITY, method=6, exact=False)
    return out.getvalue()


def key(pdf: bytes) -> str:
    """The cache key of the cover of `pdf`: its bytes, the rasteriser, the encoder and the settings."""
    import PIL
    import pypdfium2.version

    digest = hashlib.sha256(pdf)
    digest.update(repr((pypdfium2.version.PYPDFIUM_INFO.version, pypdfium2.version.PDFIUM_INFO.version,
                        PIL.__version__, WIDTH, HEIGHT, DENSITY, QUALITY, EXTENSION)).encode())
    return digest.hexdigest()[:24]


def publish(pdf_dir: Path, names: list[str], site: Path, cache: Path) -> tuple[list[str], int]:
    """Write the cover of each pdf/<name>.pdf that exists to <site>/covers/<name>.webp.

    Returns the published paths (relative to the site) and how many covers had to be rendered
    (the others came from the cache)."""
    cache.mkdir(parents=True, exist_ok=True)
    (site / FOLDER).mkdir(parents=True, exist_ok=True)
    published, rendered = [], 0
    for name in names:
        source = pdf_dir / f"{name}.pdf"
        if not source.is_file():
            continue
        data = source.read_bytes()
        cached = cache / f"{key(data)}.{EXTENSION}"
        if not cached.is_file():
            # Languages may be built at once (shards): write beside, then rename, so no reader sees half a file.
            temp = cached.with_name(f"{cached.name}.{os.getpid()}.tmp")
            temp.write_bytes(render(data))
            temp.replace(cached)
            rendered += 1
        shutil.copyfile(cached, site / path(name))
        published.append(path(name))
    return published, rendered
