"""A translator's kit coming back: the Word table `edition export docx
--kit` wrote (segment id | source | target), filled in by the translator.

A kit is known by its marker line (which document, from which layer into
which language), never by the look of its table; its rows are read by
their segment ids, with no alignment, into the same units an XLIFF file
gives (`edition.importers.xliff`), so that both go through the same checks
when they are stored (`edition.translations.add_xliff`)."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import EditionError, Problem
from ..text import tidy_space
from .base import checksum
from .docx import W, _text_and_calls, open_word
from .xliff import Unit, XliffDelivery, paragraphs_of

KIT_VERSION = 1
# The marker line: which document, from which layer (and its language)
# into which language.
KIT_MARKER = re.compile(
    r"^edition translation kit (?P<version>\d+) · document (?P<document>\S+) · "
    r"from (?P<source>\S+) \((?P<source_lang>\S+)\) · into (?P<target>\S+)$"
)
ID_HEAD = "Segment"  # the head of the id column
EDITORS = "edition"  # the author of the comments a kit carries out (the document's notes)


def kit_marker(doc_id: str, source_layer: str, source_lang: str, target: str) -> str:
    """The marker line of a kit (see KIT_MARKER)."""
    return f"edition translation kit {KIT_VERSION} · document {doc_id} · from {source_layer} ({source_lang}) · into {target}"


def read_kit(path: Path) -> XliffDelivery | None:
    """The rows of a kit as units keyed by segment id; None when the Word
    file is not a kit (it has no marker line). Raises EditionError naming
    the rows that cannot be read (no id, a column missing)."""
    path = Path(path)
    document = open_word(path)
    try:
        return _kit(document, path)
    except EditionError:
        raise
    except Exception as exc:  # python-docx reads parts lazily: a damaged one fails here
        raise EditionError.at(f"not a readable Word file ({type(exc).__name__})", path, hint="save it again as .docx") from None


def _kit(document, path: Path) -> XliffDelivery | None:
    marker = next((m for p in document.paragraphs if (m := KIT_MARKER.match(" ".join(p.text.split())))), None)
    if marker is None:
        return None
    if int(marker["version"]) > KIT_VERSION:
        raise EditionError.at(f"a kit of version {marker['version']}, made by a newer edition", path, hint="upgrade edition to read it")
    table = next((t for t in document.tables if t.rows and _cell_text(t.rows[0].cells[0]) == ID_HEAD), None)
    if table is None:
        raise EditionError.at(
            f"the kit's table (its first column headed '{ID_HEAD}') is gone",
            path,
            hint="export the kit again with `edition export docx DOC --kit` and copy the translation into it",
        )
    delivery = XliffDelivery(
        name=path.name, sha256=checksum(path), source_lang=marker["source"], target_lang=marker["target"],
        originals=[marker["document"]], unit_name="row",
    )  # fmt: skip
    comments = {str(c.comment_id): c for c in document.comments} if _has_comments(document) else {}
    problems = []
    for number, row in enumerate(table.rows[1:], start=2):
        cells = row.cells
        texts = [_cell_text(cell) for cell in cells[:3]]
        if not any(texts):
            continue  # an empty row a word processor added
        if len(cells) < 3:
            problems.append(
                Problem(
                    f"row {number} has {len(cells)} column(s), not 3 (segment, source, translation)",
                    path,
                    hint="keep the kit's three columns",
                )
            )
            continue
        segment_id, source, target = texts
        if not segment_id:
            problems.append(Problem(f"row {number} has no segment id", path, hint="keep the ids of the first column as they were exported"))
            continue
        notes = tuple(("translator", text) for text in _comments_in(row, comments) if text)
        delivery.units.append(Unit(id=segment_id, source=source, target=target or None, state=None, approved=False, notes=notes))
    if problems:
        problems[0] = Problem(problems[0].message + "; nothing was stored", problems[0].path, hint=problems[0].hint)
        raise EditionError(*problems)
    return delivery


def _has_comments(document) -> bool:
    from docx.opc.constants import RELATIONSHIP_TYPE

    return any(rel.reltype == RELATIONSHIP_TYPE.COMMENTS for rel in document.part.rels.values())


def _comments_in(row, comments: dict) -> list[str]:
    """The text of the comments anchored in a row that are not the ones
    the kit carried out (the translator's), italics as `*…*`."""
    out = []
    for reference in row._tr.iter(f"{W}commentReference"):
        comment = comments.get(reference.get(f"{W}id"))
        if comment is None or comment.author.startswith(EDITORS + " ("):
            continue
        out.append(" ".join(tidy_space(_text_and_calls(p._p)[0]) for p in comment.paragraphs).strip())
    return list(dict.fromkeys(out))


def _cell_text(cell) -> str:
    """A cell's text as stored: its paragraphs one a line (blank ones
    dropped), italics as `*…*`."""
    lines = [tidy_space(_text_and_calls(p._p)[0]) for p in cell.paragraphs]
    return paragraphs_of("\n".join(lines))


__all__ = ["EDITORS", "ID_HEAD", "KIT_MARKER", "kit_marker", "read_kit"]
