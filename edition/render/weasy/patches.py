"""The patches a build of ours lays out under, applied together by
`building()` for the length of a build and restored after it, even on an
error: nothing of WeasyPrint is changed at import or outside a build.
Before it patches anything, `building()` checks every internal it touches
(weasy/internals.py) by name and signature.

The patches are process-wide while they last: one build at a time in a
process (the workers of a build in parts are processes of their own). Each
wrapper keeps the function it wraps as `__wrapped__`, so that a build
begun inside another checks the signatures of WeasyPrint's own functions."""

from __future__ import annotations

import functools
import logging
import os
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from .continued import notes_continued
from .folios import HeldMargins, margins_held
from .internals import check_internals


# SOURCE_DATE_EPOCH used when the caller has not set one: 1980-01-01T00:00Z,
# the ZIP epoch that reproducible-build tools commonly fall back to. A
# constant, not a date taken from the edition, so that nothing in the bytes
# depends on the clock: WeasyPrint writes no creation date unless the HTML
# asks for one (ours does not), and font subsets made by fontTools take
# their timestamp from this variable. The same volume then gives the same
# bytes on one machine (fonts differ between machines).
REPRODUCIBLE_EPOCH = "315532800"


@dataclass
class Build:
    """What `building()` gives the block it runs: WeasyPrint's log records
    (warnings and errors, which a build turns into its own), and the held
    margin boxes of the layout when asked for (weasy/folios.py)."""

    log: list[logging.LogRecord] = field(default_factory=list)
    margins: HeldMargins | None = None


@contextmanager
def building(epoch: str | None = None, *, pages: Callable[[int], None] | None = None, hold_margins: bool = False) -> Iterator[Build]:
    """Everything a layout of ours runs under, in this process: the checked
    internals, the fixed SOURCE_DATE_EPOCH (`epoch`, or ours unless the
    caller set one), WeasyPrint's log collected, footnotes kept with their
    calls, the apparatus under the notes, notes too long for their page
    continued on the next, parallel pairs level; with
    `pages`, called as each page is first laid out; with `hold_margins`,
    the margin boxes held back for `give_folios`."""
    check_internals()
    with ExitStack() as stack:
        stack.enter_context(_source_date_epoch(epoch))
        log = stack.enter_context(_captured_weasyprint_log())
        stack.enter_context(_calls_kept_with_their_notes())
        stack.enter_context(_apparatus_under_the_notes())
        stack.enter_context(notes_continued())
        stack.enter_context(_pairs_start_level())
        if pages is not None:
            stack.enter_context(_pages_counted(pages))
        build = Build(log.records)
        if hold_margins:
            build.margins = stack.enter_context(margins_held())
        yield build


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _captured_weasyprint_log() -> Iterator[_Collect]:
    """Collect what WeasyPrint logs (missing resources are logged as errors,
    not raised) instead of letting it reach the caller's handlers."""
    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


@contextmanager
def _source_date_epoch(epoch: str | None = None) -> Iterator[None]:
    """Fix SOURCE_DATE_EPOCH for the render: to `epoch`, or, unless the
    caller chose one, to REPRODUCIBLE_EPOCH; as it was afterwards."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None and before is not None:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = epoch or REPRODUCIBLE_EPOCH
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


@contextmanager
def _calls_kept_with_their_notes() -> Iterator[None]:
    """Keep every footnote on the page of its call (WeasyPrint 70 bugs).

    When a line overflows the page and widows/orphans forbid breaking before
    it, WeasyPrint moves the page's footnotes to the next page to make room.
    If that makes the line fit, it keeps the line — the moved notes then
    stand a page after their calls, and the footnotes the line itself calls
    are never laid out: they vanish from the PDF. If it does not, it breaks
    the page anyway and leaves the notes moved. We wrap its line layout:
    the moved footnotes come back, and a line that only fitted without them
    (or whose own notes were skipped) goes to the next page. A widow is a
    smaller fault than a note away from its call. `placed_footnotes`
    (weasy/tree.py) checks the result either way.
    The patch is process-wide while it lasts: one build at a time."""
    from weasyprint.layout import block

    original = block._linebox_layout

    @functools.wraps(original)
    def linebox_layout(
        context,
        box,
        index,
        child,
        new_children,
        page_is_empty,
        absolute_boxes,
        fixed_boxes,
        adjoining_margins,
        bottom_space,
        *args,
        **kwargs,
    ):
        reported_before = list(context.reported_footnotes)
        lines_before = len(new_children)
        result = original(
            context,
            box,
            index,
            child,
            new_children,
            page_is_empty,
            absolute_boxes,
            fixed_boxes,
            adjoining_margins,
            bottom_space,
            *args,
            **kwargs,
        )
        abort, stop, resume_at, position_y, new_footnotes, max_lines = result
        moved = [f for f in context.reported_footnotes if f not in reported_before]
        for footnote in moved:
            context.reported_footnotes.remove(footnote)
            context.current_page_footnotes.append(footnote)
        if moved:
            context._update_footnote_area()
        if abort or not stop:
            return result
        popped = False
        while len(new_children) > lines_before and not (len(new_children) == 1 and page_is_empty):
            line = new_children[-1]
            skipped_notes = any(getattr(d, "footnote", None) in context.footnotes for d in line.descendants())
            if not skipped_notes and not context.overflows_page(bottom_space, line.position_y + line.height):
                break
            new_children.pop()
            block.remove_placeholders(context, line.children, absolute_boxes, fixed_boxes)
            popped = True
        if not popped:
            return result
        if len(new_children) < max(1, box.style["orphans"]) and not page_is_empty:
            return True, False, resume_at, position_y, new_footnotes, max_lines
        last = new_children[-1]
        return (False, True, {index: last.resume_at}, last.position_y + last.height, new_footnotes, max_lines)

    block._linebox_layout = linebox_layout
    try:
        yield
    finally:
        block._linebox_layout = original


@contextmanager
def _apparatus_under_the_notes() -> Iterator[None]:
    """Lay out the footnote area with the apparatus entries (the inline
    footnotes) after the notes (the block ones), whatever the order of their
    calls: one run-on paragraph of variants under the numbered notes, as a
    critical edition prints them. Only the area's copy is ordered; the list
    WeasyPrint moves notes between pages with keeps the order of the calls.
    WeasyPrint 70 internals (`LayoutContext._update_footnote_area`), pinned in
    pyproject.toml; process-wide while it lasts."""
    from weasyprint.layout import LayoutContext

    original = LayoutContext._update_footnote_area

    @functools.wraps(original)
    def update_footnote_area(self):
        in_call_order = self.current_page_footnotes
        self.current_page_footnotes = sorted(in_call_order, key=_is_inline_footnote)
        try:
            return original(self)
        finally:
            self.current_page_footnotes = in_call_order

    LayoutContext._update_footnote_area = update_footnote_area
    try:
        yield
    finally:
        LayoutContext._update_footnote_area = original


def _is_inline_footnote(box) -> bool:
    return box.style["footnote_display"] == "inline"


@contextmanager
def _pairs_start_level() -> Iterator[None]:
    """Keep the cells of a parallel row starting on the same page (a
    WeasyPrint 70 behaviour we change).

    WeasyPrint lays out each cell of a table row on its own. Near the foot
    of a page, a cell whose paragraph cannot leave enough lines there
    (orphans) places nothing, and its text starts on the next page, while a
    shorter cell of the same row starts on this one: the pair is no longer
    level. We watch the cells of our parallel tables (td.col): when one
    places nothing on a page that already has content, its row is treated as
    `break-inside: avoid` for this page, so WeasyPrint moves the whole row
    to the next page — both texts start there, level. The style is restored
    when the table's layout on that page ends. Pinned to WeasyPrint 70.x in
    pyproject.toml; tests/test_render_parallel.py checks the pairs. The
    patch is process-wide while it lasts: one build at a time."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block

    original_cell_layout = block.block_container_layout
    original_table_layout = block.table_layout
    changed: list = []

    @functools.wraps(original_cell_layout)
    def block_container_layout(context, box, bottom_space, skip_stack, *args, **kwargs):
        result = original_cell_layout(context, box, bottom_space, skip_stack, *args, **kwargs)
        if result[0] is None and isinstance(box, boxes.TableCellBox):
            page_is_empty = kwargs["page_is_empty"] if "page_is_empty" in kwargs else args[0]
            if not page_is_empty and _is_parallel_cell(box) and box.style["break_inside"] != "avoid":
                _cell_could_not_start(box, changed)
        return result

    @functools.wraps(original_table_layout)
    def table_layout(*args, **kwargs):
        try:
            return original_table_layout(*args, **kwargs)
        finally:
            while changed:
                style, value = changed.pop()
                style["break_inside"] = value

    block.block_container_layout = block_container_layout
    block.table_layout = table_layout
    try:
        yield
    finally:
        block.block_container_layout = original_cell_layout
        block.table_layout = original_table_layout


def _is_parallel_cell(box) -> bool:
    element = box.element
    return element is not None and "col" in (element.get("class") or "").split()


def _cell_could_not_start(box, changed: list) -> None:
    """Ask WeasyPrint to move the cell's row to the next page (it reads the
    cells' break-inside when a row breaks)."""
    changed.append((box.style, box.style["break_inside"]))
    box.style["break_inside"] = "avoid"


@contextmanager
def _pages_counted(report: Callable[[int], None]) -> Iterator[None]:
    """Call `report(n)` as WeasyPrint finishes page n of a layout for the
    first time (wraps `weasyprint.layout.page.make_page(context, root_box,
    page_type, resume_at, page_number, page_state)`, WeasyPrint 70
    internals; a page laid out again is not counted again)."""
    from weasyprint.layout import page as page_layout

    original = page_layout.make_page
    count = 0

    @functools.wraps(original)
    def make_page(context, root_box, page_type, resume_at, page_number, *args, **kwargs):
        nonlocal count
        result = original(context, root_box, page_type, resume_at, page_number, *args, **kwargs)
        if page_number > count:
            count = page_number
            report(count)
        return result

    page_layout.make_page = make_page
    try:
        yield
    finally:
        page_layout.make_page = original
