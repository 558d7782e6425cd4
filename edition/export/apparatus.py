"""The apparatus of variants as TEI P5 parallel segmentation: each segment
of the base text with `<app><lem wit=…>…</lem><rdg wit=…>…</rdg></app>` at
every place of variation, and the witnesses in a `listWit`."""

from __future__ import annotations

from lxml import etree

from ..collate import Apparatus, apparatus_of_versions
from ..model import Document, Edition, LayerRole
from ..tei_common import TEI_NS, XML_ID


def _t(tag: str) -> str:
    return f"{{{TEI_NS}}}{tag}"


def _el(tag: str, attrs: dict[str, str] | None = None) -> etree._Element:
    """A TEI element that may stand alone (TEI as its default namespace)."""
    return etree.Element(_t(tag), attrs or {}, nsmap={None: TEI_NS})


def edition_apparatus(doc: Document, edition: Edition) -> Apparatus | None:
    """The apparatus an export carries: against the reading text
    (`Document.reading_layer`, the printed text of the default layout), so
    the TEI records the same places of variation as the printed volume."""
    return apparatus_of_versions(doc, doc.reading_layer(edition.reading), edition.apparatus)


def list_wit(doc: Document, apparatus: Apparatus) -> etree._Element:
    """`<listWit>` with one `<witness>` per layer taking part."""
    element = _el("listWit")
    for layer_id in [apparatus.base, *apparatus.witnesses]:
        layer = doc.layer(layer_id)
        witness = etree.SubElement(element, _t("witness"), {XML_ID: witness_id(layer_id)})
        if layer is None:
            witness.text = layer_id
            continue
        role = "original" if layer.role is LayerRole.ORIGINAL else "translation"
        by = f" by {layer.translator}" if layer.translator else ""
        revises = f", revising {layer.revises}" if layer.revises else ""
        witness.text = f"{layer.id}: {layer.lang} {role}{by}{revises}"
    return element


def witness_id(layer_id: str) -> str:
    """An xml:id for a layer: NCNames cannot start with a digit."""
    return layer_id if layer_id[:1].isalpha() else f"w{layer_id}"


def apparatus_segments(doc: Document, apparatus: Apparatus) -> list[etree._Element]:
    """One `<p>` per segment of the base, with the apparatus inline."""
    by_segment: dict[str, list] = {}
    for entry in apparatus.entries:
        by_segment.setdefault(entry.segment, []).append(entry)
    base_wit = f"#{witness_id(apparatus.base)}"
    starts: dict[str, list[str]] = {}
    ends: dict[str, list[str]] = {}
    for lacuna in apparatus.lacunae:
        wit = " ".join(f"#{witness_id(w)}" for w in lacuna.witnesses)
        starts.setdefault(lacuna.first, []).append(wit)
        ends.setdefault(lacuna.last, []).append(wit)
    out = []
    for segment in doc.segments:
        text = segment.text.get(apparatus.base)
        if text is None:
            continue
        p = _el("p", {"n": segment.id})
        pos, last = 0, None
        for wit in starts.get(segment.id, []):
            last = _lacuna_mark(p, wit, "lacunaStart")
        for entry in by_segment.get(segment.id, []):
            start, end = _words_of(text, entry.start, entry.end)
            _append_text(p, last, text[pos:start])
            app = etree.SubElement(p, _t("app"))
            agree = " ".join(f"#{witness_id(w)}" for w in entry.agree)
            lem = etree.SubElement(app, _t("lem"), {"wit": f"{base_wit} {agree}".strip()})
            lem.text = text[start:end] or None
            for reading in entry.readings:
                rdg = etree.SubElement(
                    app, _t("rdg"), {"wit": " ".join(f"#{witness_id(w)}" for w in reading.witnesses), "type": reading.cls}
                )
                rdg.text = reading.text or None
            pos, last = end, app
        _append_text(p, last, text[pos:])
        for wit in ends.get(segment.id, []):
            _lacuna_mark(p, wit, "lacunaEnd")
        out.append(p)
    return out


def _lacuna_mark(p: etree._Element, wit: str, mark: str) -> etree._Element:
    """`<app><rdg wit=…><lacunaStart/></rdg></app>`: where the witnesses'
    text stops (or resumes), as TEI's parallel segmentation records it."""
    app = etree.SubElement(p, _t("app"), {"type": "lacuna"})
    etree.SubElement(etree.SubElement(app, _t("rdg"), {"wit": wit, "cause": "lacuna"}), _t(mark))
    return app


def _words_of(text: str, start: int, end: int) -> tuple[int, int]:
    """The place without the spaces at its edges: readings are stripped, so
    a space inside the lemma would be lost (or doubled) in every witness
    read from the `app`s; outside it, every version keeps it."""
    place = text[start:end]
    if not place.strip():
        return start, end
    return start + len(place) - len(place.lstrip()), end - len(place) + len(place.rstrip())


def _append_text(parent: etree._Element, last: etree._Element | None, text: str) -> None:
    if not text:
        return
    if last is None:
        parent.text = (parent.text or "") + text
    else:
        last.tail = (last.tail or "") + text


def collation_tei(doc: Document, apparatus: Apparatus) -> bytes:
    """A standalone TEI document holding the collation of one document."""
    tei = _el("TEI")
    header = etree.SubElement(tei, _t("teiHeader"))
    file_desc = etree.SubElement(header, _t("fileDesc"))
    title_stmt = etree.SubElement(file_desc, _t("titleStmt"))
    etree.SubElement(title_stmt, _t("title")).text = f"{doc.title}: collation against {apparatus.base}"
    etree.SubElement(etree.SubElement(file_desc, _t("publicationStmt")), _t("p")).text = "Generated by edition."
    source = etree.SubElement(file_desc, _t("sourceDesc"))
    source.append(list_wit(doc, apparatus))
    encoding = etree.SubElement(header, _t("encodingDesc"))
    etree.SubElement(encoding, _t("variantEncoding"), {"method": "parallel-segmentation", "location": "internal"})
    body = etree.SubElement(etree.SubElement(tei, _t("text")), _t("body"))
    div = etree.SubElement(body, _t("div"), {"type": "collation"})
    div.text = "\n"
    for p in apparatus_segments(doc, apparatus):
        p.tail = "\n"  # mixed content is never indented: spaces would become text
        div.append(p)
    etree.indent(header, space="  ", level=1)
    header.tail = body.tail = "\n"
    tei.text = "\n"
    etree.cleanup_namespaces(tei)
    out = etree.tostring(tei, encoding="utf-8", xml_declaration=True) + b"\n"
    # Empty elements as collation files have always written them (`<rdg … />`).
    # Only a tag can end in "/>": in text and attributes ">" is written "&gt;".
    return out.replace(b"/>", b" />")
