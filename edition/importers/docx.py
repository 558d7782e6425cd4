"""Word (.docx) deliveries: body paragraphs with their kind (headings,
list paragraphs, quotations by style), and the file's footnotes, which
become translator's notes anchored after the word that carries the call."""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import EditionError
from ..model import SegmentKind
from ..text import tidy_space
from .base import Delivery, FileNote, Paragraph, checksum, note_after

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_PART_BYTES = 64 * 1024 * 1024


def read_delivery(path: Path) -> Delivery:
    import docx  # python-docx: loaded only for Word files
    from docx.opc.exceptions import PackageNotFoundError

    path = Path(path)
    if not zipfile.is_zipfile(path):
        raise EditionError.at("not a Word file (.docx is a zip package)", path, hint="save it again as .docx from the word processor")
    try:
        with zipfile.ZipFile(path) as package:
            total = sum(info.file_size for info in package.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        # is_zipfile only looks for the end record; a damaged central
        # directory fails here (hardening, issue 7: it was a traceback).
        raise EditionError.at(f"not a readable Word file ({exc})", path, hint="save it again as .docx") from None
    if total > MAX_PART_BYTES:
        raise EditionError.at("the Word file unpacks to more than 64 MiB", path, hint="split it into several files")
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise EditionError.at(f"not a readable Word file ({exc})", path, hint="save it again as .docx") from None
    except Exception as exc:  # lxml errors inside a broken package
        raise EditionError.at(f"not a readable Word file ({type(exc).__name__})", path, hint="save it again as .docx") from None
    try:
        return _delivery(document, path)
    except Exception as exc:
        # python-docx reads parts lazily: a damaged one (styles without their
        # defaults, a mangled footnotes part) fails only here (hardening,
        # issue 7: AttributeError from inside python-docx was a traceback).
        raise EditionError.at(f"not a readable Word file ({type(exc).__name__})", path, hint="save it again as .docx") from None


def _delivery(document, path: Path) -> Delivery:
    footnotes = _footnotes(document)
    delivery = Delivery(name=path.name, sha256=checksum(path))
    for paragraph in document.paragraphs:
        text, calls = _text_and_calls(paragraph._p)
        text = tidy_space(text)
        if not text:
            continue
        index = len(delivery.paragraphs)
        delivery.paragraphs.append(Paragraph(text, _kind(paragraph)))
        for offset, note_id in calls:
            phrase, occurrence = note_after(text, min(offset, len(text)))
            delivery.notes.append(FileNote(index, phrase, footnotes.pop(note_id, ""), occurrence))
    for text in footnotes.values():  # footnotes never called: keep them
        delivery.notes.append(FileNote(-1, "", text))
    return delivery


def _text_and_calls(element) -> tuple[str, list[tuple[int, str]]]:
    """The paragraph's text, italics as `*…*` (the model's emphasis), and
    the offsets of its footnote references."""
    text, calls, emphasis = "", [], False

    def close() -> None:
        nonlocal text, emphasis
        if emphasis:
            kept = text.rstrip()
            text, emphasis = kept + "*" + text[len(kept) :], False

    for node in element.iter():
        if node.tag == f"{W}t":
            piece = node.text or ""
            italic = _italic(node.getparent())
            if italic and not emphasis and piece.strip():
                lead = len(piece) - len(piece.lstrip())
                text, piece, emphasis = text + piece[:lead] + "*", piece[lead:], True
            elif not italic and emphasis and piece:
                close()
            text += piece
        elif node.tag in (f"{W}tab", f"{W}br", f"{W}cr"):
            text += " "
        elif node.tag == f"{W}footnoteReference":
            close()
            calls.append((len(text.rstrip()), node.get(f"{W}id")))
    close()
    return text, calls


def _italic(run) -> bool:
    """Whether Word shows the run in italics: direct formatting (`w:i`,
    unless switched off) or the character style Emphasis."""
    properties = run.find(f"{W}rPr") if run is not None else None
    if properties is None:
        return False
    flag = properties.find(f"{W}i")
    if flag is not None:
        return flag.get(f"{W}val", "true").lower() not in ("0", "false", "off")
    style = properties.find(f"{W}rStyle")
    return style is not None and style.get(f"{W}val", "").lower() in ("emphasis", "italic")


def _footnotes(document) -> dict[str, str]:
    from docx.oxml import parse_xml  # python-docx's parser: no entities, no network

    part = next((p for p in document.part.package.iter_parts() if str(p.partname) == "/word/footnotes.xml"), None)
    if part is None:
        return {}
    root = parse_xml(part.blob)
    notes = {}
    for footnote in root.iter(f"{W}footnote"):
        if footnote.get(f"{W}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        text = " ".join(_text_and_calls(p)[0] for p in footnote.iter(f"{W}p"))
        notes[footnote.get(f"{W}id")] = tidy_space(text)
    return notes


def _kind(paragraph) -> SegmentKind:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    lowered = style.lower()
    if lowered.startswith(("heading", "title")):
        return SegmentKind.HEADING
    if "list" in lowered or paragraph._p.pPr is not None and paragraph._p.pPr.numPr is not None:
        return SegmentKind.LIST_ITEM
    if "quote" in lowered:
        return SegmentKind.QUOTATION
    if "signature" in lowered:
        return SegmentKind.SIGNATURE
    return SegmentKind.PARAGRAPH
