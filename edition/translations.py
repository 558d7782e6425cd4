"""Adding a delivered translation (or revision) to a document: read the
file, align its paragraphs to the document's segments, build the new layer
with its provenance, carry notes across a revision. Pure work on the model;
`api` does the loading, locking and writing."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from . import realign
from .realign import base_layer
from .align import Alignment, align, is_omission_mark
from .errors import UsageError
from .importers.base import Delivery
from .model import LANG_RE, Anchor, Document, Layer, LayerRole, Note, NoteKind, Unaligned
from .notes import carry_notes, next_note_id
from .review import carry_reviews



@dataclass
class Pair:
    """One bead of the alignment, in the document's terms."""

    segments: list[str]
    paragraphs: list[int]  # 1-based, as the report and --json show them
    confidence: float
    flagged: bool
    base_text: str
    new_text: str


@dataclass
class AddResult:
    layer: Layer
    pairs: list[Pair]
    alignment: Alignment
    notes: list[Note] = field(default_factory=list)  # from the file, and carried
    lost_notes: list[Note] = field(default_factory=list)  # could not be carried
    warnings: list[str] = field(default_factory=list)

    @property
    def flagged(self) -> list[Pair]:
        return [p for p in self.pairs if p.flagged]


def new_layer_id(doc: Document, lang: str, revises: str | None) -> str:
    """`en` for a first English layer; `en.2`, `en.3` … after it."""
    stem = revises.split(".")[0] if revises else lang
    if doc.layer(stem) is None:
        return stem
    number = 2
    while doc.layer(f"{stem}.{number}"):
        number += 1
    return f"{stem}.{number}"


def add_translation(
    doc: Document,
    delivery: Delivery,
    *,
    lang: str,
    translator: str | None,
    translated_from: str | None = None,
    revises: str | None = None,
    layer_id: str | None = None,
    description: str | None = None,
    date: str | None = None,
    replace_layer: bool = False,
    today: str | None = None,
) -> AddResult:
    """Align `delivery` to `doc` and add it as a new layer (in place).
    Raises UsageError for a wrong request; nothing is written here."""
    if not LANG_RE.match(lang):
        raise UsageError.at(f"'{lang}' is not a language code", hint="use an ISO 639 code such as en, ru, de")
    base = base_layer(doc, revises, translated_from)
    layer_id = layer_id or new_layer_id(doc, lang, revises)
    if doc.layer(layer_id) is not None:
        if not replace_layer:
            raise UsageError.at(
                f"document '{doc.id}' already has a layer '{layer_id}'; nothing was changed",
                hint="pass --replace to replace it, or --layer ID for a new one",
            )
        pinned = realign.pins(doc, doc.layer(layer_id))  # the editor's fixes, kept if the new text allows
        reviewed = doc.layer(layer_id).reviews
        _drop_layer(doc, layer_id)
        if base.id == layer_id:
            base = base_layer(doc, None, None)
    else:
        pinned, reviewed = [], []
    if revises and doc.layer(revises) is not None:
        reviewed = [*reviewed, *doc.layer(revises).reviews]  # a revision keeps the revised layer's states where it keeps its text
    base_texts = [s.text.get(base.id, "") for s in doc.segments]
    new_texts = [p.text for p in delivery.paragraphs]
    if pinned:
        alignment, kept = realign.align_around(base_texts, new_texts, pinned, same_language=base.lang == lang)
    else:
        alignment, kept = align(base_texts, new_texts, same_language=base.lang == lang), []
    layer = Layer(
        id=layer_id,
        lang=lang,
        role=LayerRole.TRANSLATION,
        translator=translator,
        translated_from=None if revises else (translated_from or base.id),
        revises=revises,
        date=date,
        description=description,
        added=today or datetime.date.today().isoformat(),
        source_file=delivery.name,
        source_sha256=delivery.sha256,
    )
    doc.layers.append(layer)
    result = AddResult(layer=layer, pairs=[], alignment=alignment)
    para_place: dict[int, tuple[str | None, int]] = {}  # paragraph → (segment, char offset in its text)
    last_segment: str | None = None
    for bead in alignment.beads:
        seg_ids = [doc.segments[i].id for i in bead.segments]
        paragraphs = [delivery.paragraphs[j].text for j in bead.paragraphs]
        joined = "\n".join(paragraphs)
        if seg_ids and paragraphs:
            target = doc.segments[bead.segments[0]]
            target.text[layer_id] = joined
            for merged in bead.segments[1:]:  # joined into the first: empty on purpose, not missing
                doc.segments[merged].text[layer_id] = ""
            offset = 0
            for j, text in zip(bead.paragraphs, paragraphs):
                para_place[j] = (target.id, offset)
                offset += len(text) + 1
        elif paragraphs:  # 0-1: a paragraph matching no segment, kept
            for j, text in zip(bead.paragraphs, paragraphs):
                layer.unaligned.append(Unaligned(after=last_segment, text=text))
                para_place[j] = (None, 0)
            if not all(is_omission_mark(text) for text in paragraphs):  # "[...]" marks where the excerpt leaves text out
                result.warnings.append(f"paragraph {bead.paragraphs[0] + 1} matches no segment: kept as unaligned after {last_segment or 'the start'}")
        if seg_ids:
            last_segment = seg_ids[-1]
        if bead.flagged and seg_ids:
            layer.flagged.append(seg_ids[0])
        result.pairs.append(
            Pair(
                segments=seg_ids,
                paragraphs=[j + 1 for j in bead.paragraphs],
                confidence=round(bead.confidence, 3),
                flagged=bead.flagged,
                base_text=" ".join(doc.segments[i].text.get(base.id, "") for i in bead.segments),
                new_text=" ".join(paragraphs),
            )
        )
    layer.coverage = doc.coverage_of(layer_id)
    layer.pinned = [doc.segments[segments[0]].id for segments in kept]
    layer.reviews = carry_reviews(reviewed, doc, layer_id)  # states stand where the text is unchanged
    for segments, _ in pinned:
        if tuple(segments) not in set(kept):
            result.warnings.append(f"the pair fixed by hand at {doc.segments[segments[0]].id} is not in the new text; it was aligned again")  # a part of the document: the rest is not translated, not missing
    # The file's own notes (a Word file's footnotes): translator's notes.
    for file_note in delivery.notes:
        segment, offset = para_place.get(file_note.paragraph, (None, 0))
        anchor = None
        if segment is not None:
            text = doc.segment(segment).text[layer_id]
            before = text[:offset]
            anchor = Anchor(layer_id, segment, file_note.phrase, file_note.occurrence + before.count(file_note.phrase) if file_note.phrase else 1)
        note = Note(id=next_note_id(doc, NoteKind.TRANSLATOR), kind=NoteKind.TRANSLATOR, text=file_note.text or "(empty note)", anchor=anchor)
        doc.notes.append(note)
        result.notes.append(note)
        if anchor is None:
            result.warnings.append(f"a note of the file could not be placed in a segment; kept as a note on the whole document: {note.text[:60]}")
    if revises:
        carried, lost = carry_notes(doc, base.id, layer_id)
        doc.notes.extend(carried)
        result.notes.extend(carried)
        result.lost_notes = lost
        for note in lost:
            result.warnings.append(f"note '{note.id}' ('{note.anchor.phrase}' in {note.anchor.segment}) could not be placed in the revision; it stays on layer '{base.id}'")
    return result


def _drop_layer(doc: Document, layer_id: str) -> None:
    doc.layers = [l for l in doc.layers if l.id != layer_id]
    for segment in doc.segments:
        segment.text.pop(layer_id, None)
    doc.notes = [n for n in doc.notes if not (n.anchor and n.anchor.layer == layer_id)]


def remove_layer(doc: Document, layer_id: str) -> tuple[Layer, list[Note]]:
    """Take a layer and the notes anchored in it out of `doc`."""
    layer = doc.layer(layer_id)
    if layer is None:
        raise UsageError.at(f"document '{doc.id}' has no layer '{layer_id}'", hint=f"its layers: {', '.join(l.id for l in doc.layers)}")
    notes = [n for n in doc.notes if n.anchor and n.anchor.layer == layer_id]
    _drop_layer(doc, layer_id)
    return layer, notes


__all__ = ["AddResult", "Pair", "add_translation", "base_layer", "new_layer_id", "remove_layer"]
