"""Which layer a translation is aligned to, and reviewing a stored
alignment and fixing it by hand: the pairs of a
translation layer side by side with the text it was aligned to, weakest
first, and four fixes — move a segment's text to another segment, split a
segment's text at a phrase, merge it into the segment before, mark a
segment not translated. A fixed pair is pinned (the layer's `pinned` list),
and the next `translation add --replace` keeps it: the new text is aligned
around the pins. Pure work on the model; `api` loads, locks and writes."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .align import Alignment, Bead, align
from .errors import UsageError
from .model import Anchor, Document, Layer, Unaligned, find_phrase


@dataclass(frozen=True)
class StoredPair:
    """Segments (indices; the first holds the text, the others are merged
    into it) and the layer's text for them."""

    segments: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class ReviewPair:
    segments: list[str]
    base_text: str
    text: str
    confidence: float  # 1.0 for a pinned pair
    flagged: bool
    pinned: bool
    agrees: bool  # whether the aligner, run again, pairs it so


def stored_pairs(doc: Document, layer_id: str) -> list[StoredPair]:
    """The layer's pairs as stored: a segment with text, and the segments
    after it that are empty on purpose (merged into it)."""
    pairs: list[list] = []
    for i, segment in enumerate(doc.segments):
        text = segment.text.get(layer_id)
        if text is None:
            continue
        if text == "" and pairs and pairs[-1][0][-1] == i - 1:
            pairs[-1][0].append(i)
        elif text != "":
            pairs.append([[i], text])
    return [StoredPair(tuple(segs), text) for segs, text in pairs]


def base_layer(doc: Document, revises: str | None, translated_from: str | None) -> Layer:
    """The layer the new text is aligned to: the one it revises, else the
    one it was translated from (a layer id or a language), else the main."""
    for wanted in (revises, translated_from):
        if not wanted:
            continue
        layer = doc.layer(wanted) or next((l for l in doc.layers if l.lang == wanted), None)
        if layer:
            return layer
        if wanted == revises:
            raise UsageError.at(
                f"document '{doc.id}' has no layer '{revises}' to revise",
                hint=f"its layers: {', '.join(l.id for l in doc.layers) or 'none'}",
            )
    layer = doc.main_layer
    if layer is None:
        raise UsageError.at(f"document '{doc.id}' has no text layer to align to", hint="import its text first")
    return layer


def _base(doc: Document, layer: Layer) -> Layer:
    return base_layer(doc, layer.revises, layer.translated_from if layer.translated_from != layer.id else None)


def review(doc: Document, layer_id: str) -> list[ReviewPair]:
    """The layer's pairs, weakest first: each pair's confidence is the
    aligner's for it when the layer's text is aligned again to its base; a
    pair the aligner would now make otherwise has no confidence (0), a
    pinned pair full confidence."""
    layer = _layer(doc, layer_id)
    base = _base(doc, layer)
    pairs = stored_pairs(doc, layer_id)
    base_texts = [s.text.get(base.id, "") for s in doc.segments]
    found = align(base_texts, [p.text for p in pairs], same_language=base.lang == layer.lang)
    by_pair = {bead.paragraphs[0]: bead for bead in found.beads if len(bead.paragraphs) == 1 and bead.segments}
    out = []
    for k, pair in enumerate(pairs):
        ids = [doc.segments[i].id for i in pair.segments]
        bead = by_pair.get(k)
        agrees = bead is not None and bead.segments == pair.segments
        pinned = ids[0] in layer.pinned
        confidence = 1.0 if pinned else (bead.confidence if bead is not None and agrees else 0.0)
        out.append(ReviewPair(
            ids, "\n".join(base_texts[i] for i in pair.segments), pair.text, round(confidence, 3),
            ids[0] in layer.flagged, pinned, agrees,
        ))  # fmt: skip
    return sorted(out, key=lambda p: (p.pinned, p.confidence))


def _layer(doc: Document, layer_id: str) -> Layer:
    layer = doc.layer(layer_id)
    if layer is None:
        raise UsageError.at(f"document '{doc.id}' has no layer '{layer_id}'", hint=f"its layers: {', '.join(l.id for l in doc.layers)}")
    return layer


def _segment_index(doc: Document, segment_id: str) -> int:
    for i, segment in enumerate(doc.segments):
        if segment.id == segment_id:
            return i
    raise UsageError.at(f"document '{doc.id}' has no segment '{segment_id}'", hint="see `edition show DOC` for its segments")


def _has_text(doc: Document, layer_id: str, i: int) -> str:
    text = doc.segments[i].text.get(layer_id)
    if not text:
        raise UsageError.at(
            f"segment '{doc.segments[i].id}' has no text in layer '{layer_id}' to fix",
            hint="name a segment that holds the layer's text (see `edition translation review`)",
        )
    return text


def _settle(doc: Document, layer: Layer, pinned: list[str]) -> None:
    """After a fix: pin the segments it settled, drop their review flags,
    keep the coverage true to what has text."""
    layer.pinned = list(dict.fromkeys([*layer.pinned, *pinned]))
    layer.flagged = [sid for sid in layer.flagged if sid not in pinned]
    layer.coverage = doc.coverage_of(layer.id)


def _move_notes(doc: Document, layer_id: str, source: str, old: str, target: str, offset: int, start: int = 0) -> None:
    """Notes anchored in `source` of a layer (whose text was `old`) at or
    after `start` go to `target`, whose text now holds `old` from `start`
    at `offset`: their occurrence is counted again there."""
    segment = doc.segment(target)
    assert segment is not None, "the caller names a segment of the document"
    new = segment.text[layer_id]
    for k, note in enumerate(doc.notes):
        a = note.anchor
        if a is None or a.layer != layer_id or a.segment != source:
            continue
        end = find_phrase(old, a.phrase, a.occurrence)
        if end is None or (start and end <= start):
            continue
        occurrence = new[: offset + end - start].count(a.phrase) if a.phrase else 1
        doc.notes[k] = replace(note, anchor=Anchor(layer_id, target, a.phrase, max(1, occurrence)))


def move(doc: Document, layer_id: str, segment_id: str, to: str) -> None:
    """The layer's text of `segment_id` belongs to segment `to`: moved there
    (after any text `to` has), with its notes; `segment_id` is left without
    text in the layer."""
    layer = _layer(doc, layer_id)
    i, j = _segment_index(doc, segment_id), _segment_index(doc, to)
    if i == j:
        raise UsageError.at(f"segment '{segment_id}' is already where it is moved to", hint="name another segment with --to")
    text = _has_text(doc, layer_id, i)
    target = doc.segments[j]
    before = target.text.get(layer_id) or ""
    target.text[layer_id] = f"{before}\n{text}" if before else text
    _move_notes(doc, layer_id, segment_id, text, to, len(before) + 1 if before else 0)
    del doc.segments[i].text[layer_id]
    _settle(doc, layer, [to])


def merge(doc: Document, layer_id: str, segment_id: str) -> None:
    """The layer's text of `segment_id` joins the text of the segment
    before that has text (one paragraph translated two segments);
    `segment_id` becomes empty on purpose."""
    layer = _layer(doc, layer_id)
    i = _segment_index(doc, segment_id)
    text = _has_text(doc, layer_id, i)
    k = next((k for k in range(i - 1, -1, -1) if doc.segments[k].text.get(layer_id)), None)
    if k is None:
        raise UsageError.at(
            f"no segment before '{segment_id}' has text in layer '{layer_id}' to merge into",
            hint="move the text with --move … --to instead",
        )
    target = doc.segments[k]
    before = target.text[layer_id]
    target.text[layer_id] = f"{before}\n{text}"
    _move_notes(doc, layer_id, segment_id, text, target.id, len(before) + 1)
    for between in doc.segments[k + 1 : i + 1]:
        between.text[layer_id] = ""
    _settle(doc, layer, [target.id])


def split(doc: Document, layer_id: str, segment_id: str, after: str, occurrence: int = 1) -> None:
    """The layer's text of `segment_id` is cut after `after` (its
    `occurrence`-th instance): the rest goes to the next segment, which
    must not have text of its own in the layer."""
    layer = _layer(doc, layer_id)
    i = _segment_index(doc, segment_id)
    text = _has_text(doc, layer_id, i)
    end = find_phrase(text, after, occurrence) if after else None
    if end is None or end >= len(text.rstrip()):
        raise UsageError.at(
            f"'{after}' is not in the text of {segment_id} before its end", hint="give words of the segment after which it is cut"
        )
    if i + 1 >= len(doc.segments):
        raise UsageError.at(f"segment '{segment_id}' is the last; there is no segment to take the rest", hint="merge or move instead")
    following = doc.segments[i + 1]
    if following.text.get(layer_id):
        raise UsageError.at(
            f"segment '{following.id}' already has text in layer '{layer_id}'",
            hint=f"move it first (`--move {following.id} --to …`), then split",
        )
    rest = text[end:].lstrip()
    following.text[layer_id] = rest
    _move_notes(doc, layer_id, segment_id, text, following.id, -(len(text) - end - len(rest)), start=end)
    doc.segments[i].text[layer_id] = text[:end].rstrip()
    _settle(doc, layer, [segment_id, following.id])


def untranslated(doc: Document, layer_id: str, segment_id: str) -> None:
    """`segment_id` is not translated in the layer: its text, if any, is
    kept as an unaligned paragraph after the segment before (with a note
    anchored in it, the note goes to the whole document)."""
    layer = _layer(doc, layer_id)
    i = _segment_index(doc, segment_id)
    text = doc.segments[i].text.pop(layer_id, None)
    if text:
        before = next((s.id for s in reversed(doc.segments[:i]) if s.text.get(layer_id) is not None), None)
        layer.unaligned.append(Unaligned(before, text))
        for k, note in enumerate(doc.notes):
            if note.anchor and note.anchor.layer == layer_id and note.anchor.segment == segment_id:
                doc.notes[k] = replace(note, anchor=None)
    _settle(doc, layer, [segment_id])
    layer.pinned = [sid for sid in layer.pinned if sid != segment_id] + [segment_id]


# --- aligning a new text around the pins ---------------------------------------


def pins(doc: Document, layer: Layer) -> list[tuple[tuple[int, ...], list[str]]]:
    """The pinned pairs of a layer: segment indices and the paragraphs (the
    stored text split at its line breaks) they hold. A pinned segment with
    no text pins "not translated" (no paragraphs)."""
    out = []
    stored = {p.segments[0]: p for p in stored_pairs(doc, layer.id)}
    for sid in layer.pinned:
        i = next((k for k, s in enumerate(doc.segments) if s.id == sid), None)
        if i is None:
            continue
        pair = stored.get(i)
        out.append((pair.segments if pair else (i,), pair.text.split("\n") if pair else []))
    return sorted(out)


def align_around(
    base: list[str], new: list[str], pinned: list[tuple[tuple[int, ...], list[str]]], *, same_language: bool
) -> tuple[Alignment, list[tuple[int, ...]]]:
    """Align `new` to `base` keeping each pinned pair whose paragraphs the
    new text still has (in order): the stretches between them are aligned
    on their own, and a segment pinned as not translated stays without a
    paragraph. Returns the alignment and the pins kept (their segments)."""
    skipped = sorted(segs[0] for segs, paragraphs in pinned if not paragraphs)
    kept = [i for i in range(len(base)) if i not in set(skipped)]
    position = {i: k for k, i in enumerate(kept)}
    anchors: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    j = 0
    for segments, paragraphs in pinned:
        if not paragraphs or any(i not in position for i in segments):
            continue
        if anchors and position[segments[0]] <= anchors[-1][0][-1]:
            continue
        found = _find_run(new, paragraphs, j)
        if found is not None:
            anchors.append((tuple(position[i] for i in segments), tuple(range(found, found + len(paragraphs)))))
            j = found + len(paragraphs)
    texts = [base[i] for i in kept]
    beads: list[Bead] = []
    i0 = j0 = 0
    method, ratio = None, 1.0
    for run_segments, run_paragraphs in [*anchors, ((len(texts),), (len(new),))]:
        i1, j1 = run_segments[0], run_paragraphs[0]
        if i0 < i1 and j0 < j1:
            part = align(texts[i0:i1], new[j0:j1], same_language=same_language)
            method, ratio = part.method, part.ratio
            beads += [
                Bead(tuple(i + i0 for i in b.segments), tuple(k + j0 for k in b.paragraphs), b.confidence, b.flagged) for b in part.beads
            ]
        else:
            beads += [Bead((i,), (), 0.0, True) for i in range(i0, i1)] + [Bead((), (k,), 0.0, True) for k in range(j0, j1)]
        if i1 >= len(texts):
            break
        beads.append(Bead(run_segments, run_paragraphs, 1.0, False))
        i0, j0 = run_segments[-1] + 1, run_paragraphs[-1] + 1
    # Back to the document's segment numbers, the ones left untranslated in place.
    beads = [Bead(tuple(kept[i] for i in b.segments), b.paragraphs, b.confidence, b.flagged) for b in beads]
    for i in skipped:
        at = next((k for k, b in enumerate(beads) if b.segments and b.segments[0] > i), len(beads))
        beads.insert(at, Bead((i,), (), 1.0, False))
    from .align import CONTENT, LENGTH

    kept_pins = [tuple(kept[i] for i in s) for s, _ in anchors] + [(i,) for i in skipped]
    return Alignment(beads, method or (CONTENT if same_language else LENGTH), ratio), kept_pins


def _find_run(new: list[str], paragraphs: list[str], start: int) -> int | None:
    """Where `paragraphs` stand, in order and side by side, in `new` (from
    `start`), comparing words only."""
    want = [" ".join(p.split()) for p in paragraphs]
    have = [" ".join(p.split()) for p in new]
    for k in range(start, len(have) - len(want) + 1):
        if have[k : k + len(want)] == want:
            return k
    return None


__all__ = [
    "ReviewPair",
    "StoredPair",
    "align_around",
    "base_layer",
    "merge",
    "move",
    "pins",
    "review",
    "split",
    "stored_pairs",
    "untranslated",
]
