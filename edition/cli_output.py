"""What the commands print for scripts and in their tables: the rows of
`list`, `import --json`, `translation list`, `note list`, `names` and the
JSON shapes of `collate`, `review` and `translation add`. They belong to the
command line; the library (`edition.api`) returns the model and its
reports, from which these are made."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .api import ImportReport
    from .collate import Apparatus
    from .model import Document, Layer
    from .review import SegmentState
    from .store import Workspace
    from .translations import AddResult


def document_row(doc: Document) -> dict:
    """The facts `edition list` shows for a document."""
    return {
        "id": doc.id,
        "date": doc.date.text if doc.date else None,
        "iso_date": doc.date.iso if doc.date else None,
        "title": doc.title,
        "layers": [layer.id for layer in doc.layers],
        "segments": len(doc.segments),
        "notes": len(doc.notes),
    }


def import_row(doc: Document, report: ImportReport) -> dict:
    """`document_row`, with the account of a re-import (`import --json`)."""
    row = document_row(doc)
    result = next((r for r in report.reimports if r.document.id == doc.id), None)
    if result is not None:
        row["reimport"] = {
            "kept": result.kept, "corrected": result.corrected, "new": result.new,
            "merged": [{"segments": list(olds), "into": new} for olds, new in result.merged],
            "split": [{"segment": old, "into": list(parts)} for old, parts in result.split],
            "divided_anew": [{"segments": list(olds), "into": list(news)} for olds, news in result.redivided],
            "gone": [{"segment": g.segment, "translations": list(g.translations), "notes": list(g.notes), "flagged": list(g.flagged)} for g in result.gone],
            "review": result.review,
            "notes_moved": [p.note for p in result.moved],
            "notes_unplaced": [p.note for p in result.unplaced],
            "notes_replaced": result.replaced_notes,
            "notes_renamed": dict(result.renamed_notes),
        }  # fmt: skip
    return row


def review_json(doc: Document, layer: Layer, states: list[SegmentState]) -> dict:
    """Each segment's review state (`review --json`)."""
    return {
        "document": doc.id,
        "layer": layer.id,
        "segments": [
            {
                "segment": entry.segment,
                "state": entry.state,
                "changed": entry.changed,
                "by": entry.record.by if entry.record else None,
                "at": entry.record.at if entry.record else None,
                "recorded": entry.record.state if entry.record else None,
                "comment": entry.record.comment if entry.record else None,
            }  # fmt: skip
            for entry in states
        ],
    }


def alignment_json(result: AddResult) -> dict:
    """The alignment report for scripts (`translation add --json`)."""
    from .translations import XliffResult

    return {
        "layer": result.layer.id,
        "method": result.alignment.method,
        "pairs": [
            {"segments": p.segments, "paragraphs": p.paragraphs, "confidence": p.confidence, "flagged": p.flagged} for p in result.pairs
        ],
        "unaligned": [{"after": u.after, "text": u.text} for u in result.layer.unaligned],
        "notes": [n.id for n in result.notes],
        "lost_notes": [n.id for n in result.lost_notes],
        **(
            {"states": result.states, "untranslated": result.untranslated, "merged": result.merged}
            if isinstance(result, XliffResult)
            else {}
        ),  # an XLIFF file's, by unit id
    }


def layer_rows(ws: Workspace, doc: Document) -> list[dict]:
    """A document's layers, as `translation list` shows them."""
    files = ws.files[doc.id]
    return [
        {
            "id": layer.id,
            "lang": layer.lang,
            "role": layer.role.value,
            "translator": layer.translator,
            "from": layer.translated_from,
            "revises": layer.revises,
            "description": layer.description,
            "segments": sum(1 for s in doc.segments if layer.id in s.text),
            "of": len(doc.segments),
            "coverage": None if layer.coverage is None else [list(run) for run in layer.coverage],
            "notes": sum(1 for n in doc.notes if n.anchor and n.anchor.layer == layer.id),
            "flagged": list(layer.flagged),
            "file": str(files.layer_files.get(layer.id, files.path).relative_to(ws.root)),
        }  # fmt: skip
        for layer in doc.layers
    ]


def note_rows(doc: Document) -> list[dict]:
    """A document's notes and where they stand (`note list`)."""
    from .notes import anchor_status

    return [
        {
            "id": n.id,
            "kind": n.kind.value,
            "label": n.label,
            "text": n.text,
            "status": anchor_status(doc, n),
            "layer": n.anchor.layer if n.anchor else None,
            "at": n.anchor.segment if n.anchor else None,
            "phrase": n.anchor.phrase if n.anchor else None,
        }  # fmt: skip
        for n in doc.notes
    ]


def apparatus_json(apparatus: Apparatus) -> dict:
    """The apparatus of variants for scripts (`collate --format json`)."""
    return {
        "schema": "edition.apparatus/1",
        "document": apparatus.document,
        "base": apparatus.base,
        "witnesses": apparatus.witnesses,
        "entries": [
            {
                "segment": e.segment,
                "start": e.start,
                "end": e.end,
                "lemma": e.lemma,
                "agree": list(e.agree),
                "readings": [{"text": r.text, "witnesses": list(r.witnesses), "class": r.cls} for r in e.readings],
            }  # fmt: skip
            for e in apparatus.entries
        ],
        "lacunae": [
            {"segments": list(lac.segments), "from": lac.first, "to": lac.last, "witnesses": list(lac.witnesses), "lemma": lac.lemma}
            for lac in apparatus.lacunae
        ],
    }


def name_rows(ws: Workspace) -> list[dict]:
    """Each registered name with its occurrences counted per document."""
    from .names import occurrences

    by_name: dict[str, list] = {}
    for o in occurrences(ws.edition, ws.register):
        by_name.setdefault(o.name, []).append(o)
    rows = []
    for name in ws.register.names:
        mine = by_name.get(name.id, [])
        per_doc: dict[str, int] = {}
        for o in mine:
            per_doc[o.document] = per_doc.get(o.document, 0) + 1
        rows.append({"id": name.id, "kind": name.kind, "name": name.name, "occurrences": len(mine), "documents": per_doc,
                     "forms": sorted({o.form for o in mine})})  # fmt: skip
    return rows
