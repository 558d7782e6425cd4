"""What a layout of the volume hands the finishing of a build
(render/pdf.py): the PDF's bytes and what the build reports about them.
A volume is laid out in parts (render/assemble.py), or in facing pages
(render/facing.py); either way it is finished once."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..numerals import roman
from .lines import LineMap

# How far a build is: (stage, pages done, pages in all or None).
Progress = Callable[[str, int, Optional[int]], None]


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


@dataclass
class Printed:
    """A laid-out volume, before anything is written: its PDF, the pages
    before the first document's (their folios are roman), the line map,
    the footnotes the text calls and those the pages hold, WeasyPrint's
    log (level, message) and our warnings, and the HTML for `--html`."""

    pdf: bytes
    pages: int
    front_pages: int
    lines: LineMap
    footnotes: int
    placed: int
    log: list[tuple[int, str]]
    warnings: list[str] = field(default_factory=list)
    html: str = ""


def printed_whole(document, pdf_variant: str, lines: LineMap, footnotes: int, log, warnings: list[str], html: str) -> Printed:
    """A volume laid out whole in this process, printed: its PDF (in
    `pdf_variant`, or plain for "none") and what the build reports of it;
    `log` holds WeasyPrint's records."""
    from .weasy import placed_footnotes

    pdf = document.write_pdf(pdf_variant=pdf_variant if pdf_variant != "none" else None)
    return Printed(
        pdf,
        len(document.pages),
        front_pages(document),
        lines,
        footnotes,
        placed_footnotes(document),
        [(r.levelno, r.getMessage()) for r in log],
        warnings,
        html,
    )


def front_pages(document) -> int:
    """The pages of a laid-out volume before the one where the first
    document opens (its element id is doc-1): all of them when no document
    opens."""
    first = next((i for i, page in enumerate(document.pages) if "doc-1" in page.anchors), None)
    return len(document.pages) if first is None else first


def page_folios(document) -> list[str]:
    """The folio of each page of a laid-out volume (see `folio_list`)."""
    return folio_list(front_pages(document), len(document.pages))


def folio_list(front: int, pages: int) -> list[str]:
    """The folio of each page: roman on the front matter's pages, arabic
    from 1 where the first document opens."""
    return [roman(i + 1) if i < front else str(i - front + 1) for i in range(pages)]
