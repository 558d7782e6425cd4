"""HTML volume → PDF through WeasyPrint.

The build reads nothing but the template folders (a fetcher that refuses every
other URL), turns WeasyPrint's logged errors into build errors, writes the
PDF atomically, and gives the same bytes for the same input (fixed
SOURCE_DATE_EPOCH). WeasyPrint is imported only here, inside the functions,
so that the command line starts fast."""

from __future__ import annotations

import logging
import mimetypes
import os
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..errors import EditionError, Problem
from ..model import Edition
from ..store import atomic_write
from .html import render_volume

# SOURCE_DATE_EPOCH used when the caller has not set one: 1980-01-01T00:00Z,
# the ZIP epoch that reproducible-build tools commonly fall back to. A
# constant, not a date taken from the edition, so that nothing in the bytes
# depends on the clock: WeasyPrint writes no creation date unless the HTML
# asks for one (ours does not), and font subsets made by fontTools take
# their timestamp from this variable. The same volume then gives the same
# bytes on one machine (fonts differ between machines).
REPRODUCIBLE_EPOCH = "315532800"


@dataclass(frozen=True)
class BuildReport:
    """What a build produced: the page count, WeasyPrint's warnings and our
    own (notes that could not be placed where they belong, …), and the size
    of the PDF in bytes."""

    pages: int
    warnings: list[str] = field(default_factory=list)
    size: int = 0


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
                raise URLFetchingError(
                    f"refused {url!r}: the build reads only files in the template folders"
                )
            path = Path(os.path.realpath(urllib.request.url2pathname(parts.path)))
            if not any(path.is_relative_to(root) for root in real_roots) or not path.is_file():
                raise URLFetchingError(
                    f"refused {url!r}: not a file inside the template folders"
                )
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
            )

    return TemplateFetcher(allow_redirects=False, allowed_protocols=("file",), timeout=1)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _captured_weasyprint_log() -> Iterator[_Collect]:
    """Collect what WeasyPrint logs (missing resources are logged as errors,
    not raised) instead of letting it reach the caller's handlers."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


@contextmanager
def _source_date_epoch() -> Iterator[None]:
    """Fix SOURCE_DATE_EPOCH for the render unless the caller chose one."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = REPRODUCIBLE_EPOCH
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


@contextmanager
def _calls_kept_with_their_notes() -> Iterator[None]:
    """Keep every footnote on the page of its call (WeasyPrint 70 bugs).

    When a line overflows the page and widows/orphans forbid breaking before
    it, WeasyPrint moves the page's footnotes to the next page to make room.
    If that makes the line fit, it keeps the line — the moved notes then
    stand a page after their calls, and the footnotes the line itself calls
    are never laid out: they vanish from the PDF. If it does not, it breaks
    the page anyway and leaves the notes moved. We wrap its line layout:
    the moved footnotes come back, and a line that only fitted without them
    (or whose own notes were skipped) goes to the next page. A widow is a
    smaller fault than a note away from its call. Pinned to WeasyPrint 70.x
    in pyproject.toml; `_placed_footnotes` checks the result either way.
    The patch is process-wide while it lasts: one build at a time."""
    from weasyprint.layout import block

    original = block._linebox_layout

    def linebox_layout(context, box, index, child, new_children, page_is_empty,
                       absolute_boxes, fixed_boxes, adjoining_margins, bottom_space,
                       *args, **kwargs):
        reported_before = list(context.reported_footnotes)
        lines_before = len(new_children)
        result = original(context, box, index, child, new_children, page_is_empty,
                          absolute_boxes, fixed_boxes, adjoining_margins, bottom_space,
                          *args, **kwargs)
        abort, stop, resume_at, position_y, new_footnotes, max_lines = result
        moved = [f for f in context.reported_footnotes if f not in reported_before]
        for footnote in moved:
            context.reported_footnotes.remove(footnote)
            context.current_page_footnotes.append(footnote)
        if moved:
            context._update_footnote_area()
        if abort or not stop:
            return result
        popped = False
        while len(new_children) > lines_before and not (len(new_children) == 1 and page_is_empty):
            line = new_children[-1]
            skipped_notes = any(
                getattr(d, "footnote", None) in context.footnotes for d in line.descendants()
            )
            if not skipped_notes and not context.overflows_page(
                bottom_space, line.position_y + line.height
            ):
                break
            new_children.pop()
            block.remove_placeholders(context, line.children, absolute_boxes, fixed_boxes)
            popped = True
        if not popped:
            return result
        if len(new_children) < max(1, box.style["orphans"]) and not page_is_empty:
            return True, False, resume_at, position_y, new_footnotes, max_lines
        last = new_children[-1]
        return (False, True, {index: last.resume_at}, last.position_y + last.height,
                new_footnotes, max_lines)

    block._linebox_layout = linebox_layout
    try:
        yield
    finally:
        block._linebox_layout = original


def _placed_footnotes(document) -> int:
    """How many footnotes the laid-out pages hold. WeasyPrint defers a
    footnote that does not fit to the next page and may lose those still
    deferred at the end of the volume, so we count them (a footnote split
    over two pages counts once). Reads WeasyPrint's page boxes: pinned to
    70.x in pyproject.toml."""
    placed = set()
    for page in document.pages:
        for area in page._page_box.children:
            if type(area).__name__ == "FootnoteAreaBox":
                placed.update(id(box.element) for box in area.children)
    return len(placed)


def build_pdf(
    edition: Edition,
    out: Path,
    templates: list[Path],
    *,
    html_out: Path | None = None,
) -> BuildReport:
    """Render the volume to `out` (and, with `html_out`, the same volume as
    one HTML file). Raises EditionError when WeasyPrint reports an error
    (a resource that could not be loaded…); its warnings and ours are in the
    report. Nothing is written unless the build succeeds."""
    volume = render_volume(edition, templates)
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - an installation problem
        raise EditionError.at(
            f"cannot build the PDF: {exc}", hint="install edition with its dependencies"
        ) from None

    fetcher = make_fetcher(templates)
    with _source_date_epoch(), _captured_weasyprint_log() as log, _calls_kept_with_their_notes():
        document = weasyprint.HTML(
            string=volume.html,
            base_url=volume.base_dir.as_uri() + "/",
            url_fetcher=fetcher,
        ).render()
        pdf = document.write_pdf()
        placed = _placed_footnotes(document)

    errors = [r for r in log.records if r.levelno >= logging.ERROR]
    if errors:
        raise EditionError(
            *(
                Problem(
                    f"PDF build: {r.getMessage()}",
                    hint="templates may use only files inside their template folders",
                )
                for r in errors
            )
        )
    if placed < volume.footnotes:
        raise EditionError.at(
            f"PDF build: the layout placed {placed} of {volume.footnotes} footnotes",
            hint="WeasyPrint 70 loses footnotes when a stylesheet gives @footnote an "
            "em margin or the footnotes vertical margins or padding; check "
            "templates/edition.css, or report the document if the defaults lose one",
        )
    warnings = volume.warnings + [f"weasyprint: {r.getMessage()}" for r in log.records]

    atomic_write(Path(out), pdf)
    if html_out is not None:
        atomic_write(Path(html_out), volume.html)
    return BuildReport(pages=len(document.pages), warnings=warnings, size=len(pdf))
