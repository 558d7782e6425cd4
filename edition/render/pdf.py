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
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Optional

from ..errors import EditionError, Problem
from ..model import Edition
from ..files import atomic_write
from .html import render_volume
from .index import index_references
from .lines import LineMap, Reading, number_lines, same_layout, stamp_numbers, unprinted

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
    own (notes that could not be placed where they belong, …), the size of
    the PDF in bytes, where every line of the text stands (the line map,
    see render/lines.py: (document id, layer id, segment id) → its lines
    with page, line number, text and offsets), and the seconds each step
    took."""

    pages: int
    warnings: list[str] = field(default_factory=list)
    size: int = 0
    lines: LineMap = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    # The folio of each page (lines[...].page - 1 indexes it) as the default
    # stylesheet prints it: roman in the front matter, arabic from the
    # first document's opening page.
    folios: list[str] = field(default_factory=list)


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
def _source_date_epoch(epoch: str | None = None) -> Iterator[None]:
    """Fix SOURCE_DATE_EPOCH for the render: to `epoch`, or, unless the
    caller chose one, to REPRODUCIBLE_EPOCH; as it was afterwards."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None and before is not None:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = epoch or REPRODUCIBLE_EPOCH
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


@contextmanager
def patched_weasyprint(epoch: str | None = None) -> Iterator[list]:
    """Everything a layout of ours runs under, in this process: the fixed
    SOURCE_DATE_EPOCH, WeasyPrint's log collected (yields its records), and
    the build's patches of WeasyPrint (footnotes kept with their calls,
    apparatus under the notes, parallel pairs level)."""
    with (
        _source_date_epoch(epoch),
        _captured_weasyprint_log() as log,
        _calls_kept_with_their_notes(),
        _apparatus_under_the_notes(),
        _pairs_start_level(),
    ):
        yield log.records


class Laps:
    """The seconds each step of a build took (BuildReport.timings): call it
    with the name of the step just done."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self._clock
        self._clock = now


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


@contextmanager
def _apparatus_under_the_notes() -> Iterator[None]:
    """Lay out the footnote area with the apparatus entries (the inline
    footnotes) after the notes (the block ones), whatever the order of their
    calls: one run-on paragraph of variants under the numbered notes, as a
    critical edition prints them. Only the area's copy is ordered; the list
    WeasyPrint moves notes between pages with keeps the order of the calls.
    WeasyPrint 70 internals (`LayoutContext._update_footnote_area`), pinned in
    pyproject.toml; process-wide while it lasts."""
    from weasyprint.layout import LayoutContext

    original = LayoutContext._update_footnote_area

    def update_footnote_area(self):
        in_call_order = self.current_page_footnotes
        self.current_page_footnotes = sorted(in_call_order, key=_is_inline_footnote)
        try:
            return original(self)
        finally:
            self.current_page_footnotes = in_call_order

    LayoutContext._update_footnote_area = update_footnote_area
    try:
        yield
    finally:
        LayoutContext._update_footnote_area = original


def _is_inline_footnote(box) -> bool:
    return box.style["footnote_display"] == "inline"


@contextmanager
def _pairs_start_level() -> Iterator[None]:
    """Keep the cells of a parallel row starting on the same page (a
    WeasyPrint 70 behaviour we change).

    WeasyPrint lays out each cell of a table row on its own. Near the foot
    of a page, a cell whose paragraph cannot leave enough lines there
    (orphans) places nothing, and its text starts on the next page, while a
    shorter cell of the same row starts on this one: the pair is no longer
    level. We watch the cells of our parallel tables (td.col): when one
    places nothing on a page that already has content, its row is treated as
    `break-inside: avoid` for this page, so WeasyPrint moves the whole row
    to the next page — both texts start there, level. The style is restored
    when the table's layout on that page ends. Pinned to WeasyPrint 70.x in
    pyproject.toml; tests/test_render_parallel.py checks the pairs. The
    patch is process-wide while it lasts: one build at a time."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block

    original_cell_layout = block.block_container_layout
    original_table_layout = block.table_layout
    changed: list = []

    def block_container_layout(context, box, bottom_space, skip_stack, *args, **kwargs):
        result = original_cell_layout(context, box, bottom_space, skip_stack, *args, **kwargs)
        if result[0] is None and isinstance(box, boxes.TableCellBox):
            page_is_empty = kwargs["page_is_empty"] if "page_is_empty" in kwargs else args[0]
            if not page_is_empty and _is_parallel_cell(box) and box.style["break_inside"] != "avoid":
                _cell_could_not_start(box, changed)
        return result

    def table_layout(*args, **kwargs):
        try:
            return original_table_layout(*args, **kwargs)
        finally:
            while changed:
                style, value = changed.pop()
                style["break_inside"] = value

    block.block_container_layout = block_container_layout
    block.table_layout = table_layout
    try:
        yield
    finally:
        block.block_container_layout = original_cell_layout
        block.table_layout = original_table_layout


def _is_parallel_cell(box) -> bool:
    element = box.element
    return element is not None and "col" in (element.get("class") or "").split()


def _cell_could_not_start(box, changed: list) -> None:
    """Ask WeasyPrint to move the cell's row to the next page (it reads the
    cells' break-inside when a row breaks)."""
    changed.append((box.style, box.style["break_inside"]))
    box.style["break_inside"] = "avoid"


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
                # block notes are the area's children; inline ones (the
                # apparatus) stand in the lines of an anonymous block
                placed.update(
                    id(box.element) for box in area.descendants()
                    if box.element is not None and box.element_tag == "span"
                    and "fn" in (box.element.get("class") or "").split()
                )
    return len(placed)


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity (what taskset,
    cgroups' cpusets and containers allow), not the machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def build_pdf(
    edition: Edition,
    out: Path,
    templates: list[Path],
    *,
    html_out: Path | None = None,
    register=None,
    progress: Progress | None = None,
    jobs: int | None = None,
    chunk_documents: int | None = None,
    cache: Path | None = None,
) -> BuildReport:
    """Render the volume to `out` (and, with `html_out`, the same volume as
    one HTML file). Raises EditionError when WeasyPrint reports an error
    (a resource that could not be loaded…); its warnings and ours are in the
    report. Nothing is written unless the build succeeds.

    The layout tells where each line fell (the line map); line numbers are
    printed beside them in the finished layout (render/lines.py). An
    apparatus at the foot of the page keyed to those lines, or an index,
    asks for a second layout with the numbers and references filled in,
    which must place every line where the first did (checked; if it did
    not, it is keyed again from the second layout).

    `progress(stage, done, total)` hears how far the build is: each page as
    it is laid out (total: the pages of the first layout, None before).

    A large volume is laid out in parts by `jobs` worker processes (default:
    one per core) and assembled (render/assemble.py); `chunk_documents`
    asks for parts of that many documents whatever the volume's size. The
    parts' layouts are cached in the folder `cache` when given (the
    command line gives the edition's `build/.cache/layout`).
    """
    from . import assemble

    jobs = min(jobs or usable_cores(), usable_cores())  # more workers than cores only cost memory
    if assemble.wanted(edition, jobs, chunk_documents):
        report = assemble.build_in_parts(
            edition, Path(out), templates, html_out=html_out, register=register, progress=progress,
            jobs=jobs, chunk_documents=chunk_documents, cache_dir=Path(cache) if cache is not None else None,
        )
        if report is not None:
            return report
    lap = Laps()
    tell = progress or (lambda stage, done, total: None)
    pages_so_far: list[int] = []  # pages of the last layout: the next one's total

    volume = render_volume(edition, templates, register=register)
    lap("html")
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - an installation problem
        raise EditionError.at(
            f"cannot build the PDF: {exc}", hint="install edition with its dependencies"
        ) from None

    fetcher = make_fetcher(templates)
    per_page = edition.line_numbers == "page"
    line_warnings: list[str] = []

    def references(document, lines):
        return index_references(
            edition, register if register is not None else edition.register, lines,
            _anchor_pages(document), _folios(document), by_line=edition.index == "lines",
        )

    def layout(html: str):
        stage = "laying out pages" if not pages_so_far else "laying out numbered pages"
        total = pages_so_far[-1] if pages_so_far else None
        tell(stage, 0, total)
        with _pages_counted(lambda n: tell(stage, n, total)):
            document = weasyprint.HTML(
                string=html, base_url=volume.base_dir.as_uri() + "/", url_fetcher=fetcher
            ).render()
        pages_so_far.append(len(document.pages))
        return document

    with patched_weasyprint() as log:
        document = layout(volume.html)
        lap("layout")
        reading = Reading(document)
        laid = reading.laid
        numbering = number_lines(laid, volume.blocks, per_page)
        lap("lines")
        final_html = volume.html
        refs = None  # the index's references, once a layout has told them
        if volume.back_references:
            # The second render keys the apparatus to the lines and prints
            # the index's references; it must place every line of the text
            # where the first did (what it adds after a document's text may
            # only move later documents by whole pages).
            refs = references(document, numbering.lines)
            folios = _folios(document)
            del document  # one laid-out volume in memory at a time
            for _ in range(2):
                keyed = render_volume(
                    edition, templates, register=register,
                    apparatus_lines=numbering.lines, index_refs=refs, folios=folios,
                )
                document = layout(keyed.html)
                lap("layout (numbered)")
                reading = Reading(document)
                laid_again = reading.laid
                lap("lines")
                # With line numbers restarting on every page, references
                # carry the folio: a later document moved by a whole page
                # moves its references too.
                moved = not same_layout(laid, laid_again) or (
                    per_page and [x.page for x in laid] != [x.page for x in laid_again]
                )
                laid = laid_again
                numbering = number_lines(laid, volume.blocks, per_page)
                final_html = keyed.html
                if not moved:
                    break
                refs = references(document, numbering.lines)
                folios = _folios(document)
            else:
                line_warnings.append(
                    "the apparatus and the index may cite a line or page off by one: "
                    "keying them to the lines moved the lines twice"
                )
        if volume.line_numbers:
            line_warnings.extend(unprinted(stamp_numbers(reading, per_page), numbering))
        if volume.line_numbers and volume.blocks and not laid:
            line_warnings.append(
                "line numbers left out: the templates mark no text block "
                "(data-doc on the document, data-layer and data-segment on each block)"
            )
        line_warnings.extend(numbering.warnings)
        line_warnings.extend(_overfull(laid, volume.blocks))
        if volume.back_references and edition.index != "none":
            line_warnings.extend(_not_indexed(edition, register, refs if refs is not None else references(document, numbering.lines)))
        tell("writing the PDF", len(document.pages), len(document.pages))
        variant = edition.pdf_variant if edition.pdf_variant != "none" else None
        pdf = document.write_pdf(pdf_variant=variant)
        lap("pdf")
        placed = _placed_footnotes(document)
        pages = len(document.pages)
        folios = _folios(document)
    del document

    errors = [r for r in log if r.levelno >= logging.ERROR]
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
    warnings = (
        volume.warnings + line_warnings + [f"weasyprint: {r.getMessage()}" for r in log]
    )

    atomic_write(Path(out), pdf)
    if html_out is not None:
        atomic_write(Path(html_out), final_html)
    lap("write")
    return BuildReport(
        pages=pages, warnings=warnings, size=len(pdf), lines=numbering.lines, timings=lap.timings,
        folios=folios,
    )


# How far a build is: (stage, pages done, pages in all or None).
Progress = Callable[[str, int, Optional[int]], None]


@contextmanager
def _pages_counted(report: Callable[[int], None]) -> Iterator[None]:
    """Call `report(n)` as WeasyPrint finishes page n of a layout for the
    first time (wraps `weasyprint.layout.page.make_page(context, root_box,
    page_type, resume_at, page_number, page_state)`, WeasyPrint 70
    internals; a page laid out again is not counted again)."""
    from weasyprint.layout import page as page_layout

    original = page_layout.make_page
    count = 0

    def make_page(context, root_box, page_type, resume_at, page_number, *args, **kwargs):
        nonlocal count
        result = original(context, root_box, page_type, resume_at, page_number, *args, **kwargs)
        if page_number > count:
            count = page_number
            report(count)
        return result

    page_layout.make_page = make_page
    try:
        yield
    finally:
        page_layout.make_page = original


def _overfull(laid: list, blocks) -> list[str]:
    """A warning for each line of text that runs past its column's edge by
    more than half a point (a word too long to break at the measure)."""
    out = []
    ids = {number: text.document for (number, _, _), text in blocks.items()}
    for line in laid:
        if line.overflow > 0.5:
            number, layer, segment = line.key
            out.append(
                f"document {ids.get(number, number)!r}, layer {layer!r}, segment {segment!r}: "
                f"a line on page {line.page} runs {line.overflow:.1f} pt into the margin "
                f"({line.text[:40]!r}…); allow a break or shorten the word"
            )
    return out


def _not_indexed(edition: Edition, register, refs: dict) -> list[str]:
    """The register's names that the printed volume never shows."""
    register = register if register is not None else edition.register
    return [
        f"names.yaml: {name.name!r} ({name.id}) is not printed in the volume under any of its forms; "
        "add the form the text uses, or remove the name"
        for name in (register.names if register else ())
        if name.id not in refs
    ]


def _anchor_pages(document) -> dict[str, int]:
    """The page (1-based) where each element id of a laid-out volume
    starts (an element that runs over pages is anchored on each of them)."""
    pages: dict[str, int] = {}
    for i, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, i)
    return pages


def _folios(document) -> list[str]:
    """The folio of each page: roman before the page where the first
    document opens (its element id is doc-1), arabic from 1 there."""
    first = next((i for i, page in enumerate(document.pages) if "doc-1" in page.anchors), None)
    if first is None:
        first = len(document.pages)
    return [_roman(i + 1) if i < first else str(i - first + 1) for i in range(len(document.pages))]


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                           (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out += letters
            n -= value
    return out
