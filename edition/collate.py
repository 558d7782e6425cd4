"""Several versions of a document as an apparatus of variant readings
against a base text: for each place where any witness differs, the lemma
(the base's words) and the readings, with the witnesses that have each.

Collation goes segment by segment, each witness diffed against the base
(`diff.diff_words`); the places of variation of all witnesses are merged
where they overlap, so one entry holds every reading of one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from .diff import EQUAL, MOVE, TRIVIAL_CLASSES, WHITESPACE, Diff, Differ
from .model import Document, Layer, plain
from .tokens import Normalizer

OMITTED = ""  # the reading of a witness that leaves the lemma out ("om.")


@dataclass(frozen=True)
class Reading:
    text: str  # "" for an omission
    witnesses: tuple[str, ...]
    cls: str  # the change class against the lemma


@dataclass(frozen=True)
class Entry:
    """One place of variation: base characters [start, end) of a segment."""

    segment: str
    start: int
    end: int
    lemma: str  # "" for an addition in some witness
    readings: tuple[Reading, ...]
    agree: tuple[str, ...] = ()  # witnesses that read as the base here

    @property
    def short_lemma(self) -> str:
        """The lemma as an apparatus prints it: first … last word when long."""
        words = self.lemma.split()
        return f"{words[0]} … {words[-1]}" if len(words) > 4 else self.lemma

    @property
    def classes(self) -> set[str]:
        return {r.cls for r in self.readings}


@dataclass(frozen=True)
class Lacuna:
    """A stretch of the base (whole segments, in order) that some witnesses
    do not have at all: an excerpt, a revision that stops half way, a
    witness that breaks off. The apparatus says so ("deest"), because its
    silence would tell a reader that the witness agrees."""

    segments: tuple[str, ...]
    witnesses: tuple[str, ...]
    lemma: str  # the base's first and last words of the stretch, as printed

    @property
    def first(self) -> str:
        return self.segments[0]

    @property
    def last(self) -> str:
        return self.segments[-1]

    @property
    def span(self) -> str:
        """The segments as a range: "p10–p16", or "p10" alone."""
        return self.first if len(self.segments) == 1 else f"{self.first}–{self.last}"


@dataclass
class Apparatus:
    document: str
    base: str
    witnesses: list[str]
    entries: list[Entry] = field(default_factory=list)
    lacunae: list[Lacuna] = field(default_factory=list)

    def without(self, classes=TRIVIAL_CLASSES) -> Apparatus:
        """The apparatus with readings of the given classes left out (and
        entries that keep no reading). Lacunae always stay."""
        kept = []
        for entry in self.entries:
            readings = tuple(r for r in entry.readings if r.cls not in classes)
            if readings:
                kept.append(Entry(entry.segment, entry.start, entry.end, entry.lemma, readings, entry.agree))
        return Apparatus(self.document, self.base, self.witnesses, kept, list(self.lacunae))

    @property
    def empty(self) -> bool:
        return not (self.entries or self.lacunae)

    def in_order(self, segment_order: list[str]) -> list[Entry | Lacuna]:
        """Entries and lacunae as the text runs: a lacuna before the entries
        of the segment it starts at."""
        index = {sid: i for i, sid in enumerate(segment_order)}
        places: list[tuple[int, int, int, Entry | Lacuna]] = [(index.get(lac.first, 0), 0, 0, lac) for lac in self.lacunae]
        places += [(index.get(e.segment, 0), 1, k, e) for k, e in enumerate(self.entries)]
        return [place for *_, place in sorted(places, key=lambda p: p[:3])]


def collate(doc: Document, base: str, witnesses: list[str], options: Normalizer = Normalizer()) -> Apparatus:
    """The apparatus of `witnesses` (layer ids) against layer `base`. The
    witnesses are taken in the document's order of layers, so that naming
    them in another order gives the same apparatus."""
    order = {layer.id: i for i, layer in enumerate(doc.layers)}
    witnesses = sorted(dict.fromkeys(witnesses), key=lambda w: (order.get(w, len(order)), w))
    apparatus = Apparatus(doc.id, base, list(witnesses))
    differ = Differ(options)  # one for all segments: each distinct word normalised once
    lacking: list[tuple[str, str, tuple[str, ...]]] = []  # (segment, its base text, witnesses without it)
    for segment in doc.segments:
        base_text = segment.text.get(base)
        if base_text is None:
            continue
        texts = {w: segment.text.get(w) for w in witnesses}
        lacking.append((segment.id, base_text, tuple(w for w, text in texts.items() if text is None)))
        apparatus.entries.extend(collate_texts(segment.id, base_text, texts, options, differ))
    apparatus.lacunae = lacunae(lacking)
    return apparatus


def lacunae(lacking: list[tuple[str, str, tuple[str, ...]]]) -> list[Lacuna]:
    """The stretches of consecutive base segments each witness lacks, those
    of several witnesses that cover the same segments joined into one."""
    runs: dict[str, list[list[int]]] = {}
    for k, (_, _, witnesses) in enumerate(lacking):
        for w in witnesses:
            spans = runs.setdefault(w, [])
            if spans and spans[-1][1] == k:
                spans[-1][1] = k + 1
            else:
                spans.append([k, k + 1])
    by_span: dict[tuple[int, int], list[str]] = {}
    for w, spans in runs.items():
        for start, end in spans:
            by_span.setdefault((start, end), []).append(w)
    out = []
    for (start, end), lacking_witnesses in sorted(by_span.items()):
        first_words, last_words = lacking[start][1].split(), lacking[end - 1][1].split()
        first = first_words[0] if first_words else ""
        last = last_words[-1] if last_words else ""
        lemma = first if (start == end - 1 and len(first_words) == 1) else f"{first} … {last}"
        out.append(Lacuna(tuple(sid for sid, _, _ in lacking[start:end]), tuple(lacking_witnesses), lemma))
    return out


def collate_texts(
    segment: str, base: str, witnesses: dict[str, str | None], options: Normalizer = Normalizer(), differ: Differ | None = None
) -> list[Entry]:
    """Entries for one segment. A witness that lacks the segment (None)
    takes no part in it rather than omitting all of it. (`differ`, made for
    `options`, may be shared by many segments.)"""
    differ = differ or Differ(options)
    classify = differ.classify
    diffs = {w: differ.diff(base, text) for w, text in witnesses.items() if text is not None}
    places = [_with_word_before(base, span) for span in _merge(sorted(span for diff in diffs.values() for span in _changed_spans(diff)))]
    places = _merge(places)
    entries = []
    for start, end in places:
        lemma = base[start:end]
        by_text: dict[str, list[str]] = {}
        agree = []
        for witness, diff in diffs.items():
            reading = _reading(diff, start, end)
            if reading == lemma or classify(lemma, reading) == WHITESPACE:
                agree.append(witness)
            else:
                by_text.setdefault(reading, []).append(witness)
        if not by_text:
            continue
        readings = tuple(Reading(text.strip(), tuple(ws), classify(lemma, text)) for text, ws in by_text.items())
        entries.append(Entry(segment, start, end, lemma.strip(), readings, tuple(agree)))
    return entries


def _changed_spans(diff: Diff) -> list[tuple[int, int]]:
    """Base ranges where the witness differs; an insertion is an empty range
    at its place. A moved passage counts as left out where it stood and
    added where it went."""
    spans = []
    for op in diff.ops:
        if op.kind == EQUAL or (op.kind == MOVE and not op.a and not op.b):
            continue
        spans.append((op.a_pos, op.a_pos + len(op.a)))
    return spans


def _with_word_before(base: str, span: tuple[int, int]) -> tuple[int, int]:
    """An addition has no lemma of its own: take the word before it (or
    after it, at the start) so the entry reads `word] word added`."""
    start, end = span
    if start != end:
        return span
    before = base[:start].rstrip()
    if before:
        cut = max(before.rfind(" "), before.rfind("\n")) + 1
        return cut, start
    after = base[end:]
    stripped = len(after) - len(after.lstrip())
    word_end = after.find(" ", stripped)
    return start, end + (word_end if word_end >= 0 else len(after))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Join overlapping ranges, and an insertion point with a range it
    touches: they are one place of variation."""
    merged: list[list[int]] = []
    for start, end in spans:
        if merged:
            last = merged[-1]
            touching_insertion = start == last[1] and (start == end or last[0] == last[1])
            if start < last[1] or touching_insertion:
                last[1] = max(last[1], end)
                continue
        merged.append([start, end])
    return [(s, e) for s, e in merged]


def _reading(diff: Diff, start: int, end: int) -> str:
    """The witness's text for base characters [start, end): the b side of
    every op that overlaps the range (equal ops cut to the range), and
    insertions standing at its edges or inside it."""
    out = []
    for op in diff.ops:
        a_end = op.a_pos + len(op.a)
        if op.kind == EQUAL:
            lo, hi = max(start, op.a_pos), min(end, a_end)
            if lo < hi:
                out.append(op.b[lo - op.a_pos : hi - op.a_pos])
            continue
        if (op.a_pos < end and a_end > start) if op.a else (start <= op.a_pos <= end):
            out.append(op.b)
    return "".join(out)


def entry_text(entry: Entry, siglum=lambda w: w) -> str:
    """One entry as a printed apparatus writes it: `lemma] reading wit; om. wit`
    (the words without our `*…*` emphasis marks)."""
    parts = []
    for reading in entry.readings:
        text = plain(reading.text) if reading.text else "om."
        witnesses = " ".join(siglum(w) for w in reading.witnesses)
        parts.append(f"{text} {witnesses}")
    lemma = plain(entry.short_lemma) or "+"
    return f"{lemma}] " + "; ".join(parts)


def lacuna_text(lacuna: Lacuna, siglum=lambda w: w) -> str:
    """A lacuna as a printed apparatus writes it: `first … last] deest wit`."""
    return f"{plain(lacuna.lemma)}] deest {' '.join(siglum(w) for w in lacuna.witnesses)}"


def apparatus_of_versions(doc: Document, base: Layer | None, setting: str) -> Apparatus | None:
    """The apparatus of variants an edition gives a document: the other
    layers in `base`'s language (its earlier or later versions, a second
    translation into that language) against `base`, with the readings the
    edition's `apparatus` setting keeps ("all", "substantive", "none");
    None when there is nothing to record. The printed volume, the HTML
    edition and the TEI export all make this one choice."""
    if base is None or setting == "none":
        return None
    witnesses = [layer.id for layer in doc.layers if layer.lang == base.lang and layer.id != base.id]
    if not witnesses:
        return None
    apparatus = collate(doc, base.id, witnesses)
    if setting != "all":
        apparatus = apparatus.without()
    return None if apparatus.empty else apparatus
