"""A WeasyPrint URL fetcher that reads only the project's own files, and gives the printer's edition its images in CMYK.

Reads: files under the project root (after resolving symlinks), data: URLs.
Writes: for the printer's edition, converted images in the project's cache
(through `printimages.PrintImages`).

WeasyPrint's default fetcher reads any local file and follows symlinks, so a
page with `<a rel=attachment href="file:///etc/passwd">` would embed that file
in the PDF, and an http URL would make the build touch the network. Both are
refused here, by the rules in `urlpolicy`.

Every image WeasyPrint draws comes through here, whether a page, a stylesheet
or an SVG file asks for it, so this is where the printer's edition swaps a
raster image for its CMYK (or greyscale) version and an SVG file for its
recoloured text; the screen edition passes no `images` and gets the files as
they are.
"""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import unquote_to_bytes

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from .errors import AlmanacError
from .printimages import RASTER_SUFFIXES, PrintImages
from .urlpolicy import RefusedURL, check

__all__ = ["ProjectFetcher", "RefusedURL"]


class FetchRefused(RefusedURL, FatalURLFetchingError):
    """A refusal WeasyPrint must not skip over: it stops the rendering."""


class PrintImageError(AlmanacError, FatalURLFetchingError):
    """An image the printer's edition cannot convert: WeasyPrint must stop, not leave a gap in the page."""


class ProjectFetcher(URLFetcher):
    """Fetch file: URLs inside `root` and data: URLs; refuse everything else. With `images`, the printer's
    edition's: raster images and SVG files in CMYK."""

    def __init__(self, root: Path, images: PrintImages | None = None, **kwargs):
        super().__init__(allowed_protocols=("file", "data"), **kwargs)
        self.root = Path(root).resolve()
        self.images = images

    def fetch(self, url, headers=None):
        try:
            path = check(url, self.root)
        except RefusedURL as exc:
            raise FetchRefused(str(exc)) from None
        if self.images is None:
            return super().fetch(url if path is None else path.as_uri(), headers)
        try:
            if path is None:
                return self._data_url(url, headers)
            if path.suffix.lower() == ".svg":
                # The file's own URL: relative references in it resolve as before.
                return URLFetcherResponse(path.as_uri(), self.images.svg(path),
                                          headers={"Content-Type": "image/svg+xml"})
            if path.suffix.lower() in RASTER_SUFFIXES:
                path = self.images.raster(path)
        except AlmanacError as exc:
            raise PrintImageError(str(exc)) from None
        return super().fetch(path.as_uri(), headers)

    def _data_url(self, url: str, headers):
        header, _, payload = url.partition(",")
        kind = header.lower()
        if not kind.startswith("data:image/"):
            return super().fetch(url, headers)
        try:
            data = base64.b64decode(payload, validate=True) if kind.endswith(";base64") else unquote_to_bytes(payload)
        except ValueError:
            raise PrintImageError("an image in a data: URL is not valid base64") from None
        if kind.startswith("data:image/svg"):
            return URLFetcherResponse(url, self.images.svg_data(data, "an SVG image in a data: URL"),
                                      headers={"Content-Type": "image/svg+xml"})
        return super().fetch(self.images.raster_data(data, "an image in a data: URL").as_uri(), headers)
