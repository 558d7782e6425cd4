"""Re-importing a document from a corrected source (a better OCR, a corrected
transcription) without losing the editors' work on it. The segments of the
old and the new text are paired by content, as a revision is aligned to the
layer it revises, so that a segment that survives keeps its id and with it
its translations, revisions, review flags and notes; what cannot be carried
is reported. Pure work on the model; `api` loads, checks and writes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher

from .align import align, content_tokens
from .errors import EditionError
from .model import HEAD_PLACES, Anchor, Document, Layer, Note, Review, Segment, Unaligned, find_phrase
from .notes import carry_span, next_note_id, occurrences

# A paragraph joins a merge or a split only if this share of its words
# reappears on the other side; else it is a paragraph removed (or added)
# next to a neighbour the aligner paired.
COVERED = 0.5
# A one-to-one pair sharing less than this share of words on both sides is a
# paragraph replaced by another, not a corrected one.
REPLACED = 0.25


@dataclass(frozen=True)
class Gone:
    """A segment of the old text that the corrected source no longer has,
    with what hangs on it."""

    segment: str
    translations: tuple[str, ...]  # layers with text in it
    notes: tuple[str, ...]  # the editors' notes anchored in it
    flagged: tuple[str, ...]  # layers that flag it for review

    @property
    def carries_work(self) -> bool:
        return bool(self.translations or self.notes)

    def describe(self) -> str:
        parts = []
        if self.translations:
            parts.append("translation " + ", ".join(self.translations))
        if self.notes:
            parts.append("notes " + ", ".join(self.notes))
        if self.flagged:
            parts.append("a review flag in " + ", ".join(self.flagged))
        return "; ".join(parts) or "nothing"


@dataclass(frozen=True)
class Placed:
    """A note of the editors and where it stands now (None: it could not
    be re-anchored and became a note on the whole document)."""

    note: str
    old: Anchor
    new: Anchor | None
    reason: str = ""


@dataclass
class Reimport:
    """What a re-import makes of a document: the new document and an
    account of every segment and note."""

    document: Document
    kept: list[str] = field(default_factory=list)  # same id, same text
    corrected: list[str] = field(default_factory=list)  # same id, text changed
    new: list[str] = field(default_factory=list)
    merged: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    split: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    redivided: list[tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=list)  # two paragraphs cut anew
    gone: list[Gone] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # flagged in the translation layers
    moved: list[Placed] = field(default_factory=list)  # notes whose anchor changed
    unplaced: list[Placed] = field(default_factory=list)
    replaced_notes: list[str] = field(default_factory=list)  # the old source's notes the new one lacks
    renamed_notes: list[tuple[str, str]] = field(default_factory=list)
    unaligned: list[tuple[str, str]] = field(default_factory=list)  # (layer, gone segment) kept as unaligned

    @property
    def losses(self) -> bool:
        """Whether the editors' work would leave the text: a gone segment
        that carries translations or notes, or a note that lost its place."""
        return any(g.carries_work for g in self.gone) or bool(self.unplaced)


def reimport(old: Document, new: Document) -> Reimport:
    """The document `new` (freshly read from the corrected source) with the
    editors' work on `old` carried over.

    Segments are paired by content. A segment that survives keeps its id,
    so translations stay attached; a new paragraph gets a fresh id, never
    one the old text used; where two paragraphs were merged, the
    translations of both join in the merged segment; where one was split,
    they stay on the first part, the rest marked empty on purpose, and the
    pair is flagged for review. Notes in the source's text are re-anchored
    as notes are carried to a revision (`notes.carry_span`); notes in
    translations move with their text.

    Notes the source file itself carries are replaced by the new file's
    own: the importers give a file's notes the same ids each time, so an
    old note is the source's when the new file has one of its id, kind
    and label (and, unlabelled, of like words or at the same place); a
    labelled note the new file lacks went with the old source. All other
    notes are the editors' and are kept (renumbered if the new file's
    notes took their id).

    What cannot be carried is never deleted here: the translations of a
    segment that is gone stay in their layers as unaligned paragraphs (not
    printed; `edition doctor` lists them), and a note whose place is gone
    becomes a note on the whole document, because an editor would rather
    find a note to move or delete than lose its words. The result reports
    both (`losses`), so that the caller can refuse unless told to go on."""
    if not new.layers:
        raise EditionError.at(f"the corrected source of '{new.id}' has no text layer", hint="check that it is the document's text")
    key = new.layers[0]
    old_key = old.layer(key.id) or next((l for l in old.layers if l.lang == key.lang), None)
    if old_key is None:
        raise EditionError.at(
            f"document '{old.id}' has no layer '{key.id}' to match the corrected source against",
            hint=f"its layers: {', '.join(l.id for l in old.layers) or 'none'}; re-import a source in the same language",
        )
    source_ids = [layer.id for layer in new.layers]
    old_source = set(source_ids) | {old_key.id}
    kept_layers = [l for l in old.layers if l.id not in old_source]
    work = _Work(old, new, key.id, old_key.id, kept_layers)
    work.pair()
    work.build_segments()
    result = work.result
    layers = [
        replace(l, flagged=[], unaligned=[], reviews=work.reviews(old_key) if l.id == old_key.id else []) for l in new.layers
    ] + work.layers()
    notes = work.notes()
    result.document = doc = replace(new, layers=layers, segments=work.segments, notes=notes)
    for layer in doc.layers:  # a partial layer covers the runs it has text in, under the new ids
        if layer.coverage is not None:
            layer.coverage = doc.coverage_of(layer.id)
    return result


class _Work:
    """The state of one re-import while it is worked out."""

    def __init__(self, old: Document, new: Document, key: str, old_key: str, kept_layers: list[Layer]):
        self.old, self.new, self.key, self.old_key = old, new, key, old_key
        self.kept_layers = kept_layers
        self.result = Reimport(document=new)
        self.final: list[str] = [""] * len(new.segments)  # new index → final id
        self.to_final: dict[str, str] = {}  # old id → the id its text now stands under
        self.beads: list[tuple[tuple[int, ...], tuple[int, ...], bool]] = []
        self.shift: dict[tuple[str, str], int] = {}  # (layer, old id) → offset of its text in the final segment's
        self.flags: dict[str, list[str]] = {l.id: [] for l in kept_layers}
        self.gone_unaligned: dict[str, list[Unaligned]] = {l.id: [] for l in kept_layers}

    # -- segments -----------------------------------------------------------

    def pair(self) -> None:
        old_texts = [s.text.get(self.old_key, "") for s in self.old.segments]
        new_texts = [s.text.get(self.key, "") for s in self.new.segments]
        for bead in align(old_texts, new_texts, same_language=True).beads:
            self.beads.extend(_checked(bead.segments, bead.paragraphs, bead.flagged, old_texts, new_texts))
        for segs, paras, _ in self.beads:
            ids = [self.old.segments[i].id for i in segs]
            if not ids or not paras:
                continue
            if len(ids) == len(paras):  # one to one, or two paragraphs divided anew
                pairs = list(zip(ids, paras))
            else:  # a merge (into the first id) or a split (the first part keeps it)
                pairs = [(sid, paras[0]) for sid in ids]
            for sid, j in pairs:
                self.final[j] = self.final[j] or sid
                self.to_final[sid] = self.final[j]
        used = {s.id for s in self.old.segments}
        numbers = [int(m.group(1)) for sid in used if (m := re.fullmatch(r"p(\d+)", sid))]
        fresh = max(numbers, default=0) + 1
        for j, fid in enumerate(self.final):
            if not fid:
                while f"p{fresh}" in used or f"p{fresh}" in self.final:
                    fresh += 1
                self.final[j] = f"p{fresh}"
                fresh += 1

    def build_segments(self) -> None:
        result, old, new = self.result, self.old, self.new
        self.segments = [Segment(self.final[j], s.kind, dict(s.text)) for j, s in enumerate(new.segments)]
        self.by_id = {s.id: s for s in self.segments}
        layer_ids = [l.id for l in self.kept_layers]
        for segs, paras, flagged in self.beads:
            olds = [old.segments[i] for i in segs]
            news = [self.segments[j] for j in paras]
            if not paras:
                self._gone(segs[0])
                continue
            if not segs:
                result.new.append(news[0].id)
                continue
            if len(segs) == 1 and len(paras) == 1:
                same = olds[0].text.get(self.old_key) == new.segments[paras[0]].text.get(self.key)
                (result.kept if same else result.corrected).append(news[0].id)
            elif len(paras) == 1:
                result.merged.append((tuple(s.id for s in olds), news[0].id))
            elif len(segs) == 1:
                result.split.append((olds[0].id, tuple(s.id for s in news)))
            else:
                result.redivided.append((tuple(s.id for s in olds), tuple(s.id for s in news)))
            review = flagged or len(paras) > 1
            for lid in layer_ids:
                texts = [s.text.get(lid) for s in olds]
                if all(t is None for t in texts):
                    continue
                if len(paras) == 1:  # one-to-one, or a merge: the texts join
                    joined, offset = [], 0
                    for s, text in zip(olds, texts):
                        if text:
                            self.shift[(lid, s.id)] = offset
                            joined.append(text)
                            offset += len(text) + 1
                    news[0].text[lid] = " ".join(joined)
                elif len(segs) == 1:  # a split: the text stays on the first part
                    news[0].text[lid] = texts[0] or ""
                    self.shift[(lid, olds[0].id)] = 0
                    for part in news[1:]:
                        part.text[lid] = ""
                else:  # two paragraphs divided anew: each keeps its own
                    for s, part, text in zip(olds, news, texts):
                        part.text[lid] = text or ""
                        self.shift[(lid, s.id)] = 0
                if review and any(texts):
                    for part in news if len(segs) > 1 and len(paras) > 1 else news[:1]:
                        self.flags[lid].append(part.id)
                        if part.id not in result.review:
                            result.review.append(part.id)

    def _gone(self, index: int) -> None:
        segment = self.old.segments[index]
        after = self._survivor_before(index)
        translations = []
        for layer in self.kept_layers:
            text = segment.text.get(layer.id)
            if text:
                translations.append(layer.id)
                self.gone_unaligned[layer.id].append(Unaligned(after=after, text=text))
                self.result.unaligned.append((layer.id, segment.id))
        notes = tuple(n.id for n in self.old.notes if n.anchor and n.anchor.segment == segment.id and not self._is_source_note(n))
        flagged = tuple(l.id for l in self.old.layers if segment.id in l.flagged)
        self.result.gone.append(Gone(segment.id, tuple(translations), notes, flagged))

    def _survivor_before(self, index: int) -> str | None:
        for i in range(index - 1, -1, -1):
            fid = self.to_final.get(self.old.segments[i].id)
            if fid:
                return fid
        return None

    def layers(self) -> list[Layer]:
        """The translation layers with their flags and unaligned paragraphs
        pointing at the new ids."""
        out = []
        for layer in self.kept_layers:
            flagged = []
            for sid in [*layer.flagged, *self.flags[layer.id]]:
                fid = self.to_final.get(sid, sid if sid in self.final else None)
                if fid and fid not in flagged:
                    flagged.append(fid)
            unaligned = []
            for item in layer.unaligned:
                after = item.after
                if after is not None and after not in self.to_final:
                    index = next((i for i, s in enumerate(self.old.segments) if s.id == after), None)
                    after = self._survivor_before(index + 1) if index is not None else None
                elif after is not None:
                    after = self._last_part(after)
                unaligned.append(Unaligned(after, item.text))
            unaligned.extend(self.gone_unaligned[layer.id])
            out.append(replace(layer, flagged=flagged, unaligned=unaligned, reviews=self.reviews(layer)))
        return out

    def reviews(self, layer: Layer) -> list[Review]:
        """A layer's review states under the new segment ids (a state whose
        text changed in the move counts as a draft: see edition.review)."""
        kept: dict[str, Review] = {}
        for record in layer.reviews:
            if record.segment in self.to_final:
                kept.setdefault(self.to_final[record.segment], replace(record, segment=self.to_final[record.segment]))
        return list(kept.values())

    def _last_part(self, old_id: str) -> str:
        """The last segment an old segment's text now stands in (a split's
        last part), for what stood after it."""
        split = next((parts for sid, parts in self.result.split if sid == old_id), None)
        return split[-1] if split else self.to_final[old_id]

    # -- notes --------------------------------------------------------------

    def _counterpart(self, note: Note) -> Note | None:
        """The new file's note that stands for `note`, when `note` is one
        the old source carried: the importers number a file's notes the
        same way each time (n + label, a1, a2 …)."""
        if note.anchor is not None and note.anchor.layer not in (self.old_key, *self._source_layers()):
            return None
        other = next((n for n in self.new.notes if n.id == note.id and n.kind is note.kind), None)
        if other is None or other.label != note.label:
            return None
        if note.label is None and not (_alike(note.text, other.text) or self._same_place(note.anchor, other.anchor)):
            return None  # an unlabelled note of the editors that happens to have the id
        return other

    def _same_place(self, old: Anchor | None, new: Anchor | None) -> bool:
        if old is None or new is None:
            return False
        index = next((j for j, s in enumerate(self.new.segments) if s.id == new.segment), None)
        place = self.final[index] if index is not None else new.segment
        return (self.to_final.get(old.segment, old.segment), old.phrase) == (place, new.phrase)

    def _source_layers(self) -> list[str]:
        return [l.id for l in self.new.layers]

    def _is_source_note(self, note: Note) -> bool:
        if self._counterpart(note) is not None:
            return True
        # A labelled note in the source's text whose label the new file no
        # longer has: the corrected source dropped it.
        in_source = note.anchor is None or note.anchor.layer in (self.old_key, *self._source_layers())
        return in_source and note.label is not None

    def notes(self) -> list[Note]:
        """The new file's own notes where the old file's stood, and the
        editors' notes carried; an editor's note whose id the new file's
        notes now use is renumbered."""
        out: list[tuple[Note, bool]] = []  # (note, the new file's own)
        used: set[str] = set()
        new_index = {s.id: j for j, s in enumerate(self.new.segments)}
        for note in self.old.notes:
            other = self._counterpart(note)
            if other is not None:
                out.append((self._renumbered(other, new_index), True))
                used.add(other.id)
            elif self._is_source_note(note):
                self.result.replaced_notes.append(note.id)
            else:
                out.append((self._carried(note), False))
        previous = None
        for note in self.new.notes:
            if note.id not in used:
                at = next((k + 1 for k, (n, own) in enumerate(out) if own and n.id == previous), 0 if previous is None else len(out))
                out.insert(at, (self._renumbered(note, new_index), True))
            previous = note.id
        taken = {n.id for n, own in out if own}
        notes: list[Note] = []
        for note, own in out:
            if not own and note.id in taken:
                everyone = {n.id: n for n, _ in out} | {n.id: n for n in notes}
                probe = replace(self.new, notes=list(everyone.values()))
                fresh = next_note_id(probe, note.kind)
                self.result.renamed_notes.append((note.id, fresh))
                note = replace(note, id=fresh)
            taken.add(note.id)
            notes.append(note)
        return notes

    def _renumbered(self, note: Note, new_index: dict[str, int]) -> Note:
        """A note of the new file, anchored under the segment ids kept."""
        anchor = note.anchor
        if anchor is None or anchor.segment in HEAD_PLACES or anchor.segment not in new_index:
            return note
        return replace(note, anchor=replace(anchor, segment=self.final[new_index[anchor.segment]]))

    def _carried(self, note: Note) -> Note:
        anchor = note.anchor
        if anchor is None:
            return note
        placed, reason = self._place(anchor)
        if placed is None:
            self.result.unplaced.append(Placed(note.id, anchor, None, reason))
            return replace(note, anchor=None)
        if placed != anchor:
            self.result.moved.append(Placed(note.id, anchor, placed))
        return replace(note, anchor=placed)

    def _place(self, anchor: Anchor) -> tuple[Anchor | None, str]:
        layer = self.key if anchor.layer == self.old_key else anchor.layer
        if anchor.segment in HEAD_PLACES:
            old_text = self.old.place_text(anchor.layer, anchor.segment)
            new_text = self.new.place_text(layer, anchor.segment)
            if old_text is None or new_text is None:
                return None, f"the corrected source has no {anchor.segment}"
            return self._within([old_text], [(anchor.segment, new_text)], 0, anchor, layer)
        if anchor.segment not in self.to_final:
            return None, f"segment {anchor.segment} is not in the corrected source"
        if layer in self._source_layers():
            bead = next(b for b in self.beads if any(self.old.segments[i].id == anchor.segment for i in b[0]))
            olds = [self.old.segments[i] for i in bead[0]]
            old_texts = [s.text.get(anchor.layer, "") for s in olds]
            k = [s.id for s in olds].index(anchor.segment)
            news = [(self.final[j], self.new.segments[j].text.get(layer, "")) for j in bead[1]]
            return self._within(old_texts, news, k, anchor, layer)
        shift = self.shift.get((layer, anchor.segment))
        fid = self.to_final[anchor.segment]
        old_text = self.old.place_text(anchor.layer, anchor.segment)
        new_text = self.by_id[fid].text.get(layer)
        if shift is None or old_text is None or new_text is None:
            return None, f"segment {anchor.segment} has no text in layer '{layer}'"
        if fid == anchor.segment and new_text == old_text:
            return anchor, ""  # the translation did not move
        end = find_phrase(old_text, anchor.phrase, anchor.occurrence)
        if end is None:
            return None, f"'{anchor.phrase}' was not in {anchor.segment} of layer '{layer}'"
        start = end - len(anchor.phrase)
        if not anchor.phrase:  # the end of the segment, now inside the joined text: after its last word
            if shift + end == len(new_text):
                return replace(anchor, segment=fid), ""
            start = end - len((old_text.split() or [""])[-1])
        return _anchor_at(layer, fid, new_text, shift + start, shift + end, anchor), ""

    def _within(self, old_texts: list[str], news: list[tuple[str, str]], k: int, anchor: Anchor, layer: str):
        """Map a phrase of old_texts[k] into the new texts of the same bead
        (joined, so that a phrase may cross into another part)."""
        old_joined = "\n".join(old_texts)
        base = sum(len(t) + 1 for t in old_texts[:k])
        end = find_phrase(old_texts[k], anchor.phrase, anchor.occurrence)
        if end is None:
            return None, f"'{anchor.phrase}' was not in {anchor.segment} of layer '{anchor.layer}'"
        start = end - len(anchor.phrase)
        if not anchor.phrase:  # the end of the segment: its last word now
            words = old_texts[k].split()
            if len(old_texts) == 1 and len(news) == 1:
                return replace(anchor, layer=layer, segment=news[0][0]), ""
            if not words:
                return None, f"segment {anchor.segment} was empty"
            start = end - len(words[-1])
        new_joined = "\n".join(text for _, text in news)
        span = carry_span(old_joined, new_joined, base + start, base + end)
        if span is None:
            phrase = anchor.phrase or old_texts[k][start:end]
            return None, f"'{phrase}' is not in the corrected text of {anchor.segment}"
        offset = 0
        for fid, text in news:  # the part where the call (the phrase's end) stands
            if span[1] <= offset + len(text):
                return _anchor_at(layer, fid, text, max(span[0] - offset, 0), span[1] - offset, anchor), ""
            offset += len(text) + 1
        return None, f"'{anchor.phrase}' is not in the corrected text of {anchor.segment}"


def _anchor_at(layer: str, segment: str, text: str, start: int, end: int, old: Anchor) -> Anchor | None:
    """The anchor for the call after text[start:end]."""
    phrase = text[start:end].strip()
    if not phrase:
        return None
    start = text.index(phrase, start)
    if not old.phrase and start + len(phrase) == len(text):
        return Anchor(layer, segment, "", 1)
    return Anchor(layer, segment, phrase, occurrences(text, phrase).index(start) + 1)


def _checked(segs, paras, flagged, old_texts, new_texts) -> list[tuple[tuple[int, ...], tuple[int, ...], bool]]:
    """A bead of the aligner, split where one of its paragraphs does not
    really go with the other side: a removed paragraph paired with its
    neighbour as a "merge" would carry its translation into the text."""
    if not segs or not paras:
        return [((i,), (), True) for i in segs] + [((), (j,), True) for j in paras]
    if len(segs) == 1 and len(paras) == 1:
        a, b = old_texts[segs[0]], new_texts[paras[0]]
        if a != b and max(_covered(a, b), _covered(b, a)) < REPLACED:
            return [(tuple(segs), (), True), ((), tuple(paras), True)]
        return [(tuple(segs), tuple(paras), flagged)]
    joined_new = " ".join(new_texts[j] for j in paras)
    joined_old = " ".join(old_texts[i] for i in segs)
    keep_old = [i for i in segs if _covered(old_texts[i], joined_new) >= COVERED]
    keep_new = [j for j in paras if _covered(new_texts[j], joined_old) >= COVERED]
    if len(keep_old) == len(segs) and len(keep_new) == len(paras):
        return [(tuple(segs), tuple(paras), flagged)]
    out: list[tuple[tuple[int, ...], tuple[int, ...], bool]] = [((i,), (), True) for i in segs if i not in keep_old]
    out += [((), (j,), True) for j in paras if j not in keep_new]
    if keep_old and keep_new:
        out.append((tuple(keep_old), tuple(keep_new), True))
    else:
        out += [((i,), (), True) for i in keep_old] + [((), (j,), True) for j in keep_new]
    return out


def _alike(a: str, b: str) -> bool:
    """Two wordings of one note (a corrected one), by their words."""
    return a == b or SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio() >= 0.6


def _covered(text: str, other: str) -> float:
    """The share of `text`'s words that stand, in order, in `other`."""
    a, b = content_tokens(text), content_tokens(other)
    if not a:
        return 1.0 if not b else 0.0
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / len(a)


def summary(result: Reimport) -> list[str]:
    """What the re-import did (or would do), one line each, for people."""
    doc = result.document.id
    lines = [
        f"{doc}: segments kept {len(result.kept)}, corrected {len(result.corrected)}, new {len(result.new)}, "
        f"merged {len(result.merged)}, split {len(result.split)}, divided anew {len(result.redivided)}, gone {len(result.gone)}"
    ]
    if result.corrected:
        lines.append(f"  corrected: {', '.join(result.corrected)}")
    if result.new:
        lines.append(f"  new: {', '.join(result.new)}")
    for olds, fid in result.merged:
        lines.append(f"  merged: {' + '.join(olds)} → {fid}")
    for sid, parts in result.split:
        lines.append(f"  split: {sid} → {' + '.join(parts)}")
    for olds, news in result.redivided:
        lines.append(f"  divided anew: {' + '.join(olds)} → {' + '.join(news)}")
    for gone in result.gone:
        lines.append(f"  gone: {gone.segment} (carries {gone.describe()})")
    if result.review:
        lines.append(f"  flagged for review in the translations: {', '.join(result.review)}")
    for placed in result.moved:
        lines.append(f"  note {placed.note} re-anchored: {_where(placed.old)} → {_where(placed.new)}")
    for placed in result.unplaced:
        lines.append(f"  note {placed.note} lost its place ({placed.reason}): kept as a note on the whole document")
    for layer, sid in result.unaligned:
        lines.append(f"  translation {layer} of {sid}: kept as an unaligned paragraph")
    if result.replaced_notes:
        lines.append(f"  the corrected source no longer has notes {', '.join(result.replaced_notes)}")
    for old_id, new_id in result.renamed_notes:
        lines.append(f"  note {old_id} renamed {new_id} (the source's own note has that id)")
    return lines


def _where(anchor: Anchor | None) -> str:
    if anchor is None:
        return "the whole document"
    nth = f" ({anchor.occurrence})" if anchor.occurrence > 1 else ""
    phrase = f" '{anchor.phrase}'{nth}" if anchor.phrase else " (end)"
    return f"{anchor.layer} {anchor.segment}{phrase}"


__all__ = ["Gone", "Placed", "Reimport", "reimport", "summary"]
