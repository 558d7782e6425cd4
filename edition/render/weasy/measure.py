"""Heights read from a measuring layout, for the facing pages
(render/facing.py), which choose their own page breaks: where each marked
element's box stands on its page, how tall each footnote is, and where each
line of a text block stands; and, in the laid-out volume, the pages each
footnote is printed on (a long note runs on over several).

WeasyPrint 70 internals (`Page._page_box`, the box classes of
`weasyprint.formatting_structure.boxes`, `Box.margin_height`,
`ParentBox.descendants`), checked in
weasy/internals.py; a tree that does not read as WeasyPrint 70's is an
error that names the version (`internals_problem`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .internals import internals_problem
from .tree import Reading


@dataclass(frozen=True)
class Extent:
    """A box's page (1-based) and its margin box's top and bottom, in CSS
    pixels from the top of the page."""

    page: int
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass
class Measured:
    """What a measuring layout tells: `boxes`, the extent of each element
    carrying `data-measure` (by its value; an element split over pages
    has no bottom: infinity); `notes`, each footnote's height by its key (its element
    id, or an apparatus entry's `data-entry`); `lines`, each text block's
    line boxes (by (document number, layer, segment)): their printed text
    and extents, in order."""

    boxes: dict[str, Extent] = field(default_factory=dict)
    notes: dict[str, float] = field(default_factory=dict)
    lines: dict[tuple, list[tuple[str, Extent]]] = field(default_factory=dict)


def measure(document) -> Measured:
    """Read the extents of a laid-out document (see `Measured`)."""
    try:
        from weasyprint.formatting_structure import boxes

        found = Measured()
        for number, page in enumerate(document.pages, start=1):
            for area in page._page_box.children:
                if isinstance(area, boxes.MarginBox):
                    continue
                if isinstance(area, boxes.FootnoteAreaBox):
                    _notes(area, boxes, found.notes)
                    continue
                _walk(area, number, boxes, found.boxes)
        reading = Reading(document)
        for line, (box, _) in zip(reading.laid, reading.where):
            extent = Extent(line.page, box.position_y, box.position_y + box.margin_height())
            found.lines.setdefault(line.key, []).append((line.text, extent))
        return found
    except (AttributeError, ImportError, TypeError) as exc:
        raise internals_problem(exc) from None


def _walk(box, page: int, boxes, out: dict[str, Extent]) -> None:
    for child in getattr(box, "children", ()):
        if not isinstance(child, boxes.ParentBox):
            continue
        element = child.element
        # the first box of an element: its lines and anonymous boxes share it
        first = element is not None and element is not box.element and not (child.element_tag or "").count("::")
        key = element.get("data-measure") if first else None
        if key:
            top, bottom = child.position_y, child.position_y + child.margin_height()
            known = out.get(key)
            # split over pages: no height a page could hold
            out[key] = Extent(page, top, bottom) if known is None else Extent(known.page, known.top, float("inf"))
        _walk(child, page, boxes, out)


def _notes(area, boxes, out: dict[str, float]) -> None:
    for box in area.descendants():
        element = box.element
        if element is None or box.element_tag != "span" or "fn" not in (element.get("class") or "").split():
            continue
        if not isinstance(box, boxes.BlockBox):
            continue  # an inline note (the apparatus, run on): measured as a block when asked
        key = _note_key(box)
        if key:
            out[key] = out.get(key, 0.0) + box.margin_height()


def note_pages(document) -> dict[str, list[int]]:
    """The pages (1-based, in order) each footnote of a laid-out volume is
    printed on, by its key (its element id, or an apparatus entry's
    `data-entry`): more than one for a note continued on later pages."""
    try:
        from weasyprint.formatting_structure import boxes

        out: dict[str, list[int]] = {}
        for number, page in enumerate(document.pages, start=1):
            for area in page._page_box.children:
                if isinstance(area, boxes.FootnoteAreaBox):
                    for box in area.descendants():
                        key = _note_key(box)
                        if key and number not in out.setdefault(key, []):
                            out[key].append(number)
        return out
    except (AttributeError, ImportError, TypeError) as exc:
        raise internals_problem(exc) from None


def _note_key(box) -> str | None:
    element = box.element
    if element is None or box.element_tag != "span" or "fn" not in (element.get("class") or "").split():
        return None
    return element.get("id") or next((e.get("data-entry") for e in element.iter() if e.get("data-entry")), None)
