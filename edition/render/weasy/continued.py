"""Notes longer than the room left on their page continue on the next
page's foot, as books print them (WeasyPrint 70 does not split a footnote,
WeasyPrint#1833: it draws a long one off the page, over the running head
and the text).

When a note (or an apparatus entry) is added to a page's footnote area
and the area would rise into the text above it, we lay the area out in
the room there is: the note's lines that fit stay on this page, and the
rest becomes a note of its own that leads the next page's footnote area,
under a rule across the full measure (the continuation mark), in place of
the short rule that opens the notes of a page. The room is the space under
the line that calls the note, less what the notes that line calls after it
take (they stand on this page too); on a page that opens with a continued
note, the text keeps a quarter of the page. A note that cannot leave two lines
(its `orphans`) on this page is not split: the line that calls it moves
to the next page, as before.

In facing pages the next page is the other text's: a page that holds an
element marked `data-notes-next="2"` (a page of a pair, see
facing-document.html.j2) carries the rest of its notes two pages on, to
the next page of the same side, so that a translation's note goes on
under the translation. The planner (render/facing.py) reserves the room
the rest takes there; the page between keeps its own notes. Parts still
waiting when the volume ends are printed on the pages after, never lost.

WeasyPrint 70 internals (`LayoutContext.layout_footnote` and
`unlayout_footnote`, `layout.block.iter_line_boxes`, the area's layout,
`layout.page.make_page` and the page's boxes);
registered in weasy/internals.py and checked before a build."""

from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass, field
from math import inf
from typing import Any, Iterator

# The share of a page that the text keeps above a note continued from the
# page before: the note gives way there, and the text runs on.
TEXT_KEPT = 0.25

# The hyphen WeasyPrint sets at a break inside a word.
HYPHEN = "\u2010"

# Slack under the calling line: the line's own bottom padding, which the
# caller adds after the note is placed.
SLACK = 1.0


@dataclass
class _Page:
    """What the split needs of the page being laid out: the lowest line of
    text laid out on it so far (and the space its container keeps under
    it), whether the notes are being laid out (their own lines are not the
    text's), the notes split on it (the note as called → the note, its
    part here, the part carried on), the parts carried to the next page
    and the last line of text laid out, whose notes are laid out after it."""

    line_bottom: float | None = None
    in_notes: int = 0
    split: dict[int, tuple[Any, Any, Any]] = field(default_factory=dict)
    carried: list = field(default_factory=list)
    line: Any = None

    def new_page(self) -> None:
        self.line_bottom, self.in_notes, self.split, self.carried, self.line = None, 0, {}, [], None

    def calls_after(self, footnote) -> list:
        """The notes the last line calls after `footnote`."""
        calls = [d.footnote for d in self.line.descendants() if d.footnote is not None] if self.line is not None else []
        return calls[calls.index(footnote) + 1 :] if footnote in calls else []


def is_inline_note(box) -> bool:
    """An apparatus entry (an inline footnote, run on with the others)."""
    return box.style["footnote_display"] == "inline"


def in_area_order(notes: list) -> list:
    """`notes` as the footnote area holds them: the notes in the order of
    their calls, then the apparatus entries, run on in one paragraph."""
    return sorted(notes, key=is_inline_note)


def area_with(context, notes: list):
    """A copy of the page's footnote area holding `notes`, its inline
    content wrapped in line boxes as WeasyPrint wraps it."""
    from weasyprint.formatting_structure import build

    return build.create_anonymous_boxes(context.current_footnote_area.copy_with_children(notes).deepcopy())


def laid_alone(context, area, skip=None):
    """`area` (see `area_with`) laid out with no foot to reach, from `skip`."""
    from weasyprint.layout.block import block_level_layout

    return block_level_layout(context, area, -inf, skip, context.current_footnote_area.page)[0]


@contextmanager
def notes_continued() -> Iterator[None]:
    """Split a note that does not fit on its page and carry the rest to the
    next page's foot, for the length of the block (process-wide while it
    lasts: one build at a time)."""
    from weasyprint.layout import LayoutContext, block
    from weasyprint.layout import page as page_layout

    page = _Page()
    # the parts carried on in this build (kept, so that their ids stay theirs)
    continuations: dict[int, Any] = {}
    original_layout = LayoutContext.layout_footnote
    original_unlayout = LayoutContext.unlayout_footnote
    original_area = LayoutContext._update_footnote_area
    original_lines = block.iter_line_boxes
    original_make_page = page_layout.make_page

    @functools.wraps(original_lines)
    def iter_line_boxes(context, box, position_y, bottom_space, *args, **kwargs):
        for line, resume_at in original_lines(context, box, position_y, bottom_space, *args, **kwargs):
            if not page.in_notes:
                bottom = line.position_y + line.height + max(bottom_space, 0)
                page.line_bottom = bottom if page.line_bottom is None else max(page.line_bottom, bottom)
                page.line = line
            yield line, resume_at

    @functools.wraps(original_area)
    def update_footnote_area(self):
        page.in_notes += 1
        try:
            return original_area(self)
        finally:
            page.in_notes -= 1

    @functools.wraps(original_layout)
    def layout_footnote(self, footnote):
        page.in_notes += 1
        try:
            if id(footnote) in continuations:
                _full_rule(self.current_footnote_area)
            overflow = original_layout(self, footnote)
            if self.reported_footnotes:
                return overflow  # the page is full already: notes wait
            top = _highest_top(self, page.line_bottom)
            if self.page_bottom >= top - 1e-6:
                return overflow
            # the notes its line calls after it, still to come on this page
            parts = _split(self, footnote, top, [n for n in page.calls_after(footnote) if n in self.footnotes])
            if parts is None:
                return overflow
            head, tail = parts
            self.current_page_footnotes[self.current_page_footnotes.index(footnote)] = head
            page.split[id(footnote)] = (footnote, head, tail)
            page.carried.append(tail)
            continuations[id(tail)] = tail
            self._update_footnote_area()
            return False
        finally:
            page.in_notes -= 1

    @functools.wraps(original_unlayout)
    def unlayout_footnote(self, footnote):
        if id(footnote) not in page.split:
            return original_unlayout(self, footnote)
        _, head, tail = page.split.pop(id(footnote))
        for waiting in (self.current_page_footnotes, self.reported_footnotes, page.carried):
            for part in (head, tail):
                if part in waiting:
                    waiting.remove(part)
        self.footnotes.append(footnote)
        self._update_footnote_area()
        return None

    # the parts carried two pages on (facing pages), by the page they lead
    later: dict[int, list] = {}

    @functools.wraps(original_make_page)
    def make_page(context, root_box, page_type, resume_at, page_number, *args, **kwargs):
        page.new_page()
        due = [part for part in later.get(page_number, ()) if part not in context.reported_footnotes]
        context.reported_footnotes[:0] = due
        result = original_make_page(context, root_box, page_type, resume_at, page_number, *args, **kwargs)
        if page.carried and _turn(result[0]) == 2:  # (the page's boxes are read only when a note runs on)
            later[page_number + 2] = page.carried
        else:
            later.pop(page_number + 2, None)
            context.reported_footnotes[:0] = page.carried
        if result[1] is None:  # the volume ends: nothing waits for a page that will not come
            for number in sorted(n for n in later if n > page_number):
                context.reported_footnotes.extend(p for p in later.pop(number) if p not in context.reported_footnotes)
        page.new_page()
        return result

    LayoutContext.layout_footnote = layout_footnote
    LayoutContext.unlayout_footnote = unlayout_footnote
    LayoutContext._update_footnote_area = update_footnote_area
    block.iter_line_boxes = iter_line_boxes
    page_layout.make_page = make_page
    try:
        yield
    finally:
        LayoutContext.layout_footnote = original_layout
        LayoutContext.unlayout_footnote = original_unlayout
        LayoutContext._update_footnote_area = original_area
        block.iter_line_boxes = original_lines
        page_layout.make_page = original_make_page


def _turn(page_box, depth: int = 5) -> int:
    """How many pages on a page's notes continue: 2 on a page of facing
    pages (an element of it near the root marked `data-notes-next="2"`),
    else 1."""
    level = [page_box]
    for _ in range(depth):
        level = [child for box in level for child in getattr(box, "children", ())]
        for box in level:
            element = getattr(box, "element", None)
            if element is not None and element.get("data-notes-next") == "2":
                return 2
    return 1


def _highest_top(context, line_bottom: float | None) -> float:
    """The highest the footnote area may reach on this page: under the
    lowest line of text laid out, or, for the notes carried onto a page
    before its text, under the share of the page the text keeps."""
    area = context.current_footnote_area
    if line_bottom is not None:
        return line_bottom + SLACK
    top = area.page.content_box_y()
    return top + TEXT_KEPT * (area.position_y - top)


def _split(context, footnote, top: float, coming: list):
    """The part of `footnote` that fits on this page when the footnote area
    may rise to `top` (with the notes after it in the area, the apparatus
    entries, and the notes its line calls after it, `coming`, kept whole on
    this page), and the rest as a note of its own;
    None when the note is not split there (fewer of its lines than its
    orphans fit, or all of it does). The area is measured again with the
    part in it, and the note cut higher while the area would rise above
    `top` (a run of apparatus entries may set the part on more lines than
    the cut found; the note is cut higher by twice as much each time, as an
    excess under a line's height would find the same cut again)."""
    area = context.current_footnote_area
    if footnote not in area.children:
        return None
    at = area.children.index(footnote)
    before, after = list(area.children[: at + 1]), list(area.children[at + 1 :]) + coming
    shift = 0.0
    for _ in range(8):
        parts = _cut(context, footnote, before, top + shift)
        if parts is None:
            return None
        excess = top - (
            area.position_y - laid_alone(context, area_with(context, in_area_order(before[:-1] + [parts[0]] + after))).margin_height()
        )
        if excess <= 1e-6:
            return parts
        shift += shift + excess
    return None


def _cut(context, footnote, notes: list, top: float):
    """`footnote`, the last of `notes`, cut where the footnote area holding
    `notes` reaches the foot of the page when it may rise to `top`: the
    part before, the part after; None if it is not cut."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.block import block_level_layout

    area = context.current_footnote_area
    laid = area_with(context, notes)
    laid.position_y = top
    bottom = context.page_bottom
    context.page_bottom = area.position_y
    try:
        fragment, resume_at = block_level_layout(context, laid, 0, None, area.page, False)[:2]
    finally:
        context.page_bottom = bottom
    if fragment is None or resume_at is None:
        return None
    ((index, skip),) = resume_at.items()
    if index != len(laid.children) - 1 or skip is None:
        return None
    child = laid.children[index]
    if is_inline_note(footnote):
        # the apparatus: inline notes run on in one line box, the area's
        # own or an anonymous block's
        run = child if isinstance(child, boxes.LineBox) else child.children[0]
        if not isinstance(child, boxes.LineBox):
            ((_, skip),) = skip.items()
        ((position, skip),) = skip.items()
        if position != len(run.children) - 1 or skip is None:
            return None
        child = run.children[position]
    head, tail = _before(child, skip), _rest(child, skip)
    if head is None or tail is None:
        return None
    head, tail = _plain(head), _plain(tail)
    if tail.style["anchor"] is not None:  # links to the note reach its first part
        tail.style = tail.style.copy()
        tail.style["anchor"] = None
    return _justified_to_the_end(head), tail


def _before(box, skip):
    """A box holding what comes before `skip` (a WeasyPrint skip stack) in
    `box`: the part of a note printed on this page; None if nothing. A
    word hyphenated at the page's end keeps its hyphen (the part is laid
    out again as a whole text, which would end without it)."""
    from weasyprint.formatting_structure import boxes

    ((index, inner),) = skip.items()
    if isinstance(box, boxes.TextBox):
        raw = box.text.encode()
        text, rest = raw[:index].decode(), raw[index:].decode()
        if text.endswith("\u00ad"):
            text = text[:-1] + HYPHEN
        elif text and rest and text[-1].isalnum() and rest[0].isalnum():
            text += HYPHEN
        # the space the page broke at would be set at the end of the part's
        # last line, and push that line's last word onto a line of its own
        text = text.rstrip(" ")
        return box.copy_with_text(text) if text else None
    children = list(box.children[:index])
    if inner is not None:
        last = _before(box.children[index], inner)
        if last is not None:
            children.append(last)
    return box.copy_with_children(children) if children else None


def _rest(box, skip):
    """A box holding what follows `skip` in `box`: the part of a note
    carried to the next page; None if nothing."""
    from weasyprint.formatting_structure import boxes

    if skip is None:
        return box
    ((index, inner),) = skip.items()
    if isinstance(box, boxes.TextBox):
        text = box.text.encode()[index:].decode()
        return box.copy_with_text(text) if text else None
    children = list(box.children[index + 1 :])
    first = _rest(box.children[index], inner)
    if first is not None:
        children.insert(0, first)
    return box.copy_with_children(children) if children else None


def _plain(box):
    """`box` as it was before WeasyPrint wrapped its inline content in line
    boxes and anonymous blocks (it wraps them again when it lays the part
    out, and refuses a line box it did not make)."""
    from weasyprint.css import AnonymousStyle
    from weasyprint.formatting_structure import boxes

    if not isinstance(box, boxes.ParentBox):
        return box
    children: list[Any] = []
    for child in box.children:
        child = _plain(child)
        wrapper = isinstance(child, boxes.LineBox) or (type(child) is boxes.BlockBox and isinstance(child.style, AnonymousStyle))
        children.extend(child.children if wrapper else [child])
    return box.copy_with_children(children)


def _justified_to_the_end(head):
    """The part of a note before a page break is set like any line within a
    paragraph: its last line justified when the note's text is (unless the
    part holds a line break of its own, whose line would be justified too)."""
    from weasyprint.formatting_structure import boxes

    breaks = any(isinstance(b, boxes.TextBox) and "\n" in b.text for b in head.descendants())
    if head.style["text_align_all"] == "justify" and not breaks:
        head.style = head.style.copy()
        head.style["text_align_last"] = "justify"
    return head


def _full_rule(area) -> None:
    """The continuation mark: the rule above the page's notes drawn across
    the full measure (the edition's rule image, stretched), for a page
    whose notes open with one continued from the page before."""
    from weasyprint.css.properties import Dimension

    sizes = area.style["background_size"]
    if all(size == ("auto", "auto") or isinstance(size, str) for size in sizes):
        return
    style = area.style.copy()
    style["background_size"] = tuple(
        (Dimension(100, "%"), size[1]) if not isinstance(size, str) and size != ("auto", "auto") else size for size in sizes
    )
    area.style = style
