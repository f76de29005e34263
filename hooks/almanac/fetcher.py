"""A WeasyPrint URL fetcher that reads only the project's own files.

Reads: files under the project root (after resolving symlinks), data: URLs.
Writes: nothing.

WeasyPrint's default fetcher reads any local file and follows symlinks, so a
page with `<a rel=attachment href="file:///etc/passwd">` would embed that file
in the PDF, and an http URL would make the build touch the network. Both are
refused here.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher


class RefusedURL(FatalURLFetchingError):
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


class ProjectFetcher(URLFetcher):
    """Fetch file: URLs inside `root` and data: URLs; refuse everything else."""

    def __init__(self, root: Path, **kwargs):
        super().__init__(allowed_protocols=("file", "data"), **kwargs)
        self.root = Path(root).resolve()

    def fetch(self, url, headers=None):
        path = check(url, self.root)
        if path is None:
            return super().fetch(url, headers)
        return super().fetch(path.as_uri(), headers)
