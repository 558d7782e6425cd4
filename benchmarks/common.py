"""Helpers for the benchmarks: timing a command as a real process (start-up
included) with its peak memory, and making editions of a given size."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPORA = Path(__file__).resolve().parent / "corpora"
EDITION = Path(sys.executable).with_name("edition")


def timed(args: list[str], cwd: Path, repeat: int = 3) -> tuple[float, float]:
    """Best wall time of `repeat` runs and the peak RSS (MB) of a child."""
    best = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        done = subprocess.run(args, cwd=cwd, capture_output=True, env={**os.environ, "NO_COLOR": "1"})
        best = min(best, time.perf_counter() - start)
        if done.returncode not in (0,):
            raise RuntimeError(f"{args} failed: {done.stderr.decode()[-500:]}")
        peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return best, peak / 1024


def fresh(name: str) -> Path:
    path = CORPORA / name
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path
