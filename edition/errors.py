"""One family of errors that say where (file, line, column) and what to do,
so every command can report problems the way a compiler does."""

from __future__ import annotations

import errno
import re
from dataclasses import dataclass
from pathlib import Path

# Characters that must not reach a terminal as they are: C0 controls but tab
# and line feed (ESC starts the sequences that recolour, move the cursor or
# retitle the window), DEL, C1 controls (U+009B is a one-character ESC [),
# and lone surrogates (bytes that were not UTF-8; printing them fails).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` with control characters shown as escapes (ESC as `\\x1b`), for
    anything printed to a terminal that came from a user's file or command
    line: a note that holds an escape sequence prints it visibly."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def unprintable(text: str) -> str | None:
    """The first character of `text` that `printable` would escape, or None."""
    found = _UNPRINTABLE.search(text)
    return found.group() if found else None


@dataclass(frozen=True)
class Problem:
    """One finding about the user's files. Lines and columns are 1-based."""

    message: str
    path: Path | str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        label = "" if self.severity == "error" else f"{self.severity}: "
        text = f"{where}{label}{self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class EditionError(Exception):
    """A problem in the user's files or request; carries one or more Problems.

    Exit code 1 for the user's files, 2 for a wrong command line."""

    exit_code = 1

    def __init__(self, *problems: Problem):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = list(problems)

    @classmethod
    def at(cls, message, path=None, line=None, column=None, hint=None):
        return cls(Problem(message, path, line, column, hint))


class UsageError(EditionError):
    """The command line asked for something that cannot be (unknown id …)."""

    exit_code = 2


class LockedError(EditionError):
    """Another command is writing the same edition."""


# What to do when the system refuses a read or a write.
_OS_HINTS = {
    errno.ENOSPC: "free some space on that disk (or write elsewhere with --out) and run the command again",
    errno.EDQUOT: "your disk quota is used up: free some space and run the command again",
    errno.EACCES: "check the permissions of the file and its folder",
    errno.EPERM: "check the permissions of the file and its folder",
    errno.EROFS: "the disk is read-only: write elsewhere with --out",
    errno.EMFILE: "too many open files: raise the limit (ulimit -n) or use fewer --jobs",
}


def os_problem(exc: OSError) -> Problem:
    """A message for an OSError that names the file it concerns:
    `build/edition.pdf: No space left on device` with what to do."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    path = exc.filename
    if isinstance(path, bytes):
        path = path.decode("utf-8", "surrogateescape")
    if path is not None:
        path = Path(path)
        try:
            path = path.relative_to(Path.cwd())
        except (ValueError, OSError):
            pass
    return Problem(reason, path, hint=_OS_HINTS.get(exc.errno) if exc.errno is not None else None)
