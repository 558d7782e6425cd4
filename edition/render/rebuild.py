"""Whether a build can be skipped: the record of the last one.

A build's PDF depends on the edition's files (edition.yaml, names.yaml,
terms.yaml, the documents and their translations, the template folders),
the build's options, our code and the versions of the libraries that lay
out and write the PDF. A successful build records a digest of all of them
(the fingerprint), the digest of the PDF (and HTML) it wrote and its report,
under the build folder (`build/.cache/builds/`). The next build with the
same fingerprint, whose output files still hold the bytes recorded, is done
without reading a document: the recorded report is given back. A missing,
unreadable or different record, or an output that changed, means a build.

Only files inside the edition are read: an input that is a symbolic link
(or a folder that cannot be listed) gives no fingerprint, and the build
itself then reports what is wrong. Deleting the records is always safe."""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

from ..files import atomic_write
from ..paths import check_inside
from .lines import LineMap, PrintedLine

# Raised when the record's format changes: older records are then ignored.
FORMAT = "edition-build-record/1"
# The edition's own files a build reads (render/html.py reads the templates).
SOURCE_FILES = ("edition.yaml", "names.yaml", "terms.yaml")
SOURCE_FOLDERS = ("seeds", "translations")
# The libraries whose version changes the bytes of the PDF.
LIBRARIES = ("weasyprint", "pydyf", "pikepdf", "fonttools", "tinycss2", "cssselect2", "pyphen", "pyuca", "iuliia")


def fingerprint(root: Path, templates: list[Path], options: dict) -> str | None:
    """The digest of everything a build of the edition at `root` with these
    `options` reads; None when an input cannot be read safely (a symbolic
    link, a folder that cannot be listed): the build will say why."""
    h = hashlib.sha256(FORMAT.encode() + b"\0")
    h.update(code_digest().encode())
    h.update(json.dumps(options, sort_keys=True, default=str).encode())
    h.update(os.environ.get("SOURCE_DATE_EPOCH", "").encode() + b"\0")
    try:
        for name, path in _inputs(Path(root), templates):
            h.update(name.encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest() if path is not None else b"-")
    except (OSError, _Unsafe):
        return None
    return h.hexdigest()


class _Unsafe(Exception):
    """An input that must not be read here: the build reports it."""


def _inputs(root: Path, templates: list[Path]):
    """(name, path or None when absent) of every file a build reads, in a
    fixed order."""
    for name in SOURCE_FILES:
        path = root / name
        if path.is_symlink():
            raise _Unsafe(path)
        yield name, path if path.exists() else None
    for folder in SOURCE_FOLDERS:
        yield from _tree(root / folder, folder)
    for i, templates_folder in enumerate(templates):
        yield from _tree(Path(templates_folder), f"templates {i} {Path(templates_folder).resolve()}")


def _tree(folder: Path, name: str):
    """Every file below `folder`, links refused."""
    if folder.is_symlink():
        raise _Unsafe(folder)
    if not folder.exists():
        yield name, None
        return
    for here, dirs, files in os.walk(folder, onerror=_raise):
        dirs.sort()
        for entry in dirs:
            if (Path(here) / entry).is_symlink():
                raise _Unsafe(entry)
        for entry in sorted(files):
            path = Path(here) / entry
            if path.is_symlink() or not path.is_file():
                raise _Unsafe(path)
            yield f"{name}/{path.relative_to(folder).as_posix()}", path


def _raise(error: OSError) -> None:
    raise error


@functools.cache
def code_digest() -> str:
    """Our code (every module of the package) and the versions of the
    libraries that make the PDF; read once per process."""
    from importlib import metadata

    import edition

    h = hashlib.sha256(edition.__version__.encode())
    package = Path(edition.__file__).parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for library in LIBRARIES:
        try:
            h.update(f"{library} {metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{library} -\0".encode())
    return h.hexdigest()


def record_path(root: Path, out: Path) -> Path:
    """Where the record of the build that writes `out` is kept: in the
    edition's build folder (`root` must have been checked to keep it inside
    the edition)."""
    name = hashlib.sha256(_named(root, out).encode()).hexdigest()[:32]
    return check_inside(root, Path(root) / "build" / ".cache" / "builds" / f"{name}.json")


def _named(root: Path, path: Path) -> str:
    """An output as the record names it: inside the edition, relative to
    it (an edition moved or copied keeps its records)."""
    real = Path(path).resolve()
    try:
        return real.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(real)


def _digest(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def recorded(record: Path, root: Path, fingerprint: str, out: Path, html_out: Path | None) -> dict | None:
    """The recorded report (as `record_build` was given it) when the last
    build had this fingerprint and its outputs still hold the bytes it
    wrote; else None."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data["fingerprint"] != fingerprint:
            return None
        if data["out"] != _named(root, out) or data["html"] != (_named(root, html_out) if html_out else None):
            return None
        if not isinstance(data["pdf"], str) or out.is_symlink() or _digest(out) != data["pdf"]:
            return None
        if html_out is not None and (Path(html_out).is_symlink() or _digest(html_out) != data["html digest"]):
            return None
        report = data["report"]
        return report if isinstance(report, dict) else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def record_build(record: Path, root: Path, fingerprint: str | None, out: Path, html_out: Path | None, report: dict) -> None:
    """Record a successful build (see `recorded`); without a fingerprint,
    forget the last one. A record that cannot be written costs time only."""
    try:
        pdf = _digest(out)
        if fingerprint is None or pdf is None:
            record.unlink(missing_ok=True)
            return
        record.parent.mkdir(parents=True, exist_ok=True)
        data = {
            "format": FORMAT,
            "fingerprint": fingerprint,
            "out": _named(root, out),
            "pdf": pdf,
            "html": _named(root, html_out) if html_out else None,
            "html digest": _digest(html_out),
            "report": report,
        }
        atomic_write(record, json.dumps(data, ensure_ascii=False))
    except OSError:
        pass


def lines_json(lines: LineMap) -> list:
    """The line map as JSON: [[document, layer, segment, [[page, number,
    text, start, end], …]], …]."""
    return [[*key, [[x.page, x.number, x.text, x.start, x.end] for x in printed]] for key, printed in lines.items()]


def lines_from_json(data: list) -> LineMap:
    return {
        (str(d), str(la), str(s)): [PrintedLine(int(p), int(n), str(t), int(a), int(b)) for p, n, t, a, b in printed]
        for d, la, s, printed in data
    }
