"""Benchmark only, copied into a benchmarked project as a MkDocs hook; never part of Almanac.

mkdocs-to-pdf writes one PDF per language build to the same path, so each one is kept before the
next language overwrites it, to count every page it rendered.
Reads: PEER_PDF (the path mkdocs-to-pdf writes). Writes: PEER_KEEP/pass-<n>.pdf.
"""

import os
import shutil
from pathlib import Path

from mkdocs.plugins import event_priority


@event_priority(-50)  # after mkdocs-to-pdf (0), before static-i18n builds the next language (-100)
def on_post_build(config):
    source, keep = Path(os.environ["PEER_PDF"]), Path(os.environ["PEER_KEEP"])
    if source.exists():
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, keep / f"pass-{len(list(keep.glob('*.pdf'))) + 1}.pdf")
