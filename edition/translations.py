"""Adding a delivered translation (or revision) to a document: read the
file, align its paragraphs to the document's segments, build the new layer
with its provenance, carry notes across a revision. Pure work on the model;
`api` does the loading, locking and writing."""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import realign
from .realign import base_layer
from .align import Alignment, align, is_omission_mark
from .errors import EditionError, Problem, UsageError
from .importers.base import Delivery
from .importers.xliff import XliffDelivery
from .model import HEAD_PLACES, LANG_RE, Anchor, Document, Layer, LayerRole, Note, NoteKind, Unaligned
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
    existing = doc.layer(layer_id)
    if existing is not None:
        if not replace_layer:
            raise UsageError.at(
                f"document '{doc.id}' already has a layer '{layer_id}'; nothing was changed",
                hint="pass --replace to replace it, or --layer ID for a new one",
            )
        pinned = realign.pins(doc, existing)  # the editor's fixes, kept if the new text allows
        reviewed = existing.reviews
        _drop_layer(doc, layer_id)
        if base.id == layer_id:
            base = base_layer(doc, None, None)
    else:
        pinned, reviewed = [], []
    if revises and (revised := doc.layer(revises)) is not None:
        reviewed = [*reviewed, *revised.reviews]  # a revision keeps the revised layer's states where it keeps its text
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
                result.warnings.append(
                    f"paragraph {bead.paragraphs[0] + 1} matches no segment: kept as unaligned after {last_segment or 'the start'}"
                )
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
            result.warnings.append(
                f"the pair fixed by hand at {doc.segments[segments[0]].id} is not in the new text; it was aligned again"
            )  # a part of the document: the rest is not translated, not missing
    # The file's own notes (a Word file's footnotes): translator's notes.
    for file_note in delivery.notes:
        segment, offset = para_place.get(file_note.paragraph, (None, 0))
        anchor = None
        if segment is not None and (placed := doc.segment(segment)) is not None:
            text = placed.text[layer_id]
            before = text[:offset]
            anchor = Anchor(
                layer_id, segment, file_note.phrase, file_note.occurrence + before.count(file_note.phrase) if file_note.phrase else 1
            )
        note = Note(
            id=next_note_id(doc, NoteKind.TRANSLATOR), kind=NoteKind.TRANSLATOR, text=file_note.text or "(empty note)", anchor=anchor
        )
        doc.notes.append(note)
        result.notes.append(note)
        if anchor is None:
            result.warnings.append(
                f"a note of the file could not be placed in a segment; kept as a note on the whole document: {note.text[:60]}"
            )
    if revises:
        carried, lost = carry_notes(doc, base.id, layer_id)
        doc.notes.extend(carried)
        result.notes.extend(carried)
        result.lost_notes = lost
        for note in lost:
            result.warnings.append(f"note '{note.id}' ({_where(note)}) could not be placed in the revision; it stays on layer '{base.id}'")
    return result


@dataclass
class XliffResult(AddResult):
    """What `add_xliff` stored: pairs one unit to one segment each (by id,
    confidence 1); `states` keeps each unit's XLIFF state as written, for
    the review states the edition does not store yet."""

    states: dict[str, str] = field(default_factory=dict)
    untranslated: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)


def _where(note: Note) -> str:
    """Where a note stood, for a message: its phrase and segment."""
    anchor = note.anchor
    return f"'{anchor.phrase}' in {anchor.segment}" if anchor else "on the whole document"


def _same_text(a: str, b: str) -> bool:
    return " ".join(unicodedata.normalize("NFC", a).split()) == " ".join(unicodedata.normalize("NFC", b).split())


def add_xliff(
    doc: Document,
    delivery: XliffDelivery,
    *,
    path: Path | str | None = None,
    lang: str | None = None,
    translator: str | None = None,
    layer_id: str | None = None,
    revises: str | None = None,
    description: str | None = None,
    replace_layer: bool = False,
    today: str | None = None,
) -> XliffResult:
    """Store an XLIFF file's targets as a new layer of `doc` (in place), each
    unit on the segment its id names: no alignment. Refused (EditionError,
    every unit named, `doc` unchanged): ids that name no segment or come
    twice, a source text that no longer matches the document's (the file
    was made from an older text: export it again), a target language other
    than `lang` or than the layer replaced or revised.

    A unit with no target, or an empty one not marked done, or one whose
    target repeats its source and is not marked done (a CAT tool's copy of
    an open segment), leaves its segment untranslated; an empty target
    marked translated/final is a segment the translator merged into the
    one before (stored empty on purpose, as the aligner does). The file's notes become translator's
    notes on their segment, but for those the document already has there
    (the notes `export xliff` sent out)."""
    target_lang = delivery.target_lang
    if not target_lang:
        raise EditionError.at(
            "the XLIFF file states no target-language",
            path,
            delivery.file_line,
            hint="export it again with `edition export xliff … --target LANG`",
        )
    if not LANG_RE.match(target_lang):
        raise EditionError.at(
            f"target-language '{target_lang}' is not a language code", path, hint="use an ISO 639 code such as en, ru, de"
        )
    if lang and lang.split("-")[0] != target_lang.split("-")[0]:
        raise EditionError.at(
            f"the file's target-language is '{target_lang}', not '{lang}'; nothing was stored",
            path,
            hint=f"pass --lang {target_lang}, or the file meant for {lang}",
        )
    others = [name for name in delivery.originals if name and name != doc.id]
    if others and doc.id not in delivery.originals:
        raise EditionError.at(
            f"the file was exported from document '{others[0]}', not '{doc.id}'; nothing was stored",
            path,
            delivery.file_line,
            hint=f"add it to its own document: `edition translation add {others[0]} {delivery.name}`",
        )
    base = doc.named_layer(delivery.source_lang or "") if delivery.source_lang else None
    if base is None:
        raise EditionError.at(
            f"document '{doc.id}' has no layer in the file's source-language '{delivery.source_lang}'; nothing was stored",
            path,
            delivery.file_line,
            hint=f"its layers: {', '.join(f'{l.id} ({l.lang})' for l in doc.layers)}",
        )
    if replace_layer and not layer_id and not revises and (named := doc.named_layer(target_lang)) is not None:
        layer_id = named.id  # --replace: the layer in the file's language
    layer_id = layer_id or new_layer_id(doc, target_lang, revises)
    for other in (doc.layer(layer_id), doc.layer(revises or "")):
        if other is not None and other.lang.split("-")[0] != target_lang.split("-")[0]:
            raise EditionError.at(
                f"the file's target-language is '{target_lang}' but layer '{other.id}' is in '{other.lang}'; nothing was stored",
                path,
                hint="add it under another --layer id, or check that it is the right file",
            )
    if doc.layer(layer_id) is not None and not replace_layer:
        raise UsageError.at(
            f"document '{doc.id}' already has a layer '{layer_id}'; nothing was changed",
            hint="pass --replace to replace it, --revises to keep it as a revision, or --layer ID for a new one",
        )
    problems, seen = [], set()
    for unit in delivery.units:
        segment = doc.segment(unit.id)
        if segment is None:
            problems.append(
                Problem(
                    f"{delivery.unit_name} '{unit.id}' matches no segment of '{doc.id}'",
                    path,
                    unit.line,
                    hint="the document's segments changed since the export, or the file belongs to another document",
                )
            )
        elif unit.id in seen:
            problems.append(Problem(f"{delivery.unit_name} '{unit.id}' comes twice", path, unit.line, hint="keep one unit per segment"))
        elif not _same_text(unit.source, segment.text.get(base.id, "")):
            problems.append(
                Problem(
                    f"{delivery.unit_name} '{unit.id}': its source no longer matches the text of layer '{base.id}'",
                    path,
                    unit.line,
                    hint="the document changed since the export: export it again and let the CAT tool's memory carry the translation over",
                )
            )
        seen.add(unit.id)
    if not delivery.units:
        problems.append(Problem("the file has no trans-unit", path, hint="check that it is the translation of this document"))
    if problems:
        problems[0] = replace(problems[0], message=problems[0].message + "; nothing was stored")
        raise EditionError(*problems)
    if doc.layer(layer_id) is not None:  # replaced: its notes stay, placed again below
        doc.layers = [l for l in doc.layers if l.id != layer_id]
        for segment in doc.segments:
            segment.text.pop(layer_id, None)
    layer = Layer(
        id=layer_id, lang=target_lang, role=LayerRole.TRANSLATION, translator=translator,
        translated_from=None if revises else base.id, revises=revises, description=description,
        added=today or datetime.date.today().isoformat(), source_file=delivery.name, source_sha256=delivery.sha256,
    )  # fmt: skip
    doc.layers.append(layer)
    result = XliffResult(layer=layer, pairs=[], alignment=Alignment(beads=[], method="id", ratio=1.0))
    by_id = {s.id: s for s in doc.segments}
    for number, unit in enumerate(delivery.units, start=1):
        segment = by_id[unit.id]  # every unit names a segment: checked above
        if unit.state:
            result.states[unit.id] = unit.state
        copied = unit.target and not unit.done and _same_text(unit.target, unit.source)
        if copied:  # OmegaT writes the source into an open unit's target unless told otherwise
            result.untranslated.append(unit.id)
            result.warnings.append(
                f"{delivery.unit_name} '{unit.id}' holds its source text and is not marked translated: left untranslated"
            )
        elif unit.target or (unit.target == "" and unit.done):
            segment.text[layer_id] = unit.target
            if not unit.target:
                result.merged.append(unit.id)
            result.pairs.append(Pair([unit.id], [number], 1.0, False, segment.text.get(base.id, ""), unit.target))
        else:
            result.untranslated.append(unit.id)
        ours = {" ".join(n.text.split()) for n in doc.notes if n.anchor and n.anchor.segment == unit.id}
        for _origin, text in unit.notes:
            if " ".join(text.split()) in ours:
                continue
            anchored = layer_id if layer_id in segment.text else base.id  # an open unit's note: on the text it asks about
            note = Note(id=next_note_id(doc, NoteKind.TRANSLATOR), kind=NoteKind.TRANSLATOR, text=text, anchor=Anchor(anchored, unit.id))
            doc.notes.append(note)
            result.notes.append(note)
            ours.add(text)
    _keep_notes(doc, layer_id, result)
    if revises:  # as for a plain file: the revised layer's notes follow its words
        carried, lost = carry_notes(doc, revises, layer_id)
        doc.notes.extend(carried)
        result.notes.extend(carried)
        result.lost_notes = lost
        for note in lost:
            result.warnings.append(f"note '{note.id}' ({_where(note)}) could not be placed in the revision; it stays on layer '{revises}'")
    if not result.pairs:
        result.warnings.append("no unit has a translation: the layer is empty")
    waiting = [u for u, s in result.states.items() if (s.startswith("needs-") or s == "new") and u not in result.untranslated]
    if waiting:
        result.warnings.append(f"{len(waiting)} unit(s) marked as needing work or review in the file: {', '.join(waiting)}")
    layer.coverage = doc.coverage_of(layer_id)
    return result


def _keep_notes(doc: Document, layer_id: str, result: AddResult) -> None:
    """Notes of a replaced layer whose words the new text lacks: moved to
    the end of their segment, or onto the whole document, never dropped."""
    for index, note in enumerate(doc.notes):
        anchor = note.anchor
        if anchor is None or anchor.layer != layer_id or anchor.segment in HEAD_PLACES:
            continue
        text = doc.place_text(layer_id, anchor.segment)
        if text and (not anchor.phrase or text.count(anchor.phrase) >= anchor.occurrence):
            continue
        moved = Anchor(layer_id, anchor.segment) if text else None
        doc.notes[index] = replace(note, anchor=moved)
        where = f"the end of {anchor.segment}" if moved else "the whole document"
        result.warnings.append(f"note '{note.id}' ('{anchor.phrase}' in {anchor.segment}) is not in the new text; it now stands at {where}")


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


__all__ = ["AddResult", "Pair", "XliffResult", "add_translation", "add_xliff", "base_layer", "new_layer_id", "remove_layer"]
