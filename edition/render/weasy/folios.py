"""Folios given to laid-out pages after their layout.

A part of a large volume (a chunk of documents, render/assemble.py) is laid
out before the parts before it have told how many pages they hold, so
before its first folio — and its side of the opening, recto or verso — is
known. Where the lines of a page fall depends on neither: the side only
moves the text block sideways (the inner margin is narrower than the outer
one) and changes the running heads and folios, which WeasyPrint lays out in
the page's margin boxes after all the pages are made. So the part is laid
out with its margin boxes held back (`margins_held`), and once its first
folio is known `give_folios` turns each page to its side, moving the text
block, and lets WeasyPrint make the margin boxes with the page counter at
the right folio: the same pages a layout at that folio would have given,
for one layout instead of two.

WeasyPrint 70 internals (`layout.make_margin_boxes`, the layout context's
page states, `PageBox`, `Document._build_layout_context`), pinned in
pyproject.toml; tests/test_assemble.py compares the result with a part laid
out at its folio."""

from __future__ import annotations

import copy
import functools
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator


@dataclass
class HeldMargins:
    """What `give_folios` needs of a layout: its context, and the state
    (counters, strings) each page's margin boxes are made from."""

    context: Any = None  # WeasyPrint's LayoutContext
    states: list = field(default_factory=list)


class FoliosError(Exception):
    """The part cannot be turned to the other side without a new layout
    (its left and right pages differ in more than their margins)."""


@contextmanager
def margins_held() -> Iterator[HeldMargins]:
    """Within the block, WeasyPrint lays pages out without their margin boxes
    (running heads, folios) and keeps what making them needs. Process-wide
    while it lasts: one render at a time."""
    from weasyprint import document as wdocument
    from weasyprint import layout as wlayout

    held = HeldMargins()
    original_margins = wlayout.make_margin_boxes
    original_context = wdocument.Document.__dict__["_build_layout_context"]

    @functools.wraps(original_margins)
    def hold(context, page, state):
        held.states.append(copy.deepcopy(state))
        return iter(())

    @functools.wraps(original_context.__func__)
    def build_layout_context(cls, *args, **kwargs):
        held.context = original_context.__func__(cls, *args, **kwargs)
        return held.context

    wlayout.make_margin_boxes = hold
    wdocument.Document._build_layout_context = classmethod(build_layout_context)
    try:
        yield held
    finally:
        wlayout.make_margin_boxes = original_margins
        wdocument.Document._build_layout_context = original_context


def give_folios(document, held: HeldMargins, first_folio: int, right: bool) -> None:
    """Number the pages of `document` (laid out within `margins_held`) from
    `first_folio`, the first on a right-hand page when `right`, and make
    their margin boxes. Raises FoliosError when a page cannot change sides
    without a new layout."""
    from weasyprint.document import Page
    from weasyprint.layout import page as wpage
    from weasyprint.layout.background import layout_backgrounds
    from weasyprint.layout.percent import resolve_percentages

    context = held.context
    if context is None or len(held.states) != len(document.pages):
        raise FoliosError("the layout kept no page states")
    html = document._html
    for i, page in enumerate(document.pages):
        box = page._page_box
        side = "right" if right == (i % 2 == 0) else "left"
        if box.page_type.side != side:
            page_type = box.page_type._replace(side=side)
            wpage.set_page_type_computed_styles(page_type, html, context.style_for)
            style = context.style_for(page_type)
            style["overflow"] = box.style["overflow"]
            before = (box.content_box_x(), box.width, box.content_box_y(), box.height)
            box.page_type, box.style = page_type, style
            size = style["size"]
            resolve_percentages(box, size)
            wpage.page_width(box, context, size[0])
            wpage.page_height(box, context, size[1])
            if any(abs(a - b) > 0.01 for a, b in zip((box.width, box.content_box_y(), box.height), before[1:])):
                raise FoliosError(f"left and right pages differ in size: page {i + 1}")
            dx = box.content_box_x() - before[0]
            for child in box.children:
                child.translate(dx, 0)
        state = copy.deepcopy(held.states[i])
        state[1]["page"] = [first_folio + i]
        context.current_page = i + 1
        box.children = (*box.children, *wpage.make_margin_boxes(context, box, state))
        layout_backgrounds(box, context.get_image_from_uri)
        document.pages[i] = Page(box)
