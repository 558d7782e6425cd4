"""The word-level diff: exact operations on English, Russian and German
examples, moves, change classes, and the invariants every diff keeps
(both texts rebuilt, mirror symmetry, counts that add up), down to a long
text that must not degenerate into "everything replaced"."""

from __future__ import annotations

import random
import unicodedata
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edition import diff as diff_module
from edition.diff import (
    CLASSES,
    TRIVIAL_CLASSES,
    Diff,
    Differ,
    Op,
    TokenTableFull,
    classify,
    diff_segments,
    diff_words,
)
from edition.tokens import Normalizer, show_invisible

NBSP, SHY = "\u00a0", "\u00ad"


def ops(a: str, b: str, normalizer: Normalizer = Normalizer()) -> list[tuple]:
    """The diff of a and b as (kind, a, b, a_pos, b_pos, class) tuples."""
    d = diff_words(a, b, normalizer)
    assert d.a_text() == a and d.b_text() == b
    return [(op.kind, op.a, op.b, op.a_pos, op.b_pos, op.cls) for op in d.ops]


# --- English ----------------------------------------------------------------


def test_substituted_word():
    assert ops("The quick brown fox", "The quick red fox") == [
        ("equal", "The quick ", "The quick ", 0, 0, None),
        ("replace", "brown", "red", 10, 10, "substitution"),
        ("equal", " fox", " fox", 15, 13, None),
    ]


def test_added_and_omitted_word():
    assert ops("He came home.", "He came home late.") == [
        ("equal", "He came home", "He came home", 0, 0, None),
        ("insert", "", " late", 12, 12, "addition"),
        ("equal", ".", ".", 12, 17, None),
    ]
    assert ops("He came home late.", "He came home.") == [
        ("equal", "He came home", "He came home", 0, 0, None),
        ("delete", " late", "", 12, 12, "omission"),
        ("equal", ".", ".", 17, 12, None),
    ]


def test_new_paragraph_is_inserted_at_the_blank_lines():
    assert ops("First paragraph.\n\nLast paragraph.", "First paragraph.\n\nA new paragraph.\n\nLast paragraph.") == [
        ("equal", "First paragraph.\n\n", "First paragraph.\n\n", 0, 0, None),
        ("insert", "", "A new paragraph.\n\n", 18, 18, "addition"),
        ("equal", "Last paragraph.", "Last paragraph.", 18, 36, None),
    ]


def test_repeated_word_is_inserted_with_its_trailing_space():
    assert ops("the cat sat", "the cat cat sat") == [
        ("equal", "the cat ", "the cat ", 0, 0, None),
        ("insert", "", "cat ", 8, 8, "addition"),
        ("equal", "sat", "sat", 8, 12, None),
    ]


def test_identical_texts_are_one_equal_op():
    assert ops("Same text.", "Same text.") == [("equal", "Same text.", "Same text.", 0, 0, None)]
    assert ops("", "") == []


def test_empty_side_is_one_addition_or_omission():
    assert ops("", "New words.") == [("insert", "", "New words.", 0, 0, "addition")]
    assert ops("Old words.", "") == [("delete", "Old words.", "", 0, 0, "omission")]


# --- Russian ----------------------------------------------------------------


def test_stress_mark_changes_one_word_token():
    assert ops("Старый замок стоит.", "Старый за́мок стоит.") == [
        ("equal", "Старый ", "Старый ", 0, 0, None),
        ("replace", "замок", "за́мок", 7, 7, "spelling"),
        ("equal", " стоит.", " стоит.", 12, 13, None),
    ]


def test_no_change_is_a_lone_combining_mark():
    d = diff_words("замок", "за́мок")
    assert [(op.kind, op.a, op.b) for op in d.ops] == [("replace", "замок", "за́мок")]
    for op in d.changes():
        for text in (op.a, op.b):
            assert not text or not unicodedata.category(text[0]).startswith("M")


def test_ignore_stress_makes_stressed_words_equal():
    assert ops("Старый замок стоит.", "Старый за́мок сто̀ит.", Normalizer(ignore_stress=True)) == [
        ("equal", "Старый замок стоит.", "Старый за́мок сто̀ит.", 0, 0, None)
    ]


def test_ignore_stress_keeps_yo_and_short_i():
    stress = Normalizer(ignore_stress=True)
    assert [op.kind for op in diff_words("ёлка", "елка", stress).ops] == ["replace"]
    assert [op.kind for op in diff_words("мой дом", "мои дом", stress).ops] == ["replace", "equal"]


def test_precomposed_and_decomposed_yo_are_equal():
    decomposed = "Е\u0308лка"
    assert ops("Ёлка стоит.", decomposed + " стоит.") == [("equal", "Ёлка стоит.", decomposed + " стоит.", 0, 0, None)]


# --- German -----------------------------------------------------------------


def test_line_end_hyphenation():
    a, b = "eine Aus-\nnahme bilden", "eine Ausnahme bilden"
    assert ops(a, b, Normalizer(ignore_hyphenation=True)) == [("equal", a, b, 0, 0, None)]
    assert ops(a, b) == [
        ("equal", "eine ", "eine ", 0, 0, None),
        ("replace", "Aus-\nnahme", "Ausnahme", 5, 5, "punctuation"),
        ("equal", " bilden", " bilden", 15, 13, None),
    ]


def test_soft_hyphen():
    a, b = f"eine Aus{SHY}nahme", "eine Ausnahme"
    assert ops(a, b, Normalizer(ignore_hyphenation=True)) == [("equal", a, b, 0, 0, None)]
    assert ops(a, b)[1] == ("replace", f"Aus{SHY}nahme", "Ausnahme", 5, 5, "punctuation")


def test_german_quotes():
    a, b = "Er sagte: „Das ist gut“.", 'Er sagte: "Das ist gut".'
    assert ops(a, b, Normalizer(ignore_typography=True)) == [("equal", a, b, 0, 0, None)]
    assert ops(a, b) == [
        ("equal", "Er sagte: ", "Er sagte: ", 0, 0, None),
        ("replace", "„", '"', 10, 10, "punctuation"),
        ("equal", "Das ist gut", "Das ist gut", 11, 11, None),
        ("replace", "“", '"', 22, 22, "punctuation"),
        ("equal", ".", ".", 23, 23, None),
    ]


# --- Invisible characters ---------------------------------------------------


def test_no_break_space_is_a_whitespace_change():
    a, b = f"am 14{NBSP}November", "am 14 November"
    assert ops(a, b) == [
        ("equal", "am 14", "am 14", 0, 0, None),
        ("replace", NBSP, " ", 5, 5, "whitespace"),
        ("equal", "November", "November", 6, 6, None),
    ]
    assert show_invisible(diff_words(a, b).changes()[0].a) == "⟨NBSP⟩"
    assert ops(a, b, Normalizer(ignore_whitespace=True)) == [("equal", a, b, 0, 0, None)]


def test_zero_width_space_and_bom():
    assert [op.cls for op in diff_words("\ufeffText", "Text").changes()] == ["whitespace"]
    assert [op.cls for op in diff_words("foo\u200bbar", "foobar").changes()] == ["whitespace"]
    assert diff_words("\ufeffText\u200b", "Text", Normalizer(ignore_whitespace=True)).changes() == []


# --- Moves ------------------------------------------------------------------


def test_moved_sentence_is_one_move():
    a = "The committee met on Monday. It discussed the harvest. The secretary read the report aloud. Then everyone went home."
    b = "The committee met on Monday. The secretary read the report aloud. It discussed the harvest. Then everyone went home."
    d = diff_words(a, b)
    assert [(op.kind, op.a, op.b, op.a_pos, op.b_pos, op.cls, op.move) for op in d.ops] == [
        ("equal", "The committee met on Monday.", "The committee met on Monday.", 0, 0, None, None),
        ("move", " It discussed the harvest.", "", 28, 28, "move", 1),
        ("equal", " The secretary read the report aloud.", " The secretary read the report aloud.", 54, 28, None, None),
        ("move", "", " It discussed the harvest.", 91, 65, "move", 1),
        ("equal", " Then everyone went home.", " Then everyone went home.", 91, 91, None, None),
    ]
    stats = d.stats()
    assert (stats.moved, stats.inserted, stats.deleted, stats.substituted) == (4, 0, 0, 0)
    assert stats.by_class == {"move": 1}


def test_moved_sentence_among_other_changes_keeps_its_own_text_at_each_end():
    a = (
        "The meeting opened at nine. The secretary read the report aloud. "
        "Questions followed from the floor. The vote was taken at noon."
    )
    b = (
        "The meeting opened at nine. Questions followed from the hall. "
        "The vote was taken at noon. The Secretary read the report aloud!"
    )
    d = diff_words(a, b, Normalizer(ignore_case=True, ignore_punctuation=True))
    assert [(op.kind, op.a, op.b, op.a_pos, op.b_pos, op.cls, op.move) for op in d.ops] == [
        ("equal", "The meeting opened at nine.", "The meeting opened at nine.", 0, 0, None, None),
        ("move", " The secretary read the report aloud.", "", 27, 27, "move", 1),
        ("equal", " Questions followed from the ", " Questions followed from the ", 64, 27, None, None),
        ("replace", "floor.", "hall.", 93, 56, "substitution", None),
        ("equal", " The vote was taken at noon.", " The vote was taken at noon.", 99, 61, None, None),
        ("move", "", " The Secretary read the report aloud!", 127, 89, "move", 1),
    ]


def test_phrase_of_three_words_moved_is_a_move():
    assert [(op.kind, op.a, op.b, op.move) for op in diff_words("in the end we won the match today", "we won the match in the end today").ops] == [
        ("move", "in the end ", "", 1),
        ("equal", "we won the match ", "we won the match ", None),
        ("move", "", "in the end ", 1),
        ("equal", "today", "today", None),
    ]


def test_short_moved_sentence_is_a_move():
    a = "Yes. He agreed with the plan, and the others did too."
    b = "He agreed with the plan, and the others did too. Yes."
    assert [(op.kind, op.a, op.b, op.move) for op in diff_words(a, b).ops] == [
        ("move", "Yes. ", "", 1),
        ("equal", "He agreed with the plan, and the others did too.", "He agreed with the plan, and the others did too.", None),
        ("move", "", " Yes.", 1),
    ]


def test_two_words_elsewhere_are_not_a_move():
    d = diff_words("at last we won the match today", "we won the match at last today")
    assert [(op.kind, op.cls) for op in d.changes()] == [("delete", "omission"), ("insert", "addition")]


def test_two_moves_are_numbered_in_reading_order():
    a = "Alpha beta gamma delta. One two three. Middle words stay here. Four five six. Omega end."
    b = "One two three. Middle words stay here. Alpha beta gamma delta. Omega end. Four five six."
    d = diff_words(a, b)
    assert [(op.kind, op.a.strip(), op.b.strip(), op.move) for op in d.ops] == [
        ("move", "Alpha beta gamma delta.", "", 1),
        ("equal", "One two three. Middle words stay here.", "One two three. Middle words stay here.", None),
        ("move", "", "Alpha beta gamma delta.", 1),
        ("move", "", "Omega end.", 2),  # a sentence of two words
        ("equal", "Four five six.", "Four five six.", None),
        ("move", "Omega end.", "", 2),
    ]


def test_phrase_inserted_twice_is_moved_once_and_the_rest_rediffed():
    a = "red green blue. The middle part stays here. The end"
    b = "The middle part stays here. red green blue. The end, red green blue"
    assert [(op.kind, op.a, op.b, op.move) for op in diff_words(a, b).ops] == [
        ("move", "red green blue. ", "", 1),
        ("equal", "The middle part stays here. ", "The middle part stays here. ", None),
        ("move", "", "red green blue. ", 1),
        ("equal", "The end", "The end", None),  # swallowed by the clean-up, back once the move is out
        ("insert", "", ", red green blue", None),
    ]


# --- Change classes ---------------------------------------------------------


@pytest.mark.parametrize(
    "a, b, cls",
    [
        ("Hello, world", "Hello world", "punctuation"),
        ("Hello world", "Hello world!", "punctuation"),
        ("a meeting of the Party", "a meeting of the party", "case"),
        ("the colour of the flag", "the color of the flag", "spelling"),
        ("he will recieve it", "he will receive it", "spelling"),
        ("Старый замок стоит", "Старый за́мок стоит", "spelling"),
        ("it is to day", "it is today", "spelling"),
        ("He came home.", "He came home late.", "addition"),
        ("He came home late.", "He came home.", "omission"),
        ("He came home.", "She left home.", "substitution"),
        ("the big red dog", "the red big dog", "transposition"),
        (f"14{NBSP}November", "14 November", "whitespace"),
        ("Он — здесь", "Он – здесь", "punctuation"),
    ],
)
def test_change_classes(a, b, cls):
    assert [op.cls for op in diff_words(a, b).changes()] == [cls]


def test_classify_directly():
    assert classify("Party,", "party") == "case"
    assert classify("", ",") == "punctuation"
    assert classify(" ", "") == "whitespace"
    assert classify("cat", "dog") == "substitution"
    assert classify("he", "she") == "substitution"  # too short to be a spelling variant
    assert classify("Party", "party", Normalizer(ignore_case=True)) == "whitespace"  # nothing left that counts
    assert set(CLASSES) >= TRIVIAL_CLASSES


def test_trivial_classes_can_be_filtered_out():
    a = "The Party met, and the colour was red."
    b = "The party met and the color was red!"
    d = diff_words(a, b)
    assert [op.cls for op in d.changes()] == ["case", "punctuation", "spelling", "punctuation"]
    assert [op.cls for op in d.changes(exclude=TRIVIAL_CLASSES)] == ["spelling"]
    filtered = d.without()
    assert [(op.kind, op.a, op.b) for op in filtered.ops] == [
        ("equal", "The Party met, and the ", "The party met and the "),
        ("replace", "colour", "color"),
        ("equal", " was red.", " was red!"),
    ]
    assert filtered.a_text() == a and filtered.b_text() == b
    assert filtered.stats().similarity > d.stats().similarity


# --- Statistics and segments ------------------------------------------------


def test_stats_count_words():
    d = diff_words("the quick brown fox jumps", "a quick red fox jumps high")
    s = d.stats()
    assert (s.words_a, s.words_b, s.equal, s.inserted, s.deleted, s.substituted, s.moved) == (5, 6, 3, 1, 0, 2, 0)
    assert s.similarity == pytest.approx(6 / 11)
    assert s.by_class == {"substitution": 2, "addition": 1}
    assert diff_words("", "").stats().similarity == 1.0
    assert diff_words("a b", "c d").stats().similarity == 0.0


def test_diff_segments_diffs_pair_by_pair():
    diffs = diff_segments([("One two.", "One three."), (None, "Added."), ("Gone.", None), ("Same.", "Same.")])
    assert [[(op.kind, op.cls) for op in d.ops] for d in diffs] == [
        [("equal", None), ("replace", "substitution"), ("equal", None)],
        [("insert", "addition")],
        [("delete", "omission")],
        [("equal", None)],
    ]
    lenient = diff_segments([("THE END", "the end.")], Normalizer.lenient())
    assert lenient[0].changes() == []


# --- The token table and diff-match-patch -----------------------------------


def test_token_table_starts_in_private_use_and_never_uses_surrogates():
    cp = diff_module._code_point
    assert cp(0) == 0xE000
    assert cp(0x10FFFF - 0xE000) == 0x10FFFF
    assert cp(0x10FFFF - 0xE000 + 1) == 0
    assert cp(diff_module._TABLE_SIZE - 1) == 0xD7FF
    for n in (0, 6399, 6400, 500_000, 0x10FFFF - 0xE000, 0x10FFFF - 0xE000 + 1, diff_module._TABLE_SIZE - 1):
        assert not 0xD800 <= cp(n) <= 0xDFFF
    with pytest.raises(TokenTableFull, match="distinct tokens"):
        cp(diff_module._TABLE_SIZE)


def test_more_distinct_tokens_than_the_private_use_area_holds():
    words = [f"w{i}" for i in range(8000)]  # 8,001 distinct tokens: past U+F8FF
    a = " ".join(words)
    b = " ".join(w if i % 50 else w.upper() for i, w in enumerate(words))
    d = diff_words(a, b)
    assert d.a_text() == a and d.b_text() == b
    assert [op.cls for op in d.changes()] == ["case"] * 160


BACKENDS = [
    diff_module.PYTHON,
    pytest.param(
        diff_module.NATIVE,
        marks=pytest.mark.skipif(diff_module.NATIVE not in diff_module.BACKENDS, reason="fast-diff-match-patch not installed"),
    ),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_diff_match_patch_runs_without_timeout(backend):
    seen = []
    if backend == diff_module.PYTHON:
        original = diff_module.diff_match_patch.diff_main

        def spy(self, *args, **kwargs):
            seen.append(self.Diff_Timeout)
            return original(self, *args, **kwargs)

        target = mock.patch.object(diff_module.diff_match_patch, "diff_main", spy)
    else:
        original = diff_module._native_diff

        def spy(*args, **kwargs):
            seen.append(kwargs["timelimit"])
            return original(*args, **kwargs)

        target = mock.patch.object(diff_module, "_native_diff", spy)
    with target:
        d = Differ(backend=backend).diff("one two three four", "one three two five")
        diff_module.exact_diff("one two", "one three", backend)
    assert len(seen) > 1 and set(seen) == {0}
    assert d.b_text() == "one three two five"


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="not available"):
        Differ(backend="fortran")


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=100, deadline=None)
@given(a=st.text("abc ", max_size=40), b=st.text("abc ", max_size=40))
def test_both_backends_give_diff_match_patch_own_diff(backend, a, b):
    theirs = diff_module.diff_match_patch()
    theirs.Diff_Timeout = 0
    assert diff_module.exact_diff(a, b, backend) == theirs.diff_main(a, b, False)


@settings(max_examples=300, deadline=None)
@given(st.text("ab ", max_size=30), st.text("ab ", max_size=30))
def test_linear_clean_up_matches_diff_match_patch(a, b):
    """Our stack-based first step of the semantic clean-up changes nothing
    in what diff-match-patch's own clean-up returns."""
    dmp = diff_module.diff_match_patch()
    dmp.Diff_Timeout = 0
    theirs = dmp.diff_main(a, b, False)
    ours = diff_module._drop_small_equalities(list(theirs))
    dmp.diff_cleanupSemantic(theirs)
    dmp.diff_cleanupSemantic(ours)
    assert ours == theirs


def test_anchors_are_in_order_on_both_sides():
    a, b = "xaybzc", "azbxyc"
    anchors = diff_module._anchors(a, b)
    assert len(anchors) == 3  # the longest run in order: a b c, a z c or x y c
    assert all(a[i] == b[j] for i, j in anchors)
    assert [i for i, _ in anchors] == sorted({i for i, _ in anchors})
    assert [j for _, j in anchors] == sorted({j for _, j in anchors})
    # No character once on each side: those at most three times serve.
    assert diff_module._anchors("aabb", "bbaa") in ([(0, 2), (1, 3)], [(2, 0), (3, 1)])
    assert diff_module._anchors("aaaa", "aaaa") == []


def _corpus(seed: int, n_words: int, rate: float) -> tuple[str, str, int]:
    """Two texts of n_words words, the second with about `rate` of its words
    substituted, deleted or added; and the true number of changes."""
    rng = random.Random(seed)
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyzабвгдеёжзийклмн") for _ in range(rng.randint(2, 9))) for _ in range(6000)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]  # Zipf, as in real text
    words = rng.choices(vocabulary, weights, k=n_words)
    out, changes = [], 0
    for i, word in enumerate(words):
        r = rng.random()
        if r < rate * 0.4:
            out.append(rng.choice(vocabulary))
            changes += 1
        elif r < rate * 0.7:
            changes += 1
        elif r < rate:
            out += [word, rng.choice(vocabulary)]
            changes += 1
        else:
            out.append(word)
        if i % 17 == 16:
            out[-1:] = [out[-1] + "."] if out else []
    return " ".join(words), " ".join(out), changes


@pytest.mark.parametrize("backend", BACKENDS)
def test_long_texts_are_not_replaced_wholesale(backend):
    a, b, true_changes = _corpus(seed=4, n_words=20_000, rate=0.05)
    d = Differ(backend=backend).diff(a, b)  # its time is a benchmark's business, not a test's
    s = d.stats()
    reported = s.inserted + s.deleted + s.substituted
    assert d.a_text() == a and d.b_text() == b
    assert abs(reported - true_changes) < 0.15 * true_changes, (reported, true_changes)
    assert s.similarity > 0.9


def test_unrelated_long_texts_finish_quickly():
    # Exact diff-match-patch needs time in proportion to length × changes:
    # two unrelated 20,000-word texts did not finish in 13 minutes.
    rng = random.Random(1)
    shared = [f"w{i}" for i in range(3000)]
    for a_words, b_words in (
        ([f"a{rng.randrange(3000)}" for _ in range(5000)], [f"b{rng.randrange(3000)}" for _ in range(5000)]),
        (rng.choices(shared, k=5000), rng.choices(shared, k=5000)),
    ):
        a, b = " ".join(a_words), " ".join(b_words)
        d = diff_words(a, b)  # before the cuts at rare tokens this ran for over 13 minutes
        assert d.a_text() == a and d.b_text() == b
        assert d.stats().similarity < 0.5


# --- Invariants -------------------------------------------------------------

PIECES = [
    "the", "The", "cat", "sat", "on", "mat", "don't", "mothers-in-law", "Party", "party",
    "замок", "за́мок", "Ёлка", "Е\u0308лка", "мой", "мои", "Aus-\nnahme", "Ausnahme", f"Aus{SHY}nahme",
    " ", " ", " ", "  ", "\n", NBSP, "\ufeff", "\u200b",
    ",", ".", ".", "!", "„", "“", '"', "«", "»", "—", "-", "\u0301", "1,000",
]  # fmt: skip
normalizers = st.builds(Normalizer, *[st.booleans()] * 6)
texts = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)


@st.composite
def related_pairs(draw):
    """A text and a revision of it: pieces kept, dropped, replaced, added,
    and sometimes a run of pieces moved elsewhere."""
    a = draw(st.lists(st.sampled_from(PIECES), max_size=30))
    b = []
    for piece in a:
        action = draw(st.sampled_from(["keep"] * 6 + ["drop", "replace", "add"]))
        if action == "keep":
            b.append(piece)
        elif action == "replace":
            b.append(draw(st.sampled_from(PIECES)))
        elif action == "add":
            b += [piece, draw(st.sampled_from(PIECES))]
    if len(b) > 4 and draw(st.booleans()):
        n = draw(st.integers(3, min(12, len(b) - 1)))
        i = draw(st.integers(0, len(b) - n))
        run, rest = b[i : i + n], b[:i] + b[i + n :]
        j = draw(st.integers(0, len(rest)))
        b = rest[:j] + run + rest[j:]
    return "".join(a), "".join(b)


VOCABULARY = ["the", "The", "report", "committee", "met", "read", "за́мок", "замок", "ёлка", "Ausnahme", "don't", "1956"]


@st.composite
def prose_pairs(draw):
    """Sentences of words, and a revision with sentences moved, dropped,
    added and edited: the material moves are made of."""
    sentence = st.tuples(st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=6), st.sampled_from(".!?,")).map(
        lambda words_and_stop: " ".join(words_and_stop[0]) + words_and_stop[1]
    )
    a = draw(st.lists(sentence, max_size=8))
    b = [s for s in a if draw(st.integers(0, 5))]  # now and then one dropped
    for _ in range(draw(st.integers(0, 2))):
        if len(b) > 1:  # a sentence moved elsewhere
            moved = b.pop(draw(st.integers(0, len(b) - 1)))
            b.insert(draw(st.integers(0, len(b))), moved)
    if draw(st.booleans()):
        b.insert(draw(st.integers(0, len(b))), draw(sentence))
    if b and draw(st.booleans()):  # a word changed in one sentence
        k = draw(st.integers(0, len(b) - 1))
        b[k] = draw(st.sampled_from(VOCABULARY)) + " " + b[k]
    return " ".join(a), draw(st.sampled_from([" ", "\n", "  "])).join(b)


pairs = related_pairs() | prose_pairs() | st.tuples(texts, texts)


def _mirror(op: Op) -> Op:
    kind = {"insert": "delete", "delete": "insert"}.get(op.kind, op.kind)
    cls = {"addition": "omission", "omission": "addition"}.get(op.cls, op.cls)
    return Op(kind, op.b, op.a, op.b_pos, op.a_pos, cls, op.move)


def _check_invariants(a: str, b: str, d: Diff) -> None:
    assert d.a_text() == a and d.b_text() == b
    a_at = b_at = 0
    for op in d.ops:
        assert (op.a_pos, op.b_pos) == (a_at, b_at)
        assert a[op.a_pos : op.a_pos + len(op.a)] == op.a and b[op.b_pos : op.b_pos + len(op.b)] == op.b
        a_at, b_at = a_at + len(op.a), b_at + len(op.b)
        assert op.a or op.b
        assert (op.cls is None) == (op.kind == "equal") and (op.cls is None or op.cls in CLASSES)
        assert (op.move is not None) == (op.kind == "move")
        assert op.kind != "replace" or (op.a and op.b)
    moves = [op.move for op in d.ops if op.kind == "move"]
    assert all(moves.count(m) == 2 for m in moves)


@settings(max_examples=200, deadline=None)
@given(pairs, normalizers)
def test_both_texts_are_rebuilt_exactly(pair, normalizer):
    a, b = pair
    _check_invariants(a, b, diff_words(a, b, normalizer))


@settings(max_examples=200, deadline=None)
@given(texts, normalizers)
def test_identical_texts_have_no_change(text, normalizer):
    d = diff_words(text, text, normalizer)
    assert d.changes() == [] and d.a_text() == text


@settings(max_examples=200, deadline=None)
@given(pairs, normalizers)
def test_swapping_texts_swaps_insertions_and_deletions(pair, normalizer):
    a, b = pair
    forward, backward = diff_words(a, b, normalizer), diff_words(b, a, normalizer)
    assert backward.ops == [_mirror(op) for op in forward.ops]
    fs, bs = forward.stats(), backward.stats()
    assert (fs.inserted, fs.deleted, fs.substituted, fs.moved) == (bs.deleted, bs.inserted, bs.substituted, bs.moved)


@settings(max_examples=200, deadline=None)
@given(pairs, normalizers)
def test_summary_counts_equal_the_operations(pair, normalizer):
    a, b = pair
    d = diff_words(a, b, normalizer)
    s = d.stats()

    def words(text: str) -> int:
        return diff_module.count_words(text)

    assert s.inserted == sum(words(op.b) for op in d.ops if op.kind == "insert")
    assert s.deleted == sum(words(op.a) for op in d.ops if op.kind == "delete")
    assert s.substituted == sum(max(words(op.a), words(op.b)) for op in d.ops if op.kind == "replace")
    assert s.moved == sum(words(op.a) for op in d.ops if op.kind == "move")
    assert s.equal == sum(words(op.a) for op in d.ops if op.kind == "equal")
    assert (s.words_a, s.words_b) == (words(a), words(b))
    assert sum(s.by_class.values()) == len([op for op in d.ops if op.kind != "equal" and not (op.kind == "move" and op.b)])
    assert 0.0 <= s.similarity <= 1.0
    # The diff counts from where the words start; a bare list of ops
    # counts by tokenizing each op's text again: the same figures.
    assert s == Diff(d.ops).stats() and d.without().stats() == Diff(d.without().ops).stats()


WORDS = ["party", "committee", "report", "harvest", "замок", "ёлка", "ausnahme", "straße", "don't", "1956"]
MARKS = ["", "", "", ",", ".", ";", ":", "!", "?", "«", "»", "„", "“", "—", "'"]


@st.composite
def case_and_punctuation_variants(draw):
    """Two texts with the same words in the same order that differ only in
    letter case and punctuation. Each word occurs once: with repeated words
    a strict diff may align "party PARTY" with "PARTY party" as an
    omission and an addition, which is as short a diff as two case changes."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=len(WORDS), unique=True))

    def render() -> str:
        out = []
        for word in words:
            cased = draw(st.sampled_from([word, word.upper(), word.capitalize()]))
            out.append(draw(st.sampled_from(MARKS)) + cased + draw(st.sampled_from(MARKS)))
        return " ".join(out)

    return render(), render()


@settings(max_examples=200, deadline=None)
@given(case_and_punctuation_variants())
def test_case_and_punctuation_variants_are_equal_when_ignored(pair):
    a, b = pair
    d = diff_words(a, b, Normalizer.lenient())
    assert [op.kind for op in d.ops] == ["equal"]
    assert diff_words(a, b).changes(exclude=TRIVIAL_CLASSES) == []


@settings(max_examples=100, deadline=None)
@given(pairs, normalizers)
def test_anchored_diff_keeps_the_invariants(pair, normalizer):
    """Long inputs are cut at rare tokens, and tokens found on one side only
    set aside, before diffing: the same invariants hold on those paths
    (forced here on short texts)."""
    a, b = pair
    with mock.patch.multiple(diff_module, ANCHORED=3, SIFTED=2):
        forward, backward = diff_words(a, b, normalizer), diff_words(b, a, normalizer)
    _check_invariants(a, b, forward)
    assert backward.ops == [_mirror(op) for op in forward.ops]


def test_one_differ_serves_many_segments_and_classes():
    differ = Differ(Normalizer(ignore_case=True))
    assert differ.diff("The end.", "THE END.").changes() == []
    assert differ.diff("one two", "one three").changes()[0].cls == "substitution"
    assert differ.classify("Party", "party,") == "punctuation" == classify("Party", "party,", Normalizer(ignore_case=True))
    assert differ.diff("a b c", "a b c").stats().words_a == 3


@pytest.mark.parametrize("normalizer", [Normalizer(), Normalizer(ignore_case=True, ignore_typography=True)])
def test_a_differ_that_has_met_the_words_gives_what_a_fresh_one_gives(real_data, normalizer):
    """A differ keeps what it learnt of each token (its key, kind and
    stand-in) for the next segments, and reads a text whose tokens it has
    met without learning again: each diff is still the one a new differ
    makes, on real paragraphs against a revision of them."""
    from edition.importers import read_delivery

    from .test_diff_fast import _revised

    paragraphs = [p.text for path in sorted((real_data / "wilson").glob("*.txt")) for p in read_delivery(path).paragraphs]
    revised = _revised(paragraphs, 4)
    pairs = list(zip(paragraphs, revised)) + list(zip(revised, paragraphs))
    assert len(pairs) > 100
    shared = Differ(normalizer)
    for a, b in pairs:
        again = shared.diff(a, b)
        assert again.ops == Differ(normalizer).diff(a, b).ops
        assert again.stats() == Differ(normalizer).diff(a, b).stats()


@settings(max_examples=200, deadline=None)
@given(pairs, normalizers)
def test_both_backends_give_the_same_diff(pair, normalizer):
    """The C++ build runs the same algorithm: every operation the same,
    also on the paths for long texts (forced here on short ones)."""
    if diff_module.NATIVE not in diff_module.BACKENDS:
        pytest.skip("fast-diff-match-patch not installed")
    a, b = pair
    python, native = Differ(normalizer, diff_module.PYTHON), Differ(normalizer, diff_module.NATIVE)
    assert native.diff(a, b).ops == python.diff(a, b).ops
    with mock.patch.multiple(diff_module, ANCHORED=3, SIFTED=2):
        assert native.diff(a, b).ops == python.diff(a, b).ops


def test_many_segments_shared_among_processes_give_the_same_diffs():
    rng = random.Random(5)
    pairs = [_corpus(seed=n, n_words=rng.randint(0, 40), rate=0.2)[:2] for n in range(40)] + [(None, "Added."), ("Gone.", None)]
    one = diff_segments(pairs, workers=1)
    shared = diff_segments(pairs, workers=3)
    assert [d.ops for d in shared] == [d.ops for d in one]
    assert [d.stats() for d in shared] == [d.stats() for d in one]


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=200, deadline=None)
@given(st.text("abcd", max_size=30), st.text("abcd", max_size=30))
def test_equal_length_counts_the_equal_runs_of_the_exact_diff(backend, a, b):
    expected = sum(len(chunk) for op, chunk in diff_module.exact_diff(a, b, backend) if op == 0)
    assert diff_module.equal_length(a, b, backend) == expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_short_cuts_of_the_token_differ_are_diff_mains_answers(backend):
    dmp = diff_module._TokenDiffer(set(), backend)
    for a, b in [("", ""), ("ab", "ab"), ("", "xy"), ("xy", "")]:
        assert dmp.exact(a, b) == diff_module.exact_diff(a, b, backend)


def test_the_quick_op_is_an_op():
    quick, plain = diff_module._op("move", "a", "", 3, 4, "move", 1), diff_module.Op("move", "a", "", 3, 4, "move", 1)
    assert quick == plain and hash(quick) == hash(plain) and repr(quick) == repr(plain)
    with pytest.raises(AttributeError):
        quick.kind = "equal"


def test_a_diff_sent_by_a_worker_is_the_diff_made_here():
    """A worker's diffs come back as rows; their Ops are made only when
    read, and are then the Ops this process would have made. The JSON
    writer reads the rows, and writes the same bytes either way."""
    import io
    import json

    from edition.compare import Comparison, SegmentComparison
    from edition.render.comparison import to_json, write_json

    rng = random.Random(8)
    pairs = [_corpus(seed=n, n_words=rng.randint(0, 40), rate=0.2)[:2] for n in range(30)] + [("Moved away. Then one stays.", "Then one stays. Moved away.")]
    one = diff_segments(pairs, workers=1)
    shared = diff_segments(pairs, workers=2)
    sent = [d for d in shared if "ops" not in d.__dict__]
    assert len(sent) >= len(pairs) // 2  # the worker's share, not yet made into Ops
    assert [d.rows() for d in shared] == [d.rows() for d in one]
    assert all(row[0] in ("equal", "insert", "delete", "replace", "move") for d in sent for row in d.rows())
    texts = []
    for diffs in (one, shared):
        comparison = Comparison("a", "b", [SegmentComparison(f"s{n}", a, b, d) for n, ((a, b), d) in enumerate(zip(pairs, diffs))])
        out = io.StringIO()
        write_json(comparison, out)
        texts.append(out.getvalue())
        assert out.getvalue() == json.dumps(to_json(comparison), ensure_ascii=False, indent=2) + "\n"
    assert texts[0] == texts[1]
    assert shared == one and [d.ops for d in shared] == [d.ops for d in one]
    assert all("ops" in d.__dict__ for d in sent)  # made once, when first read
    with pytest.raises(AttributeError):
        _ = sent[0].no_such_thing


def test_runs_diffed_by_workers_come_back_in_order_even_when_a_worker_dies(monkeypatch):
    """The workers' pairs go out in runs and come back a run at a time, each
    handed on in order; the runs of a worker that dies are diffed here."""
    import os

    rng = random.Random(9)
    pairs = [_corpus(seed=n, n_words=rng.randint(0, 30), rate=0.2)[:2] for n in range(40)]
    one = diff_segments(pairs, workers=1)
    monkeypatch.setattr(diff_module, "CHUNK", 3)
    for dies in (False, True):
        if dies:
            run = diff_module._diff_run

            def dying(differ, kind, key, payload):
                if key == 2:
                    os._exit(1)  # the worker process, without a word
                return run(differ, kind, key, payload)

            monkeypatch.setattr(diff_module, "_diff_run", dying)
        handed: list[list[Diff]] = []
        shared = diff_segments(pairs, workers=3, each=handed.append)
        assert [d.rows() for d in shared] == [d.rows() for d in one]
        assert [d for part in handed for d in part] == shared and len(handed) > 5
        if not dies:  # a worker's diffs stay rows until read
            assert "ops" in shared[0].__dict__ and "ops" not in shared[-1].__dict__
