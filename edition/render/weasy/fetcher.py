"""The URL fetcher every WeasyPrint object of a build is given: the build
reads nothing but the template folders (fonts, stylesheets, images)."""

from __future__ import annotations

import mimetypes
import os
import urllib.parse
import urllib.request
from pathlib import Path


def make_fetcher(roots: list[Path]):
    """A WeasyPrint URL fetcher that serves only regular files whose real path
    lies inside one of `roots` (the template folders: fonts, css, images) and
    refuses everything else — other files, http(s), data:, ftp — with a
    URLFetchingError. Redirects are off."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

    real_roots = tuple(Path(os.path.realpath(root)) for root in roots)

    class TemplateFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urllib.parse.urlsplit(url)
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                raise URLFetchingError(f"refused {url!r}: the build reads only files in the template folders")
            path = Path(os.path.realpath(urllib.request.url2pathname(parts.path)))
            if not any(path.is_relative_to(root) for root in real_roots) or not path.is_file():
                raise URLFetchingError(f"refused {url!r}: not a file inside the template folders")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type})

    return TemplateFetcher(allow_redirects=False, allowed_protocols=("file",), timeout=1)
