"""The site's fonts as TrueType files, for tools that cannot read WOFF2 cheaply.

Reads: overrides/assets/fonts/*.woff2.
Writes: .cache/almanac/fonts/<name>-<hash>.ttf (decompressed once per font version).

matplotlib measures text only with TrueType files, and WeasyPrint decompresses
every WOFF2 @font-face again for every document (about 0.4 s of each PDF);
both read these copies instead. The glyph data is the same, so the PDFs are
the same.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

COPY_VERSION = "v2"  # v1 copies carried the time they were written
_WOFF2_URL = re.compile(r'url\((["\']?)([^)"\']*?/)?([\w.-]+)\.woff2\1\)')


def ttf_copy(source: Path, cache_dir: Path, family: str | None = None) -> Path:
    """A decompressed TrueType copy of a WOFF2 font, named by its content hash; with `family`, its names
    say that family instead (a name no installed font has, so that a tool looking fonts up by name,
    as matplotlib does, can never take an installed font of the same name for ours)."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    named = f"-{re.sub(r'[^A-Za-z0-9]+', '', family)}" if family else ""
    target = cache_dir / f"{source.stem}-{digest}{named}-{COPY_VERSION}.ttf"
    if not target.exists():
        from fontTools.ttLib import TTFont

        cache_dir.mkdir(parents=True, exist_ok=True)
        # fontTools stamps head.modified with the time of saving unless told not to; every font subset in
        # every PDF inherits that stamp, so a copy made at another time would change every PDF.
        font = TTFont(source, recalcTimestamp=False)
        font.flavor = None
        if family:
            _rename(font, family)
        # Written aside and renamed: parallel builds never read a half-written font.
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        font.save(tmp)
        tmp.replace(target)
    return target


def _rename(font, family: str) -> None:
    # Family (1, 16), full name (4) and PostScript name (6); the style names (2, 17) stay.
    style = font["name"].getDebugName(2) or "Regular"
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = family
        elif record.nameID == 4:
            record.string = f"{family} {style}"
        elif record.nameID == 6:
            record.string = f"{family}-{style}".replace(" ", "")


def with_ttf_sources(css: str, fonts_dir: Path, cache_dir: Path) -> str:
    """The stylesheet with each `url(…/name.woff2)` pointing at its TrueType copy."""

    def replace(match: re.Match) -> str:
        source = fonts_dir / f"{match.group(3)}.woff2"
        if not source.exists():
            return match.group(0)  # left for WeasyPrint, which reports the missing file
        return f'url("{ttf_copy(source, cache_dir).as_uri()}")'

    return _WOFF2_URL.sub(replace, css)
