"""Where each registered name stands in the laid-out volume: the references
of the index of persons and places.

The text carries no anchors for the index (an empty inline element between
two words changes how WeasyPrint breaks a justified line). Instead the first
layout tells where everything fell: a name in a segment stands on the printed
line that holds its offset (the line map of render/lines.py); a name in a
title or dateline on the page where its document opens; a name in the
headnote on the page of its paragraph, in the source note on the page of
the note; a name in a note on the page of the note's element (a footnote is
on the page of its call). Every printed text counts: a name cited only in
a document's summary is in the index."""

from __future__ import annotations

import functools
from typing import Callable, Mapping

from ..model import Document, Edition
from ..names import Occurrence, Register, document_occurrences, matcher
from .html import note_anchor
from .lines import LineMap, line_at


def index_references(
    edition: Edition,
    register: Register | None,
    lines: LineMap,
    anchor_pages: Mapping[str, int],
    folios: list[str],
    *,
    by_line: bool = False,
    found: Callable[[Document, Callable[[], list[Occurrence]]], list[Occurrence]] | None = None,
) -> dict[str, list[str]]:
    """Register id → the printed references of the name, in page order:
    folios, one a page (or "folio.line", one a line, with `by_line`; a name
    outside the numbered text, in the head of a document or a note, is
    cited by its page). `anchor_pages` gives the 1-based page of each
    element id; `folios` the folio printed on each page. Names in text that
    is not printed (a layer the layout leaves out) are not cited.
    `found(doc, find)` gives a document's occurrences: `find()`'s, or the
    same kept from an earlier build (render/viewcache.py)."""
    if register is None:
        return {}
    names = register
    pattern: list = []  # the matcher, made once a document needs it

    def find_in(doc: Document) -> list[Occurrence]:
        if not pattern:
            pattern.append(matcher(names))
        return document_occurrences(doc, names, pattern[0]) if pattern[0] is not None else []

    places: dict[str, set[tuple[int, int]]] = {}
    for number, doc in enumerate(edition.documents, start=1):
        for occ in found(doc, functools.partial(find_in, doc)) if found is not None else find_in(doc):
            where = _where(occ, number, lines, anchor_pages, by_line)
            if where is not None:
                places.setdefault(occ.name, set()).add(where)
    out: dict[str, list[str]] = {}
    for name, seen in places.items():
        refs: list[str] = []
        for at, on_line in sorted(seen):
            folio = folios[at - 1] if 0 < at <= len(folios) else str(at)
            ref = f"{folio}.{on_line}" if on_line else folio
            if ref not in refs:
                refs.append(ref)
        out[name] = refs
    return out


def not_indexed(edition: Edition, register: Register | None, refs: Mapping[str, object]) -> list[str]:
    """The register's names that the printed volume never shows."""
    register = register if register is not None else edition.register
    return [
        f"names.yaml: {name.name!r} ({name.id}) is not printed in the volume under any of its forms; "
        "add the form the text uses, or remove the name"
        for name in (register.names if register else ())
        if name.id not in refs
    ]


def head_anchor(number: int, place: str) -> str | None:
    """The element id of the part of document `number`'s head where an
    occurrence's `place` is printed (see `names.Occurrence`), or None for
    a place in the text or a note."""
    if place in ("title", "place", "date"):
        return f"doc-{number}"
    if place.startswith("summary:"):
        return f"doc-{number}-headnote-{place[8:]}"
    if place == "source":
        return f"doc-{number}-source"
    return None


def _where(occ: Occurrence, number: int, lines: LineMap, anchor_pages: Mapping[str, int], by_line: bool) -> tuple[int, int] | None:
    """(page, line) of one occurrence (line 0: cited by its page), or None
    when it is not printed."""
    head = head_anchor(number, occ.place)
    if head is not None:  # an edition's own templates may lack the ids: its opening page
        page = anchor_pages.get(head, anchor_pages.get(f"doc-{number}"))
    elif occ.place.startswith("note:"):
        page = anchor_pages.get(note_anchor(number, occ.place[5:]))
    else:
        line = line_at(lines, occ.document, occ.layer, occ.place, occ.start)
        return (line.page, line.number if by_line else 0) if line else None
    return (page, 0) if page is not None else None
