"""Compare and collate at the size of a whole Bible: the King James Version
and the American Standard Version as two layers of one document (one
segment per verse, about 31,000 segments and 800,000 words each), and as
two plain files against `git diff --no-index --word-diff=porcelain`.

Each command runs once per diff backend (diff-match-patch's C++ build where
fast-diff-match-patch is installed, and the pure-Python one), with the
process's own peak memory and CPU time (user + system, all its processes),
and the machine's load when it started: on a shared machine the wall time
follows the load, the CPU time much less, so the ratio to git is given for
both."""

from __future__ import annotations

import os
import random
import subprocess
import tempfile
import time
from pathlib import Path

from common import EDITION, fresh

from edition import store, yamlio
from edition.diff import BACKENDS
from edition.model import Document, Layer, LayerRole, Segment

import bible

GNU_TIME = "/usr/bin/time"


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


def _verdict(target: str, value: float, limit: float, unit: str = " s") -> str:
    """The target, and whether this run met it or by how much it missed."""
    return f"{target}: met" if value <= limit else f"{target}: missed ({value:.1f}{unit}, {value / limit:.1f}× the target)"


def _load() -> str:
    """The machine's load average over the last minute, and its processors."""
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def _timed(args: list[str], cwd, backend: str, repeat: int = 1, ok: tuple[int, ...] = ()) -> tuple[float, float, float]:
    """Best wall time of `repeat` runs, and that command's own peak RSS (MB)
    and CPU seconds (user + system), its worker processes included. GNU
    time starts the command: a child forked from this process (which holds
    two Bibles) would report this process's memory as its own."""
    best, peak, cpu = float("inf"), 0.0, 0.0
    env = {**os.environ, "NO_COLOR": "1", "EDITION_DIFF_BACKEND": backend}
    for _ in range(repeat):
        with tempfile.NamedTemporaryFile("r") as report, tempfile.TemporaryFile() as errors:
            start = time.perf_counter()
            done = subprocess.run([GNU_TIME, "-o", report.name, "-f", "%M %U %S", *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=errors, env=env)
            seconds = time.perf_counter() - start
            if done.returncode and done.returncode not in ok:
                errors.seek(0)
                raise RuntimeError(f"{args} failed: {errors.read().decode()[-500:]}")
            kb, user, system = report.read().split()[-3:]
        if seconds < best:
            best, cpu = seconds, float(user) + float(system)
        peak = max(peak, int(kb) / 1024)
    return best, peak, cpu


def run() -> list[dict]:
    if not Path(GNU_TIME).exists():
        return [{"operation": "compare (KJV/ASV)", "size": f"skipped: no {GNU_TIME} (apt-get install time)", "seconds": 0.0}]
    if not bible.available():
        return [{"operation": "compare (KJV/ASV)", "size": "skipped: pip install -e .[bench]", "seconds": 0.0}]
    kjv, asv = bible.verses("kjv"), bible.verses("asv")
    words = sum(len(t.split()) for _, t in kjv)
    root = fresh("bible")
    _edition(root, kjv, asv)
    rows = []
    a, b = root / "kjv.txt", root / "asv.txt"
    a.write_text("\n\n".join(t for _, t in kjv) + "\n", encoding="utf-8")
    b.write_text("\n\n".join(t for _, t in asv) + "\n", encoding="utf-8")
    for backend in BACKENDS:
        load = _load()
        seconds, peak, cpu = _timed([str(EDITION), "compare", "bible", "kjv", "asv", "--format", "json"], root, backend)
        rows.append({"operation": f"compare DOC kjv asv --format json [{backend}]", "size": f"{len(kjv)} segments, {words} words; CPU {cpu:.1f} s; {load}",
                     "seconds": seconds, "peak_mb": peak, "target": _verdict("< 3 s", seconds, 3.0) + f", < 500 MB: {'met' if peak < 500 else 'missed'}"})  # fmt: skip
        # The same texts as plain files, against git's word diff timed in
        # the same run, the same way (best of three: it takes a fraction of a second).
        git_seconds, _, git_cpu = _timed(["git", "diff", "--no-index", "--exit-code", "--word-diff=porcelain", str(a), str(b)], root, backend, repeat=3, ok=(1,))
        load = _load()
        seconds, peak, cpu = _timed([str(EDITION), "compare", str(a), str(b), "--format", "json"], root, backend)
        rows.append({"operation": f"compare FILE FILE --format json [{backend}]",
                     "size": f"{a.stat().st_size // 1_000_000} MB; CPU {cpu:.1f} s = {cpu / max(git_cpu, 0.01):.0f}× git's ({git_cpu:.2f} s); {load}",
                     "seconds": seconds, "peak_mb": peak, "target": _verdict("< 5× git", seconds / git_seconds, 5.0, "×"),
                     "ratio": seconds / git_seconds, "peer": f"git diff --word-diff ({git_seconds:.2f} s)"})  # fmt: skip
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
    for backend in BACKENDS:
        seconds, peak, cpu = _timed([str(EDITION), "collate", "genesis", "asv", "x", "--base", "kjv", "--format", "json"], doc_root, backend, repeat=3)
        rows.append({"operation": f"collate DOC (3 versions) [{backend}]", "size": f"{total} words; CPU {cpu:.1f} s", "seconds": seconds, "peak_mb": peak, "target": "< 1 s"})
    return rows
