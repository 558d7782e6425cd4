"""Review states of a layer's segments: who checked which paragraph of which
translation, when, and whether the text is still the text they checked.

A state is stored with a digest of the reviewed text; a segment whose text
no longer has that digest (edited, re-aligned, replaced) counts as a draft
again, whatever its record says. Pure work on the model: `api` loads,
locks and writes."""

from __future__ import annotations

import datetime
import hashlib
import unicodedata
from dataclasses import dataclass

from .errors import UsageError
from .model import REVIEW_STATES, Document, Layer, LayerRole, Review

DRAFT, REVIEWED, APPROVED = REVIEW_STATES


def text_digest(text: str) -> str:
    """The digest a review keeps of the text it saw: SHA-256 of the NFC
    text, its first 16 hex digits (enough to notice a change; short enough
    to read in the file)."""
    return hashlib.sha256(unicodedata.normalize("NFC", text).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class SegmentState:
    """A segment's effective state in a layer. `record` is the stored review
    (None: never reviewed); `changed` says the text changed since, which
    makes the state `draft`."""

    segment: str
    state: str
    record: Review | None = None
    changed: bool = False


def reviewable(doc: Document, layer: Layer) -> list[str]:
    """The segments of `layer` that have text to review (a segment joined
    into the one before it has empty text and prints nothing)."""
    return [s.id for s in doc.segments if s.text.get(layer.id)]


def _effective(segment_id: str, record: Review | None, text: str | None) -> SegmentState:
    if record is None:
        return SegmentState(segment_id, DRAFT)
    if text is None or text_digest(text) != record.digest:
        return SegmentState(segment_id, DRAFT, record, changed=True)
    return SegmentState(segment_id, record.state, record)


def _records(layer: Layer) -> dict[str, Review]:
    records: dict[str, Review] = {}
    for record in layer.reviews:
        records.setdefault(record.segment, record)
    return records


def state_of(doc: Document, layer: Layer, segment_id: str) -> SegmentState:
    """The effective state of one segment of `layer` (see `states` for many)."""
    segment = doc.segment(segment_id)
    return _effective(segment_id, _records(layer).get(segment_id), segment.text.get(layer.id) if segment else None)


def states(doc: Document, layer: Layer) -> list[SegmentState]:
    """The effective state of every reviewable segment of `layer`, in order."""
    records = _records(layer)
    return [_effective(s.id, records.get(s.id), s.text[layer.id]) for s in doc.segments if s.text.get(layer.id)]


def drafts(doc: Document, layer: Layer) -> set[str]:
    """The segments of `layer` with text whose effective state is draft."""
    return {entry.segment for entry in states(doc, layer) if entry.state == DRAFT}


def counts(doc: Document, layer: Layer) -> dict[str, int]:
    """How many reviewable segments of `layer` are in each state."""
    out = dict.fromkeys(REVIEW_STATES, 0)
    for entry in states(doc, layer):
        out[entry.state] += 1
    return out


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def set_state(
    doc: Document,
    layer_id: str,
    segments: list[str] | None,
    state: str,
    by: str,
    comment: str | None = None,
    at: str | None = None,
) -> list[str]:
    """Record `state` for `segments` of layer `layer_id` (None: every
    reviewable segment), by `by`, with the digest of each text as it is now.
    Returns the segment ids set. Raises UsageError (nothing changed) for an
    unknown state, layer or segment, a segment without text in the layer,
    or no reviewer."""
    if state not in REVIEW_STATES:
        raise UsageError.at(f"unknown review state '{state}'", hint=f"one of: {', '.join(REVIEW_STATES)}")
    if not by or not by.strip():
        raise UsageError.at("a review needs the reviewer's name", hint="pass --by NAME")
    layer = doc.layer(layer_id)
    if layer is None:
        raise UsageError.at(f"document '{doc.id}' has no layer '{layer_id}'", hint=f"its layers: {', '.join(l.id for l in doc.layers)}")
    have = reviewable(doc, layer)
    if segments is None:
        chosen = have
    else:
        have_set = set(have)
        chosen = list(dict.fromkeys(segments))
        known = {s.id for s in doc.segments}
        for sid in chosen:
            if sid not in known:
                raise UsageError.at(
                    f"document '{doc.id}' has no segment '{sid}'",
                    hint=f"its segments run {doc.segments[0].id}…{doc.segments[-1].id}" if doc.segments else "it has no segments",
                )
            if sid not in have_set:
                raise UsageError.at(
                    f"segment '{sid}' has no text in layer '{layer_id}'; there is nothing to review",
                    hint=f"`edition review {doc.id} {layer_id} --list` shows the segments it has",
                )
    when = at or now()
    texts = {s.id: s.text[layer_id] for s in doc.segments if s.text.get(layer_id)}  # what `reviewable` offers
    new = {sid: Review(sid, state, by.strip(), when, text_digest(texts[sid]), comment or None) for sid in chosen}
    kept = {r.segment: r for r in layer.reviews if r.segment not in new}
    order = {s.id: i for i, s in enumerate(doc.segments)}
    layer.reviews = sorted([*kept.values(), *new.values()], key=lambda r: order.get(r.segment, len(order)))
    return chosen


def carry_reviews(reviews: list[Review], doc: Document, layer_id: str) -> list[Review]:
    """The reviews (of a replaced layer, or of the layer a revision revises)
    whose segment has the very text they reviewed in layer `layer_id`: the
    states that survive `translation add --replace` and revisions."""
    texts = {s.id: s.text.get(layer_id) for s in doc.segments}
    kept = {}
    for record in reviews:
        text = texts.get(record.segment)
        if text and record.segment not in kept and text_digest(text) == record.digest:
            kept[record.segment] = record
    return [kept[s.id] for s in doc.segments if s.id in kept]


def needs_review(layer: Layer) -> bool:
    """Whether a layer's text is subject to review: translations are; an
    original is the transcribed source, checked against the archive."""
    return layer.role is not LayerRole.ORIGINAL


def in_review(documents: list[Document]) -> bool:
    """Whether the team has started reviewing: some layer holds a review.
    A draft build marks unreviewed text only then, so that an edition that
    does not use review states prints as it always did."""
    return any(layer.reviews for doc in documents for layer in doc.layers)


def unapproved(doc: Document, printed: list[tuple[str, Layer]]) -> list[tuple[Layer, SegmentState]]:
    """Of the printed texts (segment id, the layer printed), those that need
    review and are not approved."""
    table: dict[str, dict[str, SegmentState]] = {}
    out = []
    for sid, layer in printed:
        if not needs_review(layer):
            continue
        if layer.id not in table:
            table[layer.id] = {entry.segment: entry for entry in states(doc, layer)}
        entry = table[layer.id].get(sid)
        if entry is not None and entry.state != APPROVED:
            out.append((layer, entry))
    return out


__all__ = [
    "APPROVED", "DRAFT", "REVIEWED", "SegmentState", "carry_reviews", "counts", "drafts", "in_review", "needs_review",
    "reviewable", "set_state", "state_of", "states", "text_digest", "unapproved",
]  # fmt: skip
