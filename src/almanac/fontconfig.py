"""Fonts from the project and the pinned stack only, whatever the machine has installed.

Reads: nothing of the project's; matplotlib's bundled fonts folder (for its path).
Writes: .cache/almanac/fontconfig/fonts.conf, and fontconfig's own cache under
.cache/almanac/fontconfig/cache/; sets FONTCONFIG_FILE in this process's
environment (inherited by the processes it starts).

WeasyPrint finds fonts through fontconfig: the @font-face fonts it is given,
and for any glyph they lack, whatever fontconfig offers. With the system's
configuration that is every installed font and the user's ~/.fonts, so a
font installed later (Chromium's packages bring several) or one that happens
to be named like ours ("Almanac Sans") changes every PDF. matplotlib asks
`fc-list` for system fonts too. This configuration lists no system or user
folder: only the fonts matplotlib ships (DejaVu, pinned with the Python
stack) as the last resort for a glyph the project's fonts lack. The
project's own fonts reach WeasyPrint through @font-face and matplotlib
through `addfont`, as before.
"""

from __future__ import annotations

import os
from html import escape
from pathlib import Path

VARIABLE = "FONTCONFIG_FILE"


def configure(folder: Path) -> Path:
    """Write the configuration into `folder` (once per content) and make this process use it."""
    path = folder / "fonts.conf"
    text = _config(folder / "cache")
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    os.environ[VARIABLE] = str(path)
    return path


def fallback_fonts() -> Path:
    """The folder of fonts matplotlib ships: the one font folder the configuration lists."""
    import importlib.util

    spec = importlib.util.find_spec("matplotlib")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


def _config(cache: Path) -> str:
    return ('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
            f"  <dir>{escape(str(fallback_fonts()))}</dir>\n"
            f"  <cachedir>{escape(str(cache))}</cachedir>\n"
            "</fontconfig>\n")


def native_versions() -> dict[str, str]:
    """The versions of the native libraries that lay out and shape text for WeasyPrint (Pango, HarfBuzz,
    fontconfig, FreeType): another version can break lines elsewhere, so they are part of every PDF's
    cache key. Read through ctypes, without importing WeasyPrint (0.5 s that a warm build does not pay)."""
    import ctypes

    versions = {}

    def load(name: str):
        try:
            return ctypes.CDLL(name)
        except OSError:
            return None

    pango, harfbuzz = load("libpango-1.0.so.0"), load("libharfbuzz.so.0")
    fontconfig, freetype = load("libfontconfig.so.1"), load("libfreetype.so.6")
    if pango is not None:
        pango.pango_version_string.restype = ctypes.c_char_p
        versions["pango"] = pango.pango_version_string().decode()
    if harfbuzz is not None:
        harfbuzz.hb_version_string.restype = ctypes.c_char_p
        versions["harfbuzz"] = harfbuzz.hb_version_string().decode()
    if fontconfig is not None:
        number = fontconfig.FcGetVersion()
        versions["fontconfig"] = f"{number // 10000}.{number // 100 % 100}.{number % 100}"
    if freetype is not None:
        library, parts = ctypes.c_void_p(), [ctypes.c_int() for _ in range(3)]
        if freetype.FT_Init_FreeType(ctypes.byref(library)) == 0:
            freetype.FT_Library_Version(library, *(ctypes.byref(part) for part in parts))
            freetype.FT_Done_FreeType(library)
            versions["freetype"] = ".".join(str(part.value) for part in parts)
    return versions
