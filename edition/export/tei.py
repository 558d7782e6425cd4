"""The model as TEI P5: one `TEI` document per edition document, or a
`teiCorpus` of them, valid against tei_all and read back unchanged by
`edition.importers.tei`.

Where each part of the model goes:

- `teiHeader/fileDesc`: the title; the edition's editors and each layer's
  translator as `respStmt` (a translator's has an `xml:id` the layer's
  `div/@resp` points to); `publicationStmt` with the document's id as
  `idno type="document"` and its rights as `availability`; the collection as
  `seriesStmt`; the credit line and unplaced text in `notesStmt`;
  `sourceDesc` with one `msDesc` per archival reference (`repository` = the
  archive, `collection type="fond"`, `idno type="opis|delo|folios"`, the
  reference as written in `head`, the copy status such as "Attested Copy" in
  `additional/adminInfo/note type="copy"`), and `bibl type="citation"`,
  `bibl type="publication"`, `bibl type="source"` (the source URL).
- `encodingDesc/appInfo/application ident="edition"` marks the file as ours.
- `profileDesc`: the summary as `abstract`; the date as `creation/date`
  (`when`, `notBefore`, `notAfter`, `from`/`to`; `type` is the model's
  certainty, `evidence="conjecture"` a date the editor supplied); every
  language in `langUsage` (the original language has `n="original"`); the
  document type as `textClass/keywords/term type="document-type"` and each
  classification marking ("Top Secret") as a `term type="classification"`
  there; a Julian date keeps its Gregorian day in `when` and the day as
  written in `when-custom` (`datingMethod="#julian"`); author,
  place and recipient as `correspDesc`.
- `revisionDesc/change`, one per layer (`n` = the layer id, `target` its
  div): translator, source language or layer, revised layer, date,
  description, when it was added, source file and checksum, flagged
  segments, as a `list type="gloss"` of label/item pairs.
- `text/body`: one `div` per layer in the model's order (`n` = layer id,
  `type="original"|"translation"`, `xml:lang`, `corresp` = the original's
  div, `resp` = the translator). Each starts with the title (`head
  type="title"`) and the date (`dateline/date`), then one element per segment
  with `xml:id="{doc}.{layer}.{segment}"`, `n` = the segment id and
  `corresp` = the original's segment: `p`, `quote`, `list/item`, `opener`
  with `salute`/`dateline`, `closer` with `signed`; a heading opens a
  `div type="section"` with its `head`. A segment the layer lacks is there
  with a single `gap reason="absent"`, so every layer lists every segment in
  order. Where TEI does not allow an opener or closer (in mid-text) the
  segment is an `ab` whose `type` is its kind.
- Notes stand inline at their call (the end of the anchored phrase) as
  `note` with `type` = footnote | translator | gloss | archival, `n` = the
  label and `xml:id="{doc}.note-{id}"`. When the phrase is more (or less)
  than the word before the call, an `anchor` marks where it begins and the
  note's `target` points to it. Notes on the whole document are in
  `back/div type="notes"`. When the model's order of notes is not the order
  they stand in, a `linkGrp type="note-order"` keeps it.
- Paragraphs of a translation that matched no segment: `back/div
  type="unaligned"` for the layer, each `p` pointing with `corresp` to the
  segment it follows.
- Inline: `*…*` emphasis is `hi rend="italic"`, a line break `lb`.

Ids that start with a digit get a "d" in front (`xml:id` must be an XML
name); the model's ids are kept in `n` and `idno`.

The apparatus of variants: `document_tei(doc, edition, apparatus=…)` takes
one `edition.collate.Apparatus` (or a list of them) and adds its witnesses
(`sourceDesc/listWit`), `variantEncoding method="parallel-segmentation"`, and
a `div type="apparatus"` after the layers holding the base text with
`app`/`lem`/`rdg wit=…` inline (built by `edition.export.apparatus`).
`edition export tei` passes each document's `edition_apparatus`: the
printed volume's apparatus (the other versions of the main layer's text,
with the readings the edition's `apparatus` setting keeps). The apparatus
is derived from the layers, so the importer passes over it.

Output is UTF-8, indented where whitespace does not matter (never inside
text), and deterministic: the same model gives the same bytes."""

from __future__ import annotations

from collections import Counter

from lxml import etree

from ..errors import EditionError
from ..model import (
    ISO_RE,
    Certainty,
    Document,
    Edition,
    LayerRole,
    Note,
    Segment,
    SegmentKind,
    inline_spans,
    plain,
    resolve_anchor,
)
from ..tei_common import APPLICATION, TEI_NS, XML_ID, XML_LANG, default_anchor
from ..text import LANGUAGE_NAMES

SCHEMA_URL = "http://www.tei-c.org/release/xml/tei/custom/schema/relaxng/tei_all.rng"

# Elements whose content is text: never indented.
_MIXED = {
    "p", "ab", "head", "item", "note", "quote", "signed", "salute", "dateline", "date", "title", "resp",
    "name", "placeName", "idno", "repository", "collection", "language", "label", "hi", "term",
    "publisher", "authority", "bibl", "ref", "ptr", "anchor", "lb", "gap", "lem", "rdg", "witness",
}  # fmt: skip


def _t(tag: str) -> str:
    return f"{{{TEI_NS}}}{tag}"


def _sub(parent, tag: str, attrs: dict | None = None, text: str | None = None):
    el = etree.SubElement(parent, _t(tag), {k: v for k, v in (attrs or {}).items() if v is not None})
    if text is not None:
        el.text = text
    return el


def _el(tag: str, attrs: dict | None = None):
    return etree.Element(_t(tag), {k: v for k, v in (attrs or {}).items() if v is not None}, nsmap={None: TEI_NS})


def ncname(value: str) -> str:
    """An XML name for an id: ids starting with a digit get a "d"."""
    return value if value[:1].isalpha() or value[:1] == "_" else f"d{value}"


def segment_xml_id(doc: Document, layer_id: str, segment_id: str) -> str:
    return f"{ncname(doc.id)}.{layer_id}.{segment_id}"


def note_xml_id(doc: Document, note: Note) -> str:
    return f"{ncname(doc.id)}.note-{note.id}"


# --------------------------------------------------------------------------
# Inline text: emphasis, line breaks, and elements inserted at offsets.


def _append_text(container, text: str) -> None:
    if not text:
        return
    if len(container):
        last = container[-1]
        last.tail = (last.tail or "") + text
    else:
        container.text = (container.text or "") + text


def _text_with_breaks(container, text: str) -> None:
    for i, part in enumerate(text.split("\n")):
        if i:
            _sub(container, "lb")
        _append_text(container, part)


def _run(container, raw: str, start: int, end: int, inserts: list) -> None:
    cursor = start
    for offset, element in inserts:
        _text_with_breaks(container, raw[cursor:offset])
        container.append(element)
        cursor = offset
    _text_with_breaks(container, raw[cursor:end])


def inline(container, raw: str, inserts: list | None = None) -> None:
    """Write model text `raw` into `container`: `*…*` as `hi`, line breaks
    as `lb`, and each (offset, element) of `inserts` at its offset in `raw`
    (inside the emphasis when the offset falls within it)."""
    inserts = sorted(inserts or [], key=lambda pair: pair[0])
    spans = []
    pos = 0
    for run, emphasised in inline_spans(raw):
        width = len(run) + 2 if emphasised else len(run)
        if emphasised:
            spans.append((pos, pos + width - 1))  # the two asterisks
        pos += width
    cursor = 0
    for open_at, close_at in spans:
        outside = [(o, e) for o, e in inserts if cursor <= o <= open_at and not _inside(o, spans)]
        _run(container, raw, cursor, open_at, outside)
        hi = _sub(container, "hi", {"rend": "italic"})
        within = [(o, e) for o, e in inserts if open_at < o <= close_at]
        _run(hi, raw, open_at + 1, close_at, within)
        cursor = close_at + 1
    rest = [(o, e) for o, e in inserts if o >= cursor and not _inside(o, spans)]
    _run(container, raw, cursor, len(raw), rest)


def _inside(offset: int, spans) -> bool:
    return any(o < offset <= c for o, c in spans)


# --------------------------------------------------------------------------
# The document.


def document_tei(doc: Document, edition: Edition, apparatus=None) -> bytes:
    """One document as a TEI P5 file (UTF-8 bytes). `apparatus` (an
    `edition.collate.Apparatus`, or a list of them) adds the apparatus of
    variants in parallel segmentation; see the module's docstring."""
    tei = _tei(doc, edition, apparatus)
    _check_ids(tei, doc.id)
    return _serialise(tei)


def corpus_tei(edition: Edition, documents: list[Document] | None = None, apparatus: dict | None = None) -> bytes:
    """The edition (or the given documents) as one `teiCorpus`: a header for
    the volume, then each document's `TEI`. `apparatus` maps document ids
    to what `document_tei` takes."""
    documents = edition.documents if documents is None else documents
    corpus = _el("teiCorpus")
    corpus.append(_corpus_header(edition, documents))
    for doc in documents:
        corpus.append(_tei(doc, edition, (apparatus or {}).get(doc.id)))
    _check_ids(corpus, "the corpus")
    return _serialise(corpus)


_PROLOGUE = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    f'<?xml-model href="{SCHEMA_URL}" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
).encode()


def _serialise(root) -> bytes:
    etree.cleanup_namespaces(root, top_nsmap={None: TEI_NS})
    _indent(root, 0)
    return _PROLOGUE + etree.tostring(root, encoding="UTF-8") + b"\n"


def _indent(el, level: int) -> None:
    """Indent element-only content; text content is left exactly as it is."""
    name = etree.QName(el).localname
    children = [c for c in el]
    if name in _MIXED or not children:
        return
    if (el.text or "").strip() or any((c.tail or "").strip() for c in children):
        return
    pad = "\n" + "  " * (level + 1)
    el.text = pad
    for child in children:
        child.tail = pad
        _indent(child, level + 1)
    children[-1].tail = "\n" + "  " * level


def _check_ids(root, what: str) -> None:
    ids = Counter(el.get(XML_ID) for el in root.iter() if el.get(XML_ID))
    twice = sorted(i for i, n in ids.items() if n > 1)
    if twice:
        raise EditionError.at(
            f"{what}: the TEI ids {', '.join(twice[:5])} would be used twice",
            hint="give notes, layers and segments ids that do not collide (a layer named like a note id?)",
        )


def _tei(doc: Document, edition: Edition, apparatus) -> etree._Element:
    try:
        tei = _el("TEI")
        tei.append(_header(doc, edition, apparatus))
        text = _sub(tei, "text")
        body = _sub(text, "body")
        original = next((layer for layer in doc.layers if layer.role is LayerRole.ORIGINAL), None)
        placed = _placed_notes(doc)
        for layer in doc.layers:
            body.append(_layer_div(doc, layer, original, placed))
        if not doc.layers:
            _sub(body, "p")  # a body must hold something; a document without layers has no text
        for app in _apparatus_list(apparatus):
            body.append(_apparatus_div(doc, app))
        back = _back(doc, placed)
        if len(back):
            text.append(back)
        return tei
    except ValueError as exc:  # lxml refuses characters XML cannot carry
        raise EditionError.at(
            f"document '{doc.id}' holds text that XML cannot carry ({exc})",
            hint="remove control characters from the document's files",
        ) from None


def _apparatus_list(apparatus) -> list:
    if apparatus is None:
        return []
    return list(apparatus) if isinstance(apparatus, (list, tuple)) else [apparatus]


def _header(doc: Document, edition: Edition, apparatus) -> etree._Element:
    header = _el("teiHeader")
    file_desc = _sub(header, "fileDesc")
    title_stmt = _sub(file_desc, "titleStmt")
    inline(_sub(title_stmt, "title"), doc.title)
    for editor in edition.editors:
        stmt = _sub(title_stmt, "respStmt")
        _sub(stmt, "resp", text="editor")
        inline(_sub(stmt, "name"), editor)
    for layer in doc.layers:
        if layer.translator:
            stmt = _sub(title_stmt, "respStmt", {XML_ID: _resp_id(doc, layer.id)})
            _sub(stmt, "resp", text="translation" if layer.role is LayerRole.TRANSLATION else "text")
            inline(_sub(stmt, "name"), layer.translator)
    publication = _sub(file_desc, "publicationStmt")
    inline(_sub(publication, "publisher"), edition.publisher or edition.title)
    _sub(publication, "idno", {"type": "document"}, doc.id)
    if doc.number:
        _sub(publication, "idno", {"type": "number"}, doc.number)
    if edition.year:
        _sub(publication, "date", {"when": edition.year if ISO_RE.match(edition.year) else None}, edition.year)
    if doc.rights:
        inline(_sub(_sub(publication, "availability"), "p"), doc.rights)
    if doc.collection:
        inline(_sub(_sub(file_desc, "seriesStmt"), "title"), doc.collection)
    notes = [("credit", doc.credit)] if doc.credit else []
    notes += [("unplaced", text) for text in doc.unplaced]
    if notes:
        stmt = _sub(file_desc, "notesStmt")
        for kind, text in notes:
            inline(_sub(stmt, "note", {"type": kind}), text)
    file_desc.append(_source_desc(doc, apparatus))
    encoding = _sub(header, "encodingDesc")
    app_info = _sub(encoding, "appInfo")
    import edition as package

    application = _sub(app_info, "application", {"ident": APPLICATION, "version": getattr(package, "__version__", "0")})
    _sub(application, "label", text="edition")
    if apparatus is not None:
        _sub(encoding, "variantEncoding", {"method": "parallel-segmentation", "location": "internal"})
    header.append(_profile(doc))
    if doc.layers:
        revisions = _sub(header, "revisionDesc")
        for layer in doc.layers:
            revisions.append(_change(doc, layer))
    return header


def _resp_id(doc: Document, layer_id: str) -> str:
    return f"{ncname(doc.id)}.resp.{layer_id}"


def _div_id(doc: Document, layer_id: str) -> str:
    return f"{ncname(doc.id)}.{layer_id}"


def _source_desc(doc: Document, apparatus) -> etree._Element:
    source = _el("sourceDesc")
    for ref in doc.archival_refs:
        ms = _sub(source, "msDesc")
        ident = _sub(ms, "msIdentifier")
        if ref.archive:
            inline(_sub(ident, "repository"), ref.archive)
        if ref.fond:
            inline(_sub(ident, "collection", {"type": "fond"}), ref.fond)
        for key in ("opis", "delo", "folios"):
            if getattr(ref, key):  # an idno holds no markup: its emphasis is left out
                _sub(ident, "idno", {"type": key}, plain(getattr(ref, key)))
        inline(_sub(ms, "head"), ref.text)
        if ref.copy:
            inline(_sub(_sub(_sub(ms, "additional"), "adminInfo"), "note", {"type": "copy"}), ref.copy)
    if doc.citation:
        inline(_sub(source, "bibl", {"type": "citation"}), doc.citation)
    if doc.publication:
        inline(_sub(source, "bibl", {"type": "publication"}), doc.publication)
    if doc.source_url:
        _sub(_sub(source, "bibl", {"type": "source"}), "ptr", {"target": doc.source_url})
    for app in _apparatus_list(apparatus):
        source.append(_witnesses(doc, app))
    if not len(source):
        _sub(source, "p", text="No source is recorded for this document.")
    return source


def _date(parent, spec, tag: str = "date") -> etree._Element:
    """A `date` with att.datable attributes for a DateSpec; see the module
    docstring for the mapping."""
    c, iso, end = spec.certainty, spec.iso, spec.iso_end
    attrs: dict = {}
    if c is Certainty.RANGE:
        attrs = {"from": iso, "to": end}
    elif c is Certainty.NOT_BEFORE:
        attrs = {"notBefore": iso, "notAfter": end}
    elif c is Certainty.NOT_AFTER:
        attrs = {"notAfter": iso, "notBefore": end}
    elif end:
        attrs = {"from": iso, "to": end}
    else:
        attrs = {"when": iso}
    attrs["type"] = c.value
    if spec.calendar == "julian":
        attrs["calendar"] = "#julian"
        if spec.iso_julian:
            attrs["when-custom"] = spec.iso_julian
            attrs["datingMethod"] = "#julian"
    if spec.supplied:
        attrs["evidence"] = "conjecture"
    return _sub(parent, tag, attrs)


def _profile(doc: Document) -> etree._Element:
    profile = _el("profileDesc")
    if doc.summary:
        inline(_sub(_sub(profile, "abstract"), "p"), doc.summary)
    if doc.date:
        inline(_date(_sub(profile, "creation"), doc.date), doc.date.text)
    languages = []
    for code in [doc.original_language, *(layer.lang for layer in doc.layers)]:
        if code and code not in languages:
            languages.append(code)
    if languages:
        usage = _sub(profile, "langUsage")
        for code in languages:
            name = LANGUAGE_NAMES.get(code.split("-")[0], code)
            _sub(usage, "language", {"ident": code, "n": "original" if code == doc.original_language else None}, name)
    if doc.doc_type or doc.classification:
        keywords = _sub(_sub(profile, "textClass"), "keywords")
        if doc.doc_type:
            inline(_sub(keywords, "term", {"type": "document-type"}), doc.doc_type)
        for marking in doc.classification:
            inline(_sub(keywords, "term", {"type": "classification"}), marking)
    if doc.author or doc.place or doc.recipient:
        corresp = _sub(profile, "correspDesc")
        if doc.author or doc.place:
            sent = _sub(corresp, "correspAction", {"type": "sent"})
            if doc.author:
                inline(_sub(sent, "name"), doc.author)
            if doc.place:
                inline(_sub(sent, "placeName"), doc.place)
        if doc.recipient:
            inline(_sub(_sub(corresp, "correspAction", {"type": "received"}), "name"), doc.recipient)
    return profile


def _change(doc: Document, layer) -> etree._Element:
    added = layer.added if layer.added and ISO_RE.match(layer.added) else None
    change = _el(
        "change",
        {
            "n": layer.id,
            "target": f"#{_div_id(doc, layer.id)}",
            "when": added,
            "who": f"#{_resp_id(doc, layer.id)}" if layer.translator else None,
        },
    )
    role = "original text" if layer.role is LayerRole.ORIGINAL else "translation"
    change.text = f"Layer {layer.id} ({layer.lang}): {role}"
    facts = [
        ("translator", layer.translator),
        ("translated_from", layer.translated_from),
        ("revises", layer.revises),
        ("date", layer.date),
        ("description", layer.description),
        ("added", layer.added),
        ("source_file", layer.source_file),
        ("source_sha256", layer.source_sha256),
        ("flagged", " ".join(layer.flagged) or None),
    ]
    facts = [(k, v) for k, v in facts if v is not None]
    if facts:
        change.text += "."
        items = _sub(change, "list", {"type": "gloss"})
        for key, value in facts:
            _sub(items, "label", text=key)
            inline(_sub(items, "item"), value)
    else:
        change.text += "."
    return change


# --------------------------------------------------------------------------
# The layers.


def _placed_notes(doc: Document) -> dict[tuple[str, str], list[tuple[int, Note]]]:
    """Anchored notes by (layer, place) with their offsets; an anchor that
    no longer resolves is an error (the edition would not validate)."""
    placed: dict[tuple[str, str], list[tuple[int, Note]]] = {}
    for note in doc.notes:
        if note.anchor is None:
            continue
        offset = resolve_anchor(doc, note.anchor)
        if offset is None:
            a = note.anchor
            raise EditionError.at(
                f"document '{doc.id}': note '{note.id}' is anchored to '{a.phrase}' in {a.segment} of layer '{a.layer}', which is not there",
                hint="run `edition validate` and correct the note's anchor",
            )
        placed.setdefault((note.anchor.layer, note.anchor.segment), []).append((offset, note))
    return placed


def _note_inserts(doc: Document, text: str, notes: list[tuple[int, Note]]) -> list:
    inserts = []
    for offset, note in notes:
        element = _el("note", {XML_ID: note_xml_id(doc, note), "type": note.kind.value, "n": note.label})
        anchor = note.anchor
        assert anchor is not None, "placed notes are anchored"
        if default_anchor(text, offset) != (anchor.phrase, anchor.occurrence) or not anchor.phrase:
            start_id = f"{note_xml_id(doc, note)}.from"
            inserts.append((offset - len(anchor.phrase), _el("anchor", {XML_ID: start_id})))
            element.set("target", f"#{start_id}")
        inline(element, note.text)
        inserts.append((offset, element))
    return inserts


def _layer_div(doc: Document, layer, original, placed) -> etree._Element:
    attrs = {
        XML_ID: _div_id(doc, layer.id),
        "n": layer.id,
        "type": "original" if layer.role is LayerRole.ORIGINAL else "translation",
        XML_LANG: layer.lang,
        "corresp": f"#{_div_id(doc, original.id)}" if original and original.id != layer.id else None,
        "resp": f"#{_resp_id(doc, layer.id)}" if layer.translator else None,
    }
    div = _el("div", attrs)
    head = _sub(div, "head", {"type": "title"})
    inline(head, doc.title, _note_inserts(doc, doc.title, placed.get((layer.id, "title"), [])))
    if doc.date:
        date = _date(_sub(div, "dateline"), doc.date)
        inline(date, doc.date.text, _note_inserts(doc, doc.date.text, placed.get((layer.id, "date"), [])))
    writer = _SegmentWriter(doc, layer, original, placed)
    sections: list[tuple[Segment | None, list[Segment]]] = [(None, [])]
    for segment in doc.segments:
        if segment.kind is SegmentKind.HEADING:
            sections.append((segment, []))
        else:
            sections[-1][1].append(segment)
    for i, (heading, segments) in enumerate(sections):
        last = i == len(sections) - 1
        if heading is None:
            writer.blocks(div, segments, closer_allowed=last)
        else:
            section = _sub(div, "div", {"type": "section"})
            writer.segment(section, "head", heading)
            writer.blocks(section, segments, closer_allowed=True)
    return div


_TOP_KINDS = {SegmentKind.SALUTATION: "salute", SegmentKind.DATELINE: "dateline"}
_BOTTOM_KINDS = {SegmentKind.SIGNATURE: "signed", SegmentKind.DATELINE: "dateline", SegmentKind.SALUTATION: "salute"}


class _SegmentWriter:
    def __init__(self, doc: Document, layer, original, placed):
        self.doc, self.layer, self.original, self.placed = doc, layer, original, placed

    def segment(self, parent, tag: str, segment: Segment, kind_type: bool = False) -> etree._Element:
        attrs = {
            XML_ID: segment_xml_id(self.doc, self.layer.id, segment.id),
            "n": segment.id,
            "type": segment.kind.value if kind_type else None,
            "corresp": f"#{segment_xml_id(self.doc, self.original.id, segment.id)}"
            if self.original and self.original.id != self.layer.id
            else None,
        }
        el = _sub(parent, tag, attrs)
        text = segment.text.get(self.layer.id)
        if text is None:
            _sub(el, "gap", {"reason": "absent"})
        else:
            inline(el, text, _note_inserts(self.doc, text, self.placed.get((self.layer.id, segment.id), [])))
        return el

    def blocks(self, parent, segments: list[Segment], closer_allowed: bool) -> None:
        """Segments of one (section) div: an opener for the salutations and
        datelines it starts with, a closer for the signatures it ends with
        (where a closer may stand), blocks in between."""
        top = 0
        while top < len(segments) and segments[top].kind in _TOP_KINDS:
            top += 1
        bottom = len(segments)
        if closer_allowed:
            while bottom > top and segments[bottom - 1].kind in _BOTTOM_KINDS:
                bottom -= 1
            if bottom < len(segments) and not any(s.kind is SegmentKind.SIGNATURE for s in segments[bottom:]):
                bottom = len(segments)  # a closer is for signatures
        if top:
            opener = _sub(parent, "opener")
            for segment in segments[:top]:
                self.segment(opener, _TOP_KINDS[segment.kind], segment)
        items = None
        for segment in segments[top:bottom]:
            kind = segment.kind
            if kind is SegmentKind.LIST_ITEM:
                if items is None:
                    items = _sub(parent, "list")
                self.segment(items, "item", segment)
                continue
            items = None
            if kind is SegmentKind.QUOTATION:
                self.segment(parent, "quote", segment)
            elif kind is SegmentKind.PARAGRAPH:
                self.segment(parent, "p", segment)
            else:  # a salutation, dateline or signature in mid-text
                self.segment(parent, "ab", segment, kind_type=True)
        if bottom < len(segments):
            closer = _sub(parent, "closer")
            for segment in segments[bottom:]:
                self.segment(closer, _BOTTOM_KINDS[segment.kind], segment)


def _back(doc: Document, placed) -> etree._Element:
    back = _el("back")
    whole = [note for note in doc.notes if note.anchor is None]
    if whole:
        div = _sub(back, "div", {"type": "notes"})
        for note in whole:
            inline(_sub(div, "note", {XML_ID: note_xml_id(doc, note), "type": note.kind.value, "n": note.label}), note.text)
    for layer in doc.layers:
        if layer.unaligned:
            div = _sub(back, "div", {"type": "unaligned", "n": layer.id, "corresp": f"#{_div_id(doc, layer.id)}"})
            for item in layer.unaligned:
                corresp = f"#{segment_xml_id(doc, layer.id, item.after)}" if item.after else None
                inline(_sub(div, "p", {"corresp": corresp}), item.text)
    # The order notes stand in: layers, then in each the title, the date and
    # the segments, each by offset; then the notes on the whole document.
    standing = []
    for layer in doc.layers:
        for place in ["title", "date", *(s.id for s in doc.segments)]:
            standing += [n.id for _, n in sorted(placed.get((layer.id, place), []), key=lambda pair: pair[0])]
    standing += [n.id for n in whole]
    if standing != [n.id for n in doc.notes]:
        group = _sub(back, "linkGrp", {"type": "note-order"})
        for note in doc.notes:
            _sub(group, "ptr", {"target": f"#{note_xml_id(doc, note)}"})
    return back


# --------------------------------------------------------------------------
# The apparatus of variants (from edition.collate), and the corpus header.


def _witness_prefix(doc: Document) -> str:
    return f"{ncname(doc.id)}.wit."


def _witnesses(doc: Document, apparatus) -> etree._Element:
    from .apparatus import list_wit

    element = list_wit(doc, apparatus)
    for witness in element.iter(_t("witness")):
        witness.set(XML_ID, _witness_prefix(doc) + witness.get(XML_ID))
    return element


def _apparatus_div(doc: Document, apparatus) -> etree._Element:
    from .apparatus import apparatus_segments

    base = doc.layer(apparatus.base)
    div = _el("div", {"type": "apparatus", "n": apparatus.base, XML_LANG: base.lang if base else None})
    for element in apparatus_segments(doc, apparatus):
        for node in element.iter(_t("lem"), _t("rdg")):
            node.set("wit", " ".join(f"#{_witness_prefix(doc)}{w.lstrip('#')}" for w in node.get("wit", "").split()))
        div.append(element)
    return div


def _corpus_header(edition: Edition, documents: list[Document]) -> etree._Element:
    header = _el("teiHeader")
    file_desc = _sub(header, "fileDesc")
    title_stmt = _sub(file_desc, "titleStmt")
    inline(_sub(title_stmt, "title", {"type": "main"}), edition.title)
    if edition.subtitle:
        inline(_sub(title_stmt, "title", {"type": "sub"}), edition.subtitle)
    for editor in edition.editors:
        stmt = _sub(title_stmt, "respStmt")
        _sub(stmt, "resp", text="editor")
        inline(_sub(stmt, "name"), editor)
    publication = _sub(file_desc, "publicationStmt")
    inline(_sub(publication, "publisher"), edition.publisher or edition.title)
    if edition.year:
        _sub(publication, "date", {"when": edition.year if ISO_RE.match(edition.year) else None}, edition.year)
    _sub(_sub(file_desc, "sourceDesc"), "p", text=f"The {len(documents)} documents of the edition, each with its own source description.")
    encoding = _sub(header, "encodingDesc")
    import edition as package

    application = _sub(_sub(encoding, "appInfo"), "application", {"ident": APPLICATION, "version": getattr(package, "__version__", "0")})
    _sub(application, "label", text="edition")
    languages = list(edition.languages)
    for doc in documents:
        for code in [doc.original_language, *(layer.lang for layer in doc.layers)]:
            if code and code not in languages:
                languages.append(code)
    if languages:
        usage = _sub(_sub(header, "profileDesc"), "langUsage")
        for code in languages:
            _sub(usage, "language", {"ident": code}, LANGUAGE_NAMES.get(code.split("-")[0], code))
    return header


__all__ = ["SCHEMA_URL", "corpus_tei", "document_tei", "inline", "ncname", "note_xml_id", "segment_xml_id"]
