"""Reading a built PDF back for the render tests: the pieces of text on each
page with their positions, as pypdf's text visitor gives them (one piece per
run of text WeasyPrint drew: a line of a paragraph, or the part of it before
or after a footnote call or a change of font); and, through pdfplumber's
reading of each volume (kept for the same bytes), every glyph with its box
and each page's text."""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, NamedTuple


@dataclass(frozen=True)
class Chunk:
    page: int  # 1-based
    x: float  # points from the left edge of the trim box
    y: float  # baseline, points from the top of the trim box
    size: float  # font size in points
    text: str  # NFC, spaces collapsed

    @property
    def words(self) -> list[str]:
        return self.text.split()


def chunks(reader) -> list[Chunk]:
    """Every piece of text of the PDF, in the order it was drawn."""
    out: list[Chunk] = []
    for number, page in enumerate(reader.pages, start=1):
        box = page.trimbox
        top, left = float(box.top), float(box.left)

        def visit(text, cm, tm, font, size, number=number, top=top, left=left):
            text = " ".join(unicodedata.normalize("NFC", text).split())
            if not text:
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            scale = abs(cm[3] * tm[3]) or 1
            out.append(Chunk(number, x - left, top - y, size * scale, text))

        page.extract_text(visitor_text=visit)
    return out


def on_page(all_chunks: list[Chunk], page: int) -> list[Chunk]:
    return [c for c in all_chunks if c.page == page]


def squeeze(text: str) -> str:
    """Letters and digits only: compares text across line breaks, hyphens
    and spacing."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFC", text)).casefold()


def unhyphen(text: str) -> str:
    """A printed line without the hyphen WeasyPrint adds where it breaks a
    word (U+2010)."""
    return text[:-1] if text.endswith("\u2010") else text


class _Kept:
    """Readings of built PDFs kept for the same bytes (the sha-256 of the
    file), the last `size` of them: the tests of a module read one volume
    in many ways, and a reference volume is compared with several builds.
    `close` is called on a reading that falls out."""

    def __init__(self, size: int, close: Callable[[Any], None] | None = None) -> None:
        self._readings: OrderedDict[str, Any] = OrderedDict()
        self._size, self._close = size, close

    def get(self, pdf: Path, read: Callable[[bytes], Any]) -> Any:
        data = Path(pdf).read_bytes()
        key = hashlib.sha256(data).hexdigest()
        reading = self._readings.pop(key) if key in self._readings else read(data)
        self._readings[key] = reading
        while len(self._readings) > self._size:
            gone = self._readings.popitem(last=False)[1]
            if self._close is not None:
                self._close(gone)
        return reading


_PLUMBED = _Kept(4, close=lambda reading: reading.close())


@contextmanager
def plumbed(pdf: Path) -> Iterator[Any]:
    """pdfplumber's reading of a built PDF, parsed once for the same bytes:
    pdfminer's parse of each page is most of what reading costs. The
    reading is shared, so a test must not change the objects it is given."""
    import pdfplumber

    yield _PLUMBED.get(pdf, lambda data: pdfplumber.open(io.BytesIO(data)))


class Char(NamedTuple):
    """A glyph as pdfplumber's `page.chars` gives it, with the fields the
    tests read, and where it stands: its page (1-based) and its place in
    the page's drawing order."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    mcid: int | None
    upright: bool
    height: float
    page: int
    order: int

    def __str__(self) -> str:
        return f"p{self.page} {self.text!r} at ({self.x0:.1f}, {self.top:.1f})"


class Rect(NamedTuple):
    """A filled or stroked rectangle as pdfplumber's `page.rects` gives it."""

    x0: float
    x1: float
    top: float
    width: float
    height: float


_LAID: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # page → its glyphs and rectangles


def _laid(page) -> tuple[list[Char], list[Rect]]:
    """The glyphs and the rectangles of a pdfplumber page, in drawing order,
    read once from the pdfminer layout of the page that pdfplumber keeps
    (`page.layout`), with pdfplumber's values: pdfplumber's dict of every
    attribute of every object is 40 % of reading a page, and the tests need
    a few of them. Shared, not to be changed; tests/test_render.py checks
    both give the same."""
    from pdfminer.layout import LTChar, LTContainer, LTRect

    if page in _LAID:
        return _LAID[page]
    height, number = page.height, page.page_number
    left, top = page.mediabox[:2]
    glyphs: list[Char] = []
    boxes: list[Rect] = []

    def walk(objects) -> None:
        for obj in objects:
            if isinstance(obj, LTChar):
                x0, x1 = (obj.x0 + left, obj.x1 + left) if left != 0 else (obj.x0, obj.x1)
                glyphs.append(
                    Char(
                        obj.get_text(),
                        x0,
                        x1,
                        (height - obj.y1) + top,
                        (height - obj.y0) + top,
                        obj.size,
                        getattr(obj, "mcid", None),
                        obj.upright,
                        obj.height,
                        number,
                        len(glyphs),
                    )
                )
            elif isinstance(obj, LTRect):
                boxes.append(Rect(obj.x0 + left, obj.x1 + left, (height - obj.y1) + top, obj.width, obj.height))
            elif isinstance(obj, LTContainer):
                walk(obj)

    walk(page.layout)
    _LAID[page] = glyphs, boxes
    return glyphs, boxes


def chars(page) -> list[Char]:
    """`page.chars` of a pdfplumber page (see `_laid`): read once for a page,
    the overprint check and the page's text share it."""
    return _laid(page)[0]


def rects(page) -> list[Rect]:
    """`page.rects` of a pdfplumber page (see `_laid`)."""
    return _laid(page)[1]


def page_text(page, bbox: tuple[float, float, float, float] | None = None, where: Callable[[Char], bool] | None = None) -> str:
    """`page.extract_text()`, or `page.within_bbox(bbox).extract_text()`:
    pdfplumber's text of the glyphs `chars` reads (the same text, without
    the dict of every object of the page that `extract_text` would make),
    of those `where` keeps if it is given. tests/test_render.py checks both
    give the same."""
    from pdfplumber.utils import chars_to_textmap

    glyphs = chars(page)
    box = bbox or page.bbox
    if bbox is not None:
        glyphs = [c for c in glyphs if c.x0 >= box[0] and c.top >= box[1] and c.x1 <= box[2] and c.bottom <= box[3]]
    if where is not None:
        glyphs = [c for c in glyphs if where(c)]
    doctop = page.initial_doctop
    read = [{**c._asdict(), "doctop": doctop + c.top} for c in glyphs]
    return chars_to_textmap(read, layout_bbox=box, layout_width=box[2] - box[0], layout_height=box[3] - box[1]).as_string


def lone_fragments(pdf: Path) -> list[str]:
    """The lines of the PDF at `pdf` that hold nothing but the first part of
    a hyphenated word, as `page 6: 'Kalin‐'`: in justified text a fault (a
    line set wider than it was measured pushes its last word onto a line of
    its own). Lines are pdfplumber's, across the page: beside another
    column's line such a line is not seen."""
    found = []
    with plumbed(pdf) as doc:
        for number, page in enumerate(doc.pages, start=1):
            for line in page_text(page).splitlines():
                words = line.split()
                if len(words) == 1 and len(words[0]) > 2 and words[0].endswith(("\u2010", "-")):
                    found.append(f"page {number}: {words[0]!r}")
    return found


_DRAWN = _Kept(4)


def drawn(pdf: Path) -> tuple[Chunk, ...]:
    """`chunks` of the PDF at `pdf`, read once for the same bytes."""
    import pypdf

    return _DRAWN.get(pdf, lambda data: tuple(chunks(pypdf.PdfReader(io.BytesIO(data)))))
