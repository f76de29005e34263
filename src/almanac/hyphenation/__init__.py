"""Hyphenation dictionaries that Pyphen does not ship: Kazakh, for WeasyPrint's `hyphens: auto`.

Reads `hyph_kk.dic` beside this module (made by `generate.py`, which says how). Writes nothing:
`register()` points Pyphen's language table at the file, in the process that calls it.

WeasyPrint 70 finds a dictionary through `pyphen.language_fallback(lang)`, which looks the element's
`lang` up in `pyphen.LANGUAGES_LOWERCASE` (truncating `kk-KZ` to `kk`), then opens
`pyphen.LANGUAGES[name]`. Pyphen has no registration API, so `register()` adds `kk` to both tables.
This module imports neither Pyphen nor WeasyPrint until it is called.
"""

from __future__ import annotations

from pathlib import Path

#: The Kazakh patterns, registered with Pyphen as `kk`.
DICTIONARY = Path(__file__).with_name("hyph_kk.dic")

LANGUAGE = "kk"


def register() -> None:
    """Make Pyphen, and so WeasyPrint, hyphenate `lang="kk"` (and `kk-KZ`, `kk-Cyrl`) with our patterns.

    Idempotent. It replaces any `kk` a future Pyphen might ship, so that a PDF does not change
    with the Pyphen version: the dictionary is one of the PDF's inputs.
    """
    import pyphen

    pyphen.LANGUAGES[LANGUAGE] = DICTIONARY
    pyphen.LANGUAGES_LOWERCASE[LANGUAGE] = LANGUAGE
