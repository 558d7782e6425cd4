"""The one rule for ids (documents, layers, segments, notes, names):
an id becomes a file name (seeds/<id>.yaml, translations/<doc>/<layer>.yaml,
<id>.html, <id>.xml), so it must name one file inside its folder and read
the same in every shell, file system and font.

ASCII letters, digits, '_' and '-', with single dots only between such runs
(`en.2`), starting with a letter or digit, at most MAX_ID_LENGTH characters.
That shuts out '..', '/', absolute paths, spaces, NUL, a trailing newline
(`re.match` with `$` lets "en\\n" through: this rule uses fullmatch) and
Cyrillic look-alikes ('е' in place of 'e'). No I/O here: every room may
import it."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import EditionError, UsageError

MAX_ID_LENGTH = 100
# The lookahead holds the length, so that the pattern alone is the whole rule.
ID_PATTERN = re.compile(rf"(?=[A-Za-z0-9._-]{{1,{MAX_ID_LENGTH}}}\Z)[A-Za-z0-9][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*")
ID_HINT = "ids are ASCII letters, digits, '-' and '_', with dots only between them (en.2), starting with a letter or digit"


def is_id(value: object) -> bool:
    """Whether `value` is a valid id (a str that fully matches the rule)."""
    return isinstance(value, str) and len(value) <= MAX_ID_LENGTH and ID_PATTERN.fullmatch(value) is not None


def id_problem(value: str) -> str | None:
    """Why `value` is not a valid id, in a few words, or None if it is."""
    if not isinstance(value, str):
        return "an id must be text"
    if is_id(value):
        return None
    shown = shown_id(value)
    if not value:
        return "the id is empty"
    if len(value) > MAX_ID_LENGTH:
        return f"id {shown} is longer than {MAX_ID_LENGTH} characters"
    if "/" in value or "\\" in value or value in (".", "..") or value.startswith(".."):
        return f"{shown} is a path, not an id"
    odd = next((c for c in value if not (c.isascii() and (c.isalnum() or c in "._-"))), None)
    if odd is not None:
        if odd.isspace():
            return f"id {shown} contains white space"
        if not odd.isascii() and odd.isalpha():
            return f"id {shown} contains the non-ASCII letter {odd!r} (U+{ord(odd):04X}), perhaps a look-alike"
        return f"id {shown} contains the character {odd!r}"
    return f"{shown} is not a valid id (dots only between letters or digits, and a letter or digit first)"


def shown_id(value: str, width: int = 60) -> str:
    """An id quoted for a message: control characters visible, long ones cut."""
    text = repr(value)
    return text if len(text) <= width else text[: width - 1] + "…'"


def check_id(
    value: str, what: str, path: Path | str | None = None, line: int | None = None, column: int | None = None, *, option: str | None = None
) -> str:
    """`value` if it is a valid id; else an error that says where it came
    from: a file position (exit 1) or a command-line option (exit 2)."""
    problem = id_problem(value)
    if problem is None:
        return value
    if option is not None:
        raise UsageError.at(f"{option}: {problem} ({what})", hint=ID_HINT)
    raise EditionError.at(f"{problem} ({what})", path, line, column, hint=ID_HINT)


__all__ = ["ID_HINT", "ID_PATTERN", "MAX_ID_LENGTH", "check_id", "id_problem", "is_id", "shown_id"]
