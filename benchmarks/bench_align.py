"""The paragraph aligner at the size of a long document: 2,000 paragraphs of
the Universal Declaration of Human Rights against their Russian translation,
against the translation of their middle third only (an excerpt, which the
aligner must place) and against a revised English text, best of three runs,
with peak memory. Run as a script it also measures accuracy on the
declaration itself (the articles are the gold correspondence), on scrambled
translations, and on published translations cut into excerpts (the figures
of tests/test_align_excerpts.py, with anchors on and off).

    .venv/bin/python benchmarks/bench_align.py
"""

from __future__ import annotations

import random
import re
import sys
import time
import tracemalloc
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UDHR = REPO.parent / "shared" / "data" / "udhr"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from edition.align import align  # noqa: E402

SIZE = 2000
TARGET = "< 1 s"


class _Units(HTMLParser):
    """The h2/h3 headings and the p/li paragraphs of a UDHR page, in order,
    each with the number of its article (0 for the preamble)."""

    def __init__(self) -> None:
        super().__init__()
        self.units: list[tuple[int, str]] = []
        self.article = 0
        self._tag: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3", "p") or (tag == "li" and self._tag is None):
            self._tag, self._text = tag, []

    def handle_endtag(self, tag):
        if tag != self._tag:
            return
        text = " ".join("".join(self._text).split())
        if text and tag in ("h2", "h3"):
            number = re.search(r"\d+", text)
            self.article = int(number.group()) if number else 0
        if text:
            self.units.append((self.article, text))
        self._tag = None

    def handle_data(self, data):
        if self._tag:
            self._text.append(data)


def udhr(name: str) -> list[tuple[int, str]]:
    parser = _Units()
    parser.feed((UDHR / name).read_text(encoding="utf-8"))
    return parser.units


def corpus(size: int = SIZE, seed: int = 1) -> tuple[list[str], list[str], list[str]]:
    """English base, its Russian translation and a revised English text of
    about `size` paragraphs: the declaration repeated, each copy's article
    numbers running on and a reference number in every tenth paragraph
    (grouped "5,005" in English, "5 005" in Russian), so that no two copies
    are alike. The revision changes words in a fifth of the paragraphs,
    drops and adds one in a hundred, and merges one pair in a hundred."""
    rng = random.Random(seed)
    en = [text for _, text in udhr("eng.html")]
    ru = [text for _, text in udhr("rus.html")]
    base: list[str] = []
    translation: list[str] = []
    copy = 0
    while len(base) < size:
        offset = copy * 30

        def vary(text: str, k: int, thousands: str) -> str:
            text = re.sub(r"^(Article|Статья) (\d+)$", lambda m: f"{m[1]} {int(m[2]) + offset}", text)
            if k % 10 == 5:
                text += f" ({1900 + copy}, No. {copy * 1000 + k:,})".replace(",", thousands).replace(thousands, ",", 1)
            return text

        base += [vary(t, k, ",") for k, t in enumerate(en)]
        translation += [vary(t, k, "\u00a0") for k, t in enumerate(ru)]
        copy += 1
    base, translation = base[:size], translation[: size * len(ru) // len(en)]
    revision: list[str] = []
    k = 0
    while k < len(base):
        roll = rng.random()
        text = base[k]
        if roll < 0.01:
            k += 1  # dropped
            continue
        if roll < 0.02:
            revision.append(f"An editorial paragraph added in revision {k}, with nothing like it in the base.")
        if roll < 0.03 and k + 1 < len(base):
            revision.append(text + " " + base[k + 1])
            k += 2
            continue
        if roll < 0.23:
            tokens = text.split()
            for _ in range(max(1, len(tokens) // 10)):
                tokens[rng.randrange(len(tokens))] = rng.choice(["shall", "every", "revised", "law", "person"])
            text = " ".join(tokens)
        revision.append(text)
        k += 1
    return base, translation, revision


def measure(base: list[str], new: list[str], same_language: bool, repeat: int = 3) -> tuple[float, float, float]:
    """Best wall time and best CPU time of `repeat` runs (the CPU time shows
    what the machine's other load added), and the peak traced memory (MB)
    of one more run."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        align(base, new, same_language=same_language)
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    tracemalloc.start()
    align(base, new, same_language=same_language)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return wall, cpu, peak


def run() -> list[dict]:
    base, translation, revision = corpus()
    third = len(translation) // 3
    excerpt = translation[third : 2 * third]
    rows = []
    for operation, new, same_language in (
        ("align translation (en→ru)", translation, False),
        ("align excerpt (middle third)", excerpt, False),
        ("align revision (en→en)", revision, True),
    ):
        seconds, cpu, peak = measure(base, new, same_language)
        rows.append({"operation": operation, "size": f"{len(base)}×{len(new)} ¶", "seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak, "target": TARGET})
    return rows


# --------------------------------------------------------------------------
# Accuracy on the declaration


def gold(base: list[tuple[int, str]], other: list[tuple[int, str]]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Units under one article number go together, in order; in the
    preamble, where English has one line more, "Now, therefore," and "The
    General Assembly" go with the one line that names the Assembly."""
    pairs = []
    for article in sorted({a for a, _ in base}):
        mine = [i for i, (a, _) in enumerate(base) if a == article]
        theirs = [j for j, (a, _) in enumerate(other) if a == article]
        if len(mine) == len(theirs) + 1:
            k = next(x for x, i in enumerate(mine) if base[i][1] == "Now, therefore,")
            pairs += [((i,), (j,)) for i, j in zip(mine[:k], theirs[:k])] + [((mine[k], mine[k + 1]), (theirs[k],))]
            mine, theirs = mine[k + 2 :], theirs[k + 1 :]
        pairs += [((i,), (j,)) for i, j in zip(mine, theirs)]
    return pairs


def accuracy() -> list[dict]:
    """Per language: gold beads found in the plain alignment, and how many
    scrambled translations (each paragraph in turn removed, merged with the
    next in its article, split at a sentence boundary) align exactly as
    expected away from the preamble's "Now, therefore,"."""
    english = udhr("eng.html")
    base = [t for _, t in english]
    now = next(i for i, (_, t) in enumerate(english) if t == "Now, therefore,")
    near = {now - 1, now, now + 1}
    rows = []
    for label, name in (("en→ru", "rus.html"), ("en→de", "deu_1996.html")):
        other = udhr(name)
        expected = gold(english, other)
        found = {(b.segments, b.paragraphs) for b in align(base, [t for _, t in other], same_language=False).beads}
        articles = [p for p in expected if english[p[0][0]][0] > 0]
        rows.append({"test": f"{label} plain", "correct": sum(p in found for p in expected), "total": len(expected)})
        rows.append({"test": f"{label} article units", "correct": sum(p in found for p in articles), "total": len(articles)})
        tallies: dict[str, list[int]] = {"removed": [0, 0], "merged": [0, 0], "split": [0, 0]}
        for source, (j,) in [p for p in expected if len(p[0]) == 1 and len(p[1]) == 1]:
            if other[j][1].startswith(("Статья", "Artikel", "Преамбула", "Präambel", "ПРЕАМБУЛА")):
                continue  # headings: the scrambles concern paragraphs
            variants = [("removed", [t for _, t in other[:j] + other[j + 1 :]], _shift(expected, j, -1, drop=[(j,)]) + [(source, ())])]
            follower = [s for s, t in expected if t == (j + 1,)]
            if j + 1 < len(other) and other[j + 1][0] == other[j][0] and follower and len(follower[0]) == 1:
                merged = [t for _, t in other[:j]] + [other[j][1] + " " + other[j + 1][1]] + [t for _, t in other[j + 2 :]]
                variants.append(("merged", merged, _shift(expected, j + 1, -1, drop=[(j,), (j + 1,)]) + [(source + follower[0], (j,))]))
            cuts = [m.end() for m in re.finditer(r"[.;] (?=[A-ZА-ЯÄÖÜ])", other[j][1])]
            if cuts:
                cut = cuts[len(cuts) // 2]
                parts = [other[j][1][:cut].strip(), other[j][1][cut:].strip()]
                split = [t for _, t in other[:j]] + parts + [t for _, t in other[j + 1 :]]
                variants.append(("split", split, _shift(expected, j, +1, drop=[(j,)]) + [(source, (j, j + 1))]))
            for kind, new, want in variants:
                got = [(b.segments, b.paragraphs) for b in align(base, new, same_language=False).beads]
                away = lambda pairs: sorted(p for p in pairs if not near & set(p[0]))  # noqa: E731
                tallies[kind][0] += away(got) == away(want) and len(got) == len(want)
                tallies[kind][1] += 1
        rows += [{"test": f"{label} one paragraph {kind}", "correct": c, "total": t} for kind, (c, t) in tallies.items()]
    return rows


def _shift(pairs, after: int, by: int, drop) -> list:
    """`pairs` without those whose paragraphs are in `drop`, paragraphs
    after `after` renumbered by `by`."""
    return [(s, tuple(j + by if j > after else j for j in t)) for s, t in pairs if t not in drop]


def main() -> int:
    rows = run()
    print(f"{'operation':<28}  {'size':<12}  {'seconds':>7}  {'cpu s':>7}  {'peak MB':>7}  target")
    for r in rows:
        print(f"{r['operation']:<28}  {r['size']:<12}  {r['seconds']:>7.3f}  {r['cpu_seconds']:>7.3f}  {r['peak_mb']:>7.1f}  {r['target']}")
    print()
    print(f"{'accuracy on the UDHR':<36}  correct")
    for r in accuracy():
        print(f"{r['test']:<36}  {r['correct']}/{r['total']}")
    print()
    from tests import test_align_excerpts

    test_align_excerpts.main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
