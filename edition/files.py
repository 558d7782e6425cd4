"""Files written whole or not at all: the atomic write every room uses
(the edition's sources, the PDF, the site, the layout cache), and the
digests that let a write refuse a file changed meanwhile.

Only the standard library and our errors: every room may import it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from pathlib import Path

from .errors import EditionError


# `expect` for a file that must not exist when it is written.
ABSENT = "absent"


def digest(text: str) -> str:
    """The digest of a file's text as read (UTF-8, no BOM, LF line ends)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def digest_on_disk(path: Path) -> str:
    """The digest of what `path` holds now, as `digest` of its text, or
    ABSENT. A file that is not a regular file gives a digest of nothing
    anyone read, so a write over it is refused."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return ABSENT
    except OSError as exc:
        return f"unreadable: {exc.errno}"
    with open(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            return "not a regular file"
        data = handle.read()
    data = data.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return hashlib.sha256(data).hexdigest()


def refuse_changed(path: Path) -> EditionError:
    return EditionError.at(
        "the file changed on disk while this command ran (edited by hand or by another program); it was not rewritten",
        path,
        hint="run the command again: it starts from the file as it is now",
    )


def atomic_write(path: Path, data: str | bytes, *, expect: str | None = None) -> None:
    """Write via a temporary file in the same folder, fsync, rename, fsync
    the folder: a crash leaves the old file or the new one, never half.

    With `expect` (a `digest`, or ABSENT for a new file), the file must
    still hold what was read: checked at the last moment, just before the
    rename, so that an edit made meanwhile is refused, not lost."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private (0600): give it the mode the old
        # file had, or what the user's umask gives a new file.
        try:
            info = os.lstat(path)
            mode = info.st_mode & 0o7777 if stat.S_ISREG(info.st_mode) else None
        except FileNotFoundError:
            mode = None
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if expect is not None and digest_on_disk(path) != expect:
            raise refuse_changed(path)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename in (None, tmp):  # name the file the user asked for
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
