"""TEI P5 documents in: the Office of the Historian's *Foreign Relations*
files and the like (`head`, `dateline`, a source note, paragraphs, lists,
quotations, numbered notes at their place) and the files `edition export
tei` writes, which come back as the same model.

Two readings of one format. A file that `edition` wrote (it names the
application in `encodingDesc/appInfo`) holds one `div` per layer and every
model field in the header; its text is taken exactly as written. Any other
TEI file is one document in one original layer: its whitespace is the
encoder's layout and is collapsed, `hi` becomes `*…*` emphasis where the
model can hold it, and every word of its `text` element ends up in a field
of the document (the tests count them).

The parser never expands entities, loads a DTD or touches the network; a
DOCTYPE that declares entities or names an external subset is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from ..errors import EditionError
from ..ids import check_id, is_id
from ..model import (
    ISO_RE,
    LANG_RE,
    Anchor,
    ArchivalRef,
    Certainty,
    DateSpec,
    Document,
    Layer,
    LayerRole,
    Note,
    NoteKind,
    Segment,
    SegmentKind,
    Unaligned,
)
from ..tei_common import APPLICATION, TEI_NS, XML_ID, XML_LANG, default_anchor, occurrence_at
from ..text import MONTHS, parse_date
from ..textfile import LIMITS, read_bytes
from .ids import document_id, xml_id
from .text import ImportResult


_EMPHASIS_RENDS = {"italic", "italics", "underline", "bold", "emphasis"}


def t(tag: str) -> str:
    """The Clark name of a TEI element."""
    return f"{{{TEI_NS}}}{tag}"


def local(node) -> str | None:
    """A TEI element's local name; None for comments, PIs and foreign elements."""
    if not isinstance(node.tag, str) or not node.tag.startswith(f"{{{TEI_NS}}}"):
        return None
    return node.tag[len(TEI_NS) + 2 :]


# --------------------------------------------------------------------------
# Reading the file safely.


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_blank_text=False,
    )


def _line_of(data: bytes, offset: int) -> tuple[int, int]:
    before = data[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1


def parse_tei(data: bytes, path: Path | str) -> etree._Element:
    """The root element of a TEI file's bytes, or an EditionError naming
    the file, the line and what to do. Refuses entity declarations and
    external subsets before parsing, and checks again after."""
    doctype = re.search(rb"<!DOCTYPE", data)
    if doctype:
        end = data.find(b">", doctype.start())
        bracket = data.find(b"[", doctype.start())
        if 0 <= bracket < end or end < 0:
            end = data.find(b"]>", doctype.start())
        head = data[doctype.start() : end if end > 0 else len(data)]
        entity = re.search(rb"<!ENTITY", head)
        if entity:
            line, column = _line_of(data, doctype.start() + entity.start())
            raise EditionError.at(
                "the file declares XML entities, which are refused (they can expand without limit or read other files)",
                path, line, column, hint="remove the DOCTYPE's entity declarations and write the characters themselves",
            )  # fmt: skip
        if re.search(rb"\b(SYSTEM|PUBLIC)\b", head):
            line, column = _line_of(data, doctype.start())
            raise EditionError.at(
                "the DOCTYPE names an external file, which is refused", path, line, column,
                hint="remove the DOCTYPE line: TEI P5 files need none",
            )  # fmt: skip
    parser = _parser()
    try:
        tree = etree.fromstring(data, parser).getroottree()
    except etree.XMLSyntaxError as exc:
        # This parser's own log: the exception's may hold earlier parses' entries.
        entries = [e for e in parser.error_log if e.level_name in ("ERROR", "FATAL")]
        if entries:
            first = entries[0]
            line, column, message = first.line, first.column, first.message
        else:
            (line, column), message = exc.position, str(exc)
        raise EditionError.at(
            f"malformed XML: {message}", path, line or None, column or None,
            hint="fix the markup at that place (an XML editor or `xmllint --noout FILE` shows it too)",
        ) from None  # fmt: skip
    docinfo = tree.docinfo
    dtd = docinfo.internalDTD
    if docinfo.system_url or docinfo.public_id or (dtd is not None and list(dtd.iterentities())):
        raise EditionError.at(
            "the DOCTYPE declares entities or an external file, which are refused", path, 1, 1,
            hint="remove the DOCTYPE: TEI P5 files need none",
        )  # fmt: skip
    root = tree.getroot()
    if root.tag not in (t("TEI"), t("teiCorpus")):
        namespace = etree.QName(root).namespace
        found = f"<{etree.QName(root).localname}> in namespace '{namespace}'" if namespace else f"<{root.tag}> in no namespace"
        raise EditionError.at(
            f"not a TEI P5 file: the root element is {found}", path, root.sourceline, None,
            hint=f'a TEI P5 file starts with <TEI xmlns="{TEI_NS}">',
        )  # fmt: skip
    return root


def read_tei(path: Path, *, lang: str = "en") -> ImportResult:
    """Import the document(s) of a TEI file (a `TEI`, or a `teiCorpus` of
    them). `lang` is the text's language when the file gives no `xml:lang`.
    Raises EditionError for a file that is not safe, well-formed TEI with a
    `text` element."""
    path = Path(path)
    if not path.exists():
        raise EditionError.at("no such file", path)
    data = read_bytes(path, LIMITS["tei"])  # a folder, a FIFO or a device is refused there
    if not data.strip():
        raise EditionError.at("file is empty", path, 1, 1, hint="a TEI file holds a <TEI> element")
    fragment = _is_fragment(data)
    if fragment:
        lines = data.rstrip().count(b"\n") + 1  # the last line that holds anything
        try:
            root = parse_tei(_wrapped(data), path)
        except EditionError as exc:
            problem = exc.problems[0]
            if problem.line and problem.line >= lines and "body" in problem.message:  # the wrapper's end was reached
                raise EditionError.at(
                    "malformed XML: an element is not closed by the end of the file",
                    path,
                    lines,
                    None,
                    hint="close every element the fragment opens (the <div> ends with </div>)",
                ) from None
            raise
    else:
        root = parse_tei(data, path)
    result = ImportResult(documents=[])
    teis = [root] if root.tag == t("TEI") else [el for el in root.iter(t("TEI"))]
    if not teis:
        raise EditionError.at("the corpus holds no <TEI> document", path, root.sourceline, hint="put each document in a <TEI> element")
    for tei in teis:
        text = tei.find(t("text"))
        if text is None:
            raise EditionError.at(
                "the TEI document has no <text> element", path, tei.sourceline, None,
                hint="a TEI document is <teiHeader> followed by <text><body>…</body></text>",
            )  # fmt: skip
        if _is_ours(tei):
            result.documents.append(_OwnReader(tei, path, result).document())
        else:
            name = path.stem if len(teis) == 1 else f"{path.stem}-{len(result.documents) + 1}"
            doc = _ForeignReader(tei, path, result, name, lang).document()
            if fragment:
                doc.id = _fragment_id(tei, path.stem) or doc.id
            result.documents.append(doc)
    ids = [d.id for d in result.documents]
    for doc_id in ids:
        if ids.count(doc_id) > 1:
            raise EditionError.at(f"two documents in the file have the id '{doc_id}'", path, hint="give each document its own idno")
    return result


# A bare `div type="document"`, as the Office of the Historian's volumes hold
# each document: the TEI namespace and the `frus:` prefix are used but not
# declared (they are declared on the volume's root). Such a fragment is read
# inside a wrapper that declares both, put on the fragment's first line so
# that every line number in a message is still the file's.
_FRAGMENT = re.compile(rb"\A(?:\xef\xbb\xbf)?(?:\s|<\?xml[^>]*\?>|<!--.*?-->)*<div[\s>]", re.S)
_XML_DECLARATION = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\?>")
FRUS_NS = "http://history.state.gov/frus/ns/1.0"


def _is_fragment(data: bytes) -> bool:
    return _FRAGMENT.match(data) is not None


def _wrapped(data: bytes) -> bytes:
    declaration = _XML_DECLARATION.match(data)
    if declaration:  # blanked, not removed: the columns of line 1 stay the file's
        data = re.sub(rb"[^\n]", b" ", declaration.group(0)) + data[declaration.end() :]
    head = f'<TEI xmlns="{TEI_NS}" xmlns:frus="{FRUS_NS}"><text><body>'.encode()
    return head + data + b"</body></text></TEI>"


def _fragment_id(tei, stem: str) -> str | None:
    """A fragment's id: its `xml:id` (FRUS `d22`), with the volume when the
    file's name gives it (`frus1955-57v24-d22.xml` → `frus1955-57v24-d22`):
    document numbers start again in each volume, and history.state.gov
    cites a document by the two together."""
    div = next((d for d in tei.iter(t("div")) if d.get("type") == "document"), None)
    given = xml_id(div.get(XML_ID)) if div is not None else None
    if not given:
        return None
    qualified = xml_id(stem)
    if qualified and qualified.endswith(f"-{given}") and re.fullmatch(r"[a-z0-9]+(?:[._-][a-z0-9]+)*", stem):
        return stem
    return given


def _is_ours(tei) -> bool:
    return any(
        app.get("ident") == APPLICATION for app in tei.iterfind(f"{t('teiHeader')}/{t('encodingDesc')}/{t('appInfo')}/{t('application')}")
    )


# --------------------------------------------------------------------------
# Inline content: text with emphasis, line breaks, notes and anchors.

_OPEN, _CLOSE = object(), object()


@dataclass
class _Mark:
    kind: str  # "note" or "anchor"
    value: object


class Inline:
    """Collects the inline content of one place (a segment, the title …)
    as text chunks, emphasis marks and note/anchor positions, then turns it
    into the model's text: `*…*` for emphasis and offsets for the marks.

    `exact` keeps every character (our own files); otherwise runs of XML
    layout whitespace collapse to one space and emphasis is kept only where
    `*…*` reads back as the same span."""

    def __init__(self, exact: bool):
        self.exact = exact
        self.cells: list = []
        self.depth = 0

    def text(self, value: str | None) -> None:
        if value:
            self.cells.append(value)

    def open(self) -> None:
        self.depth += 1
        if self.depth == 1:
            self.cells.append(_OPEN)

    def close(self) -> None:
        self.depth -= 1
        if self.depth == 0:
            self.cells.append(_CLOSE)

    def mark(self, kind: str, value) -> None:
        self.cells.append(_Mark(kind, value))

    def empty(self) -> bool:
        return not any(isinstance(c, str) and (self.exact or c.strip(_LAYOUT)) for c in self.cells)

    def has_marks(self) -> bool:
        return any(isinstance(c, _Mark) for c in self.cells)

    def finish(self) -> tuple[str, list[tuple[_Mark, int]]]:
        cells = self.cells if self.exact else self._safe_emphasis(self._collapse(self.cells))
        out: list[str] = []
        size = 0
        marks: list[tuple[_Mark, int]] = []
        for cell in cells:
            if cell is _OPEN or cell is _CLOSE:
                cell = "*"
            elif isinstance(cell, _Mark):
                marks.append((cell, size))
                continue
            out.append(cell)
            size += len(cell)
        return "".join(out), marks

    @staticmethod
    def _collapse(cells: list) -> list:
        """Collapse layout whitespace; an opening mark waits for the next
        character, a closing mark or a note stays with the word before."""
        out: list = []
        space = pending_open = started = False
        for cell in cells:
            if isinstance(cell, str):
                core = _LAYOUT_RUN.sub(" ", cell).strip(" ")
                if cell[0] in _LAYOUT:
                    space = True
                if core:
                    if space and started:
                        out.append(" ")
                    if pending_open:
                        out.append(_OPEN)
                        pending_open = False
                    out.append(core)
                    started = True
                    space = cell[-1] in _LAYOUT
            elif cell is _OPEN:
                pending_open = True
            elif cell is _CLOSE:
                if pending_open:  # emphasis of nothing but spaces
                    pending_open = False
                else:
                    out.append(_CLOSE)
            else:
                out.append(cell)
        return out

    @staticmethod
    def _safe_emphasis(cells: list) -> list:
        """Drop emphasis marks that would not read back as the same span:
        inside a word, around an asterisk, or around nothing."""

        def neighbour(i: int, step: int) -> str:
            i += step
            while 0 <= i < len(cells):
                cell = cells[i]
                if isinstance(cell, str) and cell:
                    return cell[-1] if step < 0 else cell[0]
                if cell is _OPEN or cell is _CLOSE:
                    return "*"
                i += step
            return ""

        def wordish(char: str) -> bool:
            return bool(char) and (char.isalnum() or char == "_")

        drop: set[int] = set()
        start = None
        for i, cell in enumerate(cells):
            if cell is _OPEN:
                start = i
            elif cell is _CLOSE and start is not None:
                inner = "".join(c for c in cells[start + 1 : i] if isinstance(c, str))
                before, after = neighbour(start, -1), neighbour(i, 1)
                if (
                    not inner.strip()
                    or "*" in inner
                    or inner[0].isspace()
                    or inner[-1].isspace()
                    or before in ("*", "\\")
                    or after == "*"
                    or wordish(before)
                    or wordish(after)
                ):
                    drop.update((start, i))
                start = None
            elif cell is _CLOSE:
                drop.add(i)
        if start is not None:
            drop.add(start)
        return [c for i, c in enumerate(cells) if i not in drop]


_LAYOUT = " \t\n\r\f\v"
_LAYOUT_RUN = re.compile(r"[ \t\n\r\f\v]+")


_NOTE_KINDS = {
    "footnote": NoteKind.FOOTNOTE,
    "editorial": NoteKind.FOOTNOTE,
    "gloss": NoteKind.GLOSS,
    "translator": NoteKind.TRANSLATOR,
    "archival": NoteKind.ARCHIVAL,
}


# --------------------------------------------------------------------------
# Files of the FRUS kind: one document, one original layer.

# Elements that hold blocks (their own stray text becomes a segment of the
# kind given in _CONTAINER_KINDS, else a paragraph) …
_CONTAINERS = {
    "body", "front", "back", "div", "div1", "div2", "div3", "div4", "div5", "div6", "div7",
    "list", "table", "lg", "sp", "figure", "floatingText", "postscript", "opener", "closer",
    "titlePage", "docTitle", "listBibl", "group",
}  # fmt: skip
_CONTAINER_KINDS = {
    "list": SegmentKind.LIST_ITEM, "opener": SegmentKind.SALUTATION, "closer": SegmentKind.SIGNATURE,
    "quote": SegmentKind.QUOTATION, "epigraph": SegmentKind.QUOTATION,
}  # fmt: skip
# … elements that are always a segment of their own …
_LEAVES = {
    "p": SegmentKind.PARAGRAPH, "ab": SegmentKind.PARAGRAPH, "l": SegmentKind.PARAGRAPH,
    "head": SegmentKind.HEADING, "dateline": SegmentKind.DATELINE, "item": SegmentKind.LIST_ITEM,
    "salute": SegmentKind.SALUTATION, "signed": SegmentKind.SIGNATURE, "row": SegmentKind.PARAGRAPH,
}  # fmt: skip
# … and elements that are a segment when they stand among blocks, but
# running text when they stand inside a paragraph (a `bibl` or `quote` in a
# sentence).
_SOFT_LEAVES = {
    "titlePart": SegmentKind.HEADING, "docDate": SegmentKind.DATELINE, "speaker": SegmentKind.PARAGRAPH,
    "label": SegmentKind.PARAGRAPH, "byline": SegmentKind.PARAGRAPH, "docAuthor": SegmentKind.PARAGRAPH,
    "epigraph": SegmentKind.QUOTATION, "argument": SegmentKind.PARAGRAPH, "trailer": SegmentKind.PARAGRAPH,
    "bibl": SegmentKind.PARAGRAPH, "quote": SegmentKind.QUOTATION,
}  # fmt: skip
# Kinds that a paragraph inside them takes on (a quotation's paragraphs
# are quotation segments).
_INHERITED = {SegmentKind.QUOTATION, SegmentKind.LIST_ITEM, SegmentKind.SALUTATION, SegmentKind.SIGNATURE}
_SILENT = {"pb", "cb", "milestone", "fw", "gap", "anchor", "graphic", "space"}
_CELL_SEPARATOR = " | "


def _has_blocks(el) -> bool:
    return any(local(c) in _LEAVES or local(c) in _CONTAINERS for c in el)


def _is_block(child, parent) -> bool:
    name = local(child)
    if name in _CONTAINERS or name in _LEAVES:
        return True
    if name in _SOFT_LEAVES:
        return local(parent) in _CONTAINERS or _has_blocks(child)
    return False


class _ForeignReader:
    """One TEI document of the FRUS kind → one Document."""

    def __init__(self, tei, path: Path, result: ImportResult, name: str, default_lang: str = "en"):
        self.tei, self.path, self.result = tei, path, result
        self.header = tei.find(t("teiHeader"))
        self.text = tei.find(t("text"))
        lang = (self.text.get(XML_LANG) or tei.get(XML_LANG) or default_lang).strip()
        if not LANG_RE.match(lang):
            result.warnings.append(f"{path.name}: xml:lang '{lang}' is not a language code; the text is taken as '{default_lang}'")
            lang = default_lang
        self.layer = Layer(id=lang, lang=lang, role=LayerRole.ORIGINAL)
        doc_id = name if is_id(name) else document_id(name)
        self.doc = Document(id=doc_id, title="", layers=[self.layer])
        self.consumed: set = set()
        self.pending_notes: list[tuple[Note, str | None]] = []  # notes whose place waits for a segment

    def document(self) -> Document:
        doc = self.doc
        body = self.text.find(t("body"))
        self._source_notes(body)
        self._head_places(body)
        for part in self.text:
            if local(part) in ("front", "body", "back"):
                self._block(part, SegmentKind.PARAGRAPH)
        if not doc.title:
            doc.title = self._header_title() or "(untitled)"
            if doc.title == "(untitled)":
                self.result.warnings.append(f"{self.path.name}: no title in the text or the header: it was called '(untitled)'")
        if doc.date is None:
            doc.date = self._header_date()
        self._source_url()
        for note, _ in self.pending_notes:
            self.result.warnings.append(
                f"{self.path.name}: note '{note.id}' stands where no word precedes it; kept as a note on the whole document"
            )
        if not doc.segments:
            self.result.warnings.append(f"'{doc.title}': no body text was found")
        return doc

    # The head: title, dateline, source note.

    def _document_divs(self, body) -> list:
        if body is None:
            return []
        divs = [d for d in body.iter(t("div")) if d.get("type") == "document"]
        return divs or [d for d in body if local(d) == "div"]

    def _head_places(self, body) -> None:
        """A single document div lends its head to the title and its first
        dateline to the date; with several documents in the file they stay
        headings and datelines, and the title comes from the header."""
        divs = self._document_divs(body)
        if len(divs) != 1:
            return
        head = next((c for c in divs[0] if local(c) == "head"), None)
        number = (divs[0].get("n") or "").strip() or None
        self.doc.number = number
        if head is not None:
            text, marks = self._inline(head)
            printed = re.match(rf"{re.escape(number)}\.\s+", text) if number else None
            if printed:  # "22. Diary Entry …": the number is kept apart from the title
                cut = printed.end()
                text, marks = text[cut:], [(m, offset - cut) for m, offset in marks]
            self.doc.title = text
            self._place_marks(marks, "title", text)
            self.consumed.add(head)
        dateline = next((c for c in divs[0] if local(c) == "dateline"), None)
        if dateline is not None:
            text, marks = self._inline(dateline)
            plain = text.replace("*", "")
            if not marks and plain != text and _dateline(text, None)[0] is None and _dateline(plain, None)[0] is not None:
                text = plain  # FRUS sets whole datelines in italics: typography, not emphasis
            place, date = _dateline(text, self._header_when())
            cut = len(text) - len(date.text)
            if any(offset < cut for _, offset in marks):  # a note on the place: keep the line whole
                place, date, cut = None, DateSpec(text, date.iso, date.certainty, date.iso_end), 0
            self.doc.place, self.doc.date = place, date
            self._place_marks([(m, offset - cut) for m, offset in marks], "date", date.text)
            self.consumed.add(dateline)

    def _source_notes(self, body) -> None:
        """`note type="source"` anywhere, and the italic source paragraph
        and "Cited in" paragraph standing before the first div, become the
        archival reference and the publication history."""
        for note in self.text.iter(t("note")):
            if note.get("type") == "source":
                text, _ = self._inline(note)
                self._archival(text)
                self.consumed.add(note)
        if body is None:
            return
        for p in body:
            if local(p) == "div":
                break
            if local(p) != "p":
                continue
            text, marks = self._inline(p)
            if marks:
                continue
            plain = _unwrap(text)
            if plain.startswith("Cited"):
                self.doc.publication = "\n".join(filter(None, [self.doc.publication, text]))
            elif not self.doc.archival_refs and (plain != text or plain.startswith("Source:")):
                self._archival(plain)
            else:
                continue
            self.consumed.add(p)

    def _archival(self, text: str) -> None:
        text = _unwrap(text)
        label = re.match(r"^Source:\s*", text)
        if label:
            self.result.structure.append("Source:")
            text = _unwrap(text[label.end() :])
        archive = text.split(",")[0].strip() if "," in text else None
        self.doc.archival_refs.append(ArchivalRef(text=text, archive=archive))

    def _header_title(self) -> str | None:
        stmt = self.header.find(f"{t('fileDesc')}/{t('titleStmt')}") if self.header is not None else None
        if stmt is None:
            return None
        titles = stmt.findall(t("title"))
        title = next((x for x in titles if x.get("type") in ("complete", "main")), titles[0] if titles else None)
        return self._inline(title)[0] if title is not None else None

    def _created(self):
        if self.header is None:
            return None
        return next((d for d in self.header.iter(t("date")) if d.get("type") == "created"), None)

    def _header_when(self) -> str | None:
        created = self._created()
        when = created.get("when") if created is not None else None
        return when if when and ISO_RE.match(when) else None

    def _header_date(self) -> DateSpec | None:
        """The header's creation date, as a date the editor supplied."""
        created = self._created()
        text = self._inline(created)[0] if created is not None else ""
        if not text:
            return None
        parsed = _date_in(text)
        iso = self._header_when() or (parsed.iso if parsed else None)
        if parsed and parsed.iso == iso:
            return DateSpec(text=text, iso=iso, certainty=parsed.certainty, iso_end=parsed.iso_end, supplied=True)
        return DateSpec(text=text, iso=iso, certainty=Certainty.EXACT if iso else Certainty.UNKNOWN, supplied=True)

    def _source_url(self) -> None:
        if self.header is None:
            return
        source = self.header.find(f"{t('fileDesc')}/{t('sourceDesc')}")
        for ref in source.iter(t("ref"), t("ptr")) if source is not None else []:
            target = ref.get("target") or ""
            if re.match(r"^https?://\S+$", target):
                self.doc.source_url = target
                return

    # The text: blocks become segments, inline content their text.

    def _block(self, el, kind: SegmentKind) -> None:
        """Walk a block element: its own text (and inline children) makes
        segments of `kind`; block children split it and make their own."""
        builder = Inline(exact=False)
        for piece, _is_tail in _content(el):
            if isinstance(piece, str):
                builder.text(piece)
                continue
            name = local(piece)
            if piece in self.consumed:
                pass
            elif _is_block(piece, el):
                self._flush(builder, kind)
                builder = Inline(exact=False)
                if name == "row":
                    self._row(piece)
                elif name in ("p", "ab") and kind in _INHERITED:
                    self._block(piece, kind)
                elif name in _LEAVES or (name in _SOFT_LEAVES and not _has_blocks(piece)):
                    self._block(piece, _LEAVES.get(name) or _SOFT_LEAVES[name])
                else:
                    self._block(piece, _CONTAINER_KINDS.get(name or "", SegmentKind.PARAGRAPH))
            else:
                self._inline_el(piece, builder)
        self._flush(builder, kind)

    def _row(self, row) -> None:
        builder = Inline(exact=False)
        for i, cell in enumerate(c for c in row if local(c) == "cell"):
            if i:
                builder.text(_CELL_SEPARATOR)
            self._inline_el(cell, builder, own=False)
        self._flush(builder, SegmentKind.PARAGRAPH)

    def _flush(self, builder: Inline, kind: SegmentKind) -> None:
        if builder.empty():
            if builder.has_marks():
                for mark in builder.cells:
                    if isinstance(mark, _Mark) and isinstance(mark.value, Note):  # this reader marks notes only
                        self._place_at_previous(mark.value)
            return
        text, marks = builder.finish()
        segment = Segment(id=f"p{len(self.doc.segments) + 1}", kind=kind, text={self.layer.id: text})
        self.doc.segments.append(segment)
        self._place_marks(marks, segment.id, text)

    def _place_marks(self, marks, place: str, text: str) -> None:
        for mark, offset in marks:
            note = mark.value
            found = default_anchor(text, offset)
            if found is None:
                self._place_at_previous(note, before=place)
                continue
            note.anchor = Anchor(self.layer.id, place, *found)
            self.doc.notes.append(note)

    def _place_at_previous(self, note: Note, before: str | None = None) -> None:
        """A note with no word before it: at the end of the segment before
        (the one before `before`, a segment id), or on the whole document
        when there is none."""
        ids = [s.id for s in self.doc.segments]
        if before is not None:
            ids = ids[: ids.index(before)] if before in ids else []
        if ids:
            note.anchor = Anchor(self.layer.id, ids[-1], "", 1)
        else:
            self.pending_notes.append((note, None))
        self.doc.notes.append(note)

    def _inline(self, el) -> tuple[str, list]:
        builder = Inline(exact=False)
        self._inline_el(el, builder, own=False)
        return builder.finish()

    def _inline_el(self, el, builder: Inline, own: bool = True) -> None:
        """Add an inline element (or, with own=False, only its content)."""
        name = local(el)
        if own:
            if name == "note":
                if el not in self.consumed:
                    builder.mark("note", self._note(el))
                return
            if name == "lb":
                builder.text(" ")
                return
            if name in _SILENT and not len(el) and not (el.text or "").strip():
                return
        rends = set((el.get("rend") or "").split())
        emphasis = own and (name == "emph" or (name == "hi" and bool(_EMPHASIS_RENDS & rends)))
        if emphasis:
            builder.open()
        for piece, _ in _content(el):
            if isinstance(piece, str):
                builder.text(piece)
            elif _is_block(piece, el):
                builder.text(" ")  # a block inside inline content: keep its words apart
                self._inline_el(piece, builder, own=False)
                builder.text(" ")
            else:
                self._inline_el(piece, builder)
        if emphasis:
            builder.close()

    def _note(self, el) -> Note:
        builder = Inline(exact=False)
        for piece, _ in _content(el):
            if isinstance(piece, str):
                builder.text(piece)
            elif local(piece) == "note":  # a note in a note: its words stay, in brackets
                builder.text(" [")
                self._inline_el(piece, builder, own=False)
                builder.text("] ")
            elif _is_block(piece, el):
                builder.text(" ")
                self._inline_el(piece, builder, own=False)
                builder.text(" ")
            else:
                self._inline_el(piece, builder)
        text, _ = builder.finish()
        label = (el.get("n") or "").strip() or None
        taken = {n.id for n in self.doc.notes} | {n.id for n, _ in self.pending_notes}
        note_id = f"n{label}" if label and label.isdigit() and f"n{label}" not in taken else None
        k = len(taken) + 1
        while note_id is None or note_id in taken:
            note_id, k = f"n{k}", k + 1
        kind = _NOTE_KINDS.get((el.get("type") or "").strip(), NoteKind.FOOTNOTE)
        return Note(id=note_id, kind=kind, text=text or "(empty note)", label=label)


def _content(el):
    """The mixed content of an element in order: its text, then each child
    element followed by that child's tail (comments and PIs give only their
    tail)."""
    if el.text:
        yield el.text, False
    for child in el:
        if isinstance(child.tag, str):
            yield child, False
        if child.tail:
            yield child.tail, True


def _unwrap(text: str) -> str:
    """Text without emphasis that wraps all of it (a source note set in
    italics is not emphasis)."""
    if len(text) > 2 and text.startswith("*") and text.endswith("*") and "*" not in text[1:-1]:
        return text[1:-1]
    return text


# Datelines: "November 7-8, 1958", "Athens, August 19, 2002, 1425Z",
# "June 20-August 31, 1961", "November 4, 1960 9:08 a.m. to 12:30 p.m.".
_M = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DATE_PATTERNS = [
    (re.compile(rf"\b{_M}\s+(\d{{1,2}})\s*[-–]\s*{_M}\s+(\d{{1,2}}),?\s+(\d{{4}})\b"), "mdmdy"),
    (re.compile(rf"\b{_M}\s+(\d{{1,2}})\s*[-–]\s*(\d{{1,2}}),?\s+(\d{{4}})\b"), "mddy"),
    (re.compile(rf"\b(\d{{1,2}})\s*[-–]\s*(\d{{1,2}})\s+{_M},?\s+(\d{{4}})\b"), "ddmy"),
    (re.compile(rf"\b{_M}\s+(\d{{1,2}}),?\s+(\d{{4}})\b"), "mdy"),
    (re.compile(rf"\b(\d{{1,2}})\s+{_M},?\s+(\d{{4}})\b"), "dmy"),
    (re.compile(rf"\b{_M},?\s+(\d{{4}})\b"), "my"),
]


def _ymd(year: str, month: str, day: str | None = None) -> str | None:
    import calendar

    y, m = int(year), MONTHS[month.lower()]
    if day is None:
        return f"{y:04d}-{m:02d}"
    d = int(day)
    if not 1 <= d <= calendar.monthrange(y, m)[1]:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def _date_in(text: str) -> DateSpec | None:
    """The first date written in `text`, with its range if it gives one;
    `text` of the result is the input from the date on."""
    whole = parse_date(text)
    if whole is not None:
        return whole
    best = None
    for pattern, form in _DATE_PATTERNS:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0].start()):
            best = (m, form)
    if best is None:
        return None
    m, form = best
    g = m.groups()
    iso = iso_end = None
    if form == "mdmdy":
        iso, iso_end = _ymd(g[4], g[0], g[1]), _ymd(g[4], g[2], g[3])
    elif form == "mddy":
        iso, iso_end = _ymd(g[3], g[0], g[1]), _ymd(g[3], g[0], g[2])
    elif form == "ddmy":
        iso, iso_end = _ymd(g[3], g[2], g[0]), _ymd(g[3], g[2], g[1])
    elif form == "mdy":
        iso = _ymd(g[2], g[0], g[1])
    elif form == "dmy":
        iso = _ymd(g[2], g[1], g[0])
    else:
        iso = _ymd(g[1], g[0])
    if iso is None:
        return None
    certainty = Certainty.RANGE if iso_end else Certainty.EXACT
    return DateSpec(text=text[m.start() :], iso=iso, certainty=certainty, iso_end=iso_end)


def _dateline(text: str, header_when: str | None) -> tuple[str | None, DateSpec]:
    """A dateline's place (the words before the date, when a comma ends
    them) and its date as written, with the ISO date read from it (or,
    failing that, the header's)."""
    found = _date_in(text)
    if found is None:
        return None, DateSpec(text=text, iso=header_when, certainty=Certainty.EXACT if header_when else Certainty.UNKNOWN)
    start = len(text) - len(found.text)
    place = text[:start].rstrip()
    if place.endswith(",") and place[:-1].strip():
        return place[:-1].strip(), found
    if place:  # words before the date that are not a place: the date keeps them
        return None, DateSpec(text=text, iso=found.iso, certainty=found.certainty, iso_end=found.iso_end, supplied=found.supplied)
    return None, found


# --------------------------------------------------------------------------
# Our own files: every field back where export put it.


def _ncname(value: str) -> str:
    return value if value[:1].isalpha() or value[:1] == "_" else f"d{value}"


def _date_attrs(el) -> DateSpec | None:
    """A DateSpec from a `date` element that export wrote (or any TEI date
    with att.datable attributes)."""
    if el is None:
        return None
    text = "".join(el.itertext())
    get = el.get
    kind = get("type")
    try:
        certainty = Certainty(kind) if kind else None
    except ValueError:
        certainty = None
    if certainty is None:
        if get("from") or get("to"):
            certainty = Certainty.RANGE
        elif get("notBefore") and get("notAfter"):
            certainty = Certainty.RANGE
        elif get("notBefore"):
            certainty = Certainty.NOT_BEFORE
        elif get("notAfter"):
            certainty = Certainty.NOT_AFTER
        elif get("when"):
            certainty = Certainty.EXACT
        else:
            certainty = Certainty.UNKNOWN
    if certainty is Certainty.NOT_BEFORE:
        iso, iso_end = get("notBefore"), get("notAfter")
    elif certainty is Certainty.NOT_AFTER:
        iso, iso_end = get("notAfter"), get("notBefore")
    elif get("from") or get("to"):
        iso, iso_end = get("from"), get("to")
    elif certainty is Certainty.RANGE:
        iso, iso_end = get("notBefore"), get("notAfter")
    else:
        iso, iso_end = get("when"), None
    iso = iso if iso and ISO_RE.match(iso) else None
    iso_end = iso_end if iso_end and ISO_RE.match(iso_end) else None
    julian = get("calendar") == "#julian" or get("datingMethod") == "#julian"
    as_written = get("when-custom") if julian and get("when-custom") and ISO_RE.match(get("when-custom")) else None
    return DateSpec(
        text=text,
        iso=iso,
        certainty=certainty,
        iso_end=iso_end,
        supplied=get("evidence") == "conjecture",
        calendar="julian" if julian else None,
        iso_julian=as_written,
    )


_SEGMENT_ELEMENTS = {
    "p": SegmentKind.PARAGRAPH, "ab": SegmentKind.PARAGRAPH, "head": SegmentKind.HEADING, "dateline": SegmentKind.DATELINE,
    "item": SegmentKind.LIST_ITEM, "quote": SegmentKind.QUOTATION, "salute": SegmentKind.SALUTATION,
    "signed": SegmentKind.SIGNATURE,
}  # fmt: skip


class _OwnReader:
    """A TEI document written by `edition export tei` → the same Document."""

    def __init__(self, tei, path: Path, result: ImportResult):
        self.tei, self.path, self.result = tei, path, result
        self.header = tei.find(t("teiHeader"))

    def _h(self, *names: str):
        el = self.header
        for name in names:
            if el is None:
                return None
            el = el.find(t(name))
        return el

    def _hall(self, *names: str) -> list:
        if self.header is None:
            return []
        return self.header.findall("/".join(t(n) for n in names))

    def _text(self, el) -> str | None:
        """The model text of a header element: emphasis as `*…*`, exact;
        None when there is no element."""
        return None if el is None else self._inline_text(el)

    @staticmethod
    def _inline_text(el) -> str:
        """The model text of an element that is there (see `_text`)."""
        text, _ = _exact_inline(el)
        return text

    def document(self) -> Document:
        idno = next((i for i in self._hall("fileDesc", "publicationStmt", "idno") if i.get("type") == "document"), None)
        if idno is None or not (idno.text or "").strip():
            raise EditionError.at(
                "the file says it was written by edition but has no document idno", self.path, self.tei.sourceline,
                hint='the publicationStmt needs <idno type="document">',
            )  # fmt: skip
        doc_id = check_id(idno.text.strip(), "the document idno", self.path, idno.sourceline)
        doc = Document(id=doc_id, title=self._text(self._h("fileDesc", "titleStmt", "title")) or "")
        number = next((i for i in self._hall("fileDesc", "publicationStmt", "idno") if i.get("type") == "number"), None)
        doc.number = (number.text or "").strip() or None if number is not None else None
        series = self._h("fileDesc", "seriesStmt", "title")
        doc.collection = self._text(series)
        doc.rights = self._text(self._h("fileDesc", "publicationStmt", "availability", "p"))
        for note in self._hall("fileDesc", "notesStmt", "note"):
            if note.get("type") == "credit":
                doc.credit = self._text(note)
            elif note.get("type") == "unplaced":
                doc.unplaced.append(self._inline_text(note))
        source = self._h("fileDesc", "sourceDesc")
        for part in source if source is not None else []:
            name = local(part)
            if name == "msDesc":
                doc.archival_refs.append(self._ref(part))
            elif name == "bibl" and part.get("type") == "citation":
                doc.citation = self._text(part)
            elif name == "bibl" and part.get("type") == "publication":
                doc.publication = self._text(part)
            elif name == "bibl" and part.get("type") == "source":
                ptr = part.find(t("ptr"))
                doc.source_url = ptr.get("target") if ptr is not None else None
        doc.summary = self._text(self._h("profileDesc", "abstract", "p"))
        created = self._h("profileDesc", "creation", "date")
        doc.date = _date_attrs(created)
        if doc.date is not None:  # and so there is a `created`
            doc.date = replace(doc.date, text=self._inline_text(created))
        for language in self._hall("profileDesc", "langUsage", "language"):
            if language.get("n") == "original":
                doc.original_language = language.get("ident")
        terms = self._hall("profileDesc", "textClass", "keywords", "term")
        term = next((x for x in terms if x.get("type") == "document-type"), None)
        doc.doc_type = self._text(term)
        doc.classification = [text for x in terms if x.get("type") == "classification" and (text := self._inline_text(x))]
        for action in self._hall("profileDesc", "correspDesc", "correspAction"):
            name = action.find(t("name"))
            if action.get("type") == "sent":
                doc.author = self._text(name)
                doc.place = self._text(action.find(t("placeName")))
            elif action.get("type") == "received":
                doc.recipient = self._text(name)
        prefix = _ncname(doc_id)
        changes = {c.get("n"): c for c in self._hall("revisionDesc", "change")}
        translators = {
            f"#{r.get(XML_ID)}": self._inline_text(r.find(t("name")))
            for r in self._hall("fileDesc", "titleStmt", "respStmt")
            if r.get(XML_ID) and r.find(t("name")) is not None
        }
        body = self.tei.find(f"{t('text')}/{t('body')}")
        divs = [d for d in body if local(d) == "div" and d.get("type") in ("original", "translation")] if body is not None else []
        reader = _NoteReader(doc, prefix)
        segments: dict[str, Segment] = {}
        order: list[str] = []
        kinds: dict[str, SegmentKind] = {}
        for div in divs:
            layer = self._layer(div, changes.get(div.get("n")), translators)
            doc.layers.append(layer)
            for el, place, kind in _layer_places(div):
                if place not in ("title", "date"):
                    if place not in kinds:
                        order.append(place)
                        kinds[place] = kind
                if _is_absent(el):
                    continue
                if place == "date" and el.find(t("date")) is not None:
                    el = el.find(t("date"))
                text, marks = _exact_inline(el)
                if place not in ("title", "date"):
                    segments.setdefault(place, Segment(place, kind, {})).text[layer.id] = text
                reader.place(marks, layer.id, place, text)
        # Segments in the order of the first layer (every layer lists all).
        doc.segments = [segments.get(sid) or Segment(sid, kinds[sid], {}) for sid in order]
        back = self.tei.find(f"{t('text')}/{t('back')}")
        for div in back if back is not None else []:
            if local(div) == "div" and div.get("type") == "notes":
                for note in div.iter(t("note")):
                    reader.whole(note)
            elif local(div) == "div" and div.get("type") == "unaligned" and (kept := doc.layer(div.get("n") or "")) is not None:
                lead = f"#{prefix}.{kept.id}."
                for p in div.iter(t("p")):
                    corresp = p.get("corresp") or ""
                    after = corresp[len(lead) :] if corresp.startswith(lead) else None
                    kept.unaligned.append(Unaligned(after=after, text=_exact_inline(p)[0]))
        reader.reorder(self.tei)
        return doc

    def _ref(self, ms) -> ArchivalRef:
        ident = ms.find(t("msIdentifier"))
        parts: dict[str, str | None] = {}
        for el in ident if ident is not None else []:
            name = local(el)
            if name == "repository":
                parts["archive"] = self._text(el)
            elif name in ("collection", "idno") and el.get("type") in ("fond", "opis", "delo", "folios"):
                parts[el.get("type")] = self._text(el)
        head = ms.find(t("head"))
        copy = ms.find(f"{t('additional')}/{t('adminInfo')}/{t('note')}")
        return ArchivalRef(
            text=self._text(head) or "",
            copy=self._text(copy),
            **parts,
        )

    def _layer(self, div, change, translators: dict[str, str]) -> Layer:
        layer_id = div.get("n") or div.get(XML_LANG) or "en"
        role = LayerRole.ORIGINAL if div.get("type") == "original" else LayerRole.TRANSLATION
        layer = Layer(id=layer_id, lang=div.get(XML_LANG) or "en", role=role, translator=translators.get(div.get("resp") or ""))
        if change is not None:
            items = change.find(t("list"))
            pairs = {}
            if items is not None:
                label = None
                for el in items:
                    if local(el) == "label":
                        label = el.text
                    elif local(el) == "item" and label:
                        pairs[label] = _exact_inline(el)[0]
            for key in ("translator", "translated_from", "revises", "date", "description", "added", "source_file", "source_sha256"):
                setattr(layer, key, pairs.get(key, getattr(layer, key)))
            layer.flagged = pairs["flagged"].split() if pairs.get("flagged") else []
        return layer


def _is_absent(el) -> bool:
    children = [c for c in el if isinstance(c.tag, str)]
    return len(children) == 1 and local(children[0]) == "gap" and children[0].get("reason") == "absent" and not (el.text or "").strip()


def _layer_places(div):
    """(element, place, kind) for every place of a layer div in order: the
    title and date of its head, each segment, unaligned paragraphs."""
    for el in div:
        name = local(el)
        if name is None:
            continue
        segment_id = el.get("n")
        if name == "head" and el.get("type") == "title":
            yield el, "title", None
        elif name == "dateline" and segment_id is None:
            yield el, "date", None
        elif name in ("div", "list", "opener", "closer"):
            yield from _layer_places(el)
        elif name in _SEGMENT_ELEMENTS and segment_id:
            kind = _SEGMENT_ELEMENTS[name]
            if name == "ab" and el.get("type"):
                try:
                    kind = SegmentKind(el.get("type"))
                except ValueError:
                    pass
            yield el, segment_id, kind


def _exact_inline(el) -> tuple[str, list[tuple[_Mark, int]]]:
    """Inline content of our own files, character for character: `hi`
    gives back its `*…*`, `lb` a line break; notes and anchors are marks."""
    builder = Inline(exact=True)

    def walk(node, own: bool) -> None:
        name = local(node)
        if own:
            if name == "note":
                builder.mark("note", node)
                return
            if name == "anchor":
                builder.mark("anchor", node.get(XML_ID))
                return
            if name == "lb":
                builder.text("\n")
                return
            if name == "gap":
                return
        emphasis = own and name == "hi"
        if emphasis:
            builder.cells.append(_OPEN)
        for piece, _ in _content(node):
            if isinstance(piece, str):
                builder.text(piece)
            else:
                walk(piece, True)
        if emphasis:
            builder.cells.append(_CLOSE)

    walk(el, False)
    return builder.finish()


class _NoteReader:
    """Notes of our own files: inline at their call, with an `anchor` at the
    phrase's start when the phrase is not simply the word before."""

    def __init__(self, doc: Document, prefix: str):
        self.doc, self.prefix = doc, prefix

    def _note(self, el, anchor: Anchor | None) -> Note:
        xml_id = el.get(XML_ID) or ""
        lead = f"{self.prefix}.note-"
        note_id = xml_id[len(lead) :] if xml_id.startswith(lead) else xml_id or f"n{len(self.doc.notes) + 1}"
        text, _ = _exact_inline(el)
        kind = _NOTE_KINDS.get(el.get("type") or "", NoteKind.FOOTNOTE)
        return Note(id=note_id, kind=kind, text=text, anchor=anchor, label=el.get("n"))

    def place(self, marks, layer_id: str, place: str, text: str) -> None:
        starts = {value: offset for mark, offset in marks if mark.kind == "anchor" for value in [mark.value]}
        for mark, offset in marks:
            if mark.kind != "note":
                continue
            target = (mark.value.get("target") or "").lstrip("#")
            if target and target in starts:
                phrase = text[starts[target] : offset]
                anchor = Anchor(layer_id, place, phrase, occurrence_at(text, phrase, offset))
            else:
                found = default_anchor(text, offset) or ("", 1)
                anchor = Anchor(layer_id, place, *found)
            self.doc.notes.append(self._note(mark.value, anchor))

    def whole(self, el) -> None:
        self.doc.notes.append(self._note(el, None))

    def reorder(self, tei) -> None:
        """Restore the model's order of notes when export recorded it."""
        group = next((g for g in tei.iter(t("linkGrp")) if g.get("type") == "note-order"), None)
        if group is None:
            return
        lead = f"#{self.prefix}.note-"
        rank = {p.get("target")[len(lead) :]: i for i, p in enumerate(group.iter(t("ptr"))) if (p.get("target") or "").startswith(lead)}
        self.doc.notes.sort(key=lambda n: rank.get(n.id, len(rank)))


__all__ = ["APPLICATION", "TEI_NS", "Inline", "default_anchor", "occurrence_at", "parse_tei", "read_tei"]
