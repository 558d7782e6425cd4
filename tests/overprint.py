"""The overprint check for our PDFs: every glyph's box read back with
pdfplumber; text that overprints other text, or leaves the page, is a
fault whatever the layout. Two glyphs overprint when their boxes overlap by
more than a quarter of the smaller one's height and width and they stand on
different lines (or on one line, not drawn one after the other, over half
a glyph's width: a line number stamped into the text, a column run into its
neighbour). Neighbouring glyphs may be kerned into each other, and a
combining mark sits on its letter: neither counts."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .printed import Char as Glyph
from .printed import chars, plumbed


@dataclass(frozen=True)
class Fault:
    what: str  # "overprint" or "off the page"
    glyphs: tuple[Glyph, ...]
    context: str = ""

    def __str__(self) -> str:
        return f"{self.what}: {' / '.join(map(str, self.glyphs))} {self.context}".rstrip()


def glyphs(pdf: Path) -> tuple[list[list[Glyph]], list[tuple[float, float]]]:
    """The visible glyphs of every page, and each page's size."""
    pages, sizes = [], []
    with plumbed(pdf) as doc:
        for page in doc.pages:
            sizes.append((float(page.width), float(page.height)))
            found = []
            for glyph in chars(page):
                text = glyph.text
                if text.isspace() or not text or all(unicodedata.category(c)[0] == "M" for c in text):
                    continue
                found.append(glyph)
            pages.append(found)
    return pages, sizes


def faults(pdf: Path, limit: int = 20) -> list[Fault]:
    """Overprinted glyphs and glyphs off the page, at most `limit` of them."""
    pages, sizes = glyphs(pdf)
    out: list[Fault] = []
    for found, (width, height) in zip(pages, sizes):
        for g in found:
            if g.x0 < -0.5 or g.top < -0.5 or g.x1 > width + 0.5 or g.bottom > height + 0.5:
                out.append(Fault("off the page", (g,)))
        out.extend(_overprints(found))
        if len(out) >= limit:
            break
    return out[:limit]


# The side of the squares (in points) the page is cut into to find the
# glyphs that may overlap: only glyphs that share a square are compared.
CELL = 12.0


def _overprints(found: list[Glyph]) -> list[Fault]:
    """Pairs of glyphs that overprint: each glyph, taken top down, against
    the glyphs above it whose boxes reach down past its top and share a
    square of the page with it (in the order they were taken)."""
    out = []
    ordered = sorted(found, key=lambda g: g.top)
    cells: dict[tuple[int, int], list[int]] = {}
    for n, g in enumerate(ordered):
        seen: set[int] = set()
        squares = list(_cells(g))
        for cell in squares:
            seen.update(cells.get(cell, ()))
        for m in sorted(seen):
            a = ordered[m]
            if a.bottom > g.top and _overprint(a, g):
                out.append(Fault("overprint", (a, g), _context(found, a, g)))
        for cell in squares:
            cells.setdefault(cell, []).append(n)
    return out


def _cells(g: Glyph):
    """The squares of the page a glyph's box touches."""
    for i in range(int(g.x0 // CELL), int(g.x1 // CELL) + 1):
        for j in range(int(g.top // CELL), int(g.bottom // CELL) + 1):
            yield i, j


def _overprint(a: Glyph, b: Glyph) -> bool:
    dx = min(a.x1, b.x1) - max(a.x0, b.x0)
    dy = min(a.bottom, b.bottom) - max(a.top, b.top)
    if dx <= 0 or dy <= 0:
        return False
    narrower = min(a.x1 - a.x0, b.x1 - b.x0) or 0.01
    lower = min(a.bottom - a.top, b.bottom - b.top) or 0.01
    same_line = abs(a.bottom - b.bottom) < 0.2 * lower
    if same_line:  # neighbours in one run may be kerned into each other ('."')
        return abs(a.order - b.order) > 1 and dx > 0.5 * narrower
    return dx > 0.25 * narrower and dy > 0.25 * lower


def _context(found: list[Glyph], *hits: Glyph) -> str:
    """The words of the lines the glyphs stand on, to say what overprints what."""
    lines = []
    for hit in hits:
        line = sorted((g for g in found if abs(g.bottom - hit.bottom) < 0.5), key=lambda g: g.x0)
        lines.append("".join(g.text for g in line)[:50])
    return "[" + " | ".join(lines) + "]"
