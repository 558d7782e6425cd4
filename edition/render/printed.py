"""What a layout of the volume hands the finishing of a build
(render/pdf.py): the PDF's bytes and what the build reports about them.
A volume is laid out as one part in this process, or in parts by workers
(render/assemble.py); either way it is finished once."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Optional

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
