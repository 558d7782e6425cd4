"""The paragraph aligner at the size of a long document: 2,000 paragraphs of
the Universal Declaration of Human Rights (English against Russian, and
English against a revised English), best of three runs, with peak memory.

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
sys.path.insert(0, str(REPO))

from edition.align import align  # noqa: E402

SIZE = 2000
TARGET = "< 1 s"


class _Units(HTMLParser):
    """The h2/h3 headings and the p/li paragraphs of a UDHR page, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.units: list[str] = []
        self._tag: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "h3", "p") or (tag == "li" and self._tag is None):
            self._tag, self._text = tag, []

    def handle_endtag(self, tag):
        if tag == self._tag:
            text = " ".join("".join(self._text).split())
            if text:
                self.units.append(text)
            self._tag = None

    def handle_data(self, data):
        if self._tag:
            self._text.append(data)


def udhr(name: str) -> list[str]:
    parser = _Units()
    parser.feed((UDHR / name).read_text(encoding="utf-8"))
    return parser.units


def corpus(size: int = SIZE, seed: int = 1) -> tuple[list[str], list[str], list[str]]:
    """English base, its Russian translation and a revised English text of
    about `size` paragraphs: the declaration repeated, each copy's article
    numbers running on and a number of its own in every tenth paragraph, so
    that no two copies are alike. The revision changes words in a fifth of
    the paragraphs, drops and adds a few and merges a few pairs."""
    rng = random.Random(seed)
    en, ru = udhr("eng.html"), udhr("rus.html")
    base: list[str] = []
    translation: list[str] = []
    copy = 0
    while len(base) < size:
        offset = copy * 30

        def renumber(text: str, k: int) -> str:
            text = re.sub(r"^(Article|Статья) (\d+)$", lambda m: f"{m[1]} {int(m[2]) + offset}", text)
            if k % 10 == 5:
                text += f" ({1900 + copy}, No. {copy * 1000 + k:,})".replace(",", " " if text.isascii() is False else ",")
            return text

        base += [renumber(t, k) for k, t in enumerate(en)]
        translation += [renumber(t, k) for k, t in enumerate(ru)]
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


def measure(base: list[str], new: list[str], same_language: bool, repeat: int = 3) -> tuple[float, float, int]:
    """Best wall time of `repeat` runs, peak traced memory (MB), and beads."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = align(base, new, same_language=same_language)
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    align(base, new, same_language=same_language)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak, len(result.beads)


def run() -> list[dict]:
    base, translation, revision = corpus()
    rows = []
    seconds, peak, _ = measure(base, translation, same_language=False)
    rows.append({"operation": "align translation (en→ru)", "size": f"{len(base)}×{len(translation)} ¶", "seconds": seconds, "peak_mb": peak, "target": TARGET})
    seconds, peak, _ = measure(base, revision, same_language=True)
    rows.append({"operation": "align revision (en→en)", "size": f"{len(base)}×{len(revision)} ¶", "seconds": seconds, "peak_mb": peak, "target": TARGET})
    return rows


def main() -> int:
    rows = run()
    print(f"{'operation':<28}  {'size':<12}  {'seconds':>7}  {'peak MB':>7}  target")
    for r in rows:
        print(f"{r['operation']:<28}  {r['size']:<12}  {r['seconds']:>7.3f}  {r['peak_mb']:>7.1f}  {r['target']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
