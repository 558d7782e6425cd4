"""Line numbers: where each line of the text fell on the laid-out pages.

CSS cannot number lines. After the layout, `read_lines` walks WeasyPrint's
page boxes and collects the line boxes of every text block (the elements
marked with data-segment and data-layer by text.html.j2), with their page
and printed text. `number_lines` matches each line's text against the
block's text to find where the line starts (counting words would misplace
them: a line may begin with the tail of a hyphenated word, end in a
suspended hyphen, or carry footnote calls) and counts the lines of each
column (restarting per document or per page): the line map, which keys the
apparatus and the index to lines. `stamp_numbers` prints every fifth
number in the margin of the finished layout, copying the figure each
column carries for the purpose (`.ln-stock`): the text is never laid out
again for its numbers, so they cannot move a line.

This reads WeasyPrint's internal layout tree (`Page._page_box`, the box
classes of `weasyprint.formatting_structure.boxes`, `AbsolutePlaceholder`):
pyproject.toml pins WeasyPrint to 70.x, and tests/test_line_numbers.py
fails with the version's name when those internals change."""

from __future__ import annotations

import re
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
    return Reading(document).laid


class Reading:
    """One walk over the laid-out pages: the lines of the text blocks, and,
    for printing numbers beside them, each line's box, its column's
    containing block (the nearest positioned ancestor, `.text` or `.cell`
    in our templates) and the figure the templates give each column to copy
    (`.ln-stock`, see text.html.j2)."""

    def __init__(self, document):
        try:
            from weasyprint.formatting_structure import boxes
            from weasyprint.layout.absolute import AbsolutePlaceholder

            self.boxes, self.placeholder = boxes, AbsolutePlaceholder
            self.laid: list[LaidLine] = []
            self.where: list[tuple] = []  # (line box, containing block) per laid line
            # (document number, column) → (figure, its aligned edge from the
            # containing block's left padding edge, whether right-aligned)
            self.stocks: dict[tuple[int, int], tuple] = {}
            self.spent: list[tuple] = []  # (parent box, stock placeholder)
            for number, page in enumerate(document.pages, start=1):
                for area in page._page_box.children:
                    if isinstance(area, (boxes.MarginBox, boxes.FootnoteAreaBox)):
                        continue  # running heads, folios, footnotes
                    self._walk(area, number, None, 0, None, area)
        except (AttributeError, ImportError, TypeError) as exc:
            raise internals_problem(exc) from None

    def _walk(self, box, page, doc, column, block, container) -> None:
        boxes = self.boxes
        for child in box.children:
            if isinstance(child, boxes.LineBox):
                if doc is not None and block is not None:
                    y = (child.position_y + child.baseline) * PX_TO_PT
                    # the line box stretches to its content: measure against the block
                    text, right = _line_text(child, boxes, self.placeholder)
                    overflow = max(0.0, right - (box.content_box_x() + box.width)) * PX_TO_PT
                    self.laid.append(LaidLine(page, (doc, *block), column, text, y, overflow))
                    self.where.append((child, container))
                continue
            if isinstance(child, self.placeholder):
                if doc is not None and "ln-stock" in _classes(child._box):
                    self._stock(child, box, doc, column, container)
                continue
            if not isinstance(child, boxes.ParentBox):
                continue
            element = child.element
            d, c, b, k = doc, column, block, container
            if element is not None and not (child.element_tag or "").count("::"):
                get = element.get
                if get("data-doc"):
                    d = int(get("data-doc"))
                if get("data-column"):
                    c = int(get("data-column"))
                if get("data-layer") and get("data-segment"):
                    b = (get("data-layer"), get("data-segment"))
            if child.style["position"] != "static":
                k = child
            self._walk(child, page, d, c, b, k)

    def _stock(self, holder, parent, doc, column, container) -> None:
        stock = holder._box
        figure = next((x for x in stock.descendants() if isinstance(x, self.boxes.TextBox)), None)
        self.spent.append((parent, holder))
        if figure is None or (doc, column) in self.stocks:
            return
        left = container.padding_box_x()
        # a figure in the left margin is set flush right, one in the right flush left
        right_aligned = figure.position_x + figure.width / 2 < left
        self.stocks[(doc, column)] = (stock, figure, left, right_aligned)


def _classes(box) -> list[str]:
    element = box.element
    return (element.get("class") or "").split() if element is not None else []


def stamp_numbers(layout, per_page: bool = False) -> int:
    """Print every fifth line's number beside it, on the laid-out pages of
    `layout` (a document before it is written, or the `Reading` of one
    already walked), and take the templates' stock figures out; returns how
    many numbers were printed.

    The numbers are added to the finished layout, as copies of each
    column's stock figure with another text, set on the line's baseline at
    the figure's place in the margin: nothing is laid out again, so the
    numbers cannot move a line (which numbers inside the text, laid out in
    a second render, could). Counting is `number_lines`'s, line for line.
    WeasyPrint 70 internals (TextBox, split_first_line), pinned in
    pyproject.toml."""
    reading = layout if isinstance(layout, Reading) else Reading(layout)
    try:
        printed = 0
        for line, number, (box, container) in zip(reading.laid, counted(reading.laid, per_page), reading.where):
            found = reading.stocks.get((line.key[0], line.column))
            if number % LINE_INTERVAL or found is None:
                continue
            stock, figure, left, right_aligned = found
            text = str(number)
            # the stock's positioned box, moved to the line: drawn, as it
            # would be, after the text of the page (the numbers are not part
            # of a line's text when the PDF is read)
            stamp = stock.deepcopy()
            stamp.translate(
                container.padding_box_x() - left,
                box.position_y + box.baseline - (figure.position_y + figure.baseline),
            )
            old = next(x for x in stamp.descendants() if isinstance(x, reading.boxes.TextBox))
            new = _retext(old, text)
            if right_aligned:
                new.position_x += old.width - new.width
            _replace(stamp, old, new)
            container.children = [*container.children, stamp]
            printed += 1
        for parent, holder in reading.spent:
            parent.children = [c for c in parent.children if c is not holder]
        return printed
    except (AttributeError, ImportError, TypeError, ValueError, StopIteration) as exc:
        raise internals_problem(exc) from None


def stamp_labels(document, labels: dict[str, str | None]) -> int:
    """Print the line numbers of the apparatus entries at the foot of the
    pages into the boxes the layout kept for them (`.app-line`, a box of
    fixed width holding a provisional "00"), from `labels` (entry key →
    the number, "" for a bullet: the entry's line has an entry before it, or
    None: the line is not known and the box stays empty). Like
    `stamp_numbers`, nothing is laid out again. Returns how many boxes were
    filled."""
    try:
        from weasyprint.formatting_structure import boxes

        filled = 0
        for page in document.pages:
            for area in page._page_box.children:
                if not isinstance(area, boxes.FootnoteAreaBox):
                    continue
                for box in area.descendants():
                    if not isinstance(box, boxes.InlineBlockBox) or "app-line" not in _classes(box):
                        continue
                    entry = box.element.get("data-entry")
                    if entry not in labels:
                        continue
                    old = next((x for x in box.descendants() if isinstance(x, boxes.TextBox)), None)
                    if old is None:
                        continue
                    label = labels[entry]
                    if label is None:
                        _replace(box, old, None)
                        continue
                    style = old.style
                    if label == "":  # a bullet, in the weight of the text
                        style = style.copy()
                        style["font_weight"] = 400
                    _replace(box, old, _retext(old, label or "•", style))
                    filled += 1
        return filled
    except (AttributeError, ImportError, TypeError, ValueError) as exc:
        raise internals_problem(exc) from None


def _retext(old, text: str, style=None):
    """A copy of a laid-out text box printing `text` (in `style`, or its
    own), on the same baseline, from the same left edge."""
    from weasyprint.text.line_break import split_first_line

    style = style if style is not None else old.style
    layout, _, _, width, height, baseline = split_first_line(text, style, None, None, 0)
    new = old.copy_with_text(text)
    new.style = style
    new.pango_layout, new.width, new.height = layout, width, height
    new.position_y += old.baseline - baseline
    new.baseline = baseline
    return new


def _replace(box, old, new) -> None:
    """Put `new` where `old` stands among the descendants of `box` (None:
    take `old` out)."""
    for parent in box.descendants():
        children = getattr(parent, "children", None)
        if children is not None and any(c is old for c in children):
            parent.children = [new if c is old else c for c in children if c is not old or new is not None]
            return


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


def _line_text(line, boxes, placeholder) -> tuple[str, float]:
    """The text a line prints, and the right edge of its text (px)."""
    parts: list[str] = []
    right = 0.0

    def collect(box):
        for child in box.children:
            if isinstance(child, placeholder):
                continue  # list markers, the stock figure
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


def number_lines(
    laid: list[LaidLine], blocks: dict[BlockKey, BlockText], per_page: bool = False
) -> Numbering:
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
        lines[(block.document, layer, segment)].append(
            PrintedLine(line.page, number, line.text, mapping[start], mapping[end])
        )
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
