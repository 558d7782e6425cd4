"""The whole edition as JSON for scripts: schema "edition.json/1".

Every key is always present (null, [] or {} when empty), in a fixed order,
so scripts can rely on the shape; the same edition gives the same JSON.

    {
      "schema": "edition.json/1",
      "edition": {"title", "subtitle", "editors": [..], "publisher", "year",
                  "languages": [..], "page_size", "layout"},
      "documents": [                      # in the edition's order (date, number)
        {
          "id", "title", "number", "collection",
          "date": null | {"text", "iso", "certainty", "iso_end", "supplied",
                          "calendar", "iso_julian"},
          "author", "recipient", "place", "type",
          "classification": [marking], "original_language",
          "archival_refs": [{"text", "archive", "fond", "opis", "delo",
                             "folios", "copy"}],
          "citation", "publication", "source_url", "summary", "credit",
          "rights", "unplaced": [text],
          "reading": null | layer id or language (the reading text),
          "layers": [{"id", "lang", "role", "translator", "translated_from",
                      "revises", "date", "description", "added",
                      "source_file", "source_sha256",
                      "coverage": null | [[first, last]],  # null: all
                      "flagged": [segment id], "pinned": [segment id],
                      "reviews": [{"segment", "state", "by", "at", "digest",
                                   "comment"}],
                      "unaligned": [{"after", "text"}]}],
          "segments": [{"id", "kind", "text": {layer id: text | null}}],
                                      # every layer listed; null where the
                                      # layer lacks the segment
          "notes": [{"id", "kind", "label", "text",
                     "anchor": null | {"layer", "segment", "phrase",
                                       "occurrence", "offset"}}]
                                      # offset: where the call stands in the
                                      # anchored text (null: phrase not found)
        }
      ]
    }

Text is the model's own: `*…*` marks emphasis, "\\n" a line break inside a
segment. certainty is exact | approximate | not-before | not-after | range |
unknown; role original | translation; kind (segment) paragraph | heading |
quotation | list-item | signature | salutation | dateline; kind (note)
footnote | translator | gloss | archival."""

from __future__ import annotations

import json
from dataclasses import asdict

from ..model import Document, Edition, Note, resolve_anchor

SCHEMA = "edition.json/1"


def edition_json(edition: Edition, documents: list[Document] | None = None) -> dict:
    """The edition (or only `documents` of it) as plain JSON data."""
    documents = edition.documents if documents is None else documents
    return {
        "schema": SCHEMA,
        "edition": {
            "title": edition.title,
            "subtitle": edition.subtitle,
            "editors": list(edition.editors),
            "publisher": edition.publisher,
            "year": edition.year,
            "languages": list(edition.languages),
            "page_size": edition.page_size,
            "layout": edition.layout,
        },
        "documents": [document_json(doc) for doc in documents],
    }


def document_json(doc: Document) -> dict:
    date = None
    if doc.date:
        d = doc.date
        date = {"text": d.text, "iso": d.iso, "certainty": d.certainty.value, "iso_end": d.iso_end, "supplied": d.supplied}
        date |= {"calendar": d.calendar or "gregorian", "iso_julian": d.iso_julian}
    return {
        "id": doc.id,
        "title": doc.title,
        "number": doc.number,
        "collection": doc.collection,
        "date": date,
        "author": doc.author,
        "recipient": doc.recipient,
        "place": doc.place,
        "type": doc.doc_type,
        "classification": list(doc.classification),
        "original_language": doc.original_language,
        "archival_refs": [asdict(r) for r in doc.archival_refs],  # text, then its parts
        "citation": doc.citation,
        "publication": doc.publication,
        "source_url": doc.source_url,
        "summary": doc.summary,
        "credit": doc.credit,
        "rights": doc.rights,
        "unplaced": list(doc.unplaced),
        "reading": doc.reading,
        "layers": [
            {
                "id": layer.id,
                "lang": layer.lang,
                "role": layer.role.value,
                "translator": layer.translator,
                "translated_from": layer.translated_from,
                "revises": layer.revises,
                "date": layer.date,
                "description": layer.description,
                "added": layer.added,
                "source_file": layer.source_file,
                "source_sha256": layer.source_sha256,
                "coverage": None if layer.coverage is None else [list(run) for run in layer.coverage],
                "flagged": list(layer.flagged),
                "pinned": list(layer.pinned),
                "reviews": [asdict(r) for r in layer.reviews],
                "unaligned": [{"after": u.after, "text": u.text} for u in layer.unaligned],
            }
            for layer in doc.layers
        ],
        "segments": [
            {"id": s.id, "kind": s.kind.value, "text": {layer.id: s.text.get(layer.id) for layer in doc.layers}} for s in doc.segments
        ],
        "notes": [_note(doc, note) for note in doc.notes],
    }


def _note(doc: Document, note: Note) -> dict:
    anchor = None
    if note.anchor:
        a = note.anchor
        anchor = {"layer": a.layer, "segment": a.segment, "phrase": a.phrase, "occurrence": a.occurrence, "offset": resolve_anchor(doc, a)}
    return {"id": note.id, "kind": note.kind.value, "label": note.label, "text": note.text, "anchor": anchor}


def dumps(data: dict) -> str:
    """The JSON text: UTF-8 characters as they are, two-space indent, a
    final newline."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


__all__ = ["SCHEMA", "document_json", "dumps", "edition_json"]
