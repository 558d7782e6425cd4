"""Facing pages (`layout: facing`): the original on the left page (verso),
its translation on the right (recto), each pair of pages beginning at the
same segment, with each side's notes at its own foot and the apparatus
under the translation.

WeasyPrint cannot keep two flows in step, so the page breaks are ours.
Both texts of every document are laid out once on pages of the real width
and CSS but of great height (a measuring layout): each segment's height on
each side, each line's, each footnote's. Pairs are then filled greedily: a
pair takes the next segments as long as they fit on both of its pages with
their notes. A segment that fits no page (longer than a page on either
side) is cut between pairs at the same proportion of its lines on both
sides, each cut at the end of a line that ends a word: the two texts
continue together on the next pair, never one without the other. The
volume is then laid out with a forced break before every page of a pair,
and checked: every page must end where it began and hold its own notes. A
pair that ran over is planned again with less room, and the volume laid
out again; a volume that cannot be brought into step is an error, never a
PDF out of step.

A note (or apparatus entry) longer than the room under its call goes on at
the foot of the next page of its own side, two pages on (a recto's on the
next recto), never on the facing page: the layout cuts it where the page
ends (weasy/continued.py, told by the pages' `data-notes-next="2"`), and
the planner, which knows each note's measured height, ends the pair's text
at the call (the note takes the room under it, as in any book) and keeps
on that side's next pages the room the rest takes; the other side's pages
are left short, never out of step. The cut is left to the layout, not
planned here, because only the layout knows where a note's lines end; the
check after layout sees a note that ran on to the wrong side or past the
document's pairs.

A volume in facing pages is laid out as one part, in this process (the
build in parts cuts the volume between documents, which pairs do not
survive; render/pdf.py sends it here)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence

from ..errors import EditionError
from ..model import Edition
from ..settings import PageFormat
from .html import (
    STYLESHEET,
    foot_labels,
    Block,
    Bound,
    DocumentView,
    Footnote,
    Piece,
    RenderedVolume,
    Run,
    VolumeView,
    load_templates,
    piece_text,
    render_volume,
)
from .index import index_references, not_indexed
from .lines import LineMismatch, match_lines, number_lines, overfull, unmarked, unprinted
from .printed import Laps, Printed, Progress, front_pages, page_folios, printed_whole
from .weasy import anchor_pages, building, make_fetcher, stamp_labels, stamp_numbers
from .weasy.continued import TEXT_KEPT
from .weasy.measure import Extent, Measured, measure, note_pages
from .weasy.tree import Reading

TEMPLATE = "facing.html.j2"
FACING_CSS = "facing.css"
SIDES = ("v", "r")  # verso (the original), recto (the translation)
# The footnote area's own height above its notes (edition.css: @footnote's
# margin-top 8pt and padding-top 4pt), in CSS pixels.
NOTE_AREA = 16.0
# A head taller than this share of a page is printed on pages of its own.
HEAD_SHARE = 0.5
# Attempts at bringing a volume into step before giving up.
ATTEMPTS = 6
# The room a pair that ran over is given next time, as a share of its last.
SHRINK = 0.92
# The lines of a note that must stand under its call for the rest to run on
# (continued.py splits no note that leaves fewer: its orphans, 2), and a half.
ORPHAN_LINES = 2.5
# A line of notes, in the body's size (edition.css: .fn, 0.82rem at 1.28).
NOTE_LINE = 0.82 * 1.28


# --- what the template prints -------------------------------------------------


@dataclass(frozen=True)
class Portion:
    """A segment, or the part of it that one page prints: `cont`, it began
    on the pair before; `cut`, it goes on on the next pair; `indent`, a
    paragraph after a paragraph. `key` names it in the measuring layout."""

    block: Block
    key: str = ""
    indent: bool = False
    cont: bool = False
    cut: bool = False


@dataclass(frozen=True)
class Spread:
    """One pair of pages: what the verso and the recto print."""

    verso: tuple[Portion, ...]
    recto: tuple[Portion, ...]


@dataclass(frozen=True)
class FacingPlan:
    """A document's pairs of pages; `spacer`, the blank height (px) that
    sets the first recto's text level with the first verso's, under the
    document's head; `measure`, the pairs are the measuring layout's."""

    spreads: tuple[Spread, ...]
    spacer: float = 0.0
    measure: bool = False
    head_apart: bool = False  # a head too tall to share a page: on pages of its own


# --- the measured texts ----------------------------------------------------------


@dataclass
class SideText:
    """One side of one segment as measured: its block, its extent, its
    lines' extents and where each line starts and ends in the block's
    printed text (None: the lines could not be matched, the segment is
    not cut), the notes each line calls (keys) and their heights."""

    block: Block
    indent: bool
    extent: Extent
    lines: list[Extent]
    spans: list[tuple[int, int]] | None
    notes_by_line: list[list[str]]

    def height(self, a: int, b: int) -> float:
        """The height of lines a..b (b excluded) printed as one block."""
        n = len(self.lines)
        if not n:
            return self.extent.height if a == 0 and b >= 1 else 0.0
        top = self.extent.top if a == 0 else self.lines[a].top
        bottom = self.extent.bottom if b >= n else self.lines[b - 1].bottom
        return max(0.0, bottom - top)

    def notes(self, a: int, b: int) -> list[str]:
        if not self.lines:
            return [k for keys in self.notes_by_line for k in keys]
        return [k for keys in self.notes_by_line[a:b] for k in keys]

    @property
    def count(self) -> int:
        return max(1, len(self.lines))

    def cut_offset(self, k: int) -> int:
        """Where in the block's printed text a cut after line k (1-based
        count) falls: the end of the line, or, for a line that ends inside a
        word (hyphenated; only a pair that must take a line at least cuts
        there), the space before that word, never inside it."""
        assert self.spans is not None
        first, end = self.spans[k - 1]
        if self.clean_end(k):
            return end
        space = piece_text(self.block.pieces).rfind(" ", first, end)
        return space if space > first else end

    def clean_end(self, k: int) -> bool:
        """Whether a cut after line k (1-based count) falls between words."""
        if self.spans is None or not 0 < k < len(self.lines):
            return k >= len(self.lines)
        text = piece_text(self.block.pieces)
        end = self.spans[k - 1][1]
        return end >= len(text) or text[end].isspace() or (end > 0 and text[end - 1].isspace())


@dataclass
class DocumentText:
    """A facing document as measured: per segment the verso's and the
    recto's text (None where a side lacks it), the height its head and
    labels take on the first pair, and the notes of its head."""

    number: int
    rows: list[dict[str, SideText | None]]
    first_top: float
    spacer: float
    head_notes: list[str]
    note_heights: dict[str, float] = field(default_factory=dict)
    head_apart: bool = False


def px(length: str) -> float:
    """A CSS length of the page formats ("15mm", "6in", "9.5pt") in CSS pixels."""
    match = re.fullmatch(r"([\d.]+)(mm|cm|in|pt|px)", length.strip())
    if not match:
        raise ValueError(f"not a length: {length!r}")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0, "pt": 96 / 72, "px": 1.0}[unit]


def page_height(page: PageFormat) -> float:
    """The height of the text area of a page (px): the footnotes' included."""
    return px(page.size.split()[1]) - px(page.top) - px(page.bottom)


def _indents(doc: DocumentView) -> list[bool]:
    return [row.kind == "paragraph" and i > 0 and doc.rows[i - 1].kind == "paragraph" for i, row in enumerate(doc.rows)]


def note_key(note: Footnote) -> str:
    """A footnote's name in the measuring layout: its element id, or an
    apparatus entry's key."""
    return note.anchor or note.entry


def calls(pieces: Sequence[Piece]) -> list[tuple[int, Footnote]]:
    """(offset in the printed text of the word a note is called on, note)."""
    out: list[tuple[int, Footnote]] = []
    pos = 0
    for piece in pieces:
        if isinstance(piece, Run):
            pos += len(piece.text)
        elif isinstance(piece, Bound):
            pos += sum(len(r.text) for r in piece.head) + sum(len(r.text) for r in piece.runs)
            out.extend((max(pos - 1, 0), note) for note in piece.notes)
    return out


def cut_pieces(pieces: Sequence[Piece], at: int) -> tuple[tuple[Piece, ...], tuple[Piece, ...]]:
    """The pieces before and after offset `at` of their printed text (a
    word bound to its notes is never cut: it goes whole to the side where
    it starts); spaces at the cut are dropped."""
    before: list[Piece] = []
    after: list[Piece] = []
    pos = 0
    for piece in pieces:
        length = len(piece_text([piece]))
        if pos + length <= at:
            before.append(piece)
        elif pos >= at or isinstance(piece, Bound):
            (before if isinstance(piece, Bound) and pos < at else after).append(piece)
        else:
            cut = at - pos
            before.append(replace(piece, text=piece.text[:cut]))
            after.append(replace(piece, text=piece.text[cut:]))
        pos += length
    return _trimmed(before, end=True), _trimmed(after, end=False)


def _trimmed(pieces: list[Piece], end: bool) -> tuple[Piece, ...]:
    if not pieces:
        return ()
    k = -1 if end else 0
    piece = pieces[k]
    if isinstance(piece, Run):
        text = piece.text.rstrip() if end else piece.text.lstrip()
        pieces[k] = replace(piece, text=text)
        if not text:
            pieces.pop(k)
    return tuple(pieces)


# --- planning --------------------------------------------------------------------


def plan_pairs(
    doc: DocumentText, height: float, room: Sequence[float] = (), note_line: float = 0.0
) -> list[list[tuple[int, dict[str, tuple[int, int]]]]]:
    """The pairs of a document: for each, the segments it prints, each with
    the lines (a, b) of each side it holds. `room[k]`, the share of a page
    that pair k may fill (1: all of it; less for a pair that ran over).

    A note too long for the room under its call goes on at the foot of the
    next page of its side (weasy/continued.py): its call ends the text of
    the pair (the note takes all the room under it), and the next pairs
    keep the room its rest takes on that side, at most all but the share
    of a page the text keeps there (`TEXT_KEPT`); the other side's page is
    left short. Pairs of notes alone follow a document whose last note is
    still running on. `note_line`, the height of a line of notes (px)."""

    def share(k: int) -> float:
        return room[k] if k < len(room) else 1.0

    pairs: list[list[tuple[int, dict[str, tuple[int, int]]]]] = []
    i = 0
    done = {s: 0 for s in SIDES}  # lines of row i printed on the pairs before
    carry = {s: 0.0 for s in SIDES}  # height of the notes running on to this pair's page of each side
    most = (1.0 - TEXT_KEPT) * height  # the most a page's notes take when they open it with a note running on
    while i < len(doc.rows) or any(carry.values()):
        k = len(pairs)
        cap = height * share(k) - (doc.first_top if k == 0 else 0.0)
        page = _Pages(doc, note_line)
        for s in SIDES:  # the notes running on lead this page's notes
            if carry[s] and carry[s] + NOTE_AREA > most:
                page.carried[s], page.closed[s] = most - NOTE_AREA, True
                carry[s] = carry[s] - page.carried[s] + note_line
            else:
                page.carried[s], carry[s] = carry[s], 0.0
        if k == 0:
            page.notes["v"] = list(doc.head_notes)
        held: list[tuple[int, dict[str, tuple[int, int]]]] = []
        over: list[dict[str, float]] = []  # for each held, the height its notes run on by
        while i < len(doc.rows):
            row = doc.rows[i]
            sides = {s: t for s, t in row.items() if t is not None and done[s] < t.count}
            whole = {s: (done[s], t.count) for s, t in sides.items()}
            fitted = page.fit(sides, whole, cap)
            if fitted is not None and not any(fitted.values()):
                page.hold(sides, whole)
                held.append((i, whole))
                over.append(fitted)
                i += 1
                done = {s: 0 for s in SIDES}
                continue
            # Too long for what is left of this pair: whole on the next one,
            # unless it fits no page; then cut, both sides in proportion.
            headings = all(_is_heading(doc, h) for h in held)  # a pair of headings alone would not do
            if held and not headings and _Pages(doc, note_line).fit(sides, whole, height * share(k + 1)) == {s: 0.0 for s in sides}:
                break
            if fitted is not None:  # whole, with a note that runs on: the pair ends with it
                cut: dict[str, tuple[int, int]] | None = whole
            else:
                cut = _cut(sides, page, cap, done)
            if cut is None:
                if held or any(page.carried.values()):
                    break  # (a pair of notes running on, and no text)
                cut = {s: (a, min(a + 1, b)) for s, (a, b) in whole.items()}  # a line at least
            held.append((i, cut))
            over.append(page.fit(sides, cut, cap) or {})
            for s, (_, b) in cut.items():
                done[s] = b
            if all(done[s] >= t.count for s, t in sides.items()):
                i += 1
                done = {s: 0 for s in SIDES}
            break
        # A heading does not end a pair: it goes on with its text.
        while len(held) > 1 and i < len(doc.rows) and _is_heading(doc, held[-1]):
            i = held.pop()[0]
            over.pop()
            done = {s: 0 for s in SIDES}
        for ran in over:
            for s, height_on in ran.items():
                carry[s] += height_on
        pairs.append(held)
    return pairs


@dataclass
class _Pages:
    """What a pair's two pages hold so far while it is planned: text
    height, the notes called (keys), the height of the notes running on
    from the page before of the same side, and whether those fill the
    page's notes (`closed`: no note of the text's own fits under them)."""

    doc: DocumentText
    note_line: float
    used: dict[str, float] = field(default_factory=lambda: {s: 0.0 for s in SIDES})
    notes: dict[str, list[str]] = field(default_factory=lambda: {s: [] for s in SIDES})
    carried: dict[str, float] = field(default_factory=lambda: {s: 0.0 for s in SIDES})
    closed: dict[str, bool] = field(default_factory=lambda: {s: False for s in SIDES})

    def notes_height(self, side: str, keys: Sequence[str]) -> float:
        heights = self.doc.note_heights
        own = sum(heights.get(k, 0.0) for k in dict.fromkeys(keys))
        return NOTE_AREA + self.carried[side] + own if keys or self.carried[side] else 0.0

    def fit(self, sides: dict[str, SideText], ranges: dict[str, tuple[int, int]], room: float) -> dict[str, float] | None:
        """For each side, the height by which its notes run on to its next
        page if it also held `ranges` (0: they fit); None if it cannot hold
        them (the text reaches into the notes, or a note running on could
        not leave its first lines under its call, or would not end the
        page's text)."""
        out = {}
        for s, (a, b) in ranges.items():
            text = sides[s]
            new = text.notes(a, b)
            if self.closed[s] and new:
                return None
            h = self.used[s] + text.height(a, b)
            keys = self.notes[s] + new
            excess = h + self.notes_height(s, keys) - room
            if excess <= 0:
                out[s] = 0.0
                continue
            last = text.notes_by_line[b - 1] if text.lines and b > 0 else []
            if not last:
                return None
            runs_on = max(last, key=lambda key: self.doc.note_heights.get(key, 0.0))
            others = self.notes_height(s, [key for key in keys if key != runs_on]) or NOTE_AREA
            if room - h - others < ORPHAN_LINES * self.note_line:
                return None
            out[s] = excess + self.note_line  # a line more: the note is cut at the end of a line
        return out

    def hold(self, sides: dict[str, SideText], ranges: dict[str, tuple[int, int]]) -> None:
        for s, (a, b) in ranges.items():
            self.used[s] += sides[s].height(a, b)
            self.notes[s] += sides[s].notes(a, b)


def _is_heading(doc: DocumentText, held: tuple[int, dict[str, tuple[int, int]]]) -> bool:
    i, ranges = held
    return any(t is not None and t.block.kind == "heading" for t in doc.rows[i].values()) and all(a == 0 for a, _ in ranges.values())


def _cut(sides, page: _Pages, cap: float, done) -> dict[str, tuple[int, int]] | None:
    """The lines of a segment's sides that fit what is left of a pair, cut
    at the same share of each side's lines, each after a line that ends a
    word; None when no line of any side fits."""
    share = 1.0
    for s, text in sides.items():
        a = done[s]
        fit = a
        while fit < text.count and page.fit({s: text}, {s: (a, fit + 1)}, cap) is not None:
            fit += 1
        share = min(share, fit / text.count)
    out = {}
    for s, text in sides.items():
        a = done[s]
        b = max(a, math.floor(share * text.count + 1e-9))
        while b > a and not text.clean_end(b):
            b -= 1
        out[s] = (a, b)
    if all(b == a for a, b in out.values()):
        return None
    return out


def spreads_of(doc: DocumentText, pairs) -> tuple[Spread, ...]:
    """The pairs as the template prints them: each segment's lines of a
    pair as a block of their own when the segment is cut."""
    out = []
    for held in pairs:
        pages: dict[str, list[Portion]] = {"v": [], "r": []}
        for i, ranges in held:
            for s, (a, b) in ranges.items():
                if b <= a:
                    continue
                text = doc.rows[i][s]
                assert text is not None
                pages[s].append(_portion(text, a, b, f"{doc.number}-{s}-{i}"))
        out.append(Spread(tuple(pages["v"]), tuple(pages["r"])))
    return tuple(out)


def _portion(text: SideText, a: int, b: int, key: str) -> Portion:
    block = text.block
    n = len(text.lines)
    if not n or (a == 0 and b >= n) or text.spans is None:
        return Portion(block, key, indent=text.indent)
    start = text.cut_offset(a) if a > 0 else 0
    end = text.cut_offset(b) if b < n else None
    pieces: tuple[Piece, ...] = tuple(block.pieces)
    if end is not None:
        pieces, _ = cut_pieces(pieces, end)
    if start:
        _, pieces = cut_pieces(pieces, start)
    return Portion(replace(block, pieces=pieces), key, indent=text.indent and a == 0, cont=a > 0, cut=b < n)


# --- measuring ----------------------------------------------------------------------


def facing_documents(view: VolumeView) -> list[DocumentView]:
    """The documents printed in facing pages: those with both texts."""
    return [d for d in view.documents if len(d.columns) == 2]


def measuring_plans(view: VolumeView) -> dict[int, FacingPlan]:
    """Each facing document's texts whole, on one pair: the measuring layout."""
    plans = {}
    for doc in facing_documents(view):
        indents = _indents(doc)
        sides: dict[str, list[Portion]] = {"v": [], "r": []}
        for i, row in enumerate(doc.rows):
            for s, cell in zip(SIDES, row.cells):
                if cell is not None:
                    sides[s].append(Portion(cell, f"{doc.number}-{s}-{i}", indent=indents[i]))
        plans[doc.number] = FacingPlan((Spread(tuple(sides["v"]), tuple(sides["r"])),), measure=True)
    return plans


def measured_documents(view: VolumeView, found: Measured, height: float) -> dict[int, DocumentText]:
    """The facing documents as the measuring layout set them, on pages
    whose text area is `height` px tall."""
    out = {}
    for doc in facing_documents(view):
        n = doc.number
        indents = _indents(doc)
        rows: list[dict[str, SideText | None]] = []
        for i, row in enumerate(doc.rows):
            sides: dict[str, SideText | None] = {}
            for s, cell in zip(SIDES, row.cells):
                extent = found.boxes.get(f"{n}-{s}-{i}")
                if cell is None or extent is None:
                    sides[s] = None
                    continue
                laid = found.lines.get((n, cell.layer, cell.id), [])
                text = piece_text(cell.pieces)
                try:
                    spans: list[tuple[int, int]] | None = match_lines(text, [t for t, _ in laid]) if laid else None
                except LineMismatch:
                    spans = None
                by_line: list[list[str]] = [[] for _ in laid] or [[]]
                for offset, note in calls(cell.pieces):
                    line = 0
                    for j, (a, _) in enumerate(spans or []):
                        if a <= offset:
                            line = j
                    by_line[min(line, len(by_line) - 1)].append(note_key(note))
                sides[s] = SideText(cell, indents[i], extent, [e for _, e in laid], spans, by_line)
            rows.append(sides)
        page_v, page_r = found.boxes.get(f"page-{n}-v"), found.boxes.get(f"page-{n}-r")
        text_v, text_r = found.boxes.get(f"text-{n}-v"), found.boxes.get(f"text-{n}-r")
        if None in (page_v, page_r, text_v, text_r):
            raise EditionError.at(
                f"facing pages: the measuring layout lost document {doc.id!r}",
                hint="an edition's own templates must keep facing-document.html.j2's data-measure marks",
            )
        assert page_v and page_r and text_v and text_r
        # From the top of the page's text area, where the recto's page begins
        # (the verso's head may carry its first margin out of its page's box).
        top_v, top_r = text_v.top - page_r.top, text_r.top - page_r.top
        head_notes = [note_key(note) for _, note in calls(doc.title) + calls(doc.date or ())]
        if top_v > height * HEAD_SHARE:
            # A long headnote or source note: the head is printed on pages
            # of its own, and the first pair begins on the next left page.
            out[n] = DocumentText(n, rows, top_r, 0.0, [], found.notes, head_apart=True)
        else:
            out[n] = DocumentText(n, rows, max(top_v, top_r), max(0.0, top_v - top_r), head_notes, found.notes)
    return out


# --- laying out -----------------------------------------------------------------------


def _facing_template(templates: list[Path]):
    css, css_file, _ = load_templates(templates, STYLESHEET, [])
    extra, extra_file, (template,) = load_templates(templates, FACING_CSS, [TEMPLATE])
    for text, where in ((css, css_file), (extra, extra_file)):
        if "</style" in text.lower():
            raise EditionError.at("a stylesheet must not contain '</style'", where)
    return template, css + "\n" + extra


def facing_html(template, css: str, view: VolumeView, plans: dict[int, FacingPlan], extra_css: str = "") -> str:
    from markupsafe import Markup

    from .templating import render

    return render(template, volume=view, stylesheet=Markup(css + ("\n" + extra_css if extra_css else "")), facing=plans)


def measuring_css(view: VolumeView) -> str:
    """Pages as wide as the volume's and tall enough for the longest text
    on one page; the apparatus's entries one under the other, each
    measured (never less than the run-on paragraph they print in)."""
    width = view.page.size.split()[0]
    longest = max((len(piece_text(c.pieces)) for d in facing_documents(view) for r in d.rows for c in r.cells if c), default=0)
    chars = sum(len(piece_text(c.pieces)) for d in facing_documents(view) for r in d.rows for c in r.cells if c)
    tall = max(20000.0, 2.0 * (chars + longest) + 5000.0)  # px: a line of 30 characters is under 60 px
    return f"@page {{ size: {width} {tall:.0f}px; }}\n.fn-apparatus {{ footnote-display: block; }}"


def out_of_step(document, plans: dict[int, FacingPlan], heads: dict[int, list[str]]) -> dict[int, set[int]]:
    """The pairs (document number → indexes) that are not in step in a
    laid-out volume: a verso not on a left page, a recto not on the page
    after it, a page that ran over, a note not on its call's page or
    running on to a page of the other side (`heads`: the notes of each
    document's head, on its first verso)."""
    pages = anchor_pages(document)
    parts = note_pages(document)
    wrong: dict[int, set[int]] = {}
    for n, plan in plans.items():
        last = pages.get(f"fp-{n}-{len(plan.spreads)}-r")
        for k, spread in enumerate(plan.spreads, start=1):
            v = pages.get(f"fp-{n}-{k}-v")
            ends = [pages.get(f"fp-{n}-{k}-v-end"), pages.get(f"fp-{n}-{k}-r"), pages.get(f"fp-{n}-{k}-r-end")]
            ok = v is not None and v % 2 == 0 and ends == [v, v + 1, v + 1]
            if ok and v is not None:
                noted = [(v, a) for a in heads.get(n, ())] if k == 1 and not plan.head_apart else []
                for page, side in ((v, spread.verso), (v + 1, spread.recto)):
                    for note in (note for portion in side for _, note in calls(portion.block.pieces)):
                        if note.anchor:
                            noted.append((page, note.anchor))
                        # a note running on: on the pages of its side, within the document's pairs
                        ran = parts.get(note_key(note), ())
                        ok = ok and all(p >= page and (p - page) % 2 == 0 and last is not None and p <= last for p in ran)
                ok = ok and all(pages.get(anchor, page) == page for page, anchor in noted)
            if not ok:
                wrong.setdefault(n, set()).add(k - 1)
    return wrong


def _heads(view: VolumeView) -> dict[int, list[str]]:
    return {d.number: [note.anchor for _, note in calls(d.title) + calls(d.date or ()) if note.anchor] for d in facing_documents(view)}


def front_css(front: int) -> str:
    """The rule that counts the first `front` pages in roman figures, blank
    ones included (facing.css counts a blank page between documents)."""
    if not front:
        return ""
    pages = ", ".join(f":nth({k})" for k in range(1, front + 1))
    return f"@page {pages} {{ counter-increment: page 0 front-matter; }}"


def build(edition: Edition, templates: list[Path], lap: Laps, *, register=None, progress: Progress | None = None) -> Printed:
    """The volume in facing pages, laid out in this process (see the
    module's docstring): measured, planned, laid out and checked, then
    numbered, with the apparatus's labels and the index's references."""
    import dataclasses

    import weasyprint

    if edition.line_numbers == "document":
        # Each page numbers its own lines: a reference carries its page ("12.5").
        edition = dataclasses.replace(edition, line_numbers="page")
    tell = progress or (lambda stage, done, total: None)
    volume = render_volume(edition, templates, register=register)
    template, css = _facing_template(templates)
    fetcher = make_fetcher(templates)
    base_url = volume.base_dir.as_uri() + "/"
    lap("html")

    def layout(html: str, stage: str):
        tell(stage, 0, None)
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()

    with building() as build_:
        measured = layout(facing_html(template, css, volume.view, measuring_plans(volume.view), measuring_css(volume.view)), "measuring")
        found = measure(measured)
        # The measuring pages are taller, but the front matter breaks its
        # pages where the volume's do: its page count is the first guess of
        # the front's, which the layout below checks.
        front = front_pages(measured)
        del measured
        lap("measure")
        height = page_height(volume.view.page)
        note_line = px(volume.view.page.font_size) * NOTE_LINE
        texts = measured_documents(volume.view, found, height)
        room: dict[int, list[float]] = {n: [] for n in texts}

        def plans_now() -> dict[int, FacingPlan]:
            return {
                n: FacingPlan(spreads_of(t, plan_pairs(t, height, room[n], note_line)), t.spacer, head_apart=t.head_apart)
                for n, t in texts.items()
            }

        plans = plans_now()
        document = None
        for _ in range(ATTEMPTS + 1):
            document = layout(facing_html(template, css, volume.view, plans, front_css(front)), "laying out pages")
            wrong = out_of_step(document, plans, _heads(volume.view))
            if not wrong:
                if front_pages(document) == front:
                    break
                front = front_pages(document)  # their folios only: the pairs stay
                continue
            for n, pairs in wrong.items():
                shares = room[n] + [1.0] * (len(plans[n].spreads) - len(room[n]))
                for k in pairs:
                    shares[k] *= SHRINK
                room[n] = shares
            plans = plans_now()
        else:
            raise EditionError.at(
                "facing pages: the original and the translation could not be kept in step "
                + ", ".join(f"(document {volume.view.documents[n - 1].id!r}, pair {min(k) + 1})" for n, k in wrong.items()),
                hint="report the document; meanwhile print it with `layout: parallel`",
            )
        lap("layout")
        assert document is not None
        css += "\n" + front_css(front)
        printed = _finish(edition, templates, volume, document, plans, template, css, layout, register, lap, build_.log)
    return printed


def _finish(
    edition, templates, volume: RenderedVolume, document, plans, template, css, layout: Callable, register, lap: Laps, log
) -> Printed:
    """Line numbers per page on each side, the apparatus's labels, the
    index's references (a second layout, which must keep every pair where
    the first put it), the PDF."""
    register = register if register is not None else edition.register
    reading = Reading(document)
    numbering = number_lines(reading.laid, volume.blocks, per_page=True)
    warnings: list[str] = []
    if volume.back_references:
        pages = page_folios(document)
        refs = index_references(edition, register, numbering.lines, anchor_pages(document), pages, by_line=edition.index == "lines")
        keyed = render_volume(edition, templates, register=register, apparatus_lines=numbering.lines, index_refs=refs, folios=pages)
        again = layout(facing_html(template, css, keyed.view, plans), "laying out numbered pages")
        lap("layout (numbered)")
        if out_of_step(again, plans, _heads(keyed.view)):
            raise EditionError.at(
                "facing pages: the index and the apparatus moved the pairs out of step",
                hint="report the document; meanwhile print it with `layout: parallel`",
            )
        document, volume = again, keyed
        reading = Reading(document)
        numbering = number_lines(reading.laid, volume.blocks, per_page=True)
        if edition.index != "none":
            warnings.extend(not_indexed(edition, register, refs))
    stamp_labels(document, foot_labels(volume.foot, numbering.lines))
    if volume.line_numbers:
        warnings.extend(unprinted(stamp_numbers(reading, per_page=True), numbering))
        warnings.extend(unmarked(reading.laid, volume.blocks))
    warnings.extend(numbering.warnings)
    warnings.extend(overfull(reading.laid, volume.blocks))
    printed = printed_whole(
        document,
        edition.pdf_variant,
        numbering.lines,
        volume.footnotes,
        log,
        volume.warnings + warnings,
        facing_html(template, css, volume.view, plans),
    )
    lap("pdf")
    return printed
