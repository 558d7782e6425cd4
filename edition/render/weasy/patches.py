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

import copy
import functools
import logging
import os
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from .continued import area_with, in_area_order, is_inline_note, laid_alone, notes_continued
from .folios import HeldMargins, margins_held
from .internals import check_internals
from .tree import is_artifact


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
    continued on the next, parallel pairs level and clear of the notes
    their later columns call, line numbers as artifacts, a line's text
    split once for the build; with
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
        stack.enter_context(_rows_clear_of_the_notes())
        stack.enter_context(_line_numbers_as_artifacts())
        stack.enter_context(_first_lines_kept())
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
    The area is measured with each note laid out once (`_NoteHeights`).
    WeasyPrint 70 internals (`LayoutContext._update_footnote_area`), pinned in
    pyproject.toml; process-wide while it lasts."""
    from weasyprint.layout import LayoutContext, block

    original = LayoutContext._update_footnote_area
    original_lines = block.iter_line_boxes
    heights = _NoteHeights()

    @functools.wraps(original)
    def update_footnote_area(self):
        in_call_order = self.current_page_footnotes
        ordered = in_area_order(in_call_order)
        self.current_page_footnotes = heights.stand_ins(self, ordered) if MEASURE_NOTES_ONCE else ordered
        try:
            return original(self)
        finally:
            self.current_page_footnotes = in_call_order
            self.current_footnote_area.children = ordered

    @functools.wraps(original_lines)
    def iter_line_boxes(context, box, position_y, bottom_space, skip_stack, *args, **kwargs):
        lines = original_lines(context, box, position_y, bottom_space, skip_stack, *args, **kwargs)
        if heights.measuring is None or box is not heights.measuring[0]:
            yield from lines
            return
        for line, resume_at in lines:
            heights.measuring[1].append((skip_stack, line.height))
            skip_stack = resume_at
            yield line, resume_at

    LayoutContext._update_footnote_area = update_footnote_area
    block.iter_line_boxes = iter_line_boxes
    try:
        yield
    finally:
        LayoutContext._update_footnote_area = original
        block.iter_line_boxes = original_lines


# Measure each note once on its page (see _NoteHeights); False lays the
# whole footnote area out again for every note added, as WeasyPrint does
# (the tests build both ways and compare).
MEASURE_NOTES_ONCE = True


@dataclass
class _Measured:
    """What was measured in one page's footnote area: each block note's
    stand-in (None where the note stands for itself); the entries of the
    apparatus's run-on paragraph measured last, and its lines (where each
    begins, a skip stack, and its height)."""

    blocks: dict = field(default_factory=dict)
    entries: tuple = ()
    lines: list = field(default_factory=list)


class _NoteHeights:
    """The footnote area measured without laying its notes out again.

    WeasyPrint lays the whole area out each time a note is added to a page
    (or taken back), to learn its height: a page of n notes lays out n(n+1)/2
    notes, and a long note is laid out again for every short one after it
    (a third of a note-heavy build). A block note without vertical margins
    is as tall wherever it stands in the area, so each is laid out once, alone
    in the page's area, and stands in the measuring copy as an empty block
    of its height. The apparatus's run-on paragraph (the inline footnotes)
    grows at its end as entries are added: only its last line is set again,
    from where it began, and the paragraph stands in as an empty block of
    its lines' height. An area beside a float is laid out as before. The
    page's real area, which is drawn, is laid out from the notes themselves.
    Upstream, `LayoutContext._update_footnote_area` could keep the laid-out
    notes of the page and lay out only the one added."""

    def __init__(self) -> None:
        import weakref

        # a page's footnote area → what was measured in it; gone with the page
        self._areas: weakref.WeakKeyDictionary[Any, _Measured] = weakref.WeakKeyDictionary()
        # (the line box being measured, its lines as they are set)
        self.measuring: tuple[Any, list] | None = None

    def stand_ins(self, context, notes: list) -> list:
        """`notes` (the block notes first) with each block note measured on
        this page replaced by its stand-in, and the apparatus entries by
        one for their paragraph. A single note of either kind is left as
        it is: measuring it would cost what laying the area out does."""
        area = context.current_footnote_area
        if getattr(context, "excluded_shapes", None):
            return notes
        blocks = [note for note in notes if not is_inline_note(note)]
        entries = [note for note in notes if is_inline_note(note)]
        out = [self._block(context, area, note) for note in blocks] if len(blocks) > 1 else blocks
        height = self._paragraph(context, area, entries) if len(entries) > 1 else None
        if height is None:
            return out + entries
        from weasyprint.formatting_structure import boxes

        return [*out, _empty_block(area, boxes.BlockBox.anonymous_from(area, []).style, height)]

    def _measured(self, area) -> _Measured:
        measured = self._areas.get(area)
        if measured is None:
            measured = self._areas[area] = _Measured()
        return measured

    def _block(self, context, area, note):
        known = self._measured(area).blocks
        if note not in known:
            height = _alone(context, note)
            known[note] = None if height is None else _empty_block(area, note.style, height)
        stand_in = known[note]
        return note if stand_in is None else stand_in

    def _paragraph(self, context, area, entries: list) -> float | None:
        """The height of the run-on paragraph of `entries`: when they are
        the entries measured last on this page and more, its lines but the
        last are kept and the rest set from where that line began."""
        measured = self._measured(area)
        before, lines = measured.entries, measured.lines
        grown = len(lines) > 1 and len(before) < len(entries) and all(a is b for a, b in zip(before, entries))
        kept, start = (lines[:-1], lines[-1][0]) if grown else ([], None)
        more = self._lines(context, entries, start)
        measured.entries, measured.lines = ((), []) if more is None else (tuple(entries), kept + more)
        return None if more is None else sum(height for _, height in measured.lines)

    def _lines(self, context, entries: list, start) -> list | None:
        """The lines of the paragraph of `entries` from the line that begins
        at `start` (None: the first), set alone in the page's area."""
        from weasyprint.formatting_structure import boxes

        copy = area_with(context, entries)
        if len(copy.children) != 1 or not isinstance(copy.children[0], boxes.LineBox):
            return None
        self.measuring = (copy.children[0], [])
        try:
            laid_alone(context, copy, None if start is None else {0: start})
            return self.measuring[1]
        finally:
            self.measuring = None


def _alone(context, note) -> float | None:
    """The height `note` takes in the page's footnote area, margins
    included, laid out alone there; None when it could not stand in for
    itself (vertical margins, which collapse with its neighbours', or no
    height)."""
    laid = laid_alone(context, area_with(context, [note]))
    if len(laid.children) != 1:
        return None
    box = laid.children[0]
    if box.margin_top or box.margin_bottom or box.margin_height() <= 0:
        return None
    return box.margin_height()


def _empty_block(area, style, height: float):
    """An empty block `height` tall in the measuring copy of `area`, with a
    copy of the `style` of what it stands in for (a note's named page,
    breaks and clearance act between it and its neighbours), without
    padding or borders."""
    from math import inf

    from weasyprint.css.properties import Dimension
    from weasyprint.formatting_structure import boxes

    style = style.copy()
    for side in ("top", "right", "bottom", "left"):
        style[f"padding_{side}"] = Dimension(0, "px")
        style[f"border_{side}_width"] = 0
    style["box_sizing"] = "content-box"
    style["height"] = Dimension(height, "px")
    style["min_height"] = Dimension(0, "px")
    style["max_height"] = Dimension(inf, "px")
    return boxes.BlockBox(area.element_tag, style, area.element, [])


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
def _rows_clear_of_the_notes() -> Iterator[None]:
    """Keep every column of a parallel row above the footnote area (a
    WeasyPrint 70 fault we mend).

    WeasyPrint lays out the cells of a table row one after the other, each
    down to the page's bottom as it stands at that moment. Footnotes called
    in a later column raise the footnote area after the earlier columns
    were set, and their last lines stay where they were: the notes are
    drawn over them. (A row further down the page then goes whole to the
    next page, leaving the rest of the page empty — an opening page with
    the title and one line; the first row of a page is kept, overprinted.)
    We wrap the layout of our parallel tables: when a column's text reaches
    below the page's bottom — after the table's layout, or as the page's
    bottom stood once a later column of its row was set — the page's
    footnotes are put back as they were and the table is laid out again
    with that column's room shortened by as much, until every column stands
    clear of the notes (a few rounds at most: each gives the notes the room
    they took). Process-wide while it lasts: one build at a time."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import block

    original_table_layout = block.table_layout
    original_cell_layout = block.block_container_layout
    shortened: dict = {}  # a cell's element -> the room it gives up on this page
    row: list = []  # the cells of the row being set: (element, its bottom, the row's top)
    passed: dict = {}  # cells the page's bottom rose past as their row was set

    @functools.wraps(original_cell_layout)
    def block_container_layout(context, box, bottom_space, *args, **kwargs):
        if not isinstance(box, boxes.TableCellBox):
            return original_cell_layout(context, box, bottom_space, *args, **kwargs)
        result = original_cell_layout(context, box, bottom_space + shortened.get(box.element, 0.0), *args, **kwargs)
        if row and row[-1][0] is not box.element and box.position_y != row[-1][2]:
            row.clear()  # a new row
        if result[0] is not None:
            row.append((box.element, result[0].position_y + result[0].margin_height(), box.position_y))
        bottom = context.page_bottom - bottom_space
        for element, lowest, _ in row:
            if context.overflows(bottom, lowest):
                passed[element] = max(passed.get(element, 0.0), lowest - bottom)
        return result

    @functools.wraps(original_table_layout)
    def table_layout(
        context, table, bottom_space, skip_stack, containing_block, page_is_empty, absolute_boxes, fixed_boxes, *args, **kwargs
    ):
        def lay_out():
            return original_table_layout(
                context, table, bottom_space, skip_stack, containing_block, page_is_empty, absolute_boxes, fixed_boxes, *args, **kwargs
            )

        if context.in_column or not _is_parallel_table(table):
            return lay_out()
        notes = _NotesOfThePage.of(context)
        outer = dict(shortened)
        shortened.clear()
        try:
            row.clear()
            passed.clear()
            result = lay_out()
            for _ in range(ROW_ROUNDS):
                overruns = {**passed, **_overruns(context, bottom_space, result[0])}
                row.clear()
                passed.clear()
                if not overruns:
                    break
                if result[0] is not None:
                    block.remove_placeholders(context, [result[0]], absolute_boxes, fixed_boxes)
                notes.restore(context)
                for element, overrun in overruns.items():
                    shortened[element] = shortened.get(element, 0.0) + overrun
                result = lay_out()
            return result
        finally:
            row.clear()
            passed.clear()
            shortened.clear()
            shortened.update(outer)

    block.table_layout = table_layout
    block.block_container_layout = block_container_layout
    try:
        yield
    finally:
        block.table_layout = original_table_layout
        block.block_container_layout = original_cell_layout


ROW_ROUNDS = 4  # layouts again of one table on one page, at most


def _is_parallel_table(box) -> bool:
    element = box.element
    return element is not None and element.tag == "table" and "parallel" in (element.get("class") or "").split()


def _overruns(context, bottom_space: float, table) -> dict:
    """The cells of the table whose text reaches below the page's bottom
    (by their element), and by how much."""

    if table is None:
        return {}
    bottom = context.page_bottom - bottom_space
    found = {}
    for group in table.children:
        for row in group.children:
            for cell in row.children:
                lowest = _lowest_line(cell, bottom)
                if context.overflows(bottom, lowest):
                    found[cell.element] = lowest - bottom
    return found


def _lowest_line(cell, default: float) -> float:
    """Where the cell's last line of text ends on the page."""
    from weasyprint.formatting_structure import boxes

    return max((d.position_y + d.height for d in cell.descendants() if isinstance(d, boxes.LineBox)), default=default)


@dataclass(frozen=True)
class _NotesOfThePage:
    """The footnotes waiting, on this page and moved to the next, as they
    stood before a layout: put back when the layout is taken back."""

    waiting: tuple
    here: tuple
    moved: tuple

    @classmethod
    def of(cls, context) -> _NotesOfThePage:
        return cls(tuple(context.footnotes), tuple(context.current_page_footnotes), tuple(context.reported_footnotes))

    def restore(self, context) -> None:
        context.footnotes[:] = self.waiting
        context.current_page_footnotes[:] = self.here
        context.reported_footnotes[:] = self.moved
        context._update_footnote_area()


@contextmanager
def _line_numbers_as_artifacts() -> Iterator[None]:
    """Write the line numbers stamped into the layout (weasy/tree.py:
    `is_artifact`) as pagination artifacts of a tagged PDF, outside its
    structure tree: a number in the margin is no word of the text, and a
    screen reader must not read it into the sentence. WeasyPrint 70 tags
    every text box it draws as a Span of the element it stands in; we wrap
    its marking of content and its building of the structure tree, for
    the stamped boxes only. An untagged PDF is written as before.
    Process-wide while it lasts: one build at a time."""
    import pydyf
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import stream as pdf_stream
    from weasyprint.pdf import tags

    original_marked = pdf_stream.Stream.marked
    original_tree = tags._build_box_tree

    @contextmanager
    def line_number(stream) -> Iterator[None]:
        if stream._tags is None:
            yield
            return
        kind = pydyf.Dictionary({"Type": "/Pagination", "Subtype": "/LineNum"})
        pydyf.Stream.begin_marked_content(stream, "Artifact", kind)
        try:
            yield
        finally:
            pydyf.Stream.end_marked_content(stream)

    @functools.wraps(original_marked)
    def marked(self, box, tag):
        return line_number(self) if is_artifact(box) else original_marked(self, box, tag)

    @functools.wraps(original_tree)
    def build_box_tree(box, *args, **kwargs):
        if is_artifact(box._box if isinstance(box, AbsolutePlaceholder) else box):
            return iter(())
        return original_tree(box, *args, **kwargs)

    pdf_stream.Stream.marked = marked
    tags._build_box_tree = build_box_tree
    try:
        yield
    finally:
        pdf_stream.Stream.marked = original_marked
        tags._build_box_tree = original_tree


KEEP_FIRST_LINES = True
KEPT_SPLITS = 20_000  # splits kept (each holds the rest of its paragraph), and styles


# What WeasyPrint 70's split of a line reads of a box's style
# (`split_first_line`, its `Layout`, `get_font_description`).
_SHAPING = (
    "direction", "font_family", "font_feature_settings", "font_kerning", "font_language_override", "font_size",
    "font_stretch", "font_style", "font_variant_alternates", "font_variant_caps", "font_variant_east_asian",
    "font_variant_ligatures", "font_variant_numeric", "font_variant_position", "font_variation_settings",
    "font_weight", "hyphenate_character", "hyphenate_limit_chars", "hyphenate_limit_zone", "hyphens", "lang",
    "letter_spacing", "overflow_wrap", "tab_size", "text_decoration_line", "white_space", "word_break", "word_spacing",
)  # fmt: skip


def _shaping(style) -> tuple | None:
    """The values of `style` a line's split reads; None when one cannot be
    a key (a split in that style is then not kept)."""
    values = tuple(style[name] for name in _SHAPING)
    try:
        hash(values)
    except TypeError:
        return None
    return values


@contextmanager
def _first_lines_kept() -> Iterator[None]:
    """Split a text into its first line and the rest once per build.

    WeasyPrint sets a paragraph's lines again each time it lays the
    paragraph out again — a page laid out anew for its notes, a line taken
    back to the next page, a row of parallel columns set again clear of its
    notes, a cell measured for its width, the volume laid out again with
    its index's pages (facing pages) — and each time Pango shapes the same
    text at the same width again (`split_first_line`, WeasyPrint 70
    internals). The split depends on the text, the width, the
    justification, whether the line starts there and the values of the
    style it reads (`_SHAPING`): kept for the build under those. What it
    returns holds no Pango layout (`first_line_metrics` let go of it) and
    is revived and changed when the line is drawn: each caller is given a
    copy of its own."""
    from weasyprint.layout import inline, preferred

    original = inline.split_first_line
    splits: dict[tuple, tuple] = {}
    shaping: dict[int, tuple] = {}  # id(style) → (style, the values it is split by)

    @functools.wraps(original)
    def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
        known = shaping.get(id(style))
        if known is None or known[0] is not style:
            known = shaping[id(style)] = (style, _shaping(style))
        if known[1] is None:
            return original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        key = (text, known[1], max_width, justification_spacing, is_line_start, minimum)
        if key in splits:
            layout, *rest = splits[key]
            return (copy.copy(layout), *rest)
        result = original(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        layout, *rest = result
        if KEEP_FIRST_LINES and not hasattr(layout, "layout"):  # let go of Pango: a value
            if len(splits) >= KEPT_SPLITS or len(shaping) >= KEPT_SPLITS:  # a long volume laid out whole
                splits.clear()
                shaping.clear()
            splits[key] = (copy.copy(layout), *rest)
        return result

    inline.split_first_line = preferred.split_first_line = split_first_line
    try:
        yield
    finally:
        inline.split_first_line = preferred.split_first_line = original


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
