"""Compare and collate at the size of a whole Bible: the King James Version
and the American Standard Version as two layers of one document (one
segment per verse, about 31,000 segments and 800,000 words each), and as
two plain files against `git diff --no-index --word-diff=porcelain`."""

from __future__ import annotations

import random
import subprocess
import time

from common import EDITION, fresh, timed

from edition import store, yamlio
from edition.model import Document, Layer, LayerRole, Segment

import bible


def _edition(root, kjv, asv) -> None:
    asv_text = dict(asv)
    doc = Document(
        id="bible",
        title="The Bible (KJV and ASV)",
        layers=[Layer("kjv", "en", LayerRole.TRANSLATION, translator="King James Version"), Layer("asv", "en", revises="kjv", translator="American Standard Version")],
        segments=[Segment(vid.replace(".", "-"), text={"kjv": text, **({"asv": asv_text[vid]} if vid in asv_text else {})}) for vid, text in kjv],
    )
    (root / "edition.yaml").write_text("title: Bible benchmark\n", encoding="utf-8")
    (root / "seeds").mkdir()
    (root / "seeds" / "bible.yaml").write_text(yamlio.dump(store.document_tree(doc)), encoding="utf-8")


def _third_version(texts: list[str], seed: int) -> list[str]:
    """A third witness: the KJV with one word in twenty changed or dropped."""
    rng = random.Random(seed)
    out = []
    for text in texts:
        words = text.split()
        for i in range(len(words)):
            r = rng.random()
            if r < 0.03:
                words[i] = words[i].upper()
            elif r < 0.05:
                words[i] = ""
        out.append(" ".join(w for w in words if w))
    return out


def run() -> list[dict]:
    if not bible.available():
        return [{"operation": "compare (KJV/ASV)", "size": "skipped: pip install -e .[bench]", "seconds": 0.0}]
    kjv, asv = bible.verses("kjv"), bible.verses("asv")
    words = sum(len(t.split()) for _, t in kjv)
    root = fresh("bible")
    _edition(root, kjv, asv)
    rows = []
    seconds, peak = timed([str(EDITION), "compare", "bible", "kjv", "asv", "--format", "json"], root, repeat=1)
    rows.append({"operation": "compare DOC kjv asv --format json", "size": f"{len(kjv)} segments, {words} words", "seconds": seconds, "peak_mb": peak, "target": "< 3 s, < 500 MB"})
    # The same texts as plain files, against git's word diff.
    a, b = root / "kjv.txt", root / "asv.txt"
    a.write_text("\n\n".join(t for _, t in kjv) + "\n", encoding="utf-8")
    b.write_text("\n\n".join(t for _, t in asv) + "\n", encoding="utf-8")
    start = time.perf_counter()
    subprocess.run(["git", "diff", "--no-index", "--word-diff=porcelain", str(a), str(b)], capture_output=True)
    git_seconds = time.perf_counter() - start
    seconds, peak = timed([str(EDITION), "compare", str(a), str(b), "--format", "json"], root, repeat=1)
    rows.append({"operation": "compare FILE FILE --format json", "size": f"{a.stat().st_size // 1_000_000} MB", "seconds": seconds, "peak_mb": peak,
                 "target": "< 5× git", "ratio": seconds / git_seconds, "peer": f"git diff --word-diff ({git_seconds:.2f} s)"})  # fmt: skip
    # Collation of three versions of a 10,000-word document.
    count, total = 0, 0
    while total < 10_000:
        total += len(kjv[count][1].split())
        count += 1
    doc_root = fresh("collate")
    base = [t for _, t in kjv[:count]]
    asv_part = [asv[i][1] for i in range(count)]
    third = _third_version(base, 7)
    doc = Document(
        id="genesis",
        title="Genesis 1–16",
        layers=[Layer("kjv", "en"), Layer("asv", "en", revises="kjv"), Layer("x", "en", revises="kjv")],
        segments=[Segment(f"v{i}", text={"kjv": base[i], "asv": asv_part[i], "x": third[i]}) for i in range(count)],
    )
    (doc_root / "edition.yaml").write_text("title: Collation benchmark\n", encoding="utf-8")
    (doc_root / "seeds").mkdir()
    (doc_root / "seeds" / "genesis.yaml").write_text(yamlio.dump(store.document_tree(doc)), encoding="utf-8")
    seconds, peak = timed([str(EDITION), "collate", "genesis", "asv", "x", "--base", "kjv", "--format", "json"], doc_root, repeat=3)
    rows.append({"operation": "collate DOC (3 versions)", "size": f"{total} words", "seconds": seconds, "peak_mb": peak, "target": "< 1 s"})
    return rows
