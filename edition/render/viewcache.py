"""Each document's view (render/html.py's DocumentView: what the templates
print of it) kept between builds, so that an edit renders one document again.

A view depends on the document, its place in the volume, the edition's
settings, whether the edition is under review (draft marks), and our code
(with the versions of the libraries that set text, such as pyphen's
hyphenation dictionaries): the key is a digest of all of them. Beside a
view, where the register's names stand in its document (keyed by the view's
key and the register). Nothing that crosses documents is kept here: the
index's references and the line map come from the layout, the contents
from the views.

An entry is JSON holding only the view's own small classes, strings,
numbers and lists: reading one runs no code it names and makes no Markup,
so a cache planted in an edition can at worst print wrong text in its own
build, like any edit of the edition. An entry that cannot be read, or does
not hold a view, is rendered again; deleting the folder is always safe."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, Callable

from ..files import atomic_write
from ..model import Document, Edition
from ..names import Occurrence
from ..typography import Typeset
from . import html as _html
from .rebuild import code_digest

# Raised when an entry's layout changes: older entries are then missed.
FORMAT = "edition-document-view/1"

# The classes a view is made of, by the name an entry gives them.
_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        _html.DocumentView,
        _html.Run,
        _html.Footnote,
        _html.Bound,
        _html.Block,
        _html.ListBlock,
        _html.Column,
        _html.Row,
        _html.EndNote,
        _html.ApparatusLine,
        _html.ApparatusView,
        _html.KeyedEntry,
        Typeset,
    )
}
_FIELDS: dict[type, tuple[str, ...]] = {cls: tuple(f.name for f in fields(cls)) for cls in _CLASSES.values()}
_NAMES: dict[type, str] = {cls: name for name, cls in _CLASSES.items()}


class DocumentViews:
    """Views under `folder` (None: nothing kept), one JSON file a key;
    writes are atomic, and a write that fails costs time only."""

    def __init__(self, folder: Path | None) -> None:
        # A folder planted as a link could lead out of the build folder: no cache.
        self.folder = None if folder is None or folder.is_symlink() else folder
        self.rendered = 0  # views rendered (not found) by this build
        self.pending: dict[Path, str] = {}  # entries to write (see `save`)

    def settings(self, edition: Edition, mark_drafts: bool) -> str:
        """What every document's view shares: our code, the edition's
        settings (not its documents, names or terms: a view reads none of
        them) and whether unreviewed text is marked."""
        bare = replace(edition, documents=[], register=type(edition.register)(), terms=None)
        h = hashlib.sha256(FORMAT.encode() + b"\0" + code_digest().encode() + b"\0")
        h.update(pickle.dumps((bare, mark_drafts), protocol=5))
        return h.hexdigest()

    def key(self, settings: str, doc: Document, number: int) -> str | None:
        """The key of a document's view at place `number`, or None when the
        document cannot be digested (its view is then rendered)."""
        if self.folder is None:
            return None
        try:
            data = pickle.dumps((doc, number), protocol=5)
        except (pickle.PicklingError, TypeError, AttributeError):
            return None
        return hashlib.sha256(settings.encode() + b"\0" + data).hexdigest()

    def get(self, key: str) -> tuple[_html.DocumentView, list[str]] | None:
        """The view kept under `key` and the warnings its rendering gave."""
        if self.folder is None:
            return None
        try:
            data = json.loads(read_entry(self.folder / f"{key}.json"), object_hook=_decoded)
            view, warnings = data["view"], data["warnings"]
            if data["format"] != FORMAT or not isinstance(view, _html.DocumentView):
                return None
            if not isinstance(warnings, tuple) or not all(isinstance(w, str) for w in warnings):
                return None
            return view, list(warnings)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            return None

    def put(self, key: str | None, view: _html.DocumentView, warnings: list[str]) -> None:
        """Keep a view just rendered (under `key`, when it has one)."""
        self.rendered += 1
        if self.folder is None or key is None:
            return
        try:
            text = json.dumps(
                {"format": FORMAT, "view": view, "warnings": warnings},
                default=_encoded,
                ensure_ascii=False,
                separators=(",", ":"),
            )
        except (TypeError, ValueError):
            return
        self.pending[self.folder / f"{key}.json"] = text

    def index_order(self, names: list, cyrillic: str, order) -> list[int] | None:
        """The places in `names` (the register's) of the names in the
        index's order, as `order(names, cyrillic)` sorts them; kept, for
        the Unicode collation table takes a second to load."""
        if self.folder is None:
            return None
        h = hashlib.sha256(f"{FORMAT}\0index\0{code_digest()}\0{cyrillic}\0".encode())
        h.update(json.dumps([n.name for n in names], ensure_ascii=False).encode())
        path = self.folder / f"index-{h.hexdigest()}.json"
        try:
            kept = json.loads(read_entry(path))
            if isinstance(kept, list) and sorted(kept) == list(range(len(names))):
                return kept
        except (OSError, ValueError, TypeError):
            pass
        at = {id(n): k for k, n in enumerate(names)}
        made = [at[id(n)] for n in order(names, cyrillic)]
        self.pending[path] = json.dumps(made)
        return made

    def occurrences(self, key: str | None, register: str, find: Callable[[], list[Occurrence]]) -> list[Occurrence]:
        """A document's occurrences of the register's names, as `find()`
        finds them; kept under its view's key (which digests the document)
        and `register` (a digest of the register): searching every document
        takes half a second at 1,000 documents."""
        if self.folder is None or key is None:
            return find()
        digest = hashlib.sha256("\0".join((FORMAT, "names", key, register)).encode()).hexdigest()
        path = self.folder / f"names-{digest}.json"
        try:
            kept = json.loads(read_entry(path))
            if isinstance(kept, list) and all(_is_occurrence(row) for row in kept):
                return [Occurrence(*row) for row in kept]
        except (OSError, ValueError, TypeError):
            pass
        made = find()
        rows = [[o.name, o.document, o.layer, o.place, o.start, o.end, o.form] for o in made]
        self.pending[path] = json.dumps(rows, ensure_ascii=False, separators=(",", ":"))
        return made

    def save(self) -> None:
        """Write what this build rendered: once it has succeeded, so that a
        build that fails leaves the build folder as it was."""
        pending, self.pending = self.pending, {}
        for path, text in pending.items():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(path, text)
            except OSError:
                return  # a cache that cannot be written only costs time


def register_digest(register: Any) -> str:
    """What a document's occurrences depend on besides the document."""
    return hashlib.sha256(pickle.dumps(register, protocol=5)).hexdigest()


def _is_occurrence(row: Any) -> bool:
    return (
        isinstance(row, list)
        and len(row) == 7
        and all(isinstance(x, str) for x in (*row[:4], row[6]))
        and all(type(x) is int for x in row[4:6])
    )


def read_entry(path: Path) -> str:
    """A cache entry's text; an entry planted as a symbolic link is not
    followed (OSError), for it could lead out of the build folder."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        return f.read().decode("utf-8")


def encode(view: _html.DocumentView) -> str:
    """A view as an entry holds it (for tests and tools)."""
    return json.dumps(view, default=_encoded, ensure_ascii=False, separators=(",", ":"))


def decode(text: str) -> Any:
    return json.loads(text, object_hook=_decoded)


def _encoded(obj: Any) -> Any:
    name = _NAMES.get(type(obj))
    if name is not None:
        return {"c": name, "f": [getattr(obj, f) for f in _FIELDS[type(obj)]]}
    if isinstance(obj, range):
        return {"r": [obj.start, obj.stop, obj.step]}
    raise TypeError(f"a view holds a {type(obj).__name__}")


def _decoded(data: dict) -> Any:
    if "c" in data:
        cls = _CLASSES[data["c"]]
        values = data["f"]
        if not isinstance(values, list) or len(values) != len(_FIELDS[cls]):
            raise ValueError("a view's fields do not match its class")
        if cls is Typeset:  # its offsets: a range, or a tuple
            if not isinstance(values[0], str) or not isinstance(values[1], (range, list)):
                raise ValueError("a typeset text without its offsets")
            return Typeset(values[0], values[1] if isinstance(values[1], range) else tuple(values[1]))
        return cls(*[_tupled(v) if type(v) is list else v for v in values])
    if "r" in data:
        start, stop, step = data["r"]
        return range(int(start), int(stop), int(step))
    return {k: _tupled(v) if type(v) is list else v for k, v in data.items()}


def _tupled(value: list) -> tuple:
    """A list back to the tuple a view holds (and the lists in it)."""
    return tuple([_tupled(x) if type(x) is list else x for x in value])
