"""Roman numerals (edition/numerals.py) and the longest increasing run
(edition/runs.py): one of each, shared by alignment, the site and print."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given
from hypothesis import strategies as st

from edition.numerals import from_roman, roman
from edition.runs import longest_increasing


def test_roman_numerals_read_back_in_either_case():
    for n in range(1, 4000):
        assert from_roman(roman(n)) == n
        assert from_roman(roman(n).upper()) == n
    assert [roman(n) for n in (1, 4, 9, 14, 40, 90, 400, 1999)] == ["i", "iv", "ix", "xiv", "xl", "xc", "cd", "mcmxcix"]
    assert roman(0) == ""


@given(st.lists(st.integers(0, 20), max_size=9))
def test_the_longest_increasing_run_is_longest_and_increasing(keys):
    run = longest_increasing(keys, list(range(len(keys))))
    assert run == sorted(run)
    assert all(keys[a] < keys[b] for a, b in zip(run, run[1:]))
    best = max(
        (n for n in range(len(keys) + 1) for picked in combinations(range(len(keys)), n)
         if all(keys[a] < keys[b] for a, b in zip(picked, picked[1:]))),
        default=0,
    )  # fmt: skip
    assert len(run) == best
