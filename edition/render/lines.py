"""Line numbers: where each line of the text fell on the laid-out pages.

CSS cannot number lines, so the PDF build works in two passes. The first
lays the volume out; `read_lines` then walks WeasyPrint's page boxes and
collects the line boxes of every text block (the elements marked with
data-segment and data-layer by text.html.j2), with their page and printed
text. `number_lines` matches each line's text against the block's text to
find where the line starts (counting words would misplace numbers: a line
may begin with the tail of a hyphenated word, end in a suspended hyphen, or
carry footnote calls), counts the lines of each column (restarting per
document or per page) and puts a mark at the end of the first word of every
fifth line. The second render prints those marks as absolutely positioned
numbers in the margin; it must lay the text out exactly as the first did,
which `same_layout` checks.

This reads WeasyPrint's internal layout tree (`Page._page_box`, the box
classes of `weasyprint.formatting_structure.boxes`, `AbsolutePlaceholder`):
pyproject.toml pins WeasyPrint to 70.x, and tests/test_line_numbers.py
fails with the version's name when those internals change."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from ..errors import EditionError
from .html import BlockKey, BlockText

LINE_INTERVAL = 5  # a number every fifth line
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels

# Characters that print nothing: soft hyphens, the zero-width space that
# WeasyPrint puts in list items.
_INVISIBLE = "\u00ad\u200b"
# What WeasyPrint prints at the end of a line hyphenated inside a word
# (hyphenate-character, U+2010 by default).
_BREAK_HYPHENS = "\u2010-"


@dataclass(frozen=True)
class LaidLine:
    """One line of a text block as the layout placed it."""

    page: int  # 1-based page of the PDF
    key: BlockKey  # (document number, layer id, segment id)
    column: int  # 0 in the single-column layout
    text: str  # as printed: without footnote calls, with a break's hyphen
    y: float  # its baseline, in points from the top of the page
    # how far (in points) its text runs past the column's edge: an overfull
    # line, one that could not be broken to fit the measure
    overflow: float = field(default=0.0, compare=False)


@dataclass(frozen=True)
class PrintedLine:
    """A line of a segment in the PDF. `page` is the page of the PDF
    (1-based; BuildReport.folios[page - 1] is the folio printed on it);
    `number` the line's number in its column, counted from 1 in
    every document (or on every page, `line_numbers: page`), printed in the
    margin when it is a multiple of five; `start` and `end` are offsets in
    the segment's stored text (the layer's text in the document file) of the
    first character of the line and just after its last, so that a phrase at
    offset o stands on the line whose start <= o < end."""

    page: int
    number: int
    text: str
    start: int
    end: int


# (document id, layer id, segment id) → the segment's lines, in order.
LineMap = dict[tuple[str, str, str], list[PrintedLine]]


def line_at(lines: LineMap, document: str, layer: str, segment: str, offset: int) -> PrintedLine | None:
    """The printed line on which the character at `offset` of a segment's
    stored text stands (what an apparatus entry is keyed to), or None when
    the segment is not printed in that layer."""
    found = None
    for line in lines.get((document, layer, segment), ()):
        if line.start > offset:
            break
        found = line
    return found


@dataclass(frozen=True)
class Numbering:
    lines: LineMap
    marks: dict[BlockKey, list[tuple[int, int]]]  # for render_volume
    warnings: list[str]


def internals_problem(exc: BaseException) -> EditionError:
    import weasyprint

    return EditionError.at(
        f"line numbering cannot read the layout of WeasyPrint {weasyprint.__version__}: "
        f"{type(exc).__name__}: {exc}",
        hint="line numbers read WeasyPrint 70's layout tree; install weasyprint>=70,<71 "
        "or set `line_numbers: none` in edition.yaml",
    )


def read_lines(document) -> list[LaidLine]:
    """Every line of every text block on the laid-out pages, in reading
    order (page by page; in a parallel row, left column first)."""
    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder

        out: list[LaidLine] = []
        for number, page in enumerate(document.pages, start=1):
            for area in page._page_box.children:
                if isinstance(area, (boxes.MarginBox, boxes.FootnoteAreaBox)):
                    continue  # running heads, folios, footnotes
                _walk(area, number, None, 0, None, out, boxes, AbsolutePlaceholder)
        return out
    except (AttributeError, ImportError, TypeError) as exc:
        raise internals_problem(exc) from None


def _walk(box, page, doc, column, block, out, boxes, placeholder) -> None:
    for child in box.children:
        if isinstance(child, boxes.LineBox):
            if doc is not None and block is not None:
                y = (child.position_y + child.baseline) * PX_TO_PT
                # the line box stretches to its content: measure against the block
                text, right = _line_text(child, boxes, placeholder)
                overflow = max(0.0, right - (box.content_box_x() + box.width)) * PX_TO_PT
                out.append(LaidLine(page, (doc, *block), column, text, y, overflow))
            continue
        if isinstance(child, placeholder) or not isinstance(child, boxes.ParentBox):
            continue
        element = child.element
        d, c, b = doc, column, block
        if element is not None and not (child.element_tag or "").count("::"):
            get = element.get
            if get("data-doc"):
                d = int(get("data-doc"))
            if get("data-column"):
                c = int(get("data-column"))
            if get("data-layer") and get("data-segment"):
                b = (get("data-layer"), get("data-segment"))
        _walk(child, page, d, c, b, out, boxes, placeholder)


def _line_text(line, boxes, placeholder) -> tuple[str, float]:
    """The text a line prints, and the right edge of its text (px)."""
    parts: list[str] = []
    right = 0.0

    def collect(box):
        for child in box.children:
            if isinstance(child, placeholder):
                continue  # list markers, line numbers of the second pass
            tag = child.element_tag or ""
            if tag.endswith("::footnote-call") or tag.endswith("::marker"):
                continue
            if isinstance(child, boxes.TextBox):
                nonlocal right
                parts.append(child.text)
                right = max(right, child.position_x + child.width)
            elif isinstance(child, boxes.ParentBox):
                collect(child)

    collect(line)
    text = "".join(parts)
    for ch in _INVISIBLE:
        text = text.replace(ch, "")
    return text.strip(), right


def same_layout(a: Iterable[LaidLine], b: Iterable[LaidLine]) -> bool:
    """Whether two renders put the same lines on the same pages of their
    documents (the second pass must not move a line). Pages count from each
    document's first page: what the second pass adds after a document's
    text (its apparatus with line numbers) may move the later documents by
    a page, which changes neither their lines nor their numbers."""
    return _relative(a) == _relative(b)


def _relative(lines: Iterable[LaidLine]) -> list[tuple]:
    lines = list(lines)
    first: dict[int, int] = {}
    for line in lines:
        first.setdefault(line.key[0], line.page)
    return [(x.page - first[x.key[0]], x.key, x.text) for x in lines]


def number_lines(
    laid: list[LaidLine], blocks: dict[BlockKey, BlockText], per_page: bool = False
) -> Numbering:
    """Number the laid-out lines: the line map, and the marks that put a
    number on every fifth line of each column."""
    warnings: list[str] = []
    by_block: dict[BlockKey, list[int]] = defaultdict(list)
    for i, line in enumerate(laid):
        by_block[line.key].append(i)

    spans: dict[int, tuple[int, int] | None] = {}
    for key, indices in by_block.items():
        block = blocks.get(key)
        found = None
        if block is not None:
            try:
                found = match_lines(block.text, [laid[i].text for i in indices])
            except LineMismatch as exc:
                doc, layer, segment = key
                warnings.append(
                    f"document {block.document!r}, layer {layer!r}, segment {segment!r}: "
                    f"line numbers left out (the printed line {exc.line!r} does not match the text)"
                )
        for j, i in enumerate(indices):
            spans[i] = found[j] if found else None

    to_source = {key: _display_to_source(b.text, b.source) for key, b in blocks.items()}
    counts: dict[tuple, int] = defaultdict(int)
    lines: LineMap = defaultdict(list)
    marks: dict[BlockKey, list[tuple[int, int]]] = defaultdict(list)
    for i, line in enumerate(laid):
        doc_number, layer, segment = line.key
        counter = (doc_number, line.column, line.page) if per_page else (doc_number, line.column)
        counts[counter] += 1
        number = counts[counter]
        block = blocks.get(line.key)
        span = spans.get(i)
        if block is None or span is None:
            continue
        start, end = span
        mapping = to_source[line.key]
        lines[(block.document, layer, segment)].append(
            PrintedLine(line.page, number, line.text, mapping[start], mapping[end])
        )
        if number % LINE_INTERVAL == 0:
            at = _word_end(block.text, start, end)
            if at is None:
                warnings.append(
                    f"document {block.document!r}, layer {layer!r}, segment {segment!r}: "
                    f"line {number} is one piece of a hyphenated word; its number is left out"
                )
            else:
                marks[line.key].append((at, number))
    return Numbering(dict(lines), dict(marks), warnings)


class LineMismatch(Exception):
    def __init__(self, line: str):
        super().__init__(line)
        self.line = line


def _skippable(ch: str) -> bool:
    return ch.isspace() or ch in _INVISIBLE


def match_lines(text: str, lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) offsets in `text` of each printed line, in order. Spaces
    and invisible characters are ignored on both sides; a hyphen at the end
    of a line that the text does not have there is the mark of a word broken
    at the line end (a suspended or real hyphen is in the text, and is
    matched as such). Footnote calls are not in the printed lines."""
    spans = []
    pos, n = 0, len(text)
    for line in lines:
        chars = [ch for ch in line if not _skippable(ch)]
        while pos < n and _skippable(text[pos]):
            pos += 1
        start = pos
        for i, ch in enumerate(chars):
            while pos < n and _skippable(text[pos]):
                pos += 1
            if pos < n and text[pos] == ch:
                pos += 1
            elif i == len(chars) - 1 and ch in _BREAK_HYPHENS:
                pass  # the hyphen of a word broken here
            else:
                raise LineMismatch(line)
        spans.append((start, pos))
    return spans


def _word_end(text: str, start: int, end: int) -> int | None:
    """Where a line's first word ends, if it ends on this line: a mark
    there cannot move to another line (it is not at a break opportunity)
    and does not split a word (which would change its hyphenation)."""
    at = start
    while at < len(text) and not text[at].isspace():
        at += 1
    return at if at <= end else None


def _display_to_source(display: str, source: str) -> list[int]:
    """For each offset in the printed text of a block (and its end), the
    offset in the stored text: the stored text also has the `*` of
    emphasis, the printed one soft hyphens at a word's hyphenation points
    before a footnote call."""
    out = []
    j = 0
    for ch in display:
        while j < len(source) and source[j] != ch and source[j] == "*":
            j += 1
        out.append(j)
        if j < len(source) and source[j] == ch:
            j += 1
    out.append(len(source) if j >= len(source.rstrip("*")) else j)
    return out
