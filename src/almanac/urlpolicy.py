"""Which URLs a PDF may read: the project's own files and data: URLs, nothing else.

Reads: the file system, to resolve symlinks. Writes: nothing.

Kept apart from the WeasyPrint fetcher so that checking a page's links does
not import WeasyPrint (0.5 s) in a build that renders nothing.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit


class RefusedURL(Exception):
    """Rendering must stop: a document asked for something outside the project."""


def check(url: str, root: Path) -> Path | None:
    """The local path `url` may read, or raise RefusedURL saying why not. data: URLs return None."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "data":
        return None
    if scheme != "file":
        raise RefusedURL(f"refused {url!r}: only the project's own files may be read (no network access)")
    path = Path(unquote(urlsplit(url).path))
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        what = "a symlink that leaves the project" if path.is_symlink() or resolved != path.absolute() else "a file outside the project"
        raise RefusedURL(f"refused {url!r}: {what}")
    return resolved
