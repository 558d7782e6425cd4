"""HTML volume → PDF through WeasyPrint: the one way a volume is built.

A volume is laid out in parts (render/assemble.py): the front matter, the
documents in chunks, the back matter, each laid out by a worker (or, in a
small volume, in this process) and joined; a tagged PDF's structure trees
are joined with its pages (render/join.py). Facing pages are planned over
each document whole (render/facing.py). Either way the build is
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

from ..errors import EditionError, Problem
from ..files import atomic_write
from ..model import Edition
from ..workers import usable_cores
from . import assemble, rebuild
from .lines import LineMap
from .printed import Laps, Printed, Progress, folio_list
from .weasy import check_internals

__all__ = ["BuildReport", "Laps", "Progress", "build_pdf", "remember", "unchanged"]


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
    documents. The parts' layouts are cached
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
