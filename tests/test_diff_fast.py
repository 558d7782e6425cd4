"""The fast paths of comparison against their slow references: the equal
tokens counted by rapidfuzz's longest common subsequence against those of
a diff-match-patch diff (both backends), bags compared as sorted strings
against Counters, the one token table, the one longest increasing run, and
paragraph pairing with the fast counts against pairing with the slow ones,
on random and on real texts."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from edition import align as align_module
from edition import diff as diff_module
from edition.align import align
from edition.compare import compare_paragraphs
from edition.runs import longest_increasing
from edition.diff import BACKENDS, TokenTable, TokenTableFull, equal_length, exact_diff, new_dmp
from edition.importers import read_delivery
from edition.render.comparison import to_json

from .conftest import REPO

# Token strings over a few stand-ins, so that equal runs, repeats and ties abound.
tokens = st.text(alphabet=st.sampled_from("\ue000\ue001\ue002\ue003\ue004 ab"), max_size=60)


def _equal_by_diff(a: str, b: str, backend: str) -> int:
    return sum(len(chunk) for op, chunk in exact_diff(a, b, backend) if op == 0)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=300, deadline=None)
@given(a=tokens, b=tokens)
def test_lcs_counts_the_equal_runs_of_the_diff(backend, a, b):
    assert equal_length(a, b) == _equal_by_diff(a, b, backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lcs_counts_the_equal_runs_of_revised_texts(backend):
    """Long token strings, lightly and heavily revised (the random strings
    above are short)."""
    rng = random.Random(18)
    for rate in (0.02, 0.2, 0.6):
        a = [chr(0xE000 + rng.randrange(40)) for _ in range(400)]
        b = [chr(0xE000 + rng.randrange(40)) if rng.random() < rate else t for t in a if rng.random() > rate / 2]
        assert equal_length("".join(a), "".join(b)) == _equal_by_diff("".join(a), "".join(b), backend)


def _bag_overlap(a: str, b: str) -> int:
    left, right = Counter(a), Counter(b)
    return sum(min(c, right[t]) for t, c in left.items() if t in right)


@settings(max_examples=300, deadline=None)
@given(a=tokens, b=tokens)
def test_shared_bag_is_the_common_subsequence_of_sorted_tokens(a, b):
    aligner = align_module._ContentAligner([a], [b])
    aligner.a, aligner.b = [a], [b]  # the stand-ins themselves, not the words they would be
    assert aligner._overlap(0, 0) == _bag_overlap(a, b)


def _longest_by_table(keys: list[int]) -> int:
    best = [1] * len(keys)
    for i in range(len(keys)):
        for j in range(i):
            if keys[j] < keys[i]:
                best[i] = max(best[i], best[j] + 1)
    return max(best, default=0)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=40))
def test_increasing_run_is_a_longest_one(keys):
    items = list(enumerate(keys))
    run = longest_increasing(keys, items)
    assert len(run) == _longest_by_table(keys)
    assert [i for i, _ in run] == sorted(i for i, _ in run)  # in order
    assert all(x[1] < y[1] for x, y in zip(run, run[1:]))  # strictly increasing


def test_token_table_draws_stand_ins_in_order_and_marks_words():
    table = TokenTable()
    assert table.encode(["the", " ", "cat", " ", "the", ","]) == "\ue000\ue001\ue002\ue001\ue000\ue003"
    assert table.words == {"\ue000", "\ue002"}
    assert [ord(table.code(f"w{n}")) for n in range(3)] == [diff_module._code_point(n) for n in range(4, 7)]
    assert table.code("") == ""  # an ignored token stands for nothing


def test_token_table_full_raises_or_shares():
    small = TokenTable(size=3)
    small.encode(["a", "b", "c"])
    with pytest.raises(TokenTableFull, match="distinct tokens"):
        small.code("d")
    shared = TokenTable(size=3, share=True)
    codes = shared.encode(["a", "b", "c", "d", "e"])
    assert len(codes) == 5 and set(codes[3:]) <= set(chr(p) for span in diff_module.ALL_POINTS for p in span)
    assert shared.encode(["d"]) == codes[3]  # a shared stand-in stays the token's


def test_one_set_up_for_every_diff_match_patch():
    """Every diff-match-patch runs with no time limit (its default of one
    second degrades long diffs silently), made by one factory."""
    assert new_dmp().Diff_Timeout == 0 and new_dmp().Diff_EditCost == diff_module.EDIT_COST
    assert diff_module._TokenDiffer(set()).Diff_Timeout == 0
    made_elsewhere = [
        path.relative_to(REPO).as_posix()
        for path in (REPO / "edition").rglob("*.py")
        if path.name != "diff.py" and ("diff_match_patch()" in path.read_text(encoding="utf-8") or "import diff_match_patch" in path.read_text(encoding="utf-8"))
    ]
    assert made_elsewhere == []


# --- Paragraph pairing, fast against slow ---------------------------------------


@pytest.fixture(params=BACKENDS)
def slow_counts(request, monkeypatch):
    """Make the content aligner count as it did before rapidfuzz: equal runs
    from a diff-match-patch diff on the given backend, bags as Counters."""
    backend = request.param

    def fast_and_slow(a: str, b: str, *_) -> int:
        return _equal_by_diff(a, b, backend)

    def overlap(self, i: int, j: int) -> int:
        key = (i, j)
        if key not in self.bounds:
            self.bounds[key] = _bag_overlap(self.a[i], self.b[j])
        return self.bounds[key]

    def use() -> None:
        monkeypatch.setattr(align_module, "equal_length", fast_and_slow)
        monkeypatch.setattr(align_module._ContentAligner, "_overlap", overlap)

    return use


def _revised(paragraphs: list[str], seed: int) -> list[str]:
    """A revision: words changed and dropped, paragraphs merged, split and left out."""
    rng = random.Random(seed)
    out: list[str] = []
    for text in paragraphs:
        words = [w.upper() if rng.random() < 0.05 else w for w in text.split() if rng.random() > 0.03]
        r = rng.random()
        if r < 0.05:
            continue
        if r < 0.1 and out:
            out[-1] += " " + " ".join(words)
        elif r < 0.15 and len(words) > 4:
            out += [" ".join(words[: len(words) // 2]), " ".join(words[len(words) // 2 :])]
        else:
            out.append(" ".join(words))
    return out


def _real_pairs(real_data: Path) -> list[tuple[list[str], list[str]]]:
    versions = real_data / "versions"
    read = lambda name: [p.text for p in read_delivery(versions / name).paragraphs]  # noqa: E731
    gogol = read("gogol-shinel.hapgood-1886.en.txt"), read("gogol-shinel.field-1916.en.txt")
    letter = read("gdr-fischer-to-axen-1973.translation-A.en.txt"), read("gdr-fischer-to-axen-1973.translation-B.en.txt")
    wilson = [p.text for path in sorted((real_data / "wilson").glob("*.txt")) for p in read_delivery(path).paragraphs]
    return [gogol, letter, (gogol[0], _revised(gogol[0], 1)), (wilson, _revised(wilson, 2))]


def _beads(a: list[str], b: list[str]) -> list[tuple]:
    return [(bead.segments, bead.paragraphs, bead.confidence, bead.flagged) for bead in align(a, b, same_language=True).beads]


def test_pairing_with_fast_counts_is_pairing_with_slow_ones(real_data, slow_counts):
    pairs = _real_pairs(real_data)
    fast = [_beads(a, b) for a, b in pairs]
    slow_counts()
    assert [_beads(a, b) for a, b in pairs] == fast


def test_compare_of_two_files_is_the_slow_reference_run_as_a_command(real_data, tmp_path, slow_counts):
    """`edition compare FILE FILE --format json` in a process of its own
    prints what the comparison with the slow counts gives."""
    paragraphs = [p.text for path in sorted((real_data / "wilson").glob("*.txt")) for p in read_delivery(path).paragraphs]
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    b.write_text("\n\n".join(_revised(paragraphs, 3)) + "\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "edition", "compare", str(a), str(b), "--format", "json"],
        capture_output=True, text=True, encoding="utf-8", env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    slow_counts()
    texts = [[p.text for p in read_delivery(path).paragraphs] for path in (a, b)]
    reference = to_json(compare_paragraphs(texts[0], texts[1], str(a), str(b)))
    assert json.loads(done.stdout) == reference
    assert len(reference["segments"]) > 50 and any(s["changed"] for s in reference["segments"])
