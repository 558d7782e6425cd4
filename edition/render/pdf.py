"""HTML volume → PDF through WeasyPrint.

The build reads nothing but the template folders (a fetcher that refuses every
other URL), turns WeasyPrint's logged errors into build errors, writes the
PDF atomically, and gives the same bytes for the same input (fixed
SOURCE_DATE_EPOCH). What reaches into WeasyPrint's internals is in the
WeasyPrint room (render/weasy/); WeasyPrint is imported inside the
functions, so that the command line starts fast."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..errors import EditionError, Problem
from ..model import Edition
from ..files import atomic_write
from .html import render_volume
from .index import index_references
from .lines import LineMap, number_lines, same_layout, unprinted
from .weasy import Reading, anchor_pages, building, check_internals, make_fetcher, placed_footnotes, stamp_numbers


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

    check_internals()  # here too: the workers of a build in parts check their own
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
            anchor_pages(document), _folios(document), by_line=edition.index == "lines",
        )

    def layout(html: str):
        stage = "laying out pages" if not pages_so_far else "laying out numbered pages"
        total = pages_so_far[-1] if pages_so_far else None
        tell(stage, 0, total)
        counting[0] = lambda n: tell(stage, n, total)
        document = weasyprint.HTML(
            string=html, base_url=volume.base_dir.as_uri() + "/", url_fetcher=fetcher
        ).render()
        pages_so_far.append(len(document.pages))
        return document

    counting: list[Callable[[int], None]] = [lambda n: None]  # the layout under way hears its pages
    with building(pages=lambda n: counting[0](n)) as build:
        log = build.log
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
        placed = placed_footnotes(document)
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
