"""Where an edition may read and write. An edition travels (git clones,
publishers' archives) and may hold symbolic links that point out of it; a
command line may name a FIFO, a device or the edition's own sources as its
output. These checks keep every read and write inside the edition (or the
output the user named), and say which link or file is wrong.

Only the standard library and our errors: every room may import it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import EditionError, UsageError

# The files and folders a person writes: an output may never replace them.
SOURCES = ("edition.yaml", "names.yaml", "seeds", "translations", "templates", ".edition.lock")

LINK_HINT = "replace the link by the file or folder itself (or remove it): an edition reads and writes only inside its folder"


def is_within(folder: Path, path: Path) -> bool:
    """Whether the resolved `path` is `folder` or lies below it (`folder`
    must be resolved already)."""
    return path == folder or folder in path.parents


def first_link(root: Path, path: Path) -> Path | None:
    """The first symbolic link on the way from `root` down to `path`."""
    try:
        parts = Path(path).relative_to(root).parts
    except ValueError:
        return None
    here = Path(root)
    for part in parts:
        here = here / part
        if here.is_symlink():
            return here
    return None


def check_inside(root: Path, path: Path, allowed: tuple[Path, ...] = ()) -> Path:
    """`path` if it resolves inside the edition at `root` (or inside one of
    the resolved folders `allowed`); else an error naming the link that
    leads out and where it points. Nothing is opened."""
    real_root = Path(root).resolve()
    target = Path(path).resolve()
    if is_within(real_root, target) or any(is_within(a, target) for a in allowed):
        return Path(path)
    link = first_link(Path(root), Path(path)) or first_link(real_root, Path(path)) or Path(path)
    pointed = os.readlink(link) if link.is_symlink() else str(target)
    raise EditionError.at(f"symbolic link leads outside the edition, to {pointed} ({target})", link, hint=LINK_HINT)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _refuse(message: str, path: Path, hint: str, given: bool) -> EditionError:
    return (UsageError if given else EditionError).at(message, path, hint=hint)


def _source_of(root: Path | None, target: Path) -> str | None:
    """The edition's own source `target` is (or lies in), or None."""
    if root is None:
        return None
    real_root = Path(root).resolve()
    for name in SOURCES:
        if is_within(real_root / name, target):
            return name
    return None


def output_file(
    out: Path, root: Path | None = None, *, force: bool = False, option: str = "--out", given: bool = True, example: str = "edition.pdf"
) -> Path:
    """The file to write for `out`: a regular file (replaced atomically) or
    a new one. Refused: a FIFO, device or socket (always), a folder, one of
    the edition's sources (always), and a symbolic link unless `force` (then
    the file it points to is written, if that is a regular file or new).
    `given` says the path came from the command line (a usage error, exit
    2) rather than from the edition (exit 1)."""
    out = Path(out)
    path = _through_link(out, option, "file", force, given)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        raise _refuse(f"{option}: a part of the path is a file, not a folder", out, "name a file in an existing folder", given) from None
    via = f" (the link's target {path})" if path != out else ""
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise _refuse(f"{option} is a folder{via}; it names the file to write", out, f"name a file, e.g. {option} {out / example}", given)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise _refuse(f"{option} is {_kind(info.st_mode)}{via}; nothing was written", out, "name a regular file or a new one", given)
    source = _source_of(root, path.resolve())
    if source is not None:
        raise _refuse(f"{option} {_in_source(source)}{via}; nothing was written", out, "write outputs elsewhere, e.g. into build/", given)
    return path


def _through_link(out: Path, option: str, noun: str, force: bool, given: bool) -> Path:
    """`out`, or with `force` what it links to; a link without `force` is
    refused. `noun`: "file" or "folder", what `out` names."""
    if not out.is_symlink():
        return out
    if not force:
        target = "the file" if noun == "file" else "into the folder"
        raise _refuse(
            f"{option} is a symbolic link (to {os.readlink(out)}); nothing was written",
            out,
            f"name another {noun}, or pass --force to write {target} the link points to",
            given,
        )
    return out.resolve()


def _in_source(source: str) -> str:
    if "." in source:  # a file: edition.yaml, names.yaml, the lock
        return f"would replace the edition's own {source}"
    return f"lies in the edition's own {source}/ folder"


def output_folder(out: Path, root: Path | None = None, *, force: bool = False, option: str = "--out", given: bool = True) -> Path:
    """The folder to write files into for `out`: an existing folder or a
    new one, never one of the edition's sources, a symbolic link only with
    `force` (then the folder it points to)."""
    out = Path(out)
    path = _through_link(out, option, "folder", force, given)
    source = _source_of(root, path.resolve())
    if source is not None:
        raise _refuse(f"{option} {_in_source(source)}; nothing was written", out, "write outputs elsewhere, e.g. into build/", given)
    if path.exists() and not path.is_dir():
        kind = _kind(os.lstat(path).st_mode) if not path.is_file() else "a file"
        raise _refuse(f"{option} is {kind}, not a folder; nothing was written", out, "name a folder (new or existing) for the files", given)
    return path


def safe_tree(folder: Path, allowed: tuple[Path, ...], limit: int = 10_000) -> None:
    """Refuse a folder (a template folder) in which a file or a folder is a
    symbolic link resolving outside the resolved folders `allowed`; links
    inside are followed and their targets checked too."""
    seen: set[Path] = set()
    todo = [Path(folder)]
    while todo:
        here = todo.pop()
        real = here.resolve()
        if real in seen:
            continue
        seen.add(real)
        if len(seen) > limit:
            raise EditionError.at(f"more than {limit} folders below", folder, hint="a template folder holds a few files")
        for entry in sorted(here.iterdir()):
            target = entry.resolve()
            if entry.is_symlink() and not any(is_within(a, target) for a in allowed):
                raise EditionError.at(f"symbolic link leads outside the edition, to {os.readlink(entry)} ({target})", entry, hint=LINK_HINT)
            if entry.is_dir():
                todo.append(entry)


__all__ = ["SOURCES", "check_inside", "first_link", "is_within", "output_file", "output_folder", "safe_tree"]
