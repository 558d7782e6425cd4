"""The names register at scale: 10,000 names of three forms each (one of
them ending in `*`) over the 1,000-document edition of the build benchmark
(benchmarks/corpora.py), found by `edition names` as a real process; and
the peer, the one regular expression over all forms that the register used
before (the same results; its time grows with names × text), run in-process
at 1,000 names over the first document only (about 11 s: over ten
documents it took 112 s, over the whole edition it would take hours).

`EDITION_BENCH_NAMES=1000,10000` picks the register sizes."""

from __future__ import annotations

import os
import re
import sys
import time
from pathlib import Path

from common import EDITION, REPO, fresh, timed

sys.path.insert(0, str(REPO))  # the former matcher is the tests' reference
from tests.former_register import former_pattern  # noqa: E402

import corpora

SIZES = tuple(int(n) for n in os.environ.get("EDITION_BENCH_NAMES", "1000,10000").split(","))
PEER_NAMES = 1000
PEER_DOCUMENTS = 1


def write_register(root: Path, count: int) -> None:
    """`count` names: the capitalised words of the texts first (so that
    many forms occur), then made-up ones; three forms each."""
    from edition import yamlio

    words = set()
    for path in sorted((root / "seeds").glob("*.yaml"))[:200]:
        words.update(re.findall(r"\b[A-Z][a-z]{3,}\b", path.read_text(encoding="utf-8")))
    real = sorted(words)
    persons = []
    for i in range(count):
        stem = real[i] if i < len(real) else f"Zed{i:05d}ovich"
        persons.append({"id": f"p{i:05d}", "name": stem, "forms": [stem, f"{stem} the Elder", f"{stem[:-1]}*"]})
    (root / "names.yaml").write_text(yamlio.dump({"persons": persons}), encoding="utf-8")


def run() -> list[dict]:
    root = fresh("names")
    corpora.write_edition(root, 1000, 24)
    rows = []
    for count in SIZES:
        write_register(root, count)
        seconds, peak = timed([str(EDITION), "names", "--json", "-C", str(root)], root, repeat=1)
        rows.append({"operation": "edition names (register)", "size": f"{count} names × 3 forms, 1000 docs",
                     "seconds": seconds, "peak_mb": peak, "target": "< 5 s at 10,000"})  # fmt: skip
        if count == PEER_NAMES:
            from edition.api import open_workspace
            from edition.names import matcher

            ws = open_workspace(root)
            texts = [t for d in ws.edition.documents[:PEER_DOCUMENTS] for s in d.segments for t in s.text.values()]
            start = time.perf_counter()
            automaton = matcher(ws.register)
            for text in texts:
                automaton.find(text)
            ours = time.perf_counter() - start
            pattern = former_pattern(ws.register)
            start = time.perf_counter()
            for text in texts:
                sum(1 for _ in pattern.finditer(text))
            old = time.perf_counter() - start
            size = f"{count} names, {PEER_DOCUMENTS} docs"
            rows.append({"operation": "names: matching only (automaton)", "size": size,
                         "seconds": ours, "ratio": old / ours if ours else None, "peer": "faster than one regex"})  # fmt: skip
            rows.append({"operation": "names: one regex (the former matcher)", "size": size, "seconds": old})
            print(f"names: automaton {ours:.2f} s, former regex {old:.2f} s ({size})", file=sys.stderr)
    return rows
