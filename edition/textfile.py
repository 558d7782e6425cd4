"""Reading a user's text file: size limit, UTF-8 with or without BOM, any
line endings, NFC; a bad byte is reported with its line and column. The
table of size limits for every kind of input lives here, so that each is
checked before the input is read and named in the error."""

from __future__ import annotations

import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import EditionError

# The size of a file an edition keeps or receives, unless LIMITS says more.
MAX_FILE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Limit:
    """How large one kind of input may be, and what the error calls it."""

    what: str  # "a source file": completes "the limit for … is 64 MiB"
    size: int | None = None  # bytes; None: MAX_FILE_BYTES

    @property
    def bytes(self) -> int:
        return MAX_FILE_BYTES if self.size is None else self.size


# Every input is checked against one of these before it is read (an
# edition is untrusted input: a clone, a publisher's archive).
LIMITS: dict[str, Limit] = {
    "source": Limit("a source file"),  # .txt, .md: documents and deliveries
    "yaml": Limit("a YAML file of the edition"),  # edition.yaml, names.yaml, seeds/, translations/
    "tei": Limit("a TEI file"),
    "docx": Limit("a Word file's unpacked parts"),  # the sum of the real, decompressed sizes
    "template": Limit("a template or stylesheet", 8 * 1024 * 1024),
}


def human_size(size: int) -> str:
    """4294967296 → '4 GiB', 1536 → '1.5 KiB'."""
    value, unit = float(size), "bytes"
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            break
        value /= 1024
    if unit == "bytes":
        return f"{size} bytes"
    return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"


def too_large(path: Path, size: int | str, limit: Limit | int) -> EditionError:
    """'memo.txt is too large (4 GiB); the limit for a source file is 64 MiB'."""
    limit = limit if isinstance(limit, Limit) else Limit("a file", limit)
    size = human_size(size) if isinstance(size, int) else size
    return EditionError.at(
        f"{Path(path).name} is too large ({size}); the limit for {limit.what} is {human_size(limit.bytes)}",
        path,
        hint="split it into several files",
    )


def read_bytes(path: Path, limit: Limit | int | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` (default: that of a
    source file) bytes, or an error.

    Only regular files are read (a FIFO or /dev/zero
    has no size to check and would block or fill the memory), a folder or an
    unreadable file is an error rather than a traceback, and no more than
    `limit` + 1 bytes are ever read, even from a file that grows meanwhile."""
    path = Path(path)
    kind = LIMITS["source"] if limit is None else limit
    limit = kind.bytes if isinstance(kind, Limit) else kind
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
                raise too_large(path, info.st_size, kind)
            # read(n) allocates n bytes at once: ask for the size it has.
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grew, or tells no size (/proc)
                data += handle.read(limit + 1 - len(data))
    except OSError as exc:
        raise EditionError.at(f"cannot read: {exc.strerror or exc}", path) from None
    if len(data) > limit:
        raise too_large(path, f"more than {human_size(limit)}", kind)
    return data


def read_text(path: Path, nfc: bool = True, limit: Limit | None = None) -> str:
    """The file's text as NFC, or an error naming the byte that is wrong.
    YAML is read with `nfc=False` and its values normalised after parsing:
    normalising the raw text could join an escape's last hex digit with a
    combining mark after it ("\\U000232CA" + U+0300 → "…C" + "À")."""
    data = read_bytes(path, limit)
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
