"""What a real host needs beside the pages: response headers and precompressed files.

Reads: every file of a built site, the Content-Security-Policy <meta> of each page (written by
hooks/csp.py). Writes into the site: `_headers` (Netlify, Cloudflare Pages), `.htaccess` (Apache),
`_nginx.conf` (the headers for nginx, included by the server block in docs/nginx.conf), and a `.gz`
(and, with the `brotli` package, a `.br`) beside every text file over 1 KB. The compressed bytes are
cached in .cache/almanac/compressed/ by a hash of the file, so a rebuild compresses only what changed.

The policy as a header. Each page keeps its own policy in a <meta>, with the hashes of its own inline
code; a header cannot be per page on these hosts (Cloudflare Pages takes at most 100 header rules, and
Apache and nginx match files by name, where every page is an index.html). So the header is one policy
for the whole site: the pages' own directives with every hash any page needs, plus what only a header
can carry (`frame-ancestors 'none'`). A browser enforces both policies, so each page stays held to its
own hashes, and no script or style runs that no page of the site declares.

Output is reproducible: files are listed in sorted order, gzip streams carry no name and mtime 0, and
brotli is deterministic.
"""

from __future__ import annotations

import gzip
import os
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("mkdocs.hooks.almanac.hosting")

# Text worth compressing; fonts (WOFF2), images and PDFs are compressed already.
TEXT_SUFFIXES = (".html", ".css", ".js", ".json", ".xml", ".txt", ".svg", ".csv", ".map", ".webmanifest")
MIN_SIZE = 1024
HEADERS_FILE, HTACCESS_FILE, NGINX_FILE = "_headers", ".htaccess", "_nginx.conf"
# Material names its bundles by content: bundle.d7400e89.min.js, main.ec1eaa64.min.css.
FINGERPRINTED = r"\.[0-9a-f]{8,}\.min\.(?:css|js)$"
CACHE_IMMUTABLE = "public, max-age=31536000, immutable"
CACHE_SHORT = "public, max-age=300, must-revalidate"   # pages and every file not named by its content
HEADERS_FIXED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
                          "microphone=(), payment=(), usb=()",
    "X-Frame-Options": "DENY",   # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
}
_META = re.compile(r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"', re.I)


@dataclass
class Written:
    headers: dict[str, str]
    compressed: int          # text files that got a .gz
    brotli: bool             # whether .br files were written


def write(site: Path, cache: Path | None = None, *, policies: dict[str, str] | None = None,
          fresh: list[Path] | None = None) -> Written:
    """Write the host files and the precompressed copies into `site`; return what was done.

    A site assembled from units (almanac.assembly) gives the pages' `policies` its units recorded, and
    compresses only the files that are `fresh` (the units' files come with their compressed copies)."""
    headers = {"Content-Security-Policy": merge_policies(policies) if policies is not None else site_policy(site),
               **HEADERS_FIXED}
    (site / HEADERS_FILE).write_text(headers_file(site, headers), encoding="utf-8")
    (site / HTACCESS_FILE).write_text(htaccess(headers), encoding="utf-8")
    (site / NGINX_FILE).write_text(nginx_snippet(headers), encoding="utf-8")
    count, with_brotli = precompress(site, cache, fresh)
    log.info(f"Hosting: wrote {HEADERS_FILE}, {HTACCESS_FILE} and {NGINX_FILE}; compressed {count} text files "
             f"(gzip{', brotli' if with_brotli else ''}).")
    return Written(headers, count, with_brotli)


def site_headers(site: Path) -> dict[str, str]:
    """The response headers of every file: the site-wide policy (see the module's docstring) and the fixed ones."""
    return {"Content-Security-Policy": site_policy(site), **HEADERS_FIXED}


def site_policy(site: Path) -> str:
    """Every page's directives, each with the union of its sources in order of first use, and frame-ancestors."""
    return merge_policies(policies(site))


def policies(site: Path) -> dict[str, str]:
    """Each different policy of the site's pages, by the first page (in sorted order) that has it."""
    found: dict[str, str] = {}
    for path in sorted(site.rglob("*.html")):
        match = _META.search(path.read_text(encoding="utf-8"))
        if match is not None and match[1] not in found:
            found[match[1]] = path.relative_to(site).as_posix()
    return {page: policy for policy, page in found.items()}


def merge_policies(by_page: dict[str, str]) -> str:
    """The site's policy from its pages' (`policies`, of one site or of several units): pages in sorted
    order, as if one site were read."""
    directives: dict[str, list[str]] = {}
    for page in sorted(by_page):
        for part in by_page[page].split(";"):
            name, *sources = part.split()
            known = directives.setdefault(name, [])
            known += [source for source in sources if source not in known]
    if not directives:
        directives = {"default-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'self'"]}
    directives["frame-ancestors"] = ["'none'"]
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def headers_file(site: Path, headers: dict[str, str]) -> str:
    """`_headers` for Netlify and Cloudflare Pages. Both join the values of a header that several rules set,
    so Cache-Control is set only by the rules of the fingerprinted files, listed by name; every other file
    keeps the host's default, which makes the browser revalidate (max-age=0, must-revalidate)."""
    lines = ["/*"] + [f"  {name}: {value}" for name, value in headers.items()]
    for path in fingerprinted(site):
        lines += [f"/{path}", f"  Cache-Control: {CACHE_IMMUTABLE}"]
    return "\n".join(lines) + "\n"


def fingerprinted(site: Path) -> list[str]:
    """The site's files named by their content (the theme's bundles, under assets/), relative to it."""
    return sorted(p.relative_to(site).as_posix() for p in (site / "assets").rglob("*")
                  if p.is_file() and re.search(FINGERPRINTED, p.name))


def htaccess(headers: dict[str, str]) -> str:
    """`.htaccess` for Apache 2.4 (mod_headers, mod_rewrite, mod_mime), as most shared hosting runs."""
    security = "\n".join(f'  Header always set {name} "{value}"' for name, value in headers.items())
    types = {"html": "text/html", "css": "text/css", "js": "text/javascript", "json": "application/json",
             "xml": "application/xml", "txt": "text/plain", "svg": "image/svg+xml", "csv": "text/csv",
             "map": "application/json", "webmanifest": "application/manifest+json"}
    typed = "\n".join(f'  RewriteRule "\\.{ext}\\.(gz|br)$" "-" [T={kind};charset=utf-8,E=no-gzip:1,E=no-brotli:1]'
                      for ext, kind in types.items())
    return f"""# Written by Almanac's build (almanac.hosting): regenerated by every build; edit docs/hosting.md instead.
ErrorDocument 404 /404.html
Options -Indexes
<FilesMatch "^(_headers|_nginx\\.conf)$">
  Require all denied
</FilesMatch>
<IfModule mod_headers.c>
{security}
  Header always set Cache-Control "{CACHE_SHORT}"
  <FilesMatch "{FINGERPRINTED.replace('(?:', '(').removesuffix('$')}(\\.gz|\\.br)?$">
    Header always set Cache-Control "{CACHE_IMMUTABLE}"
  </FilesMatch>
  <FilesMatch "\\.(gz|br)$">
    Header append Vary Accept-Encoding
  </FilesMatch>
  <FilesMatch "\\.gz$">
    Header set Content-Encoding gzip
  </FilesMatch>
  <FilesMatch "\\.br$">
    Header set Content-Encoding br
  </FilesMatch>
</IfModule>
# Serve the precompressed copy the browser accepts, brotli first.
<IfModule mod_rewrite.c>
  RewriteEngine On
  RewriteCond %{{REQUEST_FILENAME}} -d
  RewriteCond %{{REQUEST_FILENAME}}/index.html -f
  RewriteRule ^(.*?)/?$ $1/index.html
  RewriteCond %{{HTTP:Accept-Encoding}} \\bbr\\b
  RewriteCond %{{REQUEST_FILENAME}}.br -f
  RewriteRule ^(.+)$ $1.br [L]
  RewriteCond %{{HTTP:Accept-Encoding}} \\bgzip\\b
  RewriteCond %{{REQUEST_FILENAME}}.gz -f
  RewriteRule ^(.+)$ $1.gz [L]
{typed}
</IfModule>
<IfModule mod_mime.c>
  AddCharset utf-8 .html .css .js .json .xml .txt .svg .csv .map .webmanifest
  RemoveType .gz .br
  AddEncoding gzip .gz
  AddEncoding br .br
</IfModule>
"""


def nginx_snippet(headers: dict[str, str]) -> str:
    """The headers as nginx directives, for `include` in each location of the server block (nginx drops a
    server's add_header in any location that adds one of its own, so every location includes them all)."""
    lines = ["# Written by Almanac's build (almanac.hosting); included by the server block of docs/nginx.conf."]
    lines += [f'add_header {name} "{value}" always;' for name, value in headers.items()]
    return "\n".join(lines) + "\n"


def precompress(site: Path, cache: Path | None = None, paths: list[Path] | None = None) -> tuple[int, bool]:
    """A .gz (and a .br where the brotli package is installed) beside every text file over 1 KB (of `paths`
    only, when given); the records of a unit's build (.almanac-*/) are not the site's.

    Brotli at its best (11) for the theme's files, the same in every build and cached once; at 5 for the rest
    (and gzip at 6): a page's .br is 3 % larger than at 9 and ten times faster to make, which is what a cold
    build of a large library needs (at 9, compressing took a third of a 100-publication build; measured on
    its pages, 44 KB on average: brotli 8.1 ms a page at 9, 0.8 at 5; gzip 2.2 ms at 9, 1.1 at 6)."""
    try:
        import brotli
    except ImportError:   # optional: gzip alone serves every browser
        brotli = None
    count = 0
    candidates = sorted(site.rglob("*")) if paths is None else sorted(paths)
    for path in candidates:
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES or path.stat().st_size <= MIN_SIZE:
            continue
        relative = path.relative_to(site).as_posix()
        if relative.startswith(".almanac-") or "/.almanac-" in relative:
            continue
        data = path.read_bytes()
        key = hashlib.sha256(data).hexdigest()
        path.with_name(path.name + ".gz").write_bytes(_cached(cache, key, f"gz{GZIP_LEVEL}", lambda: gz(data)))
        if brotli is not None:
            quality = 11 if relative.startswith("assets/") else 5
            path.with_name(path.name + ".br").write_bytes(
                _cached(cache, key, f"br{quality}", lambda: brotli.compress(data, quality=quality)))
        count += 1
    return count, brotli is not None


GZIP_LEVEL = 6


def gz(data: bytes) -> bytes:
    """gzip at level 6 with no file name and mtime 0: the same bytes for the same input, on any day."""
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


def _cached(cache: Path | None, key: str, kind: str, make) -> bytes:
    if cache is None:
        return make()
    entry = cache / f"{key}.{kind}"
    if entry.is_file():
        return entry.read_bytes()
    data = make()
    cache.mkdir(parents=True, exist_ok=True)
    temp = entry.with_name(f"{entry.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    temp.replace(entry)
    return data
