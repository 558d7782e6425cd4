"""Start-up, import and validate at the sizes of a real documentary series:
the seed texts varied into 1,000 plain-text documents."""

from __future__ import annotations

from common import EDITION, REPO, fresh, timed

SIZES = (100, 1000)


def _sources(folder, count: int) -> list:
    """`count` plain-text documents made from the seed letters, each with
    its own title and date so that each gets its own id."""
    folder.mkdir(parents=True, exist_ok=True)
    seed = (REPO / "seeds" / "sources" / "003_19ea646c6e76e04b.txt").read_text(encoding="utf-8")
    body = seed.split("\n\n\n", 1)[1].rsplit("Translated from", 1)[0]
    paths = []
    for i in range(count):
        text = body.replace("Anonymous Letter to", f"Letter {i} to", 1).replace("Anonymous Letter from", f"Letter {i} from", 1)
        text = text.replace("18 September 1956", f"{1 + i % 28} September {1950 + i % 40}", 1)
        text = text.replace("14 November 1956", f"{1 + i % 28} November {1950 + i % 40}", 1)
        path = folder / f"letter-{i:04d}.txt"
        path.write_text(text + "\nTranslated from the Russian by Tahir Asghar.\n", encoding="utf-8")
        paths.append(path)
    return paths


def run() -> list[dict]:
    rows = []
    seconds, peak = timed([str(EDITION), "--help"], REPO, repeat=5)
    rows.append({"operation": "edition --help", "size": "-", "seconds": seconds, "peak_mb": peak, "target": "< 0.3 s"})
    seconds, peak = timed([str(EDITION), "list"], REPO, repeat=5)
    rows.append({"operation": "edition list (sample)", "size": "3 docs", "seconds": seconds, "peak_mb": peak, "target": "< 0.3 s"})
    for size in SIZES:
        root = fresh(f"import-{size}")
        sources = _sources(root / "in", size // 2)  # two documents a file
        ed = root / "ed"
        timed([str(EDITION), "init", str(ed)], root, repeat=1)
        seconds, peak = timed([str(EDITION), "import", *map(str, sources), "--replace", "-C", str(ed)], root, repeat=1)
        rows.append({"operation": "edition import", "size": f"{size} docs", "seconds": seconds, "peak_mb": peak, "target": "< 10 s at 1,000"})
        seconds, peak = timed([str(EDITION), "validate", "-C", str(ed)], root)
        rows.append({"operation": "edition validate", "size": f"{size} docs", "seconds": seconds, "peak_mb": peak, "target": "< 3 s at 1,000"})
    return rows
