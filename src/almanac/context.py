"""Paths every part of Almanac shares: a page's language-free name, the cache and the fonts.

Reads and writes nothing.
"""

from __future__ import annotations

import re
from pathlib import Path


def language_free(src_uri: str) -> str:
    """A page's path without its language suffix: "x/index.en.md" -> "x/index.md" (as metadata lists it)."""
    match = re.fullmatch(r"(.+)\.([a-z]{2,3})\.md", src_uri)
    return f"{match.group(1)}.md" if match else src_uri


def cache_dir(root: Path, name: str) -> Path:
    """A git-ignored cache folder of the project: .cache/almanac/<name>."""
    return root / ".cache" / "almanac" / name


def fonts_dir(root: Path) -> Path:
    """The site's own fonts (WOFF2), used by the website, the charts and the PDFs."""
    return root / "overrides" / "assets" / "fonts"
