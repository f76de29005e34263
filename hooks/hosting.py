"""Files a real host needs: response headers (`_headers`, `.htaccess`, `_nginx.conf`) and precompressed copies.

Events:
- on_post_build (-900): after every language is built and the PDFs' facts are filled into the pages
  (hooks/readers.py at -300), write the host files and the .gz/.br copies into the site.

`almanac build` builds each language as a shard and writes these files once the shards are assembled
(almanac.build); a shard's own build and `mkdocs serve` write none.

Reads: the built site. Writes: see almanac.hosting; compressed bytes are cached in .cache/almanac/compressed/.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.plugins import event_priority

import engine
from almanac import context, hosting

log = logging.getLogger("mkdocs.hooks.hosting")


@event_priority(-900)
@engine.reports_errors
def on_post_build(config):
    if engine.nested(config) or not engine.whole_library(config) or engine.serving():
        return
    hosting.write(Path(config.site_dir), context.cache_dir(engine.project(config).root, "compressed"))
