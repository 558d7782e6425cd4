"""Reads of WeasyPrint's laid-out tree, and the figures set into it: where
each line of the text fell (`Reading`), the line numbers and apparatus
labels stamped into the finished layout without laying it out again, the
footnotes the pages hold and the page of each anchor.

WeasyPrint 70 internals (`Page._page_box`, the box classes of
`weasyprint.formatting_structure.boxes`, `AbsolutePlaceholder._box`,
`split_first_line`): a tree that does not read as WeasyPrint 70's is an
error that names the version (`internals_problem`)."""

from __future__ import annotations

from ..lines import LINE_INTERVAL, PX_TO_PT, _INVISIBLE, LaidLine, counted
from .internals import internals_problem


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
    a second render, could). In a tagged PDF they are artifacts, not text
    (`is_artifact`). Counting is `number_lines`'s, line for line.
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
            _as_artifact(stamp)
            container.children = [*container.children, stamp]
            printed += 1
        for parent, holder in reading.spent:
            parent.children = [c for c in parent.children if c is not holder]
        return printed
    except (AttributeError, ImportError, TypeError, ValueError, StopIteration) as exc:
        raise internals_problem(exc) from None


# The attribute that marks a stamped box as no part of the text: a tagged
# PDF draws it as an artifact and leaves it out of the structure tree
# (weasy/patches.py).
ARTIFACT = "edition_artifact"


def _as_artifact(box) -> None:
    for part in (box, *box.descendants()):
        setattr(part, ARTIFACT, True)


def is_artifact(box) -> bool:
    """Whether a box was stamped into the layout as no part of the text."""
    return getattr(box, ARTIFACT, False) is True


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


def placed_footnotes(document) -> int:
    """How many footnotes the laid-out pages hold. WeasyPrint defers a
    footnote that does not fit to the next page and may lose those still
    deferred at the end of the volume, so we count them (a footnote split
    over two pages counts once)."""
    placed: set[int] = set()
    for page in document.pages:
        for area in page._page_box.children:
            if type(area).__name__ == "FootnoteAreaBox":
                # block notes are the area's children; inline ones (the
                # apparatus) stand in the lines of an anonymous block
                placed.update(
                    id(box.element)
                    for box in area.descendants()
                    if box.element is not None and box.element_tag == "span" and "fn" in (box.element.get("class") or "").split()
                )
    return len(placed)


def anchor_pages(document) -> dict[str, int]:
    """The page (1-based) where each element id of a laid-out volume
    starts (an element that runs over pages is anchored on each of them)."""
    pages: dict[str, int] = {}
    for i, page in enumerate(document.pages, start=1):
        for anchor in page.anchors:
            pages.setdefault(anchor, i)
    return pages
