"""Importers: one module per input format, each turning a source file into
model Documents. `read(path)` picks the importer by the file's extension."""

from __future__ import annotations

from pathlib import Path

from ..errors import EditionError
from ..textfile import read_text as read_source
from . import text
from .text import ImportResult

FORMATS = {".txt": "text", ".text": "text", "": "text"}


def read(path: Path, *, lang: str = "en") -> ImportResult:
    """Import the documents in `path`. Raises EditionError for a file that
    cannot be read (wrong encoding, empty, too large, unknown format)."""
    path = Path(path)
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise EditionError.at(
            f"cannot import '{path.suffix}' files yet",
            path,
            hint="save the document as plain text (.txt)",
        )
    result = text.read_text(read_source(path), lang=lang, name=path.stem)
    if not result.documents:
        raise EditionError.at("no document found in the file", path, 1, 1, hint="the file holds only blank lines")
    return result


__all__ = ["ImportResult", "read"]
