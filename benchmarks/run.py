"""Run every benchmark (benchmarks/bench_*.py, each with a `run()` that
returns rows) and print one table: operation, size, wall time, peak memory,
and the ratio to a peer where one ran on the same input.

    .venv/bin/python benchmarks/run.py [NAME …]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        if names and path.stem.removeprefix("bench_") not in names:
            continue
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.path.insert(0, str(HERE))
        spec.loader.exec_module(module)
        print(f"running {path.stem} …", file=sys.stderr)
        rows.extend(module.run())
    header = ("operation", "size", "seconds", "peak MB", "target", "vs peer")
    table = [header] + [
        (
            r["operation"],
            str(r["size"]),
            f"{r['seconds']:.3f}",
            f"{r['peak_mb']:.0f}" if r.get("peak_mb") is not None else "",
            r.get("target", ""),
            f"{r['ratio']:.2f}× {r['peer']}" if r.get("ratio") else "",
        )
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
