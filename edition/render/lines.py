"""Line numbers: where each line of the text fell on the laid-out pages.

CSS cannot number lines. After the layout, `read_lines` (render/weasy/tree.py) walks WeasyPrint's
page boxes and collects the line boxes of every text block (the elements
marked with data-segment and data-layer by text.html.j2), with their page
and printed text. `number_lines` matches each line's text against the
block's text to find where the line starts (counting words would misplace
them: a line may begin with the tail of a hyphenated word, end in a
suspended hyphen, or carry footnote calls) and counts the lines of each
column (restarting per document or per page): the line map, which keys the
apparatus and the index to lines. `stamp_numbers` (render/weasy/tree.py) prints every fifth
number in the margin of the finished layout, copying the figure each
column carries for the purpose (`.ln-stock`): the text is never laid out
again for its numbers, so they cannot move a line.

The walk over WeasyPrint's layout tree and the stamping are in the
WeasyPrint room (render/weasy/tree.py); this module only counts and
matches lines, and imports no WeasyPrint."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping


# (document number, layer id, segment id): one printed block.
BlockKey = tuple[int, str, str]


@dataclass(frozen=True)
class BlockText:
    """What the line-number pass needs to know of one printed block: its
    document, column, the text its pieces print and the stored text."""

    document: str  # the document's id
    column: int  # 0 in the single-column layout
    text: str  # piece_text of the block
    source: str  # the stored text, the one line offsets are given in


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


def line_at(
    lines: Mapping[tuple[str, str, str], list[PrintedLine]], document: str, layer: str, segment: str, offset: int
) -> PrintedLine | None:
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
    warnings: list[str]


def unprinted(printed: int, numbering: Numbering) -> list[str]:
    """A warning when the volume asks for line numbers but none could be
    printed: the templates give no column a stock figure."""
    if printed or not any(x.number >= LINE_INTERVAL for ls in numbering.lines.values() for x in ls):
        return []
    return [
        "line numbers left out: the templates give the text no stock figure "
        '(<div class="ln ln-stock"><span class="ln-n">0</span></div> first in each column, '
        "see the default text.html.j2)"
    ]


def counted(laid: list[LaidLine], per_page: bool = False) -> list[int]:
    """Each laid line's number in its column: counted from 1 in every
    document, or on every page with `per_page`."""
    counts: dict[tuple, int] = defaultdict(int)
    out = []
    for line in laid:
        counter = (line.key[0], line.column, line.page) if per_page else (line.key[0], line.column)
        counts[counter] += 1
        out.append(counts[counter])
    return out


def same_layout(a: Iterable[LaidLine], b: Iterable[LaidLine]) -> bool:
    """Whether two renders put the same lines on the same pages of their
    documents (keying the apparatus and the index to the lines must not move
    one). Pages count from each document's first page: what a second render
    adds after a document's text (its apparatus with line numbers) may move
    the later documents by a page, which changes neither their lines nor
    their numbers."""
    return _relative(a) == _relative(b)


def _relative(lines: Iterable[LaidLine]) -> list[tuple]:
    lines = list(lines)
    first: dict[int, int] = {}
    for line in lines:
        first.setdefault(line.key[0], line.page)
    return [(x.page - first[x.key[0]], x.key, x.text) for x in lines]


def number_lines(laid: list[LaidLine], blocks: dict[BlockKey, BlockText], per_page: bool = False) -> Numbering:
    """Number the laid-out lines: the line map (where each line of each
    segment stands, and its number), as `stamp_numbers` prints them."""
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
                    f"its lines are left out of the line map (the printed line {exc.line!r} "
                    "does not match the text)"
                )
        for j, i in enumerate(indices):
            spans[i] = found[j] if found else None

    to_source = {key: _display_to_source(blocks[key].text, blocks[key].source) for key in by_block if key in blocks}
    lines: LineMap = defaultdict(list)
    for i, (line, number) in enumerate(zip(laid, counted(laid, per_page))):
        _, layer, segment = line.key
        block = blocks.get(line.key)
        span = spans.get(i)
        if block is None or span is None:
            continue
        start, end = span
        mapping = to_source[line.key]
        lines[(block.document, layer, segment)].append(PrintedLine(line.page, number, line.text, mapping[start], mapping[end]))
    return Numbering(dict(lines), warnings)


class LineMismatch(Exception):
    def __init__(self, line: str):
        super().__init__(line)
        self.line = line


def _skippable(ch: str) -> bool:
    return ch.isspace() or ch in _INVISIBLE


_SKIPPABLE = re.compile(r"[\s\u00ad\u200b]+")


def match_lines(text: str, lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) offsets in `text` of each printed line, in order. Spaces
    and invisible characters are ignored on both sides; a hyphen at the end
    of a line that the text does not have there is the mark of a word broken
    at the line end (a suspended or real hyphen is in the text, and is
    matched as such). Footnote calls are not in the printed lines."""
    # The characters that print, and where each stands in `text`: each line
    # is then one comparison (the volume's lines are many).
    kept = [m.span() for m in re.finditer(r"[^\s\u00ad\u200b]+", text)]
    at = [i for a, b in kept for i in range(a, b)]
    printed = "".join(text[a:b] for a, b in kept)
    spans = []
    k = 0
    for line in lines:
        chars = _SKIPPABLE.sub("", line)
        broken = False
        if printed.startswith(chars, k):
            used = len(chars)
        elif chars and chars[-1] in _BREAK_HYPHENS and printed.startswith(chars[:-1], k):
            used, broken = len(chars) - 1, True  # the hyphen of a word broken here
        else:
            return _match_lines_slowly(text, lines)  # says which line does not match
        start = at[k] if k < len(at) else len(text)
        end = at[k + used - 1] + 1 if used else start
        if broken:  # past the soft hyphen where the word breaks
            skipped = _SKIPPABLE.match(text, end)
            end = skipped.end() if skipped else end
        spans.append((start, end))
        k += used
    return spans


def _match_lines_slowly(text: str, lines: list[str]) -> list[tuple[int, int]]:
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


def _display_to_source(display: str, source: str) -> list[int] | range:
    """For each offset in the printed text of a block (and its end), the
    offset in the stored text: the stored text also has the `*` of
    emphasis, the printed one soft hyphens at a word's hyphenation points
    before a footnote call."""
    if display == source:
        return range(len(source) + 1)
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


def unmarked(laid: list[LaidLine], blocks: dict[BlockKey, BlockText]) -> list[str]:
    """The warning for a volume with text to number but no line of it
    found: templates of an edition's own that do not mark their blocks."""
    if blocks and not laid:
        return [
            "line numbers left out: the templates mark no text block (data-doc on the document, data-layer and data-segment on each block)"
        ]
    return []


def overfull(laid: list[LaidLine], blocks: dict[BlockKey, BlockText]) -> list[str]:
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
