"""Reading a user's text file: size limit, UTF-8 with or without BOM, any
line endings, NFC; a bad byte is reported with its line and column."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from .errors import EditionError

MAX_FILE_BYTES = 64 * 1024 * 1024


def read_text(path: Path) -> str:
    """The file's text as NFC, or an error naming the byte that is wrong."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise EditionError.at(f"cannot read: {exc.strerror}", path) from None
    if size > MAX_FILE_BYTES:
        raise EditionError.at(
            f"file is too large ({size / 1e6:.0f} MB, the limit is {MAX_FILE_BYTES // 2**20} MiB)",
            path,
            hint="split it into several documents",
        )
    data = path.read_bytes()
    if not data.strip():
        raise EditionError.at("file is empty", path, 1, 1, hint="write the document's fields, or remove the file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise EditionError.at(
            f"invalid UTF-8 (byte 0x{data[exc.start]:02x})",
            path,
            line,
            column,
            hint="save the file as UTF-8",
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        raise EditionError.at("NUL character in file", path, line, hint="the file is binary or corrupt")
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
