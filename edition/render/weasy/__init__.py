"""The WeasyPrint room: every patch of a WeasyPrint internal and every read
of its private state lives here, and nowhere else in edition.

- `patches.py`: `building()`, the one context manager a layout of ours
  runs under. It checks the internals, then applies every patch (footnotes
  kept with their calls, the apparatus under the notes, each note measured
  once on its page, long notes continued on the next page, parallel pairs
  level, a line's split into the line and the rest kept for the build,
  the page counter for progress, the margin boxes held back for a part's
  folios), fixes
  SOURCE_DATE_EPOCH and collects WeasyPrint's log;
  all of it is undone when the block ends, even on an error.
- `continued.py`: a note longer than the room left on its page cut where
  the page ends, the rest leading the next page's notes.
- `internals.py`: the private functions we replace or call, each with the
  parameters we rely on, checked by name and signature (`inspect`) before
  a build: a WeasyPrint whose internals changed stops the build with an
  error that says which one changed and what to do.
- `tree.py`: reads of the laid-out tree (`Page._page_box`, its boxes): the
  lines of the text, the line numbers and apparatus labels set into the
  finished pages, the footnotes placed.
- `folios.py`: folios and sides given to a part laid out before its first
  folio was known (`Document._html`, the page boxes).
- `fetcher.py`: the URL fetcher that serves the template folders only.

WeasyPrint is imported inside the functions, never when this package is:
the command line starts without it.

What should go upstream (WeasyPrint 70; pyproject pins weasyprint>=70,<71):

- Footnotes kept on the page of their call (`_calls_kept_with_their_notes`).
  When a line overflows and widows or orphans forbid a break before it,
  WeasyPrint moves the page's footnotes to the next page; a line that then
  fits stays, its notes a page after their calls, and the notes the line
  calls itself are never laid out (on 70.0, without the patch, the volume
  of tests/test_render.py built in one process places 33 of its 34
  footnotes). Upstream, the same machinery is the subject of WeasyPrint#2432
  ("Footnotes and forbidden page breaks can force page breaks too early")
  and WeasyPrint#1564 ("Footnotes are sometimes placed on the page before
  the corresponding footnote call"); the fix belongs in
  `layout.block._linebox_layout`, with our test case.
- A footnote longer than the room left on its page is not split across
  pages (WeasyPrint#1833, open): WeasyPrint draws it off the page.
  `continued.py` cuts it where the page ends and carries the rest to the
  next page's foot under a rule across the full measure (tests/
  test_long_notes.py). Upstream, the footnote area would lay out a
  fragment of a note (`LayoutContext.layout_footnote` with a skip stack,
  as blocks break), and `@footnote` would take a continuation style.
- The footnote area's order (`_apparatus_under_the_notes`): a footnote
  area that orders inline footnotes after block ones would be a CSS
  feature (GCPM footnote-display), not a fix; kept here.
- The footnote area measured again for every note added
  (`LayoutContext._update_footnote_area` lays out all the page's notes each
  time: quadratic in the notes of a page, a third of a note-heavy build).
  `_NoteHeights` lays each block note out once, sets the apparatus's
  run-on paragraph again only from its last line, and measures the area
  with empty blocks of their heights (the same bytes, tests/test_weasy.py);
  upstream, the context could keep the page's laid-out notes and lay out
  only the one added.
- A paragraph's lines split again, by Pango, each time WeasyPrint lays the
  paragraph out again (a page anew for its notes, a table row, a cell
  measured): `_first_lines_kept` keeps each split for the build under the
  text, the width and the style values the split reads (the same bytes,
  tests/test_weasy.py). Upstream, `split_first_line` could be kept per
  layout context the same way, as `strut` already is per font.
"""

from .fetcher import make_fetcher
from .internals import INTERNALS, SUPPORTED, Internal, check_internals, internals_problem
from .patches import REPRODUCIBLE_EPOCH, Build, building
from .tree import Reading, anchor_pages, placed_footnotes, read_lines, stamp_labels, stamp_numbers

__all__ = [
    "INTERNALS",
    "REPRODUCIBLE_EPOCH",
    "SUPPORTED",
    "Build",
    "Internal",
    "Reading",
    "anchor_pages",
    "building",
    "check_internals",
    "internals_problem",
    "make_fetcher",
    "placed_footnotes",
    "read_lines",
    "stamp_labels",
    "stamp_numbers",
]
