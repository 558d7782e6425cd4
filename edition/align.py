"""Paragraph alignment: which paragraphs of a new text (a translation, or a
revision of a layer) go with which segments of the base text. Pure functions
on lists of strings; the translations room turns the beads into a layer.

Two methods share one banded dynamic programme over beads (1-1, 1-0, 0-1,
2-1, 1-2, 2-2; monotone, every unit in exactly one bead), which searches a
band around the expected diagonal and widens it only where the best path
presses against its edge, so that time grows about linearly with length:

- same language (a revision): by content. Identical paragraphs that occur
  once on each side pin the alignment, as patience diff pins lines; between
  the pins a bead costs the words left outside diff-match-patch's equal runs
  (for long paragraphs, an estimate of them that takes linear time).
- another language (a translation): by length (Gale & Church 1993, with
  the ratio of lengths estimated from the two texts themselves) and by
  anchors that survive translation: numbers, dates, names (transliterated),
  quotation marks, brackets, list markers, and word stems the languages
  share; by the count of sentences, which translators keep; and by
  lead-ins (a line of a few words without a full stop, which goes with
  what follows). A run of units without counterparts costs less per unit
  than a lone one, since translators leave out whole passages.

  A translation may be of part of the text (its start, its middle, its
  end, or stretches parted by omission marks such as "[...]"): before its
  first paragraph, after its last and at its marks, base units are left
  out at one opening cost whatever their number, so the translation lands
  where its lengths and anchors fit, as in local alignment. Each bead's
  confidence is its probability over all alignments, each weighted by how
  well it explains the texts (forward and backward sums over the same
  beads), so that a bead left unflagged is one the texts leave little
  doubt about."""

from __future__ import annotations

import functools
import math
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from .diff import TokenTable, equal_length
from .numerals import from_roman
from .runs import longest_increasing
from .text import words
from .workers import share_out, usable_cores

CONTENT = "content"
LENGTH = "length+anchors"

# A running total keeps the kind of what it adds: counts stay whole numbers.
_Number = TypeVar("_Number", int, float)


@dataclass(frozen=True)
class Bead:
    """Base units (segments) paired with new units (paragraphs), 0-based.
    A bead with an empty side is a unit that has no counterpart.

    `confidence` is, by content, the share of the two sides' words in equal
    runs of their diff (1.0 for identical texts); for a unit alone, how
    unlike its neighbours on the other side are. By length and anchors it
    is the probability of the bead: the share, weighted by how well each
    explains the lengths and anchors, of all alignments of the two texts
    that have it."""

    segments: tuple[int, ...]
    paragraphs: tuple[int, ...]
    confidence: float  # 0..1
    flagged: bool  # for review: see `align`


@dataclass(frozen=True)
class Alignment:
    beads: list[Bead]
    method: str  # CONTENT or LENGTH
    # Characters of the new text per character of the base text: over both
    # texts, or (by length) over the stretches where they run in step.
    ratio: float


def align(base: list[str], new: list[str], *, same_language: bool, threshold: float | None = None) -> Alignment:
    """Align the paragraphs of `new` to the units of `base`.

    Every index of both lists is in exactly one bead, and the beads are in
    order on both sides. `same_language` chooses alignment by content (a
    revision) rather than by length and anchors (a translation). A
    translation may be of part of the text: its start, its middle, its end,
    or stretches parted by omission marks ("[...]"); the base units it
    leaves out are beads with no paragraph.

    Beads whose confidence is below `threshold` (by default the method's
    own: see `THRESHOLDS`) are flagged for review, and so are units with no
    counterpart, except base units left out where the translation says it
    leaves text out (its edges and omission marks) whose bead is sure and
    not within reach of a doubtful pair, and the omission marks themselves.
    Runs in time near-linear in the number of units."""
    base_len = [_char_length(t) for t in base]
    new_len = [_char_length(t) for t in new]
    total_base, total_new = sum(base_len), sum(new_len)
    ratio = total_new / total_base if total_base and total_new else 1.0
    edges: list[bool] | None = None
    marks: list[bool] = []
    if same_language:
        spans = _ContentAligner(base, new).spans()
        method = CONTENT
    else:
        aligner = _LengthAligner(base, new, base_len, new_len, ratio)
        spans = aligner.spans()
        method, ratio = LENGTH, aligner.ratio
        edges, marks = aligner.edges, aligner.new_marks
    if threshold is None:
        threshold = THRESHOLDS[method]
    sure: list[bool] = []
    confidences: list[float] = []
    for (i0, i1, j0, j1), confidence in spans:
        confidence = min(1.0, max(0.0, confidence))
        if i0 < i1 and j0 < j1:
            ok = confidence >= threshold
        elif i0 < i1:  # base units the translation leaves out where it says it does
            ok = edges is not None and edges[j0] and confidence >= threshold
        else:  # an omission mark of the translation is sure to have no counterpart
            ok = bool(marks) and all(marks[j] for j in range(j0, j1))
            confidence = 1.0 if ok else confidence
        sure.append(ok)
        confidences.append(confidence)

    # Where the translation stops or starts again is as sure as the pairs
    # beside it: next to a chain of doubtful beads, as many units left out
    # as that chain holds units on either side are in doubt too.
    def mark(x: int) -> bool:
        j0, j1 = spans[x][0][2], spans[x][0][3]
        return bool(marks) and j0 < j1 and all(marks[j] for j in range(j0, j1))

    def left_out(x: int) -> bool:
        return spans[x][0][2] == spans[x][0][3]

    def reach(x: int, step: int) -> int:
        """Units in the chain of flagged beads with paragraphs from x on."""
        base_units = new_units = 0
        while 0 <= x < len(spans) and not sure[x] and not left_out(x):
            i0, i1, j0, j1 = spans[x][0]
            base_units, new_units = base_units + i1 - i0, new_units + j1 - j0
            x += step
        return max(base_units, new_units)

    run = [x for x in range(len(spans)) if left_out(x) or mark(x)]
    doubt = [False] * len(spans)
    k = 0
    while k < len(run):
        end = k
        while end + 1 < len(run) and run[end + 1] == run[end] + 1:
            end += 1
        first, last = run[k], run[end]
        units = [x for x in range(first, last + 1) if left_out(x)]
        before, after = reach(first - 1, -1), reach(last + 1, +1)
        if first == 0 and last == len(spans) - 1:
            before = len(units)  # no pair at all: nothing says where the translation is
        for x in units[:before] + (units[-after:] if after else []):
            doubt[x] = True
        k = end + 1
    sure = [ok and not d for ok, d in zip(sure, doubt)]
    beads = [
        Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), confidence, not ok)
        for ((i0, i1, j0, j1), _), confidence, ok in zip(spans, confidences, sure)
    ]
    return Alignment(beads, method, ratio)


# Below these confidences a bead is flagged: by content, the share of words
# in equal runs; by length and anchors, the probability of the bead among
# all alignments (calibrated on published translations with known pairs:
# above it, every pair was right).
THRESHOLDS = {CONTENT: 0.5, LENGTH: 0.9}


def _char_length(text: str) -> int:
    """Characters with runs of whitespace counted as one space."""
    return len(" ".join(unicodedata.normalize("NFC", text).split()))


# --------------------------------------------------------------------------
# The banded dynamic programme

# Bead shapes (base units, new units), the cheapest first so that ties go to it.
STEPS = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2))
_INF = math.inf
# On tables searched in a band, the sums for a bead's probability take the
# paths within this many units of the best one: those further off weigh
# next to nothing where the best path is sure, and the bead is flagged anyway
# where it is not.
_POSTERIOR_WIDTH = 2
_MIN_WIDTH = 6
# Up to this many cells the search covers the whole table (a translation of
# part of a text runs far off the diagonal the lengths draw), and so do the
# sums for bead probabilities; up to four times as many, those sums keep to
# four times the width around the best path.
_WHOLE_TABLE = 10_000
_MARGIN = 2

Span = tuple[int, int, int, int]  # base[i0:i1] with new[j0:j1]


class _Skips(NamedTuple):
    """What leaving each unit alone costs: opening a run of such units, and
    extending one. Where `edges[j]` holds, base units left alone between
    new units j-1 and j cost `edge_open` for the run and `edge_extend` for
    each further unit: before the first new unit, after the last and beside
    an omission mark, where a translation of part of a text says it leaves
    the rest out."""

    open_row: list[float]
    open_col: list[float]
    extend_row: list[float]
    extend_col: list[float]
    edges: list[bool] | None = None
    edge_open: float = 0.0
    edge_extend: float = 0.0


def _best_path(
    i0: int,
    i1: int,
    j0: int,
    j1: int,
    cost,
    skips: _Skips,
    row_weight: list[float],
    col_weight: list[float],
    guides: Sequence[tuple[int, int]] = (),
) -> list[Span]:
    """The cheapest monotone chain of beads from (i0, j0) to (i1, j1).

    `cost(a0, a1, b0, b1, limit)` prices a bead with units on both sides
    (it may return any value above `limit` once it knows the price exceeds
    it); `skips` price units left without a counterpart. The search keeps to a band around the diagonal that the
    cumulative weights draw (where a unit "should" fall if both texts ran
    at the same pace), drawn through the `guides` (pairs of units that
    probably go together, increasing on both sides). When the best path comes near the band's edge the
    band is doubled and the search repeated, until the path keeps clear of
    the edge or widening no longer lowers its cost (as when nothing in
    the texts prefers one path to another)."""
    n, m = i1 - i0, j1 - j0
    if n == 0 or m == 0:
        return [(i, i + 1, j0, j0) for i in range(i0, i1)] + [(i1, i1, j, j + 1) for j in range(j0, j1)]
    width = _MIN_WIDTH if n * m > _WHOLE_TABLE else max(n, m)
    previous = _INF
    while True:
        lo, hi = _band(row_weight[i0:i1], col_weight[j0:j1], width, [(i - i0, j - j0) for i, j in guides])
        path, touched, total = _search(i0, j0, n, m, lo, hi, cost, skips)
        if not touched or width >= max(n, m) or total >= previous - 1e-9:
            return path
        previous = total
        width *= 2


def _path_cost(path: list[Span], cost, skips: _Skips) -> float:
    """What `_search` charged for `path`: its beads, and its runs of units
    left alone."""
    total = 0.0
    previous = None
    for i0, i1, j0, j1 in path:
        if i0 < i1 and j0 < j1:
            total += cost(i0, i1, j0, j1)
        elif i0 < i1:
            edge = skips.edges is not None and skips.edges[j0]
            run = previous is not None and previous[2] == previous[3] == j0 and previous[0] < previous[1]
            if edge:
                total += skips.edge_extend if run else skips.edge_open
            else:
                total += skips.extend_row[i0] if run else skips.open_row[i0]
        else:
            run = previous is not None and previous[0] == previous[1] == i0 and previous[2] < previous[3]
            total += skips.extend_col[j0] if run else skips.open_col[j0]
        previous = (i0, i1, j0, j1)
    return total


def _posteriors(n: int, m: int, path: list[Span], cost, skips: _Skips, temperature: float) -> list[float]:
    """For each bead of `path` (a path over the whole of both texts), the
    probability that an alignment drawn from all of them, each weighted by
    exp(-cost / temperature), has that bead: forward and backward sums over
    the same beads and runs as `_search`, in a band around `path` (the whole
    table when it is small). A bead the texts leave no alternative to comes
    out near 1; one that a slightly dearer path would replace, near 1/2 or
    below."""
    lo, hi = _band_around(path, n, m)
    t = 1.0 / temperature
    open_row, open_col, extend_row, extend_col, edges, edge_open, edge_extend = skips
    neg = -_INF
    exp, log = math.exp, math.log

    def add(a: float, b: float) -> float:
        if a == neg:
            return b
        if b == neg:
            return a
        return a + log(1.0 + exp(b - a)) if a > b else b + log(1.0 + exp(a - b))

    def row_costs(i: int, j: int) -> tuple[float, float]:
        """Opening and extending a run of base units left alone, for the
        unit i - 1 at column j."""
        if edges is not None and edges[j]:
            return edge_open, edge_extend
        return open_row[i - 1], extend_row[i - 1]

    pairs = [step for step in STEPS if step[0] and step[1]]
    inf = _INF
    # The cost of each pair bead ending at a cell (inf where none can), in
    # the order of `pairs`: priced once, read again going backward.
    costs: list[list[list[float]]] = []
    fwd = [[neg] * (hi[i] - lo[i] + 1) for i in range(n + 1)]
    fwd_row = [[neg] * (hi[i] - lo[i] + 1) for i in range(n + 1)]
    fwd_col = [[neg] * (hi[i] - lo[i] + 1) for i in range(n + 1)]
    for i in range(n + 1):
        low, high = lo[i], hi[i]
        row_cost = []
        for j in range(low, high + 1):
            k = j - low
            here = [inf] * len(pairs)
            row_cost.append(here)
            if i == 0 and j == 0:
                fwd[0][k] = 0.0
                continue
            terms = []
            if i >= 1 and lo[i - 1] <= j <= hi[i - 1]:
                o, e = row_costs(i, j)
                kk = j - lo[i - 1]
                fwd_row[i][k] = add(fwd[i - 1][kk] - o * t, fwd_row[i - 1][kk] - e * t)
                terms.append(fwd_row[i][k])
            if j > low:
                fwd_col[i][k] = add(fwd[i][k - 1] - open_col[j - 1] * t, fwd_col[i][k - 1] - extend_col[j - 1] * t)
                terms.append(fwd_col[i][k])
            for x, (di, dj) in enumerate(pairs):
                a, b = i - di, j - dj
                if a >= 0 and lo[a] <= b <= hi[a]:
                    source = fwd[a][b - lo[a]]
                    if source > neg:
                        c = here[x] = cost(a, i, b, j)
                        if c < inf:
                            terms.append(source - c * t)
            fwd[i][k] = _log_sum(terms)
        costs.append(row_cost)
    back = [[neg] * (hi[i] - lo[i] + 1) for i in range(n + 1)]
    back_row = [[neg] * (hi[i] - lo[i] + 1) for i in range(n + 1)]  # having entered a run of base units alone
    back_col = [[neg] * (hi[i] - lo[i] + 1) for i in range(n + 1)]
    for i in range(n, -1, -1):
        low, high = lo[i], hi[i]
        for j in range(high, low - 1, -1):
            k = j - low
            terms = [0.0] if (i, j) == (n, m) else []
            below = i < n and lo[i + 1] <= j <= hi[i + 1]
            if below:
                o, e = row_costs(i + 1, j)
                terms.append(back_row[i + 1][j - lo[i + 1]] - o * t)
            if j < high:
                terms.append(back_col[i][k + 1] - open_col[j] * t)
            for x, (di, dj) in enumerate(pairs):
                a, b = i + di, j + dj
                if a <= n and lo[a] <= b <= hi[a]:
                    c = costs[a][b - lo[a]][x]
                    if c < inf:
                        after = back[a][b - lo[a]]
                        if after > neg:
                            terms.append(after - c * t)
            total = back[i][k] = _log_sum(terms)
            back_row[i][k] = add(total, back_row[i + 1][j - lo[i + 1]] - e * t) if below else total
            back_col[i][k] = add(total, back_col[i][k + 1] - extend_col[j] * t) if j < high else total
    z = fwd[n][m - lo[n]]
    out = []
    for i0, i1, j0, j1 in path:
        if i0 < i1 and j0 < j1:
            c = costs[i1][j1 - lo[i1]][pairs.index((i1 - i0, j1 - j0))]
            value = fwd[i0][j0 - lo[i0]] - c * t + back[i1][j1 - lo[i1]] - z
        elif i0 < i1:
            value = fwd_row[i1][j1 - lo[i1]] + back_row[i1][j1 - lo[i1]] - z
        else:
            value = fwd_col[i1][j1 - lo[i1]] + back_col[i1][j1 - lo[i1]] - z
        out.append(min(1.0, exp(value)) if value > -700 else 0.0)
    return out


def _log_sum(terms: list[float]) -> float:
    """log(sum(exp(x))) of the terms, without overflow; -inf for none."""
    if not terms:
        return -_INF
    top = max(terms)
    if top == -_INF:
        return top
    return top + math.log(sum(math.exp(x - top) for x in terms))


def _band_around(path: list[Span], n: int, m: int, width: int = _POSTERIOR_WIDTH) -> tuple[list[int], list[int]]:
    """The columns [lo, hi] of each row within `width` of `path` (all of
    them when the table is small), monotone and connected as `_band`'s."""
    if n * m <= _WHOLE_TABLE:
        return [0] * (n + 1), [m] * (n + 1)
    if n * m <= 4 * _WHOLE_TABLE:
        width *= 4
    low, high = [m] * (n + 1), [0] * (n + 1)
    for i0, i1, j0, j1 in path:
        for i in range(i0, i1 + 1):
            low[i], high[i] = min(low[i], j0), max(high[i], j1)
    lo = [max(0, c - width) for c in low]
    hi = [min(m, c + width) for c in high]
    return _connected(lo, hi, n, m)


def _connected(lo: list[int], hi: list[int], n: int, m: int) -> tuple[list[int], list[int]]:
    lo[0], hi[n] = 0, m
    for i in range(1, n + 1):
        hi[i] = max(hi[i], hi[i - 1])
    for i in range(n - 1, -1, -1):
        lo[i] = min(lo[i], lo[i + 1])
    for i in range(1, n + 1):
        lo[i] = min(lo[i], hi[i - 1])
    return lo, hi


def _band(rows: list[float], cols: list[float], width: int, guides: Sequence[tuple[int, int]] = ()) -> tuple[list[int], list[int]]:
    """For each row 0..n, the columns [lo, hi] the search visits: `width`
    either side of a centre line, made monotone and connected (each row
    reaches the next by a 1-0 step). Between consecutive guide points, from
    (0, 0) to (n, m), the centre runs where the cumulative weights of rows
    and columns keep the same proportion."""
    n, m = len(rows), len(cols)
    cum_r, cum_c = _prefix(rows), _prefix(cols)
    centre = [0] * (n + 1)
    points = [(0, 0), *guides, (n, m)]
    for (ia, ja), (ib, jb) in zip(points, points[1:]):
        span_r, span_c = cum_r[ib] - cum_r[ia], cum_c[jb] - cum_c[ja]
        j = ja
        for i in range(ia, ib + 1):
            target = cum_c[ja] + ((cum_r[i] - cum_r[ia]) / span_r * span_c if span_r else 0.0)
            while j < jb and (cum_c[j] + cum_c[j + 1]) / 2 <= target:
                j += 1
            centre[i] = j
    lo = [max(0, c - width) for c in centre]
    hi = [min(m, c + width) for c in centre]
    return _connected(lo, hi, n, m)


def _search(i0: int, j0: int, n: int, m: int, lo: list[int], hi: list[int], cost, skips: _Skips) -> tuple[list[Span], bool, float]:
    """One pass of the dynamic programme inside the band: the best path,
    whether it comes near the band's edge (away from the table's own), and
    its cost.

    Three tables, as in alignment with affine gaps: the best path to each
    cell, and the best that ends leaving a base unit alone (a 1-0 bead) or a
    new unit alone (0-1), so that a run of units without counterparts (a
    passage left out) pays the opening cost once and then the cheaper
    extension."""
    inf = _INF
    open_row, open_col, extend_row, extend_col, edges, edge_open, edge_extend = skips
    table: list[list[float]] = []  # best path to the cell
    gaps_row: list[list[float]] = []  # best path ending in a 1-0 bead
    backs: list[list[int]] = []  # the last bead: an index into STEPS
    gap_backs: list[list[bool]] = []  # a 1-0 bead that extends a run of them
    col_backs: list[list[bool]] = []  # a 0-1 bead that extends a run of them
    # The rows before this one, with their first columns (read only from row 1 and 2 on).
    r1: list[float] = []
    r2: list[float] = []
    g1: list[float] = []
    l1 = l2 = h1 = h2 = 0
    for i in range(n + 1):
        low, high = lo[i], hi[i]
        width = high - low + 1
        row, gaps, gaps_c = [inf] * width, [inf] * width, [inf] * width  # gaps_c: ending in a 0-1 bead
        back, gap_back, col_back = [-1] * width, [False] * width, [False] * width
        a1 = i0 + i
        if i >= 1:
            r1, g1, l1, h1 = table[i - 1], gaps_row[i - 1], lo[i - 1], hi[i - 1]
        if i >= 2:
            r2, l2, h2 = table[i - 2], lo[i - 2], hi[i - 2]
        for j in range(low, high + 1):
            b1 = j0 + j
            k = j - low
            best, arg = inf, -1
            # Leaving a unit alone is priced first, so that the dearer pair
            # beads can be told how much they must beat (`limit`) and stop
            # early when they cannot. Ties go to the simpler bead (STEPS order).
            if i >= 1 and l1 <= j <= h1:  # 1-0 from (i-1, j)
                if edges is not None and edges[b1]:
                    p = r1[j - l1] + edge_open
                    q = g1[j - l1] + edge_extend
                else:
                    p = r1[j - l1] + open_row[a1 - 1]
                    q = g1[j - l1] + extend_row[a1 - 1]
                gaps[k], gap_back[k] = (q, True) if q < p else (p, False)
                best, arg = gaps[k], 1
            if j > low:  # 0-1 from (i, j-1)
                p = row[k - 1] + open_col[b1 - 1]
                q = gaps_c[k - 1] + extend_col[b1 - 1]
                gaps_c[k], col_back[k] = (q, True) if q < p else (p, False)
                if gaps_c[k] < best:
                    best, arg = gaps_c[k], 2
            if i >= 1 and l1 < j <= h1 + 1:  # 1-1 from (i-1, j-1)
                p = r1[j - 1 - l1]
                if p < inf:
                    c = p + cost(a1 - 1, a1, b1 - 1, b1, best - p)
                    if c <= best:
                        best, arg = c, 0
            if i >= 2 and l2 < j <= h2 + 1:  # 2-1 from (i-2, j-1)
                p = r2[j - 1 - l2]
                if p < inf:
                    c = p + cost(a1 - 2, a1, b1 - 1, b1, best - p)
                    if c < best:
                        best, arg = c, 3
            if i >= 1 and l1 + 1 < j <= h1 + 2:  # 1-2 from (i-1, j-2)
                p = r1[j - 2 - l1]
                if p < inf:
                    c = p + cost(a1 - 1, a1, b1 - 2, b1, best - p)
                    if c < best:
                        best, arg = c, 4
            if i >= 2 and l2 + 1 < j <= h2 + 2:  # 2-2 from (i-2, j-2)
                p = r2[j - 2 - l2]
                if p < inf:
                    c = p + cost(a1 - 2, a1, b1 - 2, b1, best - p)
                    if c < best:
                        best, arg = c, 5
            if i == 0 and j == 0:
                best = 0.0
            row[k] = best
            back[k] = arg
        table.append(row)
        gaps_row.append(gaps)
        backs.append(back)
        gap_backs.append(gap_back)
        col_backs.append(col_back)
    path: list[Span] = []
    touched = False
    i, j = n, m
    run = 0  # inside a run of 1-0 (1) or 0-1 (2) beads, which fixes the next bead's shape
    while i or j:
        # Near the edge (a bead spans up to two columns) the best path may
        # have been bent by it: then the caller widens the band.
        if (j - lo[i] < _MARGIN and lo[i] > 0) or (hi[i] - j < _MARGIN and hi[i] < m):
            touched = True
        k = j - lo[i]
        step = run or backs[i][k]
        if step == 1:
            run = 1 if gap_backs[i][k] else 0
        elif step == 2:
            run = 2 if col_backs[i][k] else 0
        di, dj = STEPS[step]
        path.append((i0 + i - di, i0 + i, j0 + j - dj, j0 + j))
        i, j = i - di, j - dj
    path.reverse()
    return path, touched, table[n][m - lo[n]]


# --------------------------------------------------------------------------
# Another language: length and anchors

# Gale & Church's bead probabilities, as -log p.
_PRIOR = {
    (1, 1): -math.log(0.89),
    (1, 0): -math.log(0.0099),
    (0, 1): -math.log(0.0099),
    (2, 1): -math.log(0.089),
    (1, 2): -math.log(0.089),
    (2, 2): -math.log(0.011),
}
# Variance of a translated paragraph's length, per character of the original
# (Gale & Church measured 6.8 on sentences).
_VARIANCE = 6.8
# Below this mean length (characters) the variance stays that of this
# length: the length of a line of a few words ("Now, therefore,") is word
# choice more than translation, and proportional variance would make a
# difference of a word there cost as much as a missing sentence elsewhere.
_SHORT = 40
_EXTEND = 1.5  # each further unit in a run of units left alone
_MIN_GUIDES = 3
# Base units left alone where the translation says it leaves text out (its
# start, its end, an omission mark): a run costs what a lone unit does to
# open, then nothing a unit, so that the translation lands where its lengths
# and anchors fit, wherever that is in the base.
_EDGE_OPEN = -math.log(0.0099)
_EDGE_EXTEND = 0.0
# A translation of part of a text is aligned again under ratios of lengths
# up to 2 ** (this / 4) times that of the two totals.
_RATIO_STEPS = 8
# A path under another ratio that costs at most this much more is a rival:
# the beads of the best path it lacks are flagged.
_RIVAL_RATIO = 2.0
# Costs are -log probabilities: a bead's probability weighs each alignment
# by exp(-cost / this).
_TEMPERATURE = 1.0
# An omission mark: "[...]", "[…]", "(...)", "<…>", ". . .", alone on a
# paragraph, or at the start or end of one.
_OMISSION_MARK = r"[\[(<]\s*(?:\.\s*){3}[\])>]|[\[(<]\s*…\s*[\])>]|(?:\.\s*){3}|…"
_OMISSION = re.compile(_OMISSION_MARK)
_OMISSION_AT_START = re.compile(rf"^\s*(?:{_OMISSION_MARK})")
_OMISSION_AT_END = re.compile(rf"(?:{_OMISSION_MARK})\s*$")


# What one anchor is worth: reward when it is found on both sides of a bead,
# penalty for each one left without its partner.
_REWARD = {"n": 3.0, "m": 1.5, "w": 1.0, "q": 1.0, "b": 1.0, "l": 1.5, "d": 1.0}
_PENALTY = {"n": 1.0, "m": 0.5, "w": 0.0, "q": 0.5, "b": 0.5, "l": 0.5, "d": 0.5}


class _LengthAligner:
    def __init__(self, base: list[str], new: list[str], base_len: list[int], new_len: list[int], ratio: float):
        self.n, self.m = len(base), len(new)
        self.base_len, self.new_len = base_len, new_len
        self.base_prefix = _prefix(base_len)
        self.new_prefix = _prefix(new_len)
        keys: dict[str, str] = {}
        base_anchors = [anchors(t, keys) for t in base]
        new_anchors = [anchors(t, keys) for t in new]
        self.guides = _guides(base_anchors, new_anchors)
        self.total_ratio = ratio
        self.ratio = self._guided_ratio() or ratio
        # Anchors of each unit and of each pair of neighbours (None for none),
        # looked up by the bead's first unit and its size.
        self.base_anchors = _one_and_two(base_anchors)
        self.new_anchors = _one_and_two(new_anchors)
        self.base_cognates = _sets_one_and_two([cognates(t, keys) for t in base])
        self.new_cognates = _sets_one_and_two([cognates(t, keys) for t in new])
        self.base_lead_in = [lead_in(t) for t in base]
        self.new_lead_in = [lead_in(t) for t in new]
        self.base_sentences = _prefix(sentences(t) for t in base)
        self.new_sentences = _prefix(sentences(t) for t in new)
        self.base_marks = [bool(_OMISSION.fullmatch(t.strip())) for t in base]
        self.new_marks = [bool(_OMISSION.fullmatch(t.strip())) for t in new]
        self.edges = omission_edges(new)
        self.cost = self._cost_function()

    def _guided_ratio(self) -> float | None:
        """The length ratio between consecutive guides, where it is typical:
        a translation of part of a document, or one with a long passage
        left out, would skew the ratio of the two totals."""
        if len(self.guides) < _MIN_GUIDES:
            return None
        stretches = []
        for (i0, j0), (i1, j1) in zip(self.guides, self.guides[1:]):
            base_chars = self.base_prefix[i1] - self.base_prefix[i0]
            new_chars = self.new_prefix[j1] - self.new_prefix[j0]
            if base_chars and new_chars:
                stretches.append((new_chars / base_chars, base_chars, new_chars))
        if not stretches:
            return None
        typical = sorted(r for r, _, _ in stretches)[len(stretches) // 2]
        kept = [(b, n) for r, b, n in stretches if typical / 2 <= r <= typical * 2]
        return sum(n for _, n in kept) / sum(b for b, _ in kept)

    def spans(self) -> list[tuple[Span, float]]:
        """The best path. When it leaves base units out at the translation's
        edges or marks (a translation of part of the text), the ratio of the
        two totals says little about the ratio of a translated paragraph to
        its original: the path is then sought again under other ratios, and
        the one that explains the texts at least cost wins."""
        path, total = self._path()
        rivals: list[tuple[float, list[Span]]] = []
        if self.n and self.m and any(i0 < i1 and j0 == j1 and self.edges[j0] for i0, i1, j0, j1 in path):
            tried = {round(self.ratio, 6)}
            best = (total, path, self.ratio)
            # The translation is part of the text: its paragraphs are no
            # shorter against their originals than the totals say.
            candidates = [self.total_ratio * 2 ** (k / 4) for k in range(_RATIO_STEPS + 1)] + [self._paired_ratio(path)]
            for ratio in candidates:
                if not ratio or round(ratio, 6) in tried:
                    continue
                tried.add(round(ratio, 6))
                self.ratio = ratio
                self.cost = self._cost_function()
                found, cost = self._path()
                rivals.append((cost, found))
                if cost < best[0]:
                    rivals.append(best[:2])
                    best = (cost, found, ratio)
            total, path, self.ratio = best
            self.cost = self._cost_function()
        if not self.n or not self.m:
            return [(span, 0.0) for span in path]  # one side empty: nothing says where the other belongs
        chances = _posteriors(self.n, self.m, path, self.cost, self._skips(), _TEMPERATURE)
        # The ratio is a guess too: a bead that the path under a ratio
        # nearly as good does not have is no surer than an even chance.
        close = [set(found) for cost, found in rivals if found is not path and cost <= total + _RIVAL_RATIO]
        chances = [min(c, 0.5) if any(span not in other for other in close) else c for span, c in zip(path, chances)]
        return list(zip(path, chances))

    def _paired_ratio(self, path: list[Span]) -> float | None:
        base_chars = sum(self.base_prefix[i1] - self.base_prefix[i0] for i0, i1, j0, j1 in path if i0 < i1 and j0 < j1)
        new_chars = sum(self.new_prefix[j1] - self.new_prefix[j0] for i0, i1, j0, j1 in path if i0 < i1 and j0 < j1)
        return new_chars / base_chars if base_chars and new_chars else None

    def _path(self) -> tuple[list[Span], float]:
        rows = [x + 1.0 for x in self.base_len]
        cols = [x / self.ratio + 1.0 for x in self.new_len]
        # A unit left alone costs its prior, but no length misfit: Gale &
        # Church's formula would price a long unit's absence so high that the
        # aligner hid it inside a neighbour's bead instead. The next unit
        # left alone in a run costs less: translators leave out passages,
        # and without the discount a long one gets smuggled into 2-1 beads.
        # An omission mark stands alone at no cost; base units before the
        # translation starts, after it ends and at its marks cost one
        # opening in all. A paragraph of the translation left alone costs
        # its prior, in a run too: translators seldom add passages, and
        # with a discount a translation of part of the text would rather
        # leave its own paragraphs alone than find where they belong.
        skips = self._skips()
        path = _best_path(0, self.n, 0, self.m, self.cost, skips, rows, cols, self.guides)
        return path, _path_cost(path, self.cost, skips)

    def _skips(self) -> _Skips:
        open_col = [0.0 if mark else _PRIOR[(0, 1)] for mark in self.new_marks]
        extend_col = [0.0 if mark else _PRIOR[(0, 1)] for mark in self.new_marks]
        return _Skips([_PRIOR[(1, 0)]] * self.n, open_col, [_EXTEND] * self.n, extend_col, self.edges, _EDGE_OPEN, _EDGE_EXTEND)

    def _cost_function(self):
        """cost(a0, a1, b0, b1, limit) of one bead with units on both sides:
        its prior, length and sentence misfit (and a lead-in cut off on one
        side only), less what its shared anchors and stems save. (Penalties for anchors left without a partner are left out:
        every unit is in one bead whatever the path, so they would add the
        same to every path; a shared anchor saves its reward and both
        penalties.) Written flat, with everything it reads bound locally:
        the dynamic programme calls it about fifty times per unit."""
        bp, np_ = self.base_prefix, self.new_prefix
        anch_b, anch_n = self.base_anchors, self.new_anchors
        cog_b, cog_n, cognate = self.base_cognates, self.new_cognates, _COGNATE
        cap_b = _caps(anch_b, cog_b)
        cap_n = _caps(anch_n, cog_n)
        lead_b, lead_n = self.base_lead_in, self.new_lead_in
        sent_b, sent_n, misfit, cut_lead_in = self.base_sentences, self.new_sentences, _SENTENCE_MISFIT, _CUT_LEAD_IN
        ratio, inv_ratio, variance, short = self.ratio, 1.0 / self.ratio, _VARIANCE, 2 * _SHORT
        prior = [0.0] * 9
        for (da, db), value in _PRIOR.items():
            prior[da * 3 + db] = value
        erfc, log, sqrt, sqrt_pi = math.erfc, math.log, math.sqrt, math.sqrt(math.pi)

        marks_b, marks_n = _prefix(self.base_marks), _prefix(self.new_marks)

        def cost(a0: int, a1: int, b0: int, b1: int, limit: float = _INF) -> float:
            da, db = a1 - a0, b1 - b0
            if marks_n[b1] != marks_n[b0] or marks_b[a1] != marks_b[a0]:
                # An omission mark pairs only with one in the base, one to one.
                both = da == 1 and db == 1 and marks_n[b1] != marks_n[b0] and marks_b[a1] != marks_b[a0]
                return 0.0 if both else _INF
            lb = bp[a1] - bp[a0]
            ln = np_[b1] - np_[b0]
            total = prior[da * 3 + db]
            if (da == 2 or db == 2) and lead_b[a1 - 1] != lead_n[b1 - 1]:
                total += cut_lead_in  # a merge that cuts a lead-in from what it leads into on one side only
            odd = sent_b[a1] - sent_b[a0] - sent_n[b1] + sent_n[b0]
            if odd:
                total += misfit * (odd if odd > 0 else -odd)
            spread = lb + ln * inv_ratio  # twice the mean length
            if spread < short:
                spread = short
            # delta / sqrt(2), delta as in Gale & Church: the cost is -log P(|Z| > delta)
            x = abs(ln - lb * ratio) / sqrt(variance * spread)
            total += -log(erfc(x)) if x < 20 else x * x + log(x * sqrt_pi)
            # What the anchors and stems could save at most: when even that
            # leaves the bead dearer than `limit`, it cannot win.
            cap_left, cap_right = cap_b[da - 1][a0], cap_n[db - 1][b0]
            if total - (cap_left if cap_left < cap_right else cap_right) > limit:
                return total
            left = anch_b[da - 1][a0]
            if left is not None:
                right = anch_n[db - 1][b0]
                if right is not None:
                    total -= _matched(left, right)
            return total - cognate * len(cog_b[da - 1][a0] & cog_n[db - 1][b0])

        return cost


def omission_edges(new: list[str]) -> list[bool]:
    """For each place between new units (0 before the first, len(new) after
    the last), whether the translation says text of the base may be left
    out there: its start and end, after a paragraph that is an omission
    mark or ends with one, before a paragraph that starts with one."""
    m = len(new)
    edges = [False] * (m + 1)
    edges[0] = edges[m] = True
    for j, text in enumerate(new):
        text = text.strip()
        if _OMISSION.fullmatch(text):
            edges[j + 1] = True
            continue
        if _OMISSION_AT_START.match(text) and text[:1] in "[(<":
            edges[j] = True
        if _OMISSION_AT_END.search(text) and text[-1:] in "])>":
            edges[j + 1] = True
    return edges


def is_omission_mark(text: str) -> bool:
    """Whether a paragraph is only an omission mark ("[...]", "[…]", ". . ."):
    where an excerpt leaves text out, not text of its own."""
    return bool(_OMISSION.fullmatch(text.strip()))


def _guides(base: list[Counter], new: list[Counter]) -> list[tuple[int, int]]:
    """Units that probably go together: those sharing a number or a name
    found only once in each text, in the longest run that increases on both
    sides. They draw the band of the search; they do not bind the result."""
    where: list[dict[str, int]] = []
    for side in (base, new):
        count: Counter = Counter()
        place: dict[str, int] = {}
        for index, found in enumerate(side):
            for key, times in found.items():
                if key[0] in "nw":
                    count[key] += times
                    place[key] = index
        where.append({key: place[key] for key, times in count.items() if times == 1})
    pairs = sorted({(i, where[1][key]) for key, i in where[0].items() if key in where[1]}, key=lambda p: (p[0], -p[1]))
    return longest_increasing([j for _, j in pairs], pairs)


def _prefix(values: Iterable[_Number]) -> list[_Number]:
    out: list[_Number] = [0]
    for v in values:
        out.append(out[-1] + v)
    return out


def _one_and_two(found: list[Counter]) -> tuple[list, list]:
    ones = [dict(f) if f else None for f in found]
    twos = []
    for a in range(len(found) - 1):
        both = dict(found[a])
        for key, count in found[a + 1].items():
            both[key] = both.get(key, 0) + count
        twos.append(both or None)
    return ones, twos


def _caps(found: tuple[list, list], stems: tuple[list, list]) -> tuple[list[float], list[float]]:
    """The most the anchors and stems of each unit (and pair of units) could
    save in a bead, whatever the other side holds."""

    def most(f: list, s: list) -> list[float]:
        return [sum(count * _SHARED[key[0]] for key, count in (marks or {}).items()) + _COGNATE * len(words) for marks, words in zip(f, s)]

    return most(found[0], stems[0]), most(found[1], stems[1])


def _sets_one_and_two(found: list[frozenset]) -> tuple[list, list]:
    return found, [found[a] | found[a + 1] for a in range(len(found) - 1)]


# What a shared anchor of each kind saves: its reward and the two penalties
# it no longer owes.
_SHARED = {kind: _REWARD[kind] + 2 * _PENALTY[kind] for kind in _REWARD}


def _matched(left: dict, right: dict) -> float:
    """The saving for the anchors found on both sides (each pair once)."""
    if len(left) > len(right):
        left, right = right, left
    total = 0.0
    for key, count in left.items():
        other = right.get(key)
        if other:
            total += (count if count < other else other) * _SHARED[key[0]]
    return total


# --------------------------------------------------------------------------
# Anchors

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
        ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t",
         "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "i", "e", "g", "u"],
    )
)  # fmt: skip


def transliterate(text: str) -> str:
    """Cyrillic letters in Latin (a plain scientific-style table, lower case),
    other characters unchanged: "Сталин" → "stalin"."""
    return "".join(_CYRILLIC.get(ch, ch) if ch in _CYRILLIC else _CYRILLIC.get(ch.lower(), ch) for ch in text)


_SOUNDS = [
    (re.compile(r"^[yj](?=[aeiou])"), ""),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"c(?!h)"), "k"),
    (re.compile(r"q"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"w"), "v"),
    (re.compile(r"[yj]"), "i"),
    (re.compile(r"(.)\1+"), r"\1"),
]
_NAME_PREFIX = 4


def name_key(word: str) -> str:
    """A comparison key for a name across scripts and inflections: Latin
    letters, spelling variants levelled, its first four letters. "Stalin",
    "Stalins" and "Сталина" share one key, as do "Moscow" and "Москва"."""
    latin = transliterate(word.lower())
    latin = "".join(ch for ch in unicodedata.normalize("NFKD", latin) if not unicodedata.combining(ch))
    latin = "".join(ch for ch in latin if "a" <= ch <= "z")
    for pattern, repl in _SOUNDS:
        latin = pattern.sub(repl, latin)
    return latin[:_NAME_PREFIX]


_MONTH_NAMES = {
    1: ("january", "januar", "jänner", "январ", "janvier", "stycz"),
    2: ("february", "februar", "феврал", "février", "lut"),
    3: ("march", "märz", "марта", "март", "mars", "marz"),
    4: ("april", "апрел", "avril", "kwie"),
    5: ("may", "mai", "мая", "май", "мае", "maj"),
    6: ("june", "juni", "июн", "juin", "czerw"),
    7: ("july", "juli", "июл", "juillet", "lip"),
    8: ("august", "август", "août", "sierp"),
    9: ("september", "сентябр", "septembre", "wrze"),
    10: ("october", "oktober", "октябр", "octobre", "paźdz"),
    11: ("november", "ноябр", "novembre", "listop"),
    12: ("december", "dezember", "декабр", "décembre", "grud"),
}
# Exact month words, and stems for the inflected forms ("сентября", "janvier").
_MONTH_EXACT = {"may": 5, "mai": 5, "мая": 5, "май": 5, "мае": 5, "maj": 5, "mars": 3, "март": 3, "марта": 3, "lut": 2, "lip": 7}
_MONTH_STEMS = [(stem, month) for month, stems in _MONTH_NAMES.items() for stem in stems if stem not in _MONTH_EXACT and len(stem) >= 4]
# Words that introduce a number rather than name anything.
_MARKERS = {
    "article", "articles", "art", "статья", "статьи", "статье", "статью", "ст", "artikel", "chapter", "глава",
    "главы", "kapitel", "section", "раздел", "abschnitt", "paragraph", "пункт", "no", "nr", "№", "part", "часть",
    "teil", "i",
}  # fmt: skip

_WORD_BEFORE = re.compile(r"(?<![^\W\d_])([^\W\d_]+)\.?,?\s{1,2}$")
_WORD_AFTER = re.compile(r"(?:st|nd|rd|th)?\.?\s{1,2}([^\W\d_]+)")


def _upper_class() -> str:
    """A regular-expression class of the upper-case letters of the Basic
    Multilingual Plane (the re module has no \\p{Lu})."""
    out: list[str] = []
    start: int | None = None  # the first code of the run being read
    previous = 0  # its last code so far
    for code in range(0x10000):
        if chr(code).isupper():
            if start is None:
                start = code
            previous = code
        elif start is not None:
            out.append(re.escape(chr(start)) + ("-" + re.escape(chr(previous)) if previous > start else ""))
            start = None
    return "".join(out)


_UPPER = _upper_class()
_CAPITALISED = re.compile(rf"[{_UPPER}][^\W\d_]*(?:[-'’][^\W\d_]+)*")
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f\u2009 ]\d+)*")
_ROMAN = re.compile(r"[IVXL]{2,}")
_ROMAN_VALID = re.compile(r"L?X{0,3}(?:IX|IV|V?I{0,3})")
_QUOTES = re.compile(r"[«»„“”\"]")
# Direct speech opening a paragraph: a dash in Russian (and Polish, French
# …), a quotation mark in English or German.
_SPEECH = re.compile(r"\s*(?:[–—]\s|[«“„\"‘])")
_LIST_MARKER = re.compile(r"^\s*(?:\(?(\d{1,3}|[a-zа-я])[.)]|([•·▪◦‣\-–—*]))\s", re.IGNORECASE)


def anchors(text: str, keys: dict[str, str] | None = None) -> Counter:
    """The marks of a paragraph that survive translation, as comparable keys:
    numbers ("n:25000" for "25,000", "25 000" or "25.000"), months of dates
    ("m:9"), names not at a sentence's start ("w:" and a name_key), pairs of
    quotation marks ("q"), brackets ("b"), a leading list marker ("l:a"),
    and direct speech opening the paragraph ("d": a dash or a quotation
    mark, as languages write dialogue).
    The number of an article is a number: "Article 5" and "Статья 5" share
    "n:5". `keys` caches name_key across calls."""
    text = unicodedata.normalize("NFC", text)
    keys = {} if keys is None else keys
    found: Counter = Counter()
    if _SPEECH.match(text):
        found["d"] += 1
    marker = _LIST_MARKER.match(text)
    if marker:
        if marker.group(1) and not marker.group(1).isdigit():
            found["l:" + transliterate(marker.group(1).lower())] += 1
        elif marker.group(2):
            found["l:•"] += 1
    numbers_at: list[tuple[int, int]] = []
    for match in _NUMBER.finditer(text):
        if match.start() and (text[match.start() - 1].isalpha()):
            continue  # part of a code such as "A4" or "F5"
        numbers_at.append((match.start(), match.end()))
        for key in _read_number(match.group()):
            found[key] += 1
    for match in _ROMAN.finditer(text):
        start, end = match.span()
        if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
            continue
        if _ROMAN_VALID.fullmatch(match.group()):
            found[f"n:{from_roman(match.group())}"] += 1
    months_at = set()
    for start, end in numbers_at:
        # The word just before or after a number may be a month: "18 September", "мая 1945".
        before = _WORD_BEFORE.search(text, max(0, start - 20), start)
        after = _WORD_AFTER.match(text, end, end + 20)
        for near in (before, after):
            if near and near.start(1) not in months_at:
                month = _month(near.group(1).lower())
                if month:
                    months_at.add(near.start(1))
                    found[f"m:{month}"] += 1
    for match in _CAPITALISED.finditer(text):
        start = match.start()
        if start and (text[start - 1].isalpha() or text[start - 1] == "_"):
            continue  # a capital inside a word ("McCarthy", "iPhone")
        word = match.group()
        lower = word.lower()
        if lower in _MARKERS or len(word) < 2 or _sentence_start(text, match.start()):
            continue
        if start in months_at or _ROMAN.fullmatch(word):
            continue  # counted as a month or a number above
        name = keys.get(word)
        if name is None:
            name = keys[word] = name_key(word)
        if len(name) >= 2:
            found["w:" + name] += 1
    quotes = len(_QUOTES.findall(text)) // 2
    if quotes:
        found["q"] += quotes
    brackets = text.count("(") + text.count("[")
    if brackets:
        found["b"] += brackets
    return found


# Translators keep sentences: each sentence more on one side of a bead than
# on the other costs this much (the declaration's translations keep every
# one). It tells a paragraph left untranslated beside a long neighbour from
# one merged into it, where lengths and priors cannot.
_SENTENCE_MISFIT = 2.0
# A full stop followed by a capital (or the text's end), not after an
# initial or a title ("A. Schmidt", "тов. Сталин", "Dr. Adenauer"); in
# Russian dialogue a dash may stand between ("– сказал он. – Пойдём").
_SENTENCE_STOP = re.compile(rf"[.!?…]+[\"'’”»)\]]*(?:\s*$|\s+(?=(?:[–—]\s+)?[\"'„“«(\[]*[{_UPPER}]))")
_TITLES = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "st",
    "hr",
    "fr",
    "nr",
    "no",
    "gen",
    "col",
    "gov",
    "тов",
    "гр",
    "гг",
    "им",
    "см",
    "тт",
    "проф",
    "ген",
}


def sentences(text: str) -> int:
    """The sentences a paragraph ends: full stops, question and exclamation
    marks before a capital or at the end."""
    count = 0
    for match in _SENTENCE_STOP.finditer(text):
        end = match.start()
        if text[end] == ".":
            begin = end
            while begin and text[begin - 1].isalpha():
                begin -= 1
            if end - begin == 1 or text[begin:end].lower() in _TITLES:
                continue
        count += 1
    return count


# A lead-in: a paragraph of a few words that does not end a sentence
# ("Now, therefore,", "The General Assembly", "Dear Comrades:", a heading).
# It goes with what follows it, so a merge bead that ends on a lead-in on
# one side and not on the other, cutting it from its sequel there, costs
# this much more (both sides may end on one: "The General Assembly" and
# "Генеральная Ассамблея,").
_LEAD_IN_WORDS = 6
_CUT_LEAD_IN = 2.0
_SENTENCE_END = re.compile(r"[.!?…;][\s\"'’”»)\]]*$")


def lead_in(text: str) -> bool:
    """Whether a paragraph leads into the next: a few words, no
    sentence-final punctuation."""
    return 0 < len(text.split()) <= _LEAD_IN_WORDS and not _SENTENCE_END.search(text)


_COGNATE = 0.5  # the saving for each word stem both sides share
_COGNATE_LENGTH = 5


def cognates(text: str, keys: dict[str, str] | None = None) -> frozenset[str]:
    """The stems (name_key) of a paragraph's longer words, names or not:
    translations share many ("Declaration", "Декларации", "Deklaration").
    `keys` caches name_key across calls."""
    keys = {} if keys is None else keys
    out = set()
    for word in _LETTERS.findall(text):
        if len(word) >= _COGNATE_LENGTH:
            key = keys.get(word)
            if key is None:
                key = keys[word] = name_key(word)
            out.add(key)
    return frozenset(out)


_LETTERS = re.compile(r"[^\W\d_]+")


def _sentence_start(text: str, pos: int) -> bool:
    """Whether only spaces, quotes and brackets stand between `pos` and the
    start of the text or the end of a sentence."""
    k = pos - 1
    while k >= 0 and (text[k].isspace() or text[k] in "\"'«»„“”‘’()[]—–-"):
        k -= 1
    return k < 0 or text[k] in ".!?:…"


_MONTH_STEM_RE = re.compile("|".join(sorted((re.escape(stem) for stem, _ in _MONTH_STEMS), key=len, reverse=True)))
_MONTH_OF_STEM = dict(_MONTH_STEMS)


def _month(word: str) -> int | None:
    if word in _MONTH_EXACT:
        return _MONTH_EXACT[word]
    match = _MONTH_STEM_RE.match(word)
    return _MONTH_OF_STEM[match.group()] if match else None


def _read_number(raw: str) -> list[str]:
    """Keys for one run of digits and separators: thousands groups joined
    ("25,000", "25 000", "25.000" → 25000), a decimal comma read as a point,
    a numeric date d.m.yyyy split into day, month and year."""
    parts = re.split(r"([.,\u00a0\u202f\u2009 ])", raw)
    groups, seps = parts[0::2], parts[1::2]
    spaced = [s not in ".," for s in seps]
    if any(spaced):
        # A space groups thousands only as in "25 000"; otherwise the digits
        # are separate numbers ("in 1956 200 people").
        if all(spaced) and len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:]):
            return [_int_key("".join(groups))]
        out: list[str] = []
        chunk = [groups[0]]
        chunk_seps: list[str] = []
        for sep, group in zip(seps, groups[1:]):
            if sep in ".,":
                chunk.append(group)
                chunk_seps.append(sep)
            else:
                out += _read_grouped(chunk, chunk_seps)
                chunk, chunk_seps = [group], []
        return out + _read_grouped(chunk, chunk_seps)
    return _read_grouped(groups, seps)


def _read_grouped(groups: list[str], seps: list[str]) -> list[str]:
    if len(groups) == 1:
        return [_int_key(groups[0])]
    if len(groups) == 3 and seps == [".", "."] and len(groups[2]) == 4 and 1 <= int(groups[1]) <= 12 and len(groups[0]) <= 2:
        return [_int_key(groups[0]), f"m:{int(groups[1])}", _int_key(groups[2])]
    first, rest = groups[0], groups[1:]
    if len(first) <= 3 and all(len(g) == 3 for g in rest) and len(set(seps)) == 1:
        return [_int_key("".join(groups))]
    if (
        len(first) <= 3
        and all(len(g) == 3 for g in rest[:-1])
        and len(set(seps[:-1])) <= 1
        and seps[-1] != (seps[0] if len(seps) > 1 else None)
    ):
        whole = _int_key("".join(groups[:-1]))
        return [f"{whole}.{rest[-1]}"]
    return ["n:" + ".".join(str(int(g)) for g in groups)]


def _int_key(digits: str) -> str:
    return f"n:{int(digits)}"


# --------------------------------------------------------------------------
# Same language: content

# A paragraph is worth pairing when at least this share of the tokens of
# both sides lies in equal runs; below it, deleting one and inserting the
# other is cheaper.
_PAIRING_SIMILARITY = 0.5
# Extra cost, in tokens, of a bead of each shape: 1-1 is free, and leaving
# a unit without a counterpart costs a little, so that short paragraphs
# between two pairs stay paired.
_SHAPE_COST = {(1, 1): 0.0, (1, 0): 2.0, (0, 1): 2.0, (2, 1): 1.0, (1, 2): 1.0, (2, 2): 2.5}

# Above this product of the two sides' lengths (tokens), a bead's sides are
# compared by an estimate, not diffed: diff-match-patch takes time as the
# product when they differ throughout (about 1 µs a cell in pure Python).
_EXACT_CELLS = 40_000


def content_tokens(text: str) -> list[str]:
    """The words of a paragraph as the content aligner compares them:
    case-folded, with Russian stress marks removed."""
    return [w.casefold() for w in words(text.replace("\u0301", "").replace("\u0300", ""))]


class _ContentAligner:
    def __init__(self, base: list[str], new: list[str]):
        table = TokenTable(share=True)  # never fails: more than a million distinct words share stand-ins
        self.a = [table.encode(content_tokens(t)) for t in base]
        self.b = [table.encode(content_tokens(t)) for t in new]
        self.n, self.m = len(base), len(new)
        self.a_prefix = _prefix(len(s) for s in self.a)
        self.b_prefix = _prefix(len(s) for s in self.b)
        self.a_bags: list[str | None] = [None] * self.n
        self.b_bags: list[str | None] = [None] * self.m
        # For each pair of single units: the tokens in their equal runs once
        # diffed, before that the bound their shared bag of tokens gives.
        self.bounds: dict[tuple[int, int], int] = {}
        self.equal_cache: dict[Span, int] = {}
        self.cost = self._cost_function()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        del state["cost"]  # a closure: made again where the aligner arrives
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.cost = self._cost_function()

    def spans(self) -> list[tuple[Span, float]]:
        pieces = self._pieces()
        gaps = [span for kind, span in pieces if kind != "pin"]
        # Each stretch between pins is searched on its own, its caches keyed
        # by its own units: shared among processes, the beads are the same.
        cells = [(i1 - i0) * (j1 - j0) for i0, i1, j0, j1 in gaps]
        workers = min(usable_cores(), 4) if sum(cells) >= _PARALLEL_CELLS else 1
        if workers > 1:
            shares = _shares(gaps, cells, workers)
            mine, others = share_out(functools.partial(_stretch_beads, self), shares[1:], lambda: self.stretch_beads(shares[0]))
            found = [beads for share in [mine, *others] for beads in share]
        else:
            found = self.stretch_beads(gaps)
        out: list[tuple[Span, float]] = []
        paths = iter(found)
        for kind, span in pieces:
            if kind == "pin":
                out.append((span, 1.0))
            else:
                out += next(paths)
        return out

    def stretch_beads(self, stretches: list[Span]) -> list[list[tuple[Span, float]]]:
        """The best chain of beads through each stretch, with each bead's confidence."""
        rows = [len(s) + 1.0 for s in self.a]
        cols = [len(s) + 1.0 for s in self.b]
        keep = 1 - _PAIRING_SIMILARITY
        alone = _SHAPE_COST[(1, 0)]
        skip_base = [len(s) * keep + alone for s in self.a]
        skip_new = [len(s) * keep + alone for s in self.b]
        skips = _Skips(skip_base, skip_new, skip_base, skip_new)
        return [
            [(span, self.confidence(span)) for span in _best_path(i0, i1, j0, j1, self.cost, skips, rows, cols)]
            for i0, i1, j0, j1 in stretches
        ]

    def _pieces(self) -> list[tuple[str, Span]]:
        """Pins (identical paragraphs: a common head and tail, then those
        unique on both sides of a stretch, in the longest increasing run, as
        patience diff chooses lines) and the gaps between them, in order."""
        out: list[tuple[str, Span]] = []
        stack: list[tuple[str, Span]] = [("todo", (0, self.n, 0, self.m))]
        while stack:
            kind, (i0, i1, j0, j1) = stack.pop()
            if kind != "todo":
                out.append((kind, (i0, i1, j0, j1)))
                continue
            head: list[tuple[str, Span]] = []
            while i0 < i1 and j0 < j1 and self.a[i0] == self.b[j0]:
                head.append(("pin", (i0, i0 + 1, j0, j0 + 1)))
                i0, j0 = i0 + 1, j0 + 1
            tail: list[tuple[str, Span]] = []
            while i0 < i1 and j0 < j1 and self.a[i1 - 1] == self.b[j1 - 1]:
                tail.append(("pin", (i1 - 1, i1, j1 - 1, j1)))
                i1, j1 = i1 - 1, j1 - 1
            tail.reverse()
            pins = self._unique_matches(i0, i1, j0, j1) if i0 < i1 and j0 < j1 else []
            middle: list[tuple[str, Span]] = []
            if pins:
                ci, cj = i0, j0
                for pi, pj in pins:
                    middle += [("todo", (ci, pi, cj, pj)), ("pin", (pi, pi + 1, pj, pj + 1))]
                    ci, cj = pi + 1, pj + 1
                middle.append(("todo", (ci, i1, cj, j1)))
            elif i0 < i1 or j0 < j1:
                middle.append(("gap", (i0, i1, j0, j1)))
            stack.extend(reversed(head + middle + tail))  # popped left to right
        return out

    def _unique_matches(self, i0: int, i1: int, j0: int, j1: int) -> list[tuple[int, int]]:
        count_a = Counter(self.a[i0:i1])
        count_b = Counter(self.b[j0:j1])
        where_b = {s: j for j, s in enumerate(self.b[j0:j1], j0) if count_b[s] == 1}
        pairs = [(i, where_b[s]) for i, s in enumerate(self.a[i0:i1], i0) if s and count_a[s] == 1 and s in where_b]
        return longest_increasing([j for _, j in pairs], pairs)

    def _cost_function(self):
        """cost(a0, a1, b0, b1, limit) of a bead with units on both sides:
        the tokens outside the equal runs of its two sides, plus the cost of
        its shape. (A unit alone costs its tokens times one less the pairing
        similarity, plus the cost of a 1-0 bead.) The word-level diff runs
        only when a bound says the bead can win: the tokens in equal runs
        are at most the tokens both sides share, counted as bags, and for a
        bead of several units at most the sum over its pairs of units (a
        common subsequence of joined texts is made of common subsequences
        of their parts)."""
        ap, bp, bounds, pair = self.a_prefix, self.b_prefix, self.bounds, self._overlap
        keep, alone, equal = 1 - _PAIRING_SIMILARITY, _SHAPE_COST[(1, 0)], self._equal
        shape_cost = [0.0] * 9
        for (da, db), value in _SHAPE_COST.items():
            shape_cost[da * 3 + db] = value

        def cost(a0: int, a1: int, b0: int, b1: int, limit: float = _INF) -> float:
            na = ap[a1] - ap[a0]
            nb = bp[b1] - bp[b0]
            da, db = a1 - a0, b1 - b0
            total = na + nb
            skip_all = total * keep + (da + db) * alone
            extra = shape_cost[da * 3 + db]
            if da == 1 and db == 1:
                bound = bounds.get((a0, b0))
                if bound is None:
                    bound = pair(a0, b0)
            else:
                bound = 0
                for i in range(a0, a1):
                    for j in range(b0, b1):
                        found = bounds.get((i, j))
                        bound += pair(i, j) if found is None else found
                bound = min(bound, na, nb)
            lowest = total - 2 * bound + extra
            if lowest >= skip_all:
                return _INF  # leaving every unit of the bead alone is cheaper
            if lowest > limit:
                return lowest  # cannot win here
            return total - 2 * equal(a0, a1, b0, b1) + extra

        return cost

    def _overlap(self, i: int, j: int) -> int:
        """The bound for a pair of single units: the tokens they share,
        counted as bags. Two bags' common part is the longest common
        subsequence of their tokens sorted, which rapidfuzz counts."""
        key = (i, j)
        found = self.bounds.get(key)
        if found is None:
            found = self.bounds[key] = equal_length(self._bag(self.a_bags, self.a, i), self._bag(self.b_bags, self.b, j))
        return found

    @staticmethod
    def _bag(bags: list, texts: list[str], i: int) -> str:
        """A unit's tokens in sorted order: its bag, as a string."""
        bag = bags[i]
        if bag is None:
            bag = bags[i] = "".join(sorted(texts[i]))
        return bag

    def _equal(self, a0: int, a1: int, b0: int, b1: int) -> int:
        """Tokens in the equal runs of a word-level diff of the two sides; for
        long sides, which diff-match-patch would take seconds over when they
        differ throughout, the estimate `shared_in_runs` gives, kept within
        the bound the pairs of single units give."""
        key = (a0, a1, b0, b1)
        found = self.equal_cache.get(key)
        if found is None:
            left, right = "".join(self.a[a0:a1]), "".join(self.b[b0:b1])
            if left == right:
                found = len(left)
            elif len(left) * len(right) <= _EXACT_CELLS:
                found = equal_length(left, right)
            else:
                found = shared_in_runs(left, right)
                if a1 - a0 > 1 or b1 - b0 > 1:
                    found = min(found, sum(self._overlap(i, j) for i in range(a0, a1) for j in range(b0, b1)))
            self.equal_cache[key] = found
            if a1 - a0 == 1 and b1 - b0 == 1:
                self.bounds[(a0, b0)] = found  # the count itself is the best bound
        return found

    def similarity(self, a0: int, a1: int, b0: int, b1: int) -> float:
        total = self.a_prefix[a1] - self.a_prefix[a0] + self.b_prefix[b1] - self.b_prefix[b0]
        return 2 * self._equal(a0, a1, b0, b1) / total if total else 1.0

    def confidence(self, span: Span) -> float:
        a0, a1, b0, b1 = span
        if a0 < a1 and b0 < b1:
            return self.similarity(*span)
        # A unit without a counterpart: sure as its neighbours are unlike it.
        best = 0.0
        if a0 < a1:
            for b in (b0 - 1, b0):
                if 0 <= b < self.m:
                    best = max(best, self._likeness(a0, b))
        else:
            for a in (a0 - 1, a0):
                if 0 <= a < self.n:
                    best = max(best, self._likeness(a, b0))
        return 1.0 - best

    def _likeness(self, i: int, j: int) -> float:
        """The similarity of two single units, or its bag bound when that is
        already too low to pair them (it spares the diff of unlike texts)."""
        total = len(self.a[i]) + len(self.b[j])
        if not total:
            return 1.0
        bound = 2 * self._overlap(i, j) / total
        return bound if bound < _PAIRING_SIMILARITY else self.similarity(i, i + 1, j, j + 1)


# Cells (units × units) of the stretches between pins from which their
# search is shared among processes: a whole Bible's revision has some
# 470,000; below this, starting a worker costs more than it saves.
_PARALLEL_CELLS = 50_000


def _stretch_beads(aligner: _ContentAligner, stretches: list[Span]) -> list[list[tuple[Span, float]]]:
    return aligner.stretch_beads(stretches)


def _shares(stretches: list[Span], cells: list[int], parts: int) -> list[list[Span]]:
    """The stretches in `parts` runs of about as many cells each (a stretch
    costs some fixed time besides its cells), in order."""
    weights = [c + 20 for c in cells]
    total = sum(weights)
    shares: list[list[Span]] = [[] for _ in range(parts)]
    done = 0
    for stretch, weight in zip(stretches, weights):
        shares[min(parts - 1, done * parts // total)].append(stretch)
        done += weight
    return [share for share in shares if share]


def shared_in_runs(left: str, right: str) -> int:
    """An estimate of the tokens in the equal runs of a diff of two token
    strings, in time linear in their length: the common start and end, and
    in between the tokens covered by a pair of neighbouring tokens that the
    other side also has (an equal run of k tokens holds k - 1 such pairs, a
    changed word breaks two), at most the tokens both sides share. Close to
    the diff for a revision; well below it for two texts of the same words
    in another order, which are no revision of each other."""
    head = len(os.path.commonprefix([left, right]))
    left, right = left[head:], right[head:]
    tail = len(os.path.commonprefix([left[::-1], right[::-1]]))
    if tail:
        left, right = left[:-tail], right[:-tail]
    if not left or not right:
        return head + tail
    pairs = Counter(left[k : k + 2] for k in range(len(left) - 1)) & Counter(right[k : k + 2] for k in range(len(right) - 1))
    covered = []
    for side in (left, right):
        left_over = Counter(pairs)
        marked = [False] * len(side)
        for k in range(len(side) - 1):
            pair = side[k : k + 2]
            if left_over[pair] > 0:
                left_over[pair] -= 1
                marked[k] = marked[k + 1] = True
        covered.append(sum(marked))
    bag = sum((Counter(left) & Counter(right)).values())
    return head + tail + min(covered[0], covered[1], bag)
