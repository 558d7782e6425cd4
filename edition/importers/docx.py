"""Word (.docx) deliveries: body paragraphs with their kind (headings,
list paragraphs, quotations by style), and the file's footnotes, which
become translator's notes anchored after the word that carries the call."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from ..errors import EditionError
from ..textfile import LIMITS, human_size, read_bytes, too_large
from ..model import SegmentKind
from ..text import tidy_space
from .base import Delivery, FileNote, Paragraph, checksum, note_after

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CHUNK = 1024 * 1024


def read_delivery(path: Path) -> Delivery:
    document = open_word(path)
    try:
        return _delivery(document, path)
    except Exception as exc:
        # python-docx reads parts lazily: a damaged one (styles without their
        # defaults, a mangled footnotes part) fails only here, with whatever
        # python-docx raises (an AttributeError, say): a message, not a traceback.
        raise EditionError.at(f"not a readable Word file ({type(exc).__name__})", path, hint="save it again as .docx") from None


def open_word(path: Path):
    """The Word file as python-docx's Document, once its size, its packing
    and what it unpacks to are checked (EditionError naming the file)."""
    import docx  # python-docx: loaded only for Word files
    from docx.opc.exceptions import PackageNotFoundError

    path = Path(path)
    if not zipfile.is_zipfile(path):  # reads only the end record
        raise EditionError.at("not a Word file (.docx is a zip package)", path, hint="save it again as .docx from the word processor")
    package = io.BytesIO(read_bytes(path, LIMITS["docx"]))  # the packed file is bounded too
    try:
        _check_unpacked(package, path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, ValueError, EOFError, OSError) as exc:
        # is_zipfile only looks for the end record; a damaged central
        # directory, a member that fails its CRC or a broken deflate stream
        # fails here.
        raise EditionError.at(f"not a readable Word file ({exc})", path, hint="save it again as .docx") from None
    try:
        document = docx.Document(package)
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise EditionError.at(f"not a readable Word file ({exc})", path, hint="save it again as .docx") from None
    except Exception as exc:  # lxml errors inside a broken package
        raise EditionError.at(f"not a readable Word file ({type(exc).__name__})", path, hint="save it again as .docx") from None
    return document


def _check_unpacked(package: io.BytesIO, path: Path) -> None:
    """Unpack every member in pieces of CHUNK bytes, counting what really
    comes out, and stop at the limit: the sizes in a zip's headers are the
    packer's word, and a member that unpacks to more than its header says
    would make a whole-member read (python-docx's) allocate gigabytes."""
    limit = LIMITS["docx"]
    total = 0
    with zipfile.ZipFile(package) as archive:
        for info in archive.infolist():
            if info.file_size > limit.bytes:
                raise too_large(path, f"{info.filename} unpacks to {human_size(info.file_size)}", limit)
            # A copy of the header that allows more than it states, so that
            # the reader does not cut the member short at the stated size.
            unbounded = zipfile.ZipInfo(info.orig_filename, info.date_time)
            for field in ("compress_type", "compress_size", "CRC", "flag_bits", "header_offset", "extra"):
                setattr(unbounded, field, getattr(info, field))
            unbounded.file_size = limit.bytes + 1
            size = 0
            with archive.open(unbounded) as member:
                while chunk := member.read(CHUNK):
                    size += len(chunk)
                    if total + size > limit.bytes:
                        raise too_large(path, f"more than {human_size(limit.bytes)} once unpacked", limit)
                    if size > info.file_size:
                        raise EditionError.at(
                            f"{info.filename} unpacks to more than its zip header says ({human_size(info.file_size)})",
                            path, hint="the file is damaged or made to mislead; save it again as .docx",
                        )  # fmt: skip
            total += size
        package.seek(0)


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
