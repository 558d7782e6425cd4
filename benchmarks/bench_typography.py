"""Print typography's share of a build: the CPU time of the first render of
the volume's HTML in a fresh process (the build's first render; later ones
find their texts remembered), with `typography` on and off, over the
450-document edition of the build benchmark (benchmarks/corpora.py: the
King James Version and the American Standard Version, English)."""

from __future__ import annotations

import subprocess
import sys

import bible
import corpora
from common import fresh

RENDER = """
import sys, time
from pathlib import Path
from edition.api import open_workspace
from edition.render import templates_dirs
from edition.render.html import render_volume
root = Path(sys.argv[1])
edition = open_workspace(root).edition
edition.typography = sys.argv[2] == "on"
start = time.process_time()
render_volume(edition, templates_dirs(root), register=edition.register)
print(time.process_time() - start)
"""


def run() -> list[dict]:
    if not bible.available():
        return [{"operation": "typography", "size": "skipped: pip install -e .[bench]", "seconds": 0.0}]
    root = fresh("typography-450")
    corpora.write_edition(root, 450, 24)
    cpu = {}
    for setting in ("off", "on"):
        runs = [subprocess.run([sys.executable, "-c", RENDER, str(root), setting], capture_output=True, text=True, check=True) for _ in range(3)]
        cpu[setting] = min(float(done.stdout.split()[-1]) for done in runs)
    return [
        {"operation": "render the volume's HTML, typography off", "size": "450 docs", "seconds": cpu["off"], "target": "(CPU, first render)"},
        {
            "operation": "render the volume's HTML, typography on",
            "size": "450 docs",
            "seconds": cpu["on"],
            "target": "(CPU, first render)",
            "ratio": cpu["on"] / cpu["off"],
            "peer": "typography off",
        },
    ]
