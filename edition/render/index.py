"""Where each registered name stands in the laid-out volume: the references
of the index of persons and places.

The text carries no anchors for the index (an empty inline element between
two words changes how WeasyPrint breaks a justified line). Instead the first
layout tells where everything fell: a name in a segment stands on the printed
line that holds its offset (the line map of render/lines.py); a name in a
title on the page where its document opens; a name in a note on the page of
the note's element (a footnote is on the page of its call)."""

from __future__ import annotations

from typing import Mapping

from ..model import Edition
from ..names import Register, document_occurrences, matcher
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
) -> dict[str, list[str]]:
    """Register id → the printed references of the name, in page order:
    folios, one a page (or "folio.line", one a line, with `by_line`; a name
    outside the numbered text, in a title or a note, is cited by its page).
    `anchor_pages` gives the 1-based page of each element id; `folios` the
    folio printed on each page. Names in text that is not printed (a layer
    the layout leaves out) are not cited."""
    pattern = matcher(register) if register else None
    if register is None or pattern is None:
        return {}
    places: dict[str, set[tuple[int, int]]] = {}
    for number, doc in enumerate(edition.documents, start=1):
        for occ in document_occurrences(doc, register, pattern):
            on_line = 0
            if occ.place == "title":
                page = anchor_pages.get(f"doc-{number}")
            elif occ.place.startswith("note:"):
                page = anchor_pages.get(note_anchor(number, occ.place[5:]))
            else:
                line = line_at(lines, doc.id, occ.layer, occ.place, occ.start)
                page = line.page if line else None
                on_line = line.number if line and by_line else 0
            if page is not None:
                places.setdefault(occ.name, set()).add((page, on_line))
    out: dict[str, list[str]] = {}
    for name, found in places.items():
        refs: list[str] = []
        for at, on_line in sorted(found):
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
