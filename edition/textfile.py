"""Reading a user's text file: size limit, UTF-8 with or without BOM, any
line endings, NFC; a bad byte is reported with its line and column."""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path

from .errors import EditionError

MAX_FILE_BYTES = 64 * 1024 * 1024


def read_bytes(path: Path, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` (default
    MAX_FILE_BYTES) bytes, or an error.

    Hardening (issue 7): only regular files are read (a FIFO or /dev/zero
    has no size to check and would block or fill the memory), a folder or an
    unreadable file is an error rather than a traceback, and no more than
    `limit` + 1 bytes are ever read, even from a file that grows meanwhile."""
    path = Path(path)
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        if path.is_dir():
            raise EditionError.at("is a folder, not a file", path, hint="name the file inside it")
        # O_NONBLOCK: opening a FIFO must not wait for a writer; what was
        # opened is checked (fstat), so nothing can be swapped in between.
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise EditionError.at("not a regular file", path, hint="save the text to a file and name that")
            if info.st_size > limit:
                raise _too_large(path, info.st_size, limit)
            # read(n) allocates n bytes at once: ask for the size it has.
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew, or tells no size (/proc)
                data += handle.read(limit + 1 - len(data))
    except OSError as exc:
        raise EditionError.at(f"cannot read: {exc.strerror or exc}", path) from None
    if len(data) > limit:
        raise _too_large(path, len(data), limit)
    return data


def _too_large(path: Path, size: int, limit: int) -> EditionError:
    return EditionError.at(
        f"file is too large ({size / 1e6:.0f} MB, the limit is {limit // 2**20} MiB)",
        path,
        hint="split it into several documents",
    )


def read_text(path: Path, nfc: bool = True) -> str:
    """The file's text as NFC, or an error naming the byte that is wrong.
    YAML is read with `nfc=False` and its values normalised after parsing:
    normalising the raw text could join an escape's last hex digit with a
    combining mark after it ("\\U000232CA" + U+0300 → "…C" + "À")."""
    data = read_bytes(path)
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
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text) if nfc else text
