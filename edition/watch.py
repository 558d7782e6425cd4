"""Build again whenever the editor saves: `edition build --watch` and
`edition site --watch`. The edition's sources (edition.yaml, names.yaml,
terms.yaml, seeds/, translations/, templates/) are watched through the
system's file notifications (watchfiles); a burst of saves is one rebuild,
a rebuild that fails says why and the watch goes on, and the outputs
(build/) are never watched, so a rebuild does not start another.

Only folders that resolve inside the edition are watched, each on its own
(never a recursive watch that would follow a link out of the edition)."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .errors import EditionError, Problem, os_problem
from .paths import is_within

# What the build reads: these files at the top of the edition, and
# everything below these folders.
TOP_FILES = ("edition.yaml", "names.yaml", "terms.yaml")
SOURCE_FOLDERS = ("seeds", "translations", "templates")

# Files editors write beside the one being saved (Emacs' lock `.#x` and
# backup `x~`, Vim's swap `.x.swp` and its probe `4913`, autosaves `#x#`)
# and our own atomic writer's `.x.123.tmp`: none of them is read by a build.
_SCRATCH = re.compile(r"^(\.#.*|#.*#|.*~|\..*\.sw[a-p]|\d+|\..*\.tmp|\.DS_Store)$")


class Stop(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Rebuild:
    """One rebuild: the files whose change started it (relative to the
    edition), what it wrote (None when it failed), how long it took, and
    the problems that stopped it."""

    changed: tuple[str, ...]
    built: str | None
    seconds: float
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.built is not None

    def line(self) -> str:
        """The one line a person watching the terminal reads."""
        changed = ", ".join(self.changed) if len(self.changed) <= 3 else f"{', '.join(self.changed[:3])} and {len(self.changed) - 3} more"
        if self.ok:
            return f"{changed} changed: rebuilt {self.built} in {self.seconds:.1f} s"
        return f"{changed} changed: rebuild failed after {self.seconds:.1f} s ({len(self.problems)} problem(s)); the last good output stays"


def is_source(root: Path, path: Path) -> bool:
    """Whether a change of `path` can change what the build makes: one of
    the edition's files, or a file below its source folders that is not an
    editor's scratch file."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        return False
    if not parts or _SCRATCH.match(parts[-1]):
        return False
    if len(parts) == 1:
        return parts[0] in TOP_FILES or parts[0] in SOURCE_FOLDERS
    if parts[0] == "seeds":  # seeds/<doc>.yaml (seeds/sources/ keeps what was imported)
        return len(parts) == 2 and parts[1].endswith(".yaml")
    if parts[0] == "translations":  # translations/<doc>/<layer>.yaml, or a document's folder
        return len(parts) == 2 or (len(parts) == 3 and parts[2].endswith(".yaml"))
    return parts[0] == "templates"


def watched_folders(root: Path) -> list[Path]:
    """The edition's folder and every folder below its source folders, each
    to be watched on its own; links that resolve outside the edition are
    left out (and never entered)."""
    root = Path(root)
    real_root = root.resolve()
    folders = [root]
    for name in SOURCE_FOLDERS:
        todo = [root / name]
        while todo:
            here = todo.pop()
            if not here.is_dir() or not is_within(real_root, here.resolve()):
                continue
            folders.append(here)
            try:
                todo.extend(sorted(Path(entry.path) for entry in os.scandir(here) if entry.is_dir()))
            except OSError:
                continue
    return folders


def watch(
    root: Path,
    rebuild: Callable[[], str],
    *,
    heard: Callable[[Rebuild], None],
    stop: Stop | None = None,
    quiet: float = 0.1,
) -> None:
    """Call `rebuild` each time a source of the edition at `root` changes,
    and tell `heard` what happened, until `stop` is set (or Ctrl-C, which
    raises KeyboardInterrupt). `rebuild` builds and returns what it wrote
    ("build/edition.pdf, 12 pages"); an EditionError or OSError it raises
    is reported and the watch goes on. Saves less than `quiet` seconds
    apart are one change (an editor's save is often several writes). The
    first build is the caller's: this waits for a change."""
    from watchfiles import watch as changes_of

    root = Path(root).absolute()
    folders = watched_folders(root)
    pending: tuple[str, ...] = ()  # changes heard before a folder came or went, built once it is watched
    while stop is None or not stop.is_set():
        rearm = False
        try:
            for changes in changes_of(
                *folders,
                watch_filter=lambda _change, path: is_source(root, Path(path)),
                recursive=False,
                step=int(quiet * 1000),
                debounce=max(1600, int(quiet * 4000)),
                stop_event=stop,
                # No timeout unless a build is pending: watchfiles empties its set of changes on a
                # timeout, and a save landing in that instant would be lost.
                rust_timeout=100 if pending else 0,
                yield_on_timeout=bool(pending),
            ):
                changed = tuple(sorted({*pending, *_changed(root, changes)}))
                pending = ()
                if not changed:
                    continue
                now = watched_folders(root)
                if now != folders:  # a folder came or went: watch the new set first, then build
                    folders, pending, rearm = now, changed, True
                    break
                heard(_rebuild(rebuild, changed))
        except FileNotFoundError:  # a folder went while being watched anew
            if not root.is_dir():
                raise EditionError.at("the edition's folder is gone; nothing more to watch", root) from None
            folders, rearm = watched_folders(root), True
        if not rearm:
            return


def _changed(root: Path, changes: set) -> tuple[str, ...]:
    """The files changed, relative to `root`, leaving out those that came
    and went within the burst (an editor's or a tool's scratch file, such
    as sed's, renamed over the file it saves)."""
    from watchfiles import Change

    kinds: dict[str, set] = {}
    for change, path in changes:
        kinds.setdefault(path, set()).add(change)
    return tuple(
        sorted(Path(path).relative_to(root).as_posix() for path, seen in kinds.items() if os.path.lexists(path) or Change.added not in seen)
    )


def _rebuild(rebuild: Callable[[], str], changed: tuple[str, ...]) -> Rebuild:
    started = time.perf_counter()
    try:
        built = rebuild()
    except EditionError as exc:
        return Rebuild(changed, None, time.perf_counter() - started, tuple(exc.problems))
    except OSError as exc:
        return Rebuild(changed, None, time.perf_counter() - started, (os_problem(exc),))
    return Rebuild(changed, built, time.perf_counter() - started)


def watch_pdf(
    root: Path, out: Path | None = None, *, heard: Callable[[Rebuild], None], stop: Stop | None = None, quiet: float = 0.1, **options
) -> None:
    """Rebuild the edition's PDF (as `api.build(root, out, **options)`)
    whenever one of its sources changes; see `watch`."""
    from . import api

    def rebuild() -> str:
        path, report = api.build(root, out, **options)
        return f"{_shown(root, path)} ({report.pages} pages{_warnings(report.warnings)})"

    watch(root, rebuild, heard=heard, stop=stop, quiet=quiet)


def watch_site(
    root: Path, out: Path | None = None, *, heard: Callable[[Rebuild], None], stop: Stop | None = None, quiet: float = 0.1, **options
) -> None:
    """Rebuild the edition's HTML site (as `api.build_site(root, out,
    **options)`) whenever one of its sources changes; see `watch`."""
    from . import api

    def rebuild() -> str:
        report = api.build_site(root, out, **options)
        return f"{_shown(root, report.folder)}/ ({len(report.written)} file(s) written{_warnings(report.warnings)})"

    watch(root, rebuild, heard=heard, stop=stop, quiet=quiet)


def _warnings(warnings: list[str]) -> str:
    return f", {len(warnings)} warning(s)" if warnings else ""


def _shown(root: Path, path: Path) -> str:
    """`path` relative to the edition when it lies inside it."""
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)


__all__ = ["Rebuild", "is_source", "watch", "watch_pdf", "watch_site", "watched_folders"]
