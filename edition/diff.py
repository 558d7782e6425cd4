"""Word-level comparison of two texts: what changed between two versions of a
segment, with moved passages found and every change classified, so that an
apparatus can leave trivial differences out.

Tokens (words, punctuation marks, whitespace runs) are mapped to single
characters and diffed with diff-match-patch, words first and what lies
between them second, then mapped back to each side's own text. The timeout
is always off: with its default of one second diff-match-patch silently
returns "everything replaced" on long texts; long texts are instead cut at
tokens that occur once on each side, and each piece diffed exactly.

The diff itself runs in diff-match-patch's C++ build (fast-diff-match-patch,
the same algorithm, some ten times faster) where it is installed, else in
the pure-Python one; EDITION_DIFF_BACKEND=python forces the latter. Both
give the same operations; the clean-up always runs in Python, because ours
differs from the library's (see _TokenDiffer)."""

from __future__ import annotations

import functools
import operator
import os
import queue
import re
import threading
import zlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from itertools import accumulate, compress
from typing import cast

from diff_match_patch import diff_match_patch
from rapidfuzz.distance import OSA, LCSseq

from .runs import longest_increasing
from .tokens import SPACE, WORD, Normalizer, token_kind, tokenize
from .workers import Crew, WorkerLost, usable_cores

try:
    from fast_diff_match_patch import CHAR_WIDTH as _NATIVE_CHAR_WIDTH
    from fast_diff_match_patch import diff as _native_diff
except ImportError:  # the pure-Python build serves, only slower
    _native_diff, _NATIVE_CHAR_WIDTH = None, 0

EQUAL, INSERT, DELETE, REPLACE, MOVE = "equal", "insert", "delete", "replace", "move"

# Change classes. The first three never alter a reading's words.
WHITESPACE = "whitespace"  # spaces, line breaks, NBSP and invisible characters only
PUNCTUATION = "punctuation"  # punctuation, typographic variants, hyphenation only
CASE = "case"  # letter case (and perhaps punctuation) only
SPELLING = "spelling"  # the same words, each changed by a letter or two
ADDITION = "addition"
OMISSION = "omission"
SUBSTITUTION = "substitution"
TRANSPOSITION = "transposition"  # the same words in another order
MOVED = "move"  # a passage taken out in one place and put back in another
CLASSES = (WHITESPACE, PUNCTUATION, CASE, SPELLING, ADDITION, OMISSION, SUBSTITUTION, TRANSPOSITION, MOVED)
TRIVIAL_CLASSES = frozenset({WHITESPACE, PUNCTUATION, CASE})

MIN_MOVE_WORDS = 3  # shorter passages count as moved only when they are whole sentences
_SENTENCE_END = re.compile(r"[.!?…][\"'»“”’)\]]*\s*$")
_STOPS, _CLOSERS = ".!?…", "\"'»“”’)]"

# The C++ build needs 4-byte wide characters to hold every code point the
# token table uses (on Windows it has 2 and refuses characters past U+FFFF).
NATIVE = "c++"
PYTHON = "python"
BACKENDS = (NATIVE, PYTHON) if _native_diff is not None and _NATIVE_CHAR_WIDTH == 4 else (PYTHON,)
BACKEND = PYTHON if os.environ.get("EDITION_DIFF_BACKEND") == PYTHON else BACKENDS[0]


class TokenTableFull(ValueError):
    """More distinct tokens in one diff than there are Unicode code points to
    stand for them (over a million): diff smaller pieces."""


@dataclass(frozen=True)
class Op:
    """One operation of a diff. `a` and `b` are the original text of each side
    (an equal op may show two spellings the normalizer treats as equal);
    `a_pos` and `b_pos` are character offsets into the two texts. A move has
    two ends sharing a `move` id: the source (text in `a`, `b` empty) and
    the destination (text in `b`, `a` empty)."""

    kind: str  # equal | insert | delete | replace | move
    a: str
    b: str
    a_pos: int
    b_pos: int
    cls: str | None = None  # one of CLASSES for every op but an equal one
    move: int | None = None


_new = object.__new__
OpRow = tuple[str, str, str, int, int, "str | None", "int | None"]  # an Op's fields in order
_row = operator.attrgetter("kind", "a", "b", "a_pos", "b_pos", "cls", "move")


def _op(kind: str, a: str, b: str, a_pos: int, b_pos: int, cls: str | None = None, move: int | None = None) -> Op:
    """Op(…) at a third of the cost: a frozen dataclass sets its seven
    fields through object.__setattr__, one call each, and a Bible's
    comparison makes some half a million ops."""
    op = _new(Op)
    fields_of = op.__dict__
    fields_of["kind"] = kind
    fields_of["a"] = a
    fields_of["b"] = b
    fields_of["a_pos"] = a_pos
    fields_of["b_pos"] = b_pos
    fields_of["cls"] = cls
    fields_of["move"] = move
    return op


@dataclass(frozen=True)
class Stats:
    """How much changed, in words. `equal` counts the words of equal ops,
    `substituted` the longer side of each replacement, `moved` a moved
    passage once. `similarity` is (2 × equal + moved) / (words_a + words_b):
    1 when every word compares equal, 0 when none does. A change of any
    class counts, trivial ones too: take the stats of `diff.without()` to
    leave those out."""

    words_a: int
    words_b: int
    equal: int
    inserted: int
    deleted: int
    substituted: int
    moved: int
    similarity: float
    by_class: dict[str, int] = field(default_factory=dict)  # number of changes of each class


@dataclass
class Diff:
    """The operations that turn text A into text B, in reading order."""

    ops: list[Op]
    # Where each word of A and of B starts, when the diff that made the ops
    # knew it: the stats then count words without tokenizing again.
    word_starts: tuple[list[int], list[int]] | None = field(default=None, repr=False, compare=False)
    # The stats, when a worker process counted them alongside the diff.
    counted: Stats | None = field(default=None, repr=False, compare=False)

    def a_text(self) -> str:
        return "".join(op.a for op in self.ops)

    def b_text(self) -> str:
        return "".join(op.b for op in self.ops)

    def changes(self, exclude: frozenset[str] | set[str] = frozenset()) -> list[Op]:
        """The non-equal operations, leaving out those of the classes in `exclude`."""
        return [op for op in self.ops if op.kind != EQUAL and op.cls not in exclude]

    def without(self, classes: frozenset[str] | set[str] = TRIVIAL_CLASSES) -> Diff:
        """The same diff with changes of the given classes counted as equal
        (by default whitespace, punctuation and case)."""
        ops = [Op(EQUAL, op.a, op.b, op.a_pos, op.b_pos) if op.kind != EQUAL and op.cls in classes else op for op in self.ops]
        return Diff(_merge_equal(ops), self.word_starts)

    @classmethod
    def sent(cls, rows: list[OpRow], word_starts: tuple[list[int], list[int]] | None, counted: Stats | None) -> Diff:
        """A diff as a worker process sends it: its ops as rows (see
        `rows`), made into Ops only when `ops` is first read. The JSON
        writer reads the rows, and a Bible's comparison spares making
        some quarter of a million Ops again."""
        diff = _new(cls)
        diff.__dict__.update(_rows=rows, word_starts=word_starts, counted=counted)
        return diff

    def __getattr__(self, name: str):
        # Only reached when `ops` is not yet made (see `sent`).
        rows = self.__dict__.get("_rows")
        if name != "ops" or rows is None:
            raise AttributeError(name)
        ops = self.ops = [_op(*row) for row in rows]
        return ops

    def rows(self) -> list[OpRow]:
        """The ops as plain tuples: (kind, a, b, a_pos, b_pos, cls, move)."""
        rows = self.__dict__.get("_rows")
        return rows if rows is not None else list(map(_row, self.ops))

    def stats(self) -> Stats:
        if self.counted is not None:
            return self.counted
        words_a = words_b = equal = inserted = deleted = substituted = moved = 0
        by_class: dict[str, int] = {}
        if self.word_starts is None:
            counts = [(count_words(op.a), count_words(op.b)) for op in self.ops]
        else:
            starts_a, starts_b = self.word_starts
            counts = [
                (
                    bisect_left(starts_a, op.a_pos + len(op.a)) - bisect_left(starts_a, op.a_pos) if op.a else 0,
                    bisect_left(starts_b, op.b_pos + len(op.b)) - bisect_left(starts_b, op.b_pos) if op.b else 0,
                )
                for op in self.ops
            ]
        for op, (wa, wb) in zip(self.ops, counts):
            words_a += wa
            words_b += wb
            if op.kind == EQUAL:
                equal += wa
                continue
            if op.kind == MOVE:
                moved += wa  # the destination end has wa == 0: counted once
                if op.a:
                    by_class[MOVED] = by_class.get(MOVED, 0) + 1
                continue
            cls = cast(str, op.cls)  # every change has its class
            by_class[cls] = by_class.get(cls, 0) + 1
            if op.kind == INSERT:
                inserted += wb
            elif op.kind == DELETE:
                deleted += wa
            else:
                substituted += max(wa, wb)
        total = words_a + words_b
        similarity = (2 * equal + moved) / total if total else 1.0
        return Stats(words_a, words_b, equal, inserted, deleted, substituted, moved, similarity, by_class)


def count_words(text: str) -> int:
    """The number of word tokens in `text`, as the stats count them."""
    return sum(1 for t in tokenize(text) if t[0].isalnum()) if text else 0


class Differ:
    """Diffs and classes under one normalizer, for many pairs of texts: each
    distinct token is normalised once for all of them (a Bible's 1.6 million
    words hold some 30,000 distinct tokens)."""

    def __init__(self, normalizer: Normalizer = Normalizer(), backend: str | None = None):
        self.normalizer = normalizer
        self.backend = backend or BACKEND
        if self.backend not in BACKENDS:
            raise ValueError(f"diff backend {self.backend!r} is not available here (have: {', '.join(BACKENDS)})")
        self.keys: dict[str, str] = {}  # token → its key under the normalizer
        self.kinds: dict[str, str] = {}  # token → WORD, SPACE or PUNCT
        # The stand-in character of each key, and of each token's key (""
        # for an ignored token), kept for every diff of up to _SHARED_UNITS
        # tokens.
        self.codes = TokenTable(PRIVATE_POINTS, size=_PRIVATE_COUNT)
        self.code_of: dict[str, str] = {}
        self.lenient: dict[Normalizer, dict[str, str]] = {}  # keys under the looser normalizers of the classes
        self.classes: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}  # change → its class

    def diff(self, a: str, b: str) -> Diff:
        """See `diff_words`."""
        # Diff in one canonical order and mirror the result for the other, so
        # that diff(b, a) is exactly the mirror image of diff(a, b).
        if (len(b), b) < (len(a), a):
            return _mirror(self.diff(b, a))
        if a == b:
            starts = self.side(a).word_starts if a else []
            return Diff([_op(EQUAL, a, b, 0, 0)] if a else [], (starts, starts))
        ta, tb = tokenize(a), tokenize(b)
        codes = self.codes if len(ta) + len(tb) <= _SHARED_UNITS else None
        if codes is not None and codes.full(len(ta) + len(tb)):
            codes = self.codes = TokenTable(PRIVATE_POINTS, size=_PRIVATE_COUNT)
            self.code_of = {}
        sa, sb = self.side(a, ta, codes), self.side(b, tb, codes)
        if sa.keys == sb.keys:  # the same under the normalizer: nothing to diff
            return Diff([_op(EQUAL, a, b, 0, 0)], (sa.word_starts, sb.word_starts))
        pieces = _slide_edits(_diff_units(sa.keys, sb.keys, self.backend, sa.word_codes), sa, sb)
        pieces = _find_moves(pieces, sa, sb, self.backend)
        ops = [_op(EQUAL, a[: sa.lead], b[: sb.lead], 0, 0)] if sa.lead or sb.lead else []
        ops += _to_ops(pieces, sa, sb, self)
        return Diff(_number_moves(_merge_equal(ops)), (sa.word_starts, sb.word_starts))

    def side(self, text: str, tokens: list[str] | None = None, codes: TokenTable | None = None) -> _Side:
        """A text as units: their keys, or with `codes` their stand-in
        characters (one string)."""
        if tokens is None:
            tokens = tokenize(text)
        code_of = self.code_of if codes is not None else None  # this differ's own table
        if not self.normalizer.ignore_typography:  # keys read in context may draw stand-ins of their own
            try:  # most texts hold no token the differ has not met
                return _Side(text, tokens, self.keys, self.kinds, codes, code_of)
            except KeyError:
                pass
        keys, kinds = self.keys, self.kinds
        distinct = set(tokens)
        for token in distinct.difference(kinds):
            keys[token] = self.normalizer.key(token)
            kinds[token] = token_kind(token)
        if codes is not None and code_of is not None:
            code = codes.code
            for token in distinct.difference(code_of):
                code_of[token] = code(keys[token])
        in_context = self.normalizer.in_context(tokens, [keys[t] for t in tokens]) if self.normalizer.ignore_typography else None
        return _Side(text, tokens, keys, kinds, codes, code_of, in_context)

    def classify(self, a: str, b: str) -> str:
        """See `classify`."""
        return self.classify_tokens(tokenize(a), tokenize(b))

    def classify_tokens(self, a: list[str], b: list[str]) -> str:
        """The class of a change from tokens `a` to tokens `b`. A revision
        makes the same change many times over (LORD → Jehovah): each
        distinct one is classed once."""
        change = (tuple(a), tuple(b))
        cls = self.classes.get(change)
        if cls is None:
            if len(self.classes) >= 100_000:  # bound the memory a long comparison takes
                self.classes.clear()
            cls = self.classes[change] = self._classify(a, b)
        return cls

    def _classify(self, a: list[str], b: list[str]) -> str:
        for cls, lenient in ((WHITESPACE, _BLANK), (PUNCTUATION, _UNPUNCTUATED)):
            if self._significant(a, lenient) == self._significant(b, lenient):
                return cls
        if not a or not b:
            return ADDITION if b else OMISSION
        wa, wb = self._significant(a, _CASELESS), self._significant(b, _CASELESS)
        if wa == wb:
            return CASE
        if len(wa) > 1 and sorted(wa) == sorted(wb):
            return TRANSPOSITION
        if wa and wb and len(wa) == len(wb) and all(x == y or _small_edit(x, y) for x, y in zip(wa, wb)):
            return SPELLING
        if wa and wb and "".join(wa) == "".join(wb):  # "to day" → "today"
            return SPELLING
        return SUBSTITUTION

    def _significant(self, tokens: list[str], lenient: Normalizer) -> list[str]:
        """The non-empty keys of `tokens` under the normalizer and `lenient` together."""
        table = self.lenient.get(lenient)
        if table is None:
            table = self.lenient[lenient] = {}
        found = list(map(table.get, tokens))
        if None in found:  # a token not met before under these rules
            union = _union(self.normalizer, lenient)
            for token in tokens:
                if token not in table:
                    table[token] = union.key(token)
            found = list(map(table.__getitem__, tokens))
        return [key for key in found if key]


def diff_words(a: str, b: str, normalizer: Normalizer = Normalizer()) -> Diff:
    """Compare two texts word by word. Both texts are rebuilt exactly from the
    result (`a_text()`, `b_text()`). The diff of (b, a) is the mirror image
    of the diff of (a, b): insertions become deletions and nothing else
    moves. The diff has the fewest changes up to ANCHORED words a side;
    longer texts are cut at rare words first (exact between the cuts).
    Cost grows with length × changes: diff long texts segment by segment
    (`diff_segments`)."""
    return Differ(normalizer).diff(a, b)


def diff_segments(
    pairs: list[tuple[str | None, str | None]],
    normalizer: Normalizer = Normalizer(),
    workers: int | None = None,
    each: Callable[[list[Diff]], object] | None = None,
) -> list[Diff]:
    """Diff aligned pairs of segments one pair at a time, which keeps each
    diff small. A None side is an absent segment: the other side is one
    whole addition or omission. Many pairs (a whole Bible's verses) are
    shared among `workers` processes, by default one per processor from
    PARALLEL_FROM pairs on; the result is the same however they are shared.
    `each` is given the diffs in order as they are done, in runs (this
    process's share while the workers are still at theirs): a caller can
    write them out meanwhile."""
    texts = [(a or "", b or "") for a, b in pairs]
    if workers is None:
        workers = min(usable_cores(), 4) if len(texts) >= PARALLEL_FROM else 1
    if workers > 1 and len(texts) > 1:
        return _diff_in_parallel(texts, normalizer, workers, each)
    differ = Differ(normalizer)
    diffs = [differ.diff(a, b) for a, b in texts]
    if each is not None:
        each(diffs)
    return diffs


PARALLEL_FROM = 4000  # pairs; below it starting a process costs more than it saves


def _diff_in_parallel(pairs: list[tuple[str, str]], normalizer: Normalizer, workers: int, each) -> list[Diff]:
    """The first share diffed here (and given to `each`), the rest by
    workers at the same time, in runs of CHUNK pairs: their diffs come back
    as rows (quicker to pickle, and what the JSON writer reads), a run at a
    time, so that this process takes in and hands on each run while the
    workers diff the next, rather than all at the end."""
    first = round(len(pairs) * OWN_SHARE / (OWN_SHARE + workers - 1))
    runs = [pairs[i : i + CHUNK] for i in range(first, len(pairs), CHUNK)]
    crew = Crew(min(workers - 1, len(runs)), _diff_run, functools.partial(Differ, normalizer))
    # The answers are taken in by a thread of their own as they come: a
    # worker whose answer nobody reads would wait, and this process is busy
    # with its own share.
    answers: queue.SimpleQueue = queue.SimpleQueue()
    done: dict[int, list[Diff]] = {}
    differ = Differ(normalizer)
    given = 0  # runs handed on so far, in order
    try:
        sent = 0
        try:
            for k, run in enumerate(runs):
                crew.send(k % len(crew), ("diff", k, run))
                sent += 1
        except WorkerLost:
            pass
        reader = threading.Thread(target=_take_in, args=(crew, sent, answers), daemon=True)
        reader.start()
        mine = [differ.diff(a, b) for a, b in pairs[:first]]
        if each is not None:
            each(mine)
        diffs = list(mine)
        while given < len(runs):
            while given in done:
                if each is not None:
                    each(done[given])
                diffs += done.pop(given)
                given += 1
            if given >= sent:
                break
            answer = answers.get()
            if answer is None:  # a worker was lost
                break
            _, k, status, result = answer
            if status == "raised":
                raise result
            done[k] = [Diff.sent(rows, starts, stats) for rows, starts, stats in result]
    except BaseException:
        crew.close(at_once=True)
        raise
    crew.close(at_once=given < len(runs))
    for k in range(given, len(runs)):  # those of a lost worker, or not sent: diffed here
        theirs = done.pop(k) if k in done else [differ.diff(a, b) for a, b in runs[k]]
        if each is not None:
            each(theirs)
        diffs += theirs
    return diffs


def _take_in(crew: Crew, count: int, answers: queue.SimpleQueue) -> None:
    """Receive `count` answers of the crew into `answers`; None once a
    worker is lost (or the crew closed)."""
    try:
        for _ in range(count):
            answers.put(crew.receive())
    except Exception:  # noqa: BLE001 - WorkerLost, or the crew closed under it: the rest is diffed here
        answers.put(None)


OWN_SHARE = 0.75  # this process's share of the pairs against a worker's: it also takes in and hands on the workers' runs
CHUNK = 2000  # pairs a worker diffs and sends back at a time


def _diff_run(
    differ: Differ, kind: str, key: int, pairs: list[tuple[str, str]]
) -> tuple[str, list[tuple[list[OpRow], tuple | None, Stats]]]:
    """A worker's run of pairs: their diffs as rows, and their stats,
    counted here rather than afterwards in the one process that waits for
    every run. The worker's Differ keeps what it learnt between runs."""
    out = []
    for a, b in pairs:
        d = differ.diff(a, b)
        out.append((d.rows(), d.word_starts, d.stats()))
    return "ok", out


# diff-match-patch's settings, for every diff made here: no time limit
# (with its default of one second it silently returns "everything
# replaced" on long texts), the default edit cost (4: only the efficiency
# clean-up reads it, and nothing here runs that), and in the C++ build no
# line mode (our stand-ins have no lines) and no clean-up (ours runs in
# Python after: see _TokenDiffer).
TIMEOUT = 0.0
EDIT_COST = 4
_NATIVE_SETTINGS = {"timelimit": TIMEOUT, "checklines": False, "cleanup": "No"}


def set_up(dmp: diff_match_patch) -> diff_match_patch:
    """Give a diff_match_patch (or a subclass's instance) our settings."""
    dmp.Diff_Timeout = TIMEOUT
    dmp.Diff_EditCost = EDIT_COST
    return dmp


def new_dmp() -> diff_match_patch:
    """The pure-Python diff-match-patch with our settings: for the callers
    that need its other tools (xIndex, Levenshtein, Bitap matching)."""
    return set_up(diff_match_patch())


def exact_diff(text1: str, text2: str, backend: str | None = None, dmp: diff_match_patch | None = None) -> list[tuple[int, str]]:
    """diff-match-patch's diff_main, character by character, with no time
    limit and no clean-up: in C++ where it is installed (some ten times
    faster), else in Python. The same (op, text) pairs either way."""
    if (backend or BACKEND) == PYTHON:
        return (dmp or new_dmp()).diff_main(text1, text2, False)  # no line mode: our characters have no lines
    diffs: list[tuple[int, str]] = []
    i = j = 0
    for op, n in _native_diff(text1, text2, **_NATIVE_SETTINGS):
        if op == "=":
            diffs.append((0, text1[i : i + n]))
            i, j = i + n, j + n
        elif op == "-":
            diffs.append((-1, text1[i : i + n]))
            i += n
        else:
            diffs.append((1, text2[j : j + n]))
            j += n
    return diffs


def equal_length(text1: str, text2: str, backend: str | None = None) -> int:
    """The characters in the equal runs of `exact_diff(text1, text2)` (on
    either backend), counted without making the diff: with no time limit
    diff-match-patch finds a shortest edit script (Myers' algorithm), whose
    equal runs are a longest common subsequence, and rapidfuzz measures the
    length of one bit-parallel, some fifty times faster."""
    return LCSseq.similarity(text1, text2)


# --- The token table -------------------------------------------------------

# diff-match-patch diffs characters: to diff tokens, each distinct token (or
# its key) stands as one character, never shown, only compared. A table
# draws its stand-ins in one of two orders, never a surrogate: from U+E000
# (the private use area) up through every later code point to the private
# use planes 15 and 16, then U+0000 to U+D7FF (1,112,064 in all); or the
# private use areas alone.
ALL_POINTS = (range(0xE000, 0x110000), range(0, 0xD800))
PRIVATE_POINTS = (range(0xE000, 0xF900), range(0xF0000, 0xFFFFE), range(0x100000, 0x10FFFE))
_TABLE_SIZE = sum(map(len, ALL_POINTS))
_PRIVATE_COUNT = sum(map(len, PRIVATE_POINTS))

# A Differ keeps one table of stand-ins for all the short diffs it makes
# (a Bible's verses share some 30,000 distinct tokens), drawn from the
# private use areas only. The clean-up scores a boundary by its characters
# (letters, spaces, line ends), and every private-use character scores
# alike, so the labels change nothing: a diff of up to _SHARED_UNITS tokens
# has at most as many distinct keys, which a table of its own would also
# have drawn from U+E000…U+F8FF. Longer diffs build their own table (past
# U+F8FF it holds characters that score as letters).
_SHARED_UNITS = len(PRIVATE_POINTS[0])


def _nth(points: tuple[range, ...], n: int) -> int:
    """The n-th code point of an order."""
    for span in points:
        if n < len(span):
            return span[n]
        n -= len(span)
    raise IndexError(n)


class TokenTable:
    """Tokens → one stand-in character each, in order of first use, and the
    stand-ins of words (tokens that start with a letter or a digit), which a
    diff aligns first. Past the last of its `points` a new token raises
    TokenTableFull, or, with `share`, shares the character its hash picks,
    which can only make two texts look more alike, never fail."""

    def __init__(self, points: tuple[range, ...] = ALL_POINTS, share: bool = False, size: int | None = None) -> None:
        self.by_key: dict[str, str] = {}  # token (or key) → its stand-in
        self.words: set[str] = set()
        self.points = points
        self.size = sum(map(len, points)) if size is None else size  # a smaller size for tests
        self.share = share
        self.next = points[0].start  # the code point the next new token gets

    def full(self, more: int) -> bool:
        """Whether `more` new tokens might not fit."""
        return len(self.by_key) + more > self.size

    def code(self, token: str) -> str:
        """The stand-in of one token; "" for the empty key of an ignored token."""
        code = self.by_key.get(token)
        if code is None:
            if not token:
                return ""
            code = self.by_key[token] = chr(self._fresh(token))
            if token[0].isalnum():
                self.words.add(code)
        return code

    def encode(self, tokens) -> str:
        """The stand-ins of `tokens`, as one string."""
        by_key, code = self.by_key, self.code
        return "".join([by_key.get(token) or code(token) for token in tokens])

    def _fresh(self, token: str) -> int:
        if len(self.by_key) >= self.size:
            if not self.share:
                raise TokenTableFull(
                    f"{len(self.by_key) + 1:,} distinct tokens in one diff; at most {self.size:,} fit: diff the text in smaller pieces"
                )
            return _nth(self.points, zlib.crc32(token.encode("utf-8", "surrogatepass")) % self.size)
        point = self.next
        self.next = point + 1
        if not any(self.next in span for span in self.points):  # on to the next range (after the last, the first)
            at = next(k for k, span in enumerate(self.points) if span.stop == self.next)
            self.next = self.points[(at + 1) % len(self.points)].start
        return point


def _private(n: int) -> str:
    """The n-th private-use character."""
    return chr(_nth(PRIVATE_POINTS, n))


def _code_point(n: int) -> int:
    """The code point standing for the n-th distinct token of a diff."""
    if n >= _TABLE_SIZE:
        raise TokenTableFull(f"{n + 1:,} distinct tokens in one diff; at most {_TABLE_SIZE:,} fit: diff the text in smaller pieces")
    return _nth(ALL_POINTS, n)


# --- One side of a diff, in units ------------------------------------------


class _Side:
    """A text as units: each significant token (one with a non-empty key)
    starts a unit and carries the ignored tokens after it. Ignored tokens
    before the first unit form the side's lead.

    `keys` holds each unit's key, or, given `codes`, is one string of the
    units' stand-in characters (compared, sliced and indexed alike)."""

    __slots__ = ("text", "tokens", "word_starts", "word_codes", "keys", "kinds", "bounds", "first", "lead")

    def __init__(
        self,
        text: str,
        tokens: list[str],
        key_of: dict[str, str],
        kind_of: dict[str, str],
        codes: TokenTable | None = None,
        code_of: dict[str, str] | None = None,
        in_context: list[str] | None = None,
    ):
        self.text = text
        self.tokens = tokens
        starts = list(accumulate(map(len, tokens), initial=0))
        kinds = list(map(kind_of.__getitem__, tokens))
        self.word_starts = list(compress(starts, map(WORD.__eq__, kinds)))
        # Keys read in context (see Normalizer.in_context) come one per
        # token; otherwise each token's key is its distinct token's.
        keys: str | list[str]
        self.word_codes: set[str] | None
        if codes is not None:
            of = codes.code if in_context is not None or code_of is None else code_of.__getitem__
            keys = "".join(map(of, in_context if in_context is not None else tokens))
            self.word_codes = codes.words
            whole = len(keys) == len(tokens)
        else:
            keys = in_context if in_context is not None else list(map(key_of.__getitem__, tokens))
            self.word_codes = None
            whole = all(keys)
        self.keys: str | list[str]
        if whole:  # nothing ignored: one unit per token
            self.keys = keys
            self.kinds = kinds
            self.bounds = starts  # where each unit starts, then len(text)
            self.first = None  # unit u is token u
        else:
            if in_context is not None:
                units = [i for i, key in enumerate(in_context) if key]
            else:
                units = [i for i, token in enumerate(tokens) if key_of[token]]
            self.keys = keys if codes is not None else [keys[i] for i in units]
            self.kinds = [kinds[i] for i in units]
            self.bounds = [starts[i] for i in units] + [len(text)]
            self.first = units + [len(tokens)]  # the token each unit starts with, then the end
        self.lead = self.bounds[0] if self.keys else len(text)

    def slice(self, u0: int, u1: int) -> str:
        return self.text[self.bounds[u0] : self.bounds[u1]]

    def slice_tokens(self, u0: int, u1: int) -> list[str]:
        if self.first is None:
            return self.tokens[u0:u1]
        return self.tokens[self.first[u0] : self.first[u1]]

    def words(self, u0: int, u1: int) -> int:
        return sum(1 for k in self.kinds[u0:u1] if k == WORD)


@dataclass(slots=True)
class _Piece:
    """An operation in unit indices, before it becomes an Op."""

    kind: str
    a0: int
    a1: int
    b0: int
    b1: int
    move: int | None = None


def _number_moves(ops: list[Op]) -> list[Op]:
    """Number the moves 1, 2, … in the order in which an end of each first
    appears, whichever text was diffed against which."""
    numbers: dict[int, int] = {}
    return [
        _op(op.kind, op.a, op.b, op.a_pos, op.b_pos, op.cls, numbers.setdefault(op.move, len(numbers) + 1)) if op.move is not None else op
        for op in ops
    ]


class _TokenDiffer(diff_match_patch):
    """diff-match-patch over stand-in characters, one per token key."""

    def __init__(self, word_chars: set[str], backend: str = PYTHON):
        super().__init__()
        set_up(self)
        self.word_chars = word_chars
        self.backend = backend

    def exact(self, text1: str, text2: str) -> list[tuple[int, str]]:
        # What diff_main gives at once, without the call (most calls are these).
        if text1 == text2:
            return [(0, text1)] if text1 else []
        if not text1:
            return [(1, text2)]
        if not text2:
            return [(-1, text1)]
        return exact_diff(text1, text2, self.backend, self)

    def diff_commonOverlap(self, text1: str, text2: str) -> int:
        # The semantic clean-up's last step splits an equality out of a
        # replacement where the end of one side overlaps the start of the
        # other. For characters that is a gain; for tokens an overlap of
        # punctuation and spaces alone (the "," of "party," → ",party.")
        # tears words apart, so only an overlap holding a word counts.
        n = super().diff_commonOverlap(text1, text2)
        return n if any(ch in self.word_chars for ch in text2[:n]) else 0


def _diff_units(ka: list[str] | str, kb: list[str] | str, backend: str = PYTHON, word_codes: set[str] | None = None) -> list[_Piece]:
    """Diff two sequences of keys, or (with `word_codes`, the stand-ins of
    word keys) two strings of stand-in characters."""
    if word_codes is not None:
        assert isinstance(ka, str) and isinstance(kb, str)  # stand-ins already
        ca, cb, word_chars = ka, kb, word_codes
    else:
        table = TokenTable()
        ca, cb = table.encode(ka), table.encode(kb)
        word_chars = table.words
    dmp = _TokenDiffer(word_chars, backend)
    diffs = _drop_small_equalities(_diff_by_words(ca, cb, dmp))
    dmp.diff_cleanupSemantic(diffs)
    pieces = []
    ia = ib = 0
    for op, chunk in diffs:
        n = len(chunk)
        if op == dmp.DIFF_EQUAL:
            pieces.append(_Piece(EQUAL, ia, ia + n, ib, ib + n))
            ia, ib = ia + n, ib + n
        elif op == dmp.DIFF_DELETE:
            pieces.append(_Piece(DELETE, ia, ia + n, ib, ib))
            ia += n
        else:
            pieces.append(_Piece(INSERT, ia, ia, ib, ib + n))
            ib += n
    return pieces


def _slide_edits(pieces: list[_Piece], sa: _Side, sb: _Side) -> list[_Piece]:
    """Slide each lone insertion or deletion sideways, as far as the same
    tokens repeat, to where it begins and ends on the best boundaries
    ("the cat {+cat +}sat"; a whole sentence with its full stop). This is
    diff-match-patch's own semantic shift, scored on the real text: its
    pass sees only our stand-in characters, and its last clean-up step can
    leave edits unshifted."""
    pieces = _normalize(pieces)
    for n in range(1, len(pieces) - 1):
        before, edit, after = pieces[n - 1], pieces[n], pieces[n + 1]
        if before.kind != EQUAL or after.kind != EQUAL or edit.kind not in (INSERT, DELETE):
            continue
        side = sa if edit.kind == DELETE else sb
        q0, q1 = (before.a0, after.a1) if edit.kind == DELETE else (before.b0, after.b1)
        e0, e1 = (edit.a0, edit.a1) if edit.kind == DELETE else (edit.b0, edit.b1)
        keys = side.keys
        while e0 > q0 and keys[e0 - 1] == keys[e1 - 1]:
            e0, e1 = e0 - 1, e1 - 1
        best, best_score = e0, -1
        while True:
            score = _boundary_score(side, e0, q0, q1) + _boundary_score(side, e1, q0, q1)
            if score >= best_score:  # on a tie the rightmost: trailing rather than leading space
                best, best_score = e0, score
            if e1 >= q1 or keys[e0] != keys[e1]:
                break
            e0, e1 = e0 + 1, e1 + 1
        shift = best - (edit.a0 if edit.kind == DELETE else edit.b0)
        if shift:
            width = (edit.a1 - edit.a0) if edit.kind == DELETE else (edit.b1 - edit.b0)
            a_at, b_at = before.a0 + (best - q0), before.b0 + (best - q0)
            before.a1, before.b1 = a_at, b_at
            if edit.kind == DELETE:
                edit.a0, edit.a1, edit.b0, edit.b1 = a_at, a_at + width, b_at, b_at
                after.a0, after.b0 = a_at + width, b_at
            else:
                edit.a0, edit.a1, edit.b0, edit.b1 = a_at, a_at, b_at, b_at + width
                after.a0, after.b0 = a_at, b_at + width
    return _normalize(pieces)


def _boundary_score(side: _Side, u: int, q0: int, q1: int) -> int:
    """How good a place the start of unit `u` is for an edit to begin or end,
    scored as diff-match-patch scores characters: 6 where an equality
    vanishes, 5 a blank line, 4 a line break, 3 a sentence end, 2 a space,
    1 punctuation, 0 inside a word."""
    if u <= q0 or u >= q1:
        return 6
    text, at = side.text, side.bounds[u]
    one, two = text[at - 1], text[at]
    space1, space2 = one.isspace(), two.isspace()
    if text.endswith(("\n\n", "\n\r\n"), 0, at) or text.startswith(("\n\n", "\n\r\n", "\r\n\n", "\r\n\r\n"), at):
        return 5
    if one in "\r\n" or two in "\r\n":
        return 4
    if not one.isalnum() and not space1 and space2:
        return 3
    if space1 or space2:
        return 2
    if not one.isalnum() or not two.isalnum():
        return 1
    return 0


def _normalize(pieces: list[_Piece]) -> list[_Piece]:
    """Drop empty pieces, join neighbouring equalities, and turn each run of
    changes into at most one deletion followed by one insertion."""
    out: list[_Piece] = []
    run: list[int] | None = None  # the bounds a0, a1, b0, b1 of the run of changes so far

    def flush(a0: int, a1: int, b0: int, b1: int) -> None:
        if a1 > a0:
            out.append(_Piece(DELETE, a0, a1, b0, b0))
        if b1 > b0:
            out.append(_Piece(INSERT, a1, a1, b0, b1))

    for p in pieces:
        if p.a1 == p.a0 and p.b1 == p.b0:
            continue
        if p.kind != EQUAL:
            if run is None:
                run = [p.a0, p.a1, p.b0, p.b1]
            else:
                run[0], run[1] = min(run[0], p.a0), max(run[1], p.a1)
                run[2], run[3] = min(run[2], p.b0), max(run[3], p.b1)
            continue
        if run is not None:
            flush(*run)
            run = None
        if out and out[-1].kind == EQUAL:
            out[-1].a1, out[-1].b1 = p.a1, p.b1
        else:
            out.append(_Piece(EQUAL, p.a0, p.a1, p.b0, p.b1))
    if run is not None:
        flush(*run)
    return out


def _diff_by_words(ca: str, cb: str, dmp: _TokenDiffer) -> list[tuple[int, str]]:
    """Diff the words first, then the spaces and punctuation between them.
    In one flat diff a comma can win an alignment from a word (two equally
    short diffs, one keeping "committee", one keeping ", ,"); aligning the
    words alone first means punctuation never pulls words apart."""
    words = dmp.word_chars
    wa = [i for i, ch in enumerate(ca) if ch in words]
    wb = [i for i, ch in enumerate(cb) if ch in words]
    anchors = _kept(_diff_codes("".join([ca[i] for i in wa]), "".join([cb[i] for i in wb]), dmp), wa, wb)
    return _around(ca, cb, anchors, dmp, lambda x, y: _diff_between_words(x, y, dmp))


def _diff_between_words(ca: str, cb: str, dmp: _TokenDiffer) -> list[tuple[int, str]]:
    """Diff what lies between two kept words: no word on one side, so the
    other side's words are insertions or deletions, and the spaces and
    punctuation are diffed as they are; the same number of words on both
    sides, paired in order as substitutions (party → PARTY), with what is
    between each pair diffed; otherwise one replacement, less what both
    sides begin and end with."""
    words = dmp.word_chars
    wa = [i for i, ch in enumerate(ca) if ch in words]
    wb = [i for i, ch in enumerate(cb) if ch in words]
    if not wa or not wb:
        return _diff_codes(ca, cb, dmp)
    if len(wa) == len(wb):
        diffs: list[tuple[int, str]] = []
        pa = pb = 0
        for ua, ub in zip(wa, wb):
            diffs += _diff_codes(ca[pa:ua], cb[pb:ub], dmp)
            diffs += [(dmp.DIFF_DELETE, ca[ua]), (dmp.DIFF_INSERT, cb[ub])]
            pa, pb = ua + 1, ub + 1
        return diffs + _diff_codes(ca[pa:], cb[pb:], dmp)
    head = dmp.diff_commonPrefix(ca, cb)
    tail = dmp.diff_commonSuffix(ca[head:], cb[head:])
    diffs = [(dmp.DIFF_EQUAL, ca[:head])] if head else []
    diffs += [(dmp.DIFF_DELETE, ca[head : len(ca) - tail]), (dmp.DIFF_INSERT, cb[head : len(cb) - tail])]
    return diffs + ([(dmp.DIFF_EQUAL, ca[len(ca) - tail :])] if tail else [])


def _drop_small_equalities(diffs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The first step of diff-match-patch's semantic clean-up: an equality no
    longer than the changes on either side of it becomes part of one
    change ("a {-b-}{+x+} c {-d-}{+y+} e" keeps " c " only if it outweighs
    its neighbours). Its own loop walks back over every merged change at
    each step (2.7 s for 1,000 words replaced one by one); this is the same
    rule on a stack, in linear time, so that its pass finds nothing left to
    do. Each change comes out as one deletion and one insertion, with any
    start or end they share given back to the equalities."""
    equal, delete = diff_match_patch.DIFF_EQUAL, diff_match_patch.DIFF_DELETE
    groups: list[list] = [[[], 0, [], 0]]  # changes: deleted parts, their length, inserted parts, theirs
    equalities: list[str] = []  # equalities[k] lies between groups[k] and groups[k + 1]
    for op, text in diffs:
        if op == equal:
            equalities.append(text)
            groups.append([[], 0, [], 0])
            continue
        group = groups[-1]
        if op == delete:
            group[0].append(text)
            group[1] += len(text)
        else:
            group[2].append(text)
            group[3] += len(text)
        while equalities:
            before = groups[-2]
            if len(equalities[-1]) > min(max(before[1], before[3]), max(group[1], group[3])):
                break
            middle = equalities.pop()
            groups.pop()
            left = groups[-1]
            left[0] += [middle, *group[0]]
            left[2] += [middle, *group[2]]
            left[1] += len(middle) + group[1]
            left[3] += len(middle) + group[3]
            group = left
    out: list[tuple[int, str]] = []
    for k, (deleted, _, inserted, _) in enumerate(groups):
        x, y = "".join(deleted), "".join(inserted)
        head = tail = 0
        if x and y:  # only then can they share a start or an end
            head = len(os.path.commonprefix([x, y]))
            tail = len(os.path.commonprefix([x[head:][::-1], y[head:][::-1]]))
        if head:
            out.append((equal, x[:head]))
        if len(x) > head + tail:
            out.append((delete, x[head : len(x) - tail]))
        if len(y) > head + tail:
            out.append((diff_match_patch.DIFF_INSERT, y[head : len(y) - tail]))
        if tail:
            out.append((equal, x[len(x) - tail :]))
        if k < len(equalities):
            out.append((equal, equalities[k]))
    return _join_runs(out)


# Units on each side from which a diff is first cut at rare tokens: below it
# the diff is exact (the least number of changes), above it nearly so.
ANCHORED = 500
SIFTED = 64  # units on each side from which tokens found on one side only are set aside first


def _diff_codes(ca: str, cb: str, dmp: _TokenDiffer) -> list[tuple[int, str]]:
    """diff-match-patch on the stand-in characters, exact but helped where
    its cost (length × changes) would grow: characters found on one side
    only cannot match, so the rest is diffed without them and they are put
    back as deletions and insertions (two unrelated texts of 2,000 words
    took diff-match-patch 9.5 s); and long inputs are first cut where a
    token occurs once (or rarely) on each side, in the same order
    (patience diff's anchors), and the pieces between diffed one by one:
    two unrelated 20,000-word texts did not finish in 13 minutes without."""
    if min(len(ca), len(cb)) < SIFTED or ca == cb:
        return dmp.exact(ca, cb)
    common = set(ca).intersection(cb)
    if not common:
        return [(dmp.DIFF_DELETE, ca), (dmp.DIFF_INSERT, cb)]
    ka = [i for i, ch in enumerate(ca) if ch in common]
    kb = [i for i, ch in enumerate(cb) if ch in common]
    if len(ka) < len(ca) or len(kb) < len(cb):
        kept = _kept(_diff_codes("".join(ca[i] for i in ka), "".join(cb[i] for i in kb), dmp), ka, kb)
        return _around(ca, cb, kept, dmp, lambda x, y: [(dmp.DIFF_DELETE, x), (dmp.DIFF_INSERT, y)])
    if min(len(ca), len(cb)) >= ANCHORED:
        anchors = _anchors(ca, cb)
        if anchors:
            return _around(ca, cb, [[anchor] for anchor in anchors], dmp, lambda x, y: _diff_codes(x, y, dmp))
    return dmp.exact(ca, cb)


def _kept(diffs: list[tuple[int, str]], ka: list[int], kb: list[int]) -> list[list[tuple[int, int]]]:
    """The (A, B) positions of the characters a diff of two subsequences
    keeps equal, in runs (one per equality); ka and kb give each
    subsequence character's position."""
    kept: list[list[tuple[int, int]]] = []
    ia = ib = 0
    for op, chunk in diffs:
        n = len(chunk)
        if op == diff_match_patch.DIFF_EQUAL:
            kept.append(list(zip(ka[ia : ia + n], kb[ib : ib + n])))
        ia += n if op != diff_match_patch.DIFF_INSERT else 0
        ib += n if op != diff_match_patch.DIFF_DELETE else 0
    return kept


def _around(ca: str, cb: str, kept: list[list[tuple[int, int]]], dmp: diff_match_patch, between) -> list[tuple[int, str]]:
    """A diff that keeps the characters at the given (A, B) positions equal
    and diffs each stretch between them with `between`. The positions come
    in runs: a run whose stretch of text is the same on both sides is one
    equality at once (most of a revision is)."""
    diffs: list[tuple[int, str]] = []
    pa = pb = 0

    def gap(ua: int, ub: int) -> None:
        x, y = ca[pa:ua], cb[pb:ub]
        if x == y:
            if x:
                diffs.append((dmp.DIFF_EQUAL, x))
        elif not x or not y:
            diffs.append((dmp.DIFF_INSERT, y) if y else (dmp.DIFF_DELETE, x))
        else:
            diffs.extend(between(x, y))

    for run in kept:
        (ua, ub), (ua1, ub1) = run[0], run[-1]
        gap(ua, ub)
        same = ca[ua : ua1 + 1]
        if same == cb[ub : ub1 + 1]:
            diffs.append((dmp.DIFF_EQUAL, same))
            pa, pb = ua1 + 1, ub1 + 1
            continue
        diffs.append((dmp.DIFF_EQUAL, ca[ua]))
        pa, pb = ua + 1, ub + 1
        for ua, ub in run[1:]:
            gap(ua, ub)
            diffs.append((dmp.DIFF_EQUAL, ca[ua]))
            pa, pb = ua + 1, ub + 1
    gap(len(ca), len(cb))
    return _join_runs(diffs)


def _join_runs(diffs: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join neighbouring operations of one kind: all a diff pieced together
    from normalised parts at equalities needs. (diff-match-patch's own
    diff_cleanupMerge took 0.4 s of a 0.9 s diff of 20,000 words.)"""
    out: list[tuple[int, list[str]]] = []
    for op, text in diffs:
        if out and out[-1][0] == op:
            out[-1][1].append(text)
        else:
            out.append((op, [text]))
    return [(op, "".join(parts)) for op, parts in out]


def _anchors(ca: str, cb: str) -> list[tuple[int, int]]:
    """Positions (in A, in B) at which to cut a long diff: characters that
    occur once on each side (patience diff's anchors) or, failing those,
    at most three times on each side, the longest run of them in order on
    both sides."""
    count_a, count_b = Counter(ca), Counter(cb)
    for limit in (1, 3):
        rare = {ch for ch, n in count_a.items() if n <= limit and 0 < count_b[ch] <= limit}
        if not rare:
            continue
        where_b: dict[str, list[int]] = {}
        for j, ch in enumerate(cb):
            if ch in rare:
                where_b.setdefault(ch, []).append(j)
        # Each pair of equal characters, B positions falling within one A
        # position, so that an increasing run uses each position once.
        pairs = [(i, j) for i, ch in enumerate(ca) if ch in rare for j in reversed(where_b[ch])]
        run = longest_increasing([j for _, j in pairs], pairs)
        if run:
            return run
    return []


# --- Moves ------------------------------------------------------------------


def _find_moves(pieces: list[_Piece], sa: _Side, sb: _Side, backend: str = PYTHON) -> list[_Piece]:
    """Pair deleted and inserted passages with the same keys as moves: the
    longest first, each at least MIN_MOVE_WORDS words or a whole sentence.
    A deletion right beside an insertion is a local change (a replacement,
    perhaps a transposition), never a move. What a move leaves of a change
    is diffed again."""
    deletes = [i for i, p in enumerate(pieces) if p.kind == DELETE]
    inserts = [i for i, p in enumerate(pieces) if p.kind == INSERT]
    if all(abs(i - d) == 1 for d in deletes for i in inserts):  # none apart: every change is local (or there are none)
        return pieces

    # Anchors: three consecutive non-space units of an insertion, by key.
    anchors: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    for i in inserts:
        p = pieces[i]
        solid = [u for u in range(p.b0, p.b1) if sb.kinds[u] != SPACE]
        for j in range(len(solid) - 2):
            key = (sb.keys[solid[j]], sb.keys[solid[j + 1]], sb.keys[solid[j + 2]])
            places = anchors.setdefault(key, [])
            if len(places) < 32:  # a very common phrase anchors nothing useful
                places.append((i, solid[j]))

    candidates = []
    found: dict[tuple[int, int, int], list[tuple[int, int]]] = {}  # runs found on each diagonal
    for d in deletes:
        p = pieces[d]
        solid = [u for u in range(p.a0, p.a1) if sa.kinds[u] != SPACE]
        for j in range(len(solid) - 2):
            key = (sa.keys[solid[j]], sa.keys[solid[j + 1]], sa.keys[solid[j + 2]])
            for i, ub in anchors.get(key, ()):
                if abs(i - d) == 1:
                    continue
                q = pieces[i]
                ua = solid[j]
                runs = found.setdefault((d, i, ua - ub), [])
                if any(x <= ua < y for x, y in runs):
                    continue
                a0, b0 = ua, ub
                while a0 > p.a0 and b0 > q.b0 and sa.keys[a0 - 1] == sb.keys[b0 - 1]:
                    a0, b0 = a0 - 1, b0 - 1
                a1, b1 = ua, ub
                while a1 < p.a1 and b1 < q.b1 and sa.keys[a1] == sb.keys[b1]:
                    a1, b1 = a1 + 1, b1 + 1
                runs.append((a0, a1))
                a0, a1, b0, b1 = _trim_space(sa, sb, a0, a1, b0, b1)
                words = sa.words(a0, a1)
                if words >= MIN_MOVE_WORDS:
                    candidates.append((words, d, a0, a1, i, b0, b1))

    # Whole sentences shorter than MIN_MOVE_WORDS ("Yes."), anywhere in a
    # deletion and an insertion.
    short: dict[tuple[str, ...], list[tuple[int, int, int]]] = {}
    for i in inserts:
        for b0, b1 in _sentences(sb, pieces[i].b0, pieces[i].b1):
            short.setdefault(tuple(sb.keys[b0:b1]), []).append((i, b0, b1))
    for d in deletes:
        for a0, a1 in _sentences(sa, pieces[d].a0, pieces[d].a1):
            words = sa.words(a0, a1)
            if 0 < words < MIN_MOVE_WORDS:
                for i, b0, b1 in short.get(tuple(sa.keys[a0:a1]), ()):
                    if abs(i - d) != 1:
                        candidates.append((words, d, a0, a1, i, b0, b1))

    if not candidates:
        return pieces
    candidates.sort(key=lambda c: (-c[0], c[2], c[5]))
    taken_a: list[tuple[int, int]] = []
    taken_b: list[tuple[int, int]] = []
    cuts: dict[int, list[tuple[int, int]]] = {}  # piece index → its moved unit ranges
    for _, d, a0, a1, i, b0, b1 in candidates:
        if any(a0 < y and x < a1 for x, y in taken_a) or any(b0 < y and x < b1 for x, y in taken_b):
            continue
        taken_a.append((a0, a1))
        taken_b.append((b0, b1))
        cuts.setdefault(d, []).append((a0, a1))
        cuts.setdefault(i, []).append((b0, b1))

    number = {span: n for n, span in enumerate(sorted(taken_a), start=1)}  # renumbered at the end
    move_of_b = {tb: number[ta] for ta, tb in zip(taken_a, taken_b)}
    out: list[_Piece] = []
    for index, p in enumerate(pieces):
        if index not in cuts:
            out.append(p)
        elif p.kind == DELETE:
            out += _split(p, sorted(cuts[index]), number, on_a=True)
        else:
            out += _split(p, sorted(cuts[index]), move_of_b, on_a=False)
    return _absorb_spaces(_rediff_runs(out, sa, sb, backend), sa, sb)


def _rediff_runs(pieces: list[_Piece], sa: _Side, sb: _Side, backend: str) -> list[_Piece]:
    """Diff again what a move leaves of a change. The semantic clean-up may
    have swallowed a short equality into a change that held a moved
    passage ("The end" between two insertions); once the move is taken
    out, what is left of the deletion and of the insertion is diffed
    against each other, and the equality comes back."""
    out: list[_Piece] = []
    run: list[_Piece] = []
    for p in [*pieces, None]:
        if p is not None and p.kind != EQUAL:
            run.append(p)
            continue
        deleted = [q for q in run if q.kind == DELETE]
        inserted = [q for q in run if q.kind == INSERT]
        if len(deleted) == 1 and len(inserted) == 1 and any(q.kind == MOVE for q in run):
            d, i = deleted[0], inserted[0]
            on_a = [q for q in run if q.kind == DELETE or (q.kind == MOVE and q.a1 > q.a0)]
            on_b = [q for q in run if q.kind == INSERT or (q.kind == MOVE and q.b1 > q.b0)]
            ka, kb = on_a.index(d), on_b.index(i)
            again = [
                _Piece(q.kind, q.a0 + d.a0, q.a1 + d.a0, q.b0 + i.b0, q.b1 + i.b0)
                for q in _diff_units(sa.keys[d.a0 : d.a1], sb.keys[i.b0 : i.b1], backend, sa.word_codes)
            ]
            run = on_a[:ka] + on_b[:kb] + _slide_edits(again, sa, sb) + on_a[ka + 1 :] + on_b[kb + 1 :]
        out += run
        run = []
        if p is not None:
            out.append(p)
    return out


def _sentences(side: _Side, u0: int, u1: int) -> list[tuple[int, int]]:
    """The whole sentences among units u0…u1 (without their edge spaces): each
    starts where the text or a sentence starts and ends with . ! ? or …"""
    out = []
    start = None
    for u in range(u0, u1):
        if side.kinds[u] == SPACE:
            continue
        if start is None:
            start = u
        if _SENTENCE_END.search(side.slice(u, u + 1)):
            if _starts_sentence(side.text, side.bounds[start]):
                out.append((start, u + 1))
            start = None
    return out


def _starts_sentence(text: str, at: int) -> bool:
    i = at - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    while i >= 0 and text[i] in _CLOSERS:
        i -= 1
    return i < 0 or text[i] in _STOPS


def _trim_space(sa: _Side, sb: _Side, a0: int, a1: int, b0: int, b1: int) -> tuple[int, int, int, int]:
    """Trim whitespace units off both ends of a matched run (same number on
    both sides, since the run matched unit for unit)."""
    while a0 < a1 and sa.kinds[a0] == SPACE:
        a0, b0 = a0 + 1, b0 + 1
    while a1 > a0 and sa.kinds[a1 - 1] == SPACE:
        a1, b1 = a1 - 1, b1 - 1
    return a0, a1, b0, b1


def _split(p: _Piece, spans: list[tuple[int, int]], ids: dict, on_a: bool) -> list[_Piece]:
    """Cut a deletion (on_a) or an insertion into its moved and other parts."""
    lo, hi = (p.a0, p.a1) if on_a else (p.b0, p.b1)
    parts: list[tuple[int, int, int | None]] = []
    at = lo
    for u0, u1 in spans:
        if at < u0:
            parts.append((at, u0, None))
        parts.append((u0, u1, ids[(u0, u1)]))
        at = u1
    if at < hi:
        parts.append((at, hi, None))
    if on_a:
        return [_Piece(p.kind if m is None else MOVE, u0, u1, p.b0, p.b0, m) for u0, u1, m in parts]
    return [_Piece(p.kind if m is None else MOVE, p.a0, p.a0, u0, u1, m) for u0, u1, m in parts]


def _absorb_spaces(pieces: list[_Piece], sa: _Side, sb: _Side) -> list[_Piece]:
    """Let a moved passage take in the whitespace deleted or inserted right
    beside it, so that a moved sentence leaves no lone space behind."""
    out: list[_Piece] = []
    for n, p in enumerate(pieces):
        if p.kind in (DELETE, INSERT):
            side, (u0, u1) = (sa, (p.a0, p.a1)) if p.kind == DELETE else (sb, (p.b0, p.b1))
            if all(k == SPACE for k in side.kinds[u0:u1]):
                nxt = pieces[n + 1] if n + 1 < len(pieces) else None
                if nxt is not None and nxt.kind == MOVE and p.kind == DELETE and nxt.a0 == u1 < nxt.a1:
                    nxt.a0 = u0
                    continue
                if nxt is not None and nxt.kind == MOVE and p.kind == INSERT and nxt.b0 == u1 < nxt.b1:
                    nxt.b0 = u0
                    continue
                last = out[-1] if out else None
                if last is not None and last.kind == MOVE and p.kind == DELETE and last.a0 < last.a1 == u0:
                    last.a1 = u1
                    continue
                if last is not None and last.kind == MOVE and p.kind == INSERT and last.b0 < last.b1 == u0:
                    last.b1 = u1
                    continue
        out.append(p)
    return out


# --- From pieces to classified operations -----------------------------------


def _to_ops(pieces: list[_Piece], sa: _Side, sb: _Side, differ: Differ) -> list[Op]:
    """Pieces to Ops with each side's own text; a deletion beside an
    insertion becomes one replacement."""
    ops: list[Op] = []
    a_at, b_at = sa.lead, sb.lead
    n = 0
    while n < len(pieces):
        p = pieces[n]
        nxt = pieces[n + 1] if n + 1 < len(pieces) else None
        if nxt is not None and (p.kind, nxt.kind) in ((DELETE, INSERT), (INSERT, DELETE)):
            d, i = (p, nxt) if p.kind == DELETE else (nxt, p)
            ta, tb = sa.slice(d.a0, d.a1), sb.slice(i.b0, i.b1)
            cls = differ.classify_tokens(sa.slice_tokens(d.a0, d.a1), sb.slice_tokens(i.b0, i.b1))
            op = _op(REPLACE, ta, tb, a_at, b_at, cls)
            n += 2
        else:
            # Each piece holds units of its own side only (an equality of both).
            ta = sa.slice(p.a0, p.a1) if p.kind in (EQUAL, DELETE, MOVE) else ""
            tb = sb.slice(p.b0, p.b1) if p.kind in (EQUAL, INSERT, MOVE) else ""
            if p.kind == EQUAL:
                op = _op(EQUAL, ta, tb, a_at, b_at)
            elif p.kind == MOVE:  # its source has text in A only, its destination in B only
                op = _op(MOVE, ta, tb, a_at, b_at, MOVED, p.move)
            elif p.kind == DELETE:
                op = _op(DELETE, ta, tb, a_at, b_at, differ.classify_tokens(sa.slice_tokens(p.a0, p.a1), []))
            else:
                op = _op(INSERT, ta, tb, a_at, b_at, differ.classify_tokens([], sb.slice_tokens(p.b0, p.b1)))
            n += 1
        ops.append(op)
        a_at, b_at = a_at + len(op.a), b_at + len(op.b)
    return ops


def _merge_equal(ops: list[Op]) -> list[Op]:
    out: list[Op] = []
    for op in ops:
        if not op.a and not op.b:
            continue
        if out and op.kind == EQUAL and out[-1].kind == EQUAL:
            last = out[-1]
            out[-1] = _op(EQUAL, last.a + op.a, last.b + op.b, last.a_pos, last.b_pos)
        else:
            out.append(op)
    return out


def _mirror(diff: Diff) -> Diff:
    swap = {INSERT: DELETE, DELETE: INSERT}
    swap_cls = {ADDITION: OMISSION, OMISSION: ADDITION}
    return Diff(
        [
            _op(
                swap.get(op.kind, op.kind),
                op.b,
                op.a,
                op.b_pos,
                op.a_pos,
                swap_cls.get(op.cls, op.cls) if op.cls is not None else None,
                op.move,
            )
            for op in diff.ops
        ],
        diff.word_starts[::-1] if diff.word_starts else None,
    )


@functools.cache
def _union(one: Normalizer, other: Normalizer) -> Normalizer:
    return Normalizer(**{f.name: getattr(one, f.name) or getattr(other, f.name) for f in fields(Normalizer)})


_BLANK = Normalizer(ignore_whitespace=True)
_UNPUNCTUATED = Normalizer(ignore_whitespace=True, ignore_punctuation=True, ignore_typography=True, ignore_hyphenation=True)
_CASELESS = Normalizer(ignore_whitespace=True, ignore_punctuation=True, ignore_typography=True, ignore_hyphenation=True, ignore_case=True)


def classify(a: str, b: str, normalizer: Normalizer = Normalizer()) -> str:
    """The class of a change from `a` to `b` (either may be empty): the
    narrowest of whitespace, punctuation, case, transposition, spelling,
    and otherwise addition, omission or substitution. Differences the
    normalizer ignores do not count. (Classing many changes, use one
    `Differ`: it normalises each distinct token once.)"""
    return Differ(normalizer).classify(a, b)


def _small_edit(x: str, y: str) -> bool:
    """A spelling variant: a letter or two changed, added, dropped or swapped
    (one for words under eight letters), in words of three letters or more."""
    if min(len(x), len(y)) < 3:
        return False
    limit = 1 if max(len(x), len(y)) < 8 else 2
    return abs(len(x) - len(y)) <= limit and _edit_distance(x, y) <= limit


def _edit_distance(x: str, y: str) -> int:
    """Optimal string alignment distance: Levenshtein plus swaps of
    neighbours (rapidfuzz's, the same measure, compiled)."""
    return OSA.distance(x, y)
