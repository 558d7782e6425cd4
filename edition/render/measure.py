"""The measure of the parallel columns: how many characters a line of each
holds on a page format, and which column counts are too narrow to justify.

A justified line stretches its word spaces to fill the measure; the fewer
characters a line holds, the wider the spaces swing. Bringhurst (The
Elements of Typographic Style, 2.1.2) gives 40 characters as a working
minimum for justified English, and finds even ragged-right setting
starved below 30. Measured on our default page (the UDHR in Russian,
English and German, justified, WeasyPrint hyphenating with pyphen): two
columns hold 35–43 characters a line of English on A4, A5 and 6×9 in, and
22–33% of their lines have a word space stretched to twice its width
(7–12% to three times); three columns hold 18–27 characters, and 45–57% of
their lines have doubled spaces (20–33% tripled); four on A5, 13
characters, 59% (41%). Below JUSTIFY_FROM characters a line the columns
are set ragged right, and the build says so."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from ..settings import PAGE_FORMATS, PageFormat

JUSTIFY_FROM = 30  # characters a line, spaces included: fewer are set ragged right

# The average width of a character of running text, spaces included, in
# ems of the text size: measured on Linux Libertine, the default face
# (English, two columns on A5: 37 characters in 151 pt at 9.5 pt).
CHARACTER_EM = 0.43

# The gutters of n columns together, in ems (templates/edition.css: the
# padding of the cells; a middle column's is wider, for its line numbers).
GUTTERS_EM = {1: 0.0, 2: 1.6, 3: 3.7, 4: 5.6}

_POINTS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0, "pc": 12.0, "px": 0.75}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(pt|mm|cm|in|pc|px)\s*$")


def points(length: str) -> float:
    """A CSS length of our page formats ("148mm", "6in", "9.5pt") in points."""
    found = _LENGTH.match(length)
    if found is None:
        raise ValueError(f"not a length: {length!r}")
    return float(found.group(1)) * _POINTS[found.group(2)]


def characters_per_line(page: PageFormat, columns: int) -> float:
    """About how many characters a line of one of `columns` parallel
    columns holds on `page` in the default face and size."""
    width = points(page.size.split()[0]) - points(page.inner) - points(page.outer)
    size = points(page.font_size)
    column = (width - GUTTERS_EM.get(columns, 1.9 * (columns - 1)) * size) / max(columns, 1)
    return column / (CHARACTER_EM * size)


@dataclass(frozen=True)
class Measure:
    """The column counts of a volume set ragged right, and what the build
    report says about them."""

    ragged: tuple[int, ...]
    warnings: tuple[str, ...]


def measure(page: PageFormat, column_counts: Iterable[int]) -> Measure:
    """Which of the column counts the volume prints (one per parallel
    document) are too narrow on `page` to justify, with a warning for each
    that suggests a larger page or fewer columns."""
    counts = sorted({n for n in column_counts if n > 1})
    ragged, warnings = [], []
    for n in counts:
        chars = characters_per_line(page, n)
        if chars >= JUSTIFY_FROM:
            continue
        ragged.append(n)
        warnings.append(
            f"{n} columns on {page.name} hold about {round(chars)} characters a line, too few to justify "
            f"(justified lines need about {JUSTIFY_FROM}): they are set ragged right; {_remedy(page, n)}"
        )
    return Measure(tuple(ragged), tuple(warnings))


def _remedy(page: PageFormat, columns: int) -> str:
    """A page format, or a number of columns, that gives lines long enough
    to justify."""
    own = points(page.size.split()[0])
    for other in sorted(PAGE_FORMATS.values(), key=lambda p: points(p.size.split()[0])):
        chars = characters_per_line(other, columns)
        if points(other.size.split()[0]) > own and chars >= JUSTIFY_FROM:
            return f"a larger page (page_size: {other.name}) would hold about {round(chars)}"
    for fewer in range(columns - 1, 1, -1):
        chars = characters_per_line(page, fewer)
        if chars >= JUSTIFY_FROM:
            return f"no page size justifies {columns} columns; {fewer} columns on {page.name} would hold about {round(chars)}"
    return f"no page size justifies {columns} columns"
