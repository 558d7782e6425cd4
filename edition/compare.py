"""Comparing two versions of a document segment by segment: two layers of
one document, or two texts from outside an edition (split into paragraphs
and aligned by content first). The segments are the natural anchors that
keep every diff small."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from .diff import CLASSES, Diff, Stats, diff_segments
from .model import Document
from .tokens import Normalizer


@dataclass
class SegmentComparison:
    segment: str  # a segment id, or "¶3+¶4" for texts outside an edition
    a: str | None  # None: the segment is absent from that version
    b: str | None
    diff: Diff

    @cached_property
    def stats(self) -> Stats:
        return self.diff.stats()  # counted once: totals and every output use it

    @property
    def changed(self) -> bool:
        return any(op.kind != "equal" for op in self.diff.ops)


@dataclass
class Comparison:
    a_label: str
    b_label: str
    segments: list[SegmentComparison] = field(default_factory=list)
    options: Normalizer = field(default_factory=Normalizer)

    def totals(self) -> Stats:
        """The summed figures of every segment, with one similarity."""
        parts = [s.stats for s in self.segments]
        sums = {
            name: sum(getattr(p, name) for p in parts)
            for name in ("words_a", "words_b", "equal", "inserted", "deleted", "substituted", "moved")
        }
        by_class = {c: sum(p.by_class.get(c, 0) for p in parts) for c in CLASSES}
        total = sums["words_a"] + sums["words_b"]
        similarity = (2 * sums["equal"] + sums["moved"]) / total if total else 1.0
        return Stats(**sums, similarity=similarity, by_class={c: n for c, n in by_class.items() if n})


# Given the comparison being made (its labels and options; its segments
# are filled in at the end) and its next segments, in order, as their
# diffs are done: a writer can write them out while workers diff the rest.
Each = Callable[[Comparison, list[SegmentComparison]], object]


def _diffed(comparison: Comparison, named: list[tuple[str, str | None, str | None]], each: Each | None) -> Comparison:
    """The comparison with its segments: (name, text a, text b) diffed."""
    done: list[SegmentComparison] = []

    def arrived(diffs: list[Diff]) -> None:
        start = len(done)
        new = [SegmentComparison(name, ta, tb, d) for (name, ta, tb), d in zip(named[start : start + len(diffs)], diffs)]
        done.extend(new)
        if each is not None:
            each(comparison, new)

    diff_segments([(ta, tb) for _, ta, tb in named], comparison.options, each=arrived)
    comparison.segments = done
    return comparison


def compare_layers(doc: Document, a: str, b: str, options: Normalizer = Normalizer(), each: Each | None = None) -> Comparison:
    """Two layers of `doc`, segment by segment in the document's order."""
    comparison = Comparison(f"{doc.id}:{a}", f"{doc.id}:{b}", options=options)
    texts = [(s.id, s.text.get(a), s.text.get(b)) for s in doc.segments]
    present = [(sid, ta, tb) for sid, ta, tb in texts if ta is not None or tb is not None]
    return _diffed(comparison, present, each)


def compare_edition(documents: list[Document], a: str, b: str, options: Normalizer = Normalizer(), each: Each | None = None) -> Comparison:
    """Two layers across a whole edition: every document that has both, its
    segments named `document/segment`, diffed in one batch (the workers of
    `diff_segments` share the whole edition's segments)."""
    comparison = Comparison(a, b, options=options)
    present = [
        (f"{doc.id}/{s.id}", s.text.get(a), s.text.get(b))
        for doc in documents
        if doc.layer(a) is not None and doc.layer(b) is not None
        for s in doc.segments
        if s.text.get(a) is not None or s.text.get(b) is not None
    ]
    return _diffed(comparison, present, each)


def compare_paragraphs(
    a: list[str],
    b: list[str],
    a_label: str,
    b_label: str,
    options: Normalizer = Normalizer(),
    names: list[str] | None = None,
    each: Each | None = None,
) -> Comparison:
    """Two texts outside an edition (or a layer's segments, named by
    `names`, against a file): the paragraphs aligned by content, then each
    aligned group diffed (merged and split paragraphs included)."""
    comparison = Comparison(a_label, b_label, options=options)
    groups = []
    for segments, paragraphs in _pairs(a, b):
        ta = "\n".join(a[i] for i in segments) if segments else None
        tb = "\n".join(b[j] for j in paragraphs) if paragraphs else None
        if names is not None:
            label = "+".join(names[i] for i in segments) or "(new)"
        else:
            label = "+".join(f"¶{i + 1}" for i in segments) or "—"
            if paragraphs and list(segments) != list(paragraphs):
                label += " / " + "+".join(f"¶{j + 1}" for j in paragraphs)
        groups.append((label, ta, tb))
    return _diffed(comparison, groups, each)


def _pairs(a: list[str], b: list[str]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Which paragraphs of `a` go with which of `b`: by content, or, when
    content pairs none of them and both texts have as many paragraphs (one
    each, say: two translations of one passage), by position. Two
    renderings of the same text share too few words for content pairing,
    yet are a word diff, not everything deleted and inserted."""
    from .align import align

    beads = [(tuple(bead.segments), tuple(bead.paragraphs)) for bead in align(a, b, same_language=True).beads]
    if len(a) == len(b) and not any(segments and paragraphs for segments, paragraphs in beads):
        return [((i,), (i,)) for i in range(len(a))]
    return beads
