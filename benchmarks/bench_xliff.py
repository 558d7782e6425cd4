"""XLIFF out and in at the size of a real series: the 1,000-document
benchmark edition (KJV as the original, the ASV and its revision) exported
KJV → en (the ASV revision goes along as the existing targets), then each
file read back as a new layer by segment ids. Export is one process for
all documents; `translation add` takes one file a run, and each run reads
the whole edition, so its time is given per file (the median of ten)."""

from __future__ import annotations

import corpora
from common import EDITION, fresh, timed

DOCUMENTS = 1000
SAMPLE = 10  # files read back one by one, as a person runs them


def run() -> list[dict]:
    root = fresh("xliff")
    corpora.write_edition(root, DOCUMENTS, 24)
    seconds, peak = timed([str(EDITION), "export", "xliff", "--source", "kjv", "--target", "en", "--out", str(root / "xliff"), "-C", str(root)], root, repeat=1)
    rows = [{"operation": "edition export xliff", "size": f"{DOCUMENTS} docs", "seconds": seconds, "peak_mb": peak, "target": "< 10 s"}]
    files = sorted((root / "xliff").glob("*.xlf"))
    assert len(files) == DOCUMENTS, len(files)
    times, peak = [], 0.0
    for path in files[:SAMPLE]:
        seconds, mb = timed([str(EDITION), "translation", "add", path.name.split(".")[0], str(path), "--layer", "cat", "-C", str(root)], root, repeat=1)
        times.append(seconds)
        peak = max(peak, mb)
    times.sort()
    rows.append({"operation": "edition translation add FILE.xlf", "size": f"1 doc of {DOCUMENTS} (median of {SAMPLE})",
                 "seconds": times[len(times) // 2], "peak_mb": peak, "target": "< 2 s"})
    return rows
