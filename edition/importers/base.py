"""What a delivered translation file holds once read: its paragraphs in
order (with their kind), the notes it carries (a Word file's footnotes) and
any metadata it states (Markdown front matter)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ..model import SegmentKind


@dataclass(frozen=True)
class Paragraph:
    text: str
    kind: SegmentKind = SegmentKind.PARAGRAPH


@dataclass(frozen=True)
class FileNote:
    """A note found in the file, anchored after `phrase` (its
    `occurrence`-th instance) in paragraph number `paragraph` (0-based)."""

    paragraph: int
    phrase: str
    text: str
    occurrence: int = 1


@dataclass
class Delivery:
    name: str
    sha256: str
    paragraphs: list[Paragraph] = field(default_factory=list)
    notes: list[FileNote] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)


def checksum(path: Path) -> str:
    """The file's SHA-256, read in pieces (a large file is never held whole)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def note_after(text: str, offset: int) -> tuple[str, int]:
    """The phrase (the word before `offset`) and its occurrence number that
    anchor a note placed at `offset` in `text`."""
    before = text[:offset].rstrip()
    words = before.split()
    if not words:
        return "", 1
    phrase = words[-1]
    return phrase, before.count(phrase)
