"""The slow reference the parts are checked against: the volume laid out
whole, in one WeasyPrint layout (and a second one that keys the apparatus
and the index to the lines), as edition built every volume before it was
built in parts. Only the tests use it."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from edition.errors import EditionError
from edition.model import Edition
from edition.render.html import render_volume
from edition.render.index import index_references, not_indexed
from edition.render.lines import number_lines, overfull, same_layout, unmarked, unprinted
from edition.render.pdf import BuildReport, _finished
from edition.render.printed import Laps, Printed, Progress, page_folios, printed_whole
from edition.render.weasy import Reading, anchor_pages, building, check_internals, make_fetcher, stamp_numbers


def build_whole(edition: Edition, out: Path, templates: list[Path], *, html_out: Path | None = None, register=None) -> BuildReport:
    """The volume laid out whole and written to `out`, finished as every
    build is (render/pdf.py)."""
    check_internals()
    lap = Laps()
    return _finished(_one_part(edition, templates, lap, register=register, progress=None), Path(out), html_out, lap)


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
            line_warnings.extend(unmarked(laid, volume.blocks))
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
