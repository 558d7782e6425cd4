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
    return f"…{left}«{text[start : start + length]}»{right}…"


def place_anchor(doc: Document, layer: str, place: str, phrase: str, occurrence: int | None = None) -> Anchor:
    """An anchor for a note at `phrase` in segment (or head place) `place`
    of `layer`; refused, with the candidates shown, when the phrase is not
    there or is there more than once and no `occurrence` says which."""
    if doc.layer(layer) is None:
        raise UsageError.at(f"document '{doc.id}' has no layer '{layer}'", hint=f"its layers: {', '.join(l.id for l in doc.layers)}")
    if place not in HEAD_PLACES and doc.segment(place) is None:
        ids = [s.id for s in doc.segments]
        raise UsageError.at(
            f"document '{doc.id}' has no segment '{place}'", hint=f"segments: {', '.join(ids[:12])}{'…' if len(ids) > 12 else ''}"
        )
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
    """The same place in `new_layer` (see `carry_span`). None when nothing
    close is left: the caller reports the note."""
    if anchor.segment in HEAD_PLACES:
        return replace(anchor, layer=new_layer)
    old_text = doc.place_text(anchor.layer, anchor.segment)
    new_text = doc.place_text(new_layer, anchor.segment)
    end = resolve_anchor(doc, anchor)
    if old_text is None or new_text is None or end is None:
        return None
    if not anchor.phrase:
        return replace(anchor, layer=new_layer)
    span = carry_span(old_text, new_text, end - len(anchor.phrase), end)
    if span is None:
        return None
    phrase = new_text[span[0] : span[1]]
    return Anchor(new_layer, anchor.segment, phrase, occurrences(new_text, phrase).index(span[0]) + 1)


def carry_span(old_text: str, new_text: str, start: int, end: int) -> tuple[int, int] | None:
    """Where the phrase old_text[start:end] stands in `new_text`, a revised
    or corrected wording of the same passage. First the phrase itself, if
    the new text kept it (the instance nearest its old position); else the
    span the old phrase became, found by mapping its ends through a diff of
    the two texts (diff-match-patch's xIndex), if it still resembles the
    phrase; else diff-match-patch's fuzzy Bitap match near the old
    position. None when nothing close is left."""
    phrase = old_text[start:end]
    if not phrase:
        return None
    expected = round(start * len(new_text) / max(1, len(old_text)))
    found = occurrences(new_text, phrase)
    if found:
        best = min(found, key=lambda at: abs(at - expected))
        return best, best + len(phrase)
    from .diff import new_dmp

    dmp = new_dmp()
    diffs = dmp.diff_main(old_text, new_text)
    dmp.diff_cleanupSemantic(diffs)
    span = _word_span(new_text, dmp.diff_xIndex(diffs, start), dmp.diff_xIndex(diffs, end))
    if span is None or _likeness(dmp, phrase, new_text[span[0] : span[1]]) < 0.4:
        dmp.Match_Threshold = 0.4
        dmp.Match_Distance = max(1000, len(new_text))
        at = dmp.match_main(new_text, phrase[: dmp.Match_MaxBits], min(expected, len(new_text)))
        span = None if at < 0 else _word_span(new_text, at, at + len(phrase))
        if span is None or _likeness(dmp, phrase, new_text[span[0] : span[1]]) < 0.4:
            return None
    return span


def _word_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """[start, end) widened to whole words and trimmed of spaces."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and text[end - 1 : end].isalnum() and text[end].isalnum():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _likeness(dmp, a: str, b: str) -> float:
    """1 for equal strings, 0 for nothing in common (Levenshtein on chars)."""
    distance = dmp.diff_levenshtein(dmp.diff_main(a, b))
    return 1 - distance / max(len(a), len(b), 1)


def carry_notes(doc: Document, old_layer: str, new_layer: str) -> tuple[list[Note], list[Note]]:
    """Copies of the notes anchored in `old_layer`, re-anchored in
    `new_layer`; and the notes that could not be placed (never dropped:
    the caller reports them; the originals stay on the old layer)."""
    carried, lost = [], []
    for note in doc.notes:
        if note.anchor is None or note.anchor.layer != old_layer:
            continue
        if note.anchor.segment in HEAD_PLACES:
            continue  # the head (title, dateline) is printed once: its notes already serve every layer
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


__all__ = ["carry_anchor", "carry_notes", "carry_span", "find_phrase", "next_note_id", "occurrences", "place_anchor"]
