"""A document as XLIFF 1.2 for the translator's CAT tool (OmegaT, Trados,
memoQ, Weblate): one `trans-unit` per segment, keyed by the segment id, so
that the translation comes back by ids (`edition.importers.xliff`) with no
alignment. Written through translate-toolkit, imported only here: `edition
--help` never loads it."""

from __future__ import annotations

from ..errors import UsageError
from ..model import HEAD_PLACES, Document, Layer, Segment, inline_spans

NAMESPACE = "urn:oasis:names:tc:xliff:document:1.2"
# `ctype="italic"` is XLIFF 1.2's own value for emphasis; CAT tools show the
# `<g>` as a paired tag and write it back around the translated words.
ITALIC = "italic"


def _store_classes():
    """translate-toolkit's XLIFF store, speaking 1.2 (it writes 1.1 unless
    its skeleton and namespace say otherwise; it reads both)."""
    from translate.storage import xliff

    class Unit(xliff.xliffunit):
        namespace = NAMESPACE

    class File(xliff.xlifffile):
        UnitClass = Unit
        namespace = NAMESPACE

    return File, Unit


_XLIFF_STATES = {"draft": "translated", "reviewed": "signed-off", "approved": "final"}


def segment_state(doc: Document, layer: Layer, segment: Segment) -> str:
    """The XLIFF `state` of a segment's existing translation, from its
    review state (`edition review`): a draft is "translated", a reviewed
    text "signed-off", an approved one "final" (XLIFF 1.2's values)."""
    from ..review import state_of

    return _XLIFF_STATES[state_of(doc, layer, segment.id).state]


def rich(text: str):
    """Our text with `*…*` emphasis as XLIFF inline `<g ctype="italic">`."""
    from translate.storage.placeables import StringElem
    from translate.storage.placeables.xliff import G

    parts: list[object] = []  # plain runs and <g> elements
    for number, (span, em) in enumerate(inline_spans(text), start=1):
        if em:
            parts.append(G([span], id=str(number), xml_attrib={"ctype": ITALIC}))
        elif span:
            parts.append(span)
    return [StringElem(parts)]


def source_and_target(doc: Document, source: str, target: str) -> tuple[Layer, Layer | None]:
    """The layer to translate from (`source`: a layer id, or a language: its
    newest revision) and the document's layer in language `target` whose
    text goes along (None when it has none). A language to translate into
    that is the source's own is a wrong command line."""
    source_layer = doc.named_layer(source)
    if source_layer is None:
        raise UsageError.at(
            f"document '{doc.id}' has no layer or language '{source}'",
            hint=f"its layers: {', '.join(f'{l.id} ({l.lang})' for l in doc.layers)}",
        )
    if source_layer.lang == target:  # en-GB to en is a localisation, and allowed
        raise UsageError.at(
            f"--target {target} is the language of the source layer '{source_layer.id}'", hint="name the language to translate into"
        )
    base = target.split("-")[0]
    target_layer = doc.named_layer(target)
    if target_layer is not None and (target_layer is source_layer or target_layer.lang.split("-")[0] != base):
        # The source itself (en-GB to en), or a layer id that happens to
        # equal the code: the newest revision of another layer in the language.
        others = [l for l in doc.layers if l is not source_layer and l.lang == target] or [
            l for l in doc.layers if l is not source_layer and l.lang.split("-")[0] == base
        ]
        first = next((l for l in others if not l.revises or doc.layer(l.revises) not in others), None)
        target_layer = doc.newest_revision(first) if first is not None else None
        if target_layer is source_layer:
            target_layer = None
    return source_layer, target_layer


def document_xliff(doc: Document, source: str, target: str) -> bytes:
    """The XLIFF 1.2 file of `doc`: the text of layer `source` (a layer id,
    or a language: its newest revision) to be translated into language
    `target`, with the target layer's existing text (that language's newest
    revision, if the document has one), marked "translated" (an empty
    target so marked: a segment merged into the one before); segments it
    lacks get no `<target>`. The document's notes on a segment go with it as
    `<note from="KIND">`; its notes on the title, the date or the whole
    document go in the file's `<header>`. Segments without text in the source layer are
    left out (nothing to translate)."""
    source_layer, target_layer = source_and_target(doc, source, target)
    from lxml import etree

    File, Unit = _store_classes()
    skeleton = etree.Element(f"{{{NAMESPACE}}}xliff", {"version": "1.2"}, nsmap={None: NAMESPACE})
    attributes = {"original": doc.id, "source-language": source_layer.lang, "target-language": target, "datatype": "plaintext"}
    etree.SubElement(etree.SubElement(skeleton, f"{{{NAMESPACE}}}file", attributes), f"{{{NAMESPACE}}}body")
    store = File.parsestring(etree.tostring(skeleton, encoding="UTF-8", xml_declaration=True))
    notes_on: dict[str, list] = {}
    header = None
    for note in doc.notes:
        if note.anchor is not None and note.anchor.segment not in HEAD_PLACES:
            notes_on.setdefault(note.anchor.segment, []).append(note)
        else:  # on the title, the date or the whole document: context for the translator, in the header
            if header is None:  # XLIFF 1.2: <header> comes before <body>
                header = etree.Element(f"{{{NAMESPACE}}}header")
                store.getfilenode(doc.id).insert(0, header)
            element = etree.SubElement(header, f"{{{NAMESPACE}}}note", {"from": note.kind.value})
            element.text = note.text
    for segment in doc.segments:
        text = segment.text.get(source_layer.id)
        if not text:
            continue
        unit = Unit("")
        unit.rich_source = rich(text)
        store.addunit(unit)
        unit.setid(segment.id)
        unit.xmlelement.set("resname", segment.id)
        translated = segment.text.get(target_layer.id) if target_layer else None
        if translated is not None and target_layer is not None:  # "" too: merged into the segment before, on purpose
            unit.rich_target = rich(translated) if translated else [""]
            unit.set_state_n(unit.statemap[segment_state(doc, target_layer, segment)])
        for note in notes_on.get(segment.id, []):
            unit.addnote(note.text, origin=note.kind.value)
    return bytes(store)


__all__ = ["document_xliff", "rich", "segment_state", "source_and_target"]
