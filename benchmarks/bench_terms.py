"""The terminology check at scale: `edition terms check` and `edition terms
list` as real processes over the 1,000-document edition of the build
benchmark (benchmarks/corpora.py: the King James Version as the original,
the American Standard Version and a revision of it as translations, so two
translations per segment), with a term base of 20 terms, common words and
the phrases the ASV renders otherwise ("the LORD" → "Jehovah", "Holy
Ghost" → "Holy Spirit"). Every term is stemmed on both sides (Snowball,
English). The check exits 1 (it finds breaches); the time is what counts."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time

import corpora
from common import EDITION, fresh

TERMS = """\
lang: en
terms:
- {term: the LORD, preferred: {en: Jehovah}, avoid: {en: the LORD}, note: the ASV's rendering of the Name}
- {term: Holy Ghost, preferred: {en: Holy Spirit}, avoid: {en: Holy Ghost}}
- {term: charity, preferred: {en: love}}
- {term: children of Israel, preferred: {en: children of Israel}}
- {term: king, preferred: {en: king}}
- {term: son, preferred: {en: son}}
- {term: land, preferred: {en: land}}
- {term: people, preferred: {en: people}}
- {term: city, preferred: {en: city}}
- {term: heaven, preferred: {en: heaven}}
- {term: house, preferred: {en: house}}
- {term: servant, preferred: {en: servant}, avoid: {en: slave}}
- {term: priest, preferred: {en: priest}}
- {term: offering, preferred: {en: offering}}
- {term: commandment, preferred: {en: commandment}}
- {term: father, preferred: {en: father}}
- {term: brother, preferred: {en: brother}}
- {term: sword, preferred: {en: sword}}
- {term: covenant, preferred: {en: covenant}}
- {term: wilderness, preferred: {en: wilderness}}
"""


def _run(args: list[str], cwd) -> tuple[float, float, int]:
    """Wall time, peak RSS (MB) and exit code of one run."""
    start = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, capture_output=True, env={**os.environ, "NO_COLOR": "1"}, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1) or not done.stdout:  # 1: breaches found
        raise RuntimeError(f"{args} failed: {done.stderr.decode()[-500:]}")
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, done.returncode


def run() -> list[dict]:
    root = fresh("terms")
    corpora.write_edition(root, 1000, 24)
    (root / "terms.yaml").write_text(TERMS, encoding="utf-8")
    rows = []
    for command in ("check", "list"):
        best, peak = float("inf"), 0.0
        for _ in range(2):
            seconds, peak, _ = _run([str(EDITION), "terms", command, "-C", str(root)], root)
            best = min(best, seconds)
        rows.append({"operation": f"edition terms {command}", "size": "20 terms, 1000 docs × 8 segments × 2 translations",
                     "seconds": best, "peak_mb": peak, "target": "< 10 s"})  # fmt: skip
        print(f"terms {command}: {best:.2f} s", file=sys.stderr)
    return rows
