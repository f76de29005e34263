"""A WeasyPrint URL fetcher that reads only the project's own files.

Reads: files under the project root (after resolving symlinks), data: URLs.
Writes: nothing.

WeasyPrint's default fetcher reads any local file and follows symlinks, so a
page with `<a rel=attachment href="file:///etc/passwd">` would embed that file
in the PDF, and an http URL would make the build touch the network. Both are
refused here, by the rules in `urlpolicy`.
"""

from __future__ import annotations

from pathlib import Path

from weasyprint.urls import FatalURLFetchingError, URLFetcher

from .urlpolicy import RefusedURL, check

__all__ = ["ProjectFetcher", "RefusedURL"]


class FetchRefused(RefusedURL, FatalURLFetchingError):
    """A refusal WeasyPrint must not skip over: it stops the rendering."""


class ProjectFetcher(URLFetcher):
    """Fetch file: URLs inside `root` and data: URLs; refuse everything else."""

    def __init__(self, root: Path, **kwargs):
        super().__init__(allowed_protocols=("file", "data"), **kwargs)
        self.root = Path(root).resolve()

    def fetch(self, url, headers=None):
        try:
            path = check(url, self.root)
        except RefusedURL as exc:
            raise FetchRefused(str(exc)) from None
        if path is None:
            return super().fetch(url, headers)
        return super().fetch(path.as_uri(), headers)
