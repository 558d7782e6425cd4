"""The status board: for each document and layer, what is left to translate
and to review — coverage, review states, alignments flagged, notes whose
anchors are lost, terminology issues — and the edition's totals. What
`edition status` prints and the site's status page shows."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from . import review
from .model import REVIEW_STATES, Document, Edition, Layer, LayerRole
from .notes import anchor_status


def terminology_issues(edition: Edition, terms) -> dict[tuple[str, str], int]:
    """(document, layer) → the terminology breaches in that translation (a
    source term not rendered as the term base prefers; see `edition terms
    check`). `terms`: the edition's term base (terms.yaml), or None."""
    if terms is None or not terms.terms:
        return {}
    from .terms import check

    counted: dict[tuple[str, str], int] = {}
    for breach in check(edition, terms).breaches:
        counted[breach.document, breach.layer] = counted.get((breach.document, breach.layer), 0) + 1
    return counted


@dataclass(frozen=True)
class LayerStatus:
    """One layer of one document. `segments` are those of the document,
    `covered` those the layer sets out to translate (its coverage),
    `translated` those it has text for (a segment joined into the one
    before counts: empty on purpose); `review` counts the segments with
    text by their effective state."""

    document: str
    layer: str
    lang: str
    role: str
    segments: int
    covered: int
    translated: int
    review: dict[str, int]
    flagged: int
    lost_notes: int
    terminology: int

    @property
    def to_review(self) -> int:
        return self.review[review.DRAFT] + self.review[review.REVIEWED]


@dataclass(frozen=True)
class DocumentStatus:
    id: str
    number: int
    title: str
    segments: int
    layers: tuple[LayerStatus, ...]


@dataclass(frozen=True)
class Totals:
    """Sums over the translation layers (an original is what is translated,
    not something to translate or review)."""

    documents: int = 0
    layers: int = 0
    segments: int = 0
    covered: int = 0
    translated: int = 0
    review: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REVIEW_STATES, 0))
    flagged: int = 0
    lost_notes: int = 0
    terminology: int = 0


@dataclass(frozen=True)
class Board:
    documents: tuple[DocumentStatus, ...]
    totals: Totals

    def as_json(self) -> dict:
        return {
            "documents": [
                {**{k: v for k, v in asdict(d).items() if k != "layers"}, "layers": [_layer_json(l) for l in d.layers]}
                for d in self.documents
            ],
            "totals": asdict(self.totals),
        }


def _layer_json(status: LayerStatus) -> dict:
    out = asdict(status)
    out.pop("document")
    return out


def layer_status(doc: Document, layer: Layer, terminology: int = 0) -> LayerStatus:
    lost = sum(1 for n in doc.notes if n.anchor is not None and n.anchor.layer == layer.id and anchor_status(doc, n) != "ok")
    return LayerStatus(
        document=doc.id,
        layer=layer.id,
        lang=layer.lang,
        role=layer.role.value,
        segments=len(doc.segments),
        covered=len(doc.covered(layer)),
        translated=sum(1 for s in doc.segments if layer.id in s.text),
        review=review.counts(doc, layer),
        flagged=len(layer.flagged),
        lost_notes=lost,
        terminology=terminology,
    )


def board(edition: Edition, terms=None) -> Board:
    """The status of every document and layer of `edition`, in volume order;
    with the term base `terms`, each translation's terminology breaches."""
    breaches = terminology_issues(edition, terms)
    documents = []
    sums = dict(documents=len(edition.documents), layers=0, segments=0, covered=0, translated=0, flagged=0, lost_notes=0, terminology=0)
    states = dict.fromkeys(REVIEW_STATES, 0)
    for number, doc in enumerate(edition.documents, start=1):
        rows = tuple(layer_status(doc, layer, breaches.get((doc.id, layer.id), 0)) for layer in doc.layers)
        documents.append(DocumentStatus(doc.id, number, doc.title, len(doc.segments), rows))
        for row in rows:
            if row.role == LayerRole.ORIGINAL.value:
                continue
            sums["layers"] += 1
            for key in ("segments", "covered", "translated", "flagged", "lost_notes", "terminology"):
                sums[key] += getattr(row, key)
            for state, n in row.review.items():
                states[state] += n
    return Board(tuple(documents), Totals(**sums, review=states))


__all__ = ["Board", "DocumentStatus", "LayerStatus", "Totals", "board", "layer_status", "terminology_issues"]
