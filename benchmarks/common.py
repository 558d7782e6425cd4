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


def tree_peak(args: list[str], cwd: Path, interval: float = 0.05) -> tuple[float, float, float]:
    """Run a command once: wall seconds, the peak of the summed resident
    memory (MB) of the process and all its descendants (workers included;
    ru_maxrss of children is only the largest single process), sampled
    from /proc every `interval` seconds, and the CPU seconds of the tree."""
    import tempfile

    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Output to a file, not a pipe nobody reads while we poll: a command
    # that prints more than a pipe holds would wait for ever.
    with tempfile.TemporaryFile() as err:
        process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err,
                                   env={**os.environ, "NO_COLOR": "1"})  # fmt: skip
        peak = 0
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(interval)
        seconds = time.perf_counter() - start
        if process.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{args} failed: {err.read().decode()[-500:]}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, peak / 1024, cpu


def _tree_rss(pid: int) -> int:
    """Resident kB of a process and its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, ()))
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total
