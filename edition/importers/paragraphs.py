"""A new document from a file of paragraphs (Markdown, Word): the same
document a plain-text file of the same text gives. The head is read as in a
.txt file (a title and a dateline, in either order, unless the Markdown
front matter states them); the other paragraphs keep the kind the file
marks (heading, list item, quotation); footnotes become the editor's
numbered notes at their place."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import EditionError
from ..model import LANG_RE, Anchor, Document, Layer, LayerRole, Note, NoteKind, Segment
from ..text import language_code, parse_date
from .base import Delivery
from .ids import document_id, make_unique, title_slug
from .text import ImportResult, _mark_letter_parts

# Front-matter fields a new document may state (a translation's are in markdown.META_FIELDS).
DOCUMENT_FIELDS = (
    "id", "title", "number", "date", "lang", "collection", "author", "recipient", "place", "type",
    "summary", "citation", "publication", "source_url", "credit", "rights",
)  # fmt: skip
_ID = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$")


def document(delivery: Delivery, path: Path, *, lang: str = "en") -> ImportResult:
    """The document held in `delivery` (read from `path`)."""
    meta = dict(delivery.meta)
    lang = _language(meta.get("lang"), lang, path)
    result = ImportResult(documents=[])
    doc = Document(id="", title=meta.get("title") or "")
    doc.number = meta.get("number")
    for key in ("collection", "author", "recipient", "place", "summary", "citation", "publication", "source_url", "credit", "rights"):
        setattr(doc, key, meta.get(key))
    doc.doc_type = meta.get("type")
    if meta.get("date"):
        doc.date = parse_date(meta["date"])
        if doc.date is None:
            raise EditionError.at(
                f"'{meta['date']}' in the front matter is not a date", path, *_field_at(path, "date"),
                hint="write it as an editor would: 26 January 1956, 1956-01-26, [not later than 1956]",
            )  # fmt: skip
    paragraphs = list(delivery.paragraphs)
    places: dict[int, str] = {}  # paragraph index → "title" / "date" / segment id
    index = 0
    for _ in range(2):  # the head: a title and a dateline, in either order
        if index >= len(paragraphs):
            break
        text = paragraphs[index].text
        if doc.date is None and parse_date(text) is not None:
            doc.date = parse_date(text)
            places[index] = "date"
        elif not doc.title:
            doc.title = text
            places[index] = "title"
        else:
            break
        index += 1
    if not doc.title:
        doc.title = "(untitled)"
        result.warnings.append(f"{path.name}: the document has no title: it was called '(untitled)'")
    for number, paragraph in enumerate(paragraphs):
        if number in places:
            continue
        segment = Segment(id=f"p{len(doc.segments) + 1}", kind=paragraph.kind, text={"": paragraph.text})
        places[number] = segment.id
        doc.segments.append(segment)
    _mark_letter_parts(doc)  # "Comrade Editor," and the signature, as in a .txt file
    for segment in doc.segments:
        segment.text = {lang: segment.text[""]}
    doc.layers.append(Layer(id=lang, lang=lang, role=LayerRole.ORIGINAL))
    for label, note in enumerate(delivery.notes, start=1):
        place = places.get(note.paragraph)
        anchor = Anchor(lang, place, note.phrase, note.occurrence) if place is not None else None
        doc.notes.append(Note(id=f"n{label}", kind=NoteKind.FOOTNOTE, text=note.text, anchor=anchor, label=str(label)))
        if anchor is None:
            result.warnings.append(f"{path.name}: footnote {label} has no call in the text; it was kept as a note on the whole document")
    if not doc.segments:
        result.warnings.append(f"'{doc.title}': no body text was found")
    given = meta.get("id")
    if given is not None and not _ID.match(given):
        raise EditionError.at(
            f"'{given}' in the front matter is not a document id", path, *_field_at(path, "id"),
            hint="an id is lowercase letters and digits in words joined by '-' (e.g. frus-1956-d22)",
        )  # fmt: skip
    date_iso = doc.date.iso if doc.date else None
    doc.id = given or document_id(doc.title if title_slug(doc.title) else "", date_iso=date_iso, fallback=path.stem)
    result.documents.append(doc)
    make_unique(result.documents)
    return result


def _field_at(path: Path, key: str) -> tuple[int | None, int | None]:
    """The line and column of a front-matter field, for messages."""
    from ..textfile import read_text

    for number, line in enumerate(read_text(path).split("\n")[1:], start=2):
        if line.rstrip() == "---":
            break
        if line.startswith(f"{key}:"):
            return number, 1
    return None, None


def _language(stated: str | None, default: str, path: Path) -> str:
    if stated is None:
        return default
    code = stated if LANG_RE.match(stated) else language_code(stated)
    if not code:
        raise EditionError.at(
            f"'{stated}' in the front matter is not a language", path, *_field_at(path, "lang"), hint="write a code such as en, ru or de"
        )
    return code
