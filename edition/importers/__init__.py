"""Importers: one module per input format. `read(path)` turns a source file
into model Documents (for `edition import`); `read_delivery(path)` reads a
delivered translation into paragraphs, notes and metadata (for `edition
translation add`). Both pick the format by the file's extension."""

from __future__ import annotations

from pathlib import Path

from ..errors import EditionError
from ..text import nfc_all
from ..textfile import read_text as read_source
from . import text
from .base import Delivery, FileNote, Paragraph, checksum
from .ids import document_id, make_unique
from .text import ImportResult

DOCUMENT_FORMATS = (".txt", ".text", "", ".md", ".markdown", ".docx", ".xml")
DELIVERY_FORMATS = (".txt", ".text", "", ".md", ".markdown", ".docx")


def _unknown(path: Path, formats) -> EditionError:
    known = ", ".join(f for f in formats if f)
    return EditionError.at(f"cannot read '{path.suffix}' files", path, hint=f"save it as one of: {known}")


def read(path: Path, *, lang: str = "en") -> ImportResult:
    """Import the documents in `path`. Raises EditionError for a file that
    cannot be read (wrong encoding, empty, too large, unknown format)."""
    path = Path(path)
    if path.suffix.lower() not in DOCUMENT_FORMATS:
        raise _unknown(path, DOCUMENT_FORMATS)
    suffix = path.suffix.lower()
    if suffix == ".xml":  # TEI P5: the file states its own language
        from .tei import read_tei

        result = read_tei(path, lang=lang)
    elif suffix in (".md", ".markdown", ".docx"):
        result = _paragraph_document(path, suffix, lang)
    else:
        result = text.read_text(read_source(path), lang=lang, name=path.stem)
        if not result.documents:
            raise EditionError.at("no document found in the file", path, 1, 1, hint="the file holds only blank lines")
    result.documents = nfc_all(result.documents)  # XML and Word files may hold NFD
    return result


def _paragraph_document(path: Path, suffix: str, lang: str) -> ImportResult:
    """A Markdown or Word file as a new document (see `paragraphs`)."""
    from . import paragraphs

    if not path.is_file():
        raise EditionError.at("not a file that can be read" if path.exists() else "no such file", path)
    if suffix == ".docx":
        from . import docx

        delivery = docx.read_delivery(path)
    else:
        from . import markdown

        delivery = markdown.read_delivery(path, read_source(path), paragraphs.DOCUMENT_FIELDS)
    if not delivery.paragraphs:
        raise EditionError.at("no document found in the file", path, 1, 1, hint="the file holds no paragraphs")
    return paragraphs.document(delivery, path, lang=lang)


def read_delivery(path: Path) -> Delivery:
    """A translation file's paragraphs, notes and stated metadata."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in DELIVERY_FORMATS:
        raise _unknown(path, DELIVERY_FORMATS)
    if not path.is_file():
        raise EditionError.at("no such file", path)
    if suffix == ".docx":
        from . import docx

        delivery = docx.read_delivery(path)
    elif suffix in (".md", ".markdown"):
        from . import markdown

        delivery = markdown.read_delivery(path, read_source(path))
    else:
        paragraphs = text.read_paragraphs(read_source(path))  # its size is checked before the checksum reads it
        delivery = Delivery(name=path.name, sha256=checksum(path), paragraphs=paragraphs)
    if not delivery.paragraphs:
        raise EditionError.at("the file has no paragraphs", path, hint="check that it is the translation's text")
    return nfc_all(delivery)


__all__ = ["Delivery", "FileNote", "ImportResult", "Paragraph", "document_id", "make_unique", "read", "read_delivery"]
