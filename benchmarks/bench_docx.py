"""Word out and in at the size of a real series: the 1,000-document
benchmark edition (KJV as the original, the ASV and its revision) as one
Word manuscript with its footnotes; then translators' kits KJV → en (the
ASV revision goes along as the filled-in target column), each read back
as a new layer by segment ids. `translation add` takes one kit a run, and
each run reads the whole edition, so its time is given per kit (the median
of ten)."""

from __future__ import annotations

import corpora
from common import EDITION, fresh, timed

DOCUMENTS = 1000
SAMPLE = 10  # kits made and read back one by one, as a person runs them


def run() -> list[dict]:
    root = fresh("docx")
    corpora.write_edition(root, DOCUMENTS, 24)
    out = root / "build" / "edition.docx"
    seconds, peak = timed([str(EDITION), "export", "docx", "--out", str(out), "-C", str(root)], root, repeat=1)
    rows = [{"operation": "edition export docx", "size": f"{DOCUMENTS} docs, {out.stat().st_size / 1e6:.1f} MB",
             "seconds": seconds, "peak_mb": peak, "target": "< 30 s"}]
    documents = sorted(path.stem for path in (root / "seeds").glob("*.yaml"))[:SAMPLE]
    made, added, peak = [], [], 0.0
    for doc in documents:
        kit = root / "kits" / f"{doc}.docx"
        seconds, mb = timed([str(EDITION), "export", "docx", doc, "--kit", "--source", "kjv", "--target", "en", "--out", str(kit), "-C", str(root)], root, repeat=1)
        made.append(seconds)
        seconds, mb2 = timed([str(EDITION), "translation", "add", doc, str(kit), "--layer", "kit", "-C", str(root)], root, repeat=1)
        added.append(seconds)
        peak = max(peak, mb, mb2)
    made.sort()
    added.sort()
    rows.append({"operation": "edition export docx DOC --kit", "size": f"1 doc of {DOCUMENTS} (median of {SAMPLE})",
                 "seconds": made[len(made) // 2], "peak_mb": peak, "target": "< 2 s"})
    rows.append({"operation": "edition translation add KIT.docx", "size": f"1 doc of {DOCUMENTS} (median of {SAMPLE})",
                 "seconds": added[len(added) // 2], "peak_mb": peak, "target": "< 2 s"})
    return rows
