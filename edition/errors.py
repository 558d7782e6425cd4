"""One family of errors that say where (file, line, column) and what to do,
so every command can report problems the way a compiler does."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
