"""HTML volume → PDF through WeasyPrint: the one way a volume is built.

A volume is laid out in parts (render/assemble.py): the front matter, the
documents in chunks, the back matter, each laid out by a worker and joined.
A small volume, or a tagged one (PDF/UA, PDF/A: joining parts would break
their structure tree), is one part, laid out here in one process; so is a
volume whose templates do not give their parts. Either way the build is
finished once (`_finished`): WeasyPrint's logged errors become build errors,
every footnote must be placed, the warnings are gathered, and the PDF is
written atomically. Nothing is written unless the build succeeds.

The build reads nothing but the template folders (a fetcher that refuses
every other URL) and gives the same bytes for the same input (fixed
SOURCE_DATE_EPOCH). What reaches into WeasyPrint's internals is in the
WeasyPrint room (render/weasy/); WeasyPrint is imported inside the
functions, so that the command line starts fast."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import EditionError, Problem
from ..files import atomic_write
from ..model import Edition
from ..workers import usable_cores
from . import assemble, rebuild
from .html import render_volume
from .index import index_references, not_indexed
from .lines import LineMap, number_lines, overfull, same_layout, unprinted
from .printed import Laps, Printed, Progress, folio_list, page_folios, printed_whole
from .weasy import Reading, anchor_pages, building, check_internals, make_fetcher, stamp_numbers

__all__ = ["BuildReport", "Laps", "Progress", "build_pdf", "remember", "unchanged", "usable_cores"]


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

    `progress(stage, done, total)` hears how far the build is: each page as
    it is laid out (total: the pages of the first layout, None before).

    A volume is laid out in parts and assembled (render/assemble.py): a
    large one by `jobs` worker processes (default: one per core), a small
    one in this process; `chunk_documents` asks for parts of that many
    documents. A tagged volume (PDF/UA, PDF/A), or one whose templates give
    no parts, is laid out whole (`_one_part`). The parts' layouts are cached
    in the folder `cache` when given (the command line gives the edition's
    `build/.cache/layout`).
    """
    if edition.layout == "facing":
        # Pairs of pages are planned over each document whole: one part.
        from . import facing

        lap = Laps()
        check_internals()
        return _finished(facing.build(edition, templates, lap, register=register, progress=progress), Path(out), html_out, lap)
    jobs = min(jobs or usable_cores(), usable_cores())  # more workers than cores only cost memory
    printed = None
    if assemble.wanted(edition):
        lap = Laps()
        printed = assemble.build_in_parts(
            edition,
            templates,
            lap,
            register=register,
            progress=progress,
            jobs=jobs,
            chunk_documents=chunk_documents,
            cache_dir=Path(cache) if cache is not None else None,
            html=html_out is not None,
        )
    if printed is None:  # one part; or parts that could not be assembled
        check_internals()  # a volume in parts: each worker checks its own
        lap = Laps()
        printed = _one_part(edition, templates, lap, register=register, progress=progress)
    return _finished(printed, Path(out), html_out, lap)


def unchanged(root: Path, fingerprint: str | None, out: Path, html_out: Path | None) -> BuildReport | None:
    """The report of the last build when it had this fingerprint and its
    outputs are as it wrote them: nothing to build. None: build."""
    if fingerprint is None:
        return None
    data = rebuild.recorded(rebuild.record_path(root, out), root, fingerprint, out, html_out)
    if data is None:
        return None
    try:
        return BuildReport(
            pages=int(data["pages"]),
            warnings=[str(w) for w in data["warnings"]],
            size=int(data["size"]),
            lines=rebuild.lines_from_json(data["lines"]),
            timings={},
            folios=[str(f) for f in data["folios"]],
        )
    except (KeyError, TypeError, ValueError):
        return None


def remember(root: Path, fingerprint: str | None, out: Path, html_out: Path | None, report: BuildReport) -> None:
    """Record the build that just wrote `out` (see `unchanged`)."""
    data = {
        "pages": report.pages,
        "warnings": report.warnings,
        "size": report.size,
        "lines": rebuild.lines_json(report.lines),
        "folios": report.folios,
    }
    rebuild.record_build(rebuild.record_path(root, out), root, fingerprint, out, html_out, data)


def _finished(printed: Printed, out: Path, html_out: Path | None, lap: Laps) -> BuildReport:
    """The end of every build: WeasyPrint's errors raised, the footnotes
    counted, the warnings gathered, the PDF (and the HTML) written."""
    errors = [message for level, message in printed.log if level >= logging.ERROR]
    if errors:
        raise EditionError(*(Problem(f"PDF build: {m}", hint="templates may use only files inside their template folders") for m in errors))
    if printed.placed < printed.footnotes:
        raise EditionError.at(
            f"PDF build: the layout placed {printed.placed} of {printed.footnotes} footnotes",
            hint="WeasyPrint 70 loses footnotes when a stylesheet gives @footnote an "
            "em margin or the footnotes vertical margins or padding; check "
            "templates/edition.css, or report the document if the defaults lose one",
        )
    weasy = list(dict.fromkeys(f"weasyprint: {message}" for _, message in printed.log))
    atomic_write(out, printed.pdf)
    if html_out is not None:
        atomic_write(Path(html_out), printed.html)
    lap("write")
    return BuildReport(
        pages=printed.pages,
        warnings=printed.warnings + weasy,
        size=len(printed.pdf),
        lines=printed.lines,
        timings=lap.timings,
        folios=folio_list(printed.front_pages, printed.pages),
    )


def _one_part(edition: Edition, templates: list[Path], lap: Laps, *, register, progress: Progress | None) -> Printed:
    """The volume laid out whole, in this process: one part.

    The layout tells where each line fell (the line map); line numbers are
    printed beside them in the finished layout (render/lines.py). An
    apparatus at the foot of the page keyed to those lines, or an index,
    asks for a second layout with the numbers and references filled in,
    which must place every line where the first did (checked; if it did
    not, it is keyed again from the second layout)."""
    tell = progress or (lambda stage, done, total: None)
    pages_so_far: list[int] = []  # pages of the last layout: the next one's total

    volume = render_volume(edition, templates, register=register)
    lap("html")
    try:
        import weasyprint
    except ImportError as exc:  # pragma: no cover - an installation problem
        raise EditionError.at(f"cannot build the PDF: {exc}", hint="install edition with its dependencies") from None

    fetcher = make_fetcher(templates)
    per_page = edition.line_numbers == "page"
    line_warnings: list[str] = []

    def references(document, lines):
        return index_references(
            edition,
            register if register is not None else edition.register,
            lines,
            anchor_pages(document),
            page_folios(document),
            by_line=edition.index == "lines",
        )

    def layout(html: str):
        stage = "laying out pages" if not pages_so_far else "laying out numbered pages"
        total = pages_so_far[-1] if pages_so_far else None
        tell(stage, 0, total)
        counting[0] = lambda n: tell(stage, n, total)
        document = weasyprint.HTML(string=html, base_url=volume.base_dir.as_uri() + "/", url_fetcher=fetcher).render()
        pages_so_far.append(len(document.pages))
        return document

    counting: list[Callable[[int], None]] = [lambda n: None]  # the layout under way hears its pages
    with building(pages=lambda n: counting[0](n)) as build:
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
            folios = page_folios(document)
            del document  # one laid-out volume in memory at a time
            for _ in range(2):
                keyed = render_volume(
                    edition,
                    templates,
                    register=register,
                    apparatus_lines=numbering.lines,
                    index_refs=refs,
                    folios=folios,
                )
                document = layout(keyed.html)
                lap("layout (numbered)")
                reading = Reading(document)
                laid_again = reading.laid
                lap("lines")
                # With line numbers restarting on every page, references
                # carry the folio: a later document moved by a whole page
                # moves its references too.
                moved = not same_layout(laid, laid_again) or (per_page and [x.page for x in laid] != [x.page for x in laid_again])
                laid = laid_again
                numbering = number_lines(laid, volume.blocks, per_page)
                final_html = keyed.html
                if not moved:
                    break
                refs = references(document, numbering.lines)
                folios = page_folios(document)
            else:
                line_warnings.append(
                    "the apparatus and the index may cite a line or page off by one: keying them to the lines moved the lines twice"
                )
        if volume.line_numbers:
            line_warnings.extend(unprinted(stamp_numbers(reading, per_page), numbering))
        if volume.line_numbers and volume.blocks and not laid:
            line_warnings.append(
                "line numbers left out: the templates mark no text block "
                "(data-doc on the document, data-layer and data-segment on each block)"
            )
        line_warnings.extend(numbering.warnings)
        line_warnings.extend(overfull(laid, volume.blocks))
        if volume.back_references and edition.index != "none":
            line_warnings.extend(
                not_indexed(
                    edition,
                    register if register is not None else edition.register,
                    refs if refs is not None else references(document, numbering.lines),
                )
            )
        tell("writing the PDF", len(document.pages), len(document.pages))
        printed = printed_whole(
            document, edition.pdf_variant, numbering.lines, volume.footnotes, build.log, volume.warnings + line_warnings, final_html
        )
        lap("pdf")
    del document
    return printed
