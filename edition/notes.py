"""Notes anchored to quoted phrases: placing an anchor where an editor
points, and carrying it to a revised text with diff-match-patch's fuzzy
matching so that a note survives the revision of the words around it."""

from __future__ import annotations

import re
from dataclasses import replace

from .errors import UsageError
from .model import HEAD_PLACES, Anchor, Document, Note, NoteKind, find_phrase, resolve_anchor

ID_PREFIX = {NoteKind.FOOTNOTE: "n", NoteKind.GLOSS: "g", NoteKind.TRANSLATOR: "t", NoteKind.ARCHIVAL: "a"}


def occurrences(text: str, phrase: str) -> list[int]:
    """Start offsets of every instance of `phrase` in `text`."""
    found, start = [], 0
    while phrase and (index := text.find(phrase, start)) >= 0:
        found.append(index)
        start = index + 1
    return found


def _context(text: str, start: int, length: int, width: int = 30) -> str:
    left = text[max(0, start - width) : start]
    right = text[start + length : start + length + width]
    return f"…{left}«{text[start:start + length]}»{right}…"


def place_anchor(doc: Document, layer: str, place: str, phrase: str, occurrence: int | None = None) -> Anchor:
    """An anchor for a note at `phrase` in segment (or head place) `place`
    of `layer`; refused, with the candidates shown, when the phrase is not
    there or is there more than once and no `occurrence` says which."""
    if doc.layer(layer) is None:
        raise UsageError.at(f"document '{doc.id}' has no layer '{layer}'", hint=f"its layers: {', '.join(l.id for l in doc.layers)}")
    if place not in HEAD_PLACES and doc.segment(place) is None:
        ids = [s.id for s in doc.segments]
        raise UsageError.at(f"document '{doc.id}' has no segment '{place}'", hint=f"segments: {', '.join(ids[:12])}{'…' if len(ids) > 12 else ''}")
    text = doc.place_text(layer, place)
    if text is None:
        raise UsageError.at(f"segment '{place}' has no text in layer '{layer}'", hint="anchor the note in another layer")
    found = occurrences(text, phrase)
    if phrase and not found:
        near = [w for w in set(re.findall(r"\w+", text)) if w.lower().startswith(phrase.lower()[:4])]
        hint = f"words of the segment that begin alike: {', '.join(sorted(near)[:6])}" if near else f"the segment reads: {text[:80]}…"
        raise UsageError.at(f"'{phrase}' is not in {place} of layer '{layer}'", hint=hint)
    if occurrence is None:
        if len(found) > 1:
            shown = "; ".join(f"{i}: {_context(text, at, len(phrase))}" for i, at in enumerate(found, 1))
            raise UsageError.at(f"'{phrase}' occurs {len(found)} times in {place}", hint=f"pass --occurrence N ({shown})")
        occurrence = 1
    if phrase and not 1 <= occurrence <= len(found):
        raise UsageError.at(f"'{phrase}' occurs {len(found)} time(s) in {place}, not {occurrence}")
    return Anchor(layer=layer, segment=place, phrase=phrase, occurrence=occurrence)


def next_note_id(doc: Document, kind: NoteKind) -> str:
    prefix = ID_PREFIX[kind]
    used = {n.id for n in doc.notes}
    number = 1 + sum(1 for n in doc.notes if n.kind is kind)
    while f"{prefix}{number}" in used:
        number += 1
    return f"{prefix}{number}"


def carry_anchor(doc: Document, anchor: Anchor, new_layer: str) -> Anchor | None:
    """The same place in `new_layer`: the phrase itself if the revision kept
    it near where it stood, else the closest fuzzy match (diff-match-patch's
    Bitap matcher around the old position); None when nothing is close."""
    if anchor.segment in HEAD_PLACES:
        return replace(anchor, layer=new_layer)
    old_text = doc.place_text(anchor.layer, anchor.segment)
    new_text = doc.place_text(new_layer, anchor.segment)
    end = resolve_anchor(doc, anchor)
    if old_text is None or new_text is None or end is None:
        return None
    if not anchor.phrase:
        return replace(anchor, layer=new_layer)
    start = end - len(anchor.phrase)
    expected = round(start * len(new_text) / max(1, len(old_text)))
    found = occurrences(new_text, anchor.phrase)
    if found:
        best = min(found, key=lambda at: abs(at - expected))
        return Anchor(new_layer, anchor.segment, anchor.phrase, found.index(best) + 1)
    import diff_match_patch

    dmp = diff_match_patch.diff_match_patch()
    dmp.Match_Threshold = 0.4
    dmp.Match_Distance = max(1000, len(new_text))
    pattern = anchor.phrase[: dmp.Match_MaxBits]
    at = dmp.match_main(new_text, pattern, min(expected, len(new_text)))
    if at < 0:
        return None
    # Widen the match to whole words of about the phrase's length.
    stop = min(len(new_text), at + len(anchor.phrase))
    while at > 0 and new_text[at - 1].isalnum():
        at -= 1
    while stop < len(new_text) and new_text[stop].isalnum():
        stop += 1
    phrase = new_text[at:stop].strip()
    if not phrase:
        return None
    index = occurrences(new_text, phrase).index(new_text.find(phrase, at)) + 1
    return Anchor(new_layer, anchor.segment, phrase, index)


def carry_notes(doc: Document, old_layer: str, new_layer: str) -> tuple[list[Note], list[Note]]:
    """Copies of the notes anchored in `old_layer`, re-anchored in
    `new_layer`; and the notes that could not be placed (never dropped:
    the caller reports them; the originals stay on the old layer)."""
    carried, lost = [], []
    for note in doc.notes:
        if note.anchor is None or note.anchor.layer != old_layer:
            continue
        anchor = carry_anchor(doc, note.anchor, new_layer)
        if anchor is None:
            lost.append(note)
            continue
        carried.append(replace(note, id=f"{note.id}.{new_layer}", anchor=anchor))
    return carried, lost


def anchor_status(doc: Document, note: Note) -> str:
    if note.anchor is None:
        return "document"
    return "ok" if resolve_anchor(doc, note.anchor) is not None else "phrase gone"


__all__ = ["carry_anchor", "carry_notes", "find_phrase", "next_note_id", "occurrences", "place_anchor"]
